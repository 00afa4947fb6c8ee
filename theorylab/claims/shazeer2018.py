r"""Shazeer & Stern (2018), "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost"
(arXiv:1804.04235): the factored second-moment estimator is exact for rank-one accumulators.

Adafactor keeps, for a ``rows x cols`` parameter, only the row sums ``R_t = V_t 1`` and column sums
``C_t = 1^T V_t`` of the full accumulator ``V_t = beta2_t V_{t-1} + (1 - beta2_t)(G_t^2 + eps1)``
(both recursions are linear in ``G_t^2``, so the sums commute with the averaging), and uses
``Vhat_t = R_t C_t / (1^T R_t)``.

**Exactness (derived).**  If ``V = a b^T`` has rank one (``a, b >= 0``) then ``R = a (1^T b)``,
``C = b^T (1^T a)``, ``1^T R = (1^T a)(1^T b)`` and ``R C / (1^T R) = a b^T = V``.  Rank one holds
whenever every gradient is ``G_t = s_t u v^T`` with fixed ``u, v`` (any scalars ``s_t``):
``G_t^2 = s_t^2 (u^2)(v^2)^T`` and the moving average of multiples of one rank-one matrix is one.
**Otherwise** ``Vhat`` is the rank-one matrix minimising the generalised KL (I-)divergence
``D(V || W) = sum V log(V/W) - V + W`` over ``W = r c^T`` (the paper's motivation): ``D`` is convex in
``(log r, log c)`` and its stationarity conditions ``W 1 = V 1``, ``1^T W = 1^T V`` are exactly the
marginals that ``Vhat`` has (``Vhat 1 = R (1^T C)/(1^T R) = R`` since ``1^T C = 1^T R``, and
``1^T Vhat = C``).  So the checks are identities up to round-off: ``Vhat = V`` for rank-one gradient
sequences, and ``Vhat``'s marginals equal ``V``'s for Gaussian ones (with ``D(V||Vhat)`` below that of
random rank-one perturbations, an illustration of the minimum).  ``V`` is accumulated here in numpy
from the gradients; ``R``, ``C`` are the state of the rule's compiled step
(:func:`theorylab.optim.adafactor.adafactor_step`), driven by the catalogue's gradient sequences.
End to end: on a matrix quadratic whose gradients stay rank one, the factored rule and the unfactored
(vector) rule run by the engine give the same iterates (compared until the iterate has converged to
round-off, after which the gradient is float noise and no longer rank one).

Tolerance ``1e-10`` relative (the catalogue's; round-off is about 1e-15).  Negative control (a
plausible slip): the estimator normalised by the *mean* row sum ``1^T R / rows`` instead of the total.
"""

from __future__ import annotations

import numpy as np

from ..engine import simulate
from ..optim.adafactor import adafactor
from ..optim.conformance import drive_rule
from ..problems import Quadratic
from .base import Check, Claim, Curve, Evidence, Panel

PAPER = "shazeer2018_adafactor"
_TOL = 1e-10
_FLOOR = 1e-18  # deviations are floored here for the log axis


def full_second_moments(grads: np.ndarray, decay_rate: float, eps1: float) -> np.ndarray:
    """``V_t = beta2_t V_{t-1} + (1 - beta2_t)(G_t^2 + eps1)``, ``beta2_t = 1 - t^(-c)``, for each
    gradient ``G_t`` of ``grads (T, rows, cols)``; returns ``(T, rows, cols)``."""
    out = np.empty_like(grads)
    V = np.zeros(grads.shape[1:])
    for t, G in enumerate(grads, start=1):
        beta = 1.0 - t ** (-decay_rate)
        V = beta * V + (1 - beta) * (G * G + eps1)
        out[t - 1] = V
    return out


def i_divergence(V: np.ndarray, W: np.ndarray) -> float:
    """Generalised KL divergence ``sum V log(V/W) - V + W`` (positive ``V``, ``W``)."""
    return float(np.sum(V * np.log(V / W) - V + W))


