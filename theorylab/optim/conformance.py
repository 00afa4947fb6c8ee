"""The conformance battery every update rule passes (the generic test is
``tests/unit/test_optimizer_battery.py``; rules are listed by :mod:`.registry`).

1. *Reference*: the Numba step, run by the engine, equals the rule's plain-numpy reference of the
   written equation, driven here by an independent Python loop, step by step (relative 1e-12).
2. *Convergence*: with its battery defaults the rule reduces the gap of a strongly convex
   (rotated, ill-conditioned) quadratic and of a ridge-regularised logistic regression by the
   required factor, with exact gradients.
3. *Finite state*: the final optimizer state is finite.
4. *Invariances* implied by the equation (:func:`gradient_scale`, :func:`permutation`,
   :func:`rotation`, or rule-specific ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..problems import Logistic, Problem, Quadratic, random_rotation
from ..random import replica_states
from .base import Optimizer
from .protocol import (
    DONE,
    GRAD_X,
    GRAD_X_SAME,
    HVP_X_FULL,
    HVP_X_SAME,
    LOSS_POINT_SAME,
    LOSS_X_SAME,
)

__all__ = ["Invariance", "battery_problems", "battery_start", "reference_trajectory", "engine_trajectory",
           "max_relative_deviation", "drive_rule", "gradient_scale", "permutation", "rotation"]


@dataclass(frozen=True)
class Invariance:
    """A named property of a rule: ``check(spec)`` returns ``(holds, detail)``."""

    name: str
    check: Callable


def battery_problems() -> dict[str, Problem]:
    """The battery's problems: a rotated quadratic (kappa = 10) and a ridge logistic regression."""
    quad = Quadratic(np.geomspace(0.1, 1.0, 8), x_star=np.linspace(-1.0, 1.0, 8)).rotated(seed=1)
    return {"quadratic": quad, "logistic": Logistic.gaussian(200, 8, ridge=0.05, seed=0)}


def battery_start(problem: Problem) -> np.ndarray:
    """A fixed start at distance about 1.5 from the minimiser."""
    return problem.x_star + 1.5 * np.random.default_rng(7).standard_normal(problem.d) / np.sqrt(problem.d)


def reference_trajectory(opt: Optimizer, problem: Problem, x0: np.ndarray, steps: int, seed: int = 0) -> np.ndarray:
    """``(steps + 1, d)`` iterates of ``opt.reference`` with exact gradients, in plain Python/numpy.

    Serves the protocol's requests itself (gradients, losses and Hessian-vector products; with
    exact gradients a "same sample" request is an ordinary one) and uses the random stream the
    engine gives replica 0 of ``seed``.
    """
    if opt.reference is None:
        raise ValueError(f"{opt.name} has no numpy reference")
    sched, hyper = opt.schedule_array(steps), opt.hyper_array()
    state = opt.initial_state(x0[None, :])[0]
    post = opt.post
    post_state = None if post is None else np.array(post.init(x0), dtype=float)
    rng = replica_states(seed, 1)[0].copy()
    x = np.array(x0, dtype=float)
    point, g, aux = np.zeros_like(x), np.zeros_like(x), np.zeros(2)
    out = [x.copy()]
    for t in range(steps):
        phase = 0
        code = opt.first_request if opt.first_request != DONE else opt.reference(0, t, sched, x, g, point, aux, state,
                                                                                  hyper, rng)
        while code != DONE:
            at = x if code in (GRAD_X, GRAD_X_SAME, LOSS_X_SAME) else point
            if code in (LOSS_X_SAME, LOSS_POINT_SAME):
                aux[0] = problem.f(at)
            elif code in (HVP_X_SAME, HVP_X_FULL):
                g[:] = problem.hessian(x) @ point
            else:
                g[:] = problem.grad(at)
            phase += 1
            code = opt.reference(phase, t, sched, x, g, point, aux, state, hyper, rng)
        if post is not None:
            post.reference(t, x, post_state, np.asarray(post.hyper, dtype=float))
        out.append(x.copy())
    return np.array(out)


