r"""Orthogonalized gradient methods for a matrix parameter ``X`` (``m x n``, the flat ``x`` viewed in C
order): Muon-style orthogonalized (momentum) GD and OSGDM, as analysed by Kovalev (2025),
"Understanding Gradient Orthogonalization for Deep Learning via Non-Euclidean Trust-Region
Optimization" (arXiv:2503.12645); Muon: Jordan et al. (2024).

With ``polar(D) = U V^T`` for the reduced SVD ``D = U S V^T`` (the steepest-descent direction of
the spectral norm: ``<D, polar(D)> = ||D||_nuc``, ``||polar(D)||_op = 1``):

.. math::
    \text{orthogonalized:}\quad M_t &= \beta M_{t-1} + (1-\beta) G_t, \quad
    D_t = M_t \ (\text{Nesterov: } \beta M_t + (1-\beta) G_t), \quad
    X_{t+1} = (1 - \eta_t\lambda) X_t - \eta_t\, \mathrm{polar}(D_t) \\
    \text{OSGDM:}\quad M_t &= \beta M_{t-1} + (1-\beta)\, \mathrm{polar}(G_t), \quad
    X_{t+1} = (1 - \eta_t\lambda) X_t - \eta_t M_t,

``M_{-1} = 0``; ``beta = 0`` gives orthogonalized GD ``X_{t+1} = X_t - eta polar(G_t)``, the
trust-region step ``argmin_{||X - X_t||_op <= eta} <G_t, X>``.  Weight decay is decoupled and
multiplied by the learning rate (PyTorch's Muon/AdamW convention).  Singular directions below the
numerical rank (``s_i <= max(m, n) eps_mach s_max``) are dropped, so ``polar(0) = 0``.

``method="svd"`` computes the exact polar factor; ``method="newton_schulz"`` the quintic
Newton-Schulz iteration of Jordan et al. (2024) (``X <- a X + (b A + c A^2) X``, ``A = X X^T``,
``(a, b, c) = (3.4445, -4.7750, 2.0315)``, from ``X_0 = D / (||D||_F + 1e-7)``), whose singular
values only reach roughly ``[0.7, 1.2]``: an approximation, not the polar factor.

Hyper: ``[mode (0 orthogonalized, 1 OSGDM), m, n, beta, nesterov, lambda, method (0 SVD, 1
Newton-Schulz), ns_steps]``; state ``M (d)``; ``point`` is the scratch for ``D``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..problems import Quadratic, random_rotation
from .base import Optimizer, check_positive_int, check_range
from .conformance import (
    Invariance,
    battery_start,
    engine_trajectory,
    gradient_scale,
    max_relative_deviation,
)
from .protocol import DONE, GRAD_X
from .registry import RuleSpec
from .schedules import as_schedule, cosine

__all__ = ["orthogonalized", "osgdm", "orthogonalized_step", "orthogonalized_reference", "polar_factor",
           "newton_schulz", "NS_COEFFICIENTS", "orthogonal_equivariance"]

NS_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
_EPS = float(np.finfo(np.float64).eps)
_METHODS = {"svd": 0, "newton_schulz": 1}


@njit(cache=True, error_model="numpy")
def polar_factor(D):
    """``U V^T`` over the singular directions above the numerical rank of ``D`` (exact, by SVD)."""
    U, s, Vt = np.linalg.svd(D, full_matrices=False)
    tol = max(D.shape[0], D.shape[1]) * _EPS * s[0]
    r = 0
    while r < s.shape[0] and s[r] > tol:
        r += 1
    if r == 0:
        return np.zeros(D.shape)
    return np.ascontiguousarray(U[:, :r]) @ np.ascontiguousarray(Vt[:r, :])


@njit(cache=True, error_model="numpy")
def newton_schulz(D, steps):
    """The quintic Newton-Schulz iteration of Jordan et al. (2024) (module docstring)."""
    a, b, c = 3.4445, -4.7750, 2.0315
    wide = D.shape[0] <= D.shape[1]
    X = D / (np.sqrt(np.sum(D * D)) + 1e-7)
    if not wide:
        X = np.ascontiguousarray(X.T)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * (A @ A)) @ X
    return X if wide else np.ascontiguousarray(X.T)


@njit(cache=True, error_model="numpy")
def _orthogonalize(D, method, steps):
    if method == 0:
        return polar_factor(D)
    return newton_schulz(D, steps)


@njit(cache=True, error_model="numpy")
def orthogonalized_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Orthogonalized GD / OSGDM in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    if phase == 0:
        return GRAD_X
    d = x.shape[0]
    mode, m, n, beta, nest, wd = int(hyper[0]), int(hyper[1]), int(hyper[2]), hyper[3], hyper[4], hyper[5]
    method, steps = int(hyper[6]), int(hyper[7])
    lr = sched[t, 0]
    buf = state[:d]
    decay = 1.0 - lr * wd
    if mode == 0:
        for j in range(d):
            bj = beta * buf[j] + (1.0 - beta) * g[j]
            buf[j] = bj
            point[j] = beta * bj + (1.0 - beta) * g[j] if nest != 0.0 else bj
        O = _orthogonalize(point.reshape((m, n)), method, steps).ravel()
        for j in range(d):
            x[j] = decay * x[j] - lr * O[j]
    else:
        O = _orthogonalize(g.reshape((m, n)), method, steps).ravel()
        for j in range(d):
            bj = beta * buf[j] + (1.0 - beta) * O[j]
            buf[j] = bj
            x[j] = decay * x[j] - lr * bj
    return DONE


def _polar_reference(D: np.ndarray) -> np.ndarray:
    U, s, Vt = np.linalg.svd(D, full_matrices=False)
    r = int(np.sum(s > max(D.shape) * _EPS * s[0]))
    return U[:, :r] @ Vt[:r] if r else np.zeros(D.shape)


def _newton_schulz_reference(D: np.ndarray, steps: int) -> np.ndarray:
    a, b, c = NS_COEFFICIENTS
    X = D / (np.linalg.norm(D) + 1e-7)
    wide = D.shape[0] <= D.shape[1]
    X = X if wide else X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X if wide else X.T


def orthogonalized_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy orthogonalized GD / OSGDM (the module docstring's equations)."""
    if phase == 0:
        return GRAD_X
    mode, m, n, beta, nest, wd, method, steps = hyper
    shape = (int(m), int(n))

    def orth(D):
        return (_polar_reference(D) if method == 0 else _newton_schulz_reference(D, int(steps))).ravel()

    lr = sched[t, 0]
    if mode == 0:
        state[:] = beta * state + (1 - beta) * g
        D = beta * state + (1 - beta) * g if nest else state
        x[:] = (1 - lr * wd) * x - lr * orth(D.reshape(shape))
    else:
        state[:] = beta * state + (1 - beta) * orth(g.reshape(shape))
        x[:] = (1 - lr * wd) * x - lr * state
    return DONE


