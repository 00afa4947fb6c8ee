r"""Adafactor (Shazeer & Stern, ICML 2018, "Adafactor: Adaptive Learning Rates with Sublinear Memory
Cost", arXiv:1804.04235), Algorithm 4 (matrix parameters) and Algorithm 5 (vectors), without momentum.

For a parameter viewed as a ``rows x cols`` matrix ``X`` (``x.reshape(rows, cols)``, C order) with
gradient ``G_t``, and ``t = 1, 2, ...``:

.. math::
    \hat\beta_{2t} &= 1 - t^{-c} \quad (\hat\beta_{21} = 0, \text{ so no bias correction is needed}) \\
    R_t &= \hat\beta_{2t} R_{t-1} + (1 - \hat\beta_{2t}) (G_t^2 + \epsilon_1 1 1^T) 1 \qquad \text{(row sums)} \\
    C_t &= \hat\beta_{2t} C_{t-1} + (1 - \hat\beta_{2t}) 1^T (G_t^2 + \epsilon_1 1 1^T) \qquad \text{(column sums)} \\
    \hat V_t &= R_t C_t / (1^T R_t) \\
    U_t &= G_t / \sqrt{\hat V_t}, \qquad \hat U_t = U_t / \max(1, \mathrm{RMS}(U_t) / d) \\
    \alpha_t &= \max(\epsilon_2, \mathrm{RMS}(X_{t-1}))\, \rho_t \quad \text{(relative step size)} \\
    X_t &= X_{t-1} - \alpha_t \hat U_t

``RMS(A) = sqrt(mean(A^2))``.  Without ``shape`` the parameter is a vector and the second moment is
not factored (Algorithm 5): ``v_t = beta2_t v_{t-1} + (1 - beta2_t)(g_t^2 + eps1)``, ``U_t = g_t/sqrt(v_t)``.
The paper's defaults (its Sec. 9): ``eps1 = 1e-30``, ``eps2 = 1e-3``, ``d = 1``, ``c = 0.8``,
``rho_t = min(1e-2, 1/sqrt(t))`` (the ``lr`` schedule; with ``relative_step=False`` it is the
absolute step ``alpha_t``).  ``R C / (1^T R)`` is the rank-1 minimiser of the generalised
Kullback-Leibler divergence to the full accumulator ``V_t``, and equals it when ``V_t`` has rank one
(:mod:`theorylab.claims.shazeer2018`).  First-moment momentum (``beta1 > 0``, the paper's optional
variant) is not implemented.  State: ``[R (rows), C (cols)]`` or ``[v (d)]``.
Hyper: ``[c, eps1, eps2, d, relative_step, rows, cols]`` (``rows = cols = 0``: vector).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .base import Optimizer, check_positive_int, check_range
from .conformance import (
    Invariance,
    battery_start,
    engine_trajectory,
    gradient_scale,
    max_relative_deviation,
    permutation,
)
from .protocol import DONE, GRAD_X
from .registry import RuleSpec
from .schedules import Schedule, as_schedule, inverse_time

__all__ = ["adafactor", "adafactor_step", "adafactor_reference", "relative_step_schedule", "factored_second_moment",
           "row_column_permutation"]


@njit(cache=True, error_model="numpy")
def adafactor_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Adafactor in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    d = x.shape[0]
    decay, eps1, eps2, clip = hyper[0], hyper[1], hyper[2], hyper[3]
    rows, cols = int(hyper[5]), int(hyper[6])
    beta = 1.0 - (t + 1.0) ** (-decay)
    alpha = sched[t, 0]
    if hyper[4] != 0.0:
        ss = 0.0
        for j in range(d):
            ss += x[j] * x[j]
        alpha *= max(eps2, math.sqrt(ss / d))
    sum_u2 = 0.0
    if rows > 0:
        R = state[:rows]
        C = state[rows:rows + cols]
        for j in range(cols):
            C[j] *= beta
        total = 0.0
        for i in range(rows):
            acc = 0.0
            for j in range(cols):
                q = g[i * cols + j] * g[i * cols + j] + eps1
                acc += q
                C[j] += (1.0 - beta) * q
            R[i] = beta * R[i] + (1.0 - beta) * acc
            total += R[i]
        for i in range(rows):
            for j in range(cols):
                gij = g[i * cols + j]
                sum_u2 += gij * gij * total / (R[i] * C[j])
        scale = alpha / max(1.0, math.sqrt(sum_u2 / d) / clip)
        for i in range(rows):
            for j in range(cols):
                x[i * cols + j] -= scale * g[i * cols + j] * math.sqrt(total / (R[i] * C[j]))
    else:
        v = state[:d]
        for j in range(d):
            v[j] = beta * v[j] + (1.0 - beta) * (g[j] * g[j] + eps1)
            sum_u2 += g[j] * g[j] / v[j]
        scale = alpha / max(1.0, math.sqrt(sum_u2 / d) / clip)
        for j in range(d):
            x[j] -= scale * g[j] / math.sqrt(v[j])
    return DONE


def factored_second_moment(R: np.ndarray, C: np.ndarray) -> np.ndarray:
    """``Vhat = R C^T / (1^T R)`` from the row sums ``R (rows,)`` and column sums ``C (cols,)``."""
    return np.outer(R, C) / np.sum(R)


def adafactor_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy Adafactor (the module docstring's equations, matrices as numpy 2-D arrays)."""
    if phase == 0:
        return GRAD_X
    decay, eps1, eps2, clip, relative, rows, cols = hyper
    beta = 1 - (t + 1.0) ** (-decay)
    alpha = sched[t, 0] * (max(eps2, np.sqrt(np.mean(x ** 2))) if relative else 1.0)
    if rows > 0:
        G2 = g.reshape(int(rows), int(cols)) ** 2 + eps1
        R, C = state[:int(rows)], state[int(rows):]
        R[:] = beta * R + (1 - beta) * G2.sum(axis=1)
        C[:] = beta * C + (1 - beta) * G2.sum(axis=0)
        U = g / np.sqrt(factored_second_moment(R, C).ravel())
    else:
        state[:] = beta * state + (1 - beta) * (g ** 2 + eps1)
        U = g / np.sqrt(state)
    x[:] = x - alpha * U / max(1.0, np.sqrt(np.mean(U ** 2)) / clip)
    return DONE


