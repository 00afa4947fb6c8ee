r"""Wang, Malladi, Wang, Lyu & Li (2023), "The Marginal Value of Momentum for Small Learning Rate SGD"
(arXiv:2307.15196): in the small-learning-rate, noise-dominated regime normalised SGDM and SGD with
the same ``eta`` are weak approximations of each other (Sec. 3), while outside it momentum changes
the stability region.

Exact moments on a quadratic (derived)
--------------------------------------
Normalised SGDM (:mod:`theorylab.optim.normalized_momentum`) on ``L = 1/2 x^T H x``, ``H = diag(h)``,
with gradient noise ``sigma xi``: per coordinate, ``z = (x, m)`` evolves linearly,

.. math::
    z' = A z + N \xi, \qquad A = \begin{pmatrix} 1 - \eta(1-\beta) h & -\eta\beta \\ (1-\beta) h & \beta \end{pmatrix},
    \qquad N = \sigma (1 - \beta) \begin{pmatrix} -\eta \\ 1 \end{pmatrix},

so ``E z z^T`` follows ``S' = A S A^T + N N^T`` exactly
(:func:`theorylab.exact.linear_second_moments`); ``beta = 0`` is SGD.  The SDE both
track, ``dX = -H X dt + sqrt(eta sigma^2) dW``, is an Ornstein-Uhlenbeck process with
``E X_T^2 = e^{-2hT} x_0^2 + eta sigma^2 (1 - e^{-2hT})/(2h)``.  With the catalogue's ``H = diag(1, 4)``,
``x_0 = (1, 1)``, ``eta sigma^2 = 1``, ``T = 2`` and ``phi = ||x||^2`` at ``k = T/eta``, the difference
``|E phi(SGDM) - E phi(SGD)|`` must vanish at least like the theorem's ``eta^{(1-alpha)/2}`` for
``beta = 0.9`` (``alpha = 0``) and ``1 - beta = sqrt(eta)`` (``alpha = 1/2``); the slope is fitted on
the three smallest ``eta``.  The engine's Monte-Carlo SGDM is checked against the recursion
(supporting).  Negative control: un-normalised SGDM (PyTorch's ``SGD(lr=eta, momentum=beta)``,
i.e. normalised ``eta/(1 - beta)``), whose effective learning rate is ``1/(1 - beta)`` times larger.

Stability in the curvature regime (derived)
-------------------------------------------
Without noise ``A`` has determinant ``beta`` and trace ``1 + beta - eta (1 - beta) h``; Jury's test
gives stability iff ``eta h < 2 (1 + beta)/(1 - beta)`` (``2`` for SGD).  Thresholds are found by
bisection on the engine's runs (bounded after 10^4 steps: ``|x_T| <= |x_0|``) and compared with the
formulas to 1%.  Negative controls: the SGD threshold (momentum irrelevant) and the heavy-ball
threshold ``2 (1 + beta)`` in the un-normalised parametrisation.
"""

from __future__ import annotations

import numpy as np

from .. import noise
from ..bounds import wang2023 as B
from ..engine import simulate
from ..exact import linear_second_moments
from ..optim.normalized_momentum import normalized_momentum
from ..problems import Quadratic
from .base import Check, Claim, Curve, Evidence, Panel

PAPER = "wang2023_marginal_momentum"

__all__ = ["sgdm_quadratic_second_moment", "stability_threshold", "CLAIMS"]


def sgdm_quadratic_second_moment(h, x0, eta: float, beta: float, sigma: float, steps: int) -> float:
    """Exact ``E ||x_k||^2`` after ``steps`` steps of normalised SGDM on ``1/2 sum_i h_i x_i^2`` with
    gradient noise ``sigma xi`` (``m_0 = 0``)."""
    h = np.asarray(h, dtype=np.float64)
    A = np.stack([np.stack([1 - eta * (1 - beta) * h, np.full_like(h, -eta * beta)], -1),
                  np.stack([(1 - beta) * h, np.full_like(h, beta)], -1)], -2)
    N = np.broadcast_to(sigma * (1 - beta) * np.array([[-eta], [1.0]]), (h.size, 2, 1))
    z0 = np.stack([np.asarray(x0, dtype=np.float64), np.zeros_like(h)], -1)
    return float(np.sum(linear_second_moments(A, N, z0, [steps])[0, :, 0, 0]))


