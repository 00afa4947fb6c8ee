r"""Damped Newton and Gauss-Newton steps from exact Hessian-vector products.

.. math::
    x_t = x_{t-1} - \eta_t\, (H_t + \lambda I)^{-1} g_t

with ``g_t`` the (stochastic) gradient at ``x_{t-1}``, ``H_t`` the Hessian at ``x_{t-1}`` of the same
mini-batch (``hessian="sample"``, sub-sampled Newton) or of the full objective (``"full"``),
``lambda >= 0`` the Levenberg-Marquardt damping and ``eta_t`` the step (1: the pure Newton step;
Nocedal & Wright 2006, Ch. 3 and 7).  The system is solved

* ``solver="direct"``: ``H_t`` is assembled from ``d`` products ``H_t e_j``, symmetrised,
  and ``(H_t + lambda I) p = g_t`` is solved by LU (any non-singular, possibly indefinite, matrix);
* ``solver="cg"``: by conjugate gradients with one product ``H_t s`` per iteration, from ``p = 0``,
  stopped when ``||r|| <= tol ||g_t||`` or after ``cg_iters`` iterations (exact after ``d`` in exact
  arithmetic), or at the first direction of non-positive curvature ``s^T (H_t + lambda I) s <= 0``
  (then the current ``p``, or ``g_t`` if that happens at once: Newton-CG, Nocedal & Wright Alg. 7.1).

Gauss-Newton (:func:`gauss_newton`).  For ``f(x) = (1/n) sum_i l_i(phi_i(x))`` the generalised
Gauss-Newton matrix is ``G = (1/n) sum_i J_i^T l_i'' J_i`` (``J_i`` the Jacobian of the model output
``phi_i``); ``H = G + (1/n) sum_i l_i' nabla^2 phi_i``.  Every problem of the engine is a loss of a
*linear* model (``phi_i(x) = a_i . x``, or ``x`` itself for the quadratics), so ``nabla^2 phi_i = 0``
and ``G = H`` exactly: for least squares ``G = X^T X / n + ridge I``, for logistic regression
``G = X^T diag(p (1 - p)) X / n + ridge I``, which is also the Fisher matrix (canonical link).
Gauss-Newton is therefore the Newton step above, exactly, on every problem the engine can state.
The GGN of a non-linear model would need ``J_i`` (or products ``J^T Q J v``), which the protocol
does not provide; nothing here approximates it.

State (direct): ``[g (d), H (d x d, row-major)]``; (CG): ``[g (d), p (d), r (d), s (d), r.r, ||g||]``.
Hyper: ``[lambda, solver (0 direct, 1 CG), Hessian request code, cg_iters, cg_tol]``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..problems import Quadratic
from .base import Optimizer, check_positive_int, check_range
from .conformance import (
    Invariance,
    battery_start,
    engine_trajectory,
    gradient_scale,
    max_relative_deviation,
    permutation,
    rotation,
)
from .protocol import DONE, GRAD_X, HVP_X_FULL, HVP_X_SAME
from .registry import RuleSpec
from .schedules import as_schedule

__all__ = ["newton", "gauss_newton", "newton_step", "newton_reference", "collect_hessian_row",
           "collect_hessian_row_reference", "linear_reparametrisation", "HESSIAN_REQUESTS"]

HESSIAN_REQUESTS = {"sample": HVP_X_SAME, "full": HVP_X_FULL}
_SOLVERS = {"direct": 0.0, "cg": 1.0}


@njit(cache=True)
def collect_hessian_row(phase, g, point, state, request):
    """Assemble the Hessian from ``d`` products, one per phase: phase 1 saves the gradient ``g`` in
    ``state[:d]``; phase ``j + 1`` stores ``g = H e_{j-1}`` as row ``j - 1`` of ``state[d:d + d^2]``.
    Returns the next request (``H e_j`` into ``g``), or ``DONE`` when the matrix is complete."""
    d = g.shape[0]
    if phase == 1:
        state[:d] = g
    else:
        row = state[d + (phase - 2) * d:d + (phase - 1) * d]
        row[:] = g
    if phase > d:
        return DONE
    point[:] = 0.0
    point[phase - 1] = 1.0
    return request


def collect_hessian_row_reference(phase, g, point, state, request):
    """Plain-numpy :func:`collect_hessian_row`."""
    d = g.size
    if phase == 1:
        state[:d] = g
    else:
        state[d + (phase - 2) * d:d + (phase - 1) * d] = g
    if phase > d:
        return DONE
    point[:] = np.eye(d)[phase - 1]
    return request


@njit(cache=True, error_model="numpy")
def _cg_finish(x, state, lr, use_gradient):
    d = x.shape[0]
    g = state[:d]
    p = state[d:2 * d]
    if use_gradient:
        for j in range(d):
            x[j] -= lr * g[j]
    else:
        for j in range(d):
            x[j] -= lr * p[j]
    return DONE


@njit(cache=True, error_model="numpy")
def newton_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Damped Newton in the engine's protocol (direct or CG solve, module docstring)."""
    d = x.shape[0]
    lam, request = hyper[0], int(hyper[2])
    lr = sched[t, 0]
    if hyper[1] == 0.0:  # direct: d products, then one dense solve
        if collect_hessian_row(phase, g, point, state, request) != DONE:
            return request
        H = state[d:d + d * d].reshape((d, d))
        A = 0.5 * (H + H.T) + lam * np.eye(d)
        p = np.linalg.solve(A, state[:d].copy())
        for j in range(d):
            x[j] -= lr * p[j]
        return DONE
    gs = state[:d]
    p = state[d:2 * d]
    r = state[2 * d:3 * d]
    s = state[3 * d:4 * d]
    if phase == 1:  # p = 0, r = s = g
        acc = 0.0
        for j in range(d):
            gs[j] = g[j]
            p[j] = 0.0
            r[j] = g[j]
            s[j] = g[j]
            point[j] = g[j]
            acc += g[j] * g[j]
        state[4 * d] = acc
        state[4 * d + 1] = math.sqrt(acc)
        if acc == 0.0:
            return DONE
        return request
    it = phase - 1  # CG iterations completed after this one
    curv = 0.0
    for j in range(d):
        g[j] += lam * s[j]  # (H + lam I) s
        curv += s[j] * g[j]
    if curv <= 0.0:
        return _cg_finish(x, state, lr, it == 1)
    rr = state[4 * d]
    alpha = rr / curv
    rr_new = 0.0
    for j in range(d):
        p[j] += alpha * s[j]
        r[j] -= alpha * g[j]
        rr_new += r[j] * r[j]
    if math.sqrt(rr_new) <= hyper[4] * state[4 * d + 1] or it >= int(hyper[3]):
        return _cg_finish(x, state, lr, False)
    beta = rr_new / rr
    for j in range(d):
        s[j] = r[j] + beta * s[j]
        point[j] = s[j]
    state[4 * d] = rr_new
    return request


