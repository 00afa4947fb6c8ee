# Before editing: read /work/main/DEVELOPERS.md (rules of the shared tree: own only your files, no git commits).
r"""Meng & Gower (2023), "A Model-Based Method for Minimizing CVaR and Beyond" (arXiv:2305.17498): the
stochastic prox-linear (SPL / SPL+) method for ``F(x, eta) = eta + (1/alpha) E (l(x; xi) - eta)_+``.

``spl-closed-form`` (derived in :mod:`theorylab.bounds.meng2023`).  The SPL step is
``lam = clip(alpha (c + gamma)/(gamma (1 + ||g||^2)), 0, 1)``, ``c = l - eta_t``,
``x_{t+1} = x_t - (gamma lam/alpha) g``, ``eta_{t+1} = eta_t - gamma (1 - lam/alpha)``.  It is compared with
the *exact* minimiser of the subproblem from a solver that shares nothing with the derivation
(:func:`prox_linear_minimiser`: the objective ``e_eta . z + (1/alpha) max_k (c_k + a_k . z) +
||z - z_t||^2/(2 gamma)`` is minimised on every face ``{a_k . z + c_k equal for k in S}`` of its
max-of-affine part by a KKT solve, and the best face wins; the true minimiser lies in the relative
interior of one face and minimises the face's smooth function there, so this is exact).  Checks on
random instances (all three regimes ``lam = 0``, ``0 < lam < 1``, ``lam = 1`` represented): equal
objective values and minimisers, and the complementarity certificate of the dual multiplier.  The
truncated model of SPL+ (``max(l + <g, x - x_t>, 0)`` in place of the linear model; dual over the
triangle ``mu_1, mu_2 >= 0``, ``mu_1 + mu_2 <= 1/alpha``, solved by its four KKT candidates, see
:func:`spl_plus_step`) is checked the same way.  Negative control: the closed form with the
``eta``-coordinate's proximal term dropped (``gamma ||g||^2`` in the denominator).

``stepsize-robustness`` (the paper's claim, constants not retrieved; the catalogue's problem).  CVaR
of absolute-error regression ``l(w; (a, b)) = |a . w - b|``, ``alpha = 0.05``, ``d = 20``, ``n = 5000``
rows ``a ~ N(0, I)``, ``b = a . w_0 + t_3`` (seed 0), ``F_*`` by the HiGHS LP; ``gamma_t =
gamma_0/sqrt(t)``, ``T = 2e4``, uniform iterate average, ``gamma_0`` in ``logspace(-3, 2, 11)``, 5 seeds
(the same sample sequence for every method and ``gamma_0``).  Theory: the suboptimality constant of
SGM grows like ``gamma_0 G^2``, SPL+'s stays bounded.  Checks: over ``gamma_0 in [10, 100]`` the
power-law exponent of ``E (F(zbar_T) - F_*)/F_*`` in ``gamma_0`` is at most 0.5 for SPL+ and at least
0.5 for SGM (review re-run: 3.4 vs 246 at ``gamma_0 = 100``); for every ``gamma_0 >= 3``, SPL+'s
suboptimality is at most 0.2 x SGM's; at the best ``gamma_0`` both are within 0.1.  The catalogue's
basin-count gate is left out: SPL+ at ``gamma_0 = 1`` sits at 0.098 against the 0.1 threshold, so the
count is decided by Monte-Carlo noise.  Negative control: the untruncated SPL step (the slip the
catalogue warns about), whose suboptimality grows like ``gamma_0`` too.  Full size: exponents 0.10
(SPL+), 1.02 (SGM), 1.03 (SPL); ``F_* = 5.0089`` (the review's 5.009).  Quick size: ``n = 1000``,
``T = 4000``, eight ``gamma_0`` (the same pattern: 0.01, 1.00, 0.99).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .. import stats
from ..bounds import meng2023 as B
from .base import Check, Claim, Curve, Evidence, Panel

__all__ = ["spl_step", "spl_plus_step", "sgm_step", "prox_linear_minimiser", "subproblem_value", "CVaRRegression",
           "run_cvar", "CLAIMS"]

PAPER = "meng2023_cvar"


# ----------------------------------------------------------------------------------------------
# the three update rules (vectorised over leading axes: x (..., d), everything else (...))
# ----------------------------------------------------------------------------------------------
def spl_step(x, eta, loss, grad, alpha, gamma, eta_prox: bool = True):
    """SPL step (closed form of :mod:`theorylab.bounds.meng2023`); ``eta_prox=False`` drops the
    ``eta``-coordinate's proximal term from the multiplier (the negative control)."""
    g2 = np.sum(grad * grad, axis=-1)
    lam = B.cvar_spl_multiplier(loss - eta, alpha=alpha, gamma=gamma, G2=g2 if eta_prox else g2 - 1.0)
    return x - (gamma * lam / alpha)[..., None] * grad, eta - gamma * (1 - lam / alpha)


