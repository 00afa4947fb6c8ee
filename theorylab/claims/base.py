"""Claims (theorems made executable), their evidence and their verdicts.

A :class:`Claim` subclass implements :meth:`Claim.evaluate`, which simulates and returns two
:class:`Evidence` objects: the checks of the theorem itself, and the checks of its *negative
control* (the same check run on a deliberately wrong bound, constant or update rule).
:meth:`Claim.check` turns them into a :class:`Verdict`:

* ``violated``: some check of the theorem is rejected by the data;
* ``holds``: every check passes *and* the negative control is rejected (the check has power);
* ``inconclusive``: neither (a check could not decide, or the control was not rejected).

A check may be marked *supporting* (:meth:`Check.supporting`): it validates the apparatus (the
simulation equals an exact oracle, a constant is attained) rather than the theorem.  If a supporting
check is rejected the verdict is ``inconclusive`` whatever the theorem's checks say, so that a
refuted claim (``expected = "violated"``) cannot hide a broken simulation.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .. import stats
from ..bounds.base import PROVENANCE, Bound

__all__ = ["Check", "Curve", "Panel", "Evidence", "Verdict", "Claim", "STATUSES", "BAND_LEVEL", "mean_band",
           "normal_band"]

STATUSES = ("holds", "violated", "inconclusive")

_VERDICTS: dict = {}  # (claim key, size) -> the last Verdict computed in this process


@dataclass(frozen=True)
class Check:
    """One assertion within a claim's evidence.

    ``passed``: True (consistent with the claim), False (rejected by the data) or None (cannot
    decide).  ``margin``: relative slack, positive when passing (NaN where not meaningful).
    """

    name: str
    passed: bool | None
    detail: str
    margin: float = float("nan")
    is_supporting: bool = False

    def supporting(self) -> "Check":
        """This check, marked as validating the apparatus rather than the theorem."""
        return replace(self, is_supporting=True)

    @classmethod
    def upper_bound(cls, name: str, samples, bound, alpha: float = stats.FALSE_ALARM,
                    rtol: float = 1e-12) -> "Check":
        """``E[X_t] <= bound_t`` at every checkpoint (rejected only if the data reject it)."""
        bt = stats.test_upper_bound(samples, bound, alpha=alpha, rtol=rtol)
        where = "" if bt.first_rejection is None else f", first rejected at checkpoint {bt.first_rejection}"
        return cls(name, not bt.rejected,
                   f"max mean/bound = {bt.tightness:.4g} (checkpoint {bt.tight_at}); margin {bt.margin:.3g}; "
                   f"z = {bt.z:.2f}{where}", bt.margin)

    @classmethod
    def lower_bound(cls, name: str, samples, bound, alpha: float = stats.FALSE_ALARM,
                    rtol: float = 1e-12) -> "Check":
        """``E[X_t] >= bound_t`` at every checkpoint."""
        bt = stats.test_lower_bound(samples, bound, alpha=alpha, rtol=rtol)
        return cls(name, not bt.rejected,
                   f"max bound/mean = {bt.tightness:.4g}; margin {bt.margin:.3g}; z = {bt.z:.2f}", bt.margin)

    @classmethod
    def equal(cls, name: str, samples, expected, alpha: float = stats.FALSE_ALARM, rtol: float = 0.0,
              atol: float = 0.0) -> "Check":
        """``E[X_t] = expected_t`` (two-sided, up to ``rtol``) at every checkpoint."""
        et = stats.test_equal(samples, expected, alpha=alpha, rtol=rtol, atol=atol)
        finite = np.isfinite(et.z_scores)
        zmax = float(np.max(np.abs(et.z_scores[finite]))) if finite.any() else float("nan")
        return cls(name, not et.rejected,
                   f"max rel. error {et.max_rel_error:.3g}; max |z| = {zmax:.3g} (threshold {et.z:.2f}, "
                   f"rtol {rtol:g})", et.margin)

    @classmethod
    def ratio_upper_bound(cls, name: str, num, den, factor: float, alpha: float = stats.FALSE_ALARM) -> "Check":
        """``E num <= factor E den`` in every column of *paired* replica samples (``(R,)`` or ``(R, K)``;
        common random numbers allowed): :func:`stats.test_upper_bound` on ``num - factor den``
        against 0 (Bonferroni over the columns).  The margin is the smallest ``-(upper confidence
        limit of E[num - factor den])`` relative to ``factor E den``."""
        num = np.asarray(num, dtype=np.float64).reshape(len(num), -1)
        den = np.asarray(den, dtype=np.float64).reshape(len(den), -1)
        bt = stats.test_upper_bound(num - factor * den, 0.0, alpha=alpha, rtol=0.0)
        scale = factor * np.mean(den, axis=0)
        ratio = np.mean(num, axis=0) / scale
        return cls(name, not bt.rejected, f"max E num/(factor E den) = {np.max(ratio):.3g}; z = {bt.z:.2f}",
                   float(np.min(-bt.upper / np.abs(scale))))

    @classmethod
    def in_range(cls, name: str, value: float, lo: float, hi: float, se: float = 0.0,
                 alpha: float = stats.FALSE_ALARM) -> "Check":
        """``value`` (with standard error ``se``) lies in ``[lo, hi]``: rejected when its two-sided
        ``z se`` interval misses the range; deterministic (``se = 0``) values are compared exactly."""
        z = stats.z_value(alpha, two_sided=True) if se > 0 else 0.0
        a, b = value - z * se, value + z * se
        if not (math.isfinite(value) and math.isfinite(se)):
            return cls(name, False, f"value {value!r} (se {se!r}) is not finite; range [{lo:.4g}, {hi:.4g}]", -math.inf)
        passed = not (b < lo or a > hi)
        width = max(hi - lo, 1e-300)
        margin = min(b - lo, hi - a) / width
        return cls(name, passed, f"{value:.4g} +- {z * se:.2g} vs [{lo:.4g}, {hi:.4g}]", margin)

    @classmethod
    def close(cls, name: str, value, expected, rtol: float, atol: float = 0.0) -> "Check":
        """Deterministic comparison ``|value - expected| <= rtol |expected| + atol`` (elementwise)."""
        v = np.asarray(value, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
        err = np.abs(v - e)
        tol = rtol * np.abs(e) + atol
        ok = bool(np.all(err <= tol))
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = float(np.max(np.where(np.abs(e) > 0, err / np.abs(e), err)))
        margin = float(np.min(np.where(tol > 0, 1 - err / np.maximum(tol, 1e-300), -err)))
        return cls(name, ok, f"max rel. error {rel:.3g} (tolerance rtol={rtol:g}, atol={atol:g})", margin)

    @classmethod
    def holds_if(cls, name: str, condition: bool, detail: str, margin: float = float("nan")) -> "Check":
        """A deterministic condition (exact inequality, ordering, identity within round-off)."""
        return cls(name, bool(condition), detail, margin)


BAND_LEVEL = 0.999  # pointwise confidence level of the bands drawn in figures


def normal_band(mean, se, level: float = BAND_LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """The pointwise two-sided normal band ``mean -+ z SE`` at ``level`` (for estimates whose standard
    error comes from elsewhere than a mean over replicas, e.g. the delta method)."""
    z = stats.z_value(1 - level, two_sided=True)
    m, s = np.asarray(mean, dtype=np.float64), np.asarray(se, dtype=np.float64)
    return m - z * s, m + z * s


def mean_band(samples, level: float = BAND_LEVEL) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean over replicas (axis 0) of ``samples`` and its pointwise normal band ``mean -+ z SE``."""
    m, se = stats.mean_se(samples)
    return (m, *normal_band(m, se, level))


