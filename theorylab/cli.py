"""Command line: ``theorylab list``, ``theorylab check``, ``theorylab run``."""

from __future__ import annotations

import argparse
import json
import os
import runpy
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

__all__ = ["main"]

# processes of `theorylab check`: on 2 cores, 96 quick claims with figures take 51 s on 2 workers, 97 s
# in-process (figures, half the work, are drawn by the workers too); capped for memory (a worker ~0.3 GB)
DEFAULT_WORKERS = min(os.cpu_count() or 1, 8)


def _fmt(x: float) -> str:
    return "-" if x != x else f"{x:.3g}"


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def _select(args):
    from . import claims

    try:
        return claims.select(args.keys or None, area=args.area)
    except claims.UnknownClaim as e:
        print(f"theorylab: {e}", file=sys.stderr)
        if not e.suggestions:
            print("run 'theorylab list' for the known claims", file=sys.stderr)
        sys.exit(2)


def cmd_list(args) -> int:
    chosen = _select(args)
    rows = [[c.key, c.provenance, c.expected, ",".join(c.area), c.title] for c in chosen]
    print(_table(rows, ["claim", "provenance", "expected", "area", "title"]))
    print(f"\n{len(rows)} claims")
    return 0


def _save_verdict_figure(verdict, path: Path) -> None:
    from .plot import save_figure

    save_figure(verdict.figure(), path)


def _check_executor(dask: str | None, workers: int | None):
    """Where ``check`` runs its claims: None (this process), a local pool, or a Dask executor."""
    from . import sweep

    n = DEFAULT_WORKERS if workers is None else workers
    if n < 1:
        raise ValueError(f"--workers must be at least 1, got {n}")
    if dask is None:
        return sweep.local_executor(n) if n > 1 else None
    if dask == "local":
        return sweep.dask_executor("local", n_workers=n)
    if workers is not None:
        raise ValueError("--workers applies to the local pool and to --dask local, not to a Dask scheduler")
    return sweep.dask_executor(dask)


def cmd_check(args) -> int:
    from . import sweep
    from .plot import figure_name
    from .store import Store, StoreError

    chosen = _select(args)
    if not chosen:
        print("theorylab: no claim matches", file=sys.stderr)
        return 2
    size = "full" if args.full else "quick"
    out = Path(args.out)
    figdir = out / "figures"
    t0 = time.perf_counter()
    try:
        store = None if args.no_store else Store(args.store or out / "store")
        executor = _check_executor(args.dask, args.workers)
    except (StoreError, ConnectionError, ImportError, ValueError) as e:
        print(f"theorylab: {e}", file=sys.stderr)
        return 2
    # figures are drawn by the local pool when there is one (it shares this file system), else here
    draw = executor if isinstance(executor, ProcessPoolExecutor) else None
    verdicts, drawn = [], []
    try:
        for v in sweep.imap([sweep.Task(c, size) for c in chosen], executor=executor, store=store,
                            progress="check"):
            verdicts.append(v)
            if args.json:
                print(json.dumps(v.to_json()), flush=True)
            if not args.no_figures:
                path = figdir / figure_name(v.claim)
                if draw is None:
                    _save_verdict_figure(v, path)
                else:
                    drawn.append(draw.submit(_save_verdict_figure, v, path))
        for f in drawn:
            f.result()
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    total = time.perf_counter() - t0
    if not args.json:
        rows = [[v.claim, v.status, v.expected, v.negative_control, _fmt(v.margin), _fmt(v.tightness),
                 f"{v.seconds:.1f}", v.provenance] for v in verdicts]
        print(_table(rows, ["claim", "status", "expected", "control", "margin", "tightness", "s", "provenance"]))
        bad = [v for v in verdicts if not v.as_expected]
        print(f"\n{len(verdicts)} claims ({size}) in {total:.1f} s: "
              f"{sum(v.status == 'holds' for v in verdicts)} hold, "
              f"{sum(v.status == 'violated' for v in verdicts)} violated, "
              f"{sum(v.status == 'inconclusive' for v in verdicts)} inconclusive; "
              f"{len(bad)} not as expected")
        for v in bad:
            print("\n" + v.summary())
        if not args.no_figures:
            print(f"figures in {figdir}/")
    out.mkdir(parents=True, exist_ok=True)
    (out / "verdicts.json").write_text(json.dumps([v.to_json() for v in verdicts], indent=1))
    return 0 if all(v.as_expected for v in verdicts) else 1


