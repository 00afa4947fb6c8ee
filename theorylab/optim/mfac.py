r"""M-FAC (Frantar, Kurtic & Alistarh, NeurIPS 2021, "M-FAC: Efficient Matrix-Free Approximations
of Second-Order Information"), the dynamic algorithm: SGD (with heavy-ball momentum) preconditioned
by the inverse of the damped empirical Fisher of a sliding window of the last ``m`` gradients,

.. math::
    F_t = \lambda I + \frac{1}{m} \sum_{i \in \text{window}} g_i g_i^T, \qquad
    p_t = F_t^{-1} g_t, \qquad u_t = \beta u_{t-1} + p_t, \qquad x_t = x_{t-1} - \eta_t u_t,

with the new gradient inserted into the window *before* ``F^{-1}`` is applied to it (as we recall
the authors' optimizer doing) and ``1/m`` kept while the window is filling.

The product is matrix-free, by ``m`` Sherman-Morrison steps (the paper's recursion):
``F_0 = \lambda I``, ``F_i = F_{i-1} + g_i g_i^T / m``,

.. math::
    F_k^{-1} x = x/\lambda - \sum_{i \le k} \frac{v_i^T x}{d_i} v_i, \qquad
    v_i = F_{i-1}^{-1} g_i = g_i/\lambda - \sum_{j < i} \frac{v_j^T g_i}{d_j} v_j, \qquad
    d_i = m + g_i^T v_i.

Every ``v_i = \sum_{l \le i} C_{il} g_l`` is a combination of the window's gradients, so only the
``m x m`` coefficients ``C`` (lower triangular) and the denominators ``d`` are kept, computed from
the Gram matrix ``K_{lj} = g_l^T g_j`` (``v_j^T g_i = (C K)_{ji}``); then
``F^{-1} x = x/\lambda - G^T C^T \mathrm{diag}(1/d)\, C\, (G x)`` costs ``O(d m + m^2)``.  The
window is a ring buffer: a new gradient replaces the oldest in slot ``s``, which costs one Gram
row (``O(d m)``) and the coefficient rows ``i >= s`` (rows before ``s`` depend only on
``g_1..g_i``; ``F`` does not depend on the order of the sum), at most ``O(m^3)``.

State: ``[G (m d, ring of gradients), K (m^2), C (m^2), d (m), u (d), count (1)]``.
Hyper: ``[m, lambda, beta]``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .base import Optimizer, check_positive_int, check_range
from .conformance import permutation, rotation
from .protocol import DONE, GRAD_X
from .registry import RuleSpec
from .schedules import as_schedule

__all__ = ["mfac", "mfac_step", "mfac_reference", "mfac_insert", "mfac_apply", "mfac_state_size",
           "mfac_views"]


def mfac_state_size(window: int, d: int) -> int:
    """Length of the flat M-FAC state for a window of ``m`` gradients in dimension ``d``."""
    return window * d + 2 * window * window + window + d + 1


@njit(cache=True, error_model="numpy")
def mfac_views(state, window, d):
    """``(G, K, C, denominators, momentum, count)`` views of the flat state."""
    m = window
    a = m * d
    G = state[:a].reshape((m, d))
    K = state[a:a + m * m].reshape((m, m))
    C = state[a + m * m:a + 2 * m * m].reshape((m, m))
    den = state[a + 2 * m * m:a + 2 * m * m + m]
    u = state[a + 2 * m * m + m:a + 2 * m * m + m + d]
    count = state[a + 2 * m * m + m + d:a + 2 * m * m + m + d + 1]
    return G, K, C, den, u, count


@njit(cache=True, error_model="numpy")
def mfac_insert(G, K, C, den, count, g, damping):
    """Insert ``g`` into the window (slot ``count mod m``), update the Gram matrix and the
    recursion's coefficients from that slot on, increment ``count[0]``; returns the number of
    gradients in the window."""
    m, d = G.shape
    seen = int(count[0])
    slot = seen % m
    k = min(seen + 1, m)
    for j in range(d):
        G[slot, j] = g[j]
    for l in range(k):
        acc = 0.0
        for j in range(d):
            acc += G[l, j] * g[j]
        K[slot, l] = acc
        K[l, slot] = acc
    proj = np.empty(m)
    for i in range(slot, k):
        for j in range(i):  # v_j^T g_i = (C K)_{ji}
            acc = 0.0
            for l in range(j + 1):
                acc += C[j, l] * K[l, i]
            proj[j] = acc
        for l in range(m):
            C[i, l] = 0.0
        C[i, i] = 1.0 / damping
        for j in range(i):
            coef = proj[j] / den[j]
            for l in range(j + 1):
                C[i, l] -= coef * C[j, l]
        acc = 0.0
        for l in range(i + 1):
            acc += C[i, l] * K[l, i]
        den[i] = m + acc
    count[0] = seen + 1
    return k


@njit(cache=True, error_model="numpy")
def mfac_apply(G, C, den, k, damping, x, out):
    """``out = F^{-1} x`` for the window's first ``k`` gradients (the recursion's closed form)."""
    d = x.shape[0]
    q = np.empty(k)
    for l in range(k):  # q = G x
        acc = 0.0
        for j in range(d):
            acc += G[l, j] * x[j]
        q[l] = acc
    alpha = np.empty(k)
    for i in range(k):  # alpha_i = (v_i^T x) / d_i = (C q)_i / d_i
        acc = 0.0
        for l in range(i + 1):
            acc += C[i, l] * q[l]
        alpha[i] = acc / den[i]
    for j in range(d):
        out[j] = x[j] / damping
    for l in range(k):  # out -= sum_l (C^T alpha)_l g_l
        acc = 0.0
        for i in range(l, k):
            acc += C[i, l] * alpha[i]
        for j in range(d):
            out[j] -= acc * G[l, j]


@njit(cache=True, error_model="numpy")
def mfac_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """M-FAC in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    if phase == 0:
        return GRAD_X
    d = x.shape[0]
    window, damping, beta = int(hyper[0]), hyper[1], hyper[2]
    G, K, C, den, u, count = mfac_views(state, window, d)
    k = mfac_insert(G, K, C, den, count, g, damping)
    mfac_apply(G, C, den, k, damping, g, point)  # point: scratch for p = F^{-1} g
    lr = sched[t, 0]
    for j in range(d):
        u[j] = beta * u[j] + point[j]
        x[j] -= lr * u[j]
    return DONE