@dataclass
class Curve:
    """One line of a figure: ``y`` against ``x`` with an optional band ``[lo, hi]``.

    ``style``: ``empirical`` (solid, with band), ``bound`` (dashed), ``oracle`` (dotted) or
    ``control`` (the negative control, red).
    """

    x: np.ndarray
    y: np.ndarray
    label: str
    style: str = "empirical"
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None

    @classmethod
    def band(cls, x, samples, label: str, style: str = "empirical", level: float = BAND_LEVEL) -> "Curve":
        """The mean of ``(R, K)`` replica samples against ``x`` with its pointwise ``level`` band."""
        m, lo, hi = mean_band(samples, level)
        return cls(np.asarray(x, dtype=float), m, label, style, lo, hi)

    @classmethod
    def from_run(cls, run, metric: str, label: str, x=None, style: str = "empirical",
                 level: float = BAND_LEVEL) -> "Curve":
        """A metric of a :class:`~theorylab.engine.Run` against ``x`` (default: its checkpoints)."""
        return cls.band(run.t if x is None else x, run.values(metric), label, style, level)


@dataclass
class Panel:
    """One axes of a figure."""

    title: str
    curves: list[Curve]
    xlabel: str = "t"
    ylabel: str = ""
    xscale: str = "log"
    yscale: str = "log"


