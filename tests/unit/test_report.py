"""``theorylab report``: the static HTML page, its BibTeX, the CLI, and the page as a browser renders it.

The inputs are synthetic (a hand-written ``verdicts.json`` and tiny PNGs), so no claim is checked.
The browser test runs headless Chromium on the page from ``file://`` and reads back the DOM after
the page's JavaScript ran: the table, the filters and whether the thumbnails actually decoded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from theorylab import papers
from theorylab.cli import main
from theorylab.plot import figure_name, save_figure
from theorylab.report import ReportError, build_report, load_verdicts

BOTTOU = "bottou2018_optimization_large_scale_ml"
MISHKIN = "mishkin2024_sagd"
UNKNOWN = "zz2099_not_catalogued"


def _check(name: str, passed: bool | None, margin: float | None = 0.5) -> dict:
    return dict(name=name, passed=passed, detail=f"detail of {name}", margin=margin, supporting=False)


def _verdict(claim: str, status: str, expected: str, *, title: str = "a claim", margin: float | None = 0.1,
             tightness: float | None = 0.9, control: str = "failed", seconds: float = 1.25) -> dict:
    """A dict shaped like ``Verdict.to_json()``."""
    paper = claim.partition(".")[0]
    return dict(claim=claim, paper=paper, title=title, source=f"Source of {claim}", provenance="read",
                status=status, expected=expected, margin=margin, tightness=tightness, negative_control=control,
                seconds=seconds, size="quick", rate=None, checks=[_check("E gap <= bound", status != "violated")],
                control_checks=[_check("wrong constant", False, -2.0)], notes="constants: L=1")


VERDICTS = [
    _verdict(f"{BOTTOU}.thm4.6", "holds", "holds", title="gap <= a<b & c>d \"quoted\""),
    _verdict(f"{MISHKIN}.convex-sgc", "violated", "violated", margin=-0.25, tightness=1.7),
    _verdict(f"{UNKNOWN}.claim_1", "inconclusive", "holds", margin=None, tightness=None, control="passed"),
]
WITH_FIGURE = [VERDICTS[0]["claim"], VERDICTS[1]["claim"]]


def _tiny_png(path: Path, color: str) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.6, 0.8))
    ax.plot([0, 1], [1, 0], color=color)
    save_figure(fig, path)


@pytest.fixture(scope="module")
def check_out(tmp_path_factory) -> Path:
    """A folder as ``theorylab check --out`` writes it: verdicts.json and figures/ (one claim without)."""
    out = tmp_path_factory.mktemp("check-out")
    (out / "verdicts.json").write_text(json.dumps(VERDICTS, indent=1))
    for claim, color in zip(WITH_FIGURE, ("C0", "C3")):
        _tiny_png(out / "figures" / figure_name(claim), color)
    return out


@pytest.fixture(scope="module")
def report(check_out, tmp_path_factory) -> Path:
    return build_report(check_out, tmp_path_factory.mktemp("report") / "site")


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


def test_page_has_one_row_per_claim_with_its_cells(report):
    html = report.read_text(encoding="utf-8")
    tags = _parse(html)
    rows = [a for t, a in tags.tags if t == "tr" and "data-status" in a]
    assert [r["id"] for r in rows] == [f"claim-{v['claim']}" for v in VERDICTS]
    assert [r["data-status"] for r in rows] == ["holds", "violated", "inconclusive"]
    assert [r["data-ok"] for r in rows] == ["1", "1", "0"]  # the last: expected holds, control passed
    assert [r["data-track"] for r in rows] == [papers.paper(BOTTOU).track, papers.paper(MISHKIN).track, "other"]
    assert "<thead>" in html and "<tbody>" in html
    text = "".join(tags.text)
    for needle in ("Optimization Methods for Large-Scale Machine Learning", "arXiv:1606.04838", "thm4.6",
                   f"Source of {BOTTOU}.thm4.6", "expected holds", "-0.25", "1.7", "1.2\u00a0s", "no figure",
                   "check may lack power", "detail of wrong constant", "constants: L=1"):
        assert needle in text, needle
    assert "3 claims from 3 papers" in text and "1 not as expected" in text


def test_titles_are_escaped(report):
    html = report.read_text(encoding="utf-8")
    assert "gap &lt;= a&lt;b &amp; c&gt;d &quot;quoted&quot;" in html
    assert "a<b" not in html and "c>d" not in html
    assert 'gap <= a<b & c>d "quoted"' in "".join(_parse(html).text)


def test_thumbnails_link_to_copied_figures(report, check_out):
    tags = _parse(report.read_text(encoding="utf-8")).tags
    imgs = [a for t, a in tags if t == "img"]
    assert [i["src"] for i in imgs] == [f"figures/{figure_name(c)}" for c in WITH_FIGURE]
    links = {a["href"] for t, a in tags if t == "a"}
    for img in imgs:
        assert img["src"] in links  # the thumbnail links to the full-size PNG
        copied = report.parent / img["src"]
        assert copied.read_bytes() == (check_out / img["src"]).read_bytes()
        assert (int(img["width"]), int(img["height"])) == (160, 80)  # 1.6 x 0.8 in; save_figure: 100 dpi


def test_no_external_resources(report):
    html = report.read_text(encoding="utf-8")
    tags = _parse(html).tags
    assert not [a for t, a in tags if t in ("link", "iframe", "object", "embed")]
    assert not [a for t, a in tags if t in ("script", "img") and "src" in a and ":" in a["src"]]
    assert "@import" not in html and "url(" not in html
    assert sum(t == "script" for t, _ in tags) == 1 and sum(t == "style" for t, _ in tags) == 1


def test_bibtex_block_and_file(report):
    bib = (report.parent / "references.bib").read_text(encoding="utf-8")
    assert bib.count("@misc{") == 3
    entry = bib[bib.index(f"@misc{{{BOTTOU},"):].split("\n}")[0]
    assert "title         = {Optimization Methods for Large-Scale Machine Learning}" in entry
    assert "eprint        = {1606.04838}" in entry and "archivePrefix = {arXiv}" in entry
    assert "year          = {2016}" in entry and "thm4.6" in entry
    assert "Claims checked with theorylab: claim\\_1" in bib  # LaTeX-escaped underscore
    assert "author" not in bib  # no verified authors in the catalogue: none invented
    html = report.read_text(encoding="utf-8")
    assert f"@misc{{{BOTTOU}," in html and "archivePrefix = {arXiv}" in html


def test_output_is_deterministic(check_out, report, tmp_path):
    again = build_report(check_out, tmp_path / "again")
    assert again.read_bytes() == report.read_bytes()
    assert (tmp_path / "again" / "references.bib").read_bytes() == (report.parent / "references.bib").read_bytes()


def test_missing_or_malformed_verdicts(tmp_path):
    with pytest.raises(ReportError, match="theorylab check --out"):
        load_verdicts(tmp_path)
    (tmp_path / "verdicts.json").write_text('{"claim": "x"}')
    with pytest.raises(ReportError, match="not a list of verdicts"):
        load_verdicts(tmp_path)
    (tmp_path / "verdicts.json").write_text("[")
    with pytest.raises(ReportError, match="cannot read"):
        load_verdicts(tmp_path)


def test_papers_metadata_and_bibtex_escaping():
    p = papers.paper(BOTTOU)
    assert (p.arxiv, p.year, p.track, p.known) == ("1606.04838", 2016, "rates", True)
    q = papers.paper(UNKNOWN)
    assert (q.title, q.track, q.year, q.known) == (None, "other", 2099, False)
    with pytest.raises(KeyError):
        papers.paper(UNKNOWN, strict=True)
    bib = papers.bibtex(["ayonrinde2024_mutual_choice_sae"])
    assert "Mutual Choice \\& Feature Choice" in bib and "note" not in bib


def test_cli_report(check_out, tmp_path, capsys):
    assert main(["report", "--from", str(check_out), "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "index.html").is_file()
    assert "index.html" in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["report", "--from", str(empty), "--out", str(tmp_path / "r2")]) == 2
    err = capsys.readouterr().err
    assert "verdicts.json" in err and f"theorylab check --out {empty}" in err
    assert not (tmp_path / "r2").exists()


# ----------------------------------------------------------------------------------------------
# The page in a real browser (headless Chromium; Debian package ``chromium``).

def _chromium() -> str:
    exe = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed but CI is set: .ci/run should install it "
                        "(apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return exe


def _dump_dom(exe: str, url: str, profile: Path) -> str:
    """The DOM after the page's scripts ran (load event included), serialised by Chromium."""
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-extensions", f"--user-data-dir={profile}", "--virtual-time-budget=2000",
           "--dump-dom", url]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 0 and "<html" in res.stdout, f"chromium failed ({res.returncode}): {res.stderr[-2000:]}"
    return res.stdout


