# Before editing: read /work/main/DEVELOPERS.md (rules of the shared tree: own only your files, no git commits).
"""Bubeck (2015), "Convex Optimization: Algorithms and Complexity" (arXiv:1405.4980).

Seven theorems of Chapters 3 and 6, each checked on a problem whose constants are computed from the
problem object.  Index conventions: the monograph starts at ``x_1``; the engine at ``x_0``, so the
monograph's ``x_t`` is the engine's iterate after ``t - 1`` steps.

* Thm 3.2, projected subgradient: absolute-loss regression over a ball, with the sharpest
  Lipschitz constant we can certify, ``L = ||A||_2/sqrt(m) >= ||A^T s||/m`` for every ``s`` in
  ``[-1, 1]^m`` (5x sharper than ``max_i ||a_i||``), and the realised energy identity of the proof.
* Thm 3.3 and 3.10, gradient descent: deterministic runs against the closed form of GD on a quadratic.
* Thm 3.8, Frank-Wolfe on the simplex: on ``1/2 ||x||^2`` from a vertex the iterate after ``t - 1``
  steps is ``sum_s 2 s e_{j_s}/(t (t - 1))`` over distinct vertices, so
  ``f(x_t) = (2t - 1)/(3 t (t - 1))`` exactly (``t >= 2``).
* Thm 3.18/3.19, Nesterov: the engine's ``nesterov`` update is the monograph's ``y_t`` sequence.
* Thm 6.2, projected SGD with weighted averaging (Monte Carlo, 1/t rate).
* Thm 6.3, averaged SGD on a quadratic with additive noise, against the exact expectation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import exact, noise, optim, stats
from ..bounds import bubeck2015 as B
from ..engine import log_checkpoints, simulate
from ..problems import (
    AbsoluteRegression,
    LeastSquares,
    Logistic,
    Quadratic,
    is_linearly_separable,
)
from .base import Check, Claim, Curve, Evidence, Panel

PAPER = "bubeck2015_convex_complexity"
SOURCE = "Bubeck (2015)"


# --------------------------------------------------------------------------------------------
# deterministic checks
# --------------------------------------------------------------------------------------------
def at_most(name: str, value, bound, t, rtol: float = 1e-9, atol: float = 0.0) -> Check:
    """Deterministic ``value_t <= bound_t (1 + rtol) + atol`` at every ``t`` (float round-off only).

    ``margin`` is the smallest relative slack ``1 - value/bound``; the detail names the tightest
    ``t`` and the first violation.
    """
    v, b, t = (np.asarray(a, dtype=np.float64) for a in (value, bound, t))
    ok = v <= b * (1 + rtol) + atol
    ratio = v / b
    k = int(np.nanargmax(ratio))
    bad = np.flatnonzero(~ok)
    where = "" if bad.size == 0 else f"; first violated at t = {t[bad[0]]:.6g} (value/bound {ratio[bad[0]]:.4g})"
    return Check.holds_if(name, bool(ok.all()), f"max value/bound = {ratio[k]:.4g} at t = {t[k]:.6g}{where}",
                          float(np.min(1 - ratio)))


def _power_fit(t, values, window) -> stats.RateFit:
    """Slope of ``log value`` against ``log t`` of one deterministic curve (standard error 0)."""
    return stats.fit_power_law(t, np.asarray(values, dtype=np.float64)[None, :], window)


def _resolved(values, reference: float, level: float = 1e-12) -> np.ndarray:
    """``values`` with the points below ``level * reference`` (float64 round-off of the iterates)
    replaced by NaN, for plotting only."""
    v = np.asarray(values, dtype=np.float64)
    return np.where(v >= level * reference, v, np.nan)


# --------------------------------------------------------------------------------------------
# exact oracles
# --------------------------------------------------------------------------------------------
def quadratic_gd_gap(eigenvalues, e1, eta: float, steps) -> np.ndarray:
    r"""``f(x) - f_*`` after ``k`` steps of gradient descent (step ``eta``) on a quadratic, exactly:
    ``gap_k = 1/2 sum_i lam_i z_i^2 (1 - eta lam_i)^{2k}`` with ``z = V^T (x_1 - x_*)``
    (:func:`theorylab.exact.quadratic_gd_trajectory`)."""
    return exact.quadratic_gd_trajectory(eigenvalues, e1, eta, steps)[0]


def gd_steps_to_relative_gap(eigenvalues, e1, eta: float, relative: float) -> int:
    """Smallest ``k`` with ``gap_k <= relative * gap_0`` for GD on a quadratic (bisection on the
    closed form of :func:`quadratic_gd_gap`, which decreases to 0 when ``0 <= eta lam_i < 2``)."""
    lam = np.asarray(eigenvalues, dtype=np.float64)
    if np.any(eta * lam >= 2) or np.any(eta * lam < 0) or not 0 < relative < 1:
        raise ValueError("need 0 <= eta lam_i < 2 (convergence) and 0 < relative < 1")

    def reached(k: int) -> bool:
        g = quadratic_gd_gap(lam, e1, eta, [0, k])
        return g[1] <= relative * g[0]

    if reached(0):
        return 0
    lo, hi = 0, 1                 # invariant: not reached(lo), reached(hi)
    while not reached(hi):
        lo, hi = hi, 2 * hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if reached(mid) else (mid, hi)
    return hi


def averaged_sgd_quadratic_gap(spectrum, e1, eta: float, noise_var, horizons) -> np.ndarray:
    r"""Exact ``E f(xbar_k) - f_*`` of constant-step SGD with additive noise on a diagonal quadratic.

    ``f = 1/2 sum_i lam_i e_i^2``, ``g = lam * e + xi``, ``xi_i ~ N(0, noise_var_i)``,
    ``xbar_k = (1/k) sum_{s=2..k+1} x_s`` (Bubeck Thm 6.3's average; ``x_1`` the start).  Per mode, with
    ``a = 1 - eta lam``: ``x_s = a^{s-1} x_1 - eta sum_{j<s} a^{s-1-j} xi_j``, hence

    .. math::
        E f(\bar x_k) = \tfrac12 \sum_i \lambda_i \Big[\Big(x_{1,i} \tfrac1k \sum_{m=1}^k a_i^m\Big)^2
        + \eta^2 v_i \tfrac1{k^2} \sum_{m=1}^k \Big(\frac{1 - a_i^m}{1 - a_i}\Big)^2\Big].

    Requires ``0 < eta lam_i <= 1``.  ``horizons``: the ``k >= 1`` to evaluate.
    """
    lam = np.asarray(spectrum, dtype=np.float64)
    h = eta * lam
    if not np.all((h > 0) & (h <= 1)):
        raise ValueError("need 0 < eta lam_i <= 1")
    k = np.asarray(horizons, dtype=np.int64)
    if k.min() < 1:
        raise ValueError("horizons must be >= 1")
    v = np.broadcast_to(np.asarray(noise_var, dtype=np.float64), lam.shape)
    m = np.arange(1, int(k.max()) + 1, dtype=np.float64)[:, None]
    with np.errstate(divide="ignore"):      # a = 0 (eta lam = 1): log a = -inf, a^m = 0
        log_a = np.log1p(-h)[None, :]
    power_sums = np.cumsum(np.exp(m * log_a), axis=0)[k - 1]         # sum_{m<=k} a^m
    geometric = -np.expm1(m * log_a) / h[None, :]                     # (1 - a^m)/(1 - a)
    noise_sums = np.cumsum(geometric**2, axis=0)[k - 1]
    kf = k[:, None].astype(np.float64)
    mean = np.asarray(e1, dtype=np.float64)[None, :] * power_sums / kf
    var = eta**2 * v[None, :] * noise_sums / kf**2
    return 0.5 * np.sum(lam[None, :] * (mean**2 + var), axis=1)


# --------------------------------------------------------------------------------------------
# Thm 3.2: projected subgradient descent
# --------------------------------------------------------------------------------------------
def absolute_regression() -> AbsoluteRegression:
    """``f(x) = (1/m) sum_i |a_i . x - b_i|``, ``m = 200``, ``d = 20``, ``a_i ~ N(0, I)``, Laplace noise."""
    return AbsoluteRegression.gaussian(200, 20, noise=1.0, seed=0)


@dataclass(frozen=True)
class SubgradientPath:
    """What one run of projected subgradient descent ``x_1 .. x_{t+1}`` realised.

    ``avg_gap = f((1/t) sum_{s<=t} x_s) - f_*``; ``mean_gap = (1/t) sum_s f(x_s) - f_*``;
    ``mean_linearisation = (1/t) sum_s <g_s, x_s - x_*>``; ``dist2_first/next = ||x_1 - x_*||^2``,
    ``||x_{t+1} - x_*||^2``; ``sum_grad2 = sum_s ||g_s||^2``; ``projected``: was the projection ever
    active.
    """

    avg_gap: float
    mean_gap: float
    mean_linearisation: float
    dist2_first: float
    dist2_next: float
    sum_grad2: float
    max_grad_norm: float
    projected: bool


def projected_subgradient(problem, x1, eta: float, steps: int, radius: float) -> SubgradientPath:
    """``t = steps`` iterations of ``x_{s+1} = Proj_{B(0, radius)}(x_s - eta g_s)``, ``g_s`` in
    ``problem.grad`` (a subgradient; ``sign(0) = 0`` for the absolute loss)."""
    x = np.asarray(x1, dtype=np.float64).copy()
    xs = problem.x_star
    total = np.zeros_like(x)
    f_sum = lin_sum = g2_sum = g_max = 0.0
    projected = False
    for _ in range(steps):
        g = problem.grad(x)
        total += x
        f_sum += float(problem.f(x))
        lin_sum += float(g @ (x - xs))
        gg = float(g @ g)
        g2_sum += gg
        g_max = max(g_max, gg)
        x = x - eta * g
        nrm = float(np.linalg.norm(x))
        if nrm > radius:
            x *= radius / nrm
            projected = True
    fs = problem.f_star
    d1 = float(np.sum((np.asarray(x1) - xs) ** 2))
    return SubgradientPath(float(problem.f(total / steps)) - fs, f_sum / steps - fs, lin_sum / steps, d1,
                           float(np.sum((x - xs) ** 2)), g2_sum, float(np.sqrt(g_max)), projected)


class Thm32ProjectedSubgradient(Claim):
    """Bubeck Thm 3.2.  Projected subgradient descent with ``eta = R/(L sqrt(t))`` on a convex
    function whose subgradients have norm ``<= L`` on ``X``, with ``x_* in X`` and ``R >= ||x_1 - x_*||``:
    ``f((1/t) sum_{s=1..t} x_s) - f_* <= R L/sqrt(t)``.

    Proof (realised): ``||x_{s+1} - x_*||^2 <= ||x_s - x_*||^2 - 2 eta <g_s, x_s - x_*> + eta^2 ||g_s||^2``
    (non-expansive projection; equality when it is inactive), summed, with Jensen and convexity:
    ``avg gap <= (1/t) sum f(x_s) - f_* <= (1/t) sum <g_s, x_s - x_*>
    <= (||x_1 - x_*||^2 - ||x_{t+1} - x_*||^2)/(2 eta t) + (eta/2t) sum ||g_s||^2 <= R L/sqrt(t)``.
    """

    paper = PAPER
    id = "thm3.2"
    title = "projected subgradient, Lipschitz convex: f(xbar_t) - f* <= R L/sqrt(t)"
    source = f"{SOURCE}, Theorem 3.2"
    provenance = "recalled"
    statement = "f((1/t) sum_{s=1..t} x_s) - f(x*) <= " + B.projected_subgradient_lipschitz.expression
    assumptions = B.projected_subgradient_lipschitz.assumptions
    area = ("rates", "nonsmooth")
    bound = B.projected_subgradient_lipschitz
    sizes = {"quick": dict(horizons=(10, 100, 1000)), "full": dict(horizons=(10, 100, 1000, 10000))}

    radius = 10.0

    def evaluate(self, horizons: tuple):
        p = absolute_regression()
        x1 = np.zeros(p.d)
        if not np.linalg.norm(p.x_star) <= self.radius:
            raise RuntimeError("the minimiser must lie in the constraint ball")
        R = float(np.linalg.norm(x1 - p.x_star))
        L = p.lipschitz               # ||A||_2/sqrt(m): bounds every subgradient on R^d
        t = np.asarray(horizons, dtype=np.float64)
        bound = self.bound(t, R=R, L=L)

        eta = R / (L * np.sqrt(t))        # the theorem's step for each horizon

        def runs(steps: np.ndarray) -> list[SubgradientPath]:
            return [projected_subgradient(p, x1, float(e), h, self.radius) for e, h in zip(steps, horizons)]

        def realised(paths: list[SubgradientPath]) -> np.ndarray:
            return B.projected_subgradient_realised(
                t, eta=eta, dist2_first=np.array([q.dist2_first for q in paths]),
                dist2_next=np.array([q.dist2_next for q in paths]), sum_grad2=np.array([q.sum_grad2 for q in paths]))

        def realised_checks(paths: list[SubgradientPath], label: str) -> list[Check]:
            """The energy identity (projection never active) or inequality, with the theorem's step."""
            lin, rhs = np.array([q.mean_linearisation for q in paths]), realised(paths)
            active = np.array([q.projected for q in paths])
            out = []
            if (~active).any():
                out.append(Check.close(f"{label}: (1/t) sum <g_s, x_s - x*> = realised bound with eta = R/(L sqrt t) "
                                       f"(projection never active)", lin[~active], rhs[~active], rtol=1e-9))
            if active.any():
                out.append(at_most(f"{label}: (1/t) sum <g_s, x_s - x*> <= realised bound with eta = R/(L sqrt t) "
                                   f"(projection active)", lin[active], rhs[active], t[active]))
            return out

        paths = runs(eta)
        avg = np.array([q.avg_gap for q in paths])
        mean_gap = np.array([q.mean_gap for q in paths])
        lin = np.array([q.mean_linearisation for q in paths])
        gmax = max(q.max_grad_norm for q in paths)
        checks = [
            at_most("f(xbar_t) - f* <= R L/sqrt(t), L = ||A||_2/sqrt(m)", avg, bound, t),
            Check.holds_if("subgradient norms <= L along every run", gmax <= L,
                           f"max ||g_s|| = {gmax:.4g} <= L = {L:.4g}", 1 - gmax / L),
            at_most("Jensen: f(xbar_t) - f* <= (1/t) sum f(x_s) - f*", avg, mean_gap, t, atol=1e-14),
            at_most("convexity: (1/t) sum f(x_s) - f* <= (1/t) sum <g_s, x_s - x*>", mean_gap, lin, t, atol=1e-14),
            *realised_checks(paths, "energy identity"),
        ]
        # negative control: the square root dropped from the step, eta = R/(L t)
        wrong = runs(R / (L * t))
        wrong_avg = np.array([q.avg_gap for q in wrong])
        ctrl = [at_most("f(xbar_t) - f* <= R L/sqrt(t) with step R/(L t)", wrong_avg, bound, t),
                *realised_checks(wrong, "energy identity, run with step R/(L t)")]
        loose = self.bound(t, R=R, L=p.lipschitz_max)
        panels = [
            Panel("absolute-loss regression, m=200, d=20, ball r=10", [
                Curve(t, avg, "f(xbar_t) - f*, eta = R/(L sqrt t)"),
                Curve(t, bound, "Thm 3.2: R L/sqrt(t), L = ||A||/sqrt(m)", "bound"),
                Curve(t, loose, "same with L = max ||a_i|| (catalogue)", "oracle"),
                Curve(t, wrong_avg, "control: step R/(L t)", "control")],
                xlabel="horizon t", ylabel="f(xbar_t) - f*"),
            Panel("the proof's chain of inequalities, realised", [
                Curve(t, avg, "f(xbar_t) - f*"),
                Curve(t, mean_gap, "(1/t) sum f(x_s) - f*"),
                Curve(t, lin, "(1/t) sum <g_s, x_s - x*>"),
                Curve(t, realised(paths), "realised energy bound", "oracle"),
                Curve(t, bound, "R L/sqrt(t)", "bound")],
                xlabel="horizon t", ylabel="value")]
        notes = (f"R = ||x1 - x*|| = {R:.4g}, L = ||A||_2/sqrt(m) = {L:.4g} (max ||a_i|| = {p.lipschitz_max:.4g}), "
                 f"max realised ||g_s|| = {gmax:.4g}")
        return (Evidence(checks, tightness=float(np.max(avg / bound)), panels=panels, notes=notes), Evidence(ctrl))


# --------------------------------------------------------------------------------------------
# Thm 3.3: gradient descent, smooth convex
# --------------------------------------------------------------------------------------------
def underdetermined_least_squares() -> LeastSquares:
    """``f(x) = 1/(2n) ||A x - b||^2`` with ``n = 50 < d = 100`` Gaussian rows: convex, not strongly."""
    return LeastSquares.gaussian(50, 100, seed=0)


def _gd_gaps(problem, eta: float, x1, steps: int) -> np.ndarray:
    """``f(x) - f_*`` after ``k = 0..steps`` steps of gradient descent (one deterministic engine run)."""
    return simulate(problem, optim.gd(eta), steps=steps, x0=x1, checkpoints=np.arange(steps + 1),
                    metrics=("gap",)).values("gap")[0]


def _gd_exact_on(problem, x1, x_star, eta: float, steps) -> np.ndarray:
    lam, V = np.linalg.eigh(problem.hessian())
    return quadratic_gd_gap(lam, V.T @ (x1 - x_star), eta, steps)


class Thm33GradientDescentSmooth(Claim):
    """Bubeck Thm 3.3.  Gradient descent with ``eta = 1/beta`` on a convex ``beta``-smooth ``f``:
    ``f(x_t) - f_* <= 2 beta ||x_1 - x_*||^2/(t + 3)``.

    From ``delta_{s+1} <= delta_s - delta_s^2/(2 beta R^2)``: ``1/delta_t >= (t - 1)/(2 beta R^2) + 1/delta_1``
    and ``delta_1 <= beta R^2/2``.  Any minimiser may serve as ``x_*``; the closest to ``x_1`` gives the
    sharpest bound.
    """

    paper = PAPER
    id = "thm3.3"
    title = "GD 1/beta, smooth convex: f(x_t) - f* <= 2 beta R^2/(t+3)"
    source = f"{SOURCE}, Theorem 3.3"
    provenance = "recalled"
    statement = "f(x_t) - f(x*) <= " + B.gradient_descent_smooth_convex.expression
    assumptions = B.gradient_descent_smooth_convex.assumptions
    area = ("rates",)
    bound = B.gradient_descent_smooth_convex
    sizes = {"quick": dict(steps=2000), "full": dict(steps=10000)}

    def evaluate(self, steps: int):
        ls = underdetermined_least_squares()
        slow = Quadratic.logspace(50, 1e-4, 1.0)     # spectrum dense near 0: the O(1/t) regime
        instances = (("underdetermined least squares n=50, d=100", ls, np.zeros(ls.d),
                      ls.project_to_solutions(np.zeros(ls.d))),
                     ("quadratic, 50 log-spaced eigenvalues in [1e-4, 1]", slow, np.ones(slow.d), slow.x_star))
        k = np.arange(steps + 1)
        t = k + 1.0
        checks, ctrl, panels, tight, rate = [], [], [], 0.0, None
        for name, p, x1, x_star in instances:
            beta, R = p.L, float(np.linalg.norm(x1 - x_star))
            bound = self.bound(t, beta=beta, R=R)
            gap = _gd_gaps(p, 1 / beta, x1, steps)
            exact = _gd_exact_on(p, x1, x_star, 1 / beta, k)
            checks.append(at_most(f"f(x_t) - f* <= 2 beta R^2/(t+3) ({name})", gap, bound, t))
            # the iterates carry round-off ~1e-16 ||x*||: compare where the gap is above 1e-10 gap_1
            resolved = exact >= 1e-10 * exact[0]
            checks.append(Check.close(f"gap = closed form 1/2 sum lam z^2 (1 - lam/beta)^(2(t-1)) where gap >= "
                                      f"1e-10 gap_1 ({name})", gap[resolved], exact[resolved], rtol=1e-9))
            tight = max(tight, float(np.max(gap / bound)))
            wrong = _gd_gaps(p, 2 / beta, x1, steps)
            ctrl.append(at_most(f"f(x_t) - f* <= 2 beta R^2/(t+3) with eta = 2/beta ({name})", wrong, bound, t))
            if p is slow:
                rate = _power_fit(t, gap, (10, min(1000, steps)))
            panels.append(Panel(name, [Curve(t, _resolved(gap, exact[0]), "GD, eta = 1/beta (above 1e-12 gap_1)"),
                                       Curve(t, bound, "Thm 3.3: 2 beta R^2/(t+3)", "bound"),
                                       Curve(t, _resolved(exact, exact[0]), "closed form", "oracle"),
                                       Curve(t, wrong, "control: eta = 2/beta", "control")],
                                ylabel="f(x_t) - f*"))
        return (Evidence(checks, tightness=tight, rate=rate, panels=panels,
                         notes=f"slope of the gap on the log-spaced quadratic over t in [10, 1000]: {rate.slope:.3f}"),
                Evidence(ctrl))


# --------------------------------------------------------------------------------------------
# Thm 3.8: Frank-Wolfe
# --------------------------------------------------------------------------------------------
def project_simplex(v) -> np.ndarray:
    """Euclidean projection onto the probability simplex (sort-based; Held, Wolfe & Crowder 1974)."""
    v = np.asarray(v, dtype=np.float64)
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    k = np.arange(1, v.size + 1)
    rho = np.flatnonzero(u * k > css)[-1]
    return np.maximum(v - css[rho] / (rho + 1), 0.0)


@dataclass(frozen=True)
class SimplexMinimiser:
    """A minimiser of a least-squares problem over the simplex with its KKT certificate.

    KKT: ``grad_i = nu`` on the support, ``grad_i >= nu`` off it, ``x_i > 0`` on it; ``stationarity``
    is ``max_S |grad_i - nu|`` and ``dual_slack`` ``min_{not S} (grad_i - nu)`` (``inf`` if full support).
    """

    x: np.ndarray
    f_star: float
    stationarity: float
    dual_slack: float
    min_weight: float

    @property
    def certified(self) -> bool:
        return self.dual_slack > 1e-9 and self.stationarity < 1e-12 and self.min_weight > 0


def simplex_least_squares_minimiser(problem: LeastSquares, max_rounds: int = 200) -> SimplexMinimiser:
    """``argmin f`` over the simplex: accelerated projected gradient identifies the support, then the
    equality-constrained least squares on that support is solved exactly (a KKT linear system) and
    certified; repeated in rounds of 200 iterations until the certificate holds."""
    d, beta = problem.d, problem.L
    x = np.full(d, 1.0 / d)
    y, tk = x.copy(), 1.0
    H, c = problem.hessian(), problem.X.T @ problem.y / problem.n
    best: SimplexMinimiser | None = None
    for _ in range(max_rounds):
        for _ in range(200):
            x_new = project_simplex(y - problem.grad(y) / beta)
            t_new = (1 + np.sqrt(1 + 4 * tk * tk)) / 2
            y, x, tk = x_new + (tk - 1) / t_new * (x_new - x), x_new, t_new
        S = x > 1e-10
        k = int(S.sum())
        kkt = np.block([[H[np.ix_(S, S)], np.ones((k, 1))], [np.ones((1, k)), np.zeros((1, 1))]])
        sol = np.linalg.solve(kkt, np.concatenate([c[S], [1.0]]))
        xs = np.zeros(d)
        xs[S] = sol[:k]
        nu = -sol[k]
        g = problem.grad(xs)
        best = SimplexMinimiser(xs, float(problem.f(xs)), float(np.max(np.abs(g[S] - nu))),
                                float(np.min(g[~S] - nu)) if k < d else float("inf"), float(xs[S].min()))
        if best.certified:
            return best
    return best


def frank_wolfe_simplex(f: Callable, grad: Callable, x1, steps: int, lmo: Callable = np.argmin) -> np.ndarray:
    """``f(x_t)`` for ``t = 1..steps+1`` of Frank-Wolfe on the probability simplex, ``gamma_s = 2/(s+1)``.

    The linear minimisation oracle over the simplex returns the vertex ``e_j``, ``j = lmo(grad f(x_s))``
    (``np.argmin``; the negative control passes ``np.argmax``).
    """
    x = np.asarray(x1, dtype=np.float64).copy()
    out = np.empty(steps + 1)
    out[0] = f(x)
    for s in range(1, steps + 1):
        j = lmo(grad(x))
        gamma = 2.0 / (s + 1)
        x *= 1 - gamma
        x[j] += gamma
        out[s] = f(x)
    return out


def frank_wolfe_norm_on_simplex_exact(t) -> np.ndarray:
    """``f(x_t) = 1/2 ||x_t||^2`` of Frank-Wolfe from a vertex of the simplex in ``R^d``, ``t <= d``.

    ``gamma_1 = 1`` discards ``x_1``; the vertex ``e_{j_s}`` added at step ``s`` then has weight
    ``gamma_s prod_{r=s+1}^{t-1} (1 - gamma_r) = 2 s/(t (t - 1))`` in ``x_t``, and the oracle always picks
    a fresh zero coordinate, so ``f(x_t) = (2/(t (t-1))^2) sum_{s<t} s^2 = (2t - 1)/(3 t (t - 1))``
    (``t >= 2``; ``f(x_1) = 1/2``).
    """
    t = np.asarray(t, dtype=np.float64)
    return np.where(t >= 2, (2 * t - 1) / (3 * t * np.maximum(t - 1, 1)), 0.5)


def simplex_regression(seed: int = 0) -> LeastSquares:
    """``f = 1/(2n) ||X x - y||^2`` (n = 80, d = 100), ``y = X x_0 + 0.1 N(0, 1)``, ``x_0`` a 5-sparse
    point of the simplex: ``1/2 ||A x - b||^2`` with ``A = X/sqrt(80)``."""
    rng = np.random.default_rng(seed)
    n, d = 80, 100
    X = rng.standard_normal((n, d))
    x0 = np.zeros(d)
    x0[rng.choice(d, 5, replace=False)] = rng.dirichlet(np.ones(5))
    return LeastSquares(X, X @ x0 + 0.1 * rng.standard_normal(n))


class Thm38FrankWolfe(Claim):
    """Bubeck Thm 3.8.  Conditional gradient with ``gamma_s = 2/(s+1)`` on a convex ``beta``-smooth
    ``f`` over a compact convex ``X`` of diameter ``R``: ``f(x_t) - f_* <= 2 beta R^2/(t + 1)``, ``t >= 2``.

    (a) ``1/2 ||x||^2`` on the simplex of ``R^d`` (``beta = 1``, ``R = sqrt 2``, ``f_* = 1/(2d)``) from a
    vertex: exact oracle :func:`frank_wolfe_norm_on_simplex_exact`, ``gap ~ 2/(3t)`` (the rate is attained).
    (b) least squares over the simplex of ``R^100``, ``f_*`` certified by KKT.
    """

    paper = PAPER
    id = "thm3.8_frank_wolfe"
    title = "Frank-Wolfe 2/(s+1), smooth convex: f(x_t) - f* <= 2 beta R^2/(t+1)"
    source = f"{SOURCE}, Theorem 3.8"
    provenance = "recalled"
    statement = "f(x_t) - f(x*) <= " + B.frank_wolfe_smooth.expression + " (t >= 2)"
    assumptions = B.frank_wolfe_smooth.assumptions
    area = ("rates",)
    bound = B.frank_wolfe_smooth
    sizes = {"quick": dict(d=10000, steps_a=1000, steps_b=2000), "full": dict(d=10000, steps_a=1000, steps_b=10000)}

    def evaluate(self, d: int, steps_a: int, steps_b: int):
        if steps_a >= d:
            raise ValueError("the closed form needs t <= d (a fresh vertex at every step)")
        diameter = np.sqrt(2.0)                  # ||e_i - e_j|| on the simplex
        vertex = np.zeros(d)
        vertex[0] = 1.0
        norm2 = Quadratic(np.ones(d))            # 1/2 ||x||^2: beta = 1; min on the simplex at 1/d
        fa_star = float(norm2.f(np.full(d, 1.0 / d)))
        ta = np.arange(1, steps_a + 2, dtype=np.float64)
        fa = frank_wolfe_simplex(norm2.f, norm2.grad, vertex, steps_a)
        gap_a = fa - fa_star
        exact_a = frank_wolfe_norm_on_simplex_exact(ta) - fa_star
        bound_a = self.bound(ta, beta=norm2.L, R=diameter)

        p = simplex_regression()
        sol = simplex_least_squares_minimiser(p)
        vb = np.zeros(p.d)
        vb[0] = 1.0
        tb = np.arange(1, steps_b + 2, dtype=np.float64)
        gap_b = frank_wolfe_simplex(p.f, p.grad, vb, steps_b) - sol.f_star
        bound_b = self.bound(tb, beta=p.L, R=diameter)
        rate = _power_fit(ta, gap_a, (10, steps_a))
        a2, b2 = ta >= 2, tb >= 2
        checks = [
            at_most(f"(a) 1/2||x||^2 on the simplex, d={d}: gap <= 2 beta R^2/(t+1), t >= 2", gap_a[a2], bound_a[a2],
                    ta[a2]),
            Check.close("(a) gap = exact (2t-1)/(3t(t-1)) - 1/(2d)", gap_a, exact_a, rtol=1e-9, atol=1e-15),
            Check.in_range(f"(a) slope of log gap vs log t on [10, {steps_a}] in [-1.2, -0.8]", rate.slope, -1.2, -0.8),
            Check("(b) f* certified by the KKT conditions (undecided if not)", True if sol.certified else None,
                  f"support {int(np.sum(sol.x > 0))}, stationarity {sol.stationarity:.2g}, "
                  f"dual slack {sol.dual_slack:.3g}, min weight {sol.min_weight:.3g}"),
            at_most("(b) least squares on the simplex in R^100: gap <= 2 beta R^2/(t+1), t >= 2", gap_b[b2],
                    bound_b[b2], tb[b2], atol=1e-13),
        ]
        # negative control: argmax instead of argmin in the linear minimisation oracle
        wrong_a = frank_wolfe_simplex(norm2.f, norm2.grad, vertex, steps_a, np.argmax) - fa_star
        wrong_b = frank_wolfe_simplex(p.f, p.grad, vb, steps_b, np.argmax) - sol.f_star
        ctrl = [at_most("(a) gap <= bound with an argmax oracle", wrong_a[a2], bound_a[a2], ta[a2]),
                at_most("(b) gap <= bound with an argmax oracle", wrong_b[b2], bound_b[b2], tb[b2])]
        tight = max(float(np.max(gap_a[a2] / bound_a[a2])), float(np.max(gap_b[b2] / bound_b[b2])))
        panels = [
            Panel(f"(a) 1/2||x||^2 on the simplex, d = {d}, from a vertex", [
                Curve(ta, gap_a, "Frank-Wolfe"), Curve(ta, bound_a, "Thm 3.8: 2 beta R^2/(t+1)", "bound"),
                Curve(ta, exact_a, "exact (2t-1)/(3t(t-1)) - 1/(2d)", "oracle"),
                Curve(ta, wrong_a, "control: argmax oracle", "control")], ylabel="f(x_t) - f*"),
            Panel("(b) least squares over the simplex in R^100", [
                Curve(tb, gap_b, "Frank-Wolfe"), Curve(tb, bound_b, "Thm 3.8: 2 beta R^2/(t+1)", "bound"),
                Curve(tb, wrong_b, "control: argmax oracle", "control")], ylabel="f(x_t) - f*"),
        ]
        return (Evidence(checks, tightness=tight, rate=rate, panels=panels,
                         notes=f"(b) beta = {p.L:.4g}, f* = {sol.f_star:.10g}"), Evidence(ctrl))


# --------------------------------------------------------------------------------------------
# Thm 3.10: gradient descent, strongly convex and smooth
# --------------------------------------------------------------------------------------------
class Thm310GradientDescentStronglyConvex(Claim):
    """Bubeck Thm 3.10.  Gradient descent with ``eta = 2/(alpha + beta)`` on an ``alpha``-strongly convex
    ``beta``-smooth ``f``: ``f(x_{t+1}) - f_* <= (beta/2) exp(-4t/(kappa + 1)) ||x_1 - x_*||^2``.

    From ``||x_{t+1} - x_*|| <= ((kappa - 1)/(kappa + 1))^t ||x_1 - x_*||``, ``((k-1)/(k+1))^2 <= exp(-4/(k+1))``
    and ``f - f_* <= (beta/2) ||x - x_*||^2``.  On a quadratic whose spectrum contains ``alpha`` and
    ``beta`` the contraction factor is attained exactly, so it is measured late (``t >= steps/4``).
    """

    paper = PAPER
    id = "thm3.10"
    title = "GD 2/(alpha+beta), strongly convex: contraction (kappa-1)/(kappa+1)"
    source = f"{SOURCE}, Theorem 3.10"
    provenance = "recalled"
    statement = "f(x_{t+1}) - f(x*) <= " + B.gradient_descent_strongly_convex_smooth.expression
    assumptions = B.gradient_descent_strongly_convex_smooth.assumptions
    area = ("rates",)
    bound = B.gradient_descent_strongly_convex_smooth
    sizes = {"quick": dict(steps=2000), "full": dict(steps=2000)}

    def evaluate(self, steps: int):
        p = Quadratic.linspace(50, 1.0, 100.0)
        alpha, beta = p.mu, p.L
        kappa = beta / alpha
        x1 = np.random.default_rng(0).standard_normal(p.d)
        R = float(np.linalg.norm(x1 - p.x_star))
        k = np.arange(steps + 1)
        bound = self.bound(k, beta=beta, kappa=kappa, R=R)
        q = (kappa - 1) / (kappa + 1)
        late = k[1:] >= steps // 4

        def checks_for(eta: float, label: str):
            run = simulate(p, optim.gd(eta), steps=steps, x0=x1, checkpoints=k, metrics=("gap", "dist2"))
            gap, dist2 = run.values("gap")[0], run.values("dist2")[0]
            contraction = np.sqrt(dist2[1:] / dist2[:-1])
            out = [at_most(f"f(x_(t+1)) - f* <= (beta/2) exp(-4t/(kappa+1)) R^2 ({label})", gap, bound, k),
                   Check.close(f"late contraction ||x_(t+1) - x*||/||x_t - x*|| = (kappa-1)/(kappa+1) ({label})",
                               contraction[late], q, rtol=1e-9)]
            return gap, contraction, out

        eta = 2 / (alpha + beta)
        gap, contraction, checks = checks_for(eta, "eta = 2/(alpha+beta)")
        exact = quadratic_gd_gap(p.spectrum, x1 - p.x_star, eta, k)
        checks.append(Check.close("gap = closed form 1/2 sum lam z^2 (1 - eta lam)^(2t)", gap, exact, rtol=1e-9))
        rate = stats.fit_linear_rate(k, gap[None, :], (steps // 4, steps))
        wrong_gap, wrong_contraction, ctrl = checks_for(1 / beta, "control eta = 1/beta")
        panels = [
            Panel(f"quadratic, 50 eigenvalues in [{alpha:g}, {beta:g}]", [
                Curve(k + 1, gap, "GD, eta = 2/(alpha+beta)"), Curve(k + 1, bound, "Thm 3.10 bound", "bound"),
                Curve(k + 1, exact, "closed form", "oracle"),
                Curve(k + 1, wrong_gap, "control: eta = 1/beta", "control")],
                xlabel="t + 1", ylabel="f(x_(t+1)) - f*", xscale="linear"),
            Panel("per-step contraction of ||x_t - x*||", [
                Curve(k[1:], contraction, "eta = 2/(alpha+beta)"),
                Curve(k[1:], np.full(steps, q), "(kappa-1)/(kappa+1)", "bound"),
                Curve(k[1:], wrong_contraction, "control: eta = 1/beta", "control")],
                ylabel="||x_(t+1) - x*|| / ||x_t - x*||", yscale="linear"),
        ]
        return (Evidence(checks, tightness=float(np.max(gap / bound)), rate=rate, panels=panels,
                         notes=f"fitted gap contraction {rate.factor:.12f} vs ((kappa-1)/(kappa+1))^2 = {q * q:.12f}"),
                Evidence(ctrl))


# --------------------------------------------------------------------------------------------
# Thms 3.18 / 3.19: Nesterov's accelerated gradient descent
# --------------------------------------------------------------------------------------------
class Thm318Thm319Nesterov(Claim):
    """Bubeck Thms 3.18 and 3.19 (Nesterov's accelerated gradient descent, step ``1/beta``).

    Strongly convex (momentum ``(sqrt(kappa) - 1)/(sqrt(kappa) + 1)``):
    ``f(y_t) - f_* <= ((alpha + beta)/2) ||x_1 - x_*||^2 exp(-(t - 1)/sqrt(kappa))``.
    Smooth convex (momentum ``(lambda_{t-1} - 1)/lambda_t``): ``f(y_t) - f_* <= 2 beta ||x_1 - x_*||^2/t^2``.

    The engine's ``nesterov`` iterate after ``k`` steps is the monograph's ``y_{k+1}`` (``y_1 = x_1``).
    Instances: (a) ``H = diag(linspace(1, 1e4, 200))``, ``x_{1,i} = 1/sqrt(lam_i)`` (every mode contributes
    equally to ``f(x_1)``, so a momentum-free method is slowed by the bottom modes); (b) the
    underdetermined least squares of Thm 3.3 (``x_*`` the minimiser closest to ``x_1``); (c) logistic
    regression, ``n = 500``, ``d = 50``, labels from ``w_0 ~ N(0, I/d)`` (not separable).
    """

    paper = PAPER
    id = "thm3.18_3.19_nesterov"
    title = "Nesterov AGD: exp(-(t-1)/sqrt(kappa)) (strongly convex) and 2 beta R^2/t^2 (convex)"
    source = f"{SOURCE}, Theorems 3.18 and 3.19"
    provenance = "recalled"
    statement = (f"strongly convex: f(y_t) - f* <= {B.nesterov_strongly_convex.expression}; "
                 f"convex: f(y_t) - f* <= {B.nesterov_smooth_convex.expression}")
    assumptions = B.nesterov_strongly_convex.assumptions + ". " + B.nesterov_smooth_convex.assumptions
    area = ("rates", "momentum")
    bound = B.nesterov_smooth_convex
    sizes = {"quick": dict(steps_convex=2000), "full": dict(steps_convex=10000)}

    relative_gap = 1e-8

    def _strongly_convex(self, momentum: float | None, steps: int, p: Quadratic, x1: np.ndarray):
        alpha, beta = p.mu, p.L
        kappa = beta / alpha
        mom = optim.nesterov_strongly_convex_momentum(kappa) if momentum is None else momentum
        k = np.arange(steps + 1)
        gap = simulate(p, optim.nesterov(1 / beta, mom), steps=steps, x0=x1, checkpoints=k,
                       metrics=("gap",)).values("gap")[0]
        bound = B.nesterov_strongly_convex(k + 1.0, alpha=alpha, beta=beta, kappa=kappa,
                                           R=float(np.linalg.norm(x1 - p.x_star)))
        reached = np.flatnonzero(gap <= self.relative_gap * gap[0])
        return k, gap, bound, (int(reached[0]) if reached.size else None)

    def evaluate(self, steps_convex: int):
        checks, ctrl, panels = [], [], []
        # (a) strongly convex quadratic
        qa = Quadratic.linspace(200, 1.0, 1e4)
        alpha, beta = qa.mu, qa.L
        x1 = 1 / np.sqrt(qa.spectrum)
        gd_steps = {name: gd_steps_to_relative_gap(qa.spectrum, x1, eta, self.relative_gap)
                    for name, eta in (("1/beta", 1 / beta), ("2/(alpha+beta)", 2 / (alpha + beta)))}
        fastest_gd = min(gd_steps.values())
        horizon = fastest_gd // 10 + 1        # long enough to decide "10x fewer steps" either way

        def speedup_check(reached: int | None, label: str) -> Check:
            ok = reached is not None and 10 * reached <= fastest_gd
            got = f"{reached}" if reached is not None else f"> {horizon}"
            return Check.holds_if(f"(a) {label} reaches gap/gap_1 <= 1e-8 in 10x fewer steps than GD(1/beta) and "
                                  f"GD(2/(alpha+beta))", ok,
                                  f"{got} steps vs GD {gd_steps['1/beta']} (1/beta), {gd_steps['2/(alpha+beta)']} "
                                  f"(2/(alpha+beta)) [closed form]",
                                  1 - 10 * reached / fastest_gd if reached is not None else -1.0)

        k, gap, bound, reached = self._strongly_convex(None, horizon, qa, x1)
        checks.append(at_most("(a) Thm 3.18: f(y_t) - f* <= (alpha+beta)/2 R^2 exp(-(t-1)/sqrt(kappa))", gap, bound,
                              k + 1))
        checks.append(speedup_check(reached, "AGD"))
        tight = {"(a)": float(np.max(gap / bound))}
        rate = stats.fit_linear_rate(k, gap[None, :], (horizon // 4, horizon // 2))
        _, wrong_gap, _, wrong_reached = self._strongly_convex(0.0, horizon, qa, x1)
        ctrl.append(at_most("(a) Thm 3.18 bound with momentum 0 (= GD 1/beta)", wrong_gap, bound, k + 1))
        ctrl.append(speedup_check(wrong_reached, "'AGD' with momentum 0"))
        panels.append(Panel("(a) diag(linspace(1, 1e4, 200)), x1_i = 1/sqrt(lam_i)", [
            Curve(k + 1, gap, "AGD (strongly convex momentum)"),
            Curve(k + 1, bound, "Thm 3.18 bound", "bound"),
            Curve(k + 1, quadratic_gd_gap(qa.spectrum, x1, 2 / (alpha + beta), k), "GD 2/(alpha+beta) (closed form)",
                  "oracle"),
            Curve(k + 1, wrong_gap, "control: momentum 0", "control")],
            ylabel="f(y_t) - f*", xscale="linear"))

        # (b), (c): smooth convex, Thm 3.19
        ls = underdetermined_least_squares()
        logistic = Logistic.gaussian(500, 50, seed=0)
        if is_linearly_separable(logistic.X, logistic.y):
            raise RuntimeError("the logistic data must not be separable (no minimiser)")
        kc = np.arange(steps_convex + 1)
        tc = kc + 1.0
        for name, p, x_star in (("(b) underdetermined least squares", ls, ls.project_to_solutions(np.zeros(ls.d))),
                                ("(c) logistic regression n=500, d=50", logistic, logistic.x_star)):
            x0 = np.zeros(p.d)
            bound_c = self.bound(tc, beta=p.L, R=float(np.linalg.norm(x0 - x_star)))
            runs = {label: simulate(p, optim.nesterov(1 / p.L, mom), steps=steps_convex, x0=x0, checkpoints=kc,
                                    metrics=("gap",)).values("gap")[0]
                    for label, mom in (("AGD", optim.nesterov_convex_momentum()), ("GD 1/beta", 0.0))}
            checks.append(at_most(f"{name}: Thm 3.19 f(y_t) - f* <= 2 beta R^2/t^2", runs["AGD"], bound_c, tc,
                                  atol=1e-14))
            tight[name[:3]] = float(np.max(runs["AGD"] / bound_c))
            gap1 = runs["AGD"][0]
            panels.append(Panel(name, [
                Curve(tc, _resolved(runs["AGD"], gap1), "AGD, convex momentum (above 1e-12 gap_1)"),
                Curve(tc, bound_c, "Thm 3.19: 2 beta R^2/t^2", "bound"),
                Curve(tc, _resolved(runs["GD 1/beta"], gap1), "GD 1/beta (reference)", "oracle")],
                ylabel="f(y_t) - f*"))
        notes = (f"AGD steps to relative gap 1e-8 on (a): {reached}; GD: {gd_steps}; tightness per instance: "
                 + ", ".join(f"{key} {v:.3g}" for key, v in tight.items()))
        return (Evidence(checks, tightness=max(tight.values()), rate=rate, panels=panels, notes=notes), Evidence(ctrl))


# --------------------------------------------------------------------------------------------
# Thm 6.2: projected SGD, strongly convex, weighted averaging
# --------------------------------------------------------------------------------------------
class Thm62ProjectedSGDStronglyConvex(Claim):
    """Bubeck Thm 6.2.  Projected SGD with ``eta_s = 2/(alpha (s + 1))`` on an ``alpha``-strongly convex
    ``f`` with ``E||g||^2 <= B^2`` on ``X``:
    ``E f(sum_{s=1..t} 2 s x_s/(t (t+1))) - f_* <= 2 B^2/(alpha (t + 1))``.

    Problem: ``f = alpha/2 ||x - x_c||^2`` (``alpha = 0.1``, ``d = 10``, ``||x_c|| = 2``),
    ``g = grad f + xi``, ``xi ~ N(0, s^2 I)``, ``X`` the ball of radius 5 around 0, so
    ``B^2 = sup_X ||grad f||^2 + E||xi||^2 = (L (5 + ||x_c||))^2 + d s^2``.  Without projection the error
    obeys ``s (s+1) e_{s+1} = s (s-1) e_s - (2 s/alpha) xi_s``, which gives the asymptote
    ``E gap ~ 16 d s^2/(27 alpha t)`` (``int_0^1 u^2 log^2 u du = 2/27``): 8/27 of the bound.
    """

    paper = PAPER
    id = "thm6.2_sgd_strongly_convex"
    title = "projected SGD, strongly convex, weighted average: E gap <= 2 B^2/(alpha(t+1))"
    source = f"{SOURCE}, Theorem 6.2"
    provenance = "recalled"
    statement = "E f(sum_s 2s x_s/(t(t+1))) - f(x*) <= " + B.projected_sgd_strongly_convex_weighted_average.expression
    assumptions = B.projected_sgd_strongly_convex_weighted_average.assumptions
    area = ("rates", "sgd-noise")
    bound = B.projected_sgd_strongly_convex_weighted_average
    sizes = {"quick": dict(replicas=200, steps=10000), "full": dict(replicas=500, steps=100000)}

    alpha, d, center_norm, radius, noise_std = 0.1, 10, 2.0, 5.0, 1.0

    def evaluate(self, replicas: int, steps: int):
        xc = np.random.default_rng(0).standard_normal(self.d)
        xc *= self.center_norm / np.linalg.norm(xc)
        p = Quadratic(np.full(self.d, self.alpha), x_star=xc)
        ball = optim.ball(self.radius)
        oracle = noise.additive(self.noise_std)
        grad_sup = p.L * (ball.radius + float(np.linalg.norm(p.x_star - ball.center_array(p.d))))
        B2 = grad_sup**2 + oracle.variance(p.d)
        alpha = p.mu
        ck = log_checkpoints(steps, 40)
        run = simulate(p, optim.sgd(optim.inverse_time(2 / alpha, 1.0)), oracle, steps=steps, replicas=replicas,
                       seed=62, checkpoints=ck, average=optim.weighted(lambda j: j + 1), project=ball,
                       metrics=("avg_gap",))
        gaps = run.values("avg_gap")
        t = ck + 1.0                              # the average of x_1..x_t sits at engine step t - 1
        bound = self.bound(t, B=np.sqrt(B2), alpha=alpha)
        window = (1000, steps)
        rate = stats.fit_power_law(t, gaps, window)
        checks = [Check.upper_bound("E f(xbar_t) - f* <= 2 B^2/(alpha (t+1))", gaps, bound),
                  Check.in_range(f"slope of log E gap vs log t on [{window[0]}, {window[1]}] in [-1.2, -0.8]",
                                 rate.slope, -1.2, -0.8, rate.se)]
        # negative control: B^2 with the per-coordinate noise variance s^2 instead of E||xi||^2 = d s^2
        B2_wrong = grad_sup**2 + self.noise_std**2
        wrong = self.bound(t, B=np.sqrt(B2_wrong), alpha=alpha)
        ctrl = [Check.upper_bound("E gap <= 2 B^2/(alpha(t+1)) with B^2 = (L(r+|x_c|))^2 + s^2 (d dropped)", gaps,
                                  wrong)]
        asymptote = 16 * oracle.variance(p.d) / (27 * alpha * t)
        panels = [Panel(f"projected SGD, alpha={alpha:g}, d={p.d}, ball r={self.radius:g}, {replicas} runs", [
            Curve.band(t, gaps, "E f(xbar_t) - f* (99.9% CI)"),
            Curve(t, bound, f"Thm 6.2: 2B^2/(alpha(t+1)), B^2 = {B2:.4g}", "bound"),
            Curve(t, asymptote, "asymptote 16 d s^2/(27 alpha t) (no projection)", "oracle"),
            Curve(t, wrong, f"control bound, B^2 = {B2_wrong:.4g}", "control")], ylabel="E f(xbar_t) - f*"),
            Panel("the same, times t", [
                Curve.band(t, gaps * t, "t E[f(xbar_t) - f*] (99.9% CI)"),
                Curve(t, bound * t, "t x Thm 6.2 bound", "bound"),
                Curve(t, asymptote * t, "16 d s^2/(27 alpha)", "oracle"),
                Curve(t, wrong * t, "t x control bound", "control")], ylabel="t E f(xbar_t) - f*", yscale="linear")]
        tight = stats.test_upper_bound(gaps, bound).tightness
        return (Evidence(checks, tightness=tight, rate=rate, panels=panels,
                         notes=f"B^2 = {B2:.4g}; t * E gap at t = {int(t[-1])}: {run.mean('avg_gap')[-1] * t[-1]:.4g} "
                               f"(asymptote {16 * oracle.variance(p.d) / (27 * alpha):.4g})"),
                Evidence(ctrl))


# --------------------------------------------------------------------------------------------
# Thm 6.3: averaged SGD, smooth convex
# --------------------------------------------------------------------------------------------
class Thm63AveragedSGDSmooth(Claim):
    """Bubeck Thm 6.3 (Euclidean case).  SGD with the fixed step ``eta = 1/(beta + 1/gamma)``,
    ``gamma = (R/sigma) sqrt(2/t)``, on a convex ``beta``-smooth ``f`` with ``E||g - grad f||^2 <= sigma^2``:
    ``E f((1/t) sum_{s=2..t+1} x_s) - f_* <= R sigma sqrt(2/t) + beta R^2/t``.

    The proof gives, for any fixed ``gamma`` and every ``t``, ``avg gap <= (beta + 1/gamma) R^2/t +
    gamma sigma^2/2`` with ``R^2 = D(x_*, x_1) = ||x_1 - x_*||^2/2`` (so the catalogue's proxy
    ``R = ||x_1 - x_*||`` is valid but 2x loose in the ``beta R^2/t`` term).  Both are loose (~5-300x),
    so the sharp check is the exact expectation :func:`averaged_sgd_quadratic_gap` on
    ``f = 1/2 x^T diag(linspace(0.01, 1, 20)) x`` with noise ``N(0, sigma^2/d I)``.
    """

    paper = PAPER
    id = "thm6.3_smooth_sgd"
    title = "averaged SGD, smooth convex: E gap <= R sigma sqrt(2/t) + beta R^2/t"
    source = f"{SOURCE}, Theorem 6.3"
    provenance = "recalled"
    statement = "E f((1/t) sum_{s=2..t+1} x_s) - f(x*) <= " + B.sgd_smooth_averaged.expression
    assumptions = B.sgd_smooth_averaged.assumptions
    area = ("rates", "sgd-noise")
    bound = B.sgd_smooth_averaged
    sizes = {"quick": dict(replicas=200, horizons=(10, 100, 1000)),
             "full": dict(replicas=2000, horizons=(10, 100, 1000, 10000))}

    sigmas = (0.1, 1.0)

    def evaluate(self, replicas: int, horizons: tuple):
        p = Quadratic.linspace(20, 0.01, 1.0)
        beta, d = p.L, p.d
        x1 = 3 * np.random.default_rng(0).standard_normal(d)
        R = float(np.linalg.norm(x1 - p.x_star)) / np.sqrt(2)
        e1 = x1 - p.x_star
        T = np.asarray(horizons, dtype=np.float64)
        checks, ctrl, panels = [], [], []
        tight = 0.0
        # sigma = 0: gamma = inf, eta = 1/beta, deterministic
        k0 = np.arange(1, int(T.max()) + 1)
        det = simulate(p, optim.gd(1 / beta), steps=int(T.max()), x0=x1, checkpoints=k0, average=optim.uniform(1),
                       metrics=("avg_gap",)).values("avg_gap")[0]
        det_bound = self.bound(k0, R=R, sigma=0.0, beta=beta)
        checks.append(at_most("sigma = 0: f(xbar_t) - f* <= beta R^2/t", det, det_bound, k0))
        checks.append(Check.close("sigma = 0: f(xbar_t) - f* = exact", det,
                                  averaged_sgd_quadratic_gap(p.spectrum, e1, 1 / beta, 0.0, k0), rtol=1e-9))
        tight = max(tight, float(np.max(det / det_bound)))
        for j, sigma in enumerate(self.sigmas):
            at_horizon, exact_h = [], []
            for i, horizon in enumerate(horizons):
                gamma = R / sigma * np.sqrt(2 / horizon)
                eta = 1 / (beta + 1 / gamma)
                ck = log_checkpoints(horizon, 30)[1:]
                run = simulate(p, optim.sgd(eta), noise.additive(sigma / np.sqrt(d)), steps=horizon,
                               replicas=replicas, seed=630 + 10 * j + i, x0=x1, checkpoints=ck,
                               average=optim.uniform(1), metrics=("avg_gap",))
                gaps = run.values("avg_gap")
                exact = averaged_sgd_quadratic_gap(p.spectrum, e1, eta, sigma**2 / d, ck)
                general = B.sgd_smooth_averaged_fixed_step(ck, beta=beta, gamma=gamma, R=R, sigma=sigma)
                label = f"sigma={sigma:g}, horizon {horizon}"
                checks.append(Check.upper_bound(f"E gap <= (beta + 1/gamma) R^2/t + gamma sigma^2/2 at every t "
                                                f"({label})", gaps, general))
                checks.append(Check.equal(f"E gap = exact expectation ({label})", gaps, exact))
                ctrl.append(Check.equal(f"E gap = exact expectation with noise N(0, sigma^2 I) ({label})", gaps,
                                        averaged_sgd_quadratic_gap(p.spectrum, e1, eta, sigma**2, ck)))
                tight = max(tight, stats.test_upper_bound(gaps, general).tightness)
                at_horizon.append(gaps[:, -1])
                exact_h.append(exact[-1])
                if i == len(horizons) - 1 and j == len(self.sigmas) - 1:
                    panels.append(Panel(f"sigma = {sigma:g}: one run of horizon {horizon}, {replicas} runs", [
                        Curve.band(ck, gaps, "E f(xbar_t) - f* (99.9% CI)"),
                        Curve(ck, general, "(beta + 1/gamma) R^2/t + gamma sigma^2/2", "bound"),
                        Curve(ck, exact, "exact expectation", "oracle"),
                        Curve(ck, averaged_sgd_quadratic_gap(p.spectrum, e1, eta, sigma**2, ck),
                              "control: exact with noise N(0, sigma^2 I)", "control")], ylabel="E f(xbar_t) - f*"))
            samples = np.stack(at_horizon, axis=1)
            bound = self.bound(T, R=R, sigma=sigma, beta=beta)
            checks.append(Check.upper_bound(f"Thm 6.3 at the horizon: E gap <= R sigma sqrt(2/t) + beta R^2/t "
                                            f"(sigma={sigma:g})", samples, bound))
            tight = max(tight, stats.test_upper_bound(samples, bound).tightness)
            panels.insert(j, Panel(f"sigma = {sigma:g}: gap at the horizon t (eta tuned to t)", [
                Curve.band(T, samples, "E f(xbar_t) - f* (99.9% CI)"),
                Curve(T, bound, "Thm 6.3: R sigma sqrt(2/t) + beta R^2/t", "bound"),
                Curve(T, np.array(exact_h), "exact expectation", "oracle")], xlabel="horizon t",
                ylabel="E f(xbar_t) - f*"))
        return (Evidence(checks, tightness=tight, panels=panels,
                         notes=f"R = ||x1 - x*||/sqrt(2) = {R:.4g}, beta = {beta:g}; noise N(0, sigma^2/d I)"),
                Evidence(ctrl))


CLAIMS = [Thm32ProjectedSubgradient(), Thm33GradientDescentSmooth(), Thm38FrankWolfe(),
          Thm310GradientDescentStronglyConvex(), Thm318Thm319Nesterov(), Thm62ProjectedSGDStronglyConvex(),
          Thm63AveragedSGDSmooth()]
