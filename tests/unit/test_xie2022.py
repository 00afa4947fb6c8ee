"""Helpers of the Adan NME check (Xie et al. 2022): the Rosenbrock gradient, both recursions by hand,
and the rule driver against the engine."""

import numpy as np
import pytest

from theorylab.claims.xie2022 import (
    drive_rule,
    nesterov_shifted_iterates,
    nme_iterates,
    nme_momentum,
    rosenbrock_grad,
)
from theorylab.optim import conformance as C
from theorylab.optim.adan import adan
from theorylab.problems import Quadratic


def test_rosenbrock_gradient_matches_finite_differences():
    def f(x):
        return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

    x = np.random.default_rng(0).standard_normal(6)
    h = 1e-6
    fd = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(6)])
    np.testing.assert_allclose(rosenbrock_grad(x), fd, rtol=1e-7, atol=1e-6)


def test_first_steps_by_hand():
    p = Quadratic(np.array([0.5, 2.0]), x_star=np.array([1.0, -1.0]))
    x0, eta, b = np.array([0.3, 0.7]), 0.1, 0.2
    g0 = p.grad(x0)
    # Nesterov: m_0 = g_0, theta_1 = x0 - eta g0, thbar_1 = theta_1 - eta (1-b) g0 = x0 - eta (2-b) g0
    agd = nesterov_shifted_iterates(p.grad, x0, eta, b, 3)
    nme = nme_iterates(p.grad, x0, eta, b, 3)
    np.testing.assert_allclose(agd[1], x0 - eta * (2 - b) * g0, rtol=1e-15)
    np.testing.assert_allclose(nme[1], x0 - eta * (2 - b) * g0, rtol=1e-15)
    np.testing.assert_allclose(nme, agd, rtol=1e-14)
    assert not np.allclose(nme_iterates(p.grad, x0, eta, b, 3, diff_coef=b), agd)


def test_nme_momentum_by_hand():
    g = np.array([[1.0], [3.0], [2.0]])
    m = nme_momentum(g, 0.5)
    assert m[:, 0] == pytest.approx([1.0, 0.5 + 3 + 1.0, 0.5 * 4.5 + 2 - 0.5])


def test_drive_rule_reproduces_the_engine():
    p = C.battery_problems()["quadratic"]
    x0 = C.battery_start(p)
    opt = adan(lr=0.05)
    xs, grads, states = drive_rule(opt, lambda t, x: p.grad(x), x0, 30)
    np.testing.assert_allclose(xs, C.engine_trajectory(opt, p, x0, 30), rtol=1e-13)
    np.testing.assert_allclose(grads[0], p.grad(x0))
    assert states.shape == (30, 4 * p.d)