def test_page_renders_in_headless_chromium(report, tmp_path):
    exe = _chromium()
    url = report.resolve().as_uri()
    dom = _dump_dom(exe, url, tmp_path / "profile")
    tags = _parse(dom).tags
    html_attrs = next(a for t, a in tags if t == "html")
    assert html_attrs.get("data-ready") == "1", "the page's load handler did not run"
    assert "js" in html_attrs.get("class", "")
    status = next(a for t, a in tags if a.get("id") == "report-status")
    assert (status["data-rows"], status["data-imgs"], status["data-imgs-loaded"]) == ("3", "2", "2"), status
    rows = [a for t, a in tags if t == "tr" and "data-status" in a]
    assert len(rows) == 3 and not any("hidden" in r for r in rows)
    assert re.search(r'id="shown"[^>]*>3 of 3 claims shown<', dom)

    # The filters: the URL fragment preselects them; the JS hides the other rows.
    dom = _dump_dom(exe, url + "#status=violated,inconclusive&track=rates,other", tmp_path / "profile2")
    rows = [a for t, a in _parse(dom).tags if t == "tr" and "data-status" in a]
    visible = [r["data-status"] for r in rows if "hidden" not in r]
    expected = [r["data-status"] for r in rows
                if r["data-status"] in ("violated", "inconclusive") and r["data-track"] in ("rates", "other")]
    assert visible == expected and "holds" not in visible
    assert re.search(rf'id="shown"[^>]*>{len(expected)} of 3 claims shown<', dom)
