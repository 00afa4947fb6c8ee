r"""Shampoo (Gupta, Koren & Singer, ICML 2018, "Shampoo: Preconditioned Stochastic Tensor
Optimization", Algorithm 1 for matrices; Algorithm 2 for order-k tensors).

Matrix parameter ``W`` of shape ``(m, n)`` (the flat iterate ``x = vec(W)``, C order), gradient
``G_t = reshape(g_t, (m, n))``:

.. math::
    L_t = L_{t-1} + G_t G_t^T, \qquad R_t = R_{t-1} + G_t^T G_t, \qquad L_0 = \epsilon I_m,\ R_0 = \epsilon I_n, \\
    W_t = W_{t-1} - \eta_t\, L_t^{-1/4}\, G_t\, R_t^{-1/4}.

The general order-``k`` rule raises each mode's preconditioner to ``-1/(2k)``.  For a *vector*
parameter (order 1, ``shape=None``) there is one mode and the rule is

.. math:: L_t = L_{t-1} + g_t g_t^T, \quad L_0 = \epsilon I_d, \qquad x_t = x_{t-1} - \eta_t L_t^{-1/2} g_t,

i.e. full-matrix AdaGrad (Duchi, Hazan & Singer 2011) with the epsilon *inside* the root
(AdaGrad's ``(\delta I + G_t^{1/2})^{-1}`` puts it outside).  (Diagonal Shampoo, one scalar
preconditioner per coordinate, is diagonal AdaGrad and is not a separate rule here.)

The inverse roots are computed exactly every step (the analysed algorithm; practical versions
refresh them every ~100 steps) from ``np.linalg.eigh`` of the symmetric factor, with the
eigenvalues floored at ``epsilon`` -- their exact lower bound (``L_t \succeq \epsilon I``) -- so
that round-off cannot make a tiny eigenvalue negative.

State: ``[vec(L) (m^2), vec(R) (n^2)]`` (order 2) or ``[vec(L) (d^2)]`` (order 1).
Hyper: ``[eps, m, n, exponent]`` (``m = n = 0`` for order 1; exponent ``1/(2k)`` unless overridden).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..problems import Quadratic, random_rotation
from .base import Optimizer, check_positive_int, check_range
from .conformance import (
    Invariance,
    battery_problems,
    battery_start,
    engine_trajectory,
    max_relative_deviation,
    rotation,
)
from .protocol import DONE, GRAD_X
from .registry import RuleSpec
from .schedules import as_schedule

__all__ = ["shampoo", "shampoo_step", "shampoo_reference", "inverse_root"]


@njit(cache=True, error_model="numpy")
def inverse_root(A, power, floor):
    """``A^{-power}`` of a symmetric positive-definite ``A`` (eigenvalues floored at ``floor``)."""
    w, V = np.linalg.eigh(A)
    k = w.shape[0]
    out = np.zeros((k, k))
    for i in range(k):
        s = max(w[i], floor) ** (-power)
        for a in range(k):
            va = V[a, i] * s
            for b in range(k):
                out[a, b] += va * V[b, i]
    return out


@njit(cache=True, error_model="numpy")
def _matmul(A, B):
    """``A B`` for C-contiguous matrices (loops: one specialisation, no BLAS wrappers to compile)."""
    out = np.zeros((A.shape[0], B.shape[1]))
    for i in range(A.shape[0]):
        for k in range(A.shape[1]):
            a = A[i, k]
            for j in range(B.shape[1]):
                out[i, j] += a * B[k, j]
    return out


@njit(cache=True, error_model="numpy")
def shampoo_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Shampoo in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    if phase == 0:
        return GRAD_X
    eps, power = hyper[0], hyper[3]
    lr = sched[t, 0]
    d = x.shape[0]
    if hyper[2] == 0.0:  # order 1 (vector): one d x d preconditioner
        L = state[:d * d].reshape((d, d))
        for i in range(d):
            for j in range(d):
                L[i, j] += g[i] * g[j]
        u = _matmul(inverse_root(L, power, eps), g.reshape((d, 1)))
    else:
        m, n = int(hyper[1]), int(hyper[2])
        G = g.reshape((m, n))
        L = state[:m * m].reshape((m, m))
        R = state[m * m:m * m + n * n].reshape((n, n))
        for a in range(m):  # L += G G^T
            for b in range(m):
                acc = 0.0
                for j in range(n):
                    acc += G[a, j] * G[b, j]
                L[a, b] += acc
        for a in range(n):  # R += G^T G
            for b in range(n):
                acc = 0.0
                for i in range(m):
                    acc += G[i, a] * G[i, b]
                R[a, b] += acc
        u = _matmul(_matmul(inverse_root(L, power, eps), G), inverse_root(R, power, eps))
    v = u.reshape(d)
    for j in range(d):
        x[j] -= lr * v[j]
    return DONE


def _inverse_root_numpy(A: np.ndarray, power: float, floor: float) -> np.ndarray:
    w, V = np.linalg.eigh(A)
    return V @ np.diag(np.maximum(w, floor) ** -power) @ V.T


def shampoo_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy Shampoo (the module docstring's equations)."""
    if phase == 0:
        return GRAD_X
    eps, m, n, power = hyper
    d = x.size
    if n == 0:
        L = state[:d * d].reshape(d, d)
        L += np.outer(g, g)
        x -= sched[t, 0] * _inverse_root_numpy(L, power, eps) @ g
        return DONE
    m, n = int(m), int(n)
    G = g.reshape(m, n)
    L = state[:m * m].reshape(m, m)
    R = state[m * m:].reshape(n, n)
    L += G @ G.T
    R += G.T @ G
    x -= sched[t, 0] * (_inverse_root_numpy(L, power, eps) @ G @ _inverse_root_numpy(R, power, eps)).ravel()
    return DONE


