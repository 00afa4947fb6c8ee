"""The nonsmooth nonconvex test function of Cutkosky et al. (2023) / Zhang & Cutkosky (2024): its
piecewise decomposition along a ray and the exact expectations, against direct evaluation and
adaptive quadrature."""

import numpy as np
import pytest
from scipy import integrate

from theorylab.claims.cutkosky2023 import (
    ExponentialWeight,
    L1CappedQuadratic,
    UniformWeight,
)


@pytest.fixture
def F():
    return L1CappedQuadratic.gaussian(7, 4, seed=3)


def test_gradient_matches_finite_differences(F):
    x = np.random.default_rng(0).standard_normal(F.d) * 0.5
    h = 1e-7
    fd = np.array([(F.F(x + h * e) - F.F(x - h * e)) / (2 * h) for e in np.eye(F.d)])
    np.testing.assert_allclose(F.grad(x), fd, atol=1e-6)


def test_pieces_reproduce_the_function_along_the_ray(F):
    rng = np.random.default_rng(1)
    x, D = rng.standard_normal(F.d), rng.standard_normal(F.d)
    knots, c = F.ray_pieces(x, D, 3.0)
    s = rng.uniform(0, 3, 500)
    p = np.searchsorted(knots, s) - 1
    poly = c[p, 0] + c[p, 1] * s + c[p, 2] * s * s
    np.testing.assert_allclose(poly, F.F(x + s[:, None] * D), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c[p, 1] + 2 * c[p, 2] * s, F.grad(x + s[:, None] * D) @ D, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("weight,density", [(UniformWeight(2.0), lambda s: 0.5 * (s <= 2.0)),
                                            (ExponentialWeight(), lambda s: np.exp(-s))])
def test_ray_expectations_match_quadrature(F, weight, density):
    rng = np.random.default_rng(2)
    x, D = rng.standard_normal(F.d), rng.standard_normal(F.d)
    value, slope = F.ray_expectations(x, D, weight)
    end = 2.0 if isinstance(weight, UniformWeight) else 60.0
    knots, _ = F.ray_pieces(x, D, end)
    quad = lambda g: sum(integrate.quad(g, a, b, epsabs=1e-13, epsrel=1e-13)[0]  # noqa: E731
                         for a, b in zip(knots[:-1], knots[1:]))
    assert value == pytest.approx(quad(lambda s: F.F(x + s * D) * density(s)), rel=1e-9)
    assert slope == pytest.approx(quad(lambda s: (F.grad(x + s * D) @ D) * density(s)), rel=1e-9, abs=1e-9)


def test_exponential_moments_are_the_incomplete_gamma_integrals():
    a, b = np.array([0.0, 0.5, 2.0]), np.array([0.5, 2.0, np.inf])
    m = ExponentialWeight().moments(a, b)
    for k in range(3):
        for j in range(3):
            ref = integrate.quad(lambda s: s ** k * np.exp(-s), a[j], b[j])[0]
            assert m[k, j] == pytest.approx(ref, rel=1e-12)
    np.testing.assert_allclose(m[:, :].sum(axis=1), [1.0, 1.0, 2.0], rtol=1e-12)
