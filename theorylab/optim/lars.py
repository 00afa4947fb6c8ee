r"""Layer-wise trust ratios: LARS (You, Gitman & Ginsburg 2017, "Large Batch Training of Convolutional
Networks", arXiv:1708.03888, Algorithm 1 and Eq. 6) and LAMB (You et al., ICLR 2020, "Large Batch
Optimization for Deep Learning: Training BERT in 76 minutes", Algorithm 2).

A *layer* is a contiguous block of the flat parameter vector: ``block = s`` cuts ``x`` into
``[0, s), [s, 2s), ...`` (the last block may be shorter); ``block = None`` makes the whole vector one
layer.  For layer ``l`` with weights ``w_l`` and gradient ``g_l``:

LARS (momentum ``m``, weight decay ``beta``, trust coefficient ``eta``, global rate ``gamma_t``):

.. math::
    \lambda_l = \eta \frac{\|w_l\|}{\|g_l\| + \beta \|w_l\|}, \qquad
    v_l \leftarrow m\, v_l + \gamma_t \lambda_l (g_l + \beta w_l), \qquad w_l \leftarrow w_l - v_l,

with ``lambda_l = 1`` when ``||w_l|| = 0`` or ``||g_l|| = 0`` (the convention of the LARC/torchlars
implementations; the paper does not say).  With ``m = beta = 0`` the step of every layer has norm
exactly ``gamma_t eta ||w_l||``, whatever the gradient's scale.

LAMB (Adam moments with bias correction, ``epsilon`` outside the square root, decoupled decay
``lambda`` inside the trust ratio, ``phi`` = identity):

.. math::
    m &= \beta_1 m + (1-\beta_1) g, \quad v = \beta_2 v + (1-\beta_2) g^2, \quad
    r = \frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon} + \lambda x \\
    x_l &\leftarrow x_l - \eta_t \frac{\|x_l\|}{\|r_l\|} r_l \qquad (\text{ratio } 1 \text{ when }
    \|x_l\| = 0 \text{ or } \|r_l\| = 0),

so every layer moves by exactly ``eta_t ||x_l||``.

Hyper (LARS): ``[m, eta, beta, block]``; state ``v (d)``.  Hyper (LAMB): ``[b1, b2, eps, lambda,
block]``; state ``[m (d), v (d)]`` (``point`` is the scratch for ``r``).  ``block = 0`` encodes the
whole vector.
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
    max_relative_deviation,
    permutation,
)
from .protocol import DONE, GRAD_X
from .registry import RuleSpec
from .schedules import as_schedule, cosine

__all__ = ["lars", "lamb", "lars_step", "lars_reference", "lamb_step", "lamb_reference", "block_size",
           "block_count", "block_bounds", "block_slices", "sum_squares", "layer_trust_ratio"]


def block_size(block: int | None) -> int:
    """The ``block`` hyper-parameter as stored in ``hyper``: ``None`` (one layer) -> 0, else an int >= 1."""
    return 0 if block is None else check_positive_int("block", block)


@njit(cache=True, inline="always")
def block_count(d, size):
    """Number of layers of a length-``d`` vector cut into blocks of ``size`` (0: one layer)."""
    if size <= 0:
        return 1
    return (d + size - 1) // size


@njit(cache=True, inline="always")
def block_bounds(k, d, size):
    """``(start, end)`` of layer ``k``."""
    if size <= 0:
        return 0, d
    a = k * size
    return a, min(d, a + size)


def block_slices(d: int, size: int) -> list[slice]:
    """The layers as Python slices (for the numpy references)."""
    return [slice(*block_bounds(k, d, size)) for k in range(block_count(d, size))]


@njit(cache=True, inline="always", fastmath={"reassoc", "contract", "nsz"})
def sum_squares(v):
    """``||v||^2`` (a loop: no temporary array)."""
    acc = 0.0
    for j in range(v.shape[0]):
        acc += v[j] * v[j]
    return acc


@njit(cache=True, error_model="numpy")
def lars_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """LARS in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    if phase == 0:
        return GRAD_X
    d = x.shape[0]
    mom, trust, wd, size = hyper[0], hyper[1], hyper[2], int(hyper[3])
    lr = sched[t, 0]
    for k in range(block_count(d, size)):
        a, b = block_bounds(k, d, size)
        xb = x[a:b]
        gb = g[a:b]
        vb = state[a:b]
        wn = math.sqrt(sum_squares(xb))
        gn = math.sqrt(sum_squares(gb))
        local = trust * wn / (gn + wd * wn) if wn > 0.0 and gn > 0.0 else 1.0
        c = lr * local
        for j in range(b - a):
            vj = mom * vb[j] + c * (gb[j] + wd * xb[j])
            vb[j] = vj
            xb[j] -= vj
    return DONE


