r"""Xie, Zhou, Li, Lin & Yan (2022), "Adan: Adaptive Nesterov Momentum Algorithm for Faster Optimizing
Deep Models" (arXiv:2208.06677): the Nesterov momentum estimation (NME) identity behind Adan.

Vanilla Nesterov acceleration takes its gradient at an extrapolated point,

.. math:: g_k = \nabla f(\theta_k - \eta (1-b) m_{k-1}), \qquad m_k = (1-b) m_{k-1} + g_k, \qquad
          \theta_{k+1} = \theta_k - \eta m_k, \qquad m_{-1} = 0.

**Identity (derived here; the paper's reformulation lemma, recalled).**  With
``thbar_k = theta_k - eta (1-b) m_{k-1}`` and ``mbar_k = (1-b)^2 m_{k-1} + (2-b) g_k``, the gradient
``g_k`` is taken at ``thbar_k`` itself, and

.. math:: \bar m_k = (1-b) \bar m_{k-1} + g_k + (1-b)(g_k - g_{k-1}), \qquad
          \bar\theta_{k+1} = \bar\theta_k - \eta \bar m_k, \qquad \bar m_{-1} = g_{-1} = 0.

Proof.  ``thbar_{k+1} = theta_{k+1} - eta(1-b) m_k = theta_k - eta(2-b) m_k``
``= theta_k - eta(2-b)(1-b) m_{k-1} - eta(2-b) g_k = thbar_k - eta[(1-b)^2 m_{k-1} + (2-b) g_k]``
``= thbar_k - eta mbar_k``.  And ``mbar_k - (1-b) mbar_{k-1} = (2-b) g_k - (1-b)(2-b) g_{k-1} +
(1-b)^2 [m_{k-1} - (1-b) m_{k-2}] = (2-b) g_k - (1-b) g_{k-1}`` (using ``m_{k-1} - (1-b) m_{k-2} =
g_{k-1}``), which is ``g_k + (1-b)(g_k - g_{k-1})``.  At ``k = 0``: ``mbar_0 = (2-b) g_0`` as the
recursion gives with ``mbar_{-1} = g_{-1} = 0``.  QED.  So the two sequences are equal in exact
arithmetic, on any differentiable ``f``: the check compares them to float precision.

**Adan's moments.**  In the official code's convention (``b_i = 1 - beta_i`` of the paper) Adan keeps
``m_t = b_1 m + (1-b_1) g_t`` and ``v_t = b_2 v + (1-b_2)(g_t - g_{t-1})`` and moves along
``m_t + b_2 v_t``.  With ``b_1 = b_2 = b`` this is ``P_t = b P_{t-1} + (1-b)(g_t + b (g_t - g_{t-1}))``,
i.e. exactly ``(1-b) mbar_t`` of the recursion above with momentum ``b`` (the paper's ``1 - beta``)
on Adan's own gradients, started from ``g_0 := g_1`` (the code's zero first difference).  The check
drives the rule's compiled step function (:func:`theorylab.optim.conformance.drive_rule`) and compares its state with the recursion.

Tolerances.  The sequences differ only by round-off propagated through ``K`` steps of a stable
recursion; the check allows ``1e-10`` of the trajectory's scale (the catalogue's threshold; observed
1e-16 to 1e-14).  Negative controls (a plausible convention slip each): the NME recursion with the
difference coefficient ``b`` instead of ``1 - b``, and Adan's direction read as ``m + (1 - b_2) v``
(the paper's written coefficient with the code's ``b_2``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..optim.adan import adan
from ..optim.conformance import drive_rule
from ..problems import Quadratic
from .base import Check, Claim, Curve, Evidence, Panel

PAPER = "xie2022_adan"
_TOL = 1e-10
_FLOOR = 1e-18  # deviations are floored here for the log axis (exact zeros are common)


def rosenbrock_grad(x: np.ndarray) -> np.ndarray:
    """Gradient of ``f(x) = sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2``."""
    g = np.zeros_like(x)
    a = x[1:] - x[:-1] ** 2
    g[:-1] = -400.0 * x[:-1] * a - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * a
    return g


def nesterov_shifted_iterates(grad: Callable, x0: np.ndarray, eta: float, b: float, steps: int) -> np.ndarray:
    """``thbar_k = theta_k - eta (1-b) m_{k-1}``, ``k = 0..steps``, of vanilla Nesterov AGD (module docstring)."""
    theta, m = np.array(x0, dtype=float), np.zeros(len(x0))
    out = np.empty((steps + 1, len(x0)))
    out[0] = theta
    for k in range(steps):
        m = (1 - b) * m + grad(theta - eta * (1 - b) * m)
        theta = theta - eta * m
        out[k + 1] = theta - eta * (1 - b) * m
    return out


def nme_iterates(grad: Callable, x0: np.ndarray, eta: float, b: float, steps: int,
                 diff_coef: float | None = None) -> np.ndarray:
    """``thbar_k``, ``k = 0..steps``, of the NME recursion (gradients at the iterate only); the
    gradient-difference coefficient is ``1 - b`` unless ``diff_coef`` is given."""
    c = 1 - b if diff_coef is None else diff_coef
    th, mbar, g_prev = np.array(x0, dtype=float), np.zeros(len(x0)), np.zeros(len(x0))
    out = np.empty((steps + 1, len(x0)))
    out[0] = th
    for k in range(steps):
        g = grad(th)
        mbar = (1 - b) * mbar + g + c * (g - g_prev)
        g_prev = g
        th = th - eta * mbar
        out[k + 1] = th
    return out


def nme_momentum(grads: np.ndarray, momentum: float) -> np.ndarray:
    """``mbar_t = momentum mbar_{t-1} + g_t + momentum (g_t - g_{t-1})``, ``mbar_0 = 0``, ``g_0 := g_1``."""
    out = np.empty_like(grads)
    mbar, g_prev = np.zeros(grads.shape[1]), grads[0]
    for t, g in enumerate(grads):
        mbar = momentum * mbar + g + momentum * (g - g_prev)
        g_prev = g
        out[t] = mbar
    return out


def _deviation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-step ``max_i |a_ki - b_ki| / max |b|`` (the check's scale-relative deviation)."""
    return np.max(np.abs(a - b).reshape(len(a), -1), axis=1) / np.max(np.abs(b))


