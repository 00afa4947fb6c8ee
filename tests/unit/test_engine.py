"""The Numba engine against a plain-numpy reference that draws the same random numbers."""

import numpy as np
import pytest

import theorylab as tl
from theorylab.engine.kernel import METRICS

from .reference import simulate_reference


def _problems():
    rng = np.random.default_rng(3)
    d = 6
    X = rng.standard_normal((30, d))
    yls = X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(30)
    ylab = np.where(X @ rng.standard_normal(d) + 0.5 * rng.standard_normal(30) > 0, 1.0, -1.0)
    return {
        "quad_diag": tl.problems.Quadratic(np.linspace(0.1, 1, d), x_star=np.arange(d) / d),
        "quad_rot": tl.problems.Quadratic(np.linspace(0.1, 1, d), x_star=np.ones(d)).rotated(seed=1),
        "lsq_ridge": tl.problems.LeastSquares(X, yls, ridge=0.1),
        "logistic": tl.problems.Logistic(X, ylab, ridge=0.05),
        "absolute": tl.problems.AbsoluteRegression(X, yls),
        "hinge": tl.problems.Hinge(X, ylab, ridge=0.1),
        "l1": tl.problems.WeightedL1(np.linspace(1, 2, d), np.ones(d)),
        "cauchy": tl.problems.Cauchy(np.linspace(-1, 1, d)),
        "stream_dense": tl.problems.StreamingLeastSquares(np.eye(d) + 0.2, np.ones(d), noise=0.5),
        "stream_diag": tl.problems.StreamingLeastSquares(np.linspace(0.2, 1, d), np.ones(d), noise=0.5),
    }


PROBLEMS = _problems()
FINITE = [k for k, p in PROBLEMS.items() if p.finite_sum]
NOISES = {
    "exact": tl.noise.exact(),
    "additive": tl.noise.additive(np.linspace(0.1, 0.5, 6)),
    "with_replacement": tl.noise.with_replacement(3),
    "without_replacement": tl.noise.without_replacement(4),
    "reshuffle": tl.noise.reshuffle(7),
    "shuffle_once": tl.noise.shuffle_once(5),
    "streaming": tl.noise.streaming(2),
}
CASES = ([(p, n) for p in PROBLEMS for n in ("exact", "additive")]
         + [(p, n) for p in FINITE for n in ("with_replacement", "without_replacement", "reshuffle", "shuffle_once")]
         + [("stream_dense", "streaming"), ("stream_diag", "streaming")])


@pytest.mark.parametrize("pname,nname", CASES)
def test_kernel_matches_numpy_reference(pname, nname):
    p, nz = PROBLEMS[pname], NOISES[nname]
    opt = tl.optim.nesterov(tl.optim.inverse_sqrt(0.05), 0.5)
    steps, R = 40, 3
    ck = np.array([0, 1, 2, 7, 19, 40])
    x0 = np.linspace(-1, 1, p.d)
    avg = tl.optim.uniform(start=1)
    run = tl.simulate(p, opt, nz, steps=steps, replicas=R, seed=5, x0=x0, checkpoints=ck, average=avg,
                      metrics=METRICS)
    ref = simulate_reference(p, opt, nz, steps, R, 5, x0, ck, average=avg)
    for i, m in enumerate(METRICS):
        np.testing.assert_allclose(run.values(m), ref[:, :, i], rtol=1e-9, atol=1e-12, err_msg=m)


def test_projection_and_heavy_ball_match_reference():
    p = PROBLEMS["quad_diag"]
    ball = tl.optim.ball(0.5, center=np.full(p.d, 0.1))
    opt = tl.optim.heavy_ball(0.3, 0.4)
    ck = np.arange(0, 31, 5)
    run = tl.simulate(p, opt, tl.noise.additive(0.3), steps=30, replicas=2, seed=1, x0=np.ones(p.d),
                      checkpoints=ck, project=ball, metrics=("gap", "dist2"))
    ref = simulate_reference(p, opt, tl.noise.additive(0.3), 30, 2, 1, np.ones(p.d), ck, project=ball)
    np.testing.assert_allclose(run.values("gap"), ref[:, :, 0], rtol=1e-10)


