"""theorylab.sweep: grids, task validation, identical results on every executor, Dask worker loss,
interrupted and concurrent sweeps, bad input."""

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import theorylab as tl
from theorylab import sweep
from theorylab.store import Store, StoreError

from . import sweep_tasks
from .sweep_tasks import counted, dies_in_worker, jit_square, sgd_gap

CLAIM = "garrigos2023_handbook_sgd.thm3.4_gd_convex"  # 0.02 s, with figure panels and BLAS


def same_arrays(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) and a[k].dtype == b[k].dtype for k in a)


def verdict_json(v) -> dict:
    return {k: val for k, val in v.to_json().items() if k != "seconds"}


@pytest.fixture
def calls(monkeypatch):
    monkeypatch.setattr(sweep_tasks, "CALLS", [])
    return sweep_tasks.CALLS


@pytest.fixture(scope="module")
def dask_cluster():
    pytest.importorskip("distributed")
    with sweep.dask_executor("local", n_workers=2) as ex:
        yield ex


def test_grid_is_the_cartesian_product_last_axis_fastest():
    assert sweep.grid(a=[1, 2], b=["u", "v"]) == [
        dict(a=1, b="u"), dict(a=1, b="v"), dict(a=2, b="u"), dict(a=2, b="v")]
    assert sweep.grid() == [{}]
    with pytest.raises(TypeError, match="axis 'a' must be a list"):
        sweep.grid(a=3)


def test_unknown_parameters_name_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) rate for .*sgd_gap; valid: lr, replicas, seed, steps"):
        sweep.tasks(sgd_gap, sweep.grid(rate=[0.1]))
    claim = tl.claims.get(CLAIM)
    valid = ", ".join(sorted(claim.sizes["quick"]))
    with pytest.raises(ValueError, match=f"unknown parameter\\(s\\) bogus for {CLAIM}; valid: {valid}"):
        sweep.tasks(claim, sweep.grid(bogus=[1]))
    with pytest.raises(ValueError, match="takes no seed"):
        sweep.tasks(claim, sweep.grid(seed=[0]))
    with pytest.raises(ValueError, match="missing a required argument: 'lr'"):
        sweep.Task(sgd_gap, {"steps": 10})
    with pytest.raises(ValueError, match="sizes"):
        sweep.Task(claim, "medium")
    with pytest.raises(TypeError, match="module level"):
        sweep.Task(lambda: {}, {})


def test_claim_tasks_keep_their_size_label():
    claim = tl.claims.get(CLAIM)
    quick, custom = sweep.tasks(claim) + sweep.tasks(claim, [dict(claim.sizes["quick"])])
    assert quick.params == "quick" and quick.identity()["size"] == "quick"
    assert custom.identity()["size"] == "custom" and custom.identity()["params"] == quick.identity()["params"]


def test_identical_results_in_process_local_pool_any_order_and_dask(dask_cluster):
    tasks = sweep.tasks(sgd_gap, sweep.grid(lr=[0.2, 0.5], seed=[0, 1, 2])) + sweep.tasks(jit_square, [{"i": 3}])
    claim = sweep.Task(tl.claims.get(CLAIM), "quick")
    with threadpool_limits(2, user_api="blas"):  # a task runs with one BLAS thread wherever it runs
        reference = sweep.run(tasks + [claim])
    with sweep.local_executor(2) as pool:
        pooled = sweep.run(tasks + [claim], executor=pool)
        reversed_ = sweep.run((tasks + [claim])[::-1], executor=pool)[::-1]
    on_dask = sweep.run(tasks + [claim], executor=dask_cluster)
    for other in (pooled, reversed_, on_dask):
        assert all(same_arrays(a, b) for a, b in zip(reference[:-1], other[:-1]))
        assert verdict_json(reference[-1]) == verdict_json(other[-1])
        assert same_arrays(reference[-1].to_record()[0], other[-1].to_record()[0])
    assert not same_arrays(reference[0], reference[1])  # the seeds matter


def test_a_killed_dask_worker_loses_no_task(dask_cluster, tmp_path):
    tasks = sweep.tasks(counted, sweep.grid(i=range(12), sleep=[0.3]))
    pids = dask_cluster.client.run(os.getpid)
    results = sweep.imap(tasks, executor=dask_cluster, store=tmp_path)
    first = next(results)
    os.kill(next(iter(pids.values())), signal.SIGKILL)
    got = [first] + list(results)
    assert [int(r["i"]) for r in got] == list(range(12))
    assert len(list(tmp_path.glob("*.json"))) == 12