def _experiments_dir(given: str | None) -> Path:
    if given:
        return Path(given)
    here = Path.cwd() / "experiments"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[1] / "experiments"


def cmd_run(args) -> int:
    folder = _experiments_dir(args.experiments)
    path = folder / f"{args.experiment.removesuffix('.py')}.py"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.py")) if folder.is_dir() else []
        print(f"theorylab: no experiment {args.experiment!r} in {folder}; known: {', '.join(known) or 'none'}",
              file=sys.stderr)
        return 2
    argv = sys.argv
    sys.argv = [str(path)] + args.rest
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as e:
        return int(e.code or 0)
    finally:
        sys.argv = argv
    return 0


def cmd_report(args) -> int:
    """Write a static HTML report (index.html, figures/, references.bib) from a ``check --out`` folder."""
    from .report import ReportError, build_report

    try:
        index = build_report(args.source, args.out)
    except ReportError as e:
        print(f"theorylab: {e}", file=sys.stderr)
        return 2
    print(f"report in {index}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="theorylab", description="Check optimization theorems against simulation.")
    sub = p.add_subparsers(dest="command", required=True)

    pl = sub.add_parser("list", help="list the implemented claims")
    pl.add_argument("keys", nargs="*", help="claim keys or paper keys")
    pl.add_argument("--area", help="only claims of this area (e.g. rates)")
    pl.set_defaults(func=cmd_list)

    pc = sub.add_parser("check", help="check claims and print their verdicts")
    pc.add_argument("keys", nargs="*", help="claim keys or paper keys (default: all)")
    pc.add_argument("--area", help="only claims of this area")
    pc.add_argument("--full", action="store_true", help="full sizes (default: quick)")
    pc.add_argument("--json", action="store_true", help="print one JSON object per claim")
    pc.add_argument("--out", default="theorylab-out", help="folder for figures/ and verdicts.json")
    pc.add_argument("--no-figures", action="store_true", help="do not write figures")
    pc.add_argument("--workers", type=int, metavar="N",
                    help=f"processes checking claims in parallel; 1: in this process (default {DEFAULT_WORKERS})")
    pc.add_argument("--dask", metavar="ADDRESS", help="run the checks on the Dask scheduler at ADDRESS "
                    "(tcp://host:8786), or on a new local Dask cluster of --workers processes: 'local'")
    pc.add_argument("--store", metavar="DIR", help="reuse and keep the verdicts in DIR (default OUT/store)")
    pc.add_argument("--no-store", action="store_true", help="recompute every verdict and store none")
    pc.set_defaults(func=cmd_check)

    pr = sub.add_parser("run", help="run an experiment script (experiments/NAME.py)")
    pr.add_argument("experiment")
    pr.add_argument("rest", nargs=argparse.REMAINDER, help="arguments for the script (e.g. --quick)")
    pr.add_argument("--experiments", help="folder of the experiment scripts (default ./experiments)")
    pr.set_defaults(func=cmd_run)

    prep = sub.add_parser("report", help="write a static HTML report of the last check (DIR/index.html)")
    prep.add_argument("--from", dest="source", default="theorylab-out", metavar="OUT",
                      help="folder written by 'theorylab check --out OUT' (default theorylab-out)")
    prep.add_argument("--out", default="report", metavar="DIR", help="folder for the report (default report)")
    prep.set_defaults(func=cmd_report)
    return p


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
