r"""Zhang & Cutkosky (2024), "Random Scaling and Momentum for Non-smooth Non-convex Optimization"
(arXiv:2405.09742): the exponential random-scaling identity.

For ``s ~ Exp(1)`` and ``F`` absolutely continuous along the ray with ``F(x + s D) e^{-s} -> 0``,
integration by parts gives

.. math:: E_s[F(x + s D)] - F(x) = \int_0^\infty F(x + sD) e^{-s} ds - F(x)
          = \int_0^\infty \langle \nabla F(x + s D), D\rangle e^{-s} ds = E_s \langle \nabla F(x + s D), D \rangle,

so scaling an update by an independent ``Exp(1)`` scalar makes the expected change of ``F`` equal to
the expected linearised change, with no smoothness or convexity (re-derived: provenance
``derived``).  Checked on the nonsmooth nonconvex ``F`` of :mod:`theorylab.claims.cutkosky2023`,
by paired Monte-Carlo differences and by exact piecewise integrals under the exponential weight.
Negative control: ``s ~ Unif[0, 2]`` (same mean), for which the identity fails wherever ``F`` bends
along the segment.

The catalogue's second claim (the ``O(eps^-3 delta^-1)`` rate of exponentially scaled SGDM,
priority 3) is not implemented: the placement of the random scalar in the paper's algorithm was
only recalled and its check is qualitative.
"""

from __future__ import annotations

import numpy as np

from .base import Check, Claim, Evidence
from .cutkosky2023 import (
    ExponentialWeight,
    UniformWeight,
    catalogue_function,
    identity_panels,
    paired_differences,
    random_pairs,
    z_scores,
)

PAPER = "zhang2024_randomscaling"


class ExpScalingIdentity(Claim):
    paper = PAPER
    id = "exp-scaling-identity"
    title = "E F(x + sD) - F(x) = E <grad F(x + sD), D>, s ~ Exp(1), F nonsmooth nonconvex"
    source = "Zhang & Cutkosky (2024)"
    provenance = "derived"
    statement = ("For s ~ Exp(1): E_s[F(x + s D)] - F(x) = E_s[<grad F(x + s D), D>] for every F absolutely "
                 "continuous along the ray with F(x + sD) e^-s -> 0 (integration by parts).")
    assumptions = "F Lipschitz (a.e. differentiable along the ray, at most linear growth)"
    area = ("nonsmooth", "momentum", "rates")
    bound = None
    sizes = {"quick": dict(pairs=20, draws=20_000), "full": dict(pairs=100, draws=100_000)}

    def evaluate(self, pairs: int, draws: int):
        F = catalogue_function()
        xs, Ds = random_pairs(F.d, pairs, seed=3)
        rng = np.random.default_rng(4)
        expo, unif = ExponentialWeight(), UniformWeight(2.0)
        Fx = F.F(xs)
        exact = np.array([F.ray_expectations(x, D, expo) for x, D in zip(xs, Ds)])          # (pairs, 2)
        exact_ctrl = np.array([F.ray_expectations(x, D, unif) for x, D in zip(xs, Ds)])
        Y, values = paired_differences(F, xs, Ds, expo, draws, rng, sampled_increment=True)
        Yc, _ = paired_differences(F, xs, Ds, unif, draws, rng, sampled_increment=True)
        scale = float(np.max(exact[:, 0] + np.abs(exact[:, 1])))  # round-off scale of the piecewise sums
        checks = [
            Check.equal("MC: F(x + sD) - F(x) - <grad F(x + sD), D> has mean 0, s ~ Exp(1)", Y, np.zeros(pairs)),
            Check.equal("MC mean of F(x + sD) = exact piecewise integral (validates the pieces)", values,
                        exact[:, 0]),
            Check.close("exact: E F(x + sD) - F(x) = E <grad F(x + sD), D>, s ~ Exp(1)", exact[:, 0] - Fx,
                        exact[:, 1], rtol=0, atol=1e-10 * scale)]
        ctrl = [
            Check.equal("MC: F(x + sD) - F(x) - <grad F(x + sD), D> has mean 0, s ~ U[0,2]", Yc, np.zeros(pairs)),
            Check.close("exact: E F(x + sD) - F(x) = E <grad F(x + sD), D>, s ~ U[0,2]", exact_ctrl[:, 0] - Fx,
                        exact_ctrl[:, 1], rtol=0, atol=1e-10 * scale)]
        panels = identity_panels(z_scores(Y), z_scores(Yc), exact[:, 0] - Fx, exact[:, 1], exact_ctrl[:, 0] - Fx,
                                 exact_ctrl[:, 1], str(expo), str(unif), "E_s F(x + sD) - F(x)")
        return (Evidence(checks, panels=panels, notes=f"{pairs} pairs (x, D) ~ N(0, I), {draws} draws of s each"),
                Evidence(ctrl))


CLAIMS = [ExpScalingIdentity()]
