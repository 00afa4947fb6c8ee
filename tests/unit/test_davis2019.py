"""Helpers of the Davis & Drusvyatskiy (2019) claims: prox solver, model steps, exact quadratic case."""

import numpy as np
import pytest
from scipy.optimize import minimize, minimize_scalar

from theorylab.claims.davis2019 import (
    RobustPhaseRetrieval,
    model_step,
    quadratic_linear_model,
)


@pytest.fixture(scope="module")
def problem():
    return RobustPhaseRetrieval(d=4, m=30, seed=3)


def test_weak_convexity_constant(problem):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((2, 200, problem.d))
    step = y - x
    lower = problem.phi(x) + np.sum(problem.subgradient(x) * step, axis=1) - 0.5 * problem.rho * np.sum(step**2, axis=1)
    assert np.all(problem.phi(y) >= lower - 1e-12)


def test_slope_moment_is_mean_squared_sample_slope(problem):
    x = np.random.default_rng(1).standard_normal(problem.d)
    slopes = 2 * (problem.A @ x)[:, None] * problem.A
    assert problem.slope_moment(x) == pytest.approx(np.mean(np.sum(slopes**2, axis=1)), rel=1e-12)


def test_prox_matches_direct_minimisation(problem):
    rho_hat = 2 * problem.rho
    rng = np.random.default_rng(2)
    X = np.vstack([problem.x_true + 0.05 * rng.standard_normal((3, problem.d)), rng.standard_normal((3, problem.d))])
    Y = problem.prox(X, rho_hat)
    for x, y in zip(X, Y):
        F = lambda u: problem.phi(u) + 0.5 * rho_hat * np.sum((u - x) ** 2)  # noqa: E731
        ref = minimize(F, y + 1e-3, method="Powell", options=dict(xtol=1e-12, ftol=1e-15, maxfev=200000))
        # smoothing guarantee: F(y_eps) - min F <= eps (= 1e-9); F is (rho_hat - rho)-strongly convex
        assert F(y) <= ref.fun + 1e-9
        assert np.linalg.norm(ref.x - y) <= np.sqrt(2 * (F(ref.x) - F(y) + 1e-9) / (rho_hat - problem.rho))


def test_prox_smoothing_error_is_linear_in_eps(problem):
    X = np.random.default_rng(4).standard_normal((20, problem.d))
    y8, y9 = (problem.prox(X, 2 * problem.rho, eps_final=e) for e in (1e-8, 1e-9))
    assert np.max(np.abs(y8 - y9)) < 1e-5


@pytest.mark.parametrize("model", ["subgradient", "prox-linear"])
def test_model_step_minimises_the_model(problem, model):
    rng = np.random.default_rng(5)
    beta = 7.0
    for _ in range(20):
        x = rng.standard_normal((1, problem.d))
        i = rng.integers(problem.m, size=1)
        y = model_step(problem, model, x, i, beta)[0]
        z = float(problem.A[i[0]] @ x[0])
        c, g = z * z - problem.b[i[0]], 2 * z * problem.A[i[0]]
        if model == "subgradient":
            model_fn = lambda u: np.sign(c) * (g @ (u - x[0]))  # noqa: E731
        else:
            model_fn = lambda u: abs(c + g @ (u - x[0]))  # noqa: E731
        obj = lambda u: model_fn(u) + 0.5 * beta * np.sum((u - x[0]) ** 2)  # noqa: E731
        # the minimiser lies on the line x - s g; compare with a 1-D search and with random perturbations
        s = minimize_scalar(lambda s: obj(x[0] - s * g), bounds=(-1, 1), method="bounded",
                            options=dict(xatol=1e-14)).x
        assert obj(y) <= obj(x[0] - s * g) + 1e-10
        assert all(obj(y) <= obj(y + 1e-3 * rng.standard_normal(problem.d)) for _ in range(10))


def test_quadratic_linear_model_exact_values():
    a, rho_hat, beta, T = 0.05, 0.2, 2.0, 30
    out = quadratic_linear_model(a, rho_hat, beta, T, x0=1.5)
    xs, grads = [1.5], []
    for _ in range(T):
        xs.append(xs[-1] - a * xs[-1] / beta)  # argmin_y phi(x) + a x (y - x) + beta/2 (y - x)^2
    for x in xs:
        p = minimize_scalar(lambda u: 0.5 * a * u * u + 0.5 * rho_hat * (u - x) ** 2).x
        grads.append((rho_hat * (x - p)) ** 2)
    assert out["value"] == pytest.approx(np.mean(grads), rel=1e-8)
    env0 = minimize_scalar(lambda u: 0.5 * a * u * u + 0.5 * rho_hat * (u - 1.5) ** 2).fun
    assert out["Delta"] == pytest.approx(env0, rel=1e-8)
    assert out["L2"] == pytest.approx((a * 1.5) ** 2)
