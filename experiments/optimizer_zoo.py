"""Every registered update rule on the same two problems: loss vs steps with 99.9% bands.

* an ill-conditioned quadratic (d = 8, spectrum log-spaced in [1e-2, 1], Haar-rotated) with additive
  gradient noise sigma = 1e-2;
* a noisy logistic regression (n = 500, d = 8, labels from the logistic model, ridge 1e-3) with
  mini-batches of 8 drawn with replacement.

Each rule runs with its battery defaults (``RuleSpec.make()``, the hyper-parameters under which the
conformance battery checks it, including the matrix shape of the matrix rules, hence d = 8), the same
start and the same seeds.  The comparison is of defaults, not of tuned methods: on the logistic
problem the sub-sampled Newton family (``newton``, ``gauss_newton``, ``saddle_free_newton``), PSGD
and, mildly, OASIS precondition with the Hessian of the same 8 rows in d = 8, which is nearly
singular (ridge 1e-3), so their full steps overshoot and the gap ends above its start: sub-sampled
Newton needs a Hessian sample much larger than d (Roosta-Khorasani & Mahoney 2019).
``oasis_fixed_lr`` (OASIS with a fixed step, the ablation of Jahani et al.) diverges on both
problems.  Panels whose gap ends above its start are titled in red.  Writes
``figures/optimizer_zoo.png``; ``--quick`` runs a small version (as in the test suite).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

import theorylab as tl
from theorylab.claims.base import Curve, mean_band
from theorylab.experiment import default_figure_dir, parse_args
from theorylab.optim.registry import rules


def problems():
    quad = tl.problems.Quadratic.logspace(8, 1e-2, 1.0, x_star=np.ones(8)).rotated(seed=2)
    logi = tl.problems.Logistic.gaussian(500, 8, ridge=1e-3, seed=3)
    return [("ill-conditioned quadratic, additive noise 1e-2", quad, tl.noise.additive(1e-2)),
            ("logistic regression, batch 8", logi, tl.noise.with_replacement(8))]


def run_all(steps: int, replicas: int) -> dict:
    """``{rule: [(label, t, (R, K) gaps) per problem]}``; diverged rules keep their inf values."""
    out = {}
    ck = tl.engine.log_checkpoints(steps, 40)
    for name, spec in sorted(rules().items()):
        rows = []
        for label, p, nz in problems():
            x0 = p.x_star + 2.0 * np.random.default_rng(0).standard_normal(p.d) / math.sqrt(p.d)
            run = tl.simulate(p, spec.make(), nz, steps=steps, replicas=replicas, seed=1, x0=x0, checkpoints=ck,
                              metrics=("gap",))
            rows.append((label, run.t, run.values("gap")))
        out[name] = rows
    return out


#: the shared y range: a diverging rule must not squash every other panel
YLIM = (1e-8, 1e4)


def figure(results: dict, path: Path) -> Path:
    import matplotlib.pyplot as plt

    from theorylab.plot import save_figure

    names = sorted(results)
    cols = 6
    rowsn = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rowsn, cols, figsize=(3.0 * cols, 2.4 * rowsn), squeeze=False, sharex=True,
                             sharey=True)
    for ax in axes.flat[len(names):]:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        marks = []
        for k, (label, t, gaps) in enumerate(results[name]):
            c = Curve.band(t + 1, gaps, label)
            ok = np.isfinite(c.y) & (c.y > 0)
            ax.plot(c.x[ok], c.y[ok], color=f"C{k}", lw=1.3, label=label)
            ax.fill_between(c.x[ok], np.maximum(c.lo[ok], c.y[ok] * 1e-3), np.minimum(c.hi[ok], 1e6), color=f"C{k}",
                            alpha=0.25, lw=0)
            if not np.isfinite(c.y[-1]):
                marks.append(f"{'QL'[k]}: diverged")
            elif c.y[-1] > c.y[0]:
                marks.append(f"{'QL'[k]}: ends above start")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(*YLIM)
        ax.set_title(name + (f"  [{'; '.join(marks)}]" if marks else ""), fontsize=8,
                     color="C3" if marks else "black")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=6, loc="lower left")
    fig.suptitle("theorylab optimizer zoo: f(x_t) - f* vs step t (mean over replicas, 99.9% band), battery defaults."
                 "  Q = quadratic, L = logistic; y clipped to [1e-8, 1e4]", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.985))
    return save_figure(fig, path)


def main(argv=None) -> int:
    args = parse_args(argv, description=__doc__.splitlines()[0])
    steps, replicas = (300, 8) if args.quick else (3000, 100)
    results = run_all(steps, replicas)
    for name, rows in sorted(results.items()):
        finals = ", ".join(f"{mean_band(g)[0][-1]:.3g}" for _, _, g in rows)
        print(f"{name:24s} final mean gap (quadratic, logistic): {finals}")
    out = Path(args.out) if args.out else default_figure_dir()
    print(f"wrote {figure(results, out / 'optimizer_zoo.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
