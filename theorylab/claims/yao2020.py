r"""Yao, Gholami, Shen, Mustafa, Keutzer & Mahoney (2021), "ADAHESSIAN: An Adaptive Second Order Optimizer
for Machine Learning" (AAAI 2021; arXiv:2006.00719).  The paper's claims are empirical (ResNets,
transformers); checked here are two properties of its update rule (:func:`theorylab.optim.adahessian.adahessian`).

**Hutchinson diagonal.**  For symmetric ``H`` and Rademacher ``z``, ``D_i = (z ⊙ H z)_i = H_ii + sum_{j != i}
H_ij z_i z_j``; the products ``z_i z_j`` (``j != i``) have mean 0 and are pairwise uncorrelated with unit
variance, so ``E D_i = H_ii`` and ``Var D_i = sum_{j != i} H_ij^2``.  Checked exactly (the mean and
variance over all ``2^d`` sign vectors of a random symmetric ``10 x 10`` matrix) and on the rule itself:
one AdaHessian step in the engine on a rotated quadratic (``d = 50``, spectrum log-spaced in
``[0.1, 1]``), whose state keeps the estimate, over independent replicas; the replica mean of ``D`` and of
``(D - diag H)^2`` are tested for equality with ``diag H`` and the variance formula (Bonferroni over
coordinates).  Negative controls: the same mean check with the paper's spatial averaging over blocks of 2
(biased: ``E D^(s)_i`` is the block's mean diagonal), and the same variance check with Gaussian probes
(Sophia's estimator; ``Var = 2 H_ii^2 + sum_{j != i} H_ij^2``).

**Newton limit on diagonal quadratics** (catalogue reconstruction, derived).  With ``beta1 = beta2 = 0``,
Hessian power ``k = 1``, no spatial averaging, ``eps = 0`` and ``lr = 1``: ``D = z ⊙ (h ⊙ z) = h`` exactly,
``v = h^2``, so the step is ``x - g/|h| = x - x``: Newton's method, at the minimum in one step for any
condition number (up to the round-off of one division per coordinate: ``f_1 <= 16 u^2 f_0``, ``u = 2^-53``).
With the default ``beta1 = 0.9``, ``beta2 = 0.999``, ``eps = 1e-4`` and ``lr = 0.15``, every coordinate still
follows ``h``-free dynamics (``m_i``, ``sqrt(v_i)`` both scale with ``h_i``; ``eps`` is negligible for
``h >= 1``), so the step count does not depend on ``kappa``; checked against Adam tuned on a grid of
learning rates (Adam is ``h``-free too, up to its ``eps``: it is the dynamics, not ``kappa``, that differ).
Problem (catalogue): ``d = 100``, ``h`` log-spaced in ``[1, kappa]``, ``x_0 ~ U[-1, 1]`` (seed 0).  Negative
control: the one-step check with Hessian power ``k = 1/2`` (an Adam-like square root: ``x - x/sqrt(h)``).
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import stats
from ..bounds import yao2020 as B
from ..engine import simulate
from ..optim.adahessian import adahessian
from ..optim.adam import adam
from ..optim.sophia import sophia
from ..problems import Quadratic
from .base import Check, Claim, Curve, Evidence, Panel

PAPER = "yao2020_adahessian"
_U = 2.0 ** -53  # unit round-off of float64


def hutchinson_moments_exact(H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of ``z ⊙ (H z)`` over all ``2^d`` Rademacher vectors (small ``d``)."""
    d = H.shape[0]
    Z = np.array(list(itertools.product((-1.0, 1.0), repeat=d)))
    D = Z * (Z @ H.T)
    return D.mean(axis=0), D.var(axis=0)


def one_step_estimates(opt, problem: Quadratic, replicas: int, seed: int, offset: int) -> np.ndarray:
    """``(replicas, d)`` Hessian-diagonal estimates kept in the state after one step of ``opt`` (its
    estimate's slice starts at ``offset * d``)."""
    d = problem.d
    run = simulate(problem, opt, steps=1, replicas=replicas, seed=seed, x0=np.zeros(d), checkpoints=[1],
                   metrics=("gap",))
    return run.state[:, offset * d:(offset + 1) * d]


