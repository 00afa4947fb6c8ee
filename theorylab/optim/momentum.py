r"""First-order methods of the momentum family, one equation for all of them:

.. math::
    x_{t} = x_{t-1} + \beta_t (x_{t-1} - x_{t-2}) - \eta_t\, g\big(x_{t-1} + \gamma_t (x_{t-1} - x_{t-2})\big),
    \qquad x_{-1} = x_0,

with ``g`` the (stochastic) gradient.  ``beta = gamma = 0``: (S)GD.  ``gamma = 0``: Polyak's heavy
ball (Polyak 1964).  ``gamma = beta``: Nesterov's accelerated gradient in the form of Bubeck (2015),
Thms 3.18-3.19 (the iterate is Bubeck's ``y_t``; the gradient is taken at the extrapolated
``x_t``).  All three coefficients are schedules evaluated before the kernel runs.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .base import Optimizer
from .conformance import permutation, rotation
from .protocol import DONE, GRAD_POINT, GRAD_X
from .registry import RuleSpec
from .schedules import Schedule, as_schedule, constant

__all__ = ["sgd", "gd", "heavy_ball", "nesterov", "nesterov_convex_momentum",
           "nesterov_strongly_convex_momentum", "momentum_step", "momentum_reference"]

# schedule columns: 0 eta (lr), 1 beta (momentum), 2 gamma (extrapolation); state = x_{t-1};
# hyper[0] = 1 when the rule uses x_{t-1} (heavy ball, Nesterov), 0 for plain (S)GD.


@njit(cache=True, fastmath={"reassoc", "contract", "nsz"}, error_model="numpy")
def momentum_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """The momentum-family update (module docstring) in the engine's protocol."""
    if phase == 0:
        gamma = sched[t, 2]
        if gamma == 0.0:
            return GRAD_X
        for j in range(x.shape[0]):
            point[j] = x[j] + gamma * (x[j] - state[j])
        return GRAD_POINT
    eta = sched[t, 0]
    if hyper[0] == 0.0:
        for j in range(x.shape[0]):
            x[j] -= eta * g[j]
    else:
        beta = sched[t, 1]
        for j in range(x.shape[0]):
            xn = x[j] + beta * (x[j] - state[j]) - eta * g[j]
            state[j] = x[j]
            x[j] = xn
    return DONE


def momentum_reference(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Plain-numpy reference of :func:`momentum_step` (the equation in the module docstring)."""
    if phase == 0:
        if sched[t, 2] == 0.0:
            return GRAD_X
        point[:] = x + sched[t, 2] * (x - state)
        return GRAD_POINT
    new = x + sched[t, 1] * (x - state) - sched[t, 0] * g
    if hyper[0] != 0.0:
        state[:] = x
    x[:] = new
    return DONE


def _momentum(name: str, lr, momentum, extrapolation, uses_previous: bool, extrapolates: bool) -> Optimizer:
    lr, momentum, extrapolation = as_schedule(lr), as_schedule(momentum, "momentum"), as_schedule(extrapolation)
    return Optimizer(name, momentum_step, (lr, momentum, extrapolation), (1.0 if uses_previous else 0.0,),
                     state_size=lambda d: d, init=lambda x0: x0.copy(), reference=momentum_reference,
                     equation="x_t = x_{t-1} + beta_t (x_{t-1} - x_{t-2}) - eta_t g(x_{t-1} + gamma_t (x_{t-1} - x_{t-2}))",
                     first_request=DONE if extrapolates else GRAD_X)


def sgd(lr) -> Optimizer:
    """(Stochastic) gradient descent ``x_t = x_{t-1} - eta_t g(x_{t-1})``."""
    s = as_schedule(lr)
    return _momentum(f"sgd(lr={s.name})", s, constant(0.0), constant(0.0), False, False)


gd = sgd


def heavy_ball(lr, momentum) -> Optimizer:
    """Polyak's heavy ball ``x_t = x_{t-1} + beta (x_{t-1} - x_{t-2}) - eta g(x_{t-1})``."""
    s, m = as_schedule(lr), as_schedule(momentum, "momentum")
    return _momentum(f"heavy_ball(lr={s.name}, momentum={m.name})", s, m, constant(0.0), True, False)


def nesterov(lr, momentum) -> Optimizer:
    """Nesterov: gradient at ``y = x_{t-1} + beta (x_{t-1} - x_{t-2})``, then ``x_t = y - eta g(y)``."""
    s, m = as_schedule(lr), as_schedule(momentum, "momentum")
    return _momentum(f"nesterov(lr={s.name}, momentum={m.name})", s, m, m, True, True)


def nesterov_strongly_convex_momentum(kappa: float) -> Schedule:
    """``(sqrt(kappa) - 1)/(sqrt(kappa) + 1)`` (Bubeck 2015, Thm 3.18)."""
    if not kappa >= 1:
        raise ValueError(f"kappa must be >= 1, got {kappa}")
    q = np.sqrt(kappa)
    return constant((q - 1) / (q + 1))


def nesterov_convex_momentum() -> Schedule:
    r"""``beta_t = (lambda_{t-1} - 1)/lambda_t`` for ``t >= 2`` (``beta_1 = 0``), ``lambda_0 = 0``,
    ``lambda_s = (1 + sqrt(1 + 4 lambda_{s-1}^2))/2`` (Bubeck 2015, Thm 3.19: his
    ``x_{s+1} = (1 - gamma_s) y_{s+1} + gamma_s y_s``, ``gamma_s = (1 - lambda_s)/lambda_{s+1}``)."""

    def fn(t):
        tmax = int(t.max()) if t.size else 0
        lam = np.zeros(tmax + 1)
        for s in range(1, tmax + 1):
            lam[s] = (1 + np.sqrt(1 + 4 * lam[s - 1] ** 2)) / 2
        i = t.astype(np.int64)
        # t = 1 has no previous iterate (x_{-1} = x_0); (lambda_0 - 1)/lambda_1 = -1 would be inert
        return np.where(i == 1, 0.0, (lam[i - 1] - 1) / lam[i])

    return Schedule(fn, "nesterov_convex")


SPECS = [
    RuleSpec("sgd", lambda lr=0.5: sgd(lr), "Robbins & Monro (1951); gradient descent (Cauchy 1847)",
             (permutation(), rotation()), rejects=(({"lr": -0.1}, "lr"),)),
    RuleSpec("heavy_ball", lambda lr=0.5, momentum=0.5: heavy_ball(lr, momentum), "Polyak (1964)",
             (permutation(), rotation())),
    RuleSpec("nesterov", lambda lr=0.5, momentum=0.5: nesterov(lr, momentum),
             "Nesterov (1983); Bubeck (2015), Thms 3.18-3.19", (permutation(), rotation())),
]
