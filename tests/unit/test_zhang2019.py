"""Lookahead oracles against direct iteration on one coordinate."""

import numpy as np

from theorylab.claims.zhang2019 import (
    heavy_ball_lookahead_map,
    lookahead_nqm_second_moment,
)


def test_nqm_second_moment_equals_the_iterated_variance_recursion():
    a, gamma, sigma, k, alpha = np.array([0.3, 1.5]), 0.7, 1.3, 4, 0.6
    r = 1 - gamma * a
    var = np.zeros(2)                       # Var phi, from phi_0 = 0
    out = []
    for _ in range(6):
        fast = r ** (2 * k) * var           # k SGD steps from phi: r^k phi + noise
        noise = np.zeros(2)
        for _ in range(k):
            noise = r**2 * noise + (gamma * a * sigma) ** 2
        fast_cov = r**k * var               # Cov(theta_k, phi)
        var = (1 - alpha) ** 2 * var + 2 * alpha * (1 - alpha) * fast_cov + alpha**2 * (fast + noise)
        out.append(var.copy())
    np.testing.assert_allclose(lookahead_nqm_second_moment(a, gamma, sigma, k, alpha, np.arange(1, 7)), out,
                               rtol=1e-12)


def test_heavy_ball_lookahead_map_equals_direct_iteration():
    a, eta, beta, k, alpha = 0.4, 2.0, 0.7, 3, 0.5
    for keep in (True, False):
        phi, m = 1.0, 0.3
        x, mm = phi, m
        for _ in range(k):
            mm = beta * mm + (1 - beta) * a * x
            x = x - eta * mm
        expected = np.array([(1 - alpha) * phi + alpha * x, mm if keep else 0.0])
        got = heavy_ball_lookahead_map(np.array([a]), eta, beta, k, alpha, keep)[0] @ np.array([phi, m])
        if not keep:  # a reset buffer enters the next outer step as 0: the map ignores the input buffer
            x, mm = phi, 0.0
            for _ in range(k):
                mm = beta * mm + (1 - beta) * a * x
                x = x - eta * mm
            expected = np.array([(1 - alpha) * phi + alpha * x, 0.0])
        np.testing.assert_allclose(got, expected, rtol=1e-13)
