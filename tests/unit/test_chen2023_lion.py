"""Helpers of the Lion box check (Chen et al. 2023): the coupled-decay control problem, the box excess
and the derived excess bound on an arbitrary gradient sequence."""

import numpy as np
import pytest

from theorylab.bounds.chen2023_lion import lion_box_excess
from theorylab.claims.chen2023_lion import (
    box_excess,
    box_problem,
    coupled_decay_problem,
)
from theorylab.optim.lion import lion


def test_coupled_decay_problem_is_f_plus_ridge():
    p, lam = box_problem(d=6), 0.5
    q = coupled_decay_problem(p, lam)
    x = np.random.default_rng(0).standard_normal((4, 6)) * 3
    np.testing.assert_allclose(q.f(x), p.f(x) + 0.5 * lam * np.sum(x ** 2, axis=1), rtol=1e-12)
    np.testing.assert_allclose(q.grad(x), p.grad(x) + lam * x, rtol=1e-12, atol=1e-12)
    assert q.gap(q.x_star) == pytest.approx(0.0, abs=1e-12)


def test_box_excess():
    x = np.array([[0.5, -3.0], [1.0, 1.9]])
    np.testing.assert_allclose(box_excess(x, 2.0), [1.0, 0.0])


def test_excess_bound_holds_for_any_gradient_sequence():
    """The derivation uses only |sign| <= 1: drive Lion's reference with random gradients."""
    rng = np.random.default_rng(1)
    eta, lam, T, d = 0.05, 0.5, 200, 4
    opt = lion(lr=eta, weight_decay=lam)
    sched, hyper = opt.schedule_array(T), opt.hyper_array()
    x, state = 8 * rng.standard_normal(d), np.zeros(d)
    e0 = box_excess(x, 1 / lam)
    for t in range(T):
        opt.reference(1, t, sched, x, rng.standard_normal(d) * 10, None, None, state, hyper, None)
        assert box_excess(x, 1 / lam) <= lion_box_excess(t + 1, eta=eta, lam=lam, excess0=e0) + 1e-12
    assert lion_box_excess(0, eta=eta, lam=lam, excess0=e0) == pytest.approx(e0)