def spl_plus_step(x, eta, loss, grad, alpha, gamma):
    r"""SPL+ step: the model ``(max(l + <g, x' - x>, 0) - eta')_+``, for losses ``l >= 0``.

    Dual: maximise ``D = -(gamma/2)(1 - m1 - m2)^2 + m1 (l - eta) - m2 eta - (gamma/2) m1^2 ||g||^2``
    over ``m1, m2 >= 0``, ``m1 + m2 <= 1/alpha``; then ``x' = x - gamma m1 g``, ``eta' = eta - gamma (1 - m1 - m2)``.
    Candidates: the maximiser on each edge (``m2 = 0``: ``m1 = (l - eta + gamma)/(gamma (1 + ||g||^2))``;
    ``m1 = 0``: ``m2 = 1 - eta/gamma``; ``m1 + m2 = 1/alpha``: ``m1 = l/(gamma ||g||^2)``, each clipped to the
    edge) and the interior stationary point (``m1 = l/(gamma ||g||^2)``, ``m2 = 1 - eta/gamma - m1``,
    clipped into the triangle); every candidate is feasible and the maximiser is one of them.
    """
    g2 = np.sum(grad * grad, axis=-1)
    top = 1.0 / alpha
    with np.errstate(divide="ignore", invalid="ignore"):
        m_edge = np.clip(np.where(g2 > 0, loss / (gamma * g2), np.where(loss > 0, np.inf, 0.0)), 0.0, top)
    m1 = np.stack(np.broadcast_arrays(np.clip((loss - eta + gamma) / (gamma * (1 + g2)), 0.0, top), 0.0, m_edge,
                                      m_edge))
    m2 = np.stack(np.broadcast_arrays(0.0, np.clip(1 - eta / gamma, 0.0, top),
                                      np.clip(1 - eta / gamma - m_edge, 0.0, top - m_edge), top - m_edge))
    dual = -(gamma / 2) * (1 - m1 - m2) ** 2 + m1 * (loss - eta) - m2 * eta - (gamma / 2) * m1 ** 2 * g2
    best = np.argmax(dual, axis=0)[None]
    m1, m2 = np.take_along_axis(m1, best, 0)[0], np.take_along_axis(m2, best, 0)[0]
    return x - (gamma * m1)[..., None] * grad, eta - gamma * (1 - m1 - m2)


def sgm_step(x, eta, loss, grad, alpha, gamma):
    """Stochastic subgradient step on ``eta + (1/alpha)(l - eta)_+``: ``s = 1[l > eta]``,
    ``x - gamma (s/alpha) g``, ``eta - gamma (1 - s/alpha)``."""
    s = (loss > eta).astype(np.float64)
    return x - (gamma * s / alpha)[..., None] * grad, eta - gamma * (1 - s / alpha)


# ----------------------------------------------------------------------------------------------
# an exact, derivation-free solver of the prox-linear subproblem
# ----------------------------------------------------------------------------------------------
def _pieces(x, eta, loss, grad, truncated: bool):
    """Affine pieces ``c_k + a_k . z`` (``z = (x', eta')``) of the model ``max_k``: 0, ``l + g.(x' - x) - eta'``
    and, for SPL+, ``-eta'``."""
    d = x.size
    a = [np.zeros(d + 1), np.append(grad, -1.0)]
    c = [0.0, loss - grad @ x]
    if truncated:
        a.append(np.append(np.zeros(d), -1.0))
        c.append(0.0)
    return np.array(c), np.array(a)


