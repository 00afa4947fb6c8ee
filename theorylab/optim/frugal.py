r"""FRUGAL (Zmushko, Beznosikov, Takáč & Horváth 2024, "FRUGAL: Memory-Efficient Optimization by
Reducing State Overhead for Scalable Training", arXiv:2411.07837, Algorithm 1), with Adam as the
state-full and signSGD (or SGD) as the state-free optimizer; transcribed from the catalogue entry
(a third-party description and the abstract), not from the paper's text.

A projector ``P_t`` selects a low-dimensional subspace, refreshed every ``refresh`` steps; the
gradient is split into its projection and the residual:

.. math::
    R_t = P_t^\top g_t, \quad g^{\rm free}_t = g_t - P_t R_t, \qquad
    x_{t+1} = x_t - \eta_t P_t\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}
              - \eta^{\rm free}_t\, \phi(g^{\rm free}_t),

with Adam moments ``m, v`` of ``R_t`` (bias-corrected, ``epsilon`` outside the root) kept only in the
subspace and ``phi = sign`` (signSGD) or the identity (SGD).  The moments are reset, and their
bias correction restarted, when the subspace changes.  Projectors:

* ``projection="blocks"``: ``P_t`` selects the contiguous block of ``rank`` coordinates number
  ``floor(t / refresh) mod ceil(d / rank)`` (BAdam-like, cyclic order).  ``rank = d``: one block that
  never changes, so FRUGAL *is* Adam; ``rank = 0``: no state-full part, FRUGAL *is* the state-free rule.
* ``projection="svd"``: for a matrix parameter (``shape = (m, n)``, C order) ``P_t`` holds the top
  ``rank`` left singular vectors of the gradient at the refresh step (GaLore-like).

For a coordinate projector ``phi(g_free)`` vanishes on the selected coordinates (``P^T u_free = 0``);
for the SVD projector this holds for ``phi`` = identity only: the sign of a vector orthogonal to
``span(P)`` is in general not orthogonal to it.

Hyper: ``[projection (0 blocks, 1 svd), m, n, rank, refresh, b1, b2, eps, free (0 sign, 1 SGD)]``;
schedules ``(lr, lr_free)``; state ``[m (rank), v (rank)]`` (blocks) or ``[P (m rank), m (rank n),
v (rank n)]`` (SVD).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .adam import adam
from .base import Optimizer, check_positive_int, check_range
from .conformance import (
    Invariance,
    battery_problems,
    battery_start,
    engine_trajectory,
    gradient_scale,
    max_relative_deviation,
)
from .protocol import DONE, GRAD_X
from .registry import RuleSpec
from .schedules import as_schedule, cosine

__all__ = ["frugal", "frugal_step", "frugal_reference", "active_block", "sign_descent_trajectory",
           "limit_deviations", "reduction_limits"]

_PROJECTIONS = {"blocks": 0, "svd": 1}
_FREE = {"sign": 0, "sgd": 1}


def active_block(t: int, d: int, rank: int, refresh: int) -> slice:
    """The coordinates of the state-full block at (0-based) step ``t`` (empty for ``rank = 0``)."""
    if rank == 0:
        return slice(0, 0)
    nb = -(-d // rank)
    a = ((t // refresh) % nb) * rank
    return slice(a, min(d, a + rank))


@njit(cache=True, inline="always")
def _free(gj, rule):
    if rule == 0:
        return 1.0 if gj > 0.0 else (-1.0 if gj < 0.0 else 0.0)
    return gj


@njit(cache=True, error_model="numpy")
def frugal_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """FRUGAL in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    if phase == 0:
        return GRAD_X
    d = x.shape[0]
    proj, rows, cols, r, refresh = int(hyper[0]), int(hyper[1]), int(hyper[2]), int(hyper[3]), int(hyper[4])
    b1, b2, eps, rule = hyper[5], hyper[6], hyper[7], int(hyper[8])
    lr, lr_free = sched[t, 0], sched[t, 1]
    if proj == 0:
        a, b = 0, 0
        if r > 0:
            nb = (d + r - 1) // r
            a = ((t // refresh) % nb) * r
            b = min(d, a + r)
            resets = nb > 1
        else:
            resets = False
        s = t % refresh + 1 if resets else t + 1
        m = state[:r]
        v = state[r:2 * r]
        if s == 1:
            m[:] = 0.0
            v[:] = 0.0
        ic1 = 1.0 / (1.0 - b1 ** s)
        ic2 = 1.0 / (1.0 - b2 ** s)
        for j in range(d):
            if a <= j < b:
                i = j - a
                mi = b1 * m[i] + (1.0 - b1) * g[j]
                vi = b2 * v[i] + (1.0 - b2) * g[j] * g[j]
                m[i] = mi
                v[i] = vi
                x[j] -= lr * mi * ic1 / (math.sqrt(vi * ic2) + eps)
            else:
                x[j] -= lr_free * _free(g[j], rule)
        return DONE
    G = g.reshape((rows, cols))
    P = state[:rows * r].reshape((rows, r))
    m = state[rows * r:rows * r + r * cols].reshape((r, cols))
    v = state[rows * r + r * cols:rows * r + 2 * r * cols].reshape((r, cols))
    s = t % refresh + 1
    if s == 1:
        U, sv, Vt = np.linalg.svd(G, full_matrices=False)
        P[:, :] = U[:, :r]
        m[:, :] = 0.0
        v[:, :] = 0.0
    R = np.ascontiguousarray(P.T) @ G
    ic1 = 1.0 / (1.0 - b1 ** s)
    ic2 = 1.0 / (1.0 - b2 ** s)
    for i in range(r):
        for k in range(cols):
            mi = b1 * m[i, k] + (1.0 - b1) * R[i, k]
            vi = b2 * v[i, k] + (1.0 - b2) * R[i, k] * R[i, k]
            m[i, k] = mi
            v[i, k] = vi
            R[i, k] = mi * ic1 / (math.sqrt(vi * ic2) + eps)  # R now holds the subspace update
    full = P @ R
    free = G - P @ (np.ascontiguousarray(P.T) @ G)
    X = x.reshape((rows, cols))
    for i in range(rows):
        for k in range(cols):
            X[i, k] -= lr * full[i, k] + lr_free * _free(free[i, k], rule)
    return DONE


def frugal_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy FRUGAL (the module docstring's equations)."""
    if phase == 0:
        return GRAD_X
    proj, rows, cols, r, refresh, b1, b2, eps, rule = hyper
    rows, cols, r, refresh = int(rows), int(cols), int(r), int(refresh)
    lr, lr_free = sched[t, 0], sched[t, 1]

    def phi(z):
        return np.sign(z) if rule == 0 else z

    if proj == 0:
        d = x.size
        resets = r > 0 and -(-d // r) > 1
        s = t % refresh + 1 if resets else t + 1
        if s == 1:
            state[:] = 0.0
        blk = active_block(t, d, r, refresh)
        update = lr_free * phi(g)
        m = b1 * state[:r][:blk.stop - blk.start] + (1 - b1) * g[blk]
        v = b2 * state[r:2 * r][:blk.stop - blk.start] + (1 - b2) * g[blk] ** 2
        state[:m.size], state[r:r + v.size] = m, v
        update[blk] = lr * (m / (1 - b1 ** s)) / (np.sqrt(v / (1 - b2 ** s)) + eps)
        x -= update
        return DONE
    G = g.reshape(rows, cols)
    nP, nm = rows * r, r * cols
    s = t % refresh + 1
    if s == 1:
        state[:nP] = np.linalg.svd(G, full_matrices=False)[0][:, :r].ravel()
        state[nP:] = 0.0
    P = state[:nP].reshape(rows, r)
    R = P.T @ G
    m = b1 * state[nP:nP + nm].reshape(r, cols) + (1 - b1) * R
    v = b2 * state[nP + nm:].reshape(r, cols) + (1 - b2) * R ** 2
    state[nP:nP + nm], state[nP + nm:] = m.ravel(), v.ravel()
    full = P @ ((m / (1 - b1 ** s)) / (np.sqrt(v / (1 - b2 ** s)) + eps))
    x -= (lr * full + lr_free * phi(G - P @ R)).ravel()
    return DONE


def frugal(lr, rank: int, lr_free=None, refresh: int = 200, projection: str = "blocks",
           shape: tuple[int, int] | None = None, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8,
           free: str = "sign") -> Optimizer:
    """FRUGAL(Adam, signSGD / SGD) (module docstring).  ``rank``: size of the state-full block
    (``projection="blocks"``) or rank of the SVD subspace (``"svd"``, needs ``shape``); ``lr_free``
    defaults to ``lr``; ``lr_free = 0`` is low-rank-only training (GaLore / BAdam style)."""
    if projection not in _PROJECTIONS:
        raise ValueError(f"projection must be one of {sorted(_PROJECTIONS)}, got {projection!r}")
    if free not in _FREE:
        raise ValueError(f"free must be one of {sorted(_FREE)}, got {free!r}")
    if isinstance(rank, bool) or int(rank) != rank or rank < 0:
        raise ValueError(f"rank must be an integer >= 0, got {rank!r}")
    rank = int(rank)
    refresh = check_positive_int("refresh", refresh)
    b1 = check_range("b1", b1, 0.0, 1.0)
    b2 = check_range("b2", b2, 0.0, 1.0)
    eps = check_range("eps", eps, 0.0, np.inf)
    if projection == "svd":
        if shape is None or len(shape) != 2:
            raise ValueError(f"shape must be (m, n) for the SVD projector, got {shape!r}")
        rows, cols = check_positive_int("shape", shape[0]), check_positive_int("shape", shape[1])
        if rank > min(rows, cols):
            raise ValueError(f"rank must be <= min(shape) = {min(rows, cols)}, got {rank}")
    else:
        rows, cols = 0, 0
    if lr_free is not None and not callable(lr_free):
        lr_free = check_range("lr_free", lr_free, 0.0, np.inf)
    s = as_schedule(lr)
    s_free = s if lr_free is None else as_schedule(lr_free, "lr_free")

    def state_size(d: int) -> int:
        return 2 * rank if projection == "blocks" else rows * rank + 2 * rank * cols

    def init(x0: np.ndarray) -> np.ndarray:
        if projection == "svd" and x0.size != rows * cols:
            raise ValueError(f"shape {shape} needs a parameter of size m n = {rows * cols}, got d = {x0.size}")
        if projection == "blocks" and rank > x0.size:
            raise ValueError(f"rank must be <= d = {x0.size}, got {rank}")
        return np.zeros(state_size(x0.size))

    return Optimizer(f"frugal(lr={s.name}, lr_free={s_free.name}, rank={rank}, refresh={refresh}, {projection}, "
                     f"free={free})", frugal_step, (s, s_free),
                     (float(_PROJECTIONS[projection]), float(rows), float(cols), float(rank), float(refresh), b1, b2,
                      eps, float(_FREE[free])),
                     state_size=state_size, init=init, reference=frugal_reference, first_request=GRAD_X,
                     equation="R = P^T g; x -= lr P Adam(R) + lr_free phi(g - P R)")


def sign_descent_trajectory(problem, x0: np.ndarray, lr: np.ndarray) -> np.ndarray:
    """``(T + 1, d)`` iterates of signSGD with exact gradients, ``x_{t+1} = x_t - lr_t sign(grad f(x_t))``."""
    out = [np.asarray(x0, dtype=np.float64)]
    for step in lr:
        out.append(out[-1] - step * np.sign(problem.grad(out[-1])))
    return np.array(out)


def limit_deviations(problem, x0: np.ndarray, steps: int, lr, lr_free, refresh: int = 50) -> tuple[float, float]:
    """Max relative deviations of the iterates of FRUGAL (blocks) with ``rank = d`` from Adam's and
    with ``rank = 0`` from signSGD's, same learning rates and start (engine, exact gradients)."""
    d = problem.d
    full = engine_trajectory(frugal(lr, d, lr_free=lr_free, refresh=refresh), problem, x0, steps)
    none = frugal(lr, 0, lr_free=lr_free, refresh=refresh)
    free_only = engine_trajectory(none, problem, x0, steps)
    return (max_relative_deviation(full, engine_trajectory(adam(lr), problem, x0, steps)),
            max_relative_deviation(free_only, sign_descent_trajectory(problem, x0, none.schedule_array(steps)[:, 1])))


def reduction_limits(steps: int = 200, rtol: float = 1e-12) -> Invariance:
    """``rank = d`` (the projector is the identity) is Adam; ``rank = 0`` is signSGD (battery quadratic)."""

    def check(spec):
        p = battery_problems()["quadratic"]
        to_adam, to_sign = limit_deviations(p, battery_start(p), steps, 0.05, 0.01)
        ok = to_adam <= rtol and to_sign <= rtol
        return ok, f"rank = d vs Adam: max relative deviation {to_adam:.2g}; rank = 0 vs signSGD: {to_sign:.2g}"

    return Invariance("rank = d is Adam, rank = 0 is signSGD", check)


_BAD = (({"rank": -1}, "rank"), ({"refresh": 0}, "refresh"), ({"projection": "qr"}, "projection"),
        ({"free": "lion"}, "free"), ({"b1": 1.0}, "b1"), ({"eps": -1.0}, "eps"), ({"lr_free": -0.1}, "lr_free"),
        ({"projection": "svd", "shape": (4, 2), "rank": 3}, "rank"))
SPECS = [
    RuleSpec("frugal", lambda **kw: frugal(**{"lr": cosine(0.1, 2000), "lr_free": cosine(0.02, 2000), "rank": 4,
                                              "refresh": 50, **kw}),
             "Zmushko et al. (2024), Algorithm 1 (catalogue transcription): Adam on a cyclic block + signSGD",
             (reduction_limits(),), rejects=_BAD + (({"projection": "svd"}, "shape"),)),
    RuleSpec("frugal_svd", lambda **kw: frugal(**{"lr": cosine(0.05, 2000), "lr_free": 0.5, "rank": 1, "refresh": 20,
                                                  "projection": "svd", "shape": (4, 2), "free": "sgd", **kw}),
             "Zmushko et al. (2024), Algorithm 1 with a GaLore-like SVD projector and SGD state-free",
             (gradient_scale(eps=0.0, free="sign"),),
             rejects=_BAD + (({"shape": (8,)}, "shape"),)),
]