def shampoo(lr, shape: tuple[int, int] | None = None, eps: float = 1e-4, exponent: float | None = None) -> Optimizer:
    """Shampoo (Gupta et al. 2018): ``W -= lr L^{-1/4} G R^{-1/4}`` for a matrix parameter of
    ``shape = (m, n)`` (``x = vec(W)`` in C order, ``m n = d``); with ``shape=None`` the order-1
    rule ``x -= lr (eps I + sum g g^T)^{-1/2} g`` (full-matrix AdaGrad, epsilon inside the root).
    ``eps > 0`` initialises ``L_0 = eps I``, ``R_0 = eps I``.  ``exponent`` overrides the power
    ``1/(2k)`` of every factor (``k`` = 2 for matrices, 1 for vectors), like distributed Shampoo's
    exponent override."""
    eps = check_range("eps", eps, 0.0, np.inf, lo_open=True)
    s = as_schedule(lr)
    if shape is None:
        power = 0.5 if exponent is None else check_range("exponent", exponent, 0.0, np.inf, lo_open=True)

        def state_size(d: int) -> int:
            return d * d

        def init(x0: np.ndarray) -> np.ndarray:
            return (eps * np.eye(x0.size)).ravel()

        return Optimizer(f"shampoo(lr={s.name}, order 1, eps={eps:g}, exponent={power:g})", shampoo_step, (s,),
                         (eps, 0.0, 0.0, power), state_size=state_size, init=init, reference=shampoo_reference,
                         first_request=GRAD_X, equation=f"L += g g^T (L_0 = eps I); x -= lr L^{{-{power:g}}} g")
    if len(shape) != 2:
        raise ValueError(f"shape must be a pair (m, n) or None, got {shape!r}")
    m, n = check_positive_int("shape[0]", shape[0]), check_positive_int("shape[1]", shape[1])
    power = 0.25 if exponent is None else check_range("exponent", exponent, 0.0, np.inf, lo_open=True)

    def state_size(d: int) -> int:
        if d != m * n:
            raise ValueError(f"shape {(m, n)} does not match the problem's dimension d = {d} (need m n = d)")
        return m * m + n * n

    def init(x0: np.ndarray) -> np.ndarray:
        state_size(x0.size)
        return np.concatenate([(eps * np.eye(m)).ravel(), (eps * np.eye(n)).ravel()])

    return Optimizer(f"shampoo(lr={s.name}, shape=({m}, {n}), eps={eps:g}, exponent={power:g})", shampoo_step,
                     (s,), (eps, float(m), float(n), power), state_size=state_size, init=init,
                     reference=shampoo_reference, first_request=GRAD_X,
                     equation=f"L += G G^T; R += G^T G (L_0 = eps I, R_0 = eps I); W -= lr L^{{-{power:g}}} G "
                              f"R^{{-{power:g}}}")