def subproblem_value(z, x, eta, loss, grad, alpha, gamma, truncated: bool = False) -> float:
    """``eta' + (1/alpha) max_k (c_k + a_k . z) + ||z - (x, eta)||^2/(2 gamma)`` at ``z = (x', eta')``."""
    c, a = _pieces(x, eta, loss, grad, truncated)
    z_t = np.append(x, eta)
    return float(z[-1] + np.max(c + a @ z) / alpha + np.sum((z - z_t) ** 2) / (2 * gamma))


def prox_linear_minimiser(x, eta, loss, grad, alpha, gamma, truncated: bool = False) -> np.ndarray:
    """Exact minimiser ``z = (x', eta')`` of :func:`subproblem_value` by enumerating the faces of the
    max-of-affine model (module docstring): for each nonempty set ``S`` of pieces, the minimiser of
    ``e_eta . z + (c_{k0} + a_{k0} . z)/alpha + ||z - z_t||^2/(2 gamma)`` on ``{a_k . z + c_k = a_{k0} . z + c_{k0},
    k in S}`` (KKT, least squares for degenerate faces); the candidate of least true objective wins."""
    c, a = _pieces(x, eta, loss, grad, truncated)
    z_t = np.append(x, eta)
    e_eta = np.zeros(z_t.size)
    e_eta[-1] = 1.0
    best, best_value = None, np.inf
    for size in range(1, len(c) + 1):
        for S in itertools.combinations(range(len(c)), size):
            k0, rest = S[0], list(S[1:])
            p = e_eta + a[k0] / alpha
            if rest:
                M = a[rest] - a[k0]
                h = c[k0] - c[rest]
                nu = np.linalg.lstsq(gamma * M @ M.T, M @ (z_t - gamma * p) - h, rcond=None)[0]
                z = z_t - gamma * (p + M.T @ nu)
            else:
                z = z_t - gamma * p
            value = subproblem_value(z, x, eta, loss, grad, alpha, gamma, truncated)
            if value < best_value:
                best, best_value = z, value
    return best


