"""NAG-GS oracles: the rule's iteration matrix, the closed-form radius, the exact second moments."""

import numpy as np

from theorylab.bounds import leplat2022 as B
from theorylab.claims.leplat2022 import (
    linear_second_moments,
    naggs_iteration_matrix,
    naggs_noise_vector,
)
from theorylab.optim.nag_gs import nag_gs_reference


def test_iteration_matrix_has_the_derived_trace_and_determinant():
    lam, mu, alpha = np.array([1.0, 3.0, 40.0]), 1.0, 0.3
    M = naggs_iteration_matrix(lam, mu, alpha)
    a = alpha / (1 + alpha)
    np.testing.assert_allclose(np.trace(M, axis1=1, axis2=2), 2 * (1 - a) + a**2 * (1 - lam / mu), rtol=1e-14)
    np.testing.assert_allclose(np.linalg.det(M), (1 - a) ** 2, rtol=1e-12)


def test_closed_form_radius_and_optimum_against_brute_force():
    kappa = 50.0
    lam = np.linspace(1.0, kappa, 3001)
    for alpha in (0.1, 0.3, float(B.naggs_optimal_step(kappa)), 0.5):
        brute = np.abs(np.linalg.eigvals(naggs_iteration_matrix(lam, 1.0, alpha))).max()
        assert abs(brute - float(B.naggs_worst_case_spectral_radius(alpha, kappa=kappa))) < 1e-6
    edge = float(B.naggs_stability_threshold(kappa))
    for f, stable in ((0.999, True), (1.001, False)):
        r = np.abs(np.linalg.eigvals(naggs_iteration_matrix(lam, 1.0, f * edge))).max()
        assert (r < 1) == stable


def test_second_moments_equal_a_monte_carlo_of_the_reference_step():
    lam, mu, alpha, sigma = 10.0, 1.0, 0.5, 1.0
    M = naggs_iteration_matrix(lam, mu, alpha)[0]
    exact = linear_second_moments(M, naggs_noise_vector(mu, alpha, sigma), np.array([1.0, 1.0]), [5])[0, 0, 0]
    rng = np.random.default_rng(1)
    R = 40000
    x, state = np.ones(R), np.append(np.ones(R), mu)
    for t in range(5):
        nag_gs_reference(1, 0, np.array([[alpha]]), x, lam * x + sigma * rng.standard_normal(R), None, None, state,
                         np.array([mu]), None)
    se = np.std(x**2) / np.sqrt(R)
    assert abs(np.mean(x**2) - exact) < 5 * se