class HutchinsonDiagonal(Claim):
    paper = PAPER
    id = "hutchinson_diag"
    title = "Hutchinson's z*(Hz) is unbiased for diag(H) with variance sum_{j != i} H_ij^2 (Rademacher z)"
    source = "Yao et al. (2021), Sec. 3 (Hutchinson's method); Hutchinson (1990)"
    provenance = "derived"
    statement = ("For symmetric H and Rademacher z, D = z * (H z) has E D_i = H_ii and Var D_i = sum_{j != i} H_ij^2: "
                 "exactly over all sign vectors, and for the estimate AdaHessian computes (one step in the engine).")
    assumptions = B.hutchinson_rademacher_variance.assumptions
    area = ("second-order", "adaptive")
    bound = B.hutchinson_rademacher_variance
    sizes = {"quick": dict(replicas=20_000), "full": dict(replicas=100_000)}

    def evaluate(self, replicas: int):
        A = np.random.default_rng(5).standard_normal((10, 10))
        small = (A + A.T) / 2
        mean_exact, var_exact = hutchinson_moments_exact(small)
        idx_small = np.arange(10)
        p = Quadratic.logspace(50, 0.1, 1.0).rotated(seed=3)
        H = p.hessian()
        diag, idx = np.diag(H), np.arange(p.d)
        var = self.bound(idx, H=H)
        D = one_step_estimates(adahessian(0.0, block=1), p, replicas, seed=1, offset=2)
        checks = [
            Check.close("exact (2^10 sign vectors): E D = diag H", mean_exact, np.diag(small), rtol=0, atol=1e-12),
            Check.close("exact (2^10 sign vectors): Var D_i = sum_{j != i} H_ij^2", var_exact,
                        self.bound(idx_small, H=small), rtol=1e-12, atol=1e-12),
            Check.equal("AdaHessian's estimate: replica mean of D = diag H", D, diag),
            Check.equal("AdaHessian's estimate: replica mean of (D - H_ii)^2 = sum_{j != i} H_ij^2", (D - diag) ** 2, var),
        ]
        blocks = one_step_estimates(adahessian(0.0, block=2), p, replicas, seed=1, offset=2)
        gauss = one_step_estimates(sophia(0.0, b1=0.0, b2=0.0, k=1, probe="gaussian"), p, replicas, seed=1, offset=1)
        ctrl = [Check.equal("spatial averaging over blocks of 2: replica mean of D = diag H", blocks, diag),
                Check.equal("Gaussian probes: replica mean of (D - H_ii)^2 = sum_{j != i} H_ij^2", (gauss - diag) ** 2,
                            var)]
        sq = (D - diag) ** 2
        panels = [
            Panel("E D_i vs H_ii (d = 50, rotated spectrum in [0.1, 1])", [
                Curve.band(idx, D, f"mean of AdaHessian's D, {replicas} replicas (99.9% CI)"),
                Curve(idx, diag, "diag H", "bound"),
                Curve.band(idx, blocks, "control: block averaging (b = 2)", "control")],
                xlabel="coordinate i", ylabel="D_i", xscale="linear", yscale="linear"),
            Panel("Var D_i vs sum_{j != i} H_ij^2", [
                Curve.band(idx, sq, "mean of (D_i - H_ii)^2, Rademacher (99.9% CI)"),
                Curve(idx, var, "sum_{j != i} H_ij^2", "bound"),
                Curve.band(idx, (gauss - diag) ** 2, "control: Gaussian probes", "control")],
                xlabel="coordinate i", ylabel="variance", xscale="linear")]
        tight = float(np.max(sq.mean(axis=0) / var))
        notes = f"max exact-enumeration errors: mean {np.max(np.abs(mean_exact - np.diag(small))):.2g}"
        return Evidence(checks, tightness=tight, panels=panels, notes=notes), Evidence(ctrl)


def steps_to_fraction(problem: Quadratic, opt, x0: np.ndarray, fraction: float, steps: int) -> float:
    """First ``t <= steps`` with ``f(x_t) - f_* <= fraction (f(x_0) - f_*)`` (``inf`` if none)."""
    gap = simulate(problem, opt, steps=steps, x0=x0, checkpoints=np.arange(steps + 1), metrics=("gap",)).values("gap")[0]
    return stats.first_index_below(gap, fraction * gap[0])


