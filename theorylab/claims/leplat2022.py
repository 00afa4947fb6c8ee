r"""Leplat, Merkulov, Katrutsa, Bershatsky & Oseledets (2022), "NAG-GS: Semi-Implicit, Accelerated
and Robust Stochastic Optimizer" (arXiv:2209.14937): the quadratic analysis of Sec. 3 (spectral
radius, stability edge, optimal step) and the stationary covariance under gradient noise.

Derivation (``gamma_0 = mu``, so ``gamma_t = mu`` and ``b = a = alpha/(1 + alpha)``)
----------------------------------------------------------------------------------
On the eigen-direction of curvature ``lambda`` (``g = lambda x + sigma xi``), the update of
:mod:`theorylab.optim.nag_gs` in the authors' order is

.. math::
    v' = (1 - a) v + a (1 - \lambda/\mu) x - (a\sigma/\mu)\,\xi, \qquad x' = (1 - a) x + a v',

i.e. ``z' = M z + N xi`` on ``z = (x, v)`` with
``M = [[1 - a + a^2 (1 - lambda/mu), a (1 - a)], [a (1 - lambda/mu), 1 - a]]`` and
``N = -(sigma/mu) (a^2, a)``: trace ``T = 2(1 - a) + a^2 (1 - lambda/mu)``, determinant ``(1 - a)^2``.
Jury's test (``|T| < 1 + det``) holds on the upper side always and on the lower side iff
``a^2 (lambda/mu - 1) < (2 - a)^2``, i.e. ``a (sqrt(kappa - 1) + 1) < 2`` at ``lambda = L``:
``alpha < 2/(sqrt(kappa - 1) - 1)`` (any ``alpha`` when ``kappa <= 2``).  The roots are complex, of
modulus ``1 - a``, while ``a^2 (lambda/mu - 1) <= 4 (1 - a)``; beyond, the root of largest modulus is
``|T|/2 + sqrt(T^2/4 - (1 - a)^2)``, increasing in ``lambda``.  So the worst case over ``[mu, L]`` is
``1 - a = 1/(1 + alpha)`` up to ``a^2 (kappa - 1) = 4 (1 - a)``, i.e. ``a = 2/(sqrt(kappa) + 1)``, and
grows after it: the optimal step is ``alpha_opt = 2/(sqrt(kappa) - 1)`` with rate
``(sqrt(kappa) - 1)/(sqrt(kappa) + 1)``.  (For large ``kappa`` ``alpha_opt`` sits just below the
stability edge.)  With noise the second moments obey ``S' = M S M^T + N N^T`` exactly
(:func:`theorylab.exact.linear_second_moments`); the stationary covariance solves the discrete Lyapunov equation.

The iteration matrix is built independently of the formulas above, by applying the rule's own
numpy reference to the unit vectors; the engine's iterates are compared with its powers.
Negative controls: the explicit (Jacobi) order ``x' = (1 - a) x + a v`` with the *old* ``v`` (a
plausible transcription slip), the non-accelerated rate ``(kappa - 1)/(kappa + 1)``, and (noise)
the injection vector without its ``x`` component, ``N = -(sigma/mu)(0, a)``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_discrete_lyapunov

from .. import noise, stats
from ..bounds import leplat2022 as B
from ..engine import simulate
from ..exact import linear_second_moments, spectral_radius
from ..optim.nag_gs import nag_gs, nag_gs_reference
from ..problems import Quadratic
from .base import Check, Claim, Curve, Evidence, Panel

PAPER = "leplat2022_naggs"

__all__ = ["naggs_iteration_matrix", "naggs_noise_vector", "CLAIMS"]


def naggs_iteration_matrix(lam, mu: float, alpha: float) -> np.ndarray:
    """``(len(lam), 2, 2)`` matrices of one NAG-GS step on ``(x, v)`` for ``f = lambda x^2/2``
    (``gamma = mu``), obtained by applying :func:`~theorylab.optim.nag_gs.nag_gs_reference` to the unit
    vectors (the curvatures as the coordinates of a diagonal quadratic)."""
    lam = np.atleast_1d(np.asarray(lam, dtype=np.float64))
    sched, hyper = np.array([[alpha]]), np.array([mu])
    out = np.empty((lam.size, 2, 2))
    for col in range(2):
        x = np.full(lam.size, 1.0 - col)
        state = np.append(np.full(lam.size, float(col)), mu)
        nag_gs_reference(1, 0, sched, x, lam * x, None, None, state, hyper, None)
        out[:, 0, col], out[:, 1, col] = x, state[:-1]
    return out


def naggs_noise_vector(mu: float, alpha: float, sigma: float, x_component: bool = True) -> np.ndarray:
    """``N`` (shape ``(2, 1)``) of additive gradient noise ``sigma xi`` in one NAG-GS step (``gamma = mu``)."""
    a = alpha / (1.0 + alpha)
    return -(sigma / mu) * np.array([[a * a if x_component else 0.0], [a]])


def _jacobi_matrix(lam, mu: float, alpha: float) -> np.ndarray:
    """The explicit-order slip: ``x' = (1 - a) x + a v`` with the old ``v``."""
    a = alpha / (1.0 + alpha)
    lam = np.atleast_1d(lam)
    return np.stack([np.stack([np.full_like(lam, 1 - a), np.full_like(lam, a)], -1),
                     np.stack([a * (1 - lam / mu), np.full_like(lam, 1 - a)], -1)], -2)


