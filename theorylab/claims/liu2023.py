r"""Liu, Li, Hall, Liang & Ma (2024), "Sophia: A Scalable Stochastic Second-order Optimizer for Language
Model Pre-training" (ICLR 2024; arXiv:2305.14342): the run time free of the condition number, and the
clipped step under negative curvature.  The rule is :func:`theorylab.optim.sophia.sophia`.

**Condition-number-free run time** (the abstract's "run-time bound that does not depend on the condition
number"; the paper's theorem concerns a simplified setting that was not transcribed, so the statement
below is derived for separable quadratics).  On ``f = sum_i h_i theta_i^2/2`` with the exact Hessian
diagonal (Rademacher probes: ``u ⊙ (H u) = h`` exactly when ``H`` is diagonal), ``beta1 = beta2 = 0``
and ``k = 1``, Sophia's update is ``theta_i <- theta_i - eta clip(h_i theta_i/(gamma h_i), 1)
= theta_i - eta clip(theta_i/gamma, 1)``: every coordinate follows the same scalar map, independent of
``h_i``.  With ``0 < eta < gamma``: while ``|theta_i| > gamma`` it moves by ``eta`` towards 0 (no sign
change), so ``|theta_i| <= gamma`` after ``P_i = ceil((|theta0_i| - gamma)_+/eta)`` steps; then
``theta_i <- (1 - eta/gamma) theta_i``.  After ``P_i + s`` steps ``f_i <= h_i gamma^2 r^{2s}/2``,
``r = 1 - eta/gamma``, and ``f <= eps`` once every ``f_i <= eps/d``:

.. math:: T(\epsilon) \le \max_i \Big[ P_i + \Big\lceil \frac{\log(d h_i \gamma^2/(2\epsilon))}{2\log(1/r)} \Big\rceil_+ \Big],

logarithmic in ``h_max`` and free of ``kappa``.  (The catalogue's bound, ``max_i P_i + max_i
ceil(log(d h_i gamma^2/(2 eps))/log(1/r))``, is also valid but drops the factor 2 of ``f ~ r^{2s}``.)
Gradient descent with the optimal constant step ``2/(h_min + h_max)`` contracts the ``h_min`` coordinate
by exactly ``(kappa - 1)/(kappa + 1)`` per step, so it needs at least
``log(f_min0/eps)/(2 log((kappa + 1)/(kappa - 1))) ~ kappa/4 log(f_min0/eps)`` steps; its exact count
comes from the closed form :func:`theorylab.exact.quadratic_gd_trajectory` by bisection (iterating
would take ``~8e7`` steps at ``kappa = 1e7``).  Problem (catalogue): ``d = 100``, ``h`` log-spaced in
``[1, kappa]``, ``theta0 ~ U[-1, 1]`` (seed 0), ``gamma = 0.05``, ``eta = 0.025``, ``eps = 1e-8``.
Sophia runs in the engine and is compared, as a supporting check, with the scalar map (exact oracle).
Negative control: the same bound check for Sophia preconditioned by ``sqrt(h)`` (an Adam-like square
root), whose linear phase contracts by ``1 - eta sqrt(h_i)/gamma``: unstable once ``sqrt(h_i) > 2 gamma/eta``.

**Clipping under negative curvature** (reconstructed from the update rule).  Where ``h_i <= 0``,
``max(gamma h_i, eps) = eps`` and the clipped update is ``eta sign(m_i)``: ``|Delta theta_i| <= eta`` at
every step, and Sophia moves *down* the gradient away from a maximum or saddle, where Newton's step
``-g/h`` jumps towards it.  Problem (catalogue): ``f = -theta_1^2/2 + theta_1^4/4 + (theta_2^2 + 10
theta_3^2)/2`` from ``(1e-3, 0.5, 0.5)`` (the first coordinate has a maximum at 0 and minima at
``+-1``), ``gamma = 0.05``, ``eta = 0.025``, exact diagonal Hessian as above.  Newton's map on the first
coordinate is ``t -> 2 t^3/(3 t^2 - 1)``: ``1e-3 -> -2e-9 -> ... -> 0``, the maximum.  The quartic is not
an engine problem; Sophia and Newton run through their numpy references on
:class:`theorylab.claims.dauphin2014.SeparableQuartic`.  Negative control: the same step bound for Sophia
with the clip left out (``theta -= eta m/max(gamma h, eps)``), whose first step is ``~2.5e7``.
"""

from __future__ import annotations

import numpy as np

