"""``simulate``: validate a problem x optimizer x noise set-up and run the Numba kernel."""

from __future__ import annotations

import numbers

import numba
import numpy as np
from tqdm.auto import tqdm

from ..noise import Exact, Noise
from ..optim.averaging import Averaging
from ..optim.base import Optimizer, stacked_states
from ..optim.projection import Ball
from ..optim.protocol import no_post
from ..problems.base import Problem
from ..random import replica_states
from .kernel import METRICS, optimizer_kernel
from .run import Run

__all__ = ["simulate", "log_checkpoints", "METRICS"]

_DEFAULT_METRICS = ("gap", "dist2", "grad_norm2")


def log_checkpoints(steps: int, count: int = 50) -> np.ndarray:
    """``0`` and about ``count`` log-spaced integers in ``[1, steps]`` (``steps`` included)."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    pts = np.unique(np.round(np.geomspace(1, steps, count)).astype(np.int64))
    return np.concatenate([[0], pts])


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _checkpoints(checkpoints, steps: int) -> np.ndarray:
    if checkpoints is None:
        return log_checkpoints(steps)
    if isinstance(checkpoints, numbers.Integral):
        return log_checkpoints(steps, int(checkpoints))
    ck = np.unique(np.asarray(checkpoints, dtype=np.int64))
    if ck.size == 0 or ck[0] < 0 or ck[-1] > steps:
        raise ValueError(f"checkpoints must lie in [0, steps = {steps}], got [{ck.min()}, {ck.max()}]")
    return ck


def _initial_points(x0, problem: Problem, replicas: int) -> np.ndarray:
    d = problem.d
    x = np.zeros(d) if x0 is None else np.asarray(x0, dtype=np.float64)
    if x.shape == (d,):
        x = np.broadcast_to(x, (replicas, d))
    if x.shape != (replicas, d):
        raise ValueError(f"x0 must have shape (d,) = ({d},) or (replicas, d) = ({replicas}, {d}) to match "
                         f"the problem's dimension, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 must be finite")
    return _kernel_array(x)


def _kernel_array(a, dtype=np.float64) -> np.ndarray:
    """C-contiguous, aligned, *writeable* array: the one layout the kernel is compiled for (a
    read-only input, e.g. a broadcast view, would otherwise trigger a second compilation)."""
    return np.require(a, dtype=dtype, requirements=["C", "A", "W"])


def simulate(problem: Problem, optimizer: Optimizer, noise: Noise | None = None, *, steps: int,
             replicas: int = 1, seed: int = 0, x0=None, checkpoints=None, average: Averaging | None = None,
             project: Ball | None = None, metrics: tuple[str, ...] | None = None,
             record_iterates: bool = False, blowup: float = 1e12, start: int = 0,
             progress: bool | None = None) -> Run:
    """Run ``replicas`` independent copies of ``optimizer`` on ``problem`` for ``steps`` steps.

    Parameters
    ----------
    problem : a :class:`theorylab.problems.Problem`.
    optimizer : an update rule from :mod:`theorylab.optim`.
    noise : gradient model from :mod:`theorylab.noise` (default: exact gradients).
    steps : number of steps ``T``; iterates ``x_0..x_T``.
    replicas : number of independent replicas ``R``.
    seed : replica ``r`` uses the stream of ``(seed, start + r)``, so results are identical for
        any thread count and any split of the replicas into calls (``start``).
    x0 : initial point ``(d,)`` or per-replica ``(R, d)``; default 0.
    checkpoints : step indices at which metrics are recorded; an int ``k`` asks for ``0`` and ``k``
        log-spaced steps (default 50).
    average : iterate averaging (:mod:`theorylab.optim.averaging`); adds ``avg_gap``, ``avg_dist2``.
    project : constraint set (:func:`theorylab.optim.ball`), applied after every step.
    metrics : names among ``METRICS``; default ``gap``, ``dist2``, ``grad_norm2`` (+ the averaged
        ones with ``average``).  ``mean_grad_norm2`` costs a full gradient per step.
    record_iterates : also return the iterates at the checkpoints (``Run.x``, shape (R, K, d)).
    blowup : a replica diverges when ``||x_t||_1 > blowup * max(1, ||x_0||_1)`` or is not finite.
    progress : tqdm bar over chunks of replicas (None: only on a terminal for long runs).

    Returns
    -------
    Run
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a theorylab Problem, got {type(problem).__name__}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an update rule from theorylab.optim, got {type(optimizer).__name__}")
    noise = Exact() if noise is None else noise
    if not isinstance(noise, Noise):
        raise TypeError(f"noise must come from theorylab.noise, got {type(noise).__name__}")
    steps = _positive_int(steps, "steps")
    replicas = _positive_int(replicas, "replicas")
    if not blowup > 0:
        raise ValueError(f"blowup must be > 0, got {blowup}")
    noise.validate(problem)
    spec = problem.kernel_spec()
    sched = _kernel_array(optimizer.schedule_array(steps))
    ck = _checkpoints(checkpoints, steps)
    x0a = _initial_points(x0, problem, replicas)

    names = tuple(metrics) if metrics is not None else _DEFAULT_METRICS + (
        ("avg_gap", "avg_dist2") if average is not None else ())
    unknown = sorted(set(names) - set(METRICS))
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; valid: {list(METRICS)}")
    if average is None and any(m.startswith("avg_") for m in names):
        raise ValueError("avg_gap / avg_dist2 need an averaging scheme (average=...)")
    want = np.array([m in names for m in METRICS], dtype=np.bool_)
    avg_c = average(steps) if average is not None else np.zeros(steps + 1)
    if project is not None:
        center, radius = project.center_array(problem.d), float(project.radius)
    else:
        center, radius = np.zeros(problem.d), 0.0

    states = replica_states(seed, replicas, start)
    out = np.zeros((replicas, ck.size, len(METRICS)))
    out_x = np.zeros((replicas, ck.size, problem.d)) if record_iterates else np.zeros((0, 0, 0))
    diverged_at = np.empty(replicas, np.int64)
    args_problem = (int(spec.kind), *(_kernel_array(a) for a in (spec.A, spec.M, spec.u, spec.v, spec.c)),
                    float(problem.f_star), _kernel_array(problem.x_star))
    args_noise = (int(noise.code), int(noise.batch), _kernel_array(noise.scale(problem)))
    avg_c, center = _kernel_array(avg_c), _kernel_array(center)
    ck = _kernel_array(ck, np.int64)
    state = _kernel_array(optimizer.initial_state(x0a))
    post = optimizer.post
    post_hook = post.hook if post is not None else no_post
    post_hyper = _kernel_array(post.hyper if post is not None and post.hyper else (0.0,))
    post_state = _kernel_array(np.zeros((replicas, 1)) if post is None else
                               stacked_states(post.state_size, post.init, x0a))
    hyper = _kernel_array(optimizer.hyper_array())
    kernel = optimizer_kernel()
    work = float(replicas) * steps * max(problem.d, 1) * max(noise.batch, 1)
    nchunks = 1
    if replicas >= 4 * numba.get_num_threads() and work > 2e8:
        nchunks = min(20, replicas // max(1, numba.get_num_threads()))
    bounds = np.linspace(0, replicas, nchunks + 1).astype(int)
    show = progress if progress is not None else (None if nchunks > 1 else False)
    step_args = (optimizer.step, int(optimizer.first_request), post_hook, post is not None)
    # chunks of one replica: a thread slowed down by other work on the machine does not hold the
    # others back (replicas own their random streams, so the results do not depend on it)
    with numba.parallel_chunksize(1):
        for a, b in tqdm(list(zip(bounds[:-1], bounds[1:])), disable=(None if show is None else not show),
                         desc="simulate", unit="chunk", leave=False):
            kernel(*step_args, *args_problem, *args_noise, sched, hyper, state[a:b], post_hyper, post_state[a:b],
                   avg_c, center, radius, x0a[a:b], states[a:b], ck, want, float(blowup), out[a:b],
                   out_x[a:b] if record_iterates else out_x, diverged_at[a:b])
    data = {m: out[:, :, i] for i, m in enumerate(METRICS) if want[i]}
    meta = dict(problem=repr(problem), optimizer=repr(optimizer), noise=repr(noise), seed=seed,
                start=start, replicas=replicas, steps=steps,
                average=None if average is None else average.name)
    S = optimizer.state_size(problem.d)
    return Run(ck, data, diverged_at, out_x if record_iterates else None, meta, state[:, :S])