def _trajectories(maps: np.ndarray, z0: np.ndarray, steps: int) -> np.ndarray:
    """``x``-components of ``maps^t z0`` for ``t = 0..steps``: ``(steps + 1, len(maps))``."""
    z, out = z0.copy(), [z0[:, 0].copy()]
    for _ in range(steps):
        z = np.einsum("nij,nj->ni", maps, z)
        out.append(z[:, 0].copy())
    return np.array(out)


class QuadraticSpectralRadius(Claim):
    paper = PAPER
    id = "quadratic-spectral-radius"
    title = "NAG-GS on quadratics: stability edge, optimal step 2/(sqrt(kappa)-1), accelerated rate"
    source = "Leplat et al. (2022), Sec. 3 (re-derived for gamma = mu)"
    provenance = "derived"
    statement = ("With gamma = mu, one NAG-GS step on curvature lambda is linear with trace "
                 "2(1-a) + a^2(1 - lambda/mu) and determinant (1-a)^2, a = alpha/(1+alpha); it is stable iff "
                 "alpha < 2/(sqrt(kappa-1) - 1), and the "
                 "worst-case spectral radius over [mu, L] is minimised at alpha = 2/(sqrt(kappa) - 1), where it equals "
                 "(sqrt(kappa) - 1)/(sqrt(kappa) + 1).")
    assumptions = B.naggs_worst_case_spectral_radius.assumptions
    area = ("optimizer", "momentum", "stability")
    bound = B.naggs_worst_case_spectral_radius
    sizes = {"quick": dict(steps=3000, grid=400), "full": dict(steps=6000, grid=4000)}
    mu, kappa, d = 1.0, 1e3, 50

    def problem(self) -> Quadratic:
        return Quadratic(np.logspace(0.0, np.log10(self.kappa), self.d) * self.mu)

    def _engine_norms(self, alpha: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
        p = self.problem()
        run = simulate(p, nag_gs(alpha, self.mu, self.mu), steps=steps, x0=np.ones(p.d),
                       checkpoints=np.arange(steps + 1), metrics=("dist2",), record_iterates=True)
        return run.x[0], run.values("dist2")

    def evaluate(self, steps: int, grid: int):
        mu, kappa = self.mu, self.kappa
        lam = self.problem().spectrum
        a_opt = float(B.naggs_optimal_step(kappa))
        a_max = float(B.naggs_stability_threshold(kappa))
        rho_opt = float(B.naggs_optimal_rate(kappa))
        alphas = np.linspace(0.02, 1.2, grid) * a_max
        dense = np.concatenate([lam, np.linspace(mu, kappa * mu, 2001)])
        numeric = np.array([spectral_radius(naggs_iteration_matrix(dense, mu, al)).max() for al in alphas])
        closed = self.bound(alphas, kappa=kappa)
        best = alphas[np.argmin(numeric)]
        checks = [Check.close(f"worst-case spectral radius over [mu, L] (eig of the rule's matrix) = closed form, "
                              f"{grid} steps in [0.02, 1.2] alpha_max", numeric, closed, rtol=1e-6),
                  Check.close("argmin over the grid = alpha_opt = 2/(sqrt(kappa) - 1) (grid resolution)", best, a_opt,
                              rtol=max(1.2 * a_max / grid / a_opt, 1e-6)),
                  Check.close("radius at alpha_opt = (sqrt(kappa) - 1)/(sqrt(kappa) + 1)",
                              spectral_radius(naggs_iteration_matrix(dense, mu, a_opt)).max(), rho_opt, rtol=1e-6)]
        control = [Check.close("radius at alpha_opt = (kappa - 1)/(kappa + 1) (non-accelerated rate)",
                               spectral_radius(naggs_iteration_matrix(dense, mu, a_opt)).max(),
                               (kappa - 1) / (kappa + 1), rtol=1e-3)]
        # the engine: exact linear trajectories, contraction rates, stability edge
        z0 = np.stack([np.ones_like(lam), np.ones_like(lam)], -1)  # v_0 = x_0
        t = np.arange(steps + 1)
        panels_rate = []
        for al in (a_opt, a_opt / 2):
            x, dist2 = self._engine_norms(al, steps)
            exact = _trajectories(naggs_iteration_matrix(lam, mu, al), z0, steps)
            scale = np.abs(exact).max(axis=1, keepdims=True)
            checks.append(Check.close(f"alpha = {al / a_opt:.2g} alpha_opt: engine iterates = powers of the rule's "
                                      f"matrix (per coordinate)", x / scale, exact / scale, rtol=0.0, atol=1e-7)
                          .supporting())
            rate = stats.fit_linear_rate(t, dist2, (steps / 2, steps))
            rho = float(self.bound(al, kappa=kappa))
            checks.append(Check.close(f"alpha = {al / a_opt:.2g} alpha_opt: measured contraction of ||x|| "
                                      f"(late half) = spectral radius {rho:.5f}", np.exp(rate.slope / 2), rho,
                                      rtol=0.01))
            if al == a_opt:  # (the explicit order is unstable here: compare the first 200 steps)
                jacobi = _trajectories(_jacobi_matrix(lam, mu, al), z0, 200)
                control.append(Check.close("alpha_opt: engine iterates = powers of the explicit-order (Jacobi) matrix, "
                                           "200 steps", x[:201] / scale[:201], jacobi / scale[:201], rtol=0.0,
                                           atol=1e-7))
            panels_rate.append(Curve(t, np.sqrt(dist2[0]), f"||x_t||, alpha = {al / a_opt:.2g} alpha_opt"))
            panels_rate.append(Curve(t, np.sqrt(dist2[0, 0]) * rho ** t, f"rho^t, rho = {rho:.4f}", "bound"))
        edge = {}
        for f in (0.95, 1.05):
            _, dist2 = self._engine_norms(f * a_max, steps)
            edge[f] = float(np.sqrt(dist2[0, -1] / dist2[0, 0]))
        checks += [Check.holds_if("alpha = 0.95 alpha_max converges", edge[0.95] < 1e-3,
                                  f"||x_T||/||x_0|| = {edge[0.95]:.3g}"),
                   Check.holds_if("alpha = 1.05 alpha_max diverges", edge[1.05] > 1e3,
                                  f"||x_T||/||x_0|| = {edge[1.05]:.3g}")]
        panels = [Panel(f"worst-case spectral radius, kappa = {kappa:g}", [
            Curve(alphas, numeric, "max_lambda |eig| of the rule's matrix"),
            Curve(alphas, closed, "closed form", "bound"),
            Curve(alphas, np.full(alphas.size, (kappa - 1) / (kappa + 1)), "control: (kappa-1)/(kappa+1)", "control"),
            Curve([a_opt, a_opt], [numeric.min(), 1.0], "alpha_opt", "oracle"),
            Curve([a_max, a_max], [numeric.min(), 1.0], "alpha_max", "oracle")],
            xlabel="alpha", ylabel="spectral radius", xscale="linear", yscale="linear"),
            Panel("engine: ||x_t|| against rho^t", panels_rate, xlabel="t", ylabel="||x_t||", xscale="linear")]
        notes = (f"kappa = {kappa:g}: alpha_max = {a_max:.6f}, alpha_opt = {a_opt:.6f}, grid argmin {best:.6f}, "
                 f"rho_opt = {rho_opt:.6f}; ||x_T||/||x_0|| = {edge[0.95]:.3g} at 0.95 alpha_max, {edge[1.05]:.3g} at "
                 f"1.05 alpha_max")
        return Evidence(checks, tightness=float(numeric.min() / rho_opt), panels=panels, notes=notes), Evidence(control)


class NoisyStationaryCovariance(Claim):
    paper = PAPER
    id = "noisy-stationary-covariance"
    title = "NAG-GS with gradient noise: stationary covariance = discrete Lyapunov solution"
    source = "Leplat et al. (2022), Sec. 3 (reconstructed)"
    provenance = "reconstructed"
    statement = ("With additive Gaussian gradient noise on a quadratic, z = (x, v) evolves as z' = M z + N xi and "
                 "E z z^T converges to Sigma solving Sigma = M Sigma M^T + N N^T.")
    assumptions = "quadratic f = lambda x^2/2, gradient noise sigma xi (xi ~ N(0, 1)), gamma_0 = mu"
    area = ("optimizer", "sde", "sgd-noise")
    bound = None
    sizes = {"quick": dict(replicas=200, copies=8, window=2000), "full": dict(replicas=1000, copies=16, window=10000)}
    lam, mu, sigma = 10.0, 1.0, 1.0

    def alphas(self) -> tuple[float, ...]:
        return 0.1, 0.5, float(B.naggs_optimal_step(self.lam / self.mu))

    def evaluate(self, replicas: int, copies: int, window: int):
        lam, mu, sigma = self.lam, self.mu, self.sigma
        p = Quadratic(np.full(copies, lam))
        checks, control, panels, tight, notes = [], [], [], 0.0, []
        for i, alpha in enumerate(self.alphas()):
            M = naggs_iteration_matrix(lam, mu, alpha)[0]
            rho = float(spectral_radius(M[None])[0])
            burn = int(np.ceil(20 / (1 - rho)))
            ck = np.arange(burn, burn + window + 1, max(1, window // 200))
            run = simulate(p, nag_gs(alpha, mu, mu), noise.additive(sigma), steps=int(ck[-1]), replicas=replicas,
                           seed=30 + i, checkpoints=ck, metrics=("dist2",))
            x2 = run.values("dist2").mean(axis=1)[:, None] / copies  # per replica: window mean of x^2
            z0 = np.zeros(2)
            exact = linear_second_moments(M, naggs_noise_vector(mu, alpha, sigma), z0, ck)[:, 0, 0].mean()
            wrong = linear_second_moments(M, naggs_noise_vector(mu, alpha, sigma, False), z0, ck)[:, 0, 0].mean()
            stationary = solve_discrete_lyapunov(M, naggs_noise_vector(mu, alpha, sigma) @
                                                 naggs_noise_vector(mu, alpha, sigma).T)[0, 0]
            checks += [Check.equal(f"alpha = {alpha:.3g}: E x^2 (window) = Lyapunov recursion", x2, exact),
                       Check.close(f"alpha = {alpha:.3g}: recursion at the window = stationary Lyapunov solution",
                                   exact, stationary, rtol=1e-6).supporting()]
            control.append(Check.equal(f"alpha = {alpha:.3g}: E x^2 = recursion with N's x-component dropped", x2,
                                       wrong))
            m, se = stats.mean_se(x2)
            tight = max(tight, float(m[0] / exact))
            notes.append(f"alpha = {alpha:.4g}: E x^2 = {m[0]:.5g} +- {se[0]:.2g} vs {stationary:.5g} "
                         f"({m[0] / stationary - 1:+.2%}), burn-in {burn}")
            panels.append((alpha, x2[:, 0], stationary, wrong))
        al = np.array([q[0] for q in panels])
        figure = [Panel(f"stationary Var(x), lambda = {lam:g}, mu = {mu:g}, sigma = {sigma:g}", [
            Curve.band(al, np.stack([q[1] for q in panels], axis=1), f"engine, {replicas} runs x {copies} copies"),
            Curve(al, np.array([q[2] for q in panels]), "discrete Lyapunov solution", "bound"),
            Curve(al, np.array([q[3] for q in panels]), "control: x-noise dropped", "control")],
            xlabel="alpha", ylabel="Var(x)", xscale="linear", yscale="log")]
        return Evidence(checks, tightness=tight, panels=figure, notes="; ".join(notes)), Evidence(control)


CLAIMS = [QuadraticSpectralRadius(), NoisyStationaryCovariance()]