def _matrix_init(shape: tuple[int, int]):
    m, n = shape

    def init(x0: np.ndarray) -> np.ndarray:
        if x0.size != m * n:
            raise ValueError(f"shape {shape} needs a parameter of size m n = {m * n}, got d = {x0.size}")
        return np.zeros(x0.size)

    return init


def _build(label: str, mode: int, lr, shape, momentum, nesterov, weight_decay, method, ns_steps) -> Optimizer:
    if len(shape) != 2:
        raise ValueError(f"shape must be (m, n), got {shape!r}")
    m, n = check_positive_int("shape", shape[0]), check_positive_int("shape", shape[1])
    momentum = check_range("momentum", momentum, 0.0, 1.0)
    weight_decay = check_range("weight_decay", weight_decay, 0.0, np.inf)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {sorted(_METHODS)}, got {method!r}")
    ns_steps = check_positive_int("ns_steps", ns_steps)
    s = as_schedule(lr)
    how = "" if method == "svd" else f", newton_schulz x{ns_steps}"
    return Optimizer(f"{label}(lr={s.name}, shape=({m}, {n}), momentum={momentum:g}, wd={weight_decay:g}{how})",
                     orthogonalized_step, (s,),
                     (float(mode), float(m), float(n), momentum, float(bool(nesterov)), weight_decay,
                      float(_METHODS[method]), float(ns_steps)),
                     state_size=lambda d: d, init=_matrix_init((m, n)), reference=orthogonalized_reference,
                     first_request=GRAD_X,
                     equation=("M = b M + (1-b) G; X = (1 - lr wd) X - lr polar(M)" if mode == 0 else
                               "M = b M + (1-b) polar(G); X = (1 - lr wd) X - lr M"))