def factored_run(grads: np.ndarray, normaliser=np.sum) -> tuple[np.ndarray, np.ndarray]:
    """Drive the factored rule's step with ``grads (T, rows, cols)``; return its estimates ``Vhat_t``
    ``(T, rows, cols)`` (``R C / normaliser(R)``) and the full ``V_t`` for the same gradients."""
    T, rows, cols = grads.shape
    opt = adafactor(shape=(rows, cols))
    flat = grads.reshape(T, rows * cols)
    _, _, states = drive_rule(opt, lambda t, x: flat[t], np.ones(rows * cols), T)
    R, C = states[:, :rows], states[:, rows:]
    vhat = np.array([np.outer(r, c) / normaliser(r) for r, c in zip(R, C)])
    return vhat, full_second_moments(grads, opt.hyper[0], opt.hyper[1])


def rank1_quadratic(rows: int, cols: int, seed: int) -> tuple[Quadratic, np.ndarray]:
    """``f(X) = 1/2 sum_ij h_ij (X - X_*)_ij^2`` with ``h = a b^T`` and a start ``X_0 = X_* + sigma tau^T``
    (sign vectors): every gradient is then ``s_t (a o sigma)(b o tau)^T`` (the Adafactor update of a
    rank-one ``G`` with these signs is a multiple of ``sigma tau^T``), so ``V_t`` has rank one."""
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.5, 2.0, rows), rng.uniform(0.5, 2.0, cols)
    x_star = rng.standard_normal(rows * cols)
    sigma, tau = rng.choice([-1.0, 1.0], rows), rng.choice([-1.0, 1.0], cols)
    return Quadratic(np.outer(a, b).ravel(), x_star=x_star), x_star + np.outer(sigma, tau).ravel()


