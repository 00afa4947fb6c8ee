"""Metadata of the catalogued papers (title, arXiv id, year, track) and BibTeX for them.

The data ship with the package as ``papers.json``, generated once from the claims catalogue by
``scripts/make_papers_json.py`` (see there for where each field comes from; author lists are empty
unless verified, so BibTeX entries carry no ``author`` field for those papers).

>>> p = paper("bottou2018_optimization_large_scale_ml")
>>> p.arxiv, p.year, p.track
('1606.04838', 2016, 'rates')
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["Paper", "paper", "papers", "bibtex", "UNKNOWN_TRACK"]

UNKNOWN_TRACK = "other"  # the track of a paper that is not in the catalogue


@dataclass(frozen=True)
class Paper:
    """One catalogued paper.  ``known`` is False for a placeholder built for an unknown key."""

    key: str
    title: str | None
    arxiv: str | None
    year: int | None
    track: str
    authors: tuple[str, ...] = ()
    known: bool = True

    @property
    def url(self) -> str | None:
        """The arXiv abstract page, if the paper has an arXiv id."""
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None


@lru_cache(maxsize=1)
def papers() -> dict[str, Paper]:
    """Every catalogued paper by key (read once from the packaged ``papers.json``)."""
    text = resources.files(__package__).joinpath("papers.json").read_text(encoding="utf-8")
    return {r["key"]: Paper(r["key"], r["title"], r.get("arxiv"), r.get("year"), r.get("track") or UNKNOWN_TRACK,
                            tuple(r.get("authors") or ()))
            for r in json.loads(text)}


def _key_year(key: str) -> int | None:
    m = re.match(r"[a-z]+(\d{4})", key)
    return int(m.group(1)) if m else None


def paper(key: str, strict: bool = False) -> Paper:
    """The paper with catalogue key ``key``.

    An unknown key gives a placeholder (no title or arXiv id, the year from the key's digits,
    track ``"other"``, ``known=False``), or raises ``KeyError`` if ``strict``.
    """
    found = papers().get(key)
    if found is not None:
        return found
    if strict:
        raise KeyError(f"unknown paper {key!r} (not in theorylab/papers.json)")
    return Paper(key, None, None, _key_year(key), UNKNOWN_TRACK, (), known=False)


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def _tex(s: str) -> str:
    """Escape LaTeX's special characters in a BibTeX field value."""
    return "".join(_TEX_SPECIAL.get(c, c) for c in s)


def bibtex(keys: Iterable[str], claims_by_paper: Mapping[str, Sequence[str]] | None = None) -> str:
    """One ``@misc`` BibTeX entry per paper key (in the given order, duplicates dropped).

    Each entry has the title, the authors where known, the year, ``eprint`` / ``archivePrefix`` /
    ``url`` for arXiv papers, and a ``note`` listing ``claims_by_paper[key]`` (e.g. the claim ids
    checked).  An unknown key still gets an entry (year and note only) so that nothing is dropped
    silently.
    """
    claims_by_paper = claims_by_paper or {}
    entries = []
    for key in dict.fromkeys(keys):
        p = paper(key)
        fields: list[tuple[str, str]] = []
        if p.title:
            fields.append(("title", _tex(p.title)))
        if p.authors:
            fields.append(("author", " and ".join(_tex(a) for a in p.authors)))
        if p.year:
            fields.append(("year", str(p.year)))
        if p.arxiv:
            fields += [("eprint", p.arxiv), ("archivePrefix", "arXiv"), ("url", p.url or "")]
        checked = list(claims_by_paper.get(key, ()))
        if checked:
            fields.append(("note", "Claims checked with theorylab: " + _tex(", ".join(checked))))
        if not p.known:
            fields.append(("howpublished", "not in the theorylab catalogue"))
        width = max((len(k) for k, _ in fields), default=0)
        body = ",\n".join(f"  {k.ljust(width)} = {{{v}}}" for k, v in fields)
        entries.append(f"@misc{{{key},\n{body}\n}}" if body else f"@misc{{{key}}}")
    return "\n\n".join(entries) + ("\n" if entries else "")