def test_same_numbers_for_any_split_of_replicas():
    p = PROBLEMS["lsq_ridge"]
    kw = dict(steps=50, seed=7, checkpoints=[0, 10, 50], metrics=("gap",))
    whole = tl.simulate(p, tl.optim.sgd(0.05), tl.noise.reshuffle(4), replicas=6, **kw).values("gap")
    parts = [tl.simulate(p, tl.optim.sgd(0.05), tl.noise.reshuffle(4), replicas=3, start=s, **kw).values("gap")
             for s in (0, 3)]
    np.testing.assert_array_equal(whole, np.vstack(parts))


def test_divergence_is_flagged_not_nan():
    p = tl.problems.Quadratic(np.linspace(0.1, 1, 5))
    run = tl.simulate(p, tl.optim.sgd(2.5), tl.noise.additive(0.1), steps=2000, replicas=4, x0=np.ones(5))
    assert run.n_diverged == 4
    assert np.all(run.diverged_at > 0)
    assert not np.isnan(run.values("gap")).any()
    assert np.isinf(run.mean("gap")[-1])
    ok = tl.simulate(p, tl.optim.sgd(1.0), tl.noise.additive(0.1), steps=2000, replicas=4, x0=np.ones(5))
    assert ok.n_diverged == 0 and np.all(np.isfinite(ok.mean("gap")))


