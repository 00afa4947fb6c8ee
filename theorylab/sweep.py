"""Run many tasks (claim checks, or function calls over a parameter grid) on any executor.

A :class:`Task` is a target (a :class:`~theorylab.claims.Claim`, or a module-level function
returning a mapping of arrays), its parameters and a seed.  :func:`imap` / :func:`run` execute a
list of tasks in-process (``workers=1``), on a local process pool (``workers=N``,
:func:`local_executor`), or on any :class:`concurrent.futures.Executor`, e.g. a Dask cluster
(:func:`dask_executor`), and return the results in task order whatever the completion order.

Every result travels as ``(arrays, record)`` (:meth:`Task.__call__` encodes it where it was
computed, :meth:`Task.decode` restores it): a result is the same object whether it was computed
in-process, in another process, on another machine or read back from a :class:`~theorylab.store.Store`.
Since theorylab draws replica ``r`` from a stream derived from ``(seed, r)`` and a task runs with
one BLAS thread, results are bit-identical for any executor, worker count and task order.  With a
store, each finished task is stored as it completes, and a task already stored is not computed
again: an interrupted sweep loses only the tasks in flight.

>>> import theorylab as tl
>>> from theorylab import sweep
>>> points = sweep.grid(replicas=[200, 400], horizon=[3.0, 5.0])    # 4 points, last axis fastest
>>> claim = tl.claims.get("bottou2018_optimization_large_scale_ml.thm4.6")
>>> verdicts = sweep.run(sweep.tasks(claim, points), workers=2, store="sweep-store")   # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController
from tqdm.auto import tqdm

from .claims.base import Claim, Verdict
from .store import Store

__all__ = ["Task", "TaskFailed", "grid", "tasks", "imap", "run", "local_executor", "dask_executor",
           "DaskExecutor", "PINNED_ENV"]

PINNED_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""The environment of a local worker process: one Numba and one BLAS thread (the workers share the cores)."""

_PACKAGE = Path(__file__).resolve().parent


class TaskFailed(RuntimeError):
    """A task raised (its exception is the ``__cause__``), or its worker process died."""


def _keywords(fn: Callable) -> tuple[set[str], bool]:
    """The names ``fn`` accepts as keywords, and whether it takes ``**kwargs``."""
    params = inspect.signature(fn).parameters.values()
    return ({p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)},
            any(p.kind == p.VAR_KEYWORD for p in params))


@functools.cache
def _code_hash(fn: Callable) -> str | None:
    """SHA-256 of the file defining ``fn`` when it lies outside theorylab (whose source keys every
    stored result already); None inside theorylab or without a source file."""
    try:
        source = inspect.getsourcefile(fn)
    except TypeError:
        return None
    if source is None or not Path(source).is_file():
        return None
    path = Path(source).resolve()
    return None if _PACKAGE in path.parents else hashlib.sha256(path.read_bytes()).hexdigest()


_blas: tuple[int, ThreadpoolController] | None = None  # (len(sys.modules) when made, controller)


def _one_blas_thread():
    """A context limiting BLAS to one thread: a multi-threaded BLAS sums in an order that depends on
    its thread count, so a task's result would depend on where it ran.  The controller (1 ms to
    make) is remade only after new imports, which are what load new BLAS libraries."""
    global _blas
    if _blas is None or _blas[0] != len(sys.modules):
        _blas = (len(sys.modules), ThreadpoolController())
    return _blas[1].limit(limits=1, user_api="blas")