def relative_step_schedule(cap: float = 1e-2) -> Schedule:
    """``rho_t = min(cap, 1/sqrt(t))`` (Shazeer & Stern 2018, Sec. 9)."""
    return Schedule(lambda t: np.minimum(cap, 1.0 / np.sqrt(t)), f"min({cap:g}, 1/sqrt(t))")


def adafactor(lr=None, shape: tuple[int, int] | None = None, decay_rate: float = 0.8, eps1: float = 1e-30,
              eps2: float = 1e-3, clip_threshold: float = 1.0, relative_step: bool = True) -> Optimizer:
    """Adafactor (Shazeer & Stern 2018, Algorithms 4-5, no momentum).

    ``lr``: the relative step ``rho_t`` (default ``min(1e-2, 1/sqrt(t))``), or the absolute step when
    ``relative_step=False``; ``shape = (rows, cols)`` with ``rows cols = d`` factors the second moment
    of ``x.reshape(rows, cols)``; ``decay_rate`` ``c`` in ``beta2_t = 1 - t^(-c)``; ``clip_threshold``
    ``d`` of the update clipping (``inf``: none).
    """
    c = check_range("decay_rate", decay_rate, 0.0, 1.0, lo_open=True, hi_open=False)
    eps1 = check_range("eps1", eps1, 0.0, np.inf)
    eps2 = check_range("eps2", eps2, 0.0, np.inf)
    clip = check_range("clip_threshold", clip_threshold, 0.0, np.inf, lo_open=True, hi_open=False)
    if shape is None:
        rows = cols = 0
    else:
        if len(shape) != 2:
            raise ValueError(f"shape must be (rows, cols), got {shape!r}")
        rows, cols = check_positive_int("shape[0]", shape[0]), check_positive_int("shape[1]", shape[1])
    s = relative_step_schedule() if lr is None else as_schedule(lr)

    def state_size(d: int) -> int:
        if rows and rows * cols != d:
            raise ValueError(f"shape {shape} needs d = {rows * cols} parameters, the problem has d = {d}")
        return rows + cols if rows else d

    kind = f"{rows}x{cols} factored" if rows else "vector"
    step = "relative" if relative_step else "absolute"
    return Optimizer(f"adafactor(lr={s.name} {step}, {kind}, c={c:g}, d={clip:g})", adafactor_step, (s,),
                     (c, eps1, eps2, clip, 1.0 if relative_step else 0.0, float(rows), float(cols)),
                     state_size=state_size, init=lambda x0: np.zeros(state_size(x0.size)),
                     reference=adafactor_reference, first_request=GRAD_X,
                     equation="b = 1 - t^-c; R = b R + (1-b) rowsum(G^2 + eps1); C = b C + (1-b) colsum(G^2 + eps1); "
                              "U = G / sqrt(R C / sum(R)); X -= max(eps2, RMS(X)) rho U / max(1, RMS(U)/d)")


