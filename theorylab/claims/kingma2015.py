r"""Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", ICLR (arXiv:1412.6980): the
effective-step bounds of Sec. 2.1 / 7.1, the regret bound of Theorem 4.1 and the initialisation bias
correction of Sec. 3.

**Step bounds (Sec. 2.1, 7.1): false as stated.**  With ``eps = 0``, ``m_t = (1 - b1) sum_{s<=t}
b1^{t-s} g_s`` and ``v_t = (1 - b2) sum_s b2^{t-s} g_s^2``; Cauchy-Schwarz with the weights
``(b1/sqrt(b2))^{t-s} * sqrt(b2)^{t-s}`` gives (derived here)

.. math::
    \frac{|\Delta_t|}{\alpha} = \frac{|\hat m_t|}{\sqrt{\hat v_t}} \le \frac{1 - b_1}{1 - b_1^t}
    \sqrt{\frac{1 - b_2^t}{1 - b_2}} \sqrt{\frac{1 - (b_1^2/b_2)^t}{1 - b_1^2/b_2}},

with equality iff ``|g_s|`` is proportional to ``(b1/b2)^{t-s}`` (same sign): geometrically growing
gradients attain it at *every* ``t``.  At the defaults it tends to ``7.27``, above the paper's
``(1 - b1)/sqrt(1 - b2) = 3.16`` (already ``3.70`` at ``t = 300``).  For AdaMax ``u_t >= b2^{t-s}
|g_s|`` gives ``|Delta_t|/alpha <= (1 - b1)(1 - (b1/b2)^t)/((1 - b1^t)(1 - b1/b2))``, attained by
``g_s = b2^s`` and tending to ``1.009`` (``b2 = 0.999``) or ``1.1`` (``b2 = 0.99``), above the stated
``alpha``.  Expected verdict ``violated``; supporting checks: the rules' steps *equal* the derived
suprema on the extremal sequences and never exceed them on random ones.  Control: the derived
bound applied to Adam with its bias correction dropped (it exceeds it at ``t = 300``).

**Theorem 4.1 (regret): false.**  Reddi, Kale & Kumar's (2018) Theorem 1 sequence (``f_t(x) = 3x``
for ``t = 1 mod 3``, ``-x`` otherwise, on ``[-1, 1]``) meets every hypothesis: ``b1 = 0`` (so
``b1^2/sqrt(b2) = 0 < 1`` and every ``lam`` works), ``b2 = 1/(1 + C^2)``, ``alpha_t = alpha/sqrt(t)``,
``G_inf = C``, ``D = D_inf = 2``.  Adam (this package's bias-corrected rule, ``eps = 0``) keeps
``x_t = 1`` in the ``C`` rounds, so its regret is at least ``2(C - 2) T/3``, while the right-hand side
(evaluated with ``lam = 0``, its infimum over ``lam``, on the realised ``vhat_T`` and gradients)
grows like ``sqrt(T)``.  Supporting: the regret apparatus reproduces Zinkevich's (2003) bound for
online gradient descent on the same sequence; control: that bound with its ``sqrt(T)`` dropped.

**Bias correction (Sec. 3): holds.**  For i.i.d. gradients ``E[v_t] = (1 - b2^t) E[g^2]`` and
``E[m_t] = (1 - b1^t) E[g]``.  The engine runs Adam with ``lr = 0`` (the iterate stays at
``x_0``, so ``g ~ N(-1, 2^2)``, ``E g^2 = 5``) and the final states give ``m_t, v_t``;
``vhat_t``, ``mhat_t`` must be unbiased at every ``t``.  Control: the correction off by one
(``1 - b2^{t+1}``).
"""

from __future__ import annotations

import numpy as np

from .. import noise, optim
from ..bounds import kingma2015 as B
from ..engine import log_checkpoints, simulate
from ..optim.adamax import adamax
from ..optim.amsgrad import adam_uncorrected
from ..optim.base import Optimizer
from ..problems import Quadratic
from .base import Check, Claim, Curve, Evidence, Panel
from .reddi2018 import counterexample_step, cyclic_gradients, play_linear

