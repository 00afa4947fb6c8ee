# Before editing: read /work/main/DEVELOPERS.md (rules of the shared tree: own only your files, no git commits).
r"""Lin, Antorán, Padhy, Janz, Hernández-Lobato & Terenin (2023), "Stochastic Gradient Descent for
Gaussian Processes Done Right" (arXiv:2310.20581): stochastic dual descent (SDD) for the GP
posterior mean.

Problem (the catalogue's): ``n = 500`` points uniform in ``[0, 1]^2``, RBF kernel
``K_ij = exp(-||x_i - x_j||^2 / (2 l^2))``, ``l = 0.5``, ``y = sin(3 x_1) + 0.1 N(0, 1)``, noise
variance ``s^2 = 1e-2`` (one generator, seed 0, draws the points, then the label noise).
``alpha_* = (K + s^2 I)^{-1} y``; errors are measured in the dual norm ``||e||_{K + s^2 I}``.

``dual_vs_primal_stability`` (derived, :mod:`theorylab.bounds.lin2023`).  The primal Hessian
``K (K + s^2 I)`` and the dual Hessian ``K + s^2 I`` share eigenvectors; GD is stable iff
``eta < 2/lambda_max(H)``, so the dual's threshold is larger by exactly ``lambda_max(K)`` (303.6
here).  Checks: GD runs at ``0.98`` and ``1.02`` times each predicted threshold stay bounded /
blow up (the catalogue's "within 2 %"), the late growth factor of the unstable run equals
``|1 - eta lambda_max(H)|``, and the closed-form error (eigendecomposition; it equals the simulated
run) gives the iteration counts: the dual reaches ``||alpha_t - alpha_*||_{K+s^2 I} < 1e-3`` (about
1.5e5 iterations at its best step), the primal does not within 1e6 (its Hessian has eigenvalues
``~1e-16`` where ``alpha_*`` has mass).  Negative control: the primal threshold computed with the
dual's Hessian (``2/(lambda_max(K) + s^2)``), which the primal GD run must reject.

``sdd_converges_no_floor`` (qualitative, the catalogue's gates).  SDD (the catalogue's rule, with
the Nesterov look-ahead): sample ``I`` (``b`` indices, drawn with replacement),
``g = (n/b) sum_{i in I} ((K_i + s^2 e_i)^T (alpha + rho v) - y_i) e_i``, ``v <- rho v - beta g``,
``alpha <- alpha + v``, ``abar <- r alpha + (1 - r) abar``; ``beta n = 1``, ``b = 32``,
``rho = 0.9``, ``r = 100/T``, ``T = 20 000``.  The random-coordinate estimator is unbiased for the
dual gradient and vanishes at ``alpha_*`` (multiplicative noise), so SDD has no noise floor: the
relative error of ``abar`` at least halves between ``T/2`` and ``T`` (review: 0.140 -> 0.019; here
0.140 -> 0.0189), ends below 0.05, and its log decays linearly over ``[T/2, T]`` (fitted slope
significantly negative).
Negative control: an additive-noise estimator of the same gradient (unbiased, nonzero at
``alpha_*``), column sampling of the product ``K a ~ (n/b) sum_{j in I} K e_j a_j`` (a plausible
implementation slip: sampling the mat-vec instead of the gradient coordinates), same ``b``, same
cost.  At ``beta n = 1`` its noise keeps the error above 1: it fails the no-floor gate.  The
catalogue's control, 100 fresh random Fourier features per step (``K a ~ Phi Phi^T a``, the paper's
random-feature estimator), is left out: it costs ``n x 100`` cosines per step, ~1e9 per run of
2e4 steps (over a minute per replica on the 2-core machine).

The SDD loop is a small Numba kernel (``_dual_descent``; cold compile ~6 s measured on the shared,
loaded 2-core machine): 2e4 steps of ``O(b n)`` per replica; numpy spends ~0.6 s per replica on the
index gathers alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numba import njit

from .. import stats
from ..bounds import lin2023 as B
from ..random import randbelow, replica_states
from .base import Check, Claim, Curve, Evidence, Panel

__all__ = ["GPRegression", "gd_error_norms", "closed_form_errors", "iterations_to_tolerance", "stochastic_dual_descent",
           "COORDINATES", "COLUMNS", "CLAIMS"]

PAPER = "lin2023_sdd_gp"

COORDINATES, COLUMNS = 0, 1  # gradient estimators of stochastic_dual_descent


@dataclass(frozen=True)
class GPRegression:
    """Exact GP regression data: inputs ``X`` (n, 2), targets ``y``, RBF ``lengthscale`` and noise variance."""

    X: np.ndarray
    y: np.ndarray
    lengthscale: float
    noise_var: float

    @classmethod
    def synthetic(cls, n: int = 500, lengthscale: float = 0.5, noise_var: float = 1e-2, label_noise: float = 0.1,
                  seed: int = 0) -> "GPRegression":
        """``x ~ U[0, 1]^2``, ``y = sin(3 x_1) + label_noise N(0, 1)`` (one generator: points, then noise)."""
        rng = np.random.default_rng(seed)
        X = rng.random((n, 2))
        return cls(X, np.sin(3 * X[:, 0]) + label_noise * rng.standard_normal(n), lengthscale, noise_var)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @cached_property
    def K(self) -> np.ndarray:
        d2 = np.sum((self.X[:, None, :] - self.X[None, :, :]) ** 2, axis=-1)
        return np.exp(-d2 / (2 * self.lengthscale ** 2))

    @cached_property
    def dual_hessian(self) -> np.ndarray:
        """``K + s^2 I``."""
        return self.K + self.noise_var * np.eye(self.n)

    @cached_property
    def primal_hessian(self) -> np.ndarray:
        """``K (K + s^2 I)`` (symmetric: the factors commute)."""
        return self.K @ self.dual_hessian

    @cached_property
    def kernel_eigen(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues (ascending) and eigenvectors of ``K`` (shared by both Hessians)."""
        return np.linalg.eigh(self.K)

    @cached_property
    def alpha_star(self) -> np.ndarray:
        return np.linalg.solve(self.dual_hessian, self.y)

    def dual_norm(self, e) -> np.ndarray:
        """``||e||_{K + s^2 I}`` along the last axis."""
        e = np.asarray(e, dtype=np.float64)
        return np.sqrt(np.sum((e @ self.dual_hessian) * e, axis=-1))


