r"""Lion, "EvoLved Sign Momentum" (Chen, Liang, Huang, Real, Wang, Pham, Dong, Luong, Hsieh, Lu & Le
2023, "Symbolic Discovery of Optimization Algorithms", arXiv:2302.06675, Algorithm 2).

.. math::
    c_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
    x_t &= x_{t-1} - \eta_t \big( \operatorname{sign}(c_t) + \lambda\, x_{t-1} \big) \\
    m_t &= \beta_2 m_{t-1} + (1 - \beta_2) g_t

with ``m_0 = 0`` and ``sign(0) = 0``; the weight decay ``lambda`` is decoupled and multiplied by the
learning rate, as in the paper.  The update is the interpolation's *sign*: every coordinate moves by
exactly ``eta_t`` besides the decay (the invariance ``uniform_step`` below), so with a constant step
Lion cannot converge (it ends in an ``O(eta)`` limit cycle); the battery therefore uses a step
decaying like ``1/t``.  State: ``[m (d)]``.  Hyper: ``[beta1, beta2, weight_decay]``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .base import Optimizer, check_range
from .conformance import (
    Invariance,
    battery_problems,
    battery_start,
    engine_trajectory,
    gradient_scale,
    permutation,
)
from .protocol import DONE, GRAD_X
from .registry import RuleSpec
from .schedules import as_schedule, inverse_time

__all__ = ["lion", "lion_step", "lion_reference", "uniform_step"]


@njit(cache=True, error_model="numpy")
def lion_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Lion in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    d = x.shape[0]
    b1, b2, wd = hyper[0], hyper[1], hyper[2]
    lr = sched[t, 0]
    m = state[:d]
    for j in range(d):
        c = b1 * m[j] + (1.0 - b1) * g[j]
        x[j] = x[j] - lr * (np.sign(c) + wd * x[j])
        m[j] = b2 * m[j] + (1.0 - b2) * g[j]
    return DONE


def lion_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy Lion (the module docstring's equations)."""
    if phase == 0:
        return GRAD_X
    b1, b2, wd = hyper
    lr = sched[t, 0]
    c = b1 * state + (1 - b1) * g
    x[:] = x - lr * (np.sign(c) + wd * x)
    state[:] = b2 * state + (1 - b2) * g
    return DONE


def lion(lr=1e-4, b1: float = 0.9, b2: float = 0.99, weight_decay: float = 0.0) -> Optimizer:
    """Lion (Chen et al. 2023, Algorithm 2): ``x -= lr (sign(b1 m + (1-b1) g) + wd x)``, ``m = b2 m + (1-b2) g``."""
    b1 = check_range("b1", b1, 0.0, 1.0)
    b2 = check_range("b2", b2, 0.0, 1.0)
    wd = check_range("weight_decay", weight_decay, 0.0, np.inf)
    s = as_schedule(lr)
    return Optimizer(f"lion(lr={s.name}, b1={b1:g}, b2={b2:g}, wd={wd:g})", lion_step, (s,), (b1, b2, wd),
                     state_size=lambda d: d, init=lambda x0: np.zeros(x0.size), reference=lion_reference,
                     first_request=GRAD_X,
                     equation="x -= lr (sign(b1 m + (1-b1) g) + wd x); m = b2 m + (1-b2) g")


def uniform_step(steps: int = 100) -> Invariance:
    """Every coordinate of ``x_t - (1 - eta_t lambda) x_{t-1}`` has magnitude exactly ``eta_t`` (unless
    the interpolation ``c_t`` is exactly 0), on the battery's rotated quadratic."""

    def check(spec):
        opt = spec.make()
        p = battery_problems()["quadratic"]
        x = engine_trajectory(opt, p, battery_start(p), steps)
        lr, wd = opt.schedule_array(steps)[:, 0], opt.hyper[2]
        step = np.abs(x[1:] - (1 - lr * wd)[:, None] * x[:-1]) / lr[:, None]
        dev = float(np.max(np.abs(step - 1)))
        return dev <= 1e-9, f"max | |x_t - (1 - lr wd) x_(t-1)| / lr - 1 | = {dev:.2g}"

    return Invariance("uniform_step", check)


# The battery's default step 0.2/(20 + t): the sign update moves each coordinate by eta_t, so it
# must decay for the gap to fall by 1e-4 (a constant step stalls at gap ~ d L eta^2); sum eta_t
# diverges (log) while eta_2000 ~ 1e-4.
SPECS = [
    RuleSpec("lion", lambda **kw: lion(**{"lr": inverse_time(2.0, 20.0), "weight_decay": 1e-3, **kw}),
             "Chen et al. (2023), Algorithm 2",
             (gradient_scale(), permutation(), uniform_step()),
             rejects=(({"b1": 1.0}, "b1"), ({"b2": -0.1}, "b2"), ({"weight_decay": -1.0}, "weight_decay"))),
]