PAPER = "kingma2015_adam"
_AREA = ("adaptive", "optimizer", "rates")
_FLOOR = 1e-150  # smallest gradient of the extremal sequences (their squares stay normal numbers)


def step_ratios(opt: Optimizer, grads: np.ndarray) -> np.ndarray:
    """``|Delta_t|/lr``, ``t = 1..T``, of the rule ``opt`` (constant ``lr``) on the ``(T, R)`` gradient
    sequences (one column each): differences of its unprojected iterates ``x_1..x_{T+1}``."""
    T, R = grads.shape
    padded = np.ascontiguousarray(np.vstack([grads, grads[-1:]]), dtype=np.float64)  # round T+1 only plays
    play = play_linear(opt, lambda t: padded[t - 1].reshape(R, 1), np.zeros((R, 1)), T + 1, radius=np.inf)
    return np.abs(np.diff(play.x[:, :, 0], axis=1)).T / opt.schedule_array(1)[0, 0]


def growing_gradients(b1: float, b2: float, steps: int) -> np.ndarray:
    """``g_s = (b1/b2)^{T-s}`` (floored at 1e-150): extremal for Adam's step at every ``t``."""
    s = np.arange(1, steps + 1)
    return np.maximum((b1 / b2) ** (steps - s), _FLOOR)[:, None]


