"""Helpers of the proxy-corrected proximal point (Woodworth, Mishchenko & Bach 2023)."""

import numpy as np
import pytest

from theorylab.claims.woodworth2023 import (
    ProxyQuadratics,
    averaged_gap_exact,
    gd_iterations_to,
    proxy_error_map,
    proxy_step,
)


def _small():
    return ProxyQuadratics.catalogue(d=4, delta=0.3, seed=1)


def test_proxy_step_solves_the_inner_problem():
    q = _small()
    rng = np.random.default_rng(0)
    x, g, eta = rng.standard_normal(q.d), rng.standard_normal(q.d), 0.7
    for corrected in (True, False):
        z = proxy_step(q, x[None], g[None], eta, corrected)[0]
        # gradient of h(z) + <g - grad h(x), z> + ||z - x||^2/(2 eta) vanishes at the minimiser
        lin = (g - q.grad_h(x)) if corrected else 0.0
        np.testing.assert_allclose(q.grad_h(z) + lin + (z - x) / eta, 0.0, atol=1e-12)


def test_error_map_is_the_exact_gradient_step():
    q = _small()
    x = np.random.default_rng(1).standard_normal(q.d)
    eta = 1 / (2 * q.delta)
    x1 = proxy_step(q, x[None], q.grad_f(x)[None], eta)[0]
    np.testing.assert_allclose(x1 - q.x_star, proxy_error_map(q, eta) @ (x - q.x_star), atol=1e-12)
    assert q.delta == pytest.approx(0.3)


def test_averaged_gap_matches_explicit_linear_gaussian_formula():
    q = _small()
    rng = np.random.default_rng(2)
    P = rng.standard_normal((q.d, q.d)) * 0.01 + 0.002 * np.eye(q.d)
    sigma, T = 0.4, 5
    M = np.eye(q.d) - P @ q.A
    # xbar - x* = mbar + sum_s C_s xi_s, C_s = -(sigma/T) sum_{t > s} M^(t-1-s) P
    powers = [np.linalg.matrix_power(M, j) for j in range(T + 1)]
    mbar = sum(powers[t] @ (-q.x_star) for t in range(1, T + 1)) / T
    C = [-(sigma / T) * sum(powers[t - 1 - s] for t in range(s + 1, T + 1)) @ P for s in range(T)]
    expected = 0.5 * mbar @ q.A @ mbar + 0.5 * sum(np.trace(c.T @ q.A @ c) for c in C)
    assert averaged_gap_exact(q, P, sigma, T) == pytest.approx(expected, rel=1e-12)


def test_gd_iteration_count_is_the_first_crossing():
    q = _small()
    lr, tol = 1 / q.L, 1e-6
    k = gd_iterations_to(q, lr, tol)
    x = np.zeros(q.d)
    for _ in range(k - 1):
        x = x - lr * q.grad_f(x)
    assert np.linalg.norm(x - q.x_star) >= tol
    assert np.linalg.norm(x - lr * q.grad_f(x) - q.x_star) < tol
