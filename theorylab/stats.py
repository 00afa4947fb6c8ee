r"""Statistics for Monte-Carlo theorem checks, with stated false-alarm budgets.

Conventions
-----------
* Replicas are i.i.d.; a metric is an ``(R, K)`` array (replicas x checkpoints).
* A one-sided claim ``E[X_t] <= b_t`` is **rejected** only when the data reject it: the lower
  confidence limit ``mean - z SE`` exceeds ``b_t`` at some checkpoint, with ``z`` Bonferroni-corrected
  over the ``K`` checkpoints for a family-wise false-alarm probability ``alpha``
  (:func:`test_upper_bound`).  The normal approximation of the mean is used; for the
  positively-skewed metrics of optimisation (losses, squared distances) the left tail of the
  sample mean is lighter than normal, so this side is conservative.
* ``FALSE_ALARM = 1e-7`` is the default budget of one check (one family of checkpoints).  With
  ~200 checks in the suite, and a factor ~3 for the skewness of sample means at z ~ 5.5 (one
  Edgeworth term at R >= 500), a correct implementation fails a run with probability < 1e-4.
* Rates are fitted on the *mean curve* and get a delta-method standard error from the replicas
  (:func:`fit_power_law`, :func:`fit_linear_rate`): the slope is a smooth function of the mean
  vector, so its variance is the variance over replicas of a linear functional of each replica's
  curve, divided by ``R``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

__all__ = [
    "FALSE_ALARM", "z_value", "mean_se", "BoundTest", "test_upper_bound", "test_lower_bound",
    "EqualityTest", "test_equal", "RateFit", "fit_power_law", "fit_linear_rate", "window_mean", "ratio_se",
    "ks_test", "first_index_below",
]

FALSE_ALARM = 1e-7


def z_value(alpha: float = FALSE_ALARM, tests: int = 1, two_sided: bool = False) -> float:
    """Normal quantile for a family of ``tests`` tests at family-wise level ``alpha`` (Bonferroni)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if tests < 1:
        raise ValueError(f"tests must be >= 1, got {tests}")
    a = alpha / tests / (2 if two_sided else 1)
    return float(-ndtri(a))