def gd_error_norms(H: np.ndarray, e0: np.ndarray, eta: float, steps: int, blowup: float = 1e100) -> np.ndarray:
    """``||e_t||`` for ``t = 0..steps`` of gradient descent on a quadratic with Hessian ``H``:
    ``e_{t+1} = e_t - eta H e_t`` (``e = alpha - alpha_*``); ``inf`` from the first ``t`` where
    ``||e_t|| > blowup ||e_0||``."""
    out = np.full(steps + 1, np.inf)
    for t, e in enumerate(_gd_iterates(H, e0, eta, steps)):
        out[t] = np.linalg.norm(e)
        if out[t] > blowup * out[0]:
            break
    return out


def closed_form_errors(hessian_eigs, coefs, weights, eta: float, t) -> np.ndarray:
    """``||e_t||_W`` of GD in a shared eigenbasis: ``sqrt(sum_i w_i (1 - eta h_i)^{2t} c_i^2)``.

    ``hessian_eigs`` ``h_i``, ``coefs`` the eigen-coefficients ``c_i`` of ``e_0``, ``weights`` the
    eigenvalues ``w_i`` of the norm's matrix ``W``; ``t`` any array of iteration counts.
    """
    factor2 = (1.0 - eta * np.asarray(hessian_eigs)) ** 2
    terms = np.asarray(weights) * np.asarray(coefs) ** 2
    return np.sqrt(np.sum(terms * np.power.outer(factor2, np.asarray(t, dtype=np.float64)).T, axis=-1))


