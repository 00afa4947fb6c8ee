"""The online AdaBelief kernel of the Theorem 2.1 check (Zhuang et al. 2020) against a plain Python loop,
and its regret against a brute-force comparator."""

import itertools

import numpy as np
import pytest

from theorylab.bounds.zhuang2020 import adabelief_online_regret
from theorylab.claims.zhuang2020 import (
    C_MIN,
    G2_NORM_SUM,
    MOMENTUM_SUM,
    RANDOM_SIGNS,
    REDDI,
    REGRET,
    SHARP,
    SQRT_S_SUM,
    online_adabelief,
    regret_run,
)
from theorylab.random import replica_states, uniforms


def _python_loop(gradients, alpha, beta1, lam, beta2, eps, monotone=True, decay=True):
    """The module docstring's algorithm, written out; returns the recorded quantities after every step."""
    T, d = gradients.shape
    theta, m, s, s_used = np.zeros(d), np.zeros(d), np.zeros(d), np.zeros(d)
    played, momentum, c, rows, thetas = 0.0, 0.0, np.inf, [], []
    for t in range(1, T + 1):
        g = gradients[t - 1]
        thetas.append(theta.copy())
        played += g @ theta
        b1t = beta1 * lam ** (t - 1)
        m = b1t * m + (1 - b1t) * g
        s = beta2 * s + (1 - beta2) * (g - m) ** 2 + eps
        s_used = np.maximum(s_used, s) if monotone else s
        c = min(c, s_used.min())
        momentum += np.sum(b1t * np.sqrt(s_used) / (alpha / np.sqrt(t)))
        a_t = alpha / np.sqrt(t) if decay else alpha
        theta = np.clip(theta - a_t * m / np.sqrt(s_used), -1, 1)
        # comparator by brute force over the corners of the box (linear losses)
        best = min(gradients[:t].sum(axis=0) @ np.array(v) for v in itertools.product([-1, 1], repeat=d))
        rows.append([played - best, np.sum(np.sqrt(s_used)), c, np.sum(np.sqrt(np.sum(gradients[:t] ** 4, axis=0))),
                     momentum])
    return np.array(rows)


@pytest.mark.parametrize("monotone,decay", [(True, True), (False, True), (True, False)])
def test_kernel_matches_a_python_loop_on_reddis_problem(monotone, decay):
    T = 40
    g = np.where(np.arange(1, T + 1) % 3 == 1, 3.0, -1.0)[:, None]
    ck = np.arange(1, T + 1)
    out = np.zeros((1, T, 5))
    hyper = np.array([SHARP[k] for k in ("alpha", "beta1", "lam", "beta2", "eps")])
    online_adabelief(REDDI, 1, hyper, monotone, decay, ck, replica_states(0, 1), out)
    np.testing.assert_allclose(out[0], _python_loop(g, **SHARP, monotone=monotone, decay=decay), rtol=1e-12)


def test_kernel_matches_a_python_loop_on_random_signs():
    T, d = 30, 3
    g = np.where(uniforms(4, 1, T * d)[0] < 0.5, 0.5, -0.5).reshape(T, d)
    ck = np.arange(1, T + 1)
    out = np.zeros((1, T, 5))
    hyper = np.array([SHARP[k] for k in ("alpha", "beta1", "lam", "beta2", "eps")])
    online_adabelief(RANDOM_SIGNS, d, hyper, True, True, ck, replica_states(4, 1), out)
    np.testing.assert_allclose(out[0], _python_loop(g, **SHARP), rtol=1e-12)


def test_regret_run_evaluates_the_bound_from_the_realised_quantities():
    T, regret, bound = regret_run(REDDI, SHARP, 300, 1)
    assert np.all(regret <= bound)
    k = 5
    out = np.zeros((1, T.size, 5))
    hyper = np.array([SHARP[key] for key in ("alpha", "beta1", "lam", "beta2", "eps")])
    online_adabelief(REDDI, 1, hyper, True, True, T, replica_states(0, 1), out)
    a, b1 = SHARP["alpha"], SHARP["beta1"]
    o = out[0, k]
    by_hand = (4 * np.sqrt(T[k]) / (2 * a * (1 - b1)) * o[SQRT_S_SUM]
               + (1 + b1) * a * np.sqrt(1 + np.log(T[k])) / (2 * np.sqrt(o[C_MIN]) * (1 - b1) ** 3) * o[G2_NORM_SUM]
               + 4 / (2 * (1 - b1)) * o[MOMENTUM_SUM])
    assert bound[0, k] == pytest.approx(by_hand, rel=1e-12)
    assert regret[0, k] == o[REGRET]
    assert adabelief_online_regret.source