def mean_se(samples, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error along ``axis``; ``inf`` (not NaN) wherever a sample is ``+inf``."""
    x = np.asarray(samples, dtype=np.float64)
    n = x.shape[axis]
    bad = np.isinf(x).any(axis=axis)
    xs = np.where(np.isinf(x), 0.0, x)
    m = xs.mean(axis=axis)
    se = xs.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.zeros_like(m)
    m = np.where(bad, np.inf, m)
    se = np.where(bad, np.inf, se)
    return m, se


@dataclass(frozen=True)
class BoundTest:
    """Outcome of testing ``E[X_t] <= bound_t`` (or ``>=``) at every checkpoint.

    ``rejected``: the data reject the inequality at family-wise level ``alpha``.
    ``margin``: the smallest relative slack ``(bound - upper)/|bound|`` (upper confidence limit;
    negative where even the upper limit crosses the bound, for ``>=`` the mirror image).
    ``tightness``: the largest ``mean/bound`` (for ``>=``: ``bound/mean``) and ``tight_at`` its index.
    """

    mean: np.ndarray
    se: np.ndarray
    bound: np.ndarray
    z: float
    alpha: float
    rejected: bool
    first_rejection: int | None
    margin: float
    tightness: float
    tight_at: int
    direction: str

    @property
    def lower(self) -> np.ndarray:
        return self.mean - self.z * self.se

    @property
    def upper(self) -> np.ndarray:
        return self.mean + self.z * self.se


def _bound_test(samples, bound, alpha, rtol, atol, direction) -> BoundTest:
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    b = np.broadcast_to(np.asarray(bound, dtype=np.float64), x.shape[1:]).astype(np.float64)
    m, se = mean_se(x)
    z = z_value(alpha, tests=b.size)
    slack = rtol * np.abs(b) + atol
    # A diverged replica makes the mean +inf (SE inf): then the expectation is infinite and the
    # confidence limits are +inf too (inf - inf would give NaN and hide the divergence).
    with np.errstate(invalid="ignore"):
        lower = np.where(np.isinf(m), m, m - z * se)
    if direction == "<=":
        viol = lower > b + slack
        upper = m + z * se
        with np.errstate(divide="ignore", invalid="ignore"):
            margin = np.where(np.abs(b) > 0, (b - upper) / np.abs(b), np.where(upper <= 0, 0.0, -np.inf))
            tight = np.where(b != 0, m / b, np.where(m <= 0, 0.0, np.inf))
    else:
        viol = m + z * se < b - slack
        with np.errstate(divide="ignore", invalid="ignore"):
            margin = np.where(np.abs(b) > 0, (lower - b) / np.abs(b), np.where(lower >= 0, 0.0, -np.inf))
            tight = np.where(m != 0, b / m, np.inf)
    idx = np.flatnonzero(viol)
    k = int(np.nanargmax(tight)) if tight.size else 0
    return BoundTest(m, se, b, z, alpha, bool(idx.size), int(idx[0]) if idx.size else None,
                     float(np.nanmin(margin)), float(tight[k]), k, direction)


def test_upper_bound(samples, bound, alpha: float = FALSE_ALARM, rtol: float = 1e-12,
                     atol: float = 0.0) -> BoundTest:
    """Test ``E[X_t] <= bound_t`` for all ``t`` from ``(R, K)`` samples.

    Rejected when ``mean_t - z SE_t > bound_t (1 + rtol) + atol`` for some ``t``, with
    ``z = z_value(alpha, K)``.  ``rtol`` absorbs floating-point round-off where the bound is an
    equality (e.g. at ``t = 0`` from a deterministic start).
    """
    return _bound_test(samples, bound, alpha, rtol, atol, "<=")


def test_lower_bound(samples, bound, alpha: float = FALSE_ALARM, rtol: float = 1e-12,
                     atol: float = 0.0) -> BoundTest:
    """Test ``E[X_t] >= bound_t`` for all ``t`` (mirror image of :func:`test_upper_bound`)."""
    return _bound_test(samples, bound, alpha, rtol, atol, ">=")


@dataclass(frozen=True)
class EqualityTest:
    """Two-sided test of ``E[X_t] = expected_t`` up to a relative tolerance ``rtol``.

    ``z_scores`` are ``(mean - expected)/SE``; ``rejected`` when some
    ``|mean - expected| > z SE + rtol |expected| + atol``.  ``max_rel_error`` is the largest
    ``|mean - expected| / |expected|``; ``margin = 1 - max |mean - expected| / allowed``
    (positive when accepted).
    """

    mean: np.ndarray
    se: np.ndarray
    expected: np.ndarray
    z: float
    rejected: bool
    z_scores: np.ndarray
    max_rel_error: float
    margin: float


def test_equal(samples, expected, alpha: float = FALSE_ALARM, rtol: float = 0.0,
               atol: float = 0.0) -> EqualityTest:
    """Test ``E[X_t] = expected_t`` at every checkpoint (two-sided, Bonferroni over checkpoints)."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    e = np.broadcast_to(np.asarray(expected, dtype=np.float64), x.shape[1:]).astype(np.float64)
    m, se = mean_se(x)
    z = z_value(alpha, tests=e.size, two_sided=True)
    dev = np.abs(m - e)
    allowed = np.where(np.isinf(m) & np.isfinite(e), 0.0, z * se + rtol * np.abs(e) + atol)  # inf mean: rejected
    rejected = bool(np.any(dev > allowed))
    with np.errstate(divide="ignore", invalid="ignore"):
        zs = np.where(se > 0, (m - e) / se, np.where(dev == 0, 0.0, np.inf))
        rel = np.where(e != 0, dev / np.abs(e), np.where(dev == 0, 0.0, np.inf))
        used = np.where(allowed > 0, dev / allowed, np.where(dev == 0, 0.0, np.inf))
    return EqualityTest(m, se, e, z, rejected, zs, float(np.max(rel)), float(1 - np.max(used)))


@dataclass(frozen=True)
class RateFit:
    """A fitted exponent with a standard error.

    ``slope`` of ``log(mean)`` against ``log t`` (power law) or against ``t`` (linear rate: per-step
    log-contraction; ``factor = exp(slope)``), fitted by least squares on the window.
    """

    slope: float
    se: float
    intercept: float
    window: tuple
    kind: str

    @property
    def factor(self) -> float:
        return float(np.exp(self.slope))

    def interval(self, z: float) -> tuple[float, float]:
        return self.slope - z * self.se, self.slope + z * self.se

    def rejects(self, lo: float, hi: float, alpha: float = FALSE_ALARM) -> bool:
        """Whether the data reject ``slope in [lo, hi]`` (the z-interval misses the range)."""
        a, b = self.interval(z_value(alpha, two_sided=True))
        return b < lo or a > hi


def _fit_log_mean(xaxis, samples, mask, kind, window) -> RateFit:
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    x = x[:, mask]
    u = np.asarray(xaxis, dtype=np.float64)[mask]
    if u.size < 2:
        raise ValueError(f"need at least 2 checkpoints in the fit window {window}, got {u.size}")
    m, _ = mean_se(x)
    if not np.all(np.isfinite(m)) or np.any(m <= 0):
        return RateFit(float("nan"), float("inf"), float("nan"), window, kind)
    uc = u - u.mean()
    w = uc / np.sum(uc * uc)  # slope = sum_k w_k log m_k
    slope = float(np.sum(w * np.log(m)))
    intercept = float(np.mean(np.log(m)) - slope * u.mean())
    R = x.shape[0]
    if R > 1:
        per_replica = x @ (w / m)  # delta method: d slope / d m_k = w_k / m_k
        se = float(np.std(per_replica, ddof=1) / np.sqrt(R))
    else:
        se = 0.0
    return RateFit(slope, se, intercept, window, kind)


def fit_power_law(t, samples, window: tuple[float, float]) -> RateFit:
    """Fit ``E[X_t] ~ C t^slope`` on ``window[0] <= t <= window[1]`` (slope of log mean vs log t)."""
    t = np.asarray(t, dtype=np.float64)
    mask = (t >= window[0]) & (t <= window[1]) & (t > 0)
    return _fit_log_mean(np.log(np.where(t > 0, t, 1.0)), samples, mask, "power", window)


def fit_linear_rate(t, samples, window: tuple[float, float]) -> RateFit:
    """Fit ``E[X_t] ~ C q^t`` on the window; ``slope = log q`` per step, ``factor = q``."""
    t = np.asarray(t, dtype=np.float64)
    mask = (t >= window[0]) & (t <= window[1])
    return _fit_log_mean(t, samples, mask, "linear", window)


def window_mean(samples, window) -> tuple[float, float]:
    """Mean and SE over replicas of each replica's time average over the checkpoints in ``window``
    (a boolean mask or index array): the plateau of a stationary phase, with an honest error bar
    (replicas are independent; checkpoints within a replica are not)."""
    x = np.asarray(samples, dtype=np.float64)
    m, se = mean_se(x[:, window].mean(axis=1))
    return float(m), float(se)


def ratio_se(m1: float, se1: float, m2: float, se2: float) -> tuple[float, float]:
    """``m1/m2`` and its delta-method standard error for independent estimates."""
    r = m1 / m2
    return r, abs(r) * float(np.hypot(se1 / m1, se2 / m2))


def first_index_below(values: np.ndarray, level: float) -> float:
    """The first index with ``values <= level`` (``inf`` if none)."""
    hit = np.flatnonzero(values <= level)
    return float(hit[0]) if hit.size else np.inf


def ks_test(samples, cdf) -> tuple[float, float]:
    """Kolmogorov-Smirnov statistic and p-value of ``samples`` against a CDF (callable or scipy name)."""
    from scipy import stats as sps  # imported here: scipy.stats costs ~0.7 s at import

    res = sps.kstest(np.asarray(samples).ravel(), cdf)
    return float(res.statistic), float(res.pvalue)
