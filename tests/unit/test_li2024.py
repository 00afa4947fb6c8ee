"""The PSGD criterion and its Lie-group fit (Pooladzandi & Li 2024): the closed-form criterion's
minimiser against brute-force minimisation, and the rule's triangular update against dense algebra."""

import numpy as np
import pytest
from scipy import optimize

from theorylab.claims.li2024 import (
    criterion,
    criterion_samples,
    fit_online,
    hessian_spectrum,
    random_spd_perturbations,
    relative_error,
    spectral_function,
)
from theorylab.optim.psgd import fit_preconditioner


def _spd_from(params, d):
    """SPD matrix Q^T Q from an upper-triangular Q with a log-parametrised diagonal."""
    Q = np.zeros((d, d))
    Q[np.triu_indices(d)] = params
    Q[np.diag_indices(d)] = np.exp(np.diag(Q))
    return Q.T @ Q


@pytest.mark.parametrize("signs", [(1.0, 1.0, 1.0), (1.0, -1.0, -1.0)])
def test_criterion_minimiser_is_abs_inverse_hessian_by_brute_force(signs):
    U, lam, _ = hessian_spectrum(3, 10.0, 0, seed=2)
    H = spectral_function(U, np.array(signs) * lam)
    d = 3
    res = optimize.minimize(lambda p: criterion(_spd_from(p, d), H), np.zeros(d * (d + 1) // 2), method="BFGS",
                            options=dict(gtol=1e-12))
    assert relative_error(_spd_from(res.x, d), spectral_function(U, 1 / lam)) < 1e-5
    assert res.fun == pytest.approx(2 * lam.sum(), rel=1e-10)


def test_criterion_closed_form_is_the_mean_of_its_samples():
    U, lam, signs = hessian_spectrum(4, 10.0, 2)
    H, P = spectral_function(U, signs * lam), random_spd_perturbations(np.eye(4), 3, 1)[-1]
    samples = criterion_samples(P, H, 400_000, seed=0)
    assert abs(samples.mean() - criterion(P, H)) < 5 * samples.std() / np.sqrt(samples.size)


def test_perturbations_are_spd():
    P = spectral_function(*hessian_spectrum(5, 100.0, 0)[:2])
    assert all(np.linalg.eigvalsh(Q).min() > 0 for Q in random_spd_perturbations(P, 20, 0))


def test_fit_preconditioner_equals_dense_algebra():
    rng = np.random.default_rng(0)
    d = 5
    Q = np.triu(rng.standard_normal((d, d))) + 3 * np.eye(d)
    v, h, mu = rng.standard_normal(d), rng.standard_normal(d), 0.2
    a, b = Q @ h, np.linalg.solve(Q.T, v)
    E = np.triu(np.outer(a, a) - np.outer(b, b))
    expected = Q - mu / max(np.max(a * a), np.max(b * b)) * E @ Q
    out, wa, wb = Q.copy(), np.empty(d), np.empty(d)
    fit_preconditioner(out, v, h, mu, wa, wb)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(wa, a, rtol=1e-12)
    np.testing.assert_allclose(wb, b, rtol=1e-12)


def test_spd_inverse_hessian_is_a_noise_free_fixed_point():
    """If Q^T Q = H^{-1} (H SPD) every probe's Lie-group gradient vanishes: Q does not move."""
    U, lam, _ = hessian_spectrum(6, 100.0, 0)
    H = spectral_function(U, lam)
    Q = np.linalg.cholesky(spectral_function(U, 1 / lam)).T  # upper, Q^T Q = H^{-1}
    rng = np.random.default_rng(1)
    for _ in range(10):
        v = rng.standard_normal(6)
        moved = Q.copy()
        fit_preconditioner(moved, v, H @ v, 0.5, np.empty(6), np.empty(6))
        np.testing.assert_allclose(moved, Q, rtol=1e-9, atol=1e-12)


def test_online_fit_approaches_abs_inverse_for_indefinite_hessian():
    U, lam, signs = hessian_spectrum(4, 10.0, 2)
    P = fit_online(spectral_function(U, signs * lam), np.r_[np.full(2000, 0.2), np.full(4000, 0.02)], seed=0)
    assert relative_error(P, spectral_function(U, 1 / lam)) < 0.1