def newton_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy damped Newton (the module docstring's equations)."""
    d = x.size
    lam, solver, request, cg_iters, cg_tol = hyper
    request = int(request)
    lr = sched[t, 0]
    if phase == 0:
        return GRAD_X
    if solver == 0.0:
        if collect_hessian_row_reference(phase, g, point, state, request) != DONE:
            return request
        H = state[d:].reshape(d, d)
        x[:] = x - lr * np.linalg.solve((H + H.T) / 2 + lam * np.eye(d), state[:d])
        return DONE
    gs, p, r, s = (state[i * d:(i + 1) * d] for i in range(4))
    if phase == 1:
        gs[:], p[:], r[:], s[:], point[:] = g, 0.0, g, g, g
        state[4 * d:] = g @ g, np.linalg.norm(g)
        return DONE if state[4 * d] == 0 else request
    As = g + lam * s
    curv = s @ As
    if curv <= 0:
        x[:] = x - lr * (gs if phase == 2 else p)
        return DONE
    alpha = state[4 * d] / curv
    p += alpha * s
    r -= alpha * As
    rr_new = r @ r
    if np.sqrt(rr_new) <= cg_tol * state[4 * d + 1] or phase - 1 >= cg_iters:
        x[:] = x - lr * p
        return DONE
    s[:] = r + rr_new / state[4 * d] * s
    point[:] = s
    state[4 * d] = rr_new
    return request


def _newton(name: str, lr, damping: float, hessian: str, solver: str, cg_iters: int, cg_tol: float) -> Optimizer:
    damping = check_range("damping", damping, 0.0, np.inf)
    if hessian not in HESSIAN_REQUESTS:
        raise ValueError(f"hessian must be one of {sorted(HESSIAN_REQUESTS)}, got {hessian!r}")
    if solver not in _SOLVERS:
        raise ValueError(f"solver must be one of {sorted(_SOLVERS)}, got {solver!r}")
    cg_iters = check_positive_int("cg_iters", cg_iters)
    cg_tol = check_range("cg_tol", cg_tol, 0.0, np.inf)
    s = as_schedule(lr)
    direct = solver == "direct"
    size = (lambda d: d + d * d) if direct else (lambda d: 4 * d + 2)
    extra = "" if direct else f", cg_iters={cg_iters}, cg_tol={cg_tol:g}"
    return Optimizer(f"{name}(lr={s.name}, damping={damping:g}, hessian={hessian}, solver={solver}{extra})",
                     newton_step, (s,), (damping, _SOLVERS[solver], float(HESSIAN_REQUESTS[hessian]),
                                         float(cg_iters), cg_tol),
                     state_size=size, init=lambda x0: np.zeros(size(x0.size)), reference=newton_reference,
                     first_request=GRAD_X, equation="x -= lr (H + damping I)^{-1} g")


def newton(lr=1.0, damping: float = 0.0, hessian: str = "sample", solver: str = "direct", cg_iters: int = 100,
           cg_tol: float = 1e-10) -> Optimizer:
    """Damped (sub-sampled) Newton ``x -= lr (H + damping I)^{-1} g`` (module docstring)."""
    return _newton("newton", lr, damping, hessian, solver, cg_iters, cg_tol)


def gauss_newton(lr=1.0, damping: float = 0.0, hessian: str = "sample", solver: str = "direct",
                 cg_iters: int = 100, cg_tol: float = 1e-10) -> Optimizer:
    """Gauss-Newton / Levenberg-Marquardt ``x -= lr (G + damping I)^{-1} g``; ``G`` = the Hessian on every
    problem of the engine (losses of linear models, module docstring)."""
    return _newton("gauss_newton", lr, damping, hessian, solver, cg_iters, cg_tol)


def _reparametrised(p: Quadratic, A: np.ndarray) -> Quadratic:
    """``q(z) = p(A z)``: Hessian ``A^T H A``, minimiser ``A^{-1} x_*``."""
    lam, V = np.linalg.eigh(A.T @ p.hessian() @ A)
    return Quadratic(lam, np.linalg.solve(A, p.x_star), rotation=V)


def linear_reparametrisation(kind: str = "general", rtol: float = 1e-8, **overrides) -> Invariance:
    """Running the rule on ``q(z) = f(A z)`` from ``A^{-1} x_0`` gives ``z_t = A^{-1} x_t``.

    ``kind="general"``: a random well-conditioned invertible ``A`` (affine invariance: Newton);
    ``"diagonal"``: ``A`` = positive diagonal scaling by ``logspace(-1, 1)`` on a diagonal quadratic
    (rules preconditioned by an exact diagonal Hessian, e.g. AdaHessian with ``k = 1``, ``eps = 0``).
    """
    if kind not in ("general", "diagonal"):
        raise ValueError(f"kind must be 'general' or 'diagonal', got {kind!r}")

    def check(spec):
        lam, xs = np.geomspace(0.1, 1.0, 8), np.linspace(-1.0, 1.0, 8)
        if kind == "diagonal":
            p = Quadratic(lam, xs)
            A = np.diag(np.random.default_rng(4).permutation(np.geomspace(0.1, 10.0, 8)))
            q = Quadratic(lam * np.diag(A) ** 2, xs / np.diag(A))
        else:
            p = Quadratic(lam, xs).rotated(seed=2)
            A = np.eye(8) + 0.3 * np.random.default_rng(4).standard_normal((8, 8))
            q = _reparametrised(p, A)
        x0 = battery_start(p)
        a = engine_trajectory(spec.make(**overrides), p, x0, 50)
        b = engine_trajectory(spec.make(**overrides), q, np.linalg.solve(A, x0), 50)
        dev = max_relative_deviation(b @ A.T, a)
        return dev <= rtol, f"f(x) -> f(A x), {kind} A: max relative deviation of A z_t from x_t {dev:.2g}"

    return Invariance(f"{kind} linear reparametrisation", check)


_BAD = (({"damping": -1e-3}, "damping"), ({"lr": -1.0}, "lr"), ({"cg_iters": 0}, "cg_iters"),
        ({"hessian": "diag"}, "hessian"), ({"solver": "lu"}, "solver"))
_INV = (gradient_scale(), permutation(), rotation(), linear_reparametrisation("general"))
SPECS = [
    RuleSpec("newton", lambda **kw: newton(**{"lr": 1.0, **kw}), "Nocedal & Wright (2006), Ch. 3 (damped Newton)",
             _INV, rejects=_BAD),
    RuleSpec("newton_cg", lambda **kw: newton(**{"lr": 1.0, "solver": "cg", **kw}),
             "Nocedal & Wright (2006), Algorithm 7.1 (Newton-CG)", _INV, rejects=_BAD),
    RuleSpec("gauss_newton", lambda **kw: gauss_newton(**{"lr": 1.0, "damping": 1e-3, **kw}),
             "Nocedal & Wright (2006), Sec. 10.3 (Gauss-Newton / Levenberg-Marquardt; = Newton on linear models)",
             (permutation(), rotation()), rejects=_BAD),
]
