"""Local-model helpers: clipping, the best one-step reduction, GD step counts."""

import numpy as np

from theorylab.claims.pan2023 import (
    clipped_gd_steps,
    coordinate_clip,
    gd_steps,
    line_search_decrease,
    local_reduction,
)


def test_clip_caps_the_top_fraction():
    g = np.arange(1.0, 101.0) * np.where(np.arange(100) % 2, 1.0, -1.0)
    u = coordinate_clip(g, 0.1)                   # tau = 90th percentile of 1..100 = 90.1
    assert np.sum(np.abs(u) < np.abs(g)) == 10 and np.isclose(np.max(np.abs(u)), 90.1)
    assert np.all(np.sign(u) == np.sign(g))


def test_best_reduction_is_the_line_search_decrease_and_below_newton():
    rng = np.random.default_rng(2)
    h, g = rng.uniform(0.1, 10, 30), rng.standard_normal(30)
    for u in (g, np.sign(g), rng.standard_normal(30)):
        assert np.isclose(local_reduction(g, h, u), line_search_decrease(g, h, u), rtol=1e-12)
        assert local_reduction(g, h, u) <= 0.5 * g @ (g / h) * (1 + 1e-12)


def test_gd_step_counts_against_iteration():
    h, x0 = np.array([1.0, 1.0, 50.0]), np.array([1.0, -1.0, 2.0])
    x, f0, k = x0.copy(), 0.5 * np.sum(h * x0**2), 0
    while 0.5 * np.sum(h * x**2) > 1e-3 * f0:
        x, k = x - 0.03 * h * x, k + 1
    assert gd_steps(h, x0, 0.03, 1e-3, 1000) == k
    assert clipped_gd_steps(h, x0, 0.03, 0.0, 1e-3, 1000) == k   # clipping nothing is GD
