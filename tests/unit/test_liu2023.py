"""Sophia's separable-quadratic helpers (Liu et al. 2024) against brute force, and the rule's options
against its numpy reference."""

import numpy as np
import pytest

from theorylab import stats
from theorylab.bounds.liu2023 import (
    gd_separable_quadratic_steps_lower,
    sophia_separable_quadratic_steps,
)
from theorylab.claims.liu2023 import clipped_map, gd_steps_to
from theorylab.optim import conformance as C
from theorylab.optim.sophia import sophia


def test_clipped_map_is_the_scalar_recursion():
    theta0 = np.array([1.0, -0.03, 0.2])
    path = clipped_map(theta0, 0.05, 0.025, 3)
    x = theta0.copy()
    for t in range(1, 4):
        x = x - 0.025 * np.clip(x / 0.05, -1, 1)
        np.testing.assert_allclose(path[t], x)


def test_gd_steps_to_matches_iteration():
    h = np.geomspace(1.0, 30.0, 5)
    theta0 = np.random.default_rng(1).uniform(-1, 1, 5)
    lr, x, k = 2 / (h.min() + h.max()), theta0.copy(), 0
    while 0.5 * np.sum(h * x ** 2) > 1e-9:
        x, k = x - lr * h * x, k + 1
    assert gd_steps_to(h, theta0, 1e-9) == k
    assert k >= gd_separable_quadratic_steps_lower(30.0, f_min0=0.5 * h[0] * theta0[0] ** 2, eps=1e-9)


@pytest.mark.parametrize("seed", range(5))
def test_derived_sophia_bound_dominates_the_scalar_map(seed):
    rng = np.random.default_rng(seed)
    d = 20
    theta0, h = rng.uniform(-2, 2, d), np.geomspace(1.0, 10 ** rng.uniform(1, 8), d)
    gamma, eta, eps = 0.05, rng.uniform(0.005, 0.045), 1e-8
    f = 0.5 * (clipped_map(theta0, gamma, eta, 2000) ** 2) @ h
    assert stats.first_index_below(f, eps) <= sophia_separable_quadratic_steps(eps, theta0=theta0, h=h, gamma=gamma, eta=eta)


def test_first_below():
    assert stats.first_index_below(np.array([3.0, 2.0, 1.0]), 2.0) == 1
    assert stats.first_index_below(np.array([3.0]), 2.0) == np.inf


@pytest.mark.parametrize("kw", [dict(k=3, probe="rademacher"), dict(k=2, weight_decay=0.1), dict(eps=1e-3)])
def test_sophia_options_match_the_reference(kw):
    for p in C.battery_problems().values():
        opt, x0 = sophia(0.02, **kw), C.battery_start(p)
        ref, eng = C.reference_trajectory(opt, p, x0, 30), C.engine_trajectory(opt, p, x0, 30)
        assert C.max_relative_deviation(eng, ref) <= 1e-12
