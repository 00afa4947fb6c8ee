r"""SGDP and AdamP (Heo, Chun, Oh, Han, Yun, Kim, Uh & Ha, ICLR 2021, "AdamP: Slowing Down the
Slowdown for Momentum Optimizers on Scale-invariant Weights", Algorithms 1-2; transcribed from the
official ``clovaai/AdamP`` code, ``sgdp.py`` and ``adamp.py``).

Each *layer* (a contiguous block of ``x``, :func:`theorylab.optim.lars.block_size`) is one
scale-invariant weight vector.  Given the step direction ``p`` of the base optimizer, the
gradient ``g`` and the weights ``w`` of a layer of length ``n``:

.. math::
    |\cos(w, g)| = \frac{|\langle w, g\rangle|}{\max(\|w\| \|g\|, \epsilon)} < \frac{\delta}{\sqrt n}
    \;\Longrightarrow\; p \leftarrow p - \hat w \langle \hat w, p\rangle,\ \hat w = \frac{w}{\|w\| + \epsilon},
    \ \text{decay ratio } r = r_{wd}; \quad\text{else } r = 1.

SGDP: ``b = m b + (1 - dampening) g``; ``p = g + m b`` (Nesterov) or ``b``; projection; then
``w <- w (1 - lr wd r / (1 - m)) - lr p``.  AdamP: Adam moments, ``p = m_t / (sqrt(v_t)/sqrt(1 -
b2^t) + eps)`` (Nesterov: ``(b1 m_t + (1 - b1) g)`` in the numerator), projection, then
``w <- w (1 - lr wd r) - (lr / (1 - b1^t)) p``.

Differences from the official code: it projects only tensors with ``dim > 1`` and tests a
per-output-channel view before the whole-layer view; here every block is one layer given as a
``(1, n)`` tensor, for which both views coincide.  With ``eps = 0`` the projection is exact, so on a
scale-invariant loss (``<w, grad f(w)> = 0``) the step is orthogonal to ``w`` and
``||w_{t+1}||^2 = ||w_t||^2 + lr^2 ||p_t||^2`` exactly (with ``wd = 0``): the norm-growth identity
checked by :func:`norm_growth`.

Hyper (SGDP): ``[m, dampening, nesterov, wd, eps, delta, wd_ratio, block]``, state ``b (d)``.
Hyper (AdamP): ``[b1, b2, eps, wd, delta, wd_ratio, nesterov, block]``, state ``[m (d), v (d)]``.
``point`` is the scratch for ``p``.

This module also holds :class:`RayleighQuotient` (a layer-wise scale-invariant objective) and
:func:`compiled_trajectory` (the compiled step driven by a numpy gradient oracle), for objectives
the engine does not implement.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from numba import njit

from .base import Optimizer, check_range
from .conformance import (
    Invariance,
    gradient_scale,
    permutation,
    reference_trajectory,
    rotation,
)
from .lars import block_bounds, block_count, block_size, block_slices, sum_squares
from .protocol import DONE, GRAD_X
from .registry import RuleSpec
from .schedules import as_schedule

__all__ = ["sgdp", "adamp", "sgdp_step", "sgdp_reference", "adamp_step", "adamp_reference", "RayleighQuotient",
           "compiled_trajectory", "norm_growth"]


@njit(cache=True, error_model="numpy", fastmath={"reassoc", "contract", "nsz"})
def _project_layers(x, g, p, eps, delta, wd_ratio, size, ratio):
    """Remove from ``p`` the radial component of each layer whose ``|cos(x, g)| < delta/sqrt(n)``;
    ``ratio[k]`` <- the layer's weight-decay ratio (``wd_ratio`` if projected, else 1)."""
    d = x.shape[0]
    for k in range(block_count(d, size)):
        a, b = block_bounds(k, d, size)
        xb = x[a:b]
        gb = g[a:b]
        pb = p[a:b]
        xn = math.sqrt(sum_squares(xb))
        gn = math.sqrt(sum_squares(gb))
        dot_xg = 0.0
        for j in range(b - a):
            dot_xg += xb[j] * gb[j]
        ratio[k] = 1.0
        if abs(dot_xg) / max(xn * gn, eps) < delta / math.sqrt(b - a):
            dot_xp = 0.0
            for j in range(b - a):
                dot_xp += xb[j] * pb[j]
            c = dot_xp / ((xn + eps) * (xn + eps))
            for j in range(b - a):
                pb[j] -= c * xb[j]
            ratio[k] = wd_ratio