class NewtonLimitDiagonalQuadratic(Claim):
    paper = PAPER
    id = "newton_limit_diag_quadratic"
    title = "AdaHessian with k = 1, no averaging/momentum, lr = 1 is Newton on diagonal quadratics (one step)"
    source = "Yao et al. (2021), Algorithm 1; reconstructed consequence of the update rule"
    provenance = "reconstructed"
    statement = ("On f = sum_i h_i x_i^2/2 (d = 100, h log-spaced in [1, kappa]) AdaHessian with beta1 = beta2 = 0, "
                 "k = 1, block 1, eps = 0, lr = 1 reaches f_1 <= 16 u^2 f_0 (round-off) in one step for every kappa; "
                 "with the default betas, eps = 1e-4 and lr = 0.15 its steps to f <= 1e-6 f_0 do not depend on kappa "
                 "and are fewer than those of Adam with its best learning rate on a log grid.")
    assumptions = "f = sum_i h_i x_i^2/2, h_i >= 1 (so eps = 1e-4 is negligible); Rademacher probes"
    area = ("second-order", "adaptive")
    sizes = {"quick": dict(kappas=(1e2, 1e6), adam_lrs=9),
             "full": dict(kappas=(1e2, 1e3, 1e4, 1e5, 1e6), adam_lrs=17)}

    def evaluate(self, kappas, adam_lrs: int, d: int = 100, steps: int = 1500):
        kappas = np.asarray(kappas, dtype=float)
        x0 = np.random.default_rng(0).uniform(-1.0, 1.0, d)
        newton_limit = adahessian(1.0, b1=0.0, b2=0.0, eps=0.0)
        square_root = adahessian(1.0, b1=0.0, b2=0.0, eps=0.0, hessian_power=0.5)
        lrs = np.geomspace(1e-3, 1.0, adam_lrs)
        one_step, ctrl_step, t_ada, t_adam = [], [], [], []
        for kappa in kappas:
            p = Quadratic.logspace(d, 1.0, kappa)
            for opt, out in ((newton_limit, one_step), (square_root, ctrl_step)):
                gap = simulate(p, opt, steps=1, x0=x0, checkpoints=[0, 1], metrics=("gap",)).values("gap")[0]
                out.append(gap[1] / gap[0])
            t_ada.append(steps_to_fraction(p, adahessian(0.15), x0, 1e-6, steps))
            t_adam.append([steps_to_fraction(p, adam(lr), x0, 1e-6, steps) for lr in lrs])
        one_step, ctrl_step, t_ada, t_adam = map(np.array, (one_step, ctrl_step, t_ada, t_adam))
        best_adam = t_adam.min(axis=1)
        tol = 16 * _U ** 2
        checks = [
            Check.holds_if("k = 1, betas 0, eps 0, lr 1: f_1/f_0 <= 16 u^2 for every kappa (Newton in one step)",
                           bool(np.all(one_step <= tol)), f"f_1/f_0 = {one_step.tolist()} (16 u^2 = {tol:.2g})"),
            Check.holds_if("default betas, lr = 0.15: steps to 1e-6 f_0 independent of kappa",
                           bool(np.all(t_ada == t_ada[0])), f"steps {t_ada.tolist()}"),
            Check.holds_if("default AdaHessian needs fewer steps than Adam at its best grid learning rate",
                           bool(np.all(t_ada < best_adam)), f"AdaHessian {t_ada.tolist()} vs best Adam {best_adam.tolist()} "
                                                            f"(lr grid {lrs[0]:g}..{lrs[-1]:g}, {lrs.size} values)",
                           float(np.min(1 - t_ada / best_adam))),
        ]
        ctrl = [Check.holds_if("Hessian power 1/2: f_1/f_0 <= 16 u^2 for every kappa", bool(np.all(ctrl_step <= tol)),
                               f"f_1/f_0 = {ctrl_step.tolist()}")]
        panels = [
            Panel("one step with k = 1, betas 0, eps 0, lr 1", [
                Curve(kappas, np.maximum(one_step, 1e-300), "f_1/f_0, AdaHessian (Newton limit)"),
                Curve(kappas, np.full_like(kappas, tol), "16 u^2 (round-off)", "bound"),
                Curve(kappas, ctrl_step, "control: Hessian power 1/2", "control")],
                xlabel="kappa", ylabel="f_1/f_0"),
            Panel("steps to f <= 1e-6 f_0", [
                Curve(kappas, t_ada, "AdaHessian, default betas, lr = 0.15"),
                Curve(kappas, best_adam, "Adam, best learning rate of the grid")],
                xlabel="kappa", ylabel="steps"),
            Panel(f"Adam's learning-rate grid, kappa = {kappas[-1]:.0e}", [
                Curve(lrs, t_adam[-1], "Adam, steps to 1e-6 f_0"),
                Curve(lrs, np.full_like(lrs, t_ada[-1]), "AdaHessian, default (lr = 0.15)", "oracle")],
                xlabel="Adam learning rate", ylabel="steps")]
        notes = f"Adam steps over the lr grid at kappa = {kappas[-1]:g}: {t_adam[-1].tolist()}"
        return Evidence(checks, tightness=float(np.max(one_step) / tol), panels=panels, notes=notes), Evidence(ctrl)


CLAIMS = [HutchinsonDiagonal(), NewtonLimitDiagonalQuadratic()]
