"""W1, W2 and W3 of PERFORMANCE.md: theorylab (public API) against numpy and JAX peers, interleaved.

    python benchmarks/workloads.py [--rounds 3] [--only W1|W2|W3] [--no-jax]

Peers need the optional extra: ``pip install '.[bench]'``.  Prints Markdown tables of median
times and same-round ratios (peer time / theorylab time).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))

from harness import interleaved, report  # noqa: E402
from peers import (  # noqa: E402
    checkpoints_w1,
    w1_jax_factory,
    w1_numpy,
    w2_data,
    w2_jax_factory,
    w2_numpy,
    w3_jax_factory,
    w3_numpy,
)

import theorylab as tl  # noqa: E402


def w1(rounds: int, jax: bool) -> str:
    d, R, T, sigma, eta = 100, 1000, 10_000, 0.1, 0.5
    h = np.geomspace(0.01, 1, d)
    ck = checkpoints_w1(T)
    p = tl.problems.Quadratic(h)

    def theorylab():
        run = tl.simulate(p, tl.optim.sgd(eta), tl.noise.additive(sigma), steps=T, replicas=R, seed=0,
                          x0=np.ones(d), checkpoints=ck, metrics=("gap",))
        return run.mean("gap")

    impls = {"theorylab": theorylab, "numpy": lambda: w1_numpy(h, sigma, eta, R, T, ck)}
    if jax:
        impls["jax"] = w1_jax_factory(h, sigma, eta, R, T, ck)
    return report("W1: Monte-Carlo SGD on a quadratic (d=100, R=1000, T=10^4)", interleaved(impls, rounds))


def w2(rounds: int, jax: bool) -> str:
    B, eta, R, T, every = 8, 0.01, 16, 20_000, 1000
    X, y = w2_data()
    p = tl.problems.LeastSquares(X, y)
    ck = np.arange(0, T + 1, every)

    def theorylab():
        run = tl.simulate(p, tl.optim.sgd(eta), tl.noise.with_replacement(B), steps=T, replicas=R, seed=0,
                          checkpoints=ck, metrics=("gap",))
        return run.mean("gap")

    impls = {"theorylab": theorylab, "numpy": lambda: w2_numpy(X, y, B, eta, R, T, every)}
    if jax:
        impls["jax"] = w2_jax_factory(X, y, B, eta, R, T, every)
    return report("W2: minibatch SGD on least squares (n=2000, d=200, B=8, R=16, T=2x10^4)",
                  interleaved(impls, rounds))


def w3(rounds: int, jax: bool) -> str:
    B, lr, R, T, every = 8, 1e-3, 16, 20_000, 1000
    X, y = w2_data()
    p = tl.problems.LeastSquares(X, y)
    ck = np.arange(0, T + 1, every)

    def theorylab():
        run = tl.simulate(p, tl.optim.adam(lr), tl.noise.with_replacement(B), steps=T, replicas=R, seed=0,
                          checkpoints=ck, metrics=("gap",))
        return run.mean("gap")

    impls = {"theorylab": theorylab, "numpy": lambda: w3_numpy(X, y, B, lr, R, T, every)}
    if jax:
        impls["jax"] = w3_jax_factory(X, y, B, lr, R, T, every)
    return report("W3: Adam on least squares (W2's problem, lr=1e-3)", interleaved(impls, rounds))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", choices=["W1", "W2", "W3"])
    ap.add_argument("--no-jax", action="store_true")
    a = ap.parse_args()
    import numba

    print(f"numba threads: {numba.get_num_threads()}, numpy {np.__version__}, numba {numba.__version__}\n")
    if a.only in (None, "W1"):
        print(w1(a.rounds, not a.no_jax), "\n", flush=True)
    if a.only in (None, "W2"):
        print(w2(a.rounds, not a.no_jax), "\n", flush=True)
    if a.only in (None, "W3"):
        print(w3(a.rounds, not a.no_jax), "\n", flush=True)


if __name__ == "__main__":
    main()