class StepBound(Claim):
    paper = PAPER
    id = "sec2.1-step-bound"
    title = "Adam's step |Delta_t| <= alpha max((1-b1)/sqrt(1-b2), 1); AdaMax's |Delta_t| <= alpha"
    source = "Kingma & Ba (2015), Sec. 2.1 and Sec. 7.1"
    provenance = "read"
    statement = ("As stated: the effective step of Adam obeys |Delta_t| <= alpha (1-b1)/sqrt(1-b2) when (1-b1) > "
                 "sqrt(1-b2), else <= alpha; AdaMax's obeys |Delta_t| <= alpha.  False: the sharp suprema (derived, "
                 "module docstring) are 7.27 alpha (Adam, defaults) and 1.009 alpha (AdaMax), attained by "
                 "geometric gradient sequences.")
    assumptions = "eps = 0; b1 = 0.9, b2 = 0.999 (AdaMax also b2 = 0.99); one coordinate"
    area = _AREA
    bound = B.adam_step_stated
    expected = "violated"
    sizes = {"quick": dict(long=4_000, random=300, sequences=500), "full": dict(long=20_000, random=1_000,
                                                                                   sequences=2_000)}

    def evaluate(self, long: int, random: int, sequences: int):
        b1, b2 = 0.9, 0.999
        adam = optim.adam(1.0, b1, b2, eps=0.0)
        stated = float(self.bound(1.0, b1=b1, b2=b2))
        short = 300
        r_short = step_ratios(adam, growing_gradients(b1, b2, short))[:, 0]
        t_short = np.arange(1, short + 1)
        sup_short = B.adam_step_sup(t_short, b1=b1, b2=b2)
        r_long = step_ratios(adam, growing_gradients(b1, b2, long))[:, 0]
        t_long = np.arange(1, long + 1)
        sup_long = B.adam_step_sup(t_long, b1=b1, b2=b2)
        exact_tail = t_long > long - 2000  # (b1/b2)^(T-s) is not floored there
        rng = np.random.default_rng(0)
        gauss = rng.standard_normal((random, sequences))
        sparse = gauss * (rng.random((random, sequences)) < 0.1)
        sparse[0] = 1.0  # a first gradient of zero would give 0/0 with eps = 0
        t_rand = np.arange(1, random + 1)
        r_rand = np.concatenate([step_ratios(adam, gauss), step_ratios(adam, sparse)], axis=1)
        worst_rand = float(np.max(r_rand / B.adam_step_sup(t_rand, b1=b1, b2=b2)[:, None]))
        checks = [
            Check.holds_if(f"Adam: |Delta_t|/alpha <= {stated:.4g} (stated) on g_s = (b1/b2)^(T-s)",
                           bool(np.all(r_long <= stated)), f"max ratio {r_long.max():.6g} at t = {np.argmax(r_long) + 1}",
                           1 - r_long.max() / stated),
            Check.close("Adam: ratio = derived supremum at every t <= 300 (extremal sequence)", r_short, sup_short,
                        rtol=1e-9).supporting(),
            Check.close(f"Adam: ratio = derived supremum over the last 2000 of {long} rounds", r_long[exact_tail],
                        sup_long[exact_tail], rtol=1e-9).supporting(),
            Check.holds_if(f"Adam: {2 * sequences} random sequences (Gaussian, 90% sparse) never exceed the supremum",
                           worst_rand <= 1 + 1e-12, f"max ratio/supremum {worst_rand:.6g}", 1 - worst_rand).supporting()]
        curves = [Curve(t_short, r_short, f"Adam |Delta_t|/alpha, g_s = (b1/b2)^({short}-s)"),
                  Curve(t_long[exact_tail], r_long[exact_tail], f"the same, g_s = (b1/b2)^({long}-s)"),
                  Curve(t_long, sup_long, "derived supremum", "oracle"),
                  Curve(t_long, np.full(long, stated), "stated (1-b1)/sqrt(1-b2)", "bound")]
        panels = [Panel("Adam, b1 = 0.9, b2 = 0.999", curves, xlabel="t", ylabel="|Delta_t| / alpha",
                        yscale="linear")]
        for b2m, steps in ((0.999, 3000), (0.99, 3000)):
            g = (b2m ** np.arange(1, steps + 1))[:, None]
            r = step_ratios(adamax(1.0, b1, b2m, eps=0.0), g)[:, 0]
            t = np.arange(1, steps + 1)
            sup = B.adamax_step_sup(t, b1=b1, b2=b2m)
            checks += [Check.holds_if(f"AdaMax (b2 = {b2m:g}): |Delta_t|/alpha <= 1 (stated) on g_s = b2^s",
                                      bool(np.all(r <= 1.0)), f"max ratio {r.max():.6g}", 1 - r.max()),
                       Check.close(f"AdaMax (b2 = {b2m:g}): ratio = derived supremum at every t", r, sup,
                                   rtol=1e-9).supporting()]
            if b2m == 0.999:
                panels.append(Panel("AdaMax, b1 = 0.9, b2 = 0.999", [
                    Curve(t, r, "AdaMax |Delta_t|/alpha, g_s = b2^s"), Curve(t, sup, "derived supremum", "oracle"),
                    Curve(t, np.ones(steps), "stated: 1", "bound")], xlabel="t", ylabel="|Delta_t| / alpha",
                    yscale="linear"))
        r_bug = step_ratios(adam_uncorrected(1.0, b1, b2, eps=0.0), growing_gradients(b1, b2, short))[:, 0]
        ctrl = [Check.holds_if("control: Adam without bias correction, ratio <= derived supremum (t <= 300)",
                               bool(np.all(r_bug <= sup_short * (1 + 1e-12))),
                               f"max ratio/supremum {np.max(r_bug / sup_short):.4g}")]
        notes = (f"Adam ratio at t = {long}: {r_long[-1]:.7f} (limit {B.adam_step_sup(1e9, b1=b1, b2=b2):.7f}); "
                 f"at t = 300: {r_short[-1]:.6f}; stated {stated:.4f}")
        return Evidence(checks, tightness=float(r_long.max() / stated), panels=panels, notes=notes), Evidence(ctrl)