@pytest.mark.parametrize("kwargs,match", [
    (dict(optimizer=tl.optim.sgd(-0.1)), "lr"),
    (dict(optimizer=tl.optim.sgd(float("nan"))), "lr"),
    (dict(replicas=0), "replicas"),
    (dict(steps=0), "steps"),
    (dict(x0=np.zeros(3)), "x0"),
    (dict(noise=tl.noise.without_replacement(31)), "batch"),
    (dict(noise=tl.noise.streaming()), "population"),
    (dict(metrics=("gapp",)), "unknown metrics"),
    (dict(seed=-1), "seed"),
])
def test_bad_input_raises_value_error_naming_the_parameter(kwargs, match):
    p = PROBLEMS["lsq_ridge"]
    args = dict(problem=p, optimizer=tl.optim.sgd(0.1), noise=tl.noise.with_replacement(2), steps=10, replicas=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        tl.simulate(args.pop("problem"), args.pop("optimizer"), args.pop("noise"), **args)


def test_additive_noise_matches_exact_expectation():
    """Quadratic + additive noise: Monte-Carlo mean gap = exact AR(1) recursion (two-sided test)."""
    lam = np.geomspace(0.01, 1, 20)
    p = tl.problems.Quadratic(lam)
    x0 = np.ones(20)
    steps, lr = 300, 0.5
    ck = tl.engine.log_checkpoints(steps, 20)
    run = tl.simulate(p, tl.optim.sgd(lr), tl.noise.additive(0.2), steps=steps, replicas=4000, seed=2, x0=x0,
                      checkpoints=ck, metrics=("gap",))
    exact = tl.exact.quadratic_sgd_additive_gap(lam, 0.2, x0, np.full(steps, lr))[ck]
    t = tl.stats.test_equal(run.values("gap")[:, 1:], exact[1:])
    assert not t.rejected, t.max_rel_error
    wrong = tl.exact.quadratic_sgd_additive_gap(lam, 0.3, x0, np.full(steps, lr))[ck]
    assert tl.stats.test_equal(run.values("gap")[:, 1:], wrong[1:]).rejected


def test_one_compiled_specialisation_for_all_inputs():
    """New hyper-parameters, sizes, problems, noise and read-only inputs never recompile."""
    from theorylab.engine.kernel import optimizer_kernel

    ls, q = PROBLEMS["lsq_ridge"], PROBLEMS["quad_rot"]
    x0 = np.ones(ls.d)
    x0.setflags(write=False)
    for lr, B, seed, R in [(0.1, 1, 0, 1), (0.01, 7, 3, 5)]:
        tl.simulate(ls, tl.optim.heavy_ball(lr, 0.5), tl.noise.with_replacement(B), steps=20, replicas=R, seed=seed,
                    x0=x0)
        tl.simulate(q, tl.optim.nesterov(lr, 0.9), tl.noise.additive(0.2), steps=20, replicas=R, seed=seed,
                    project=tl.optim.ball(3.0), record_iterates=True)
        tl.simulate(ls, tl.optim.sgd(lr), tl.noise.reshuffle(B), steps=20, replicas=R, seed=seed,
                    average=tl.optim.uniform(), checkpoints=[0, 5, 20])
    assert len(optimizer_kernel().signatures) == 1  # explicit signature: any other input types would raise


# ---------------------------------------------------------------------------- protocol requests
from numba import njit  # noqa: E402

from theorylab.optim.base import Optimizer  # noqa: E402
from theorylab.optim.protocol import (  # noqa: E402
    DONE,
    GRAD_POINT,
    GRAD_POINT_SAME,
    HVP_X_FULL,
    HVP_X_SAME,
    LOSS_X_SAME,
)


@njit(cache=True)
def _probe_step(phase, t, sched, x, g, point, aux, state, hyper, rng):
    """Records, at step 0, g(y), g(y) again (same sample), H_B(x) v, H(x) v and the sampled loss."""
    d = x.shape[0]
    if phase == 0:
        for j in range(d):
            point[j] = x[j] + 0.5
        return GRAD_POINT
    if phase <= 2:
        for j in range(d):
            state[(phase - 1) * d + j] = g[j]
        if phase == 1:
            return GRAD_POINT_SAME
        for j in range(d):
            point[j] = j + 1.0  # the vector v of the Hessian-vector products
        return HVP_X_SAME
    if phase <= 4:
        for j in range(d):
            state[(phase - 1) * d + j] = g[j]
        return HVP_X_FULL if phase == 3 else LOSS_X_SAME
    state[4 * d] = aux[0]
    for j in range(d):
        x[j] -= 0.01 * state[j]
    return DONE


def _probe(d):
    return Optimizer("probe", _probe_step, (0.0,), state_size=lambda d: 4 * d + 1, init=lambda x0: np.zeros(4 * d + 1))


@pytest.mark.parametrize("pname", ["quad_rot", "lsq_ridge", "logistic", "cauchy", "stream_dense"])
def test_same_sample_requests_and_hessian_vector_products(pname):
    p = PROBLEMS[pname]
    nz = tl.noise.streaming(3) if p.population else (tl.noise.with_replacement(4) if p.finite_sum
                                                    else tl.noise.additive(0.3))
    x0 = np.linspace(-1, 1, p.d)
    run = tl.simulate(p, _probe(p.d), nz, steps=1, replicas=2, seed=3, x0=x0)
    d = p.d
    v = np.arange(1.0, d + 1)
    for st in run.state:
        np.testing.assert_array_equal(st[:d], st[d:2 * d])  # the same sample gives the same gradient
        np.testing.assert_allclose(st[3 * d:4 * d], p.hessian(x0) @ v, rtol=1e-10)  # exact full HVP
    if not p.finite_sum:
        for st in run.state:
            if not p.population:  # additive noise perturbs gradients only: sampled Hessian = exact
                np.testing.assert_allclose(st[2 * d:3 * d], p.hessian(x0) @ v, rtol=1e-10)
                assert st[4 * d] == pytest.approx(float(p.f(x0)), rel=1e-12)


@pytest.mark.parametrize("pname", ["lsq_ridge", "logistic", "hinge", "absolute"])
def test_minibatch_hessian_vector_product_against_numpy(pname):
    from theorylab.engine import kernel

    p = PROBLEMS[pname]
    spec = p.kernel_spec()
    x = np.linspace(-0.5, 0.7, p.d)
    v = np.arange(1.0, p.d + 1)
    rows = np.array([3, 3, 17, 0, 29])
    out = np.empty(p.d)
    kernel._rows_hvp(spec.kind, spec.A, spec.u, spec.c, x, v, rows, rows.size, out)
    z = p.X[rows] @ x
    if pname == "lsq_ridge":
        w = np.ones(rows.size)
    elif pname == "logistic":
        s = 1 / (1 + np.exp(-p.y[rows] * z))
        w = s * (1 - s)
    else:
        w = np.zeros(rows.size)
    ridge = getattr(p, "ridge", 0.0)
    np.testing.assert_allclose(out, (p.X[rows].T * w) @ (p.X[rows] @ v) / rows.size + ridge * v, rtol=1e-12)