def _random_instances(count: int, d: int, seed: int) -> list[tuple]:
    """``(x, eta, l, g, alpha, gamma)`` spread over the three regimes of the multiplier."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        g = rng.standard_normal(d) * np.exp(rng.uniform(-2, 2)) / np.sqrt(d)
        out.append((rng.standard_normal(d), float(3 * rng.standard_normal()), float(rng.exponential()), g,
                    float(rng.uniform(0.02, 1.0)), float(np.exp(rng.uniform(-4, 4)))))
    return out


def _closed_form_checks(name: str, step, instances, truncated: bool) -> tuple[list[Check], np.ndarray]:
    """Closed form vs :func:`prox_linear_minimiser`: objective (no worse, to round-off) and minimiser."""
    gaps, dists = [], []
    for x, eta, loss, g, alpha, gamma in instances:
        z_exact = prox_linear_minimiser(x, eta, loss, g, alpha, gamma, truncated)
        xn, en = step(x, eta, loss, g, alpha, gamma)
        z = np.append(xn, en)
        v_exact = subproblem_value(z_exact, x, eta, loss, g, alpha, gamma, truncated)
        v = subproblem_value(z, x, eta, loss, g, alpha, gamma, truncated)
        scale = 1.0 + abs(v_exact)
        gaps.append((v - v_exact) / scale)
        dists.append(np.linalg.norm(z - z_exact) / (1.0 + np.linalg.norm(z_exact)))
    gaps, dists = np.array(gaps), np.array(dists)
    return [Check.holds_if(f"{name}: objective <= exact minimum + 1e-12 (relative), {len(instances)} instances",
                           bool(np.max(gaps) <= 1e-12), f"max relative excess {np.max(gaps):.3g}",
                           1 - np.max(gaps) / 1e-12),
            Check.holds_if(f"{name}: ||z - z_exact|| <= 1e-8 (1 + ||z_exact||)", bool(np.max(dists) <= 1e-8),
                           f"max relative distance {np.max(dists):.3g}", 1 - np.max(dists) / 1e-8)], gaps


class SPLClosedForm(Claim):
    paper = PAPER
    id = "spl-closed-form"
    title = "closed-form SPL / SPL+ step for CVaR = exact subproblem minimiser"
    source = "Meng & Gower (2023), SPL / SPL+ closed-form updates (re-derived)"
    provenance = "derived"
    statement = ("argmin_z eta + (1/alpha)(l + <g, x - x_t> - eta)_+ + (||x - x_t||^2 + (eta - eta_t)^2)/(2 gamma) is "
                 "x_t - (gamma lam/alpha) g, eta_t - gamma (1 - lam/alpha) with lam = clip(alpha (l - eta_t + gamma)/"
                 "(gamma (1 + ||g||^2)), 0, 1); the truncated (SPL+) model is solved exactly by four dual KKT candidates")
    assumptions = B.cvar_spl_multiplier.assumptions
    area = ("optimizer", "nonsmooth")
    bound = B.cvar_spl_multiplier
    sizes = {"quick": dict(instances=300), "full": dict(instances=2000)}

    def evaluate(self, instances: int):
        cases = _random_instances(instances, d=10, seed=0)
        checks, gaps = _closed_form_checks("SPL", spl_step, cases, truncated=False)
        plus, gaps_plus = _closed_form_checks("SPL+", spl_plus_step, cases, truncated=True)
        checks += plus
        # complementarity: lam in (0,1) => model argument 0; lam = 0 => <= 0; lam = 1 => >= 0
        lam, arg, scale = [], [], []
        for x, eta, loss, g, alpha, gamma in cases:
            lm = float(self.bound(loss - eta, alpha=alpha, gamma=gamma, G2=g @ g))
            xn, en = spl_step(x, eta, loss, g, alpha, gamma)
            lam.append(lm)
            arg.append(loss + g @ (xn - x) - en)
            scale.append(abs(loss) + abs(en) + np.linalg.norm(g) * np.linalg.norm(xn - x))
        lam, arg, scale = np.array(lam), np.array(arg), np.array(scale)
        tol = 1e-12 * scale
        ok = np.where(lam <= 0, arg <= tol, np.where(lam >= 1, arg >= -tol, np.abs(arg) <= tol))
        regimes = [int(np.sum(lam <= 0)), int(np.sum((lam > 0) & (lam < 1))), int(np.sum(lam >= 1))]
        checks += [Check.holds_if("SPL: complementarity of lam with the model's argument (all instances)",
                                  bool(np.all(ok)), f"{int(np.sum(~ok))} violations"),
                   Check.holds_if("instances cover lam = 0, 0 < lam < 1, lam = 1 (>= 10% each)",
                                  min(regimes) >= 0.1 * instances, f"counts {regimes}").supporting()]
        control, gaps_ctrl = _closed_form_checks(
            "SPL without the eta-prox term in lam", lambda *a: spl_step(*a, eta_prox=False), cases, truncated=False)
        frac = np.arange(1, instances + 1) / instances
        panels = [Panel("sorted objective excess over the exact subproblem minimum", [
            Curve(frac, np.sort(np.maximum(np.abs(gaps), 1e-18)), "SPL closed form"),
            Curve(frac, np.sort(np.maximum(np.abs(gaps_plus), 1e-18)), "SPL+ closed form"),
            Curve(frac, np.sort(np.maximum(gaps_ctrl, 1e-18)), "without eta-prox term (control)", "control"),
            Curve(np.array([0.0, 1.0]), np.full(2, 1e-12), "tolerance 1e-12", "bound")],
            xlabel="fraction of instances", ylabel="|excess| / (1 + |min|) (floored at 1e-18)", xscale="linear")]
        return Evidence(checks, tightness=float(np.max(np.abs(np.r_[gaps, gaps_plus])) / 1e-12), panels=panels,
                        notes="tightness = max |objective excess| / 1e-12"), Evidence(control)


# ----------------------------------------------------------------------------------------------
# step-size robustness
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CVaRRegression:
    """CVaR at level ``alpha`` of the absolute errors ``|a_i . w - b_i|`` of a finite data set."""

    A: np.ndarray
    b: np.ndarray
    alpha: float

    @classmethod
    def student_t(cls, n: int = 5000, d: int = 20, alpha: float = 0.05, seed: int = 0) -> "CVaRRegression":
        """``a ~ N(0, I)``, ``b = a . w_0 + t_3`` with ``w_0 ~ N(0, I)`` (one generator, in this order)."""
        rng = np.random.default_rng(seed)
        A = rng.standard_normal((n, d))
        return cls(A, A @ rng.standard_normal(d) + rng.standard_t(3, n), alpha)

    def objective(self, w, eta) -> np.ndarray:
        """``F(w, eta) = eta + (1/alpha) mean_i (|a_i . w - b_i| - eta)_+`` (vectorised over leading axes)."""
        eta = np.asarray(eta, dtype=np.float64)
        r = np.abs(np.asarray(w) @ self.A.T - self.b)
        return eta + np.mean(np.maximum(r - eta[..., None], 0.0), axis=-1) / self.alpha

    @cached_property
    def f_star(self) -> float:
        """``min F`` by the linear program in ``(w, eta, s)``: ``s_i >= +-(a_i . w - b_i) - eta``, ``s >= 0`` (HiGHS)."""
        from scipy import sparse
        from scipy.optimize import (
            linprog,  # imported on use: scipy.optimize is slow to import
        )

        n, d = self.A.shape
        A = sparse.csr_matrix(self.A)
        one, eye = sparse.csr_matrix(np.ones((n, 1))), sparse.identity(n, format="csr")
        A_ub = sparse.vstack([sparse.hstack([A, -one, -eye]), sparse.hstack([-A, -one, -eye])])
        cost = np.concatenate([np.zeros(d), [1.0], np.full(n, 1 / (self.alpha * n))])
        res = linprog(cost, A_ub=A_ub, b_ub=np.concatenate([self.b, -self.b]),
                      bounds=[(None, None)] * (d + 1) + [(0, None)] * n, method="highs")
        if res.status != 0:
            raise RuntimeError(f"CVaR LP failed: {res.message}")
        return float(res.fun)


def run_cvar(problem: CVaRRegression, step, gamma0s, steps: int, seeds: int) -> np.ndarray:
    """Relative suboptimality ``(F(zbar_T) - F_*)/F_*`` of the uniform average of ``steps`` iterates from
    ``z = 0`` with ``gamma_t = gamma0/sqrt(t)``: an ``(seeds, len(gamma0s))`` array.  Seed ``s`` draws one
    sample sequence, shared by every ``gamma0`` (and by every ``step`` rule)."""
    gamma0s = np.asarray(gamma0s, dtype=np.float64)
    n, d = problem.A.shape
    idx = np.stack([np.random.default_rng([7, s]).integers(0, n, steps) for s in range(seeds)], axis=1)
    shape = (seeds, gamma0s.size)
    w, eta = np.zeros(shape + (d,)), np.zeros(shape)
    w_sum, eta_sum = np.zeros_like(w), np.zeros_like(eta)
    for t in range(1, steps + 1):
        rows = idx[t - 1]
        a = problem.A[rows][:, None, :]
        r = np.sum(a * w, axis=-1) - problem.b[rows][:, None]
        w, eta = step(w, eta, np.abs(r), np.sign(r)[..., None] * a, problem.alpha, gamma0s / np.sqrt(t))
        w_sum += w
        eta_sum += eta
    return (problem.objective(w_sum / steps, eta_sum / steps) - problem.f_star) / problem.f_star


class StepsizeRobustness(Claim):
    paper = PAPER
    id = "stepsize-robustness"
    title = "SPL+ stays bounded for large gamma_0; SGM grows like gamma_0"
    source = "Meng & Gower (2023), specialised convergence theorem and experiments (constants not retrieved)"
    provenance = "qualitative"
    statement = ("With gamma_t = gamma_0/sqrt(t) and the averaged iterate, SPL+'s suboptimality stays bounded as gamma_0 "
                 "grows (power-law exponent <= 0.5 over gamma_0 in [10, 100]) while SGM's grows like gamma_0 G^2 "
                 "(exponent >= 0.5); SPL+ <= 0.2 x SGM for every gamma_0 >= 3; both within 0.1 at their best gamma_0.")
    assumptions = "convex Lipschitz losses l(.; xi) >= 0 (absolute errors); alpha = 0.05; uniform iterate average"
    area = ("optimizer", "nonsmooth", "rates")
    sizes = {"quick": dict(n=1000, steps=4000, seeds=5, gamma0s=(0.01, 0.0316, 0.1, 1.0, 3.16, 10.0, 31.6, 100.0)),
             "full": dict(n=5000, steps=20_000, seeds=5, gamma0s=tuple(np.logspace(-3, 2, 11)))}

    def evaluate(self, n: int, steps: int, seeds: int, gamma0s: tuple):
        p = CVaRRegression.student_t(n)
        g0 = np.asarray(gamma0s)
        sub = {name: run_cvar(p, rule, g0, steps, seeds)
               for name, rule in (("SPL+", spl_plus_step), ("SGM", sgm_step), ("SPL", spl_step))}
        large = (g0 >= 10.0 - 1e-9) & (g0 <= 100.0 + 1e-9)

        def growth(name: str) -> stats.RateFit:
            return stats.fit_power_law(g0, sub[name], (10.0 - 1e-9, 100.0 + 1e-9))

        def exponent_check(name: str, bound: float, at_most: bool) -> Check:
            """One-sided: rejected only when the exponent's z-interval lies entirely on the wrong side."""
            fit, z = growth(name), stats.z_value()
            label = "untruncated SPL (control)" if name == "SPL" else name
            sign = 1.0 if at_most else -1.0
            worst = sign * (fit.slope - bound) - z * fit.se   # > 0: rejected
            return Check(f"{label}: growth exponent of E subopt in gamma_0 over [10, 100] {'<=' if at_most else '>='} "
                         f"{bound:g}", not worst > 0, f"{fit.slope:.3f} +- {z * fit.se:.2g}",
                         float(-(sign * (fit.slope - bound) + z * fit.se) / bound))

        big = g0 >= 3.0
        best = {name: int(np.argmin(np.mean(s, axis=0))) for name, s in sub.items()}
        checks = [exponent_check("SPL+", 0.5, True), exponent_check("SGM", 0.5, False),
                  Check.ratio_upper_bound("every gamma_0 >= 3: E subopt(SPL+) <= 0.2 E subopt(SGM) (paired seeds)",
                                        sub["SPL+"][:, big], sub["SGM"][:, big], 0.2)]
        checks += [Check.upper_bound(f"{name}: E subopt <= 0.1 at its best gamma_0 = {g0[best[name]]:.3g}",
                                     sub[name][:, best[name]:best[name] + 1], 0.1) for name in ("SPL+", "SGM")]
        control = [exponent_check("SPL", 0.5, True)]
        panels = [Panel("relative suboptimality of the averaged iterate", [
            Curve.band(g0, sub["SPL+"], "SPL+"), Curve.band(g0, sub["SGM"], "SGM"),
            Curve.band(g0, sub["SPL"], "untruncated SPL (control)", "control"),
            Curve(g0, np.full(g0.size, 0.1), "0.1", "bound")],
            xlabel="gamma_0", ylabel="(F(zbar_T) - F*)/F*")]
        fit = growth("SPL+")
        return (Evidence(checks, tightness=float(fit.slope / 0.5), rate=fit, panels=panels,
                         notes=f"F* = {p.f_star:.6g}; growth exponents SPL+ {fit.slope:.3f}, SGM {growth('SGM').slope:.3f}, "
                               f"SPL {growth('SPL').slope:.3f}; {int(large.sum())} gamma_0 in the fit"),
                Evidence(control))


CLAIMS = [SPLClosedForm(), StepsizeRobustness()]
