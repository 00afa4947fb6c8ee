r"""Adam (Kingma & Ba, ICLR 2015, Algorithm 1) and AdamW (Loshchilov & Hutter, ICLR 2019, Alg. 2).

.. math::
    g_t &\leftarrow g_t + \lambda_{L2}\, x_{t-1} \quad \text{(coupled L2, Adam only)} \\
    m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
    \hat m_t &= m_t / (1 - \beta_1^t), \qquad \hat v_t = v_t / (1 - \beta_2^t) \\
    x_t &= x_{t-1} - \eta_t \big( \hat m_t / (\sqrt{\hat v_t} + \epsilon) + \lambda_{W}\, x_{t-1} \big)

with ``t = 1, 2, ...``, ``m_0 = v_0 = 0``; epsilon is added *outside* the square root (as in the
paper and in PyTorch/optax), the weight decay ``lambda_W`` is decoupled (AdamW; 0 for Adam) and
multiplied by the learning rate ``eta_t`` (PyTorch's convention; the AdamW paper multiplies it by
the schedule multiplier only, i.e. our ``lambda_W`` is theirs divided by ``alpha``).
State: ``[m (d), v (d)]``.  Hyper: ``[beta1, beta2, eps, l2, decoupled_wd]``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .base import Optimizer, check_range
from .conformance import gradient_scale, permutation
from .protocol import DONE, GRAD_X
from .registry import RuleSpec
from .schedules import as_schedule

__all__ = ["adam", "adamw", "adam_step", "adam_reference"]


@njit(cache=True, error_model="numpy")
def adam_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Adam/AdamW in the engine's protocol (phase 1: ``g`` is the gradient at ``x``)."""
    d = x.shape[0]
    b1, b2, eps, l2, wd = hyper[0], hyper[1], hyper[2], hyper[3], hyper[4]
    lr = sched[t, 0]
    a = lr / (1.0 - b1 ** (t + 1))        # lr / bias correction of m
    ic2 = 1.0 / (1.0 - b2 ** (t + 1))     # 1 / bias correction of v
    m = state[:d]  # slices (not state[j], state[d + j]) let LLVM vectorise the loop
    v = state[d:2 * d]
    for j in range(d):
        gj = g[j] + l2 * x[j]
        mj = b1 * m[j] + (1.0 - b1) * gj
        vj = b2 * v[j] + (1.0 - b2) * gj * gj
        m[j] = mj
        v[j] = vj
        x[j] = x[j] - a * mj / (math.sqrt(vj * ic2) + eps) - lr * wd * x[j]
    return DONE


def adam_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy Adam/AdamW (the module docstring's equations)."""
    if phase == 0:
        return GRAD_X
    d = x.size
    b1, b2, eps, l2, wd = hyper
    lr = sched[t, 0]
    gg = g + l2 * x
    m = b1 * state[:d] + (1 - b1) * gg
    v = b2 * state[d:] + (1 - b2) * gg ** 2
    state[:d], state[d:] = m, v
    m_hat, v_hat = m / (1 - b1 ** (t + 1)), v / (1 - b2 ** (t + 1))
    x[:] = x - lr * (m_hat / (np.sqrt(v_hat) + eps) + wd * x)
    return DONE


def _adam(name: str, lr, b1: float, b2: float, eps: float, l2: float, wd: float) -> Optimizer:
    b1 = check_range("b1", b1, 0.0, 1.0)
    b2 = check_range("b2", b2, 0.0, 1.0)
    eps = check_range("eps", eps, 0.0, np.inf)
    l2 = check_range("weight_decay", l2, 0.0, np.inf)
    wd = check_range("weight_decay", wd, 0.0, np.inf)
    s = as_schedule(lr)
    return Optimizer(f"{name}(lr={s.name}, b1={b1:g}, b2={b2:g}, eps={eps:g}, wd={max(l2, wd):g})", adam_step,
                     (s,), (b1, b2, eps, l2, wd), state_size=lambda d: 2 * d, init=lambda x0: np.zeros(2 * x0.size),
                     reference=adam_reference, first_request=GRAD_X,
                     equation="m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; x -= lr (m/(1-b1^t) / "
                              "(sqrt(v/(1-b2^t)) + eps) + wd x)")


def adam(lr=1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0) -> Optimizer:
    """Adam (Kingma & Ba 2015, Algorithm 1); ``weight_decay`` adds coupled L2 (``g + wd x``)."""
    return _adam("adam", lr, b1, b2, eps, weight_decay, 0.0)


def adamw(lr=1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8, weight_decay: float = 1e-2) -> Optimizer:
    """AdamW (Loshchilov & Hutter 2019, Algorithm 2): decoupled decay ``x -= lr wd x``."""
    return _adam("adamw", lr, b1, b2, eps, 0.0, weight_decay)


_BAD = (({"b1": 1.0}, "b1"), ({"b2": -0.1}, "b2"), ({"eps": -1e-8}, "eps"), ({"weight_decay": -1.0}, "weight_decay"))
SPECS = [
    RuleSpec("adam", lambda **kw: adam(**{"lr": 0.05, **kw}), "Kingma & Ba (2015), Algorithm 1",
             (gradient_scale(eps=0.0), permutation()), rejects=_BAD),
    RuleSpec("adamw", lambda **kw: adamw(**{"lr": 0.05, "weight_decay": 1e-3, **kw}),
             "Loshchilov & Hutter (2019), Algorithm 2", (permutation(),), rejects=_BAD),
]