def engine_trajectory(opt: Optimizer, problem: Problem, x0: np.ndarray, steps: int, seed: int = 0) -> np.ndarray:
    """``(steps + 1, d)`` iterates of the engine (Numba step) with exact gradients, one replica."""
    from ..engine import simulate  # the engine sits above optim in the layer order

    run = simulate(problem, opt, steps=steps, replicas=1, seed=seed, x0=x0, checkpoints=np.arange(steps + 1),
                   metrics=("gap",), record_iterates=True)
    return run.x[0]


def drive_rule(opt: Optimizer, gradient: Callable[[int, np.ndarray], np.ndarray], x0: np.ndarray,
               steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run ``opt``'s compiled step function on the gradients ``gradient(t, x_t)`` (any sequence, not
    only a problem's; the rule must ask for nothing but ``GRAD_X``); return the iterates
    ``(steps + 1, d)``, the gradients ``(steps, d)`` and the state after each step ``(steps, S)``."""
    if opt.first_request != GRAD_X:
        raise ValueError(f"{opt.name} does not start its steps with a gradient at x")
    d = len(x0)
    sched, hyper = opt.schedule_array(steps), opt.hyper_array()
    state = opt.initial_state(np.asarray(x0, dtype=float)[None, :])[0]
    x = np.array(x0, dtype=float)
    point, aux, rng = np.zeros(d), np.zeros(2), replica_states(0, 1)[0].copy()
    xs, grads, states = np.empty((steps + 1, d)), np.empty((steps, d)), np.empty((steps, state.size))
    xs[0] = x
    for t in range(steps):
        g = np.array(gradient(t, x), dtype=float)
        grads[t] = g
        if opt.step(1, t, sched, x, g, point, aux, state, hyper, rng) != DONE:
            raise ValueError(f"{opt.name} asked for more than a gradient at x")
        xs[t + 1], states[t] = x, state
    return xs, grads, states


def max_relative_deviation(a: np.ndarray, b: np.ndarray) -> float:
    """``max |a - b| / max(1, max |b|)``."""
    return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(b)))))


def gradient_scale(factor: float = 100.0, rtol: float = 1e-9, **overrides) -> Invariance:
    """Scaling the objective by ``factor`` leaves the iterates unchanged (e.g. Adam with ``eps = 0``)."""

    def check(spec):
        p = battery_problems()["quadratic"]
        scaled = Quadratic(p.spectrum * factor, p.x_star, p.rotation)
        x0 = battery_start(p)
        a = engine_trajectory(spec.make(**overrides), p, x0, 100)
        b = engine_trajectory(spec.make(**overrides), scaled, x0, 100)
        dev = max_relative_deviation(b, a)
        return dev <= rtol, f"f -> {factor:g} f: max relative deviation of the iterates {dev:.2g}"

    return Invariance(f"gradient_scale x{factor:g}", check)


def permutation(rtol: float = 1e-12, **overrides) -> Invariance:
    """Permuting the coordinates of the problem permutes the iterates (coordinate-wise rules)."""

    def check(spec):
        lam = np.geomspace(0.1, 1.0, 8)
        xs = np.linspace(-1.0, 1.0, 8)
        perm = np.random.default_rng(3).permutation(8)
        p, q = Quadratic(lam, xs), Quadratic(lam[perm], xs[perm])
        x0 = battery_start(p)
        a = engine_trajectory(spec.make(**overrides), p, x0, 100)
        b = engine_trajectory(spec.make(**overrides), q, x0[perm], 100)
        dev = max_relative_deviation(b, a[:, perm])
        return dev <= rtol, f"coordinate permutation: max relative deviation {dev:.2g}"

    return Invariance("permutation", check)


def rotation(rtol: float = 1e-9, **overrides) -> Invariance:
    """Rotating the problem rotates the iterates (rules built from inner products: (S)GD, momentum)."""

    def check(spec):
        lam, xs = np.geomspace(0.1, 1.0, 8), np.linspace(-1.0, 1.0, 8)
        Q = random_rotation(8, seed=5)
        p, q = Quadratic(lam, xs), Quadratic(lam, Q @ xs, rotation=Q)  # f_q(Q x) = f_p(x)
        x0 = battery_start(p)
        a = engine_trajectory(spec.make(**overrides), p, x0, 100)
        b = engine_trajectory(spec.make(**overrides), q, Q @ x0, 100)
        dev = max_relative_deviation(b, a @ Q.T)
        return dev <= rtol, f"rotation: max relative deviation {dev:.2g}"

    return Invariance("rotation", check)