def iterations_to_tolerance(hessian_eigs, coefs, weights, eta: float, tol: float, cap: int) -> int | None:
    """Smallest ``t <= cap`` with :func:`closed_form_errors` ``< tol`` (bisection: the error is
    non-increasing when ``|1 - eta h_i| <= 1``), or ``None`` if the error at ``cap`` is still ``>= tol``."""
    def err(t):
        return float(closed_form_errors(hessian_eigs, coefs, weights, eta, t))

    if err(cap) >= tol:
        return None
    lo, hi = 0, cap
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if err(mid) < tol else (mid, hi)
    return hi


# ----------------------------------------------------------------------------------------------
# stochastic dual descent
# ----------------------------------------------------------------------------------------------
@njit(cache=True)
def _dual_descent(K, y, noise_var, beta, rho, r, steps, batch, estimator, states, checkpoints, alpha_star, H):
    R, n = states.shape[0], K.shape[0]
    errors = np.empty((R, checkpoints.size))
    for rep in range(R):
        s = states[rep]
        alpha, v, avg = np.zeros(n), np.zeros(n), np.zeros(n)
        look, g = np.empty(n), np.empty(n)
        ck = 0
        for t in range(1, steps + 1):
            for i in range(n):
                look[i] = alpha[i] + rho * v[i]
                v[i] *= rho
            if estimator == 0:  # random coordinates of the dual gradient
                for _ in range(batch):
                    i = randbelow(s, n)
                    gi = noise_var * look[i] - y[i]
                    for j in range(n):
                        gi += K[i, j] * look[j]
                    v[i] -= beta * (n / batch) * gi
            else:
                for i in range(n):
                    g[i] = noise_var * look[i] - y[i]
                for _ in range(batch):  # K look ~ (n/b) sum_{j in I} K e_j look_j (K symmetric: row j)
                    j = randbelow(s, n)
                    c = (n / batch) * look[j]
                    for i in range(n):
                        g[i] += c * K[j, i]
                for i in range(n):
                    v[i] -= beta * g[i]
            for i in range(n):
                alpha[i] += v[i]
                avg[i] = r * alpha[i] + (1 - r) * avg[i]
            if ck < checkpoints.size and t == checkpoints[ck]:
                q = 0.0
                for i in range(n):
                    row = 0.0
                    for j in range(n):
                        row += H[i, j] * (avg[j] - alpha_star[j])
                    q += (avg[i] - alpha_star[i]) * row
                errors[rep, ck] = np.sqrt(q)
                ck += 1
    return errors


def stochastic_dual_descent(gp: GPRegression, steps: int, replicas: int, seed: int, estimator: int = COORDINATES,
                            batch: int = 32, beta: float | None = None, rho: float = 0.9, averaging: float | None = None,
                            checkpoints=None) -> tuple[np.ndarray, np.ndarray]:
    """Relative errors ``||abar_t - alpha_*||_{K+s^2 I} / ||alpha_*||_{K+s^2 I}`` of ``replicas``
    independent SDD runs (module docstring) at ``checkpoints`` (default ``T/40, 2T/40, ..., T``).

    ``estimator``: :data:`COORDINATES` (SDD) or :data:`COLUMNS` (the additive-noise column-sampled
    estimate of ``K (alpha + rho v)``); ``beta`` defaults to ``1/n``, ``averaging`` to ``100/T``.
    Returns ``(checkpoints, errors)`` with ``errors`` of shape ``(replicas, len(checkpoints))``.
    """
    ck = np.linspace(steps / 40, steps, 40).astype(np.int64) if checkpoints is None else np.asarray(checkpoints,
                                                                                                     np.int64)
    beta = 1.0 / gp.n if beta is None else beta
    r = 100.0 / steps if averaging is None else averaging
    err = _dual_descent(gp.K, gp.y, gp.noise_var, beta, rho, r, steps, batch, estimator, replica_states(seed, replicas),
                        ck, gp.alpha_star, gp.dual_hessian)
    return ck, err / float(gp.dual_norm(gp.alpha_star))