@dataclass(frozen=True)
class Task:
    """One unit of work: ``target`` with ``params`` and ``seed``.

    ``target`` is a :class:`~theorylab.claims.Claim`: the task is ``claim.check(params)``, ``params``
    a size name (``"quick"``, ``"full"``) or a dict of :meth:`Claim.evaluate` parameters, and the
    result a :class:`~theorylab.claims.Verdict`.  Or ``target`` is a module-level function, called
    as ``target(**params, seed=seed)`` (no ``seed`` when None), that returns a mapping of names to
    arrays; the result is that dict of numpy arrays.  A parameter the target does not take is a
    ValueError naming those it takes: a claim's are the keys of its sizes (and ``seed`` if its
    ``evaluate`` takes one), a function's its keyword parameters.
    """

    target: Claim | Callable[..., Mapping[str, Any]]
    params: str | Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None

    def __post_init__(self):
        if isinstance(self.target, Claim):
            fn = self.target.evaluate
            valid = {k for size in self.target.sizes.values() for k in size}
            if isinstance(self.params, str) and self.params not in self.target.sizes:
                raise ValueError(f"{self.name} has sizes {sorted(self.target.sizes)}, not {self.params!r}")
        elif callable(self.target):
            if "<" in getattr(self.target, "__qualname__", "<") or not hasattr(self.target, "__module__"):
                raise TypeError(f"a task function must be defined at module level, got {self.target!r} "
                                f"(pass fixed arguments as parameters)")
            if isinstance(self.params, str):
                raise TypeError(f"the parameters of {self.name} must be a mapping, not {self.params!r}")
            fn, valid = self.target, None
        else:
            raise TypeError(f"a task's target is a Claim or a function, not {type(self.target).__name__}")
        names, any_keyword = _keywords(fn)
        if fn is self.target and not any_keyword:
            valid = names - {"seed"}
        takes_seed = "seed" in names or any_keyword
        given = set() if isinstance(self.params, str) else set(self.params)
        if "seed" in given:
            raise ValueError(f"{self.name}: give the seed as Task(..., seed=...), not as a parameter")
        if self.seed is not None and not takes_seed:
            raise ValueError(f"{self.name} takes no seed")
        unknown = sorted(given - valid) if valid is not None else []
        if unknown:
            raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for {self.name}; valid: "
                             f"{', '.join(sorted(valid | ({'seed'} if takes_seed else set())))}")
        try:
            inspect.signature(fn).bind(**self._kwargs())
        except TypeError as e:
            raise ValueError(f"{self.name}: {e}") from None

    @property
    def name(self) -> str:
        """The claim's key, or the function's ``module.qualname``."""
        if isinstance(self.target, Claim):
            return self.target.key
        return f"{self.target.__module__}.{self.target.__qualname__}"

    def _kwargs(self) -> dict[str, Any]:
        """The keyword arguments of the call (a claim's size resolved to its parameters)."""
        params = self.target.sizes[self.params] if isinstance(self.params, str) else self.params
        return dict(params) if self.seed is None else dict(params, seed=self.seed)

    def _size(self) -> str | dict[str, Any]:
        """What a claim task passes to :meth:`Claim.check`: its size name, or its parameters."""
        return self.params if isinstance(self.params, str) and self.seed is None else self._kwargs()

    def identity(self) -> dict[str, Any]:
        """What this task computes (name, parameters, seed, and a function's file hash): the store key's
        input (:func:`theorylab.store.key`)."""
        if isinstance(self.target, Claim):
            size = self._size()
            return dict(claim=self.name, size=size if isinstance(size, str) else "custom", params=self._kwargs())
        return dict(function=self.name, params=self._kwargs(), code=_code_hash(self.target))

    def __call__(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Compute the result, with one BLAS thread, and encode it as ``(arrays, record)`` (where the
        task is executed)."""
        with _one_blas_thread():
            if isinstance(self.target, Claim):
                return self.target.check(self._size()).to_record()
            out = self.target(**self._kwargs())
        if not isinstance(out, Mapping):
            raise TypeError(f"{self.name} returned {type(out).__name__}; a task function returns a mapping of "
                            f"names to arrays")
        return {str(k): np.asarray(v) for k, v in out.items()}, {}

    def decode(self, arrays: dict[str, np.ndarray], record: dict[str, Any]) -> Verdict | dict[str, np.ndarray]:
        """The result encoded by :meth:`__call__`: a Verdict for a claim, the dict of arrays for a function."""
        return Verdict.from_record(arrays, record) if isinstance(self.target, Claim) else arrays

    def __str__(self) -> str:
        params = self.params if isinstance(self.params, str) else ", ".join(
            f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({params}{'' if self.seed is None else f', seed={self.seed}'})"


def grid(**axes: Iterable[Any]) -> list[dict[str, Any]]:
    """Every combination of the axes' values (their Cartesian product), the last axis varying fastest.

    >>> grid(lr=[0.1, 0.2], seed=[0, 1])
    [{'lr': 0.1, 'seed': 0}, {'lr': 0.1, 'seed': 1}, {'lr': 0.2, 'seed': 0}, {'lr': 0.2, 'seed': 1}]
    """
    for name, values in axes.items():
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise TypeError(f"axis {name!r} must be a list of values, not {values!r}")
    names, values = list(axes), [list(v) for v in axes.values()]
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def tasks(target: Claim | Callable[..., Mapping[str, Any]], points: Iterable[Mapping[str, Any]] = ({},), *,
          size: str | None = None) -> list[Task]:
    """One :class:`Task` of ``target`` per point (a dict of parameters, e.g. from :func:`grid`; a
    ``seed`` entry becomes the task's seed).  For a claim, a point overrides the parameters of its
    ``size`` (default ``"quick"``); the empty point is that size itself."""
    if not isinstance(target, Claim) and size is not None:
        raise ValueError("size applies to claims only")
    out = []
    for point in points:
        params = dict(point)
        seed = params.pop("seed", None)
        if isinstance(target, Claim):
            base = size or "quick"
            if base not in target.sizes:
                raise ValueError(f"{target.key} has sizes {sorted(target.sizes)}, not {base!r}")
            params = dict(target.sizes[base], **params) if params else base
        out.append(Task(target, params, seed))
    return out


def _pin_threads() -> None:
    """Initializer of a local worker process: one Numba thread, and one thread in the processes it starts."""
    env = dict(PINNED_ENV)
    if "numba" in sys.modules:  # numba read NUMBA_NUM_THREADS on import; another value now fails its next compile
        del env["NUMBA_NUM_THREADS"]
    os.environ.update(env)
    _one_numba_thread()


def _one_numba_thread() -> None:
    """Numba's parallel loops started by this thread use one thread."""
    import numba

    numba.set_num_threads(1)


def _call_with_one_numba_thread(fn: Callable, /, *args, **kwargs):
    _one_numba_thread()
    return fn(*args, **kwargs)


@contextmanager
def _environ(values: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def local_executor(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` local processes, each with one Numba and one BLAS thread.

    The processes fork from multiprocessing's *forkserver*; when this call starts it, the server
    runs with :data:`PINNED_ENV` and preloads theorylab (numba and numpy read their thread counts
    once imported, and the workers start without importing theorylab again).
    """
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["__main__", "theorylab"])
    with _environ(PINNED_ENV):
        multiprocessing.forkserver.ensure_running()
    return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_pin_threads)


class DaskExecutor(Executor):
    """A :class:`concurrent.futures.Executor` on a Dask cluster (:func:`dask_executor`).

    A call runs with one Numba thread (Dask runs one task per worker thread; its nanny already
    gives the workers one BLAS thread).  Shutting the executor down closes its client, and the
    ``LocalCluster`` it started if any.  The scheduler re-runs the tasks of a worker that dies on
    the other workers (up to Dask's ``distributed.scheduler.allowed-failures`` deaths per task).
    """

    def __init__(self, client, cluster=None):
        self.client, self.cluster = client, cluster
        self._executor = client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._executor.submit(_call_with_one_numba_thread, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait and not cancel_futures)
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def dask_executor(address: str, n_workers: int | None = None, timeout: float = 5.0) -> DaskExecutor:
    """An executor on the Dask scheduler at ``address`` (e.g. ``tcp://scheduler:8786``), or on a new
    ``LocalCluster`` of ``n_workers`` processes (default: one per core; one thread each, loopback
    only) when ``address == "local"``.

    Needs the ``dask`` extra (``pip install 'theorylab[dask]'``).  A scheduler that cannot be reached
    within ``timeout`` seconds raises :class:`ConnectionError` naming ``address``.  Remote workers
    need theorylab installed, and should run one thread each (``--nthreads 1``).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:
        raise ImportError("a Dask executor needs distributed: pip install 'theorylab[dask]'") from e
    if address == "local":
        cluster = LocalCluster(n_workers=n_workers or os.cpu_count(), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
        return DaskExecutor(Client(cluster), cluster)
    if n_workers is not None:
        raise ValueError("n_workers applies to a LocalCluster (address='local') only")
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as e:
        raise ConnectionError(f"cannot reach the Dask scheduler at {address!r} within {timeout:g} s: {e}") from e
    return DaskExecutor(client)


def imap(tasks: Iterable[Task], *, executor: Executor | None = None, workers: int = 1,
         store: Store | str | os.PathLike | None = None, progress: str | None = "sweep") -> Iterator[Any]:
    """The results of ``tasks``, in task order, each as soon as it and those before it are done.

    ``executor``: where to run them (not shut down here); else ``workers=1`` runs them in this
    process and ``workers=N`` on a :func:`local_executor` of N processes, shut down at the end.
    ``store``: a :class:`~theorylab.store.Store` or its folder (checked writable now, before any work):
    stored tasks are read back, the others stored as each completes.  ``progress``: the label of a
    progress bar on stderr (shown on a terminal only), or None.  A failed task raises
    :class:`TaskFailed` after the tasks in flight are cancelled; the finished ones are stored.
    """
    tasks = list(tasks)
    bad = [t for t in tasks if not isinstance(t, Task)]
    if bad:
        raise TypeError(f"tasks must be Task objects, got {type(bad[0]).__name__}")
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if store is not None and not isinstance(store, Store):
        store = Store(store)
    return _results(tasks, executor, workers, store, progress)


def run(tasks: Iterable[Task], **kwargs) -> list[Any]:
    """The results of ``tasks`` in task order (:func:`imap`'s keyword arguments)."""
    return list(imap(tasks, **kwargs))


def _results(tasks: list[Task], executor: Executor | None, workers: int, store: Store | None,
             progress: str | None) -> Iterator[Any]:
    done: dict[int, Any] = {}
    next_out = 0
    bar = tqdm(total=len(tasks), desc=progress, unit="task", file=sys.stderr,
               disable=None if progress else True)
    owned = executor is None and workers > 1
    futures: dict[Future, int] = {}

    def finish(i: int, encoded: tuple[dict[str, np.ndarray], dict[str, Any]]) -> None:
        if store is not None:
            store.put(tasks[i].identity(), *encoded)
        done[i] = tasks[i].decode(*encoded)
        bar.update()

    def ready() -> Iterator[Any]:
        nonlocal next_out
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1

    try:
        todo = []
        for i, task in enumerate(tasks):
            hit = store.get(task.identity()) if store is not None else None
            if hit is None:
                todo.append(i)
            else:
                done[i] = task.decode(*hit)
                bar.update()
        if owned:
            executor = local_executor(workers)
        if executor is None:
            for i in todo:
                yield from ready()
                try:
                    encoded = tasks[i]()
                except Exception as e:
                    raise TaskFailed(f"task {tasks[i]} failed: {e!r}") from e
                finish(i, encoded)
        else:
            futures = {executor.submit(tasks[i]): i for i in todo}
            for f in as_completed(futures):
                i = futures[f]
                try:
                    encoded = f.result()
                except Exception as e:
                    raise TaskFailed(f"task {tasks[i]} failed: {e!r}") from e
                finish(i, encoded)
                yield from ready()
        yield from ready()
    finally:
        for f in futures:
            f.cancel()
        if owned and executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        bar.close()
