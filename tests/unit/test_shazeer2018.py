"""Helpers of the Adafactor estimator check (Shazeer & Stern 2018): the factored estimate, the full
accumulator and the I-divergence, against direct computations on tiny matrices."""

import numpy as np
import pytest
from scipy import optimize

from theorylab.claims.shazeer2018 import (
    factored_run,
    full_second_moments,
    i_divergence,
    rank1_quadratic,
)
from theorylab.optim.adafactor import factored_second_moment


def test_factored_estimate_is_exact_for_rank_one_and_keeps_marginals():
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.1, 2, 5), rng.uniform(0.1, 2, 3)
    V = np.outer(a, b)
    np.testing.assert_allclose(factored_second_moment(V.sum(axis=1), V.sum(axis=0)), V, rtol=1e-14)
    W = rng.uniform(0.1, 2, (5, 3))
    What = factored_second_moment(W.sum(axis=1), W.sum(axis=0))
    np.testing.assert_allclose(What.sum(axis=1), W.sum(axis=1), rtol=1e-14)
    np.testing.assert_allclose(What.sum(axis=0), W.sum(axis=0), rtol=1e-14)


def test_factored_estimate_minimises_the_i_divergence_over_rank_one():
    W = np.random.default_rng(1).uniform(0.1, 2, (3, 2))
    What = factored_second_moment(W.sum(axis=1), W.sum(axis=0))
    res = optimize.minimize(lambda z: i_divergence(W, np.exp(np.add.outer(z[:3], z[3:]))), np.zeros(5),
                            method="BFGS", options=dict(gtol=1e-12))
    assert i_divergence(W, What) == pytest.approx(res.fun, rel=1e-8)
    assert i_divergence(W, W) == 0.0


def test_full_second_moments_first_steps():
    G = np.random.default_rng(2).standard_normal((3, 2, 2))
    V = full_second_moments(G, 0.8, 1e-30)
    np.testing.assert_allclose(V[0], G[0] ** 2 + 1e-30)             # beta2_1 = 0
    beta = 1 - 2.0 ** -0.8
    np.testing.assert_allclose(V[1], beta * V[0] + (1 - beta) * G[1] ** 2, rtol=1e-15)


def test_factored_run_on_rank_one_gradients_and_the_rank_one_quadratic():
    rng = np.random.default_rng(3)
    G = rng.standard_normal(5)[:, None, None] * np.outer(rng.standard_normal(4), rng.standard_normal(3))[None]
    vhat, V = factored_run(G)
    np.testing.assert_allclose(vhat, V, rtol=1e-13)
    p, x0 = rank1_quadratic(4, 3, seed=0)
    g = p.grad(x0).reshape(4, 3)
    assert np.linalg.svd(g, compute_uv=False)[1] <= 1e-14 * np.abs(g).max()