def lars_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy LARS (the module docstring's equations)."""
    if phase == 0:
        return GRAD_X
    mom, trust, wd, size = hyper
    for s in block_slices(x.size, int(size)):
        wn, gn = np.linalg.norm(x[s]), np.linalg.norm(g[s])
        local = trust * wn / (gn + wd * wn) if wn > 0 and gn > 0 else 1.0
        state[s] = mom * state[s] + sched[t, 0] * local * (g[s] + wd * x[s])
        x[s] -= state[s]
    return DONE


@njit(cache=True, error_model="numpy")
def lamb_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """LAMB in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    if phase == 0:
        return GRAD_X
    d = x.shape[0]
    b1, b2, eps, wd, size = hyper[0], hyper[1], hyper[2], hyper[3], int(hyper[4])
    lr = sched[t, 0]
    ic1 = 1.0 / (1.0 - b1 ** (t + 1))
    ic2 = 1.0 / (1.0 - b2 ** (t + 1))
    m = state[:d]
    v = state[d:2 * d]
    r = point
    for j in range(d):
        mj = b1 * m[j] + (1.0 - b1) * g[j]
        vj = b2 * v[j] + (1.0 - b2) * g[j] * g[j]
        m[j] = mj
        v[j] = vj
        r[j] = mj * ic1 / (math.sqrt(vj * ic2) + eps) + wd * x[j]
    for k in range(block_count(d, size)):
        a, b = block_bounds(k, d, size)
        xb = x[a:b]
        rb = r[a:b]
        wn = math.sqrt(sum_squares(xb))
        rn = math.sqrt(sum_squares(rb))
        c = lr * (wn / rn if wn > 0.0 and rn > 0.0 else 1.0)
        for j in range(b - a):
            xb[j] -= c * rb[j]
    return DONE


def lamb_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy LAMB (the module docstring's equations)."""
    if phase == 0:
        return GRAD_X
    d = x.size
    b1, b2, eps, wd, size = hyper
    state[:d] = b1 * state[:d] + (1 - b1) * g
    state[d:] = b2 * state[d:] + (1 - b2) * g ** 2
    r = (state[:d] / (1 - b1 ** (t + 1))) / (np.sqrt(state[d:] / (1 - b2 ** (t + 1))) + eps) + wd * x
    for s in block_slices(d, int(size)):
        wn, rn = np.linalg.norm(x[s]), np.linalg.norm(r[s])
        x[s] -= sched[t, 0] * (wn / rn if wn > 0 and rn > 0 else 1.0) * r[s]
    return DONE


def lars(lr, momentum: float = 0.9, trust: float = 1e-3, weight_decay: float = 0.0,
         block: int | None = None) -> Optimizer:
    """LARS (You, Gitman & Ginsburg 2017, Algorithm 1); ``lr`` is the global rate ``gamma_t`` (a
    schedule: the paper uses the polynomial decay ``gamma_0 (1 - t/T)^2``), ``trust`` the LARS
    coefficient ``eta``, ``block`` the layer size (``None``: one layer)."""
    momentum = check_range("momentum", momentum, 0.0, 1.0)
    trust = check_range("trust", trust, 0.0, np.inf, lo_open=True)
    weight_decay = check_range("weight_decay", weight_decay, 0.0, np.inf)
    size = block_size(block)
    s = as_schedule(lr)
    return Optimizer(f"lars(lr={s.name}, momentum={momentum:g}, trust={trust:g}, wd={weight_decay:g}, "
                     f"block={block})", lars_step, (s,), (momentum, trust, weight_decay, float(size)),
                     state_size=lambda d: d, init=lambda x0: np.zeros(x0.size), reference=lars_reference,
                     first_request=GRAD_X,
                     equation="per layer: lam = trust ||w||/(||g|| + wd ||w||); v = m v + lr lam (g + wd w); w -= v")


def lamb(lr, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-6, weight_decay: float = 0.0,
         block: int | None = None) -> Optimizer:
    """LAMB (You et al. 2020, Algorithm 2 with ``phi`` = identity); ``block`` is the layer size."""
    b1 = check_range("b1", b1, 0.0, 1.0)
    b2 = check_range("b2", b2, 0.0, 1.0)
    eps = check_range("eps", eps, 0.0, np.inf)
    weight_decay = check_range("weight_decay", weight_decay, 0.0, np.inf)
    size = block_size(block)
    s = as_schedule(lr)
    return Optimizer(f"lamb(lr={s.name}, b1={b1:g}, b2={b2:g}, eps={eps:g}, wd={weight_decay:g}, block={block})",
                     lamb_step, (s,), (b1, b2, eps, weight_decay, float(size)), state_size=lambda d: 2 * d,
                     init=lambda x0: np.zeros(2 * x0.size), reference=lamb_reference, first_request=GRAD_X,
                     equation="r = mhat/(sqrt(vhat) + eps) + wd x; per layer: x -= lr (||x||/||r||) r")


def layer_trust_ratio(ratio: float, factor: float = 1024.0, steps: int = 100, rtol: float = 1e-9,
                      **overrides) -> Invariance:
    """The per-layer trust ratio, on a diagonal quadratic cut into two layers of 4 coordinates:

    1. every layer moves by exactly ``ratio * lr_t * ||x_l||`` (``ratio = eta`` for LARS with
       ``m = beta = 0``, 1 for LAMB), although the two layers' curvatures differ by ``factor``;
    2. multiplying one layer's part of the (separable) objective by ``factor`` leaves the whole
       trajectory unchanged: each layer's step is independent of its gradient's scale (a power of
       two, so that the scaling itself is exact in floating point).
    """

    def check(spec):
        lam, xs = np.geomspace(0.1, 1.0, 8), np.linspace(-1.0, 1.0, 8)
        p = Quadratic(lam * np.repeat([factor, 1.0], 4), xs)
        q = Quadratic(lam * np.repeat([1.0, factor], 4), xs)
        opt = spec.make(block=4, **overrides)
        x0 = battery_start(p)
        a = engine_trajectory(opt, p, x0, steps)
        b = engine_trajectory(opt, q, x0, steps)
        lr = opt.schedule_array(steps)[:, 0]
        moved = np.linalg.norm((a[1:] - a[:-1]).reshape(steps, 2, 4), axis=2)
        size = np.linalg.norm(a[:-1].reshape(steps, 2, 4), axis=2)
        norm_dev = float(np.max(np.abs(moved - ratio * lr[:, None] * size) / (ratio * lr[:, None] * size)))
        traj_dev = max_relative_deviation(b, a)
        ok = norm_dev <= rtol and traj_dev <= rtol
        return ok, (f"per-layer step norm / (ratio lr ||x_l||) - 1: max {norm_dev:.2g}; layer-wise objective "
                    f"scaling x{factor:g}: max relative deviation of the iterates {traj_dev:.2g}")

    return Invariance(f"per-layer trust ratio (x{factor:g})", check)


_BATTERY_TRUST = 0.02
SPECS = [
    RuleSpec("lars", lambda **kw: lars(**{"lr": cosine(1.0, 2000), "trust": _BATTERY_TRUST, **kw}),
             "You, Gitman & Ginsburg (2017), Algorithm 1",
             (permutation(), layer_trust_ratio(_BATTERY_TRUST, momentum=0.0, weight_decay=0.0)),
             rejects=(({"momentum": 1.0}, "momentum"), ({"trust": 0.0}, "trust"), ({"weight_decay": -1.0},
                                                                                     "weight_decay"),
                      ({"block": 0}, "block"), ({"block": 2.5}, "block"), ({"lr": -1.0}, "lr"))),
    RuleSpec("lamb", lambda **kw: lamb(**{"lr": cosine(0.02, 2000), **kw}),
             "You et al. (2020), Algorithm 2",
             (permutation(), layer_trust_ratio(1.0, eps=0.0, weight_decay=1e-2)),
             rejects=(({"b1": 1.0}, "b1"), ({"b2": -0.5}, "b2"), ({"eps": -1e-6}, "eps"),
                      ({"weight_decay": -1.0}, "weight_decay"), ({"block": -3}, "block"))),
]