from .. import stats
from ..bounds import liu2023 as B
from ..engine import simulate
from ..exact import quadratic_gd_trajectory
from ..optim.conformance import reference_trajectory
from ..optim.newton import newton
from ..optim.sophia import sophia
from ..problems import Quadratic
from .base import Check, Claim, Curve, Evidence, Panel
from .dauphin2014 import SeparableQuartic

PAPER = "liu2023_sophia"
_GAMMA, _ETA = 0.05, 0.025


def deterministic_sophia(gamma: float = _GAMMA, eta: float = _ETA):
    """Sophia with the exact Hessian diagonal on separable problems: ``beta1 = beta2 = 0``, ``k = 1``,
    Rademacher probes."""
    return sophia(eta, b1=0.0, b2=0.0, gamma=gamma, k=1, probe="rademacher")


def clipped_map(theta0: np.ndarray, gamma: float, eta: float, steps: int, precondition=None) -> np.ndarray:
    """``(steps + 1, d)`` iterates of ``theta <- theta - eta clip(c theta/gamma, 1)``, with ``c = 1`` (Sophia on
    a separable quadratic) or ``c = precondition`` (per coordinate)."""
    c = 1.0 if precondition is None else np.asarray(precondition, dtype=float)
    out = [np.asarray(theta0, dtype=float)]
    for _ in range(steps):
        out.append(out[-1] - eta * np.clip(c * out[-1] / gamma, -1.0, 1.0))
    return np.array(out)


def gd_steps_to(h: np.ndarray, theta0: np.ndarray, eps: float) -> int:
    """Exact number of gradient-descent steps with step ``2/(h_min + h_max)`` until ``f <= eps`` (closed
    form, bisection on the monotone ``f_k``)."""
    lr = 2.0 / (h.min() + h.max())

    def gap(k):
        return quadratic_gd_trajectory(h, theta0, lr, [k])[0][0]

    lo, hi = 0, 1
    while gap(hi) > eps:
        lo, hi = hi, 2 * hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if gap(mid) > eps else (lo, mid)
    return hi


def _loglog_slope(x, y) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