class RegretThm41(Claim):
    paper = PAPER
    id = "thm4.1-regret"
    title = "Adam's regret <= Thm 4.1's O(sqrt T) bound"
    source = "Kingma & Ba (2015), Theorem 4.1 / Corollary 4.2"
    provenance = "recalled"
    statement = ("As stated: with alpha_t = alpha/sqrt(t), b1_t = b1 lam^(t-1), b1^2/sqrt(b2) < 1, bounded gradients "
                 "and iterates, Adam's regret obeys R(T) <= D^2/(2 alpha (1-b1)) sum_i sqrt(T vhat_{T,i}) + alpha (1+b1) "
                 "G_inf/((1-b1) sqrt(1-b2) (1-gamma)^2) sum_i ||g_{1:T,i}||_2 + sum_i D_inf^2 G_inf sqrt(1-b2)/(2 alpha "
                 "(1-b1) (1-lam)^2), gamma = b1^2/sqrt(b2).  False: on Reddi et al.'s (2018) sequence, which meets "
                 "every hypothesis, Adam's regret grows linearly.")
    assumptions = B.adam_regret_thm41.assumptions
    area = _AREA
    bound = B.adam_regret_thm41
    expected = "violated"
    sizes = {"quick": dict(steps=6_000), "full": dict(steps=100_000)}

    def evaluate(self, steps: int):
        C = 3.0
        b2, alpha = counterexample_step(C)
        D = D_inf = 2.0
        ck = log_checkpoints(steps, 60)[1:]
        ck = np.unique(np.concatenate([ck, np.arange(1, min(steps, 3000) + 1)]))  # every early round
        adam = play_linear(optim.adam(optim.inverse_sqrt(alpha), 0.0, b2, eps=0.0), cyclic_gradients(C),
                           np.ones((1, 1)), steps, ck)
        regret = adam.regret[0]
        vhat = adam.state[0, :, 1] / (1 - b2 ** ck[:, None])
        rhs = self.bound(ck, vhat=vhat, grad_sq_sums=adam.grad_sq_sum[0], D=D, D_inf=D_inf, G_inf=C, alpha=alpha,
                         b1=0.0, b2=b2, lam=0.0)
        ratio = regret / rhs
        x = adam.x[0, :, 0]
        c_rounds = (ck % 3 == 1) & (ck <= 3000)
        full = ck % 3 == 0
        checks = [
            Check.holds_if("Adam: R(T) <= Thm 4.1 RHS at every checkpoint", bool(np.all(ratio <= 1 + 1e-12)),
                           f"max R/RHS = {ratio.max():.4g} at T = {ck[np.argmax(ratio)]}", float(1 - ratio.max())),
            Check.holds_if("hypotheses: b1^2/sqrt(b2) = 0 < 1, |g| <= G_inf = C, |x_t| <= 1 (D = D_inf = 2)",
                           bool(np.max(np.abs(adam.x)) <= 1.0), f"b2 = {b2:.4g}, alpha = {alpha:.4g}").supporting(),
            Check.holds_if("Adam plays x_t = 1 in every C-round (t <= 3000)", bool(np.all(x[c_rounds] == 1.0)),
                           f"min {x[c_rounds].min():.6g}").supporting(),
            Check.holds_if("Adam: R_3K >= 2(C-2) K", bool(np.all(regret[full] >= 2 * (C - 2) * ck[full] / 3 * (1 - 1e-12))),
                           f"min R/(2(C-2)T/3) = {np.min(regret[full] / (2 * (C - 2) * ck[full] / 3)):.6g}").supporting()]
        ogd = play_linear(optim.sgd(optim.inverse_sqrt(alpha)), cyclic_gradients(C), np.ones((1, 1)), steps, ck)
        ogd_bound = B.ogd_regret(ck, D=D, G=C, alpha=alpha)
        checks.append(Check.holds_if("apparatus: online gradient descent obeys Zinkevich's bound on the sequence",
                                     bool(np.all(ogd.regret[0] <= ogd_bound)),
                                     f"max R/bound = {np.max(ogd.regret[0] / ogd_bound):.4g}").supporting())
        dropped = ogd_bound / np.sqrt(ck)  # sqrt(T) dropped: D^2/(2 alpha) + alpha G^2 (1 - 1/(2 sqrt T))
        ctrl = [Check.holds_if("control: OGD regret <= Zinkevich's bound with sqrt(T) dropped",
                               bool(np.all(ogd.regret[0] <= dropped)),
                               f"max R/bound = {np.max(ogd.regret[0] / dropped):.4g}")]
        shown = np.isin(ck, log_checkpoints(steps, 60)) & (ck >= 3)
        panels = [Panel("Reddi et al.'s sequence (C = 3), Adam b1 = 0, b2 = 0.1", [
            Curve(ck[shown], regret[shown], "Adam regret R(T)"), Curve(ck[shown], rhs[shown], "Thm 4.1 RHS", "bound"),
            Curve(ck[shown], ogd.regret[0, shown], "OGD regret", "oracle"),
            Curve(ck[shown], ogd_bound[shown], "Zinkevich bound (OGD)", "bound")], xlabel="T", ylabel="regret")]
        notes = f"R(T)/RHS = {ratio[-1]:.3g} at T = {steps}; crosses 1 at T = {ck[np.argmax(ratio > 1)]}"
        return Evidence(checks, tightness=float(ratio.max()), panels=panels, notes=notes), Evidence(ctrl)