def orthogonalized(lr, shape: tuple[int, int], momentum: float = 0.0, nesterov: bool = False,
                   weight_decay: float = 0.0, method: str = "svd", ns_steps: int = 5) -> Optimizer:
    """Orthogonalized (momentum) GD, Muon-style: ``X <- (1 - lr wd) X - lr polar(M_t)`` (module
    docstring); ``momentum = 0`` is the trust-region step of Kovalev (2025)."""
    return _build("orthogonalized", 0, lr, shape, momentum, nesterov, weight_decay, method, ns_steps)


def osgdm(lr, shape: tuple[int, int], momentum: float = 0.95, weight_decay: float = 0.0, method: str = "svd",
          ns_steps: int = 5) -> Optimizer:
    """OSGDM (orthogonalize, then momentum): ``M = b M + (1-b) polar(G)``, ``X <- (1 - lr wd) X - lr M``."""
    return _build("osgdm", 1, lr, shape, momentum, False, weight_decay, method, ns_steps)


def orthogonal_equivariance(shape: tuple[int, int] = (4, 2), steps: int = 100, rtol: float = 1e-9,
                            **overrides) -> Invariance:
    """``polar(Q1 G Q2^T) = Q1 polar(G) Q2^T``: on the objective ``X -> f(Q1^T X Q2)`` the iterates are
    ``Q1 X_t Q2^T`` (``Q1``, ``Q2`` orthogonal); and with ``momentum = weight_decay = 0`` every step
    has spectral norm exactly ``lr_t``.  (A general rotation of the flat ``x`` is *not* a symmetry.)"""

    def check(spec):
        m, n = shape
        lam, xs = np.geomspace(0.1, 1.0, m * n), np.linspace(-1.0, 1.0, m * n)
        K = np.kron(random_rotation(m, seed=5), random_rotation(n, seed=6))  # vec(Q1 X Q2^T) = K vec(X)
        p, q = Quadratic(lam, xs), Quadratic(lam, K @ xs, rotation=K)
        opt = spec.make(**overrides)
        x0 = battery_start(p)
        a = engine_trajectory(opt, p, x0, steps)
        b = engine_trajectory(opt, q, K @ x0, steps)
        equi = max_relative_deviation(b, a @ K.T)
        plain = spec.make(**{**overrides, "momentum": 0.0, "weight_decay": 0.0})
        c = engine_trajectory(plain, p, x0, steps)
        lr = plain.schedule_array(steps)[:, 0]
        op = np.linalg.norm(np.diff(c, axis=0).reshape(steps, m, n), ord=2, axis=(1, 2))
        unit = float(np.max(np.abs(op / lr - 1)))
        return equi <= rtol and unit <= rtol, (f"X -> Q1 X Q2^T: max relative deviation {equi:.2g}; "
                                               f"max | ||X_t+1 - X_t||_op / lr - 1 | (no momentum) = {unit:.2g}")

    return Invariance("orthogonal equivariance and unit spectral step", check)


_BAD = (({"momentum": 1.0}, "momentum"), ({"weight_decay": -0.1}, "weight_decay"), ({"method": "qr"}, "method"),
        ({"ns_steps": 0}, "ns_steps"), ({"shape": (0, 8)}, "shape"), ({"shape": (8,)}, "shape"))
SPECS = [
    RuleSpec("orthogonalized", lambda **kw: orthogonalized(**{"lr": cosine(0.3, 2000), "shape": (4, 2),
                                                              "momentum": 0.5, **kw}),
             "Kovalev (2025); Jordan et al. (2024) (Muon)", (gradient_scale(), orthogonal_equivariance()),
             rejects=_BAD),
    RuleSpec("osgdm", lambda **kw: osgdm(**{"lr": cosine(0.3, 2000), "shape": (4, 2), "momentum": 0.5, **kw}),
             "Kovalev (2025) (OSGDM)", (gradient_scale(), orthogonal_equivariance()), rejects=_BAD),
]
