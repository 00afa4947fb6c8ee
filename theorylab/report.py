"""A static HTML report of verdicts: ``theorylab report [--from OUT] [--out DIR]``.

Reads what ``theorylab check --out OUT`` wrote (``OUT/verdicts.json`` and
``OUT/figures/<paper>__<claim>.png``) and writes

* ``DIR/index.html``: one table row per claim (paper, theorem, provenance, verdict and expected
  verdict, margin, tightness, negative control, runtime, a thumbnail of its figure linking to the
  full-size PNG), client-side filters by track and verdict, sortable columns, and a BibTeX block;
* ``DIR/figures/*.png``: the figures, copied byte for byte;
* ``DIR/references.bib``: the BibTeX block as a file.

The page is self-contained (inline CSS and JavaScript, no external resource: it works from
``file://`` without a network) and deterministic: the same inputs give the same bytes.  Without
JavaScript it is a plain table; with it, the filters can also be preset from the URL fragment,
e.g. ``index.html#status=violated,inconclusive&track=rates&unexpected=1&q=adam``.
"""

from __future__ import annotations

import html
import json
import math
import shutil
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import papers
from .plot import figure_name

__all__ = ["ReportError", "Row", "load_verdicts", "build_report", "render_html"]

STATUSES = ("holds", "violated", "inconclusive")


class ReportError(Exception):
    """The report cannot be built (missing or malformed input); the message says what to do."""


@dataclass(frozen=True)
class Figure:
    """A figure as it will be linked from the page: path relative to the report, pixel size."""

    href: str
    width: int
    height: int


@dataclass(frozen=True)
class Row:
    """One claim of the report: its verdict (``Verdict.to_json()``), paper and figure (or None)."""

    verdict: dict[str, Any]
    paper: papers.Paper
    figure: Figure | None


