"""Overhead and scaling of theorylab.sweep on each executor.

    python benchmarks/sweep_overhead.py [--tasks 2000] [--no-dask]

1. Per-task overhead: a sweep of no-op tasks, in-process, on a warm local pool of 2 processes,
   with a store (the same pool, writing one npz + JSON per task), and on a warm Dask
   ``LocalCluster`` of 2 processes; the start-up time of each executor is printed apart.
2. Scaling: 200 tasks of 50 ms of CPU each on a warm local pool of 1 and of 2 processes; the speed-up
   is time(1) / time(2) (the goal is >= 1.7 on 2 cores).
"""

from __future__ import annotations

import argparse
import tempfile
import time

from theorylab import sweep


def noop(i: int) -> dict:
    return {}


def busy(i: int, seconds: float) -> dict:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    return {}


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def per_task(n: int, **kwargs) -> float:
    """Seconds per no-op task of a sweep of ``n`` (after one warm-up sweep)."""
    tasks = sweep.tasks(noop, sweep.grid(i=range(n)))
    sweep.run(tasks[:50], progress=None, **{k: v for k, v in kwargs.items() if k != "store"})
    return timed(lambda: sweep.run(tasks, progress=None, **kwargs)) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=2000, help="no-op tasks per overhead sweep")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster")
    args = ap.parse_args()
    rows = []

    rows.append(("in-process", "-", per_task(args.tasks)))
    t0 = time.perf_counter()
    pool = sweep.local_executor(2)
    pool.submit(noop, 0).result()  # the processes start with the first task
    start = time.perf_counter() - t0
    rows.append(("local pool, 2 processes", f"{start:.2f}", per_task(args.tasks, executor=pool)))
    with tempfile.TemporaryDirectory() as root:
        rows.append(("local pool, 2 processes, store", "-", per_task(args.tasks, executor=pool, store=root)))
    pool.shutdown()
    if not args.no_dask:
        t0 = time.perf_counter()
        with sweep.dask_executor("local", n_workers=2) as dask:
            dask.submit(noop, 0).result()
            start = time.perf_counter() - t0
            rows.append(("Dask LocalCluster, 2 processes", f"{start:.2f}", per_task(args.tasks, executor=dask)))
    print(f"per-task overhead ({args.tasks} no-op tasks, warm executor)\n")
    print(f"{'executor':34s} {'start (s)':>10s} {'per task (ms)':>14s}")
    for name, start, t in rows:
        print(f"{name:34s} {start:>10s} {1e3 * t:14.3f}")

    work = sweep.tasks(busy, sweep.grid(i=range(200), seconds=[0.05]))
    times = {}
    for n in (1, 2):
        with sweep.local_executor(n) as ex:
            sweep.run(sweep.tasks(noop, sweep.grid(i=range(4 * n))), executor=ex, progress=None)  # warm
            times[n] = timed(lambda: sweep.run(work, executor=ex, progress=None))
    print("\n200 tasks x 50 ms of CPU, warm local pool\n")
    print(f"{'processes':>10s} {'wall (s)':>9s} {'speed-up':>9s}")
    for n, t in times.items():
        print(f"{n:>10d} {t:9.2f} {times[1] / t:9.2f}")


if __name__ == "__main__":
    main()
