"""Task functions for test_sweep.py, test_store.py and test_check_sweep.py: module-level, so that
worker processes (local pool, Dask) can import them."""

import multiprocessing
import os
import time

import numpy as np

import theorylab as tl

CALLS: list[int] = []  # the ``i`` of every call of ``counted`` made in this process
STOP: int | None = None  # ``counted(i=STOP)`` raises KeyboardInterrupt (an interrupted sweep)


def sgd_gap(lr: float, steps: int = 200, replicas: int = 16, seed: int = 0) -> dict:
    """A real Monte-Carlo run: SGD with additive noise on a quadratic (replica streams from the seed)."""
    p = tl.problems.Quadratic.logspace(8, 0.05, 1.0)
    run = tl.simulate(p, tl.optim.sgd(lr=lr), tl.noise.additive(0.1), steps=steps, replicas=replicas, seed=seed,
                      x0=np.ones(8))
    # a BLAS product too: its result must not depend on the thread count of the process
    a = np.random.default_rng(seed).normal(size=(300, 300))
    return {"gap": run.values("gap"), "t": run.t, "gram": a @ a.T}


def counted(i: int, sleep: float = 0.0) -> dict:
    if STOP == i:
        raise KeyboardInterrupt
    CALLS.append(i)
    time.sleep(sleep)
    return {"i": np.array(i), "square": np.array(float(i) ** 2)}


def dies_in_worker(i: int) -> dict:
    """Kills its worker process at ``i == 3`` (after the others finished); computes in the main process."""
    if i == 3 and multiprocessing.parent_process() is not None:
        time.sleep(0.5)
        os._exit(1)
    return counted(i)


def jit_square(i: int) -> dict:
    """Compiles a new Numba function (numba re-reads its environment when it compiles)."""
    import numba

    return {"square": np.array(numba.njit(lambda v: v * v)(i))}