# ----------------------------------------------------------------------------------------------
# claims
# ----------------------------------------------------------------------------------------------
def _bracket_checks(name: str, H: np.ndarray, e0: np.ndarray, threshold: float, steps: int,
                    margin: float = 0.02) -> tuple[list[Check], np.ndarray, np.ndarray]:
    """GD at ``(1 - margin)`` and ``(1 + margin)`` times a claimed threshold: the first stays bounded
    (``||e_T|| <= ||e_0||``), the second blows up (``||e_T|| > 1e3 ||e_0||``)."""
    below = gd_error_norms(H, e0, (1 - margin) * threshold, steps)
    above = gd_error_norms(H, e0, (1 + margin) * threshold, steps)
    checks = [Check.holds_if(f"{name}: GD at {1 - margin:g} x threshold stays bounded", below[-1] <= below[0],
                             f"||e_T||/||e_0|| = {below[-1] / below[0]:.3g} (T = {steps})",
                             1 - below[-1] / below[0]),
              Check.holds_if(f"{name}: GD at {1 + margin:g} x threshold blows up", above[-1] > 1e3 * above[0],
                             f"||e_T||/||e_0|| = {above[-1] / above[0]:.3g} (T = {steps})")]
    return checks, below / below[0], above / above[0]


class DualVsPrimalStability(Claim):
    paper = PAPER
    id = "dual_vs_primal_stability"
    title = "GD for the GP mean: the dual is stable for steps lam_max(K) times larger than the primal"
    source = "Lin et al. (2023), Sec. 3.1 (primal vs dual conditioning)"
    provenance = "derived"
    statement = ("GD on the primal (1/2)||y - K a||^2 + (s^2/2) a^T K a (Hessian K(K + s^2 I)) is stable iff "
                 "eta < 2/(lam_max(K)(lam_max(K) + s^2)); on the dual (1/2) a^T (K + s^2 I) a - a^T y (Hessian "
                 "K + s^2 I) iff eta < 2/(lam_max(K) + s^2): a step larger by exactly lam_max(K).  From alpha = 0 "
                 "the dual reaches ||alpha - alpha*||_{K + s^2 I} < 1e-3, the primal not within 1e6 iterations.")
    assumptions = B.gp_dual_gd_max_stable_step.assumptions
    area = ("optimizer", "stability")
    bound = B.gp_dual_gd_max_stable_step
    sizes = {"quick": dict(n=500, steps=400), "full": dict(n=500, steps=1000)}

    def evaluate(self, n: int, steps: int):
        gp = GPRegression.synthetic(n)
        lam, V = gp.kernel_eigen
        lam_max, s2 = float(lam[-1]), gp.noise_var
        primal_eigs, dual_eigs = lam * (lam + s2), lam + s2
        eta_primal = float(B.gp_primal_gd_max_stable_step(lam_max, s2=s2))
        eta_dual = float(self.bound(lam_max, s2=s2))
        e0 = -gp.alpha_star
        h_primal = float(np.linalg.eigvalsh(gp.primal_hessian)[-1])
        checks = [Check.close("lam_max(K(K + s^2 I)) = lam_max(K)(lam_max(K) + s^2) (dense eigvalsh)", h_primal,
                              lam_max * (lam_max + s2), rtol=1e-10).supporting(),
                  Check.close("threshold ratio dual/primal = lam_max(K)", eta_dual / eta_primal, lam_max, rtol=1e-12)]
        curves = {}
        for name, H, eta, top in (("primal", gp.primal_hessian, eta_primal, primal_eigs[-1]),
                                  ("dual", gp.dual_hessian, eta_dual, dual_eigs[-1])):
            bracket, below, above = _bracket_checks(name, H, e0, eta, steps)
            growth = above[-1] / above[-2]
            checks += bracket + [Check.close(f"{name}: late growth factor at 1.02 x threshold = |1 - eta h_max|",
                                             growth, abs(1 - 1.02 * eta * top), rtol=1e-6)]
            curves[name] = (below, above)

        # iteration counts from alpha = 0 (closed form in the eigenbasis of K, checked against a run)
        coefs, tol, cap = V.T @ e0, 1e-3, 10 ** 6
        h_min, h_max = float(dual_eigs[0]), float(dual_eigs[-1])
        t_run = np.arange(steps + 1)
        run = gp.dual_norm(np.array(list(_gd_iterates(gp.dual_hessian, e0, 1 / h_max, steps))))
        closed = closed_form_errors(dual_eigs, coefs, dual_eigs, 1 / h_max, t_run)
        checks.append(Check.close("closed-form dual error = simulated GD error (step 1/h_max)", run, closed,
                                  rtol=1e-8).supporting())
        n_best = iterations_to_tolerance(dual_eigs, coefs, dual_eigs, 2 / (h_min + h_max), tol, cap)
        n_dual = iterations_to_tolerance(dual_eigs, coefs, dual_eigs, 1 / h_max, tol, cap)
        eta_p = 1 / float(primal_eigs[-1])
        n_primal = iterations_to_tolerance(primal_eigs, coefs, dual_eigs, eta_p, tol, cap)
        primal_at_cap = float(closed_form_errors(primal_eigs, coefs, dual_eigs, eta_p, cap))
        checks += [Check.holds_if("dual GD at 2/(h_min + h_max) reaches the tolerance 1e-3 within 1e6 iterations",
                                  n_best is not None, f"{n_best} iterations (1/h_max: {n_dual})"),
                   Check.holds_if("primal GD at 1/h_max does not reach 1e-3 within 1e6 iterations", n_primal is None,
                                  f"error at 1e6 iterations {primal_at_cap:.3g}")]

        # negative control: the primal threshold computed with the dual's Hessian
        control, _, _ = _bracket_checks("primal GD with threshold 2/(lam_max(K) + s^2) (dual Hessian)",
                                        gp.primal_hessian, e0, eta_dual, steps)

        t = np.arange(steps + 1)
        t_long = np.unique(np.geomspace(1, cap, 200).astype(np.int64))
        panels = [Panel("GD at 0.98 / 1.02 x the thresholds (dual = primal curves: same top mode)", [
            Curve(t[1:], curves["dual"][0][1:], "dual, 0.98 x 2/(lam_max + s^2)"),
            Curve(t[1:], curves["dual"][1][1:], "dual, 1.02 x"),
            Curve(t[1:], curves["primal"][0][1:], "primal, 0.98 x 2/(lam_max(lam_max + s^2))"),
            Curve(t[1:], curves["primal"][1][1:], "primal, 1.02 x")],
            xlabel="iteration t", ylabel="||e_t|| / ||e_0||", xscale="linear"),
            Panel("error from alpha = 0 (closed form)", [
                Curve(t_long, closed_form_errors(dual_eigs, coefs, dual_eigs, 2 / (h_min + h_max), t_long),
                      f"dual, eta = 2/(h_min + h_max): {n_best} its"),
                Curve(t_long, closed_form_errors(dual_eigs, coefs, dual_eigs, 1 / h_max, t_long),
                      f"dual, eta = 1/h_max: {n_dual} its"),
                Curve(t_long, closed_form_errors(primal_eigs, coefs, dual_eigs, eta_p, t_long), "primal, eta = 1/h_max"),
                Curve(t_long, np.full(t_long.size, tol), "tolerance 1e-3", "bound")],
                xlabel="iteration t", ylabel="||alpha_t - alpha*||_{K + s^2 I}")]
        return (Evidence(checks, tightness=eta_dual / eta_primal / lam_max, panels=panels,
                         notes=f"lam_max(K) = {lam_max:.4g}; thresholds primal {eta_primal:.4g}, dual {eta_dual:.4g}"),
                Evidence(control))