def load_verdicts(source: str | Path) -> list[dict[str, Any]]:
    """The verdicts in ``source/verdicts.json`` (a list of ``Verdict.to_json()`` objects)."""
    path = Path(source) / "verdicts.json"
    if not path.is_file():
        raise ReportError(f"no {path}: run 'theorylab check --out {source}' first "
                          f"(or pass the folder it wrote with --from)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ReportError(f"cannot read {path}: {e}") from e
    if not isinstance(data, list) or not all(isinstance(v, dict) and isinstance(v.get("claim"), str) for v in data):
        raise ReportError(f"{path} is not a list of verdicts (objects with a 'claim' key, as 'theorylab check' "
                          f"writes)")
    return data


def _png_size(path: Path) -> tuple[int, int] | None:
    """Width and height from a PNG's header, or None if ``path`` is not a readable PNG."""
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError:
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    w, h = struct.unpack(">II", head[16:24])
    return (w, h) if w > 0 and h > 0 else None


def _paper_key(v: dict[str, Any]) -> str:
    return v.get("paper") or v["claim"].partition(".")[0]


def _claim_id(v: dict[str, Any]) -> str:
    return v["claim"].partition(".")[2] or v["claim"]


def build_report(source: str | Path = "theorylab-out", out: str | Path = "report") -> Path:
    """Write ``out/index.html`` (and ``out/figures/``, ``out/references.bib``) from a ``check`` folder.

    Returns the path of ``index.html``.  Raises :class:`ReportError` if ``source/verdicts.json``
    is missing or malformed.  A claim whose figure is missing (or not a PNG) gets a "no figure"
    cell.
    """
    source, out = Path(source), Path(out)
    verdicts = load_verdicts(source)
    figdir = out / "figures"
    rows = []
    for v in verdicts:
        name = figure_name(v["claim"])
        src = source / "figures" / name
        size = _png_size(src)
        fig = None
        if size is not None:
            dst = figdir / name
            figdir.mkdir(parents=True, exist_ok=True)
            if not (dst.exists() and dst.resolve() == src.resolve()):
                shutil.copyfile(src, dst)
            fig = Figure("figures/" + quote(name), *size)
        rows.append(Row(v, papers.paper(_paper_key(v)), fig))
    out.mkdir(parents=True, exist_ok=True)
    bib = _bibtex(rows)
    (out / "references.bib").write_text(bib, encoding="utf-8")
    index = out / "index.html"
    index.write_text(render_html(rows, bib), encoding="utf-8")
    return index


def _bibtex(rows: list[Row]) -> str:
    """BibTeX for the papers of ``rows`` (sorted by key), each noting the claims checked."""
    claims: dict[str, list[str]] = {}
    for r in rows:
        claims.setdefault(r.paper.key, []).append(_claim_id(r.verdict))
    return papers.bibtex(sorted(claims), claims)


# ---------------------------------------------------------------------------------------------
# HTML

def _e(x: Any) -> str:
    """HTML-escape text (quotes included, so it is also safe inside attribute values)."""
    return html.escape(str(x), quote=True)


def _num(x: Any) -> float | None:
    """A finite-or-infinite number from JSON, or None (missing, null, NaN, not a number)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or math.isnan(x):
        return None
    return float(x)


def _fmt(x: float | None) -> str:
    return "&ndash;" if x is None else f"{x:.3g}"


_MARK = {True: ("pass", "pass"), False: ("FAIL", "fail"), None: ("????", "undecided")}


def _checks_html(v: dict[str, Any]) -> str:
    """A collapsible list of the claim's checks, its control's checks and its notes."""
    items = []
    for kind, checks in (("", v.get("checks") or []), ("control ", v.get("control_checks") or [])):
        for c in checks:
            mark, cls = _MARK.get(c.get("passed"), _MARK[None])
            tag = kind + ("supporting " if c.get("supporting") else "")
            items.append(f'<li><span class="mark {cls}">{_e(tag)}{mark}</span> {_e(c.get("name", ""))}: '
                         f'<span class="detail">{_e(c.get("detail", ""))}</span></li>')
    notes = v.get("notes") or ""
    if not items and not notes:
        return ""
    n, nc = len(v.get("checks") or []), len(v.get("control_checks") or [])
    body = f"<ul>{''.join(items)}</ul>" if items else ""
    if notes:
        body += f'<p class="notes">{_e(notes)}</p>'
    return f"<details><summary>{n} checks, {nc} control</summary>{body}</details>"


def _td(content: str, sort_key: str | float | None = None, cls: str = "") -> str:
    """A table cell; ``sort_key`` (``data-v``) is what the column sorts by ("" sorts last)."""
    attrs = f' class="{cls}"' if cls else ""
    if sort_key is not None:
        attrs += f' data-v="{_e(sort_key if isinstance(sort_key, str) else repr(sort_key))}"'
    return f"<td{attrs}>{content}</td>"


def _num_td(x: float | None, text: str, extra_cls: str = "") -> str:
    return _td(text, "" if x is None else x, ("num " + extra_cls).strip())


def _paper_td(p: papers.Paper) -> str:
    title = _e(p.title) if p.title else f"<i>{_e(p.key)}</i>"
    link = f'<a href="{_e(p.url)}">{title}</a>' if p.url else title
    meta = [_e(p.key)] + ([str(p.year)] if p.year else []) + ([f"arXiv:{_e(p.arxiv)}"] if p.arxiv else [])
    return _td(f'<div class="paper">{link}</div><div class="meta">{" &middot; ".join(meta)}</div>'
               f'<span class="track">{_e(p.track)}</span>', p.key)


def _theorem_td(v: dict[str, Any]) -> str:
    return _td(f'<div class="cid">{_e(_claim_id(v))}</div><div class="ctitle">{_e(v.get("title", ""))}</div>'
               f'<div class="source">{_e(v.get("source", ""))}</div>{_checks_html(v)}', v["claim"])


def _verdict_td(status: str, expected: str) -> str:
    cls = status if status in STATUSES else "unknown"
    exp_cls = "as-expected" if status == expected else "unexpected"
    return _td(f'<span class="badge {cls}">{_e(status)}</span>'
               f'<div class="expected {exp_cls}">expected {_e(expected)}</div>', status)


def _control_td(control: str) -> str:
    if control == "failed":
        cls, tip, note = "ok", "the negative control was rejected by the data: the check has power", "check has power"
    else:
        cls, tip, note = "bad", "the negative control was NOT rejected: the check may lack power", "check may lack power"
    return _td(f'<span class="ctrl {cls}" title="{tip}">{_e(control)}</span><div class="size">{note}</div>', control)


def _figure_td(fig: Figure | None, key: str) -> str:
    if fig is None:
        return _td("no figure", cls="fig nofig")
    href = _e(fig.href)
    return _td(f'<a href="{href}"><img class="thumb" src="{href}" width="{fig.width}" height="{fig.height}" '
               f'alt="figure of {_e(key)}"></a>', cls="fig")


def _row_html(r: Row) -> str:
    """One ``<tr>``: its ``data-*`` attributes drive the filters, its cells' ``data-v`` the sorting."""
    v = r.verdict
    key, status, expected = v["claim"], str(v.get("status", "")), str(v.get("expected", ""))
    control, provenance = str(v.get("negative_control", "")), str(v.get("provenance", ""))
    ok = status == expected and control == "failed"
    margin, tight, secs = _num(v.get("margin")), _num(v.get("tightness")), _num(v.get("seconds"))
    runtime = "" if secs is None else f"{secs:.1f}&nbsp;s"
    cells = [
        _paper_td(r.paper),
        _theorem_td(v),
        _td(f'<span class="prov">{_e(provenance)}</span>', provenance),
        _verdict_td(status, expected),
        _num_td(margin, _fmt(margin), "neg" if margin is not None and margin < 0 else ""),
        _num_td(tight, _fmt(tight)),
        _control_td(control),
        _num_td(secs, f'{runtime}<div class="size">{_e(v.get("size", ""))}</div>'),
        _figure_td(r.figure, key),
    ]
    tr = (f'<tr id="{_e("claim-" + key)}" data-track="{_e(r.paper.track)}" data-status="{_e(status)}" '
          f'data-ok="{int(ok)}">')
    return "\n".join([tr, *cells, "</tr>"])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _checkboxes(name: str, counts: Counter, order: list[str]) -> str:
    return "".join(f'<label><input type="checkbox" name="{name}" value="{_e(k)}" checked> {_e(k)} '
                   f'<span class="count">{counts[k]}</span></label>' for k in order)


def render_html(rows: list[Row], bib: str) -> str:
    """The report page for ``rows`` with the BibTeX text ``bib`` (a complete, self-contained document)."""
    from . import __version__

    statuses = Counter(str(r.verdict.get("status")) for r in rows)
    tracks = Counter(r.paper.track for r in rows)
    unexpected = sum(1 for r in rows if not (r.verdict.get("status") == r.verdict.get("expected")
                                             and r.verdict.get("negative_control") == "failed"))
    sizes = sorted({str(r.verdict.get("size")) for r in rows if r.verdict.get("size")})
    npapers = len({r.paper.key for r in rows})
    status_order = [s for s in STATUSES if statuses[s]] + sorted(s for s in statuses if s not in STATUSES)
    summary = (f"{_plural(len(rows), 'claim')} from {_plural(npapers, 'paper')}: "
               + ", ".join(f'<span class="badge {_e(s)}">{statuses[s]} {_e(s)}</span>' for s in status_order)
               + f"; <b>{unexpected}</b> not as expected (verdict differs from the expected one, or the negative "
                 f"control was not rejected)." + (f" Size: {_e(', '.join(sizes))}." if sizes else ""))
    body_rows = "\n".join(_row_html(r) for r in rows)
    return _PAGE.format(
        version=_e(__version__), summary=summary, n=len(rows),
        track_boxes=_checkboxes("track", tracks, sorted(tracks)),
        status_boxes=_checkboxes("status", statuses, status_order),
        rows=body_rows or '<tr class="empty"><td colspan="9">no verdicts</td></tr>',
        bibtex=_e(bib), css=_CSS, js=_JS,
    )


_CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --holds:#1a7f37; --violated:#cf222e;
        --inconclusive:#9a6700; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg);
       margin: 0 auto; padding: 16px 24px; max-width: 1800px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.summary { margin: 0 0 12px; color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600;
         font-size: 12px; background: var(--muted); white-space: nowrap; }
.badge.holds { background: var(--holds); } .badge.violated { background: var(--violated); }
.badge.inconclusive { background: var(--inconclusive); }
#filters { display: none; flex-wrap: wrap; gap: 8px 20px; align-items: center; padding: 8px 12px;
           background: var(--bg); border: 1px solid var(--line); border-radius: 6px; margin-bottom: 12px; }