class ConditionNumberFreeRuntime(Claim):
    paper = PAPER
    id = "condition_number_free_runtime"
    title = "Deterministic Sophia reaches f <= eps in O(log kappa) steps on separable quadratics; GD needs Theta(kappa)"
    source = "Liu et al. (2024), abstract and Sec. 4 (run-time bound free of the condition number); bound derived"
    provenance = "derived"
    statement = ("On f = sum_i h_i theta_i^2/2 (d = 100, h log-spaced in [1, kappa]), Sophia with the exact Hessian "
                 "diagonal, beta1 = beta2 = 0, gamma = 0.05, eta = 0.025 reaches f <= 1e-8 within max_i [ceil((|theta0_i| "
                 "- gamma)_+/eta) + ceil(log(d h_i gamma^2/(2 eps))/(2 log(1/(1 - eta/gamma))))_+] steps for every "
                 "kappa (the step count grows like log kappa), while gradient descent with step 2/(h_min + h_max) "
                 "needs at least log(f_min0/eps)/(2 log((kappa + 1)/(kappa - 1))) ~ kappa/4 log(f_min0/eps) steps.")
    assumptions = B.sophia_separable_quadratic_steps.assumptions
    area = ("second-order", "adaptive", "rates")
    bound = B.sophia_separable_quadratic_steps
    sizes = {"quick": dict(kappas=(1e1, 1e3, 1e5, 1e7)),
             "full": dict(kappas=(1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7))}

    def evaluate(self, kappas, d: int = 100, eps: float = 1e-8, steps: int = 150):
        kappas = np.asarray(kappas, dtype=float)
        theta0 = np.random.default_rng(0).uniform(-1.0, 1.0, d)
        oracle_path = clipped_map(theta0, _GAMMA, _ETA, steps)
        t_sophia, bounds, t_gd, gd_lower, t_ctrl, oracle_err, gaps = [], [], [], [], [], [], []
        for kappa in kappas:
            p = Quadratic.logspace(d, 1.0, kappa)
            h = p.spectrum
            run = simulate(p, deterministic_sophia(), steps=steps, x0=theta0, checkpoints=np.arange(steps + 1),
                           metrics=("gap",))
            gap = run.values("gap")[0]
            oracle = 0.5 * (oracle_path ** 2) @ h
            live = oracle > 1e-250
            oracle_err.append(float(np.max(np.abs(gap[live] - oracle[live]) / oracle[live])))
            gaps.append(gap)
            t_sophia.append(stats.first_index_below(gap, eps))
            bounds.append(float(self.bound(eps, theta0=theta0, h=h, gamma=_GAMMA, eta=_ETA)))
            t_gd.append(gd_steps_to(h, theta0, eps))
            gd_lower.append(float(B.gd_separable_quadratic_steps_lower(kappa, f_min0=0.5 * h[0] * theta0[0] ** 2,
                                                                        eps=eps)))
            ctrl_path = clipped_map(theta0, _GAMMA, _ETA, steps, precondition=np.sqrt(h))
            t_ctrl.append(stats.first_index_below(0.5 * (ctrl_path ** 2) @ h, eps))
        t_sophia, bounds, t_gd, gd_lower, t_ctrl = map(np.array, (t_sophia, bounds, t_gd, gd_lower, t_ctrl))
        slope_sophia, slope_gd = _loglog_slope(kappas, t_sophia), _loglog_slope(kappas, t_gd)
        checks = [
            Check.holds_if("engine's Sophia = the scalar map theta -> theta - eta clip(theta/gamma, 1) (rel. 1e-9)",
                           max(oracle_err) <= 1e-9, f"max relative deviation of f_t {max(oracle_err):.2g}").supporting(),
            Check.holds_if("Sophia: steps to f <= eps <= the derived bound, every kappa", bool(np.all(t_sophia <= bounds)),
                           f"steps {t_sophia.tolist()} vs bounds {bounds.tolist()}", float(np.min(1 - t_sophia / bounds))),
            Check.holds_if("Sophia's step count is condition-number free: log-log slope in kappa < 0.1",
                           slope_sophia < 0.1, f"slope {slope_sophia:.3f} (GD: {slope_gd:.3f})", 1 - slope_sophia / 0.1),
            Check.holds_if("GD steps >= log(f_min0/eps)/(2 log((kappa + 1)/(kappa - 1))) (~ kappa/4)",
                           bool(np.all(t_gd >= gd_lower)), f"GD steps {t_gd.tolist()} vs lower bounds "
                                                           f"{np.ceil(gd_lower).astype(int).tolist()}"),
            Check.holds_if("GD's step count grows like kappa: log-log slope >= 0.9", slope_gd >= 0.9,
                           f"slope {slope_gd:.3f}"),
        ]
        ctrl = [Check.holds_if("sqrt(h)-preconditioned (Adam-like) Sophia: steps <= the derived bound, every kappa",
                               bool(np.all(t_ctrl <= bounds)), f"steps {t_ctrl.tolist()} vs bounds {bounds.tolist()}")]
        t = np.arange(steps + 1)
        panels = [
            Panel("steps to f <= 1e-8 vs condition number", [
                Curve(kappas, t_sophia, "Sophia (exact diagonal Hessian)"),
                Curve(kappas, bounds, "derived Sophia bound", "bound"),
                Curve(kappas, t_gd, "GD, step 2/(h_min + h_max) (exact count)"),
                Curve(kappas, gd_lower, "GD lower bound ~ kappa/4 log(f0/eps)", "oracle"),
                Curve(kappas, t_ctrl, "control: sqrt(h) preconditioner", "control")],
                xlabel="kappa", ylabel="steps"),
            Panel("Sophia: f(theta_t) for each kappa", [
                *[Curve(t, g, f"kappa = {k:.0e}") for k, g in zip(kappas, gaps)],
                Curve(t, 0.5 * (oracle_path ** 2) @ Quadratic.logspace(d, 1.0, kappas[-1]).spectrum,
                      f"scalar-map oracle, kappa = {kappas[-1]:.0e}", "oracle")],
                xlabel="t", ylabel="f(theta_t)", xscale="linear")]
        notes = (f"Sophia steps {t_sophia.tolist()}, derived bounds {bounds.tolist()}; GD steps {t_gd.tolist()} for "
                 f"kappa = {kappas.tolist()}")
        return (Evidence(checks, tightness=float(np.max(t_sophia / bounds)), panels=panels, notes=notes),
                Evidence(ctrl))


