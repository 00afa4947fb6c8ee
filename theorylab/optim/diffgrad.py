r"""diffGrad (Dubey, Chakraborty, Roy, Mukherjee, Singh & Chaudhuri 2019, "diffGrad: An Optimization
Method for Convolutional Neural Networks", IEEE TNNLS; arXiv:1909.11015).

.. math::
    g_t &\leftarrow g_t + \lambda_{L2}\, x_{t-1} \\
    m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
    \xi_t &= \operatorname{sigmoid}(|g_{t-1} - g_t|) = 1 / (1 + e^{-|g_{t-1} - g_t|}) \in [1/2, 1) \\
    x_t &= x_{t-1} - \eta_t\, \xi_t\, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}

with ``m_0 = v_0 = 0`` and ``g_0 = 0`` (so ``xi_1 = sigmoid(|g_1|)``), the paper's equation.  The
authors' fixed code (``diffGrad_v2.py``; the first release overwrote ``g_{t-1}`` before use, so that
``xi`` was always 1/2) divides by ``sqrt(v_t) + eps`` with the step ``lr sqrt(1 - beta2^t)/(1 - beta1^t)``,
i.e. its epsilon is ``eps sqrt(1 - beta2^t)`` in the equation above; we follow the paper.  The L2
weight decay is coupled (added to the gradient, which then also enters ``xi``), as in the code.
With a constant gradient, ``xi_t = 1/2`` for ``t >= 2``: diffGrad then moves exactly like Adam with
half the step (the invariance ``constant_gradient_half_adam``; step 1 differs because ``g_0 = 0``).
State: ``[m (d), v (d), g_prev (d)]``.  Hyper: ``[beta1, beta2, eps, l2]``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .adam import adam
from .base import Optimizer, check_range
from .conformance import (
    Invariance,
    engine_trajectory,
    max_relative_deviation,
    permutation,
)
from .protocol import DONE, GRAD_X
from .registry import RuleSpec
from .schedules import as_schedule

__all__ = ["diffgrad", "diffgrad_step", "diffgrad_reference", "constant_gradient_half_adam"]


@njit(cache=True, error_model="numpy")
def diffgrad_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """diffGrad in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    d = x.shape[0]
    b1, b2, eps, l2 = hyper[0], hyper[1], hyper[2], hyper[3]
    a = sched[t, 0] / (1.0 - b1 ** (t + 1))
    ic2 = 1.0 / (1.0 - b2 ** (t + 1))
    m = state[:d]
    v = state[d:2 * d]
    gp = state[2 * d:3 * d]
    for j in range(d):
        gj = g[j] + l2 * x[j]
        mj = b1 * m[j] + (1.0 - b1) * gj
        vj = b2 * v[j] + (1.0 - b2) * gj * gj
        xi = 1.0 / (1.0 + math.exp(-abs(gp[j] - gj)))
        m[j] = mj
        v[j] = vj
        gp[j] = gj
        x[j] = x[j] - a * xi * mj / (math.sqrt(vj * ic2) + eps)
    return DONE


def diffgrad_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy diffGrad (the module docstring's equations)."""
    if phase == 0:
        return GRAD_X
    d = x.size
    b1, b2, eps, l2 = hyper
    gg = g + l2 * x
    m = b1 * state[:d] + (1 - b1) * gg
    v = b2 * state[d:2 * d] + (1 - b2) * gg ** 2
    xi = 1 / (1 + np.exp(-np.abs(state[2 * d:] - gg)))
    state[:d], state[d:2 * d], state[2 * d:] = m, v, gg
    x[:] = x - sched[t, 0] * xi * (m / (1 - b1 ** (t + 1))) / (np.sqrt(v / (1 - b2 ** (t + 1))) + eps)
    return DONE


def diffgrad(lr=1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0) -> Optimizer:
    """diffGrad (Dubey et al. 2019): Adam's step times the friction ``sigmoid(|g_{t-1} - g_t|)``;
    ``weight_decay`` is coupled L2 (``g + wd x``), as in the authors' code."""
    b1 = check_range("b1", b1, 0.0, 1.0)
    b2 = check_range("b2", b2, 0.0, 1.0)
    eps = check_range("eps", eps, 0.0, np.inf)
    l2 = check_range("weight_decay", weight_decay, 0.0, np.inf)
    s = as_schedule(lr)
    return Optimizer(f"diffgrad(lr={s.name}, b1={b1:g}, b2={b2:g}, eps={eps:g}, wd={l2:g})", diffgrad_step, (s,),
                     (b1, b2, eps, l2), state_size=lambda d: 3 * d, init=lambda x0: np.zeros(3 * x0.size),
                     reference=diffgrad_reference, first_request=GRAD_X,
                     equation="m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; xi = sigmoid(|g_prev - g|); "
                              "x -= lr xi m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps)")


def constant_gradient_half_adam(steps: int = 50) -> Invariance:
    """Under a constant gradient (a weighted L1 objective far from its kink) the steps ``t >= 2`` of
    diffGrad equal Adam's with half the learning rate (``xi = sigmoid(0) = 1/2``)."""

    def check(spec):
        from ..problems import (
            WeightedL1,  # problems sit beside optim; imported where used
        )

        p = WeightedL1(np.geomspace(0.1, 1.0, 8))
        x0 = np.full(8, 10.0)  # the iterates stay on one side of the kink: grad f = weights
        opt = spec.make()
        b1, b2, eps, _ = opt.hyper
        lr = float(opt.schedule_array(1)[0, 0])
        a = engine_trajectory(opt, p, x0, steps)
        b = engine_trajectory(adam(lr=lr / 2, b1=b1, b2=b2, eps=eps), p, x0, steps)
        dev = max_relative_deviation(np.diff(a[1:], axis=0), np.diff(b[1:], axis=0))
        return dev <= 1e-12, f"steps t >= 2 vs Adam(lr/2): max relative deviation {dev:.2g}"

    return Invariance("constant_gradient_half_adam", check)


SPECS = [
    RuleSpec("diffgrad", lambda **kw: diffgrad(**{"lr": 0.05, **kw}), "Dubey et al. (2019), diffGrad update rule",
             (permutation(), constant_gradient_half_adam()),
             rejects=(({"b1": 1.0}, "b1"), ({"b2": -0.1}, "b2"), ({"eps": -1e-8}, "eps"),
                      ({"weight_decay": -1.0}, "weight_decay"))),
]