class BiasCorrection(Claim):
    paper = PAPER
    id = "bias-correction"
    title = "E[v_t] = (1 - b2^t) E[g^2]: corrected moments unbiased"
    source = "Kingma & Ba (2015), Sec. 3"
    provenance = "read"
    statement = ("For i.i.d. gradients, E[v_t] = (1 - b2^t) E[g^2] and E[m_t] = (1 - b1^t) E[g], so vhat_t = "
                 "v_t/(1 - b2^t) and mhat_t = m_t/(1 - b1^t) are unbiased at every t.")
    assumptions = B.adam_second_moment_bias.assumptions
    area = ("adaptive", "optimizer")
    bound = B.adam_second_moment_bias
    sizes = {"quick": dict(replicas=1_000, d=8), "full": dict(replicas=6_000, d=8)}

    def evaluate(self, replicas: int, d: int):
        b1, b2, mean, sd = 0.9, 0.999, -1.0, 2.0
        p = Quadratic(np.ones(d))
        Eg2 = mean ** 2 + sd ** 2
        ts = np.array([1, 2, 3, 5, 10, 30, 100, 300, 1000])
        m, v = np.empty((replicas, ts.size)), np.empty((replicas, ts.size))
        for k, t in enumerate(ts):
            run = simulate(p, optim.adam(0.0, b1, b2), noise.additive(sd), steps=int(t), replicas=replicas,
                           seed=100 + k, x0=np.full(d, mean), checkpoints=[0], metrics=("gap",))
            m[:, k], v[:, k] = run.state[:, :d].mean(axis=1), run.state[:, d:].mean(axis=1)
        vhat, mhat = v / (1 - b2 ** ts), m / (1 - b1 ** ts)
        checks = [Check.equal("E[v_t] = (1 - b2^t) E[g^2]", v, self.bound(ts, b2=b2, Eg2=Eg2)),
                  Check.equal("E[vhat_t] = E[g^2]", vhat, Eg2),
                  Check.equal("E[mhat_t] = E[g]", mhat, mean)]
        ctrl = [Check.equal("control: E[v_t/(1 - b2^(t+1))] = E[g^2] (exponent off by one)",
                            v / (1 - b2 ** (ts + 1)), Eg2)]
        panels = [Panel("Adam moments, g ~ N(-1, 4), b1 = 0.9, b2 = 0.999", [
            Curve.band(ts, vhat, f"vhat_t, {replicas} runs (99.9% CI)"),
            Curve.band(ts, v, "v_t (uncorrected)", "control"),
            Curve(ts, np.full(ts.size, Eg2), "E[g^2] = 5", "bound")], xlabel="t", ylabel="second moment",
            yscale="log")]
        return Evidence(checks, panels=panels), Evidence(ctrl)


CLAIMS = [StepBound(), RegretThm41(), BiasCorrection()]
