"""`theorylab check` through the sweep layer: the same table, JSON, verdicts.json and figures in-process
and on a local pool, in claim order; a warm store computes nothing; bad --store / --workers."""

import json

import pytest

from theorylab.claims.base import Claim
from theorylab.cli import main

KEYS = ["garrigos2023_handbook_sgd.thm3.4_gd_convex", "bubeck2015_convex_complexity.thm3.10"]  # fast, with figures


def check(capsys, *args) -> tuple[int, str, str]:
    rc = main(["check", *KEYS, *args])
    out, err = capsys.readouterr()
    return rc, out, err


def without_seconds(objs: list[dict]) -> list[dict]:
    return [{k: v for k, v in o.items() if k != "seconds"} for o in objs]


def test_pool_and_in_process_write_the_same_outputs(capsys, tmp_path):
    outputs = {}
    for workers in ("1", "2"):
        out = tmp_path / workers
        rc, text, _ = check(capsys, "--json", "--workers", workers, "--no-store", "--out", str(out))
        assert rc == 0
        lines = [json.loads(line) for line in text.splitlines()]
        assert [o["claim"] for o in lines] == sorted(KEYS)  # claim order, whatever the completion order
        figures = {p.name: p.read_bytes() for p in (out / "figures").glob("*.png")}
        assert len(figures) == 2
        outputs[workers] = (without_seconds(lines), without_seconds(json.loads((out / "verdicts.json").read_text())),
                            figures)
        assert not (out / "store").exists()
    assert outputs["1"] == outputs["2"]


def test_a_warm_store_recomputes_nothing(capsys, tmp_path, monkeypatch):
    rc, cold, _ = check(capsys, "--workers", "1", "--out", str(tmp_path), "--no-figures")
    assert rc == 0 and len(list((tmp_path / "store").glob("*.json"))) == 2
    first = json.loads((tmp_path / "verdicts.json").read_text())

    def fail(*args, **kwargs):
        raise AssertionError("a stored verdict was recomputed")

    monkeypatch.setattr(Claim, "check", fail)
    rc, warm, _ = check(capsys, "--workers", "1", "--out", str(tmp_path), "--no-figures")
    assert rc == 0 and warm.splitlines()[:4] == cold.splitlines()[:4]  # the same table (seconds included)
    assert json.loads((tmp_path / "verdicts.json").read_text()) == first


def test_bad_store_and_workers_exit_2_before_any_work(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(Claim, "check", lambda *a, **k: pytest.fail("work started"))
    blocker = tmp_path / "file"
    blocker.write_text("")
    rc, _, err = check(capsys, "--store", str(blocker / "store"))
    assert rc == 2 and f"store directory '{blocker / 'store'}' is not writable" in err
    rc, _, err = check(capsys, "--workers", "0", "--no-store")
    assert rc == 2 and "--workers must be at least 1" in err
