# Before editing: read /work/main/DEVELOPERS.md (rules of the shared tree: own only your files, no git commits).
r"""Garrigos & Gower (2023), "Handbook of Convergence Theorems for (Stochastic) Gradient Methods",
arXiv:2301.11235.  Theorems 3.4, 3.6 (gradient descent), 5.3, 5.8 (SGD) and the minibatch constants
of Sec. 6.  The statements were recalled (theorem numbers from v3) and each was re-derived:

* Thm 3.4: ``f(x_t) - f_* <= r0 / (2 gamma t)`` follows from the descent lemma and convexity for
  ``gamma <= 1/L``.  On a quadratic the ratio gap/bound is ``sum_j gamma lam_j t (1 - gamma lam_j)^{2t}
  c_j^2 / sum_j c_j^2 <= max_u u t (1 - u)^{2t} ~ 1/(2e)``, so the bound cannot be tighter than ~5.4x.
* Thm 3.6: co-coercivity plus strong convexity give ``||x_{t+1} - x_*||^2 <= (1 - gamma mu)
  ||x_t - x_*||^2``; on a quadratic the exact per-step factor of the slowest mode is
  ``(1 - gamma mu)^2`` (the theorem's rate is the square root of the true one).
* Thm 5.3: ``E||g||^2 <= 4 L_max (f - f_*) + 2 sigma_*`` (variance transfer) gives
  ``E r_{t+1} <= r_t - 2 gamma (1 - 2 gamma L_max) (f(x_t) - f_*) + 2 gamma^2 sigma_*``; sum and Jensen.
* Thm 5.8: the same with ``<grad f(x), x - x_*> >= f(x) - f_* + mu/2 ||x - x_*||^2``.
* Sec. 6: for a uniform ``b``-subset ``B``, ``P(i in B) = b/n``, ``P(i, j in B) = b(b-1)/(n(n-1))``
  give ``E||grad f_B(x_*)||^2 = (n-b)/(b(n-1)) sigma_*`` exactly (``sum_i grad f_i(x_*) = 0``) and,
  for least squares, ``E[H_B^2] = (1 - kappa_b) H^2 + kappa_b Q`` with ``Q = (1/n) sum_i ||a_i||^2
  a_i a_i^T`` and ``kappa_b = (n-b)/(b(n-1))``, whence the expected-smoothness constant
  ``lambda_max(H^{-1/2} E[H_B^2] H^{-1/2}) <= L_b``.

The bounds of Thms 5.3 and 5.8 are loose (averaging even removes the variance term on least
squares), so a wrong constant in the simulation would pass them.  The sharp checks compare the
Monte-Carlo means with the exact first and second moments of minibatch SGD on the data set
(:func:`theorylab.exact.finite_least_squares_sgd_moments`: a closed linear recursion whose
``a_i^T P a_i`` term is the empirical fourth moment of the data).  Their negative control is the
*additive-noise* model (``additive=True``): the state-dependent gradient covariance replaced by the
state-independent one at the optimum, ``S = (1/n) sum_i rho_i^2 a_i a_i^T`` (residuals ``rho_i``).
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import scipy.linalg

from .. import exact, noise, optim, stats
from ..bounds import garrigos2023 as B
from ..engine import log_checkpoints, simulate
from ..exact import (
    finite_least_squares_sgd_moments,
    finite_least_squares_sgd_stationary,
    minibatch_variance_factor,
)
from ..problems import LeastSquares, Quadratic
from .base import Check, Claim, Curve, Evidence, Panel, mean_band, normal_band

PAPER = "garrigos2023_handbook_sgd"
SOURCE = "Garrigos & Gower (2023)"

__all__ = ["gd_quadratic_exact", "minibatch_hessian_second_moment", "expected_smoothness_constant", "CLAIMS"]


# --- problems ------------------------------------------------------------------------------------------
def underdetermined_least_squares() -> LeastSquares:
    """``n = 50`` Gaussian rows in ``d = 100`` with power-law covariance ``diag(i^-2)``: interpolation
    (``sigma_* = 0``), ``mu = 0``, and the 50 nonzero eigenvalues of ``H`` span four decades, so that GD
    and SGD stay in their sublinear (merely convex) regime for ``t <= 10^4``."""
    return LeastSquares.gaussian(50, 100, cov=np.arange(1, 101, dtype=np.float64) ** -2.0, seed=0)


def noisy_least_squares(n: int, d: int) -> LeastSquares:
    """Overdetermined least squares ``y = X w + 0.5 N(0, 1)`` (``sigma_* > 0``, ``mu > 0``)."""
    return LeastSquares.gaussian(n, d, noise=0.5, seed=0)


def strongly_convex_quadratic() -> Quadratic:
    """Spectrum ``linspace(0.1, 10, 30)`` in a random eigenbasis; minimiser 0, so that ``x - x_*`` has no
    cancellation when ``||x_t - x_*||^2`` falls 12 decades."""
    return Quadratic.linspace(30, 0.1, 10.0).rotated(seed=0)


def random_start(d: int, seed: int = 1) -> np.ndarray:
    """A standard Gaussian starting point (fixed seed)."""
    return np.random.default_rng(seed).standard_normal(d)


def every_mode_start(problem: Quadratic) -> np.ndarray:
    """``x_* + Q 1``: unit weight on every eigenvector of the Hessian (no mode left out by chance)."""
    return problem.x_star + problem.rotation @ np.ones(problem.d)


# --- exact oracles -------------------------------------------------------------------------------------
def gd_quadratic_exact(H: np.ndarray, e0: np.ndarray, lr: float, t) -> tuple[np.ndarray, np.ndarray]:
    """Gap ``1/2 e_t^T H e_t`` and ``||e_t||^2`` of gradient descent ``e_{t+1} = (I - lr H) e_t``
    (:func:`theorylab.exact.quadratic_gd_trajectory` in the eigenbasis of ``H``)."""
    lam, V = np.linalg.eigh(H)
    # H is positive semi-definite; drop round-off below 0
    return exact.quadratic_gd_trajectory(np.clip(lam, 0.0, None), V.T @ e0, lr, t)


def minibatch_hessian_second_moment(problem: LeastSquares, b: int) -> np.ndarray:
    """``E[H_B^2]`` for a uniform ``b``-subset ``B`` (without replacement), ``H_B = (1/b) sum_{i in B}
    a_i a_i^T``: ``(1 - kappa_b) H^2 + kappa_b (1/n) sum_i ||a_i||^2 a_i a_i^T``."""
    X = problem.X
    Q = (X.T * np.sum(X * X, axis=1)) @ X / problem.n
    kappa = minibatch_variance_factor(problem.n, b, replacement=False)
    return (1.0 - kappa) * problem.H @ problem.H + kappa * Q


def expected_smoothness_constant(problem: LeastSquares, b: int) -> float:
    """The smallest ``L'`` with ``E||grad f_B(x) - grad f_B(x_*)||^2 <= 2 L' (f(x) - f_*)`` for all ``x``:
    ``lambda_max(E[H_B^2], H)`` (generalised eigenvalue; ``H`` must be positive definite)."""
    return float(scipy.linalg.eigh(minibatch_hessian_second_moment(problem, b), problem.H, eigvals_only=True)[-1])


# --- helpers of the claims -----------------------------------------------------------------------------
def _checkpoints(steps: int, count: int = 40, late: int = 0) -> np.ndarray:
    """``log_checkpoints`` plus ``late`` evenly spaced steps in ``[steps/2, steps]`` (plateau window)."""
    ck = log_checkpoints(steps, count)
    if late:
        ck = np.union1d(ck, np.linspace(steps // 2, steps, late).astype(np.int64))
    return ck


def _below(name: str, values, bound, rtol: float = 1e-9) -> tuple[Check, float]:
    """Deterministic ``values <= bound`` (up to round-off ``rtol``) and the tightness ``max values/bound``."""
    v, b = np.asarray(values, dtype=np.float64), np.asarray(bound, dtype=np.float64)
    ratio = v / b
    k = int(np.argmax(ratio))
    ok = bool(np.all(v <= b * (1.0 + rtol)))
    check = Check.holds_if(name, ok, f"max value/bound = {ratio[k]:.4g} (checkpoint {k})", float(1.0 - ratio[k]))
    return check, float(ratio[k])


def _relative_deviation(run, metric: str, exact: np.ndarray, control: np.ndarray, label: str) -> list[Curve]:
    """Monte-Carlo mean / exact - 1 (with its band) and control / exact - 1, for t >= 1."""
    t, e = run.t[1:], exact[1:]
    m, lo, hi = (v[1:] / e - 1 for v in mean_band(run.values(metric)))
    return [Curve(t, m, f"Monte Carlo / exact - 1, {label}", "empirical", lo, hi),
            Curve(t, control[1:] / e - 1, f"additive model / exact - 1, {label}", "control")]


def _stationary_window(exact_curve: np.ndarray, stationary: float, rtol: float = 1e-2) -> np.ndarray:
    """Mask of the trailing checkpoints where the exact curve is within ``rtol`` of its stationary value."""
    off = np.abs(exact_curve / stationary - 1.0) > rtol
    start = int(np.flatnonzero(off)[-1]) + 1 if off.any() else 0
    if exact_curve.size - start < 5:
        raise ValueError("the run is too short to reach the stationary plateau; increase steps")
    mask = np.zeros(exact_curve.size, dtype=bool)
    mask[start:] = True
    return mask


def _r0(problem, x0) -> tuple[np.ndarray, float]:
    """The solution closest to ``x0`` and ``||x0 - x_*||^2`` (the smallest admissible ``r0``)."""
    x_sol = problem.project_to_solutions(x0) if isinstance(problem, LeastSquares) else problem.x_star
    return x_sol, float(np.sum((x0 - x_sol) ** 2))


# --- claims --------------------------------------------------------------------------------------------
class GdConvex(Claim):
    paper = PAPER
    id = "thm3.4_gd_convex"
    title = "gradient descent, convex L-smooth: f(x_t) - f_* <= ||x_0 - x_*||^2/(2 gamma t)"
    source = f"{SOURCE}, Theorem 3.4"
    provenance = "recalled"
    statement = B.gd_convex_smooth_gap.expression
    assumptions = B.gd_convex_smooth_gap.assumptions
    area = ("rates",)
    bound = B.gd_convex_smooth_gap
    sizes = {"quick": dict(steps=2000), "full": dict(steps=10000)}

    def evaluate(self, steps: int):
        """GD on underdetermined least squares (n = 50, d = 100, mu = 0) from a random ``x_0``;
        ``x_*`` = projection of ``x_0`` onto the solution set.  Checks: the trajectory equals the
        closed form ``e_t = (I - gamma H)^t e_0``; gap <= bound for gamma in {1/L, 1/(2L)}.  Control:
        gamma = 2/L (the stability limit of GD on quadratics, outside the theorem's range)."""
        p = underdetermined_least_squares()
        x0 = random_start(p.d)
        x_sol, r0 = _r0(p, x0)
        ck = log_checkpoints(steps, 60)[1:]
        checks, ctrl, panels, tight = [], [], [], 0.0
        for factor, label in ((1.0, "1/L"), (0.5, "1/(2L)"), (2.0, "2/L")):
            lr = factor / p.L
            run = simulate(p, optim.gd(lr), steps=steps, x0=x0, checkpoints=ck, metrics=("gap",))
            gap = run.values("gap")[0]
            bound = self.bound(ck, r0=r0, gamma=lr)
            below, ratio = _below(f"gap <= r0/(2 gamma t), gamma = {label}", gap, bound)
            curves = [Curve(ck, gap, f"f(x_t) - f*, GD gamma = {label}", "control" if factor > 1 else "empirical"),
                      Curve(ck, bound, "Thm 3.4 bound", "bound")]
            if factor > 1:
                ctrl.append(below)
            else:
                exact_gap = gd_quadratic_exact(p.H, x0 - x_sol, lr, ck)[0]
                checks.append(Check.close(f"gap = closed form (I - gamma H)^t, gamma = {label}", gap, exact_gap,
                                          rtol=1e-8))
                checks.append(below)
                tight = max(tight, ratio)
                curves.append(Curve(ck, exact_gap, "closed form", "oracle"))
            panels.append(Panel(f"gamma = {label}" + (" (negative control)" if factor > 1 else ""), curves,
                                ylabel="f(x_t) - f*"))
        return (Evidence(checks, tightness=tight, panels=panels,
                         notes=f"L = {p.L:.4g}, r0 = ||x0 - proj(x0)||^2 = {r0:.4g}; on quadratics gap/bound <= "
                               f"max_u u t (1-u)^(2t) ~ 1/(2e) = {1 / (2 * math.e):.3f}"),
                Evidence(ctrl))


class GdStronglyConvex(Claim):
    paper = PAPER
    id = "thm3.6_gd_strongly_convex"
    title = "gradient descent, mu-strongly convex: ||x_t - x_*||^2 <= (1 - gamma mu)^t ||x_0 - x_*||^2"
    source = f"{SOURCE}, Theorem 3.6"
    provenance = "recalled"
    statement = B.gd_strongly_convex_dist2.expression
    assumptions = B.gd_strongly_convex_dist2.assumptions
    area = ("rates",)
    bound = B.gd_strongly_convex_dist2
    sizes = {"quick": dict(decades=12.0), "full": dict(decades=13.0)}

    def evaluate(self, decades: float):
        """GD on a rotated quadratic, spectrum linspace(0.1, 10, 30), from ``x_0 = Q 1`` (every eigen-mode
        with weight 1).  ``steps`` makes the slowest mode
        lose ``decades`` decades of squared distance.  Checks: the trajectory equals the closed form;
        dist2 <= bound; the fitted per-step factor of dist2 on the second half (where the second-slowest
        mode is below 1e-12 relative) equals (1 - gamma mu)^2.  Control: gamma = 2/L."""
        p = strongly_convex_quadratic()
        H = p.hessian()
        x0 = every_mode_start(p)
        _, r0 = _r0(p, x0)
        lam = np.linalg.eigvalsh(H)
        checks, ctrl, panels, tight, rate = [], [], [], 0.0, None
        for factor, label in ((1.0, "1/L"), (0.5, "1/(2L)"), (2.0, "2/L")):
            lr = factor / p.L
            q_slow = 1.0 - lr * p.mu
            steps = int(math.ceil(decades * math.log(10) / (-2 * math.log(q_slow))))
            ck = np.union1d(log_checkpoints(steps, 40), np.linspace(0, steps, 160).astype(np.int64))
            run = simulate(p, optim.gd(lr), steps=steps, x0=x0, checkpoints=ck, metrics=("dist2",))
            dist2 = run.values("dist2")[0]
            bound = self.bound(ck, r0=r0, gamma=lr, mu=p.mu)
            below, ratio = _below(f"||x_t - x*||^2 <= (1 - gamma mu)^t r0, gamma = {label}", dist2[1:], bound[1:])
            fit = stats.fit_linear_rate(ck, dist2[None, :], (steps / 2, steps))
            factor_check = Check.close(f"asymptotic factor of ||x_t - x*||^2 = (1 - gamma mu)^2, gamma = {label}",
                                       fit.factor, q_slow**2, rtol=1e-8)
            curves = [Curve(ck, dist2, f"||x_t - x*||^2, gamma = {label}",
                            "control" if factor > 1 else "empirical"),
                      Curve(ck, bound, "Thm 3.6 bound (1 - gamma mu)^t r0", "bound")]
            if factor > 1:
                ctrl += [below, factor_check]
            else:
                exact = gd_quadratic_exact(H, x0 - p.x_star, lr, ck)[1]
                checks += [Check.close(f"dist2 = closed form, gamma = {label}", dist2, exact, rtol=1e-9),
                           below, factor_check]
                tight = max(tight, ratio)
                rate = rate or fit
                curves.append(Curve(ck, q_slow ** (2 * ck) * exact[-1] / q_slow ** (2 * ck[-1]),
                                    "slope (1 - gamma mu)^2 per step", "oracle"))
            panels.append(Panel(f"gamma = {label}" + (" (negative control)" if factor > 1 else ""), curves,
                                ylabel="||x_t - x*||^2", xscale="linear"))
        return (Evidence(checks, tightness=tight, rate=rate, panels=panels,
                         notes=f"mu = {p.mu:g}, L = {p.L:g}, eigenvalues {lam[0]:.3g}..{lam[-1]:.3g}; the true "
                               f"contraction of ||x - x*||^2 on a quadratic is (1 - gamma mu)^2, the square of the "
                               f"theorem's"),
                Evidence(ctrl))



def _sgd_run(problem: LeastSquares, lr: float, steps: int, replicas: int, seed: int, ck: np.ndarray,
             sampling=None, average: bool = False):
    """Constant-step SGD from ``x_0 = 0`` (one sample with replacement unless ``sampling`` is given)."""
    return simulate(problem, optim.sgd(lr), sampling or noise.with_replacement(1), steps=steps, replicas=replicas,
                    seed=seed, checkpoints=ck, average=optim.uniform() if average else None,
                    metrics=("gap", "avg_gap") if average else ("dist2",))


class SgdConvex(Claim):
    paper = PAPER
    id = "thm5.3_sgd_convex"
    title = ("SGD, sum of convex L_max-smooth: E f(xbar_T) - f_* <= r0/(2 gamma (1 - 2 gamma L_max) T) "
             "+ gamma sigma_*/(1 - 2 gamma L_max)")
    source = f"{SOURCE}, Theorem 5.3"
    provenance = "recalled"
    statement = B.sgd_convex_averaged_gap.expression
    assumptions = B.sgd_convex_averaged_gap.assumptions
    area = ("rates", "sgd-noise")
    bound = B.sgd_convex_averaged_gap
    sizes = {"quick": dict(replicas=400, steps=10_000, interpolation_steps=3000),
             "full": dict(replicas=600, steps=100_000, interpolation_steps=20_000)}

    def evaluate(self, replicas: int, steps: int, interpolation_steps: int):
        """(a) noisy least squares n = 200, d = 20, gamma in {1/(4 L_max), 1/(16 L_max)}; (b) interpolation
        (the underdetermined power-law instance), gamma = 1/(4 L_max).  One sample with replacement per
        step, ``x_0 = 0``, ``xbar_T`` = mean of ``x_0..x_{T-1}`` (engine ``avg_gap`` at checkpoint ``T - 1``).
        Checks: E f(xbar_T) - f_* <= bound; E f(xbar_T) - f_* and E f(x_t) - f_* equal the exact
        second-moment recursion; (a) last-iterate plateau ratio gamma vs gamma/4 in [3, 5].
        Control: the same equalities against the additive-noise model (the empirical fourth moment
        replaced by state-independent noise of the optimum's covariance), ~5-30% off."""
        noisy, interp = noisy_least_squares(200, 20), underdetermined_least_squares()
        lr = 1.0 / (4.0 * noisy.L_max)
        cases = [("(a)", "1/(4 L_max)", noisy, lr, steps), ("(a)", "1/(16 L_max)", noisy, lr / 4, steps),
                 ("(b) interpolation,", "1/(4 L_max)", interp, 1.0 / (4.0 * interp.L_max), interpolation_steps)]
        checks, ctrl, panels, tight, plateaus, rate = [], [], [], 0.0, [], None
        last_curves, deviation_curves = [], []
        for j, (instance, step, p, g, T) in enumerate(cases):
            label = f"{instance} gamma = {step}"
            x0 = np.zeros(p.d)
            _, r0 = _r0(p, x0)
            noisy_case = p is noisy
            ck = _checkpoints(T, 40, late=20 if noisy_case else 0)
            run = _sgd_run(p, g, T, replicas, 20 + j, ck, average=True)
            avg, last = run.values("avg_gap"), run.values("gap")
            exact = finite_least_squares_sgd_moments(p, x0, g, T, ck)
            additive = finite_least_squares_sgd_moments(p, x0, g, T, ck, additive=True)
            bound = self.bound(ck + 1.0, r0=r0, gamma=g, L_max=p.L_max, sigma_star=p.sigma2_star)
            tight = max(tight, stats.test_upper_bound(avg, bound).tightness)
            # checkpoint 0 is the deterministic start: the equalities are tested on t >= 1
            checks += [Check.upper_bound(f"E f(xbar_T) - f* <= Thm 5.3 bound, {label}", avg, bound),
                       Check.equal(f"E f(xbar_T) - f* = exact recursion, {label}", avg[:, 1:], exact.avg_gap[1:]),
                       Check.equal(f"E f(x_t) - f* = exact recursion, {label}", last[:, 1:], exact.gap[1:])]
            ctrl += [Check.equal(f"E f(xbar_T) - f* = additive-noise model, {label}", avg[:, 1:],
                                 additive.avg_gap[1:]),
                     Check.equal(f"E f(x_t) - f* = additive-noise model, {label}", last[:, 1:], additive.gap[1:])]
            panels.append(Panel(label, [
                Curve.from_run(run, "avg_gap", f"E f(xbar_T) - f*, {replicas} runs (99.9% CI)", ck + 1),
                Curve(ck + 1, bound, "Thm 5.3 bound", "bound"),
                Curve(ck + 1, exact.avg_gap, "exact (second-moment recursion)", "oracle"),
                Curve(ck + 1, additive.avg_gap, "additive-noise model (control)", "control")],
                xlabel="T", ylabel="E f(xbar_T) - f*"))
            if noisy_case:
                stationary = finite_least_squares_sgd_stationary(p, g)[0]
                window = _stationary_window(exact.gap, stationary)
                plateaus.append((stats.window_mean(last, window), stationary))
                last_curves += [Curve.from_run(run, "gap", f"E f(x_t) - f*, gamma = {step}"),
                                Curve(ck, exact.gap, f"exact, gamma = {step}", "oracle"),
                                Curve(ck, np.full(ck.size, stationary), f"exact stationary plateau, gamma = {step}",
                                      "bound")]
                deviation_curves += _relative_deviation(run, "gap", exact.gap, additive.gap, step)
            else:
                rate = stats.fit_power_law(ck + 1.0, avg, (T / 10, T))
        panels.append(Panel("(a) last iterate: plateau ~ gamma", last_curves, ylabel="E f(x_t) - f*"))
        panels.append(Panel("(a) last iterate vs exact recursion (control: additive noise)", deviation_curves,
                            ylabel="relative deviation", yscale="linear"))
        ((m1, s1), st1), ((m2, s2), st2) = plateaus
        ratio, ratio_se = stats.ratio_se(m1, s1, m2, s2)
        checks.append(Check.in_range("(a) last-iterate plateau ratio gamma vs gamma/4 in [3, 5]", ratio, 3.0, 5.0,
                                     ratio_se))
        return (Evidence(checks, tightness=tight, rate=rate, panels=panels,
                         notes=f"(a) L_max = {noisy.L_max:.4g}, sigma_f^* = {noisy.sigma2_star:.4g}; exact stationary "
                               f"plateau ratio {st1 / st2:.4g}; (b) L_max = {interp.L_max:.4g}, sigma_f^* = "
                               f"{interp.sigma2_star:.2g}, E f(xbar_T) - f* ~ T^{rate.slope:.3f}"),
                Evidence(ctrl))


class SgdStronglyConvex(Claim):
    paper = PAPER
    id = "thm5.8_sgd_strongly_convex"
    title = "SGD, mu-strongly convex sum: E||x_t - x_*||^2 <= (1 - gamma mu)^t r0 + 2 gamma sigma_*/mu"
    source = f"{SOURCE}, Theorem 5.8"
    provenance = "recalled"
    statement = B.sgd_strongly_convex_dist2.expression
    assumptions = B.sgd_strongly_convex_dist2.assumptions
    area = ("rates", "sgd-noise")
    bound = B.sgd_strongly_convex_dist2
    sizes = {"quick": dict(replicas=600, steps=4000), "full": dict(replicas=2000, steps=10_000)}

    def evaluate(self, replicas: int, steps: int):
        """Overdetermined noisy least squares (n = 500, d = 20), one sample with replacement, ``x_0 = 0``,
        gamma in {1/(2 L_max), 1/(8 L_max)}.  Checks: E||x_t - x*||^2 <= bound (mean - z SE rule: the bound
        is within a few % of the mean at t = 1); equality with the exact second-moment recursion; the
        plateau scales like gamma (ratio in [3, 5]).  Control: the additive-noise model."""
        p = noisy_least_squares(500, 20)
        x0 = np.zeros(p.d)
        _, r0 = _r0(p, x0)
        lr = 1.0 / (2.0 * p.L_max)
        checks, ctrl, panels, tight, plateaus = [], [], [], 0.0, []
        for j, (label, g) in enumerate((("gamma = 1/(2 L_max)", lr), ("gamma = 1/(8 L_max)", lr / 4))):
            ck = _checkpoints(steps, 40, late=20)
            run = _sgd_run(p, g, steps, replicas, 40 + j, ck)
            dist2 = run.values("dist2")
            exact = finite_least_squares_sgd_moments(p, x0, g, steps, ck)
            additive = finite_least_squares_sgd_moments(p, x0, g, steps, ck, additive=True)
            bound = self.bound(ck, r0=r0, gamma=g, mu=p.mu, sigma_star=p.sigma2_star)
            # checkpoint 0 is the deterministic start, where the bound is an identity: test t >= 1
            checks += [Check.upper_bound(f"E||x_t - x*||^2 <= Thm 5.8 bound, {label}", dist2[:, 1:], bound[1:]),
                       Check.equal(f"E||x_t - x*||^2 = exact recursion, {label}", dist2[:, 1:], exact.dist2[1:])]
            ctrl.append(Check.equal(f"E||x_t - x*||^2 = additive-noise model, {label}", dist2[:, 1:],
                                    additive.dist2[1:]))
            tight = max(tight, stats.test_upper_bound(dist2[:, 1:], bound[1:]).tightness)
            stationary = finite_least_squares_sgd_stationary(p, g)[1]
            plateaus.append((stats.window_mean(dist2, _stationary_window(exact.dist2, stationary)), stationary))
            panels.append(Panel(label, [
                Curve.from_run(run, "dist2", f"E||x_t - x*||^2, {replicas} runs (99.9% CI)"),
                Curve(ck, bound, "Thm 5.8 bound", "bound"),
                Curve(ck, exact.dist2, "exact (second-moment recursion)", "oracle"),
                Curve(ck, additive.dist2, "additive-noise model (control)", "control")],
                xlabel="t", ylabel="E||x_t - x*||^2", xscale="log"))
        ((m1, s1), st1), ((m2, s2), st2) = plateaus
        ratio, ratio_se = stats.ratio_se(m1, s1, m2, s2)
        checks.append(Check.in_range("plateau ratio gamma vs gamma/4 in [3, 5]", ratio, 3.0, 5.0, ratio_se))
        return (Evidence(checks, tightness=tight, panels=panels,
                         notes=f"mu = {p.mu:.4g}, L_max = {p.L_max:.4g}, sigma_f^* = {p.sigma2_star:.4g}; exact "
                               f"plateaus {st1:.4g} and {st2:.4g} (ratio {st1 / st2:.4g}) vs the bound's "
                               f"2 gamma sigma*/mu = {2 * lr * p.sigma2_star / p.mu:.4g}"),
                Evidence(ctrl))


def _minibatch_sq_norms(grads: np.ndarray, b: int, samples: int, seed: int, chunk: int = 20_000) -> np.ndarray:
    """``||(1/b) sum_{i in B} grads_i||^2`` for ``samples`` uniform ``b``-subsets ``B`` (the ``b`` smallest of
    ``n`` i.i.d. uniform keys form a uniform subset)."""
    rng = np.random.default_rng(seed)
    n = grads.shape[0]
    out = np.empty(samples)
    for start in range(0, samples, chunk):
        keys = rng.random((min(chunk, samples - start), n))
        chosen = keys <= np.partition(keys, b - 1, axis=1)[:, b - 1:b]
        out[start:start + keys.shape[0]] = np.sum((chosen @ grads / b) ** 2, axis=1)
    return out


class MinibatchConstants(Claim):
    paper = PAPER
    id = "minibatch_constants"
    title = "b-minibatches without replacement: sigma_b* = (n-b)/(b(n-1)) sigma*, expected smoothness L_b"
    source = f"{SOURCE}, Sec. 6 (minibatch SGD without replacement)"
    provenance = "recalled"
    statement = (f"sigma_b^* = {B.minibatch_gradient_variance_at_optimum.expression}; "
                 f"L_b = {B.minibatch_expected_smoothness.expression}; Thm 5.8 holds with (L_b, sigma_b^*)")
    assumptions = B.minibatch_gradient_variance_at_optimum.assumptions
    area = ("sgd-noise",)
    bound = B.minibatch_gradient_variance_at_optimum
    sizes = {"quick": dict(samples=100_000, replicas=1000, steps=300),
             "full": dict(samples=1_000_000, replicas=4000, steps=1000)}

    def evaluate(self, samples: int, replicas: int, steps: int):
        """Noisy least squares n = 50, d = 5.  Checks: E||grad f_B(x*)||^2 = sigma_b^* by enumerating all
        C(50, 2) pairs (round-off tolerance) and by Monte Carlo for b in {5, 25}; L <= L_b <= L_max and the
        exact expected-smoothness constant lambda_max(E[H_B^2], H) <= L_b for b in {1, 2, 5, 25, 50};
        minibatch SGD (b in {5, 25}, gamma = 1/(2 L_b)) obeys Thm 5.8 with (L_b, sigma_b^*) and matches
        the exact recursion with kappa_b = (n-b)/(b(n-1)).  Control: the with-replacement formulas
        sigma^*/b and kappa = 1/b, and the full-batch L in place of L_b."""
        p = noisy_least_squares(50, 5)
        n, sigma = p.n, p.sigma2_star
        grads = p.sample_grads(p.x_star)
        consts = dict(n=n, sigma_star=sigma)
        checks, ctrl, points = [], [], []
        pairs = np.array(list(combinations(range(n), 2)))
        enumerated = float(np.mean(np.sum(grads[pairs].mean(axis=1) ** 2, axis=1)))
        checks.append(Check.close(f"b = 2, all {len(pairs)} subsets: E||grad f_B(x*)||^2 = sigma_b^*", enumerated,
                                  float(self.bound(2, **consts)), rtol=1e-12))
        ctrl.append(Check.close("b = 2, all subsets: E||grad f_B(x*)||^2 = sigma^*/b (with replacement)",
                                enumerated, sigma / 2, rtol=1e-12))
        points.append((2, enumerated, 0.0))
        for b in (5, 25):
            sq = _minibatch_sq_norms(grads, b, samples, seed=60 + b)
            checks.append(Check.equal(f"b = {b}, {samples} subsets: E||grad f_B(x*)||^2 = sigma_b^*", sq,
                                      float(self.bound(b, **consts))))
            ctrl.append(Check.equal(f"b = {b}: E||grad f_B(x*)||^2 = sigma^*/b (with replacement)", sq, sigma / b))
            m, se = stats.mean_se(sq)
            points.append((b, float(m), float(se)))

        sizes_b = np.array([1, 2, 5, 25, n])
        L_b = B.minibatch_expected_smoothness(sizes_b, n=n, L=p.L, L_max=p.L_max)
        L_es = np.array([expected_smoothness_constant(p, int(b)) for b in sizes_b])
        rtol = 1e-10
        checks.append(Check.holds_if(f"L <= L_b <= L_max for b in {sizes_b.tolist()}",
                                     bool(np.all((p.L <= L_b * (1 + rtol)) & (L_b <= p.L_max * (1 + rtol)))),
                                     f"L = {p.L:.4g}, L_b = {np.round(L_b, 4).tolist()}, L_max = {p.L_max:.4g}"))
        # b = n is the deterministic full batch, where L_b = L is an identity: test b < n
        es_check, _ = _below(f"lambda_max(E[H_B^2], H) <= L_b for b in {sizes_b[:-1].tolist()}", L_es[:-1],
                             L_b[:-1], rtol)
        checks.append(es_check)
        ctrl.append(_below(f"lambda_max(E[H_B^2], H) <= L (full-batch constant) for b in {sizes_b[:-1].tolist()}",
                           L_es[:-1], np.full(sizes_b.size - 1, p.L), rtol)[0])

        x0 = np.zeros(p.d)
        _, r0 = _r0(p, x0)
        sgd_panels, tight = [], 0.0
        for j, b in enumerate((5, 25)):
            L_bb = float(B.minibatch_expected_smoothness(b, n=n, L=p.L, L_max=p.L_max))
            g = 1.0 / (2.0 * L_bb)
            ck = _checkpoints(steps, 40)
            run = _sgd_run(p, g, steps, replicas, 70 + j, ck, sampling=noise.without_replacement(b))
            dist2 = run.values("dist2")
            bound = B.sgd_strongly_convex_dist2(ck, r0=r0, gamma=g, mu=p.mu,
                                                sigma_star=float(self.bound(b, **consts)))
            exact = finite_least_squares_sgd_moments(p, x0, g, steps, ck,
                                                     minibatch_variance_factor(n, b, replacement=False))
            wrong = finite_least_squares_sgd_moments(p, x0, g, steps, ck,
                                                     minibatch_variance_factor(n, b, replacement=True))
            label = f"b = {b}, gamma = 1/(2 L_b)"
            checks += [Check.upper_bound(f"E||x_t - x*||^2 <= Thm 5.8 bound with (L_b, sigma_b^*), {label}",
                                         dist2[:, 1:], bound[1:]),
                       Check.equal(f"E||x_t - x*||^2 = exact recursion, kappa_b = (n-b)/(b(n-1)), {label}",
                                   dist2[:, 1:], exact.dist2[1:])]
            ctrl.append(Check.equal(f"E||x_t - x*||^2 = exact recursion with kappa = 1/b (with replacement), "
                                    f"{label}", dist2[:, 1:], wrong.dist2[1:]))
            tight = max(tight, stats.test_upper_bound(dist2[:, 1:], bound[1:]).tightness)
            sgd_panels.append(Panel(f"minibatch SGD, b = {b}: Thm 5.8 with (L_b, sigma_b*)", [
                Curve.from_run(run, "dist2", f"E||x_t - x*||^2, {replicas} runs (99.9% CI)"),
                Curve(ck, bound, "Thm 5.8 bound with (L_b, sigma_b^*)", "bound"),
                Curve(ck, exact.dist2, "exact, kappa_b = (n-b)/(b(n-1))", "oracle"),
                Curve(ck, wrong.dist2, "exact with kappa = 1/b (control)", "control")], ylabel="E||x_t - x*||^2"))

        bs = np.arange(1, n + 1, dtype=np.float64)
        pb, pm, pse = (np.array(v, dtype=np.float64) for v in zip(*points))
        panels = [
            Panel("gradient variance at x* of a b-minibatch", [
                Curve(pb, pm / sigma, "enumerated (b = 2) / Monte Carlo (99.9% CI)", "empirical",
                      *normal_band(pm / sigma, pse / sigma)),
                Curve(bs, self.bound(bs, **consts) / sigma, "(n-b)/(b(n-1)) (without replacement)", "bound"),
                Curve(bs, 1.0 / bs, "1/b (with replacement, control)", "control")],
                xlabel="b", ylabel="sigma_b* / sigma*"),
            Panel("expected smoothness vs L_b", [
                Curve(sizes_b, L_es, "lambda_max(E[H_B^2], H) (exact)", "oracle"),
                Curve(bs, B.minibatch_expected_smoothness(bs, n=n, L=p.L, L_max=p.L_max), "L_b", "bound"),
                Curve(bs, np.full(bs.size, p.L), "L (control)", "control")],
                xlabel="b", ylabel="smoothness constant"), *sgd_panels]
        return (Evidence(checks, tightness=tight, panels=panels,
                         notes=f"n = {n}, L = {p.L:.4g}, L_max = {p.L_max:.4g}, sigma^* = {sigma:.4g}; expected "
                               f"smoothness / L_b = {np.round(L_es / L_b, 3).tolist()} for b = {sizes_b.tolist()}"),
                Evidence(ctrl))


CLAIMS = [GdConvex(), GdStronglyConvex(), SgdConvex(), SgdStronglyConvex(), MinibatchConstants()]
