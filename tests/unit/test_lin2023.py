"""Helpers of the Lin et al. (2023) claims: the closed-form GD error, iteration counts, the SDD kernel
(against a plain-Python loop drawing the same random indices) and the paired-ratio check."""

import numpy as np
import pytest

from theorylab.claims import lin2023 as C
from theorylab.random import randbelow, replica_states


@pytest.fixture(scope="module")
def gp():
    return C.GPRegression.synthetic(n=7, lengthscale=0.4, noise_var=0.05, seed=3)


def test_closed_form_error_equals_gd_iterates(gp):
    lam, V = gp.kernel_eigen
    e0 = -gp.alpha_star
    for H, eigs, eta in ((gp.dual_hessian, lam + gp.noise_var, 0.3), (gp.primal_hessian, lam * (lam + gp.noise_var), 0.1)):
        direct = [float(gp.dual_norm(e)) for e in C._gd_iterates(H, e0, eta, 25)]
        np.testing.assert_allclose(C.closed_form_errors(eigs, V.T @ e0, lam + gp.noise_var, eta, np.arange(26)),
                                   direct, rtol=1e-9)
    norms = C.gd_error_norms(gp.dual_hessian, e0, 0.3, 25)
    np.testing.assert_allclose(norms, [np.linalg.norm(e) for e in C._gd_iterates(gp.dual_hessian, e0, 0.3, 25)])


def test_gd_error_norms_stops_at_blowup(gp):
    norms = C.gd_error_norms(gp.dual_hessian, -gp.alpha_star, 10.0, 500, blowup=1e6)
    first = int(np.argmax(~np.isfinite(norms)))
    assert first > 0 and np.all(np.isinf(norms[first + 1:])) and norms[first] > 1e6 * norms[0]


def test_iterations_to_tolerance_is_the_first_crossing():
    h, c, w = np.array([0.01, 0.5, 1.0]), np.array([1.0, -2.0, 0.5]), np.array([1.0, 2.0, 3.0])
    errs = C.closed_form_errors(h, c, w, 0.9, np.arange(2000))
    first = int(np.argmax(errs < 0.05))
    assert C.iterations_to_tolerance(h, c, w, 0.9, 0.05, 1999) == first
    assert C.iterations_to_tolerance(h, c, w, 0.9, 1e-9, 1999) is None


@pytest.mark.parametrize("estimator", [C.COORDINATES, C.COLUMNS])
def test_dual_descent_kernel_matches_python_loop(gp, estimator):
    steps, batch, beta, rho, r = 12, 3, 0.05, 0.9, 0.2
    _, err = C.stochastic_dual_descent(gp, steps, 2, seed=5, estimator=estimator, batch=batch, beta=beta, rho=rho,
                                       averaging=r, checkpoints=np.array([4, 12]))
    n, K, s2 = gp.n, gp.K, gp.noise_var
    states = replica_states(5, 2)
    for rep in range(2):
        s = states[rep]
        alpha, v, avg, out = np.zeros(n), np.zeros(n), np.zeros(n), []
        for t in range(1, steps + 1):
            look = alpha + rho * v
            g = np.zeros(n)
            if estimator == C.COORDINATES:
                for _ in range(batch):
                    i = randbelow(s, n)
                    g[i] += (n / batch) * (K[i] @ look + s2 * look[i] - gp.y[i])
            else:
                g = s2 * look - gp.y
                for _ in range(batch):
                    j = randbelow(s, n)
                    g = g + (n / batch) * K[:, j] * look[j]
            v = rho * v - beta * g
            alpha = alpha + v
            avg = r * alpha + (1 - r) * avg
            if t in (4, 12):
                out.append(float(gp.dual_norm(avg - gp.alpha_star) / gp.dual_norm(gp.alpha_star)))
        np.testing.assert_allclose(err[rep], out, rtol=1e-10)


def test_mean_at_most_multiple_rejects_only_when_data_do():
    rng = np.random.default_rng(0)
    den = 1 + 0.01 * rng.standard_normal(200)
    assert C.Check.ratio_upper_bound("ok", 0.4 * den, den, 0.5).passed
    assert not C.Check.ratio_upper_bound("bad", 0.6 * den, den, 0.5).passed
