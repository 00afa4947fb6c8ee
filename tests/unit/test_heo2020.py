"""Heo et al. (2021): the scale-invariant objective, the norm-growth identity against a plain numpy
heavy ball, and SGDP/AdamP's projection path (compiled = numpy reference)."""

import numpy as np
import pytest

from theorylab.bounds.heo2020 import scale_invariant_momentum_norm_growth
from theorylab.claims.heo2020 import (
    ProjectedNoise,
    predicted_norms,
    rayleigh_problem,
    steps_to,
    unit_start,
)
from theorylab.optim.conformance import reference_trajectory
from theorylab.optim.sgdp import RayleighQuotient, adamp, compiled_trajectory, sgdp


def test_rayleigh_quotient_is_scale_invariant_with_the_right_gradient():
    p = RayleighQuotient(np.linspace(1.0, 3.0, 5), layers=2)
    w = np.random.default_rng(0).standard_normal(10)
    c = np.repeat([3.0, 0.2], 5)
    assert p.f(c * w) == pytest.approx(p.f(w), rel=1e-14)
    g = p.grad(w)
    assert abs(g[:5] @ w[:5]) < 1e-14 and abs(g[5:] @ w[5:]) < 1e-14
    h = 1e-6
    fd = np.array([(p.f(w + h * e) - p.f(w - h * e)) / (2 * h) for e in np.eye(10)])
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-9)
    assert p.gap(np.eye(10)[0] + np.eye(10)[5]) == pytest.approx(0.0, abs=1e-15)


def test_identity_matches_a_plain_numpy_heavy_ball():
    p, eta, beta = rayleigh_problem(8), 0.1, 0.8
    w, mom = [unit_start(8)], np.zeros(8)
    for _ in range(50):
        mom = beta * mom + p.grad(w[-1])
        w.append(w[-1] - eta * mom)
    w = np.array(w)
    np.testing.assert_allclose(predicted_norms(w, eta, beta), np.sum(w * w, axis=1), rtol=1e-13)
    # the recursion of the bound against the double sum written out
    p_sq = np.arange(1.0, 5.0)
    direct = [1.0 + eta ** 2 * sum(p_sq[s] + 2 * sum(beta ** (s - k) * p_sq[k] for k in range(s)) for s in range(t))
              for t in range(5)]
    np.testing.assert_allclose(scale_invariant_momentum_norm_growth(np.arange(5), w0_sq=1.0, eta=eta, beta=beta,
                                                                    p_sq=p_sq), direct, rtol=1e-14)


def test_projected_noise_keeps_gradients_orthogonal():
    noisy = ProjectedNoise(rayleigh_problem(6), sigma=2.0, seed=0)
    w = unit_start(6, seed=3) * 4.0
    assert all(abs(noisy.grad(w) @ w) < 1e-12 for _ in range(10))


@pytest.mark.parametrize("rule,kw", [(sgdp, dict(lr=0.05, momentum=0.9, eps=0.0)),
                                     (sgdp, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1, block=4)),
                                     (adamp, dict(lr=0.01, block=4, weight_decay=0.1)),
                                     (adamp, dict(lr=0.01, nesterov=True))])
def test_projection_path_compiled_equals_reference(rule, kw):
    opt = rule(**kw)
    p = RayleighQuotient(np.linspace(1.0, 4.0, 4), layers=2)  # always projected: cos(w, g) = 0
    w0 = np.random.default_rng(1).standard_normal(8)
    a = compiled_trajectory(opt, p, w0, 40)
    b = reference_trajectory(opt, p, w0, 40)
    assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(b))
    unprojected = compiled_trajectory(rule(**kw, delta=0.0), p, w0, 40)  # delta = 0 never projects
    assert np.max(np.abs(a - unprojected)) > 1e-6


def test_steps_to():
    assert steps_to(np.array([3.0, 2.0, 0.5, 0.1]), 1.0) == 2.0
    assert steps_to(np.array([3.0, 2.0]), 1.0) == np.inf