def scale_with_eps(factor: float = 100.0, rtol: float = 1e-9, **overrides) -> Invariance:
    """``f -> c f`` together with ``eps -> c^2 eps`` leaves the iterates unchanged at the default
    exponents (both factors scale by ``c^2``, so ``L^{-1/4} (c G) R^{-1/4}`` and ``L^{-1/2} (c g)`` are
    unchanged)."""

    def check(spec):
        p = battery_problems()["quadratic"]
        scaled = Quadratic(p.spectrum * factor, p.x_star, p.rotation)
        eps = spec.make(**overrides).hyper[0]
        x0 = battery_start(p)
        a = engine_trajectory(spec.make(**overrides), p, x0, 100)
        b = engine_trajectory(spec.make(**{**overrides, "eps": eps * factor ** 2}), scaled, x0, 100)
        dev = max_relative_deviation(b, a)
        return dev <= rtol, f"f -> {factor:g} f, eps -> {factor ** 2:g} eps: max relative deviation {dev:.2g}"

    return Invariance(f"scale x{factor:g} with eps x{factor ** 2:g}", check)


def kronecker_rotation(shape: tuple[int, int], rtol: float = 1e-9, **overrides) -> Invariance:
    """Rotating a matrix problem by ``W -> U W V^T`` (``U``, ``V`` orthogonal; on ``vec`` in C order
    the rotation ``U (x) V``) rotates the iterates: ``L -> U L U^T``, ``R -> V R V^T``."""

    def check(spec):
        m, n = shape
        d = m * n
        lam, xs = np.geomspace(0.1, 1.0, d), np.linspace(-1.0, 1.0, d)
        Q = np.kron(random_rotation(m, seed=5), random_rotation(n, seed=6))
        p, q = Quadratic(lam, xs), Quadratic(lam, Q @ xs, rotation=Q)  # f_q(Q x) = f_p(x)
        x0 = battery_start(p)
        a = engine_trajectory(spec.make(**overrides), p, x0, 100)
        b = engine_trajectory(spec.make(**overrides), q, Q @ x0, 100)
        dev = max_relative_deviation(b, a @ Q.T)
        return dev <= rtol, f"W -> U W V^T: max relative deviation {dev:.2g}"

    return Invariance("kronecker_rotation", check)


_BAD = (({"eps": 0.0}, "eps"), ({"eps": -1e-4}, "eps"), ({"lr": -0.1}, "lr"), ({"exponent": 0.0}, "exponent"))
SPECS = [
    RuleSpec("shampoo", lambda **kw: shampoo(**{"lr": 0.5, "shape": (4, 2), "eps": 1e-3, **kw}),
             "Gupta, Koren & Singer (2018), Algorithm 1", (scale_with_eps(), kronecker_rotation((4, 2))),
             rejects=_BAD + (({"shape": (0, 8)}, "shape"),)),
    RuleSpec("shampoo_vector", lambda **kw: shampoo(**{"lr": 0.5, "eps": 1e-3, **kw}),
             "Gupta, Koren & Singer (2018), Algorithm 2 with k = 1 (full-matrix AdaGrad, eps inside the root)",
             (scale_with_eps(), rotation()), rejects=_BAD),
]