html.js #filters { display: flex; }
#filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 12px; }
#filters legend { float: left; font-weight: 600; margin-right: 6px; padding: 0; }
#filters label { white-space: nowrap; cursor: pointer; }
.count { color: var(--muted); font-size: 12px; }
#q { padding: 3px 6px; min-width: 220px; border: 1px solid var(--line); border-radius: 4px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: var(--bg); z-index: 1; white-space: nowrap; font-size: 13px; }
html.js thead th[data-type] { cursor: pointer; user-select: none; }
html.js thead th[data-type]::after { content: " \\2195"; color: var(--muted); }
thead th[aria-sort="ascending"]::after { content: " \\2191" !important; color: var(--fg) !important; }
thead th[aria-sort="descending"]::after { content: " \\2193" !important; color: var(--fg) !important; }
tbody tr:hover { background: #fafbfc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.neg { color: var(--violated); font-weight: 600; }
.paper { font-weight: 600; max-width: 260px; } .paper a { color: inherit; }
.meta, .source, .size, .expected { color: var(--muted); font-size: 12px; }
.meta { overflow-wrap: anywhere; max-width: 260px; }
.track { display: inline-block; margin-top: 3px; font-size: 11px; padding: 0 6px; border: 1px solid var(--line);
         border-radius: 8px; color: var(--muted); }
.cid { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.ctitle { max-width: 420px; }
details { margin-top: 4px; font-size: 12px; max-width: 520px; }
details ul { margin: 4px 0; padding-left: 18px; } details .detail { color: var(--muted); }
.notes { color: var(--muted); margin: 4px 0; }
.mark { font-family: ui-monospace, monospace; font-size: 11px; }
.mark.pass { color: var(--holds); } .mark.fail { color: var(--violated); } .mark.undecided { color: var(--inconclusive); }
.expected.unexpected { color: var(--violated); font-weight: 600; }
.prov { font-size: 12px; }
.ctrl.ok { color: var(--holds); } .ctrl.bad { color: var(--violated); font-weight: 600; }
td.fig { width: 1%; }
img.thumb { display: block; height: 110px; width: auto; max-width: 300px; object-fit: contain;
            border: 1px solid var(--line); border-radius: 3px; background: #fff; }
td.nofig { color: var(--muted); font-style: italic; white-space: nowrap; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
      overflow: auto; font-size: 12px; }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
footer dt { font-weight: 600; float: left; clear: left; width: 130px; } footer dd { margin: 0 0 2px 140px; }
"""

_JS = r"""
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var table = document.getElementById("claims");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.querySelectorAll("tr[data-status]"));
  var shown = document.getElementById("shown");

  function checked(name) {
    var on = {};
    document.querySelectorAll('#filters input[name="' + name + '"]').forEach(function (b) {
      on[b.value] = b.checked;
    });
    return on;
  }

  function applyFilters() {
    var tracks = checked("track"), statuses = checked("status");
    var onlyBad = document.getElementById("unexpected").checked;
    var q = document.getElementById("q").value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (tr) {
      var vis = tracks[tr.dataset.track] !== false && statuses[tr.dataset.status] !== false &&
        (!onlyBad || tr.dataset.ok === "0") && (!q || tr.textContent.toLowerCase().indexOf(q) >= 0);
      tr.hidden = !vis;
      if (vis) n += 1;
    });
    shown.textContent = n + " of " + rows.length + " claims shown";
  }

  function sortBy(th) {
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.dataset.type === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var keyed = rows.map(function (tr, i) {
      var v = tr.children[col].dataset.v || "";
      return { tr: tr, i: i, v: numeric ? (v === "" ? NaN : parseFloat(v)) : v.toLowerCase() };
    });
    keyed.sort(function (a, b) {
      if (numeric) {
        var an = isNaN(a.v), bn = isNaN(b.v);
        if (an || bn) return an === bn ? a.i - b.i : (an ? 1 : -1);  // blanks last
      }
      return a.v < b.v ? -dir : a.v > b.v ? dir : a.i - b.i;
    });
    keyed.forEach(function (k) { tbody.appendChild(k.tr); });
  }

  // Filters from the URL: index.html#status=violated,inconclusive&track=rates&unexpected=1&q=adam
  function filtersFromHash() {
    var h = location.hash.slice(1);
    if (h.indexOf("=") < 0) return;  // a plain anchor (#bibtex, #claim-...)
    var params = {};
    h.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) params[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
    });
    ["track", "status"].forEach(function (name) {
      if (params[name] === undefined) return;
      var want = params[name].split(",");
      document.querySelectorAll('#filters input[name="' + name + '"]').forEach(function (b) {
        b.checked = want.indexOf(b.value) >= 0;
      });
    });
    if (params.unexpected !== undefined) document.getElementById("unexpected").checked = params.unexpected === "1";
    if (params.q !== undefined) document.getElementById("q").value = params.q;
  }

  filtersFromHash();
  window.addEventListener("hashchange", function () { filtersFromHash(); applyFilters(); });
  document.getElementById("filters").addEventListener("input", applyFilters);
  document.getElementById("filters").addEventListener("change", applyFilters);
  table.querySelectorAll("thead th[data-type]").forEach(function (th) {
    th.tabIndex = 0;
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(th); });
  });
  applyFilters();

  // Machine-readable state for tests: rows, thumbnails, thumbnails that actually decoded.
  window.addEventListener("load", function () {
    var imgs = Array.prototype.slice.call(table.querySelectorAll("img.thumb"));
    var loaded = imgs.filter(function (im) { return im.complete && im.naturalWidth > 0; }).length;
    var st = document.getElementById("report-status");
    st.dataset.rows = String(rows.length);
    st.dataset.imgs = String(imgs.length);
    st.dataset.imgsLoaded = String(loaded);
    st.textContent = rows.length + " claims; " + loaded + " of " + imgs.length + " figures loaded.";
    document.documentElement.dataset.ready = "1";
  });
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="theorylab {version}">
<title>theorylab report</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>theorylab report</h1>
<p class="summary">{summary}</p>
</header>
<form id="filters" onsubmit="return false">
<fieldset><legend>Track</legend>{track_boxes}</fieldset>
<fieldset><legend>Verdict</legend>{status_boxes}</fieldset>
<label><input type="checkbox" id="unexpected"> only not as expected</label>
<input type="search" id="q" placeholder="search claims, papers, sources" aria-label="search">
<span id="shown" class="count">{n} claims</span>
</form>
<table id="claims">
<thead>
<tr><th data-type="text">Paper</th><th data-type="text">Theorem</th><th data-type="text">Provenance</th>\
<th data-type="text">Verdict</th><th data-type="num">Margin</th><th data-type="num">Tightness</th>\
<th data-type="text">Negative control</th><th data-type="num">Runtime</th><th>Figure</th></tr>
</thead>
<tbody>
{rows}
</tbody>
</table>
<h2 id="bibtex">BibTeX</h2>
<p class="summary">The papers whose theorems were checked (also in <a href="references.bib">references.bib</a>).</p>
<pre>{bibtex}</pre>
<footer>
<dl>
<dt>provenance</dt><dd>how the statement was obtained: <i>read</i> in the paper, <i>recalled</i> (standard \
statement, numbering may be off), <i>reconstructed</i> (rebuilt from standard theory), <i>derived</i> (derived and \
proved in the claim's module), <i>qualitative</i> (a qualitative claim made testable).</dd>
<dt>verdict</dt><dd><i>violated</i>: the data reject the theorem; <i>holds</i>: no check is rejected and the \
negative control is; <i>inconclusive</i>: neither can be established at this size.</dd>
<dt>margin</dt><dd>the smallest relative slack over the claim's checks (negative: a check failed).</dd>
<dt>tightness</dt><dd>how close the measurement comes to the bound, as the claim defines it (typically the \
largest ratio of measured mean to bound: near 1, the bound is attained).</dd>
<dt>negative control</dt><dd>the same check on a deliberately wrong bound, constant or update rule; \
<i>failed</i> (rejected by the data) is what shows that the check has power.</dd>
</dl>
<p>Generated by theorylab {version}. <span id="report-status"></span></p>
</footer>
<script>{js}</script>
</body>
</html>
"""