def _gd_iterates(H: np.ndarray, e0: np.ndarray, eta: float, steps: int):
    """The errors ``e_0..e_steps`` of GD on the quadratic with Hessian ``H``."""
    e = np.array(e0, dtype=np.float64)
    yield e
    for _ in range(steps):
        e = e - eta * (H @ e)
        yield e


def _no_floor_checks(name: str, t, errors, factor: float, level: float = 0.05) -> tuple[list[Check], stats.RateFit]:
    """The catalogue's gates on ``(R, K)`` relative errors at checkpoints ``t``: ``E err(T) <= factor
    E err(T/2)``, ``E err(T) <= level``, and a significantly negative log-linear slope over ``[T/2, T]``."""
    half = int(np.argmin(np.abs(t - t[-1] / 2)))
    rate = stats.fit_linear_rate(t, errors, (t[-1] / 2, t[-1]))
    return [Check.ratio_upper_bound(f"{name}: E err(T) <= {factor:g} E err(T/2)", errors[:, -1], errors[:, half],
                                  factor),
            Check.upper_bound(f"{name}: E err(T) <= {level:g}", errors[:, -1:], level),
            Check.holds_if(f"{name}: geometric decay over [T/2, T] (fitted log-slope + 5.3 SE < 0)",
                           rate.slope + stats.z_value() * rate.se < 0,
                           f"slope {rate.slope:.3g} +- {rate.se:.2g} per step")], rate


