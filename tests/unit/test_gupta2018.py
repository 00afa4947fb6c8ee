"""Shampoo's regret apparatus (Gupta, Koren & Singer 2018): the online driver against a plain-numpy
replay with the rule's reference step, and the Kronecker lemma of the proof on random matrices."""

import numpy as np
import pytest

from theorylab import simulate
from theorylab.claims.gupta2018 import (
    online_regression,
    online_regression_run,
    shampoo_regret,
)
from theorylab.optim.shampoo import shampoo, shampoo_reference
from theorylab.problems import Quadratic


def _root(A, p):
    """``A^p`` of a symmetric positive semi-definite ``A`` (eigenvalues clipped at 0)."""
    w, V = np.linalg.eigh(A)
    return V @ np.diag(np.clip(w, 0.0, None) ** p) @ V.T


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_kronecker_lemma_of_the_proof(rank):
    """vec(G) vec(G)^T <= r (G G^T)^{1/2} (x) (G^T G)^{1/2} (C-order vec) for G of rank r."""
    rng = np.random.default_rng(rank)
    for _ in range(20):
        G = rng.standard_normal((4, rank)) @ rng.standard_normal((rank, 3))
        g = G.ravel()
        rhs = rank * np.kron(_root(G @ G.T, 0.5), _root(G.T @ G, 0.5))
        assert np.linalg.eigvalsh(rhs - np.outer(g, g)).min() >= -1e-9 * np.abs(rhs).max()


def test_driver_equals_a_numpy_replay_with_the_reference_step():
    m, n, rank, rounds, eps, eta = 3, 2, 2, 25, 1e-3, 0.3
    X, Z, Y, w_star = online_regression(m, n, rank, rounds, 0.1, seed=4)
    ck = np.array([1, 7, 25])
    rec = shampoo_regret(eta, None, m, n, rank, rounds, eps, range(4, 5), ck)[0]

    opt = shampoo(eta, (m, n), eps)
    sched, hyper = opt.schedule_array(rounds), opt.hyper_array()
    state = opt.initial_state(np.zeros((1, m * n)))[0]
    x, Ws = np.zeros(m * n), w_star.reshape(m, n)
    regret = dual = dist2 = 0.0
    rows = []
    for t in range(rounds):
        W = x.reshape(m, n)
        dist2 = max(dist2, np.sum((W - Ws) ** 2))
        res = np.einsum("ia,ab,ib->i", X[t], W, Z[t]) - Y[t]
        res_star = np.einsum("ia,ab,ib->i", X[t], Ws, Z[t]) - Y[t]
        regret += 0.5 * np.sum(res ** 2 - res_star ** 2)
        G = np.einsum("i,ia,ib->ab", res, X[t], Z[t])
        assert np.linalg.matrix_rank(G) <= rank
        L = state[:m * m].reshape(m, m) + G @ G.T
        R = state[m * m:].reshape(n, n) + G.T @ G
        H = np.kron(_root(L, 0.25), _root(R, 0.25))      # H_t = L_t^{1/4} (x) R_t^{1/4}
        dual += G.ravel() @ np.linalg.solve(H, G.ravel())
        shampoo_reference(1, t, sched, x, G.ravel().copy(), None, None, state, hyper, None)
        if t + 1 in ck:
            L, R = state[:m * m].reshape(m, m), state[m * m:].reshape(n, n)
            rows.append([regret, dual, dist2, np.trace(_root(L, 0.25)), np.trace(_root(R, 0.25))])
    np.testing.assert_allclose(rec, np.array(rows), rtol=1e-10)


def test_driver_records_a_fresh_state_each_call():
    X, Z, Y, w_star = online_regression(3, 2, 1, 10, 0.1, seed=0)
    opt = shampoo(0.5, (3, 2))
    sched, hyper = opt.schedule_array(10), opt.hyper_array()
    out = [np.empty((1, 5)), np.empty((1, 5))]
    for o in out:
        state = opt.initial_state(np.zeros((1, 6)))[0]
        online_regression_run(X, Z, Y, w_star, sched, state, hyper, np.array([10]), o)
    np.testing.assert_array_equal(out[0], out[1])


def test_shampoo_shape_must_match_the_dimension():
    with pytest.raises(ValueError, match="shape"):
        simulate(Quadratic(np.ones(8)), shampoo(0.1, (3, 2)), steps=2)
    with pytest.raises(ValueError, match="shape"):
        shampoo(0.1, (2, 2, 2))