SCRIPT = """
import multiprocessing, sys
sys.path.insert(0, {root!r})
import theorylab  # numba imported here, and in every process that imports this script as its main module
from theorylab import sweep
from {module} import jit_square

def nothing():
    pass

if __name__ == "__main__":
    # a forkserver started before sweep's, without its environment, preloading numba
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["theorylab"])
    proc = ctx.Process(target=nothing)
    proc.start()
    proc.join()
    tasks = sweep.tasks(jit_square, sweep.grid(i=[2, 3]))
    assert [int(r["square"]) for r in sweep.run(tasks, workers=2)] == [4, 9]
    if {dask}:
        with sweep.dask_executor("local", n_workers=1) as ex:
            assert [int(r["square"]) for r in sweep.run(tasks, executor=ex)] == [4, 9]
"""


def test_workers_compile_whatever_numba_read_first(tmp_path):
    """Numba re-reads its environment when it compiles, and refuses a new NUMBA_NUM_THREADS once its
    threads run: a worker must not change it, whoever imported numba first (here the main script,
    imported by every Dask worker, and a forkserver started before sweep's)."""
    module = jit_square.__module__
    root = Path(sys.modules[module].__file__).parents[module.count(".")]
    dask = importlib.util.find_spec("distributed") is not None
    script = tmp_path / "main.py"
    script.write_text(SCRIPT.format(root=str(root), module=module, dask=dask))
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def test_unreachable_dask_scheduler_fails_fast_naming_it():
    pytest.importorskip("distributed")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    t0 = time.perf_counter()
    with pytest.raises(ConnectionError, match=address):
        sweep.dask_executor(address)
    assert time.perf_counter() - t0 < 10


def test_store_hit_is_not_recomputed(calls, tmp_path):
    tasks = sweep.tasks(counted, sweep.grid(i=range(4)))
    first = sweep.run(tasks, store=tmp_path)
    assert calls == [0, 1, 2, 3]
    again = sweep.run(tasks, store=tmp_path)
    assert calls == [0, 1, 2, 3]
    assert all(same_arrays(a, b) for a, b in zip(first, again))


def test_an_interrupted_sweep_resumes_with_the_missing_tasks(calls, tmp_path, monkeypatch):
    tasks = sweep.tasks(counted, sweep.grid(i=range(6)))
    monkeypatch.setattr(sweep_tasks, "STOP", 3)
    with pytest.raises(KeyboardInterrupt):
        sweep.run(tasks, store=tmp_path)
    assert calls == [0, 1, 2] and len(list(tmp_path.glob("*.json"))) == 3
    monkeypatch.setattr(sweep_tasks, "STOP", None)
    out = sweep.run(tasks, store=tmp_path)
    assert calls == [0, 1, 2, 3, 4, 5]
    assert [int(r["i"]) for r in out] == list(range(6))


def test_a_killed_local_worker_keeps_the_finished_tasks(calls, tmp_path):
    tasks = sweep.tasks(dies_in_worker, sweep.grid(i=range(6)))
    with pytest.raises(sweep.TaskFailed, match="dies_in_worker"):
        sweep.run(tasks, workers=2, store=tmp_path)
    stored = len(list(tmp_path.glob("*.json")))
    assert stored >= 1
    out = sweep.run(tasks, store=tmp_path)  # in this process: nothing dies
    assert len(calls) == 6 - stored
    assert [int(r["i"]) for r in out] == list(range(6))


def test_two_concurrent_sweeps_share_a_store(calls, tmp_path):
    module = counted.__module__  # imported under the same name, so the tasks have the same keys
    root = Path(sys.modules[module].__file__).parents[module.count(".")]
    script = (f"import sys; sys.path.insert(0, {str(root)!r})\n"
              f"from theorylab import sweep\nfrom {module} import counted\n"
              f"sweep.run(sweep.tasks(counted, sweep.grid(i=range(40), sleep=[0.01])), store={str(tmp_path)!r})\n")
    procs = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for p in procs:
        assert p.wait(timeout=60) == 0, p.stderr.read()
        p.stderr.close()
    out = sweep.run(sweep.tasks(counted, sweep.grid(i=range(40), sleep=[0.01])), store=tmp_path)
    assert calls == []  # every entry intact: all read back
    assert [int(r["i"]) for r in out] == list(range(40))
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_unwritable_store_fails_before_any_work(calls, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match=str(blocker / "store")):
        sweep.imap(sweep.tasks(counted, sweep.grid(i=range(2))), store=blocker / "store")
    with pytest.raises(StoreError):
        Store(blocker)
    assert calls == []


def test_bad_arguments():
    with pytest.raises(ValueError, match="workers"):
        sweep.run([], workers=0)
    with pytest.raises(TypeError, match="Task"):
        sweep.run([counted])
    with pytest.raises(ValueError, match="claims only"):
        sweep.tasks(counted, [{"i": 1}], size="full")