class ClipHandlesNegativeCurvature(Claim):
    paper = PAPER
    id = "clip_handles_negative_curvature"
    title = "Sophia's clipped step is <= eta everywhere and escapes a maximum that attracts Newton"
    source = "Liu et al. (2024), Sec. 2 (clipping for non-convexity); reconstructed from the update rule"
    provenance = "reconstructed"
    statement = ("On f = -theta_1^2/2 + theta_1^4/4 + (theta_2^2 + 10 theta_3^2)/2 from (1e-3, 0.5, 0.5), Sophia "
                 "(exact diagonal Hessian, gamma = 0.05, eta = 0.025) moves every coordinate by at most eta per step "
                 "(by exactly eta, away from the maximum, where h_1 < 0) and converges to the minimum (1, 0, 0); "
                 "Newton's method (unit step) converges to the maximum theta_1 = 0.")
    assumptions = B.sophia_clipped_step.assumptions + "; exact Hessian diagonal (separable f, Rademacher probes)"
    area = ("second-order", "stability")
    bound = B.sophia_clipped_step
    sizes = {"quick": dict(steps=200), "full": dict(steps=400)}

    def evaluate(self, steps: int):
        p = SeparableQuartic([-1.0, 1.0, 10.0], [1.0, 0.0, 0.0])
        x0 = np.array([1e-3, 0.5, 0.5])
        limit = float(self.bound(_ETA))
        path = reference_trajectory(deterministic_sophia(), p, x0, steps)
        moves = np.abs(np.diff(path, axis=0))
        negative = p.c[0] + 3 * p.q[0] * path[:-1, 0] ** 2 < 0  # h_1 = f''(theta_1) before each step
        away = np.diff(path[:, 0])[negative]
        target = np.abs(p.x_star)
        end_err = float(np.max(np.abs(np.abs(path[-1]) - target)))
        nt = reference_trajectory(newton(1.0), p, x0, 50)
        checks = [
            Check.holds_if("|Delta theta_i| <= eta at every step and coordinate", float(moves.max()) <= limit * (1 + 1e-12),
                           f"max |Delta theta| = {moves.max():.6g}, eta = {limit:g} (rtol 1e-12)",
                           1 + 1e-12 - float(moves.max()) / limit),
            Check.holds_if("where h_1 < 0, theta_1 moves by exactly +eta (down the gradient, away from the maximum)",
                           bool(away.size > 0 and np.allclose(away, limit, rtol=1e-12)),
                           f"{away.size} steps with h_1 < 0, Delta theta_1 in [{away.min():.6g}, {away.max():.6g}]"),
            Check.holds_if(f"Sophia reaches the minimum (+-1, 0, 0) within {steps} steps (1e-9)", end_err <= 1e-9,
                           f"max |error| {end_err:.3g}"),
            Check.holds_if("Newton converges to the maximum theta_1 = 0 (|theta_1| <= 1e-3 throughout, 0 after 50 steps)",
                           float(np.max(np.abs(nt[:, 0]))) <= 1e-3 and abs(nt[-1, 0]) <= 1e-12,
                           f"Newton theta_1: {nt[0, 0]:.3g} -> {nt[1, 0]:.3g} -> ... -> {nt[-1, 0]:.3g}"),
        ]
        # control: Sophia with the clip left out, theta -= eta m / max(gamma h, eps), exact diagonal, m = g
        no_clip = [x0]
        for _ in range(steps):
            x = no_clip[-1]
            no_clip.append(x - _ETA * p.grad(x) / np.maximum(_GAMMA * np.diag(p.hessian(x)), 1e-12))
        no_clip = np.array(no_clip)
        ctrl_moves = np.abs(np.diff(no_clip, axis=0))
        ctrl = [Check.holds_if("unclipped Sophia: |Delta theta_i| <= eta at every step", float(ctrl_moves.max()) <= limit,
                               f"max |Delta theta| = {ctrl_moves.max():.3g}")]
        t = np.arange(steps + 1)
        panels = [
            Panel("theta_1 (maximum at 0, minima at +-1)", [
                Curve(t, path[:, 0], "Sophia (clipped)"),
                Curve(np.arange(nt.shape[0]), nt[:, 0], "Newton (-> maximum)"),
                Curve(t, np.ones_like(t, dtype=float), "minimum theta_1 = 1", "oracle")],
                xlabel="t", ylabel="theta_1", xscale="linear", yscale="linear"),
            Panel("step size per coordinate (first 100 steps, floored at 1e-16)", [
                *[Curve(t[1:101], np.maximum(moves[:100, i], 1e-16), f"Sophia |Delta theta_{i + 1}|")
                  for i in range(p.d)],
                Curve(t[1:101], np.full(100, limit), "bound eta", "bound"),
                Curve(t[1:101], np.maximum(ctrl_moves[:100].max(axis=1), 1e-16),
                      "control: clip left out (max over coordinates)", "control")],
                xlabel="t", ylabel="|Delta theta|", xscale="linear")]
        notes = f"Sophia reaches theta_1 = {path[-1, 0]:.12g}; unclipped first step {ctrl_moves[0].max():.3g}"
        return Evidence(checks, tightness=float(moves.max()) / limit, panels=panels, notes=notes), Evidence(ctrl)


CLAIMS = [ConditionNumberFreeRuntime(), ClipHandlesNegativeCurvature()]