@njit(cache=True, error_model="numpy")
def _projected_step(x, g, p, eps, delta, wd_ratio, size, decay_rate, step):
    """Project ``p`` layer-wise (:func:`_project_layers`), then ``x_l <- x_l (1 - decay_rate r_l) - step p_l``."""
    ratio = np.empty(block_count(x.shape[0], size))
    _project_layers(x, g, p, eps, delta, wd_ratio, size, ratio)
    for k in range(ratio.shape[0]):
        a, b = block_bounds(k, x.shape[0], size)
        decay = 1.0 - decay_rate * ratio[k]
        for j in range(a, b):
            x[j] = x[j] * decay - step * p[j]


def _project_layers_reference(x, g, p, eps, delta, wd_ratio, size):
    """Numpy :func:`_project_layers`; returns the per-layer weight-decay ratios."""
    ratios = []
    for s in block_slices(x.size, size):
        xn, gn = np.linalg.norm(x[s]), np.linalg.norm(g[s])
        if abs(x[s] @ g[s]) / max(xn * gn, eps) < delta / np.sqrt(x[s].size):
            w_hat = x[s] / (xn + eps)
            p[s] -= w_hat * (w_hat @ p[s])
            ratios.append(wd_ratio)
        else:
            ratios.append(1.0)
    return ratios


@njit(cache=True, error_model="numpy")
def sgdp_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """SGDP in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    if phase == 0:
        return GRAD_X
    d = x.shape[0]
    mom, damp, nest, wd, eps, delta, wd_ratio, size = (hyper[0], hyper[1], hyper[2], hyper[3], hyper[4], hyper[5],
                                                       hyper[6], int(hyper[7]))
    lr = sched[t, 0]
    buf = state[:d]
    p = point
    for j in range(d):
        bj = mom * buf[j] + (1.0 - damp) * g[j]
        buf[j] = bj
        p[j] = g[j] + mom * bj if nest != 0.0 else bj
    _projected_step(x, g, p, eps, delta, wd_ratio, size, lr * wd / (1.0 - mom), lr)
    return DONE


def sgdp_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy SGDP (the module docstring's equations)."""
    if phase == 0:
        return GRAD_X
    mom, damp, nest, wd, eps, delta, wd_ratio, size = hyper
    lr = sched[t, 0]
    state[:] = mom * state + (1 - damp) * g
    p = g + mom * state if nest else state.copy()
    ratios = _project_layers_reference(x, g, p, eps, delta, wd_ratio, int(size))
    for s, r in zip(block_slices(x.size, int(size)), ratios):
        x[s] = x[s] * (1 - lr * wd * r / (1 - mom)) - lr * p[s]
    return DONE


@njit(cache=True, error_model="numpy")
def adamp_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """AdamP in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    if phase == 0:
        return GRAD_X
    d = x.shape[0]
    b1, b2, eps, wd, delta, wd_ratio, nest, size = (hyper[0], hyper[1], hyper[2], hyper[3], hyper[4], hyper[5],
                                                    hyper[6], int(hyper[7]))
    lr = sched[t, 0]
    sq2 = math.sqrt(1.0 - b2 ** (t + 1))
    step_size = lr / (1.0 - b1 ** (t + 1))
    m = state[:d]
    v = state[d:2 * d]
    p = point
    for j in range(d):
        mj = b1 * m[j] + (1.0 - b1) * g[j]
        vj = b2 * v[j] + (1.0 - b2) * g[j] * g[j]
        m[j] = mj
        v[j] = vj
        num = b1 * mj + (1.0 - b1) * g[j] if nest != 0.0 else mj
        p[j] = num / (math.sqrt(vj) / sq2 + eps)
    _projected_step(x, g, p, eps, delta, wd_ratio, size, lr * wd, step_size)
    return DONE


def adamp_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy AdamP (the module docstring's equations)."""
    if phase == 0:
        return GRAD_X
    d = x.size
    b1, b2, eps, wd, delta, wd_ratio, nest, size = hyper
    lr = sched[t, 0]
    state[:d] = b1 * state[:d] + (1 - b1) * g
    state[d:] = b2 * state[d:] + (1 - b2) * g ** 2
    num = b1 * state[:d] + (1 - b1) * g if nest else state[:d]
    p = num / (np.sqrt(state[d:]) / np.sqrt(1 - b2 ** (t + 1)) + eps)
    ratios = _project_layers_reference(x, g, p, eps, delta, wd_ratio, int(size))
    for s, r in zip(block_slices(d, int(size)), ratios):
        x[s] = x[s] * (1 - lr * wd * r) - lr / (1 - b1 ** (t + 1)) * p[s]
    return DONE