class NMEEquivalence(Claim):
    paper = PAPER
    id = "nme_equivalence"
    title = "Nesterov AGD = NME recursion (gradient at the iterate + a gradient difference); Adan moves along it"
    source = "Xie et al. (2022), NME reformulation of Nesterov AGD; Algorithm 1"
    provenance = "derived"
    statement = ("Vanilla Nesterov AGD (g_k at theta_k - eta(1-b) m_{k-1}, m_k = (1-b) m_{k-1} + g_k, theta_{k+1} = "
                 "theta_k - eta m_k) and the NME recursion mbar_k = (1-b) mbar_{k-1} + g_k + (1-b)(g_k - g_{k-1}), "
                 "thbar_{k+1} = thbar_k - eta mbar_k with g_k = grad f(thbar_k) give thbar_k = theta_k - eta(1-b) "
                 "m_{k-1} exactly (derived in the module docstring).  Adan with b1 = b2 = b moves along m + b v = "
                 "(1-b) mbar (NME with momentum b = the paper's 1 - beta).")
    assumptions = "deterministic gradients of a differentiable f; m_{-1} = mbar_{-1} = g_{-1} = 0"
    area = ("momentum", "adaptive")
    bound = None
    sizes = {"quick": dict(steps=1000), "full": dict(steps=10000)}

    def evaluate(self, steps: int):
        b = 0.1
        x0 = 0.5 * np.random.default_rng(0).standard_normal(10)  # N(0, 0.25 I), the catalogue's start
        quad = Quadratic(np.geomspace(1e-2, 1.0, 10), x_star=np.random.default_rng(1).standard_normal(10)).rotated(seed=2)
        cases = {"Rosenbrock, d = 10, eta = 1e-4": (rosenbrock_grad, 1e-4),
                 "rotated quadratic, kappa = 100, eta = 0.05": (quad.grad, 0.05)}
        k = np.arange(steps + 1)
        checks, ctrl, panels = [], [], []
        for label, (grad, eta) in cases.items():
            agd = nesterov_shifted_iterates(grad, x0, eta, b, steps)
            nme = nme_iterates(grad, x0, eta, b, steps)
            wrong = nme_iterates(grad, x0, eta, b, steps, diff_coef=b)
            scale = float(np.max(np.abs(agd)))
            dev, dev_wrong = _deviation(nme, agd), _deviation(wrong, agd)
            checks.append(Check.close(f"{label}: NME iterates = shifted Nesterov iterates", nme, agd, rtol=0.0,
                                      atol=_TOL * scale))
            ctrl.append(Check.close(f"{label}: NME with difference coefficient b (not 1-b) = shifted Nesterov", wrong,
                                    agd, rtol=0.0, atol=_TOL * scale))
            panels.append(Panel(label, [
                Curve(k, np.maximum(dev, _FLOOR), f"NME vs Nesterov (max {dev.max():.1e})"),
                Curve(k, np.full(k.size, _TOL), "tolerance", "bound"),
                Curve(k, np.maximum(dev_wrong, _FLOOR), "control: coefficient b", "control")],
                xlabel="k", ylabel="max |thbar_NME - thbar_AGD| / max |thbar|", xscale="linear"))

        b_code = 0.9  # Adan's code-convention b1 = b2 (the paper's beta = 0.1)
        _, grads, states = drive_rule(adan(lr=0.01, b1=b_code, b2=b_code), lambda t, x: quad.grad(x), x0, steps)
        m, v = states[:, :10], states[:, 10:20]
        direction = m + b_code * v
        expected = (1 - b_code) * nme_momentum(grads, b_code)
        slip = m + (1 - b_code) * v
        scale = float(np.max(np.abs(expected)))
        checks.append(Check.close("Adan (b1 = b2 = 0.9): m_t + b2 v_t = (1 - b) mbar_t (NME, momentum b)", direction,
                                  expected, rtol=0.0, atol=_TOL * scale))
        ctrl.append(Check.close("Adan: m_t + (1 - b2) v_t = (1 - b) mbar_t", slip, expected, rtol=0.0,
                                atol=_TOL * scale))
        t = np.arange(1, steps + 1)
        dev, dev_slip = _deviation(direction, expected), _deviation(slip, expected)
        panels.append(Panel("Adan's direction vs NME momentum (quadratic)", [
            Curve(t, np.maximum(dev, _FLOOR), f"m + b2 v vs (1-b) mbar (max {dev.max():.1e})"),
            Curve(t, np.full(t.size, _TOL), "tolerance", "bound"),
            Curve(t, np.maximum(dev_slip, _FLOOR), "control: m + (1-b2) v", "control")],
            xlabel="t", ylabel="max deviation / max |(1-b) mbar|", xscale="linear"))
        notes = (f"b = {b} (Nesterov momentum 1-b = {1 - b}); {steps} steps; deviations are scale-relative, "
                 f"floored at {_FLOOR:g} in the figure")
        return Evidence(checks, panels=panels, notes=notes), Evidence(ctrl)


CLAIMS = [NMEEquivalence()]