def row_column_permutation(shape: tuple[int, int] = (2, 4), steps: int = 100) -> Invariance:
    """Permuting the rows and the columns of a matrix-shaped (diagonal quadratic) problem permutes the
    iterates of the factored rule the same way (a full coordinate permutation would not)."""

    def check(spec):
        from ..problems import (
            Quadratic,  # problems sit beside optim; imported where used
        )

        rows, cols = shape
        lam = np.geomspace(0.1, 1.0, rows * cols)
        xs = np.linspace(-1.0, 1.0, rows * cols)
        rng = np.random.default_rng(3)
        perm = np.arange(rows * cols).reshape(rows, cols)[rng.permutation(rows)][:, rng.permutation(cols)].ravel()
        p, q = Quadratic(lam, xs), Quadratic(lam[perm], xs[perm])
        x0 = battery_start(p)
        a = engine_trajectory(spec.make(), p, x0, steps)
        b = engine_trajectory(spec.make(), q, x0[perm], steps)
        dev = max_relative_deviation(b, a[:, perm])
        return dev <= 1e-12, f"row/column permutation: max relative deviation {dev:.2g}"

    return Invariance("row_column_permutation", check)


_BAD = (({"decay_rate": 1.5}, "decay_rate"), ({"decay_rate": 0.0}, "decay_rate"), ({"eps1": -1.0}, "eps1"),
        ({"eps2": -1e-3}, "eps2"), ({"clip_threshold": 0.0}, "clip_threshold"), ({"shape": (0, 8)}, r"shape\[0\]"))
# The battery's relative step 1/(100 + t) starts at the paper's cap 1e-2 but decays: with the paper's
# rho_t = min(1e-2, 1/sqrt(t)), constant up to t = 1e4, the normalised update keeps RMS ~ 1 and the
# iterate hovers at an O(rho RMS(x)) floor (gap ~ 3e-4 gap0 on the battery quadratic at t = 2000 and 4000).
SPECS = [
    RuleSpec("adafactor", lambda **kw: adafactor(**{"lr": inverse_time(1.0, 100.0), "shape": (2, 4), **kw}),
             "Shazeer & Stern (2018), Algorithm 4 (factored, 2 x 4)",
             (gradient_scale(), row_column_permutation()), rejects=_BAD),
    RuleSpec("adafactor_vector", lambda **kw: adafactor(**{"lr": inverse_time(1.0, 100.0), **kw}), "Shazeer & Stern (2018), Algorithm 5 (vector)",
             (gradient_scale(), permutation()), rejects=_BAD),
]