class FactoredEstimatorExactRank1(Claim):
    paper = PAPER
    id = "factored_estimator_exact_rank1"
    title = "Adafactor: R C / 1^T R = V exactly for rank-one V; otherwise it has V's marginals (KL-optimal rank one)"
    source = "Shazeer & Stern (2018), Algorithm 4 (factored second moment), Sec. 3"
    provenance = "derived"
    statement = ("The factored estimate Vhat_t = R_t C_t / (1^T R_t) from the row sums R_t and column sums C_t of "
                 "the accumulated squared gradients equals the full accumulator V_t whenever V_t has rank one (e.g. "
                 "gradients s_t u v^T), and otherwise is the rank-one minimiser of the generalised KL divergence to "
                 "V_t (it has V_t's row and column sums); memory rows + cols instead of rows x cols.")
    assumptions = "V >= 0 entrywise; eps1 = 1e-30 (negligible against G^2)"
    area = ("adaptive", "optimizer")
    bound = None
    sizes = {"quick": dict(steps=100), "full": dict(steps=1000)}

    def evaluate(self, steps: int):
        rows, cols = 64, 32
        rng = np.random.default_rng(0)
        u, v = rng.standard_normal(rows), rng.standard_normal(cols)
        rank1 = rng.standard_normal(steps)[:, None, None] * np.outer(u, v)[None]
        gauss = rng.standard_normal((steps, rows, cols))
        t = np.arange(1, steps + 1)

        vhat, V = factored_run(rank1)
        rel = np.abs(vhat - V) / V
        wrong, _ = factored_run(rank1, normaliser=np.mean)
        rel_wrong = np.abs(wrong - V) / V
        checks = [Check.close("rank-one gradients s_t u v^T: Vhat_t = V_t (every t, entry)", vhat, V, rtol=_TOL),
                  Check.holds_if("memory: the state holds rows + cols numbers",
                                 adafactor(shape=(rows, cols)).state_size(rows * cols) == rows + cols,
                                 f"{rows + cols} numbers instead of {rows * cols}")]
        ctrl = [Check.close("rank-one gradients: R C / mean(R) = V_t", wrong, V, rtol=_TOL)]

        ghat, GV = factored_run(gauss)
        gwrong, _ = factored_run(gauss, normaliser=np.mean)
        marg = np.concatenate([ghat.sum(axis=2), ghat.sum(axis=1)], axis=1)
        marg_V = np.concatenate([GV.sum(axis=2), GV.sum(axis=1)], axis=1)
        marg_wrong = np.concatenate([gwrong.sum(axis=2), gwrong.sum(axis=1)], axis=1)
        gap = float(np.max(np.abs(ghat[-1] - GV[-1]) / GV[-1]))
        checks.append(Check.close("Gaussian gradients: row and column sums of Vhat_t = those of V_t", marg, marg_V,
                                  rtol=_TOL))
        ctrl.append(Check.close("Gaussian gradients: marginals of R C / mean(R) = those of V_t", marg_wrong, marg_V,
                                rtol=_TOL))
        # the minimum of D(V || r c^T), illustrated: random multiplicative rank-one perturbations of Vhat
        d_hat = i_divergence(GV[-1], ghat[-1])
        pert = [i_divergence(GV[-1], ghat[-1] * np.exp(np.add.outer(0.05 * rng.standard_normal(rows),
                                                                    0.05 * rng.standard_normal(cols))))
                for _ in range(200)]
        checks.append(Check.holds_if("Gaussian gradients: D(V_T || Vhat_T) <= D(V_T || W) for 200 perturbed rank-one W",
                                     d_hat <= min(pert), f"D(V||Vhat) = {d_hat:.6g}, min over W {min(pert):.6g}; "
                                     f"Vhat != V (max rel. deviation {gap:.3g}): the estimator is not trivially exact",
                                     1 - d_hat / min(pert)))

        p, x0 = rank1_quadratic(rows, cols, seed=1)
        ck = np.arange(steps + 1)
        xf = simulate(p, adafactor(shape=(rows, cols)), steps=steps, x0=x0, checkpoints=ck, metrics=("gap",),
                      record_iterates=True).x[0]
        xv = simulate(p, adafactor(), steps=steps, x0=x0, checkpoints=ck, metrics=("gap",),
                      record_iterates=True).x[0]
        G = (p.spectrum * (xf[:-1] - p.x_star)).reshape(steps, rows, cols)
        sv = np.linalg.svd(G, compute_uv=False)
        # once X reaches X_* to round-off the gradient is float noise (no longer rank one): compare
        # the iterates while ||G_t|| >= 1e-6 ||G_0||
        live = int(np.argmin(sv[:, 0] >= 1e-6 * sv[0, 0])) if np.any(sv[:, 0] < 1e-6 * sv[0, 0]) else steps
        ratio = sv[:live, 1] / sv[0, 0]
        checks += [
            Check.holds_if("engine, rank-one quadratic: every gradient has rank one (sigma_2 <= 1e-12 sigma_1(G_0))",
                           bool(np.all(ratio <= 1e-12)), f"max sigma_2(G_t)/sigma_1(G_0) = {ratio.max():.2g} over "
                           f"t < {live}").supporting(),
            Check.close(f"engine, rank-one quadratic: factored iterates = unfactored (vector) iterates, t <= {live}",
                        xf[:live + 1], xv[:live + 1], rtol=0.0, atol=_TOL * float(np.max(np.abs(xv))))]
        dev_x = np.max(np.abs(xf - xv), axis=1) / np.max(np.abs(xv))

        panels = [
            Panel("rank-one gradients s_t u v^T (64 x 32)", [
                Curve(t, np.maximum(rel.max(axis=(1, 2)), _FLOOR), "max |Vhat - V| / V"),
                Curve(t, np.full(t.size, _TOL), "tolerance", "bound"),
                Curve(t, rel_wrong.max(axis=(1, 2)), "control: normalised by mean(R)", "control")],
                xlabel="t", ylabel="relative error", xscale="linear"),
            Panel("Gaussian gradients (64 x 32)", [
                Curve(t, np.maximum(np.max(np.abs(marg - marg_V) / marg_V, axis=1), _FLOOR),
                      "marginals of Vhat vs V (max rel.)"),
                Curve(t, np.max(np.abs(ghat - GV) / GV, axis=(1, 2)), "max |Vhat - V| / V (not rank one)", "oracle"),
                Curve(t, np.full(t.size, _TOL), "tolerance", "bound"),
                Curve(t, np.max(np.abs(marg_wrong - marg_V) / marg_V, axis=1), "control: normalised by mean(R)",
                      "control")], xlabel="t", ylabel="relative error", xscale="linear"),
            Panel("engine: rank-one quadratic, factored vs vector rule", [
                Curve(ck[:live + 1], np.maximum(dev_x[:live + 1], _FLOOR), "max |x_factored - x_vector| / max |x|"),
                Curve(ck[:live + 1], np.full(live + 1, _TOL), "tolerance", "bound")], xlabel="t",
                ylabel="relative deviation", xscale="linear")]
        notes = (f"{steps} steps; Gaussian case: Vhat differs from V by up to {gap:.3g} relative, with the same "
                 f"marginals; deviations floored at {_FLOOR:g} in the figure")
        return Evidence(checks, panels=panels, notes=notes), Evidence(ctrl)


CLAIMS = [FactoredEstimatorExactRank1()]
