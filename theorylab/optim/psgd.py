r"""PSGD with a dense (upper-triangular Lie group) Newton-type preconditioner (Li, "Preconditioned
stochastic gradient descent", IEEE TNNLS 2018; Pooladzandi & Li, "Curvature-Informed SGD via
General Purpose Lie-Group Preconditioners", 2024).

The preconditioner ``P = Q^T Q``, ``Q`` upper triangular with a positive diagonal, is fitted
online to the criterion ``c(P) = E[h^T P h + v^T P^{-1} v]`` with a probe ``v ~ N(0, I)`` and the
Hessian-vector product ``h = H v`` of the same sample (its minimiser over SPD matrices is
``P = (E[h h^T])^{-1/2} = |H|^{-1}``, see :mod:`theorylab.claims.li2024`).  One step:

.. math::
    g &= \nabla f_{\xi}(x), \qquad v \sim N(0, I), \qquad h = H_{\xi}(x)\, v, \\
    a &= Q h, \qquad b = Q^{-T} v \quad \text{(triangular solve)}, \\
    E &= \mathrm{triu}(a a^T - b b^T), \qquad
    Q \leftarrow Q - \frac{\mu_t}{\max(\max_i a_i^2,\ \max_i b_i^2)}\, E\, Q, \\
    x &\leftarrow x - \eta_t\, Q^T Q\, g,

with the preconditioner updated *before* it is applied (as in Li's code).  ``E Q`` is the
relative (Lie-group) gradient of the per-probe criterion (up to the factor 2 absorbed in
``mu``); the step is normalised by ``max(max |a a^T|, max |b b^T|)``, so that ``Q``'s diagonal
stays positive for ``mu < 1``.  The normaliser is the one of the catalogue; Li's 2018 code divides
by ``max |E|`` instead and psgd_torch since 2024 by ``||a||^2 + ||b||^2`` -- the stationary point
``E[a a^T] = E[b b^T]`` (i.e. ``P E[h h^T] P = E[v v^T]``) is the same.  ``Q_0 = s I`` with
``s = init_scale``, or, with ``init_scale=None``, ``s = (v^T v / h^T h)^{1/4}`` from the first
probe (psgd_torch's default), which makes the rule invariant to scaling the objective.

State: ``[vec(Q) (d^2), g (d), a (d), b (d)]``.  Hyper: ``[init_scale (0: from the first probe)]``.
Schedules: ``lr`` (column 0) and the normalised preconditioner step ``precond_lr`` (column 1).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from numba import njit

from ..random import fill_standard_normal
from .base import Optimizer, check_range
from .conformance import gradient_scale
from .protocol import DONE, GRAD_X, HVP_X_SAME
from .registry import RuleSpec
from .schedules import Schedule, as_schedule

__all__ = ["psgd", "psgd_step", "psgd_reference", "fit_preconditioner"]


@njit(cache=True, error_model="numpy")
def fit_preconditioner(Q, v, h, mu, a, b):
    """One normalised Lie-group step of the upper-triangular factor ``Q`` (in place) for the probe
    ``v`` and its Hessian-vector product ``h``; ``a``, ``b`` are work arrays (they end as ``Q h``
    and ``Q^{-T} v``)."""
    d = v.shape[0]
    for i in range(d):  # a = Q h
        acc = 0.0
        for j in range(i, d):
            acc += Q[i, j] * h[j]
        a[i] = acc
    for i in range(d):  # Q^T b = v, Q^T lower triangular: forward substitution
        acc = v[i]
        for j in range(i):
            acc -= Q[j, i] * b[j]
        b[i] = acc / Q[i, i]
    scale = 0.0
    for i in range(d):
        scale = max(scale, a[i] * a[i], b[i] * b[i])
    if scale == 0.0:
        return
    c = mu / scale
    row = np.empty(d)
    for i in range(d):  # row i of triu(E) Q uses rows k >= i of the old Q: update rows top-down
        for j in range(i, d):
            acc = 0.0
            for k in range(i, j + 1):
                acc += (a[i] * a[k] - b[i] * b[k]) * Q[k, j]
            row[j] = Q[i, j] - c * acc
        for j in range(i, d):
            Q[i, j] = row[j]


@njit(cache=True, error_model="numpy")
def psgd_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """PSGD in the engine's protocol: phase 1 gets the gradient and asks for ``H v`` (``v`` in
    ``point``) on the same sample; phase 2 fits ``Q`` and steps."""
    d = x.shape[0]
    Q = state[:d * d].reshape((d, d))
    grad = state[d * d:d * d + d]
    if phase == 0:
        return GRAD_X
    if phase == 1:
        for j in range(d):
            grad[j] = g[j]
        fill_standard_normal(rng, point)
        return HVP_X_SAME
    if t == 0 and hyper[0] == 0.0:  # Q_0 = (v^T v / h^T h)^{1/4} I from the first probe
        vv = 0.0
        hh = 0.0
        for j in range(d):
            vv += point[j] * point[j]
            hh += g[j] * g[j]
        s = (vv / hh) ** 0.25 if hh > 0.0 else 1.0
        for i in range(d):
            for j in range(d):
                Q[i, j] = s if i == j else 0.0
    a = state[d * d + d:d * d + 2 * d]
    b = state[d * d + 2 * d:d * d + 3 * d]
    fit_preconditioner(Q, point, g, sched[t, 1], a, b)
    for i in range(d):  # a = Q grad, then x -= lr Q^T a
        acc = 0.0
        for j in range(i, d):
            acc += Q[i, j] * grad[j]
        a[i] = acc
    lr = sched[t, 0]
    for j in range(d):
        acc = 0.0
        for i in range(j + 1):
            acc += Q[i, j] * a[i]
        x[j] -= lr * acc
    return DONE


def psgd_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy PSGD (the module docstring's equations)."""
    d = x.size
    Q = state[:d * d].reshape(d, d)
    if phase == 0:
        return GRAD_X
    if phase == 1:
        state[d * d:d * d + d] = g
        fill_standard_normal(rng, point)
        return HVP_X_SAME
    v, h, grad = point, g, state[d * d:d * d + d]
    if t == 0 and hyper[0] == 0.0:
        Q[:] = np.eye(d) * ((v @ v) / (h @ h)) ** 0.25
    a = Q @ h
    b = scipy.linalg.solve_triangular(Q, v, trans="T", lower=False)
    E = np.triu(np.outer(a, a) - np.outer(b, b))
    Q[:] = Q - sched[t, 1] / max(np.max(a * a), np.max(b * b)) * E @ Q
    x -= sched[t, 0] * Q.T @ (Q @ grad)
    return DONE


