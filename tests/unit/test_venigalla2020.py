"""Delayed-GD stability: companion-matrix and simulated thresholds on small delays."""

import numpy as np

from theorylab.claims.venigalla2020 import (
    companion_threshold,
    delayed_gd_spectral_radius,
    simulated_threshold,
)


def test_thresholds_for_small_delays():
    for D, expected in ((0, 2.0), (1, 1.0), (2, 2 * np.sin(np.pi / 10))):
        assert abs(companion_threshold(D) - expected) < 1e-12
        assert delayed_gd_spectral_radius(0.99 * expected, D) < 1 < delayed_gd_spectral_radius(1.01 * expected, D)
    assert abs(simulated_threshold(1, np.linspace(0.95, 1.05, 101), 4000) - 1.0) <= 0.0011