def _check_projection(eps: float, delta: float, wd_ratio: float) -> tuple[float, float, float]:
    return (check_range("eps", eps, 0.0, np.inf), check_range("delta", delta, 0.0, np.inf),
            check_range("wd_ratio", wd_ratio, 0.0, 1.0, hi_open=False))


def sgdp(lr, momentum: float = 0.9, dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0,
         eps: float = 1e-8, delta: float = 0.1, wd_ratio: float = 0.1, block: int | None = None) -> Optimizer:
    """SGDP (Heo et al. 2021, Algorithm 1; official ``sgdp.py``).  ``delta = 0`` never projects (SGDM
    with the same momentum form)."""
    momentum = check_range("momentum", momentum, 0.0, 1.0)
    dampening = check_range("dampening", dampening, 0.0, 1.0, hi_open=False)
    weight_decay = check_range("weight_decay", weight_decay, 0.0, np.inf)
    eps, delta, wd_ratio = _check_projection(eps, delta, wd_ratio)
    size = block_size(block)
    s = as_schedule(lr)
    return Optimizer(f"sgdp(lr={s.name}, momentum={momentum:g}, nesterov={nesterov}, wd={weight_decay:g}, "
                     f"delta={delta:g}, eps={eps:g}, block={block})", sgdp_step, (s,),
                     (momentum, dampening, float(bool(nesterov)), weight_decay, eps, delta, wd_ratio, float(size)),
                     state_size=lambda d: d, init=lambda x0: np.zeros(x0.size), reference=sgdp_reference,
                     first_request=GRAD_X,
                     equation="b = m b + (1-damp) g; p = b (or g + m b); per layer: if |cos(w, g)| < delta/sqrt(n): "
                              "p -= w^ <w^, p>; w = w (1 - lr wd r/(1-m)) - lr p")


def adamp(lr=1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0,
          delta: float = 0.1, wd_ratio: float = 0.1, nesterov: bool = False, block: int | None = None) -> Optimizer:
    """AdamP (Heo et al. 2021, Algorithm 2; official ``adamp.py``)."""
    b1 = check_range("b1", b1, 0.0, 1.0)
    b2 = check_range("b2", b2, 0.0, 1.0)
    weight_decay = check_range("weight_decay", weight_decay, 0.0, np.inf)
    eps, delta, wd_ratio = _check_projection(eps, delta, wd_ratio)
    size = block_size(block)
    s = as_schedule(lr)
    return Optimizer(f"adamp(lr={s.name}, b1={b1:g}, b2={b2:g}, eps={eps:g}, wd={weight_decay:g}, delta={delta:g}, "
                     f"block={block})", adamp_step, (s,),
                     (b1, b2, eps, weight_decay, delta, wd_ratio, float(bool(nesterov)), float(size)),
                     state_size=lambda d: 2 * d, init=lambda x0: np.zeros(2 * x0.size), reference=adamp_reference,
                     first_request=GRAD_X,
                     equation="p = m/(sqrt(v)/sqrt(1-b2^t) + eps); per layer: if |cos(w, g)| < delta/sqrt(n): "
                              "p -= w^ <w^, p>; w = w (1 - lr wd r) - lr/(1-b1^t) p")