def mfac_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy M-FAC: the explicit ``d x d`` damped empirical Fisher, solved directly."""
    if phase == 0:
        return GRAD_X
    d = x.size
    window, damping, beta = int(hyper[0]), hyper[1], hyper[2]
    G = state[:window * d].reshape(window, d)
    u = state[-d - 1:-1]
    seen = int(state[-1])
    G[seen % window] = g
    state[-1] = seen + 1
    rows = G[:min(seen + 1, window)]
    F = damping * np.eye(d) + rows.T @ rows / window
    u[:] = beta * u + np.linalg.solve(F, g)
    x -= sched[t, 0] * u
    return DONE


def mfac(lr, window: int = 32, damping: float = 1e-3, momentum: float = 0.0) -> Optimizer:
    """M-FAC (Frantar et al. 2021): ``x -= lr u``, ``u = momentum u + F^{-1} g`` with
    ``F = damping I + (1/window) sum of the last window gradients' outer products``."""
    window = check_positive_int("window", window)
    damping = check_range("damping", damping, 0.0, np.inf, lo_open=True)
    momentum = check_range("momentum", momentum, 0.0, 1.0)
    s = as_schedule(lr)
    return Optimizer(f"mfac(lr={s.name}, window={window}, damping={damping:g}, momentum={momentum:g})", mfac_step,
                     (s,), (float(window), damping, momentum), state_size=lambda d: mfac_state_size(window, d),
                     init=lambda x0: np.zeros(mfac_state_size(window, x0.size)), reference=mfac_reference,
                     first_request=GRAD_X,
                     equation="window <- g; F = damping I + (1/m) sum_window g g^T; u = beta u + F^{-1} g; x -= lr u")


SPECS = [
    RuleSpec("mfac", lambda **kw: mfac(**{"lr": 0.5, "window": 4, "damping": 1.0, **kw}),
             "Frantar, Kurtic & Alistarh (2021), dynamic algorithm", (permutation(), rotation()),
             rejects=(({"window": 0}, "window"), ({"damping": 0.0}, "damping"), ({"damping": -1e-3}, "damping"),
                      ({"momentum": 1.0}, "momentum"), ({"lr": -0.1}, "lr"))),
]
