"""Generate ``theorylab/papers.json`` from the claims catalogue (a one-off developer script).

    python scripts/make_papers_json.py [--catalogue ../shared/claims] [--out theorylab/papers.json]

Reads every ``<track>.yaml`` of the catalogue (needs PyYAML, which theorylab itself does not) and
writes one record per paper: ``key``, ``title``, ``arxiv`` (or null), ``year`` and ``track``, plus
``authors`` (a list, left empty: see below).  The package reads only the generated JSON, never the
catalogue, so it works from an installed wheel.

Where each field comes from:

* ``key``, ``title``, ``arxiv``, ``track``: the catalogue entry's fields of the same name (every
  entry has ``track``; it agrees with the ``# track:`` comment at the top of its file, which is
  checked here).
* ``year``: the arXiv identifier (``YYMM.NNNNN`` -> ``20YY``), else the four digits in the key
  (``bottou2018_...`` -> 2018).  The arXiv year is the year of the first version, which is what an
  arXiv ``eprint`` entry cites; it can precede the journal year the key was named after.
* ``authors``: the catalogue has no author field, and the abstract files its ``seed:`` entries
  name (``../shared/seeds/``) are scraped listing pages with titles, abstracts and at most an author
  *count* ("6 authors"), never names.  Nothing reliable, so the lists stay empty rather than
  invented; fill them in by hand here (``AUTHORS``) if a verified source becomes available.

The output is deterministic: one record a line, sorted by key, UTF-8.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Verified author lists, "Last, First" each, by paper key.  Empty on purpose (see the docstring).
AUTHORS: dict[str, list[str]] = {}


def arxiv_year(arxiv: str | None) -> int | None:
    """``'1606.04838'`` -> 2016; old-style ``'math/0601001'`` -> 2006; None if not an arXiv id."""
    if not arxiv:
        return None
    m = re.fullmatch(r"(\d{2})(\d{2})\.\d{4,5}(v\d+)?", arxiv)
    if m:
        return 2000 + int(m.group(1))
    m = re.fullmatch(r"[a-z\-]+(\.[A-Z]{2})?/(\d{2})\d{5}(v\d+)?", arxiv)
    if m:
        yy = int(m.group(2))
        return (1900 if yy >= 91 else 2000) + yy
    return None


def key_year(key: str) -> int | None:
    """The four digits after the leading letters of a catalogue key (``kingma2015_adam`` -> 2015)."""
    m = re.match(r"[a-z]+(\d{4})", key)
    return int(m.group(1)) if m else None


def load_catalogue(folder: Path) -> list[dict]:
    """Every catalogue entry as a paper record, sorted by key."""
    try:
        import yaml
    except ImportError:
        sys.exit("make_papers_json: needs PyYAML (pip install pyyaml); theorylab itself does not")
    records: dict[str, dict] = {}
    files = sorted(folder.glob("*.yaml"))
    if not files:
        sys.exit(f"make_papers_json: no *.yaml in {folder}")
    for path in files:
        text = path.read_text(encoding="utf-8")
        m = re.search(r"^# track: *(\S+)", text, flags=re.M)
        file_track = m.group(1) if m else None
        for e in yaml.safe_load(text) or []:
            key = e["key"]
            track = e.get("track") or file_track
            if file_track and track != file_track:
                sys.exit(f"make_papers_json: {path.name}: {key} has track {track!r}, file says {file_track!r}")
            if key in records:
                sys.exit(f"make_papers_json: duplicate key {key} ({path.name})")
            arxiv = str(e["arxiv"]) if e.get("arxiv") else None
            records[key] = dict(key=key, title=" ".join(str(e["title"]).split()), arxiv=arxiv,
                                year=arxiv_year(arxiv) or key_year(key), track=track or "other",
                                authors=AUTHORS.get(key, []))
    return [records[k] for k in sorted(records)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catalogue", default=str(ROOT.parent / "shared" / "claims"),
                    help="folder of the catalogue's <track>.yaml files")
    ap.add_argument("--out", default=str(ROOT / "theorylab" / "papers.json"))
    args = ap.parse_args(argv)
    records = load_catalogue(Path(args.catalogue))
    lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)  # one paper a line
    Path(args.out).write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    print(f"{len(records)} papers -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