class RayleighQuotient:
    r"""``f(w) = sum_l <w_l, A w_l> / ||w_l||^2`` over the layers ``w_l`` of ``w`` (blocks of
    :func:`~theorylab.optim.lars.block_size` ``block``; ``A`` diagonal, ``spectrum`` of the layer's
    length): every layer is scale invariant, ``f(c_l w_l) = f(w_l)``, so ``<w_l, grad_l f> = 0`` and
    ``||grad_l f(c w)|| = ||grad_l f(w)|| / c``.  ``grad_l f = 2 (A w_l - q_l w_l) / ||w_l||^2`` with
    ``q_l`` the layer's quotient; ``min f`` is the number of layers times ``min(spectrum)``.

    A plain-numpy objective (``f``, ``grad``, ``gap``) for :func:`compiled_trajectory`; the engine
    does not implement it.
    """

    def __init__(self, spectrum, layers: int = 1):
        self.spectrum = np.asarray(spectrum, dtype=np.float64)
        self.layers = int(layers)
        self.d = self.spectrum.size * self.layers
        self.f_star = self.layers * float(self.spectrum.min())

    def _split(self, w):
        return np.asarray(w, dtype=np.float64).reshape(*np.shape(w)[:-1], self.layers, self.spectrum.size)

    def _parts(self, w):
        """The layers ``z``, ``A z``, ``||z||^2`` and the quotients ``q`` (einsum: a fast oracle)."""
        z = self._split(w)
        az = self.spectrum * z
        zz = np.einsum("...i,...i->...", z, z)
        return z, az, zz, np.einsum("...i,...i->...", z, az) / zz

    def quotients(self, w) -> np.ndarray:
        """``q_l = <w_l, A w_l>/||w_l||^2`` per layer, shape ``(..., layers)``."""
        return self._parts(w)[3]

    def f(self, w):
        return np.sum(self.quotients(w), axis=-1)

    def gap(self, w):
        return np.sum(self.quotients(w) - self.spectrum.min(), axis=-1)

    def grad(self, w):
        z, az, zz, q = self._parts(w)
        return (2.0 * (az - q[..., None] * z) / zz[..., None]).reshape(np.shape(w))


def compiled_trajectory(opt: Optimizer, problem, x0: np.ndarray, steps: int) -> np.ndarray:
    """``(steps + 1, d)`` iterates of ``opt``'s *compiled* step function with exact gradients from
    ``problem.grad`` (any object with ``f`` and ``grad``), served by the conformance battery's
    Python driver: for objectives the engine does not implement."""
    return reference_trajectory(replace(opt, reference=opt.step), problem, np.asarray(x0, dtype=np.float64), steps)


def norm_growth(steps: int = 100, rtol: float = 1e-12, **overrides) -> Invariance:
    """On a layer-wise scale-invariant objective (:class:`RayleighQuotient`, two layers of 4) with
    ``eps = wd = 0``, every layer's step is orthogonal to its weights:
    ``||w_{t+1}||^2 = ||w_t||^2 + ||w_{t+1} - w_t||^2`` per layer at every step."""

    def check(spec):
        problem = RayleighQuotient(np.linspace(1.0, 4.0, 4), layers=2)
        w0 = np.random.default_rng(11).standard_normal(8)
        w = compiled_trajectory(spec.make(block=4, eps=0.0, weight_decay=0.0, **overrides), problem, w0, steps)
        sq = np.sum(w.reshape(steps + 1, 2, 4) ** 2, axis=2)
        moved = np.sum(np.diff(w, axis=0).reshape(steps, 2, 4) ** 2, axis=2)
        dev = float(np.max(np.abs(sq[1:] - sq[:-1] - moved) / sq[1:]))
        return dev <= rtol, f"max | ||w'||^2 - ||w||^2 - ||w' - w||^2 | / ||w'||^2 per layer = {dev:.2g}"

    return Invariance("norm-growth identity (scale-invariant layers)", check)


_BAD = (({"weight_decay": -1.0}, "weight_decay"), ({"eps": -1.0}, "eps"), ({"delta": -0.1}, "delta"),
        ({"wd_ratio": 1.5}, "wd_ratio"), ({"block": 0}, "block"))
SPECS = [
    RuleSpec("sgdp", lambda **kw: sgdp(**{"lr": 0.1, "momentum": 0.5, **kw}),
             "Heo et al. (2021), Algorithm 1 (clovaai/AdamP sgdp.py)", (permutation(), rotation(), norm_growth()),
             rejects=_BAD + (({"momentum": 1.0}, "momentum"), ({"dampening": 2.0}, "dampening"))),
    RuleSpec("adamp", lambda **kw: adamp(**{"lr": 0.05, **kw}),
             "Heo et al. (2021), Algorithm 2 (clovaai/AdamP adamp.py)",
             (gradient_scale(eps=0.0), permutation(), norm_growth()),
             rejects=_BAD + (({"b1": 1.0}, "b1"), ({"b2": 1.5}, "b2"))),
]