def psgd(lr, precond_lr=0.1, init_scale: float | None = None) -> Optimizer:
    """PSGD, dense Newton-type preconditioner (module docstring): ``x -= lr Q^T Q g`` with ``Q``
    fitted by one normalised Lie-group step per iteration (step ``precond_lr`` in (0, 1), a number
    or a schedule) from a Hessian-vector product with a Gaussian probe; ``Q_0 = init_scale I``
    (``None``: ``(v^T v / h^T h)^{1/4} I`` from the first probe)."""
    if not isinstance(precond_lr, Schedule):
        precond_lr = check_range("precond_lr", precond_lr, 0.0, 1.0, lo_open=True)
    scale = 0.0 if init_scale is None else check_range("init_scale", init_scale, 0.0, np.inf, lo_open=True)
    s, mu = as_schedule(lr), as_schedule(precond_lr, "precond_lr")

    def init(x0: np.ndarray) -> np.ndarray:
        d = x0.size
        return np.concatenate([(np.eye(d) * (scale if scale > 0 else 1.0)).ravel(), np.zeros(3 * d)])

    return Optimizer(f"psgd(lr={s.name}, precond_lr={mu.name}, init_scale={init_scale})", psgd_step, (s, mu),
                     (scale,), state_size=lambda d: d * d + 3 * d, init=init, reference=psgd_reference,
                     first_request=GRAD_X,
                     equation="v ~ N(0, I); h = H v; a = Q h; b = Q^{-T} v; Q -= mu/max(max a^2, max b^2) "
                              "triu(a a^T - b b^T) Q; x -= lr Q^T Q g")


SPECS = [
    RuleSpec("psgd", lambda **kw: psgd(**{"lr": 0.5, "precond_lr": 0.2, **kw}),
             "Li (2018), dense preconditioner; Pooladzandi & Li (2024)", (gradient_scale(),),
             rejects=(({"precond_lr": 1.0}, "precond_lr"), ({"precond_lr": 0.0}, "precond_lr"),
                      ({"init_scale": -1.0}, "init_scale"), ({"lr": -0.1}, "lr"))),
]