def stability_threshold(beta: float, lam: float = 1.0, steps: int = 10_000, iterations: int = 30) -> float:
    """Largest ``eta`` for which the engine's normalised SGDM keeps ``|x_T| <= |x_0|`` on ``lam x^2/2``
    (bisection between 0 and ``4 (1 + beta)/((1 - beta) lam)``)."""
    p = Quadratic(np.array([lam]))
    lo, hi = 0.0, 4.0 * (1 + beta) / ((1 - beta) * lam)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        run = simulate(p, normalized_momentum(mid, beta), steps=steps, x0=np.ones(1), checkpoints=[0, steps],
                       metrics=("dist2",))
        d0, dT = run.values("dist2")[0]
        lo, hi = (mid, hi) if dT <= d0 else (lo, mid)
    return 0.5 * (lo + hi)


def _slope(eta: np.ndarray, diff: np.ndarray) -> float:
    """Least-squares slope of ``log diff`` against ``log eta``."""
    return float(np.polyfit(np.log(eta), np.log(diff), 1)[0])


class ShortHorizonWeakApproximation(Claim):
    paper = PAPER
    id = "thm_short_horizon_weak_approx"
    title = "Small LR: SGDM and SGD with the same eta differ weakly by O(eta^((1-alpha)/2))"
    source = "Wang et al. (2023), Sec. 3 main theorem (recalled)"
    provenance = "reconstructed"
    statement = ("For normalised SGDM (m = beta m + (1-beta) g, x -= eta m) with 1 - beta = Theta(eta^alpha), "
                 "0 <= alpha < 1, and gradient noise with eta sigma^2 = O(1), SGDM and SGD with the same eta are weak "
                 "approximations of each other over T/eta steps with error O(eta^((1-alpha)/2)), and both track "
                 "dX = -grad L dt + sqrt(eta sigma^2) dW.")
    assumptions = B.sgdm_sgd_weak_approximation.assumptions
    area = ("momentum", "sde", "sgd-noise", "scaling-rule")
    bound = B.sgdm_sgd_weak_approximation
    sizes = {"quick": dict(replicas=2000), "full": dict(replicas=20000)}
    h, x0, horizon = np.array([1.0, 4.0]), np.array([1.0, 1.0]), 2.0
    etas = np.array([1e-2, 5e-3, 2.5e-3, 1.25e-3, 6.25e-4])

    def regimes(self) -> dict[float, callable]:
        """``alpha -> (eta -> beta)``."""
        return {0.0: lambda eta: 0.9, 0.5: lambda eta: 1 - np.sqrt(eta)}

    def _phi(self, eta: float, beta: float, lr_scale: float = 1.0) -> float:
        return sgdm_quadratic_second_moment(self.h, self.x0, lr_scale * eta, beta, np.sqrt(1 / eta),
                                            round(self.horizon / eta))

    def evaluate(self, replicas: int):
        etas, h, T = self.etas, self.h, self.horizon
        sde = float(np.sum(B.ou_second_moment(T, h=h, x0=self.x0, s2=1.0)))
        sgd = np.array([self._phi(eta, 0.0) for eta in etas])
        checks, control, curves = [], [], [Curve(etas, np.abs(sgd - sde), "|E phi(SGD) - SDE|", "oracle")]
        tight = 0.0
        for alpha, beta_of in self.regimes().items():
            p = (1 - alpha) / 2
            sgdm = np.array([self._phi(eta, beta_of(eta)) for eta in etas])
            raw = np.array([self._phi(eta, beta_of(eta), 1 / (1 - beta_of(eta))) for eta in etas])
            diff, diff_raw = np.abs(sgdm - sgd), np.abs(raw - sgd)
            slope, slope_raw = _slope(etas[-3:], diff[-3:]), _slope(etas[-3:], diff_raw[-3:])
            checks += [Check.holds_if(f"alpha = {alpha}: slope of log|diff| vs log eta (3 smallest eta) >= {p:g}",
                                      slope >= p, f"slope {slope:.3f} (all 5: {_slope(etas, diff):.3f})", slope - p),
                       Check.close(f"alpha = {alpha}: SGDM at eta = {etas[-1]:g} within 5% of the SDE value {sde:.5f}",
                                   sgdm[-1], sde, rtol=0.05)]
            control += [Check.holds_if(f"alpha = {alpha}: un-normalised SGDM: slope >= {p:g}", slope_raw >= p,
                                       f"slope {slope_raw:.3f}; E phi = {raw[-1]:.4g} at eta = {etas[-1]:g}"),
                        Check.close(f"alpha = {alpha}: un-normalised SGDM within 5% of the SDE value", raw[-1], sde,
                                    rtol=0.05)]
            tight = max(tight, p / slope)
            C = diff[-1] / etas[-1] ** p
            curves += [Curve(etas, diff, f"|E phi(SGDM) - E phi(SGD)|, alpha = {alpha}"),
                       Curve(etas, self.bound(etas, C=C, alpha=alpha), f"C eta^{p:g} (through the last point)",
                             "bound"),
                       Curve(etas, diff_raw, f"control: un-normalised SGDM, alpha = {alpha}", "control")]
        checks.append(Check.close(f"SGD at eta = {etas[-1]:g} within 5% of the SDE value", sgd[-1], sde, rtol=0.05))
        # the engine's SGDM and SGD against the exact recursion (eta = 1e-2, beta = 0.9)
        eta, k = etas[0], round(T / etas[0])
        for beta in (0.9, 0.0):
            run = simulate(Quadratic(h), normalized_momentum(eta, beta), noise.additive(np.sqrt(1 / eta)), steps=k,
                           replicas=replicas, seed=3, x0=self.x0, checkpoints=[k], metrics=("dist2",))
            checks.append(Check.equal(f"engine: E ||x_k||^2 of normalised SGDM (beta = {beta}, eta = {eta:g}) = exact "
                                      "recursion", run.values("dist2"), self._phi(eta, beta)).supporting())
        panels = [Panel("weak-approximation error at k = T/eta (exact moments)", curves, xlabel="eta",
                        ylabel="|difference of E ||x||^2|")]
        notes = (f"SDE E||X_T||^2 = {sde:.5f}; at eta = {etas[-1]:g}: SGD {sgd[-1]:.5f}, SGDM(beta=0.9) "
                 f"{self._phi(etas[-1], 0.9):.5f}")
        return Evidence(checks, tightness=tight, panels=panels, notes=notes), Evidence(control)


