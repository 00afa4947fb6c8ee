"""Kovalev (2025): the matrix least-squares problem, the spectral smoothness constant, the polar factor
and the in-kernel sum of gradient nuclear norms."""

import numpy as np
import pytest

from theorylab import noise, simulate
from theorylab.claims.kovalev2025 import (
    SHAPE,
    matrix_least_squares,
    nuclear_norms,
    regression_instance,
    spectral_smoothness,
    with_gradient_nuclear_sum,
)
from theorylab.optim.orthogonalized import (
    newton_schulz,
    orthogonalized,
    osgdm,
    polar_factor,
)


def test_matrix_least_squares_is_the_flattened_objective():
    A, B = regression_instance()
    p = matrix_least_squares(A, B, ridge=0.3)
    X = np.random.default_rng(0).standard_normal(SHAPE)
    f = 0.5 * np.sum((A @ X - B) ** 2) + 0.15 * np.sum(X ** 2)
    assert p.f(X.ravel()) == pytest.approx(f, rel=1e-10)
    np.testing.assert_allclose(p.grad(X.ravel()), (A.T @ (A @ X - B) + 0.3 * X).ravel(), rtol=1e-9, atol=1e-9)
    assert p.gap(p.x_star) == pytest.approx(0.0, abs=1e-9)


def test_spectral_smoothness_bounds_the_nuclear_norm_and_is_attained():
    A, _ = regression_instance()
    L, H = spectral_smoothness(A, SHAPE), A.T @ A
    rng = np.random.default_rng(1)
    for _ in range(200):
        D = rng.standard_normal(SHAPE)
        assert nuclear_norms(H @ D) <= L * np.linalg.norm(D, 2) * (1 + 1e-12)
    D = np.linalg.eigh(H)[1][:, -SHAPE[1]:]  # ||D||_op = 1 along the top eigenvectors: within 2x of L
    assert nuclear_norms(H @ D) <= L + 1e-9 and nuclear_norms(H @ D) >= 0.5 * L


def test_polar_factor_and_newton_schulz():
    D = np.random.default_rng(2).standard_normal((7, 4))
    O = polar_factor(D)
    U, s, Vt = np.linalg.svd(D, full_matrices=False)
    np.testing.assert_allclose(O, U @ Vt, atol=1e-13)
    assert np.sum(D * O) == pytest.approx(s.sum(), rel=1e-13)
    assert np.allclose(polar_factor(np.zeros((3, 2))), 0.0)
    sv = np.linalg.svd(newton_schulz(D, 5), compute_uv=False)
    assert sv.min() > 0.5 and sv.max() < 1.3 and np.max(np.abs(sv - 1)) > 0.05  # an approximation only


@pytest.mark.parametrize("make", [orthogonalized, osgdm])
def test_nuclear_sum_matches_the_iterates(make):
    A, B = regression_instance()
    p = matrix_least_squares(A, B)
    opt = make(0.01, SHAPE, momentum=0.5)
    steps = 30
    x0 = np.zeros(p.d)
    logged = simulate(p, with_gradient_nuclear_sum(opt), noise.additive(1.0), steps=steps, replicas=2, seed=4, x0=x0,
                      checkpoints=np.arange(steps + 1), record_iterates=True, metrics=("gap",))
    plain = simulate(p, opt, noise.additive(1.0), steps=steps, replicas=2, seed=4, x0=x0,
                     checkpoints=np.arange(steps + 1), record_iterates=True, metrics=("gap",))
    np.testing.assert_array_equal(logged.x, plain.x)  # the exact-gradient request draws no noise
    G = p.grad(logged.x[:, :-1]).reshape(2, steps, *SHAPE)
    np.testing.assert_allclose(logged.state[:, -1], nuclear_norms(G).sum(axis=1), rtol=1e-12)