class SDDConvergesNoFloor(Claim):
    paper = PAPER
    id = "sdd_converges_no_floor"
    title = "SDD (random coordinates) has no noise floor; an additive-noise estimator does"
    source = "Lin et al. (2023), Algorithm 1 and Sec. 3.2 (multiplicative vs additive gradient noise)"
    provenance = "qualitative"
    statement = ("At fixed step beta n = 1, b = 32, rho = 0.9, r = 100/T, T = 2e4 the relative dual-norm error of "
                 "SDD's averaged iterate keeps falling geometrically: E err(T) <= 0.5 E err(T/2), and E err(T) <= 0.05; "
                 "the same method with an additive-noise estimator of K a plateaus.")
    assumptions = "step below the minibatch-stability threshold (beta n = 1; beta n >= 5 diverges on this kernel)"
    area = ("optimizer", "stability", "sgd-noise")
    sizes = {"quick": dict(steps=20_000, replicas=4), "full": dict(steps=20_000, replicas=32)}

    def evaluate(self, steps: int, replicas: int):
        gp = GPRegression.synthetic()
        t, sdd = stochastic_dual_descent(gp, steps, replicas, seed=1, estimator=COORDINATES)
        _, cols = stochastic_dual_descent(gp, steps, replicas, seed=2, estimator=COLUMNS)
        factor = 0.5
        checks, rate = _no_floor_checks("SDD", t, sdd, factor)
        control, _ = _no_floor_checks("K a by column sampling (additive noise)", t, cols, factor)
        curves = [Curve.band(t, sdd, "SDD (random coordinates)"),
                  Curve.band(t, cols, "column-sampled K a (control)", "control")]
        half = int(np.argmin(np.abs(t - t[-1] / 2)))
        panels = [Panel("relative error of the averaged iterate", curves, xlabel="step t",
                        ylabel="||abar_t - alpha*||_{K+s^2 I} / ||alpha*||", xscale="linear")]
        return (Evidence(checks, tightness=float(np.mean(sdd[:, -1]) / (factor * np.mean(sdd[:, half]))), rate=rate,
                         panels=panels, notes="tightness = E err(T) / (0.5 E err(T/2))"),
                Evidence(control))


CLAIMS = [DualVsPrimalStability(), SDDConvergesNoFloor()]