@dataclass
class Evidence:
    """What a claim's evaluation found: its checks, tightness, an optional fitted rate, figure data."""

    checks: list[Check]
    tightness: float = float("nan")
    rate: stats.RateFit | None = None
    panels: list[Panel] = field(default_factory=list)
    notes: str = ""

    @property
    def rejected(self) -> bool:
        """Some check of the theorem (not a supporting one) is rejected."""
        return any(c.passed is False for c in self.checks if not c.is_supporting)

    @property
    def apparatus_ok(self) -> bool:
        """Every supporting check passed."""
        return all(c.passed is True for c in self.checks if c.is_supporting)

    @property
    def all_passed(self) -> bool:
        return bool(self.checks) and all(c.passed is True for c in self.checks)

    @property
    def margin(self) -> float:
        m = [c.margin for c in self.checks if c.margin == c.margin]
        return float(min(m)) if m else float("nan")


@dataclass
class Verdict:
    """The outcome of checking one claim (see the module docstring for the status rules)."""

    claim: str
    paper: str
    title: str
    source: str
    provenance: str
    status: str
    expected: str
    margin: float
    tightness: float
    negative_control: str
    seconds: float
    size: str
    evidence: Evidence
    control: Evidence

    @property
    def as_expected(self) -> bool:
        """The status is the expected one and the negative control failed."""
        return self.status == self.expected and self.negative_control == "failed"

    def to_json(self) -> dict[str, Any]:
        def num(x):
            return None if x is None or not math.isfinite(x) else float(x)

        def checks(ev):
            return [dict(name=c.name, passed=c.passed, detail=c.detail, margin=num(c.margin),
                         supporting=c.is_supporting) for c in ev.checks]

        return dict(claim=self.claim, paper=self.paper, title=self.title, source=self.source,
                    provenance=self.provenance, status=self.status, expected=self.expected,
                    margin=num(self.margin), tightness=num(self.tightness),
                    negative_control=self.negative_control, seconds=round(self.seconds, 3), size=self.size,
                    rate=None if self.evidence.rate is None else dict(
                        slope=num(self.evidence.rate.slope), se=num(self.evidence.rate.se),
                        kind=self.evidence.rate.kind, window=[float(w) for w in self.evidence.rate.window]),
                    checks=checks(self.evidence), control_checks=checks(self.control),
                    notes=self.evidence.notes)

    def summary(self) -> str:
        lines = [f"{self.claim}: {self.status.upper()} (expected {self.expected}); negative control "
                 f"{self.negative_control}; margin {self.margin:.3g}; tightness {self.tightness:.3g}; "
                 f"{self.seconds:.1f} s"]
        for c in self.evidence.checks:
            kind = " supporting" if c.is_supporting else ""
            lines.append(f"  [{_mark(c.passed)}{kind}] {c.name}: {c.detail}")
        for c in self.control.checks:
            lines.append(f"  [control {_mark(c.passed)}] {c.name}: {c.detail}")
        return "\n".join(lines)

    def figure(self):
        """A matplotlib Figure of the evidence (empirical curves with bands against the bound)."""
        from ..plot import (
            verdict_figure,  # plotting sits above claims in the layer order
        )

        return verdict_figure(self)

    def to_record(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """This verdict as ``(arrays, record)``: the curves' float arrays, and a strict-JSON record of
        everything else (non-finite floats as the strings ``"nan"``, ``"inf"``, ``"-inf"``).
        :meth:`from_record` inverts it; the restored verdict has the same :meth:`to_json` and draws the
        same figure."""
        arrays: dict[str, np.ndarray] = {}
        record = {name: getattr(self, name) for name in _VERDICT_TEXT}
        record.update({name: _float_out(getattr(self, name)) for name in _VERDICT_FLOATS})
        record.update(format=_RECORD_FORMAT, evidence=_evidence_out(self.evidence, "evidence", arrays),
                      control=_evidence_out(self.control, "control", arrays))
        return arrays, record

    @classmethod
    def from_record(cls, arrays: dict[str, np.ndarray], record: dict[str, Any]) -> "Verdict":
        """The verdict that :meth:`to_record` turned into ``(arrays, record)``."""
        if record.get("format") != _RECORD_FORMAT:
            raise ValueError(f"verdict record format {record.get('format')!r}, expected {_RECORD_FORMAT}")
        return cls(**{name: record[name] for name in _VERDICT_TEXT},
                   **{name: float(record[name]) for name in _VERDICT_FLOATS},
                   evidence=_evidence_in(record["evidence"], "evidence", arrays),
                   control=_evidence_in(record["control"], "control", arrays))


_RECORD_FORMAT = 1
_VERDICT_TEXT = ("claim", "paper", "title", "source", "provenance", "status", "expected", "negative_control", "size")
_VERDICT_FLOATS = ("margin", "tightness", "seconds")
_CURVE_ARRAYS = ("x", "y", "lo", "hi")
_PANEL_TEXT = ("title", "xlabel", "ylabel", "xscale", "yscale")


def _float_out(x) -> float | str:
    x = float(x)
    return x if math.isfinite(x) else str(x)  # "nan", "inf", "-inf": float() reads them back


def _plain(x):
    """A number of a rate-fit window as a JSON number (numpy scalars as Python ones; non-finite as text)."""
    x = x.item() if isinstance(x, np.generic) else x
    return _float_out(x) if isinstance(x, float) else x


def _evidence_out(ev: Evidence, prefix: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    panels = []
    for i, panel in enumerate(ev.panels):
        curves = []
        for j, c in enumerate(panel.curves):
            for name in _CURVE_ARRAYS:
                value = getattr(c, name)
                if value is not None:
                    arrays[f"{prefix}.{i}.{j}.{name}"] = np.asarray(value, dtype=np.float64)
            curves.append(dict(label=c.label, style=c.style))
        panels.append(dict({name: getattr(panel, name) for name in _PANEL_TEXT}, curves=curves))
    rate = None if ev.rate is None else dict(
        slope=_float_out(ev.rate.slope), se=_float_out(ev.rate.se), intercept=_float_out(ev.rate.intercept),
        window=[_plain(w) for w in ev.rate.window], kind=ev.rate.kind)
    checks = [dict(name=c.name, passed=None if c.passed is None else bool(c.passed), detail=c.detail,
                   margin=_float_out(c.margin), supporting=bool(c.is_supporting)) for c in ev.checks]
    return dict(checks=checks, tightness=_float_out(ev.tightness), rate=rate, panels=panels, notes=ev.notes)


def _evidence_in(rec: dict[str, Any], prefix: str, arrays: dict[str, np.ndarray]) -> Evidence:
    panels = []
    for i, p in enumerate(rec["panels"]):
        curves = []
        for j, c in enumerate(p["curves"]):
            data = {name: arrays.get(f"{prefix}.{i}.{j}.{name}") for name in _CURVE_ARRAYS}
            curves.append(Curve(label=c["label"], style=c["style"], **data))
        panels.append(Panel(curves=curves, **{name: p[name] for name in _PANEL_TEXT}))
    r = rec["rate"]
    rate = None if r is None else stats.RateFit(
        float(r["slope"]), float(r["se"]), float(r["intercept"]),
        tuple(float(w) if isinstance(w, str) else w for w in r["window"]), r["kind"])
    checks = [Check(c["name"], c["passed"], c["detail"], float(c["margin"]), c["supporting"])
              for c in rec["checks"]]
    return Evidence(checks, float(rec["tightness"]), rate, panels, rec["notes"])


def _mark(passed: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "????"}[passed]


class Claim:
    """Base class of an executable theorem.

    Subclasses set the class attributes below and implement :meth:`evaluate`.  ``sizes`` maps
    ``"quick"`` (CI: a few seconds) and ``"full"`` (the experiment figures) to keyword
    parameters passed to :meth:`evaluate`.  Problem constants must be computed from the problem
    objects, never typed in.
    """

    paper: str = ""          # catalogue key, e.g. "bottou2018_optimization_large_scale_ml"
    id: str = ""             # claim id within the paper, e.g. "thm4.6"
    title: str = ""          # one line: what is claimed
    source: str = ""         # e.g. "Bottou, Curtis & Nocedal (2018), Theorem 4.6"
    provenance: str = ""     # read / recalled / reconstructed / derived / qualitative
    statement: str = ""
    assumptions: str = ""
    area: tuple = ()
    bound: Bound | None = None
    expected: str = "holds"
    sizes: dict = {"quick": {}, "full": {}}

    @property
    def key(self) -> str:
        return f"{self.paper}.{self.id}"

    def evaluate(self, **size) -> tuple[Evidence, Evidence]:
        """Simulate and return ``(evidence, negative_control)``."""
        raise NotImplementedError

    def check(self, size: str | dict = "quick", reuse: bool = False) -> Verdict:
        """Run the claim at a named size (``"quick"`` / ``"full"``) or explicit parameters.

        ``reuse=True`` returns the verdict of an earlier identical check in this process (the
        experiment scripts use it so that the test suite does not recompute verdicts).
        """
        memo_key = (self.key, size if isinstance(size, str) else tuple(sorted(size.items())))
        if reuse and memo_key in _VERDICTS:
            return _VERDICTS[memo_key]
        if isinstance(size, str):
            if size not in self.sizes:
                raise ValueError(f"size must be one of {sorted(self.sizes)} or a dict, got {size!r}")
            params, label = self.sizes[size], size
        else:
            params, label = dict(size), "custom"
        t0 = time.perf_counter()
        evidence, control = self.evaluate(**params)
        seconds = time.perf_counter() - t0
        control_rejected = control.rejected
        if not evidence.apparatus_ok:
            status = "inconclusive"
        elif evidence.rejected:
            status = "violated"
        elif evidence.all_passed and control_rejected:
            status = "holds"
        else:
            status = "inconclusive"
        verdict = Verdict(self.key, self.paper, self.title, self.source, self.provenance, status, self.expected,
                          evidence.margin, evidence.tightness, "failed" if control_rejected else "passed",
                          seconds, label, evidence, control)
        _VERDICTS[memo_key] = verdict
        return verdict

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.provenance and cls.provenance not in PROVENANCE:
            raise ValueError(f"{cls.__name__}.provenance must be one of {PROVENANCE}")
        if cls.expected not in STATUSES:
            raise ValueError(f"{cls.__name__}.expected must be one of {STATUSES}")

    def __repr__(self) -> str:
        return f"<Claim {self.key}: {self.title}>"
