"""theorylab.store: round trip, keys, checksums (damaged entries are recomputed, never loaded), and the
Verdict <-> (arrays, record) serialisation that lets a claim check be a stored task."""

import json

import numpy as np
import pytest

import theorylab as tl
from theorylab import store as store_module
from theorylab import sweep
from theorylab.claims import Check, Curve, Evidence, Panel, Verdict
from theorylab.plot import save_figure
from theorylab.stats import RateFit
from theorylab.store import Store, StoreError

from . import sweep_tasks
from .sweep_tasks import counted

TASK = {"function": "demo", "params": {"n": 3, "lr": 0.5, "sizes": (1, 2)}, "seed": 0}
ARRAYS = {"x": np.arange(5.0), "mask": np.array([True, False]), "n": np.array(7), "label": np.array(["a", "bc"])}


@pytest.fixture
def calls(monkeypatch):
    monkeypatch.setattr(sweep_tasks, "CALLS", [])
    return sweep_tasks.CALLS


def test_round_trip_without_pickle(tmp_path):
    s = Store(tmp_path)
    assert s.get(TASK) is None
    s.put(TASK, ARRAYS, {"note": "five", "values": [1, 2.5]})
    arrays, record = s.get(TASK)
    assert record == {"note": "five", "values": [1, 2.5]}
    assert arrays.keys() == ARRAYS.keys()
    assert all(np.array_equal(arrays[k], ARRAYS[k]) and arrays[k].dtype == ARRAYS[k].dtype for k in ARRAYS)
    (npz,) = tmp_path.glob("*.npz")
    with np.load(npz, allow_pickle=False) as f:  # a plain npz
        assert np.array_equal(f["x"], ARRAYS["x"])
    doc = json.loads(npz.with_suffix(".json").read_text())
    assert doc["payload"]["task"]["params"]["sizes"] == [1, 2] and doc["payload"]["theorylab"] == tl.__version__


def test_entries_are_byte_reproducible(tmp_path):
    a, b = Store(tmp_path / "a"), Store(tmp_path / "b")
    a.put(TASK, ARRAYS, {})
    b.put(TASK, ARRAYS, {})
    for suffix in ("npz", "json"):
        (fa,), (fb,) = (tmp_path / "a").glob(f"*.{suffix}"), (tmp_path / "b").glob(f"*.{suffix}")
        assert fa.read_bytes() == fb.read_bytes()


def test_key_covers_identity_version_and_source(monkeypatch):
    k = store_module.key(TASK)
    assert store_module.key(dict(TASK)) == k
    assert store_module.key(dict(TASK, seed=1)) != k
    assert store_module.key(dict(TASK, params={**TASK["params"], "lr": 0.25})) != k
    assert store_module.key(dict(TASK, params={**TASK["params"], "lr": np.float64(0.5)})) == k
    assert store_module.key(dict(TASK, params={**TASK["params"], "lr": float("nan")})) != k
    monkeypatch.setattr(tl, "__version__", "9.9")
    assert store_module.key(TASK) != k
    monkeypatch.undo()
    monkeypatch.setattr(store_module, "package_hash", lambda: "0" * 64)  # an edited package
    assert store_module.key(TASK) != k


def test_bad_values_are_rejected(tmp_path):
    s = Store(tmp_path)
    with pytest.raises(TypeError, match="dtype object"):
        s.put(TASK, {"o": np.array([None, 1])}, {})
    with pytest.raises(ValueError, match="non-finite"):
        s.put(TASK, {}, {"x": float("nan")})
    with pytest.raises(TypeError, match="not a JSON value"):
        s.put(dict(TASK, params={"f": print}), {}, {})
    assert not list(tmp_path.iterdir())


def _flip_byte(data: bytes) -> bytes:
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 1]) + data[i + 1:]


def _edit_record(data: bytes) -> bytes:  # still valid JSON, one value changed
    return data.replace(b'"i"', b'"j"', 1)


@pytest.mark.parametrize("suffix, damage", [
    ("npz", _flip_byte), ("npz", lambda d: d[: len(d) // 2]), ("npz", lambda d: b""),
    ("json", _flip_byte), ("json", lambda d: d[: len(d) // 2]), ("json", _edit_record)])
def test_damaged_entries_are_recomputed_never_loaded(tmp_path, calls, suffix, damage, caplog):
    tasks = sweep.tasks(counted, sweep.grid(i=[5]))
    sweep.run(tasks, store=tmp_path)
    (path,) = tmp_path.glob(f"*.{suffix}")
    path.write_bytes(damage(path.read_bytes()))
    assert Store(tmp_path).get(tasks[0].identity()) is None
    assert "damaged entry" in caplog.text
    (out,) = sweep.run(tasks, store=tmp_path)
    assert calls == [5, 5] and int(out["i"]) == 5 and out["square"] == 25.0
    sweep.run(tasks, store=tmp_path)
    assert calls == [5, 5]  # the recomputed entry replaced the damaged one


def test_an_entry_without_its_npz_is_a_miss(tmp_path):
    s = Store(tmp_path)
    s.put(TASK, ARRAYS, {})
    next(tmp_path.glob("*.npz")).unlink()
    assert s.get(TASK) is None


def test_unwritable_directory_is_reported_with_its_name(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError, match=f"store directory '{blocker / 'sub'}' is not writable"):
        Store(blocker / "sub")


# --- Verdict <-> (arrays, record) -------------------------------------------------------------

def _png(verdict, path) -> bytes:
    return save_figure(verdict.figure(), path).read_bytes()


def _synthetic() -> Verdict:
    t = np.arange(1, 50)
    ev = Evidence(
        [Check("bound", True, "ok", 0.25), Check("oracle", None, "undecided").supporting(),
         Check("nan margin", np.bool_(True), "numpy bool", np.float64("nan"))],
        tightness=0.75, rate=RateFit(-0.5, 0.01, 1.5, (np.int64(10), 40), "power"),
        panels=[Panel("gap", [Curve(t, 1 / t, "mean", "empirical", 0.9 / t, 1.1 / t),
                              Curve(t, 2.0 / t, "bound", "bound"), Curve(list(range(3)), [1, 2, 3], "ints", "oracle")]),
                Panel("lin", [Curve(t, np.where(t > 5, t, np.inf), "inf", "control")], xscale="linear", yscale="linear",
                      xlabel="k", ylabel="y")],
        notes="notes")
    control = Evidence([Check("control", False, "rejected", -float("inf"))],
                       rate=RateFit(float("nan"), float("inf"), float("nan"), (1.0, 2.0), "linear"))
    return Verdict("p.c", "p", "title", "source", "read", "holds", "holds", 0.25, 0.75, "failed", 1.234, "quick", ev,
                   control)


@pytest.mark.parametrize("make", [_synthetic, lambda: tl.claims.get("garrigos2023_handbook_sgd.thm3.4_gd_convex").check()])
def test_verdict_record_round_trip_draws_the_same_figure(tmp_path, make):
    v = make()
    arrays, record = v.to_record()
    json.dumps(record, allow_nan=False)  # strict JSON
    w = Verdict.from_record(arrays, json.loads(json.dumps(record)))
    assert w.to_json() == v.to_json() and w.summary() == v.summary()
    assert w.evidence.rate == v.evidence.rate
    assert _png(w, tmp_path / "restored.png") == _png(v, tmp_path / "original.png")


def test_verdict_record_of_an_unknown_format_is_refused():
    arrays, record = _synthetic().to_record()
    with pytest.raises(ValueError, match="format"):
        Verdict.from_record(arrays, dict(record, format=99))