class CurvatureRegimeCounterexample(Claim):
    paper = PAPER
    id = "curvature_regime_counterexample"
    title = "Large LR: normalised SGDM is stable up to 2(1+beta)/((1-beta) lam), SGD up to 2/lam"
    source = "Wang et al. (2023), curvature regime (re-derived)"
    provenance = "derived"
    statement = ("On a deterministic quadratic of curvature lam, SGD(eta) is stable iff eta lam < 2 and normalised "
                 "SGDM(eta, beta) iff eta lam < 2(1+beta)/(1-beta): outside the small-LR regime momentum matters.")
    assumptions = B.sgdm_normalized_stability_threshold.assumptions
    area = ("momentum", "stability")
    bound = B.sgdm_normalized_stability_threshold
    sizes = {"quick": dict(steps=10_000, iterations=24), "full": dict(steps=20_000, iterations=40)}
    betas, lam = (0.0, 0.5, 0.9, 0.99), 1.0

    def evaluate(self, steps: int, iterations: int):
        lam, betas = self.lam, np.array(self.betas)
        measured = np.array([stability_threshold(b, lam, steps, iterations) for b in betas])
        formula = self.bound(lam, beta=betas)
        sgd_threshold = float(B.sgd_stability_threshold(lam))
        checks = [Check.close(f"beta = {b}: bisection threshold = 2(1+beta)/((1-beta) lam) = {f:.4g}", m, f, rtol=0.01)
                  for b, m, f in zip(betas, measured, formula)]
        checks.append(Check.close("beta = 0: the SGD threshold 2/lam", measured[0], sgd_threshold, rtol=0.01))
        control = [Check.close(f"beta = {b}: threshold = 2/lam (momentum irrelevant)", m, sgd_threshold, rtol=0.01)
                   for b, m in zip(betas[1:], measured[1:])]
        control += [Check.close(f"beta = {b}: threshold = 2(1+beta)/lam (un-normalised heavy ball)", m,
                                2 * (1 + b) / lam, rtol=0.01) for b, m in zip(betas[1:], measured[1:])]
        panels = [Panel(f"stability threshold on lam = {lam:g}", [
            Curve(1 - betas, measured, "bisection on the engine (|x_T| <= |x_0|)"),
            Curve(1 - betas, formula, "2(1+beta)/((1-beta) lam)", "bound"),
            Curve(1 - betas, np.full(betas.size, sgd_threshold), "control: SGD's 2/lam", "control")],
            xlabel="1 - beta", ylabel="largest stable eta")]
        rel = np.abs(measured / formula - 1)
        return (Evidence(checks, tightness=float(np.max(measured / formula)), panels=panels,
                         notes=f"thresholds {np.round(measured, 4).tolist()}, max relative error {rel.max():.2g}"),
                Evidence(control))


CLAIMS = [ShortHorizonWeakApproximation(), CurvatureRegimeCounterexample()]
