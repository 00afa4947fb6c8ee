"""The Numba Monte-Carlo kernel: R replicas x T steps of any update rule.

One compiled function serves every problem, noise model, update rule and hyper-parameter:
problems and noise models are integer codes (:class:`theorylab.problems.Kind`, ``Noise.code``),
the update rule is a first-class function following :mod:`theorylab.optim.protocol`, and all
numbers (schedules, hyper-parameters, problem data) are runtime arrays.  Replicas run in
``prange``; replica ``r`` uses only its own random stream ``rngs[r]``, so the output does not
depend on the number of threads.

Problem layouts (``A``, ``M`` 2-D, ``u``, ``v``, ``c`` 1-D; see the problem classes).  ``M`` is
the Hessian of the quadratic kinds: their gap and gradient are computed as
``1/2 (x - x_*)^T M (x - x_*)`` and ``M (x - x_*)`` (cancellation-free, and d^2 instead of n d
operations for least squares).

==========================  ==============================================================
kind                        data
==========================  ==============================================================
QUADRATIC_DIAG (0)          ``v`` spectrum, ``u`` centre
QUADRATIC_DENSE (1)         ``M`` Hessian, ``u`` centre
LEAST_SQUARES (2)           ``A`` = X, ``M`` = X^T X / n + ridge I, ``u`` = y, ``c[0]`` ridge
LOGISTIC (3)                ``A`` = X, ``u`` = labels +-1, ``c[0]`` ridge
ABSOLUTE (4)                ``A`` = X, ``u`` = y
HINGE (5)                   ``A`` = X, ``u`` = labels +-1, ``c[0]`` ridge
L1 (6)                      ``v`` weights, ``u`` centre
CAUCHY (7)                  ``u`` = a
LEAST_SQUARES_STREAM (8)    ``A`` = Sigma^{1/2} (or ``v`` = sqrt(diag Sigma) and a 1x1 ``A`` when
                            Sigma is diagonal), ``M`` = Sigma, ``u`` = w_*, ``c[0]`` noise std
==========================  ==============================================================

Metrics (columns of ``out``), each recorded at the checkpoints:
0 ``gap`` f(x) - f_*, 1 ``dist2`` ||x - x_*||^2, 2 ``grad_norm2`` ||grad f(x)||^2,
3 ``avg_gap``, 4 ``avg_dist2`` (same for the averaged iterate), 5 ``mean_grad_norm2``
(1/(k+1)) sum_{j<=k} ||grad f(x_j)||^2.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange, types

from ..optim.protocol import DONE as _DONE
from ..optim.protocol import GRAD_FULL_POINT as _GRAD_FULL_POINT
from ..optim.protocol import GRAD_POINT as _GRAD_POINT
from ..optim.protocol import GRAD_X as _GRAD_X
from ..optim.protocol import GRAD_X_SAME as _GRAD_X_SAME
from ..optim.protocol import HVP_X_FULL as _HVP_X_FULL
from ..optim.protocol import HVP_X_SAME as _HVP_X_SAME
from ..optim.protocol import LOSS_POINT_SAME as _LOSS_POINT_SAME
from ..optim.protocol import LOSS_X_SAME as _LOSS_X_SAME
from ..optim.protocol import POST_TYPE, STEP_TYPE
from ..random import fill_standard_normal, randbelow, shuffle, standard_normal

METRICS = ("gap", "dist2", "grad_norm2", "avg_gap", "avg_dist2", "mean_grad_norm2")

# Floating-point reassociation lets LLVM vectorise the reductions (dot products, norms); NaN and
# inf semantics are kept ("nnan"/"ninf" are not set) because divergence detection relies on them.
# error_model="numpy": division by zero gives inf/nan instead of raising (less code, faster).
_FM = {"reassoc", "contract", "nsz"}

# noise codes (theorylab.noise)
_EXACT, _ADDITIVE, _WITH_REPL, _WITHOUT_REPL, _RESHUFFLE, _SHUFFLE_ONCE, _STREAM = 0, 1, 2, 3, 4, 5, 6


@njit(inline="always", fastmath=_FM)
def _dot(a, b):
    acc = 0.0
    for j in range(a.shape[0]):
        acc += a[j] * b[j]
    return acc


@njit(inline="always", fastmath=_FM)
def _dist2(a, b):
    acc = 0.0
    for j in range(a.shape[0]):
        z = a[j] - b[j]
        acc += z * z
    return acc


# Rows are indexed as A[i, j], never sliced as A[i]: a slice is a new array object whose reference
# count is updated atomically, which in a hot loop costs more than the arithmetic and makes
# threads fight over the shared matrix's counter.
@njit(inline="always", fastmath=_FM)
def _row_dot(A, i, x):
    acc = 0.0
    for j in range(x.shape[0]):
        acc += A[i, j] * x[j]
    return acc


@njit(inline="always", fastmath=_FM)
def _row_axpy(A, i, a, y):
    """y += a * A[i, :]."""
    for j in range(y.shape[0]):
        y[j] += a * A[i, j]


# Four (or two) random rows at once: several memory streams in flight hide part of the latency of
# fetching rows of a data matrix larger than the L2 cache (mini-batch gradients ~1.4x faster).
@njit(inline="always", fastmath=_FM)
def _row_dot4(A, i0, i1, i2, i3, x):
    a0 = 0.0
    a1 = 0.0
    a2 = 0.0
    a3 = 0.0
    for j in range(x.shape[0]):
        xj = x[j]
        a0 += A[i0, j] * xj
        a1 += A[i1, j] * xj
        a2 += A[i2, j] * xj
        a3 += A[i3, j] * xj
    return a0, a1, a2, a3


@njit(inline="always", fastmath=_FM)
def _row_axpy4(A, i0, a0, i1, a1, i2, a2, i3, a3, y):
    """y += a0 A[i0, :] + a1 A[i1, :] + a2 A[i2, :] + a3 A[i3, :]."""
    for j in range(y.shape[0]):
        y[j] += a0 * A[i0, j] + a1 * A[i1, j] + a2 * A[i2, j] + a3 * A[i3, j]


@njit(error_model="numpy")
def _log1pexp(z):
    # log(1 + exp(z)) without overflow
    if z > 0:
        return z + math.log1p(math.exp(-z))
    return math.log1p(math.exp(z))


@njit(error_model="numpy")
def _sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(error_model="numpy")
def _sample_loss(kind, z, y):
    """Loss of one sample of a finite sum (kinds 2-5) as a function of its margin z = a_i . x."""
    if kind == 2:
        return 0.5 * (z - y) * (z - y)
    if kind == 3:
        return _log1pexp(-y * z)
    if kind == 4:
        return abs(z - y)
    m = 1.0 - y * z  # hinge
    return m if m > 0.0 else 0.0


@njit(error_model="numpy")
def _sample_slope(kind, z, y):
    """Derivative of ``_sample_loss`` in z (a subgradient, sign(0) = 0, for kinds 4-5)."""
    if kind == 2:
        return z - y
    if kind == 3:
        return -y * _sigmoid(-y * z)
    if kind == 4:
        return 1.0 if z > y else (-1.0 if z < y else 0.0)
    return -y if y * z < 1.0 else 0.0


@njit(fastmath=_FM, error_model="numpy")
def _quad_form(M, z):
    """z^T M z."""
    acc = 0.0
    for i in range(z.shape[0]):
        acc += z[i] * _row_dot(M, i, z)
    return acc


@njit(fastmath=_FM, error_model="numpy")
def _matvec(M, z, out):
    for i in range(out.shape[0]):
        out[i] = _row_dot(M, i, z)


@njit(fastmath=_FM, error_model="numpy")
def _gap(kind, A, M, u, v, c, f_star, x_star, x, tmp):
    """f(x) - f_* (quadratic kinds in the cancellation-free form 1/2 (x - x_*)^T H (x - x_*))."""
    d = x.shape[0]
    acc = 0.0
    if kind == 0:
        for j in range(d):
            z = x[j] - u[j]
            acc += v[j] * z * z
        return 0.5 * acc
    if kind == 1 or kind == 2 or kind == 8:
        for j in range(d):
            tmp[j] = x[j] - x_star[j]
        return 0.5 * _quad_form(M, tmp)
    if kind == 6:
        for j in range(d):
            acc += v[j] * abs(x[j] - u[j])
        return acc
    if kind == 7:
        for j in range(d):
            z = x[j] - u[j]
            acc += math.log1p(z * z)
        return acc
    n = A.shape[0]
    for i in range(n):
        acc += _sample_loss(kind, _row_dot(A, i, x), u[i])
    return acc / n + 0.5 * c[0] * _dot(x, x) - f_star


@njit(fastmath=_FM, error_model="numpy")
def _full_grad(kind, A, M, u, v, c, x_star, x, g, tmp):
    """Exact gradient (a subgradient for the non-smooth kinds) of f at x into g."""
    d = x.shape[0]
    if kind == 0:
        for j in range(d):
            g[j] = v[j] * (x[j] - u[j])
    elif kind == 1 or kind == 2 or kind == 8:  # H (x - x_*), H = M
        for j in range(d):
            tmp[j] = x[j] - x_star[j]
        _matvec(M, tmp, g)
    elif kind == 6:
        for j in range(d):
            z = x[j] - u[j]
            g[j] = v[j] * (1.0 if z > 0 else (-1.0 if z < 0 else 0.0))
    elif kind == 7:
        for j in range(d):
            z = x[j] - u[j]
            g[j] = 2.0 * z / (1.0 + z * z)
    else:
        n = A.shape[0]
        for j in range(d):
            g[j] = c[0] * x[j]
        for i in range(n):
            coef = _sample_slope(kind, _row_dot(A, i, x), u[i]) / n
            if coef != 0.0:
                _row_axpy(A, i, coef, g)


@njit(fastmath=_FM, error_model="numpy")
def _batch_grad(kind, A, u, c, x, idx, coef, g):
    """g = ridge x + (1/B) sum_b grad f_{idx[b]}(x): all margins first, then one pass of updates,
    rows taken four at a time."""
    B = idx.shape[0]
    d = x.shape[0]
    B4 = B - B % 4
    for b in range(0, B4, 4):
        i0, i1, i2, i3 = idx[b], idx[b + 1], idx[b + 2], idx[b + 3]
        z0, z1, z2, z3 = _row_dot4(A, i0, i1, i2, i3, x)
        coef[b] = _sample_slope(kind, z0, u[i0]) / B
        coef[b + 1] = _sample_slope(kind, z1, u[i1]) / B
        coef[b + 2] = _sample_slope(kind, z2, u[i2]) / B
        coef[b + 3] = _sample_slope(kind, z3, u[i3]) / B
    for b in range(B4, B):
        coef[b] = _sample_slope(kind, _row_dot(A, idx[b], x), u[idx[b]]) / B
    for j in range(d):
        g[j] = c[0] * x[j]
    for b in range(0, B4, 4):
        _row_axpy4(A, idx[b], coef[b], idx[b + 1], coef[b + 1], idx[b + 2], coef[b + 2], idx[b + 3], coef[b + 3], g)
    for b in range(B4, B):
        if coef[b] != 0.0:
            _row_axpy(A, idx[b], coef[b], g)


@njit(error_model="numpy")
def _sample_curvature(kind, z, y):
    """Second derivative of ``_sample_loss`` in the margin z (0 for the piecewise-linear losses)."""
    if kind == 2:
        return 1.0
    if kind == 3:
        p = _sigmoid(y * z)
        return p * (1.0 - p)
    return 0.0


@njit(fastmath=_FM, error_model="numpy")
def _rows_hvp(kind, A, u, c, x, vec, rows, nrows, out):
    """out = ridge vec + (1/nrows) sum_{i in rows} f_i''(a_i . x) a_i (a_i . vec) (finite sums)."""
    d = x.shape[0]
    for j in range(d):
        out[j] = c[0] * vec[j]
    for b in range(nrows):
        i = b if rows.shape[0] == 0 else rows[b]
        w = _sample_curvature(kind, _row_dot(A, i, x), u[i])
        if w != 0.0:
            _row_axpy(A, i, w * _row_dot(A, i, vec) / nrows, out)


@njit(fastmath=_FM, error_model="numpy")
def _full_hvp(kind, A, M, u, v, c, x, vec, out):
    """out = (exact Hessian of f at x) vec."""
    d = x.shape[0]
    if kind == 0:
        for j in range(d):
            out[j] = v[j] * vec[j]
    elif kind == 1 or kind == 2 or kind == 8:
        _matvec(M, vec, out)
    elif kind == 7:
        for j in range(d):
            z = x[j] - u[j]
            out[j] = 2.0 * (1.0 - z * z) / ((1.0 + z * z) * (1.0 + z * z)) * vec[j]
    elif kind == 6:
        for j in range(d):
            out[j] = 0.0
    else:
        _rows_hvp(kind, A, u, c, x, vec, np.empty(0, np.int64), A.shape[0], out)


@njit(fastmath=_FM, error_model="numpy")
def _sample_hvp(kind, A, M, u, v, c, x, vec, out, tmp, tmp2, noise, s, idx):
    """out = (Hessian of the current sample's loss at x) vec: the mini-batch ``idx`` of a finite
    sum, the replayed fresh data of a streaming problem, else the exact Hessian."""
    d = x.shape[0]
    if noise == _STREAM:
        B = idx.shape[0]
        for j in range(d):
            out[j] = 0.0
        for b in range(B):
            _stream_sample(A, u, v, c, x, tmp, tmp2, s)
            w = _dot(tmp2, vec) / B
            for j in range(d):
                out[j] += w * tmp2[j]
    elif noise >= _WITH_REPL and noise <= _SHUFFLE_ONCE:
        _rows_hvp(kind, A, u, c, x, vec, idx, idx.shape[0], out)
    else:
        _full_hvp(kind, A, M, u, v, c, x, vec, out)


@njit(error_model="numpy")
def _draw(noise, n, s, perm, pos, idx):
    """A fresh mini-batch of a finite sum into ``idx``; returns the new position in the epoch."""
    B = idx.shape[0]
    if noise == _WITH_REPL:
        for b in range(B):
            idx[b] = randbelow(s, n)
        return pos
    if noise == _WITHOUT_REPL:
        for b in range(B):  # partial Fisher-Yates: perm[:B] becomes a uniform random subset
            k = b + randbelow(s, n - b)
            tmpi = perm[b]
            perm[b] = perm[k]
            perm[k] = tmpi
            idx[b] = perm[b]
        return pos
    if pos + B > n:  # new epoch over a permutation
        if noise == _RESHUFFLE:
            shuffle(s, perm)
        pos = 0
    for b in range(B):
        idx[b] = perm[pos + b]
    return pos + B


@njit(fastmath=_FM, error_model="numpy")
def _sample_grad(kind, A, M, u, v, c, x_star, x, g, tmp, tmp2, noise, scale, s, idx, coef):
    """Gradient at ``x`` for the current sample: the mini-batch ``idx`` of a finite sum, or the
    noise / fresh data drawn from ``s`` (additive, streaming)."""
    d = x.shape[0]
    if noise == _EXACT or noise == _ADDITIVE:
        _full_grad(kind, A, M, u, v, c, x_star, x, g, tmp)
        if noise == _ADDITIVE:
            fill_standard_normal(s, tmp)
            for j in range(d):
                g[j] += scale[j] * tmp[j]
    elif noise == _STREAM:  # a = Sigma^{1/2} z, y = a . w_* + s eps, g = a (a . x - y)
        B = idx.shape[0]
        for j in range(d):
            g[j] = 0.0
        for b in range(B):
            res = _stream_sample(A, u, v, c, x, tmp, tmp2, s) / B
            for j in range(d):
                g[j] += res * tmp2[j]
    else:
        _batch_grad(kind, A, u, c, x, idx, coef, g)


@njit(fastmath=_FM, error_model="numpy")
def _stream_sample(A, u, v, c, x, tmp, tmp2, s):
    """One fresh sample of the streaming regression: features into ``tmp2``, returns ``a . x - y``."""
    d = x.shape[0]
    fill_standard_normal(s, tmp)
    if A.shape[0] == d:
        _matvec(A, tmp, tmp2)
    else:  # diagonal covariance: v = sqrt(diag Sigma)
        for j in range(d):
            tmp2[j] = v[j] * tmp[j]
    res = 0.0
    for j in range(d):
        res += tmp2[j] * (x[j] - u[j])
    return res - c[0] * standard_normal(s)


@njit(fastmath=_FM, error_model="numpy")
def _sample_value(kind, A, M, u, v, c, f_star, x_star, x, tmp, tmp2, noise, s, idx):
    """The sampled loss at ``x`` (the same sample as :func:`_sample_grad`; the full loss when the
    noise is additive, which perturbs gradients only)."""
    if noise == _EXACT or noise == _ADDITIVE:
        return _gap(kind, A, M, u, v, c, f_star, x_star, x, tmp) + f_star
    if noise == _STREAM:
        B = idx.shape[0]
        acc = 0.0
        for b in range(B):
            res = _stream_sample(A, u, v, c, x, tmp, tmp2, s)
            acc += 0.5 * res * res
        return acc / B
    B = idx.shape[0]
    acc = 0.0
    for b in range(B):
        acc += _sample_loss(kind, _row_dot(A, idx[b], x), u[idx[b]])
    return acc / B + 0.5 * c[0] * _dot(x, x)


# (the schedule array is not called "sched": Numba's parallel lowering uses that name internally)
def _run_optimizer(step, first, post, use_post, kind, A, M, u, v, c, f_star, x_star, noise, batch, scale,
                   schedules, hyper, state, post_hyper, post_state, avg_c, proj_center, proj_radius,
                   x0, rngs, checkpoints, want, blowup, out, out_x, diverged_at):
    """Simulate ``R = x0.shape[0]`` replicas of the update rule ``step`` (the protocol of
    :mod:`theorylab.optim.protocol`; ``first`` is its phase-0 request when that is fixed, else
    ``DONE`` and phase 0 is called) followed by the hook ``post`` when ``use_post``.

    A replica diverges at step ``t`` when ``||x_t||_1`` exceeds ``blowup * max(1, ||x_0||_1)`` or is
    not finite; it then stops.  Writes metrics into ``out[R, K, 6]`` (``inf`` after a
    divergence), the iterates into ``out_x[R, K, d]`` when ``out_x.shape[0] == R`` (pass a
    (0, 0, 0) array to skip), and the divergence step (or -1) into ``diverged_at[R]``.  The
    random streams ``rngs`` (uint64[R, 4]) and the optimizer states are advanced in place.
    """
    for r in prange(x0.shape[0]):
        diverged_at[r] = _replica(r, step, first, post, use_post, kind, A, M, u, v, c, f_star, x_star, noise, batch,
                                  scale, schedules,
                                  hyper, state, post_hyper, post_state, avg_c, proj_center, proj_radius, x0, rngs,
                                  checkpoints, want, blowup, out, out_x)


@njit(fastmath=_FM, error_model="numpy")
def _replica(r, step, first, post, use_post, kind, A, M, u, v, c, f_star, x_star, noise, batch, scale, sched,
             hyper, state,
             post_hyper, post_state, avg_c, proj_center, proj_radius, x0, rngs, checkpoints, want, blowup,
             out, out_x):
    """Replica ``r`` of the kernel (kept out of the ``prange`` body: parallel lowering of a large
    body is slow to compile).  Returns the divergence step or -1."""
    R = x0.shape[0]
    d = x0.shape[1]
    T = sched.shape[0]
    K = checkpoints.shape[0]
    n = A.shape[0]
    keep_x = out_x.shape[0] == R
    track_avg = want[3] or want[4]
    finite_sum = noise >= _WITH_REPL and noise <= _SHUFFLE_ONCE
    s = rngs[r]
    snap = s.copy()
    after = s.copy()
    st = state[r]
    pst = post_state[r]
    x = x0[r].copy()
    point = x.copy()
    g = np.zeros(d)
    gf = np.empty(d)
    tmp = np.empty(d)
    tmp2 = np.empty(d)
    aux = np.zeros(2)
    avg = x.copy()
    needs_perm = noise == _WITHOUT_REPL or noise == _RESHUFFLE or noise == _SHUFFLE_ONCE
    perm = np.arange(n if needs_perm else 1)
    idx = np.empty(batch, np.int64)
    coef = np.empty(batch)
    pos = n
    if noise == _SHUFFLE_ONCE:
        shuffle(s, perm)
        pos = 0
    limit = 0.0
    for j in range(d):
        limit += abs(x[j])
    limit = blowup * max(1.0, limit)
    gsum = 0.0
    ck = 0
    for t in range(T + 1):
        if want[5]:
            _full_grad(kind, A, M, u, v, c, x_star, x, gf, tmp)
            gsum += _dot(gf, gf)
        if track_avg:
            a = avg_c[t]
            for j in range(d):
                avg[j] += a * (x[j] - avg[j])
        while ck < K and checkpoints[ck] == t:
            if want[0]:
                out[r, ck, 0] = _gap(kind, A, M, u, v, c, f_star, x_star, x, tmp)
            if want[1]:
                out[r, ck, 1] = _dist2(x, x_star)
            if want[2]:
                _full_grad(kind, A, M, u, v, c, x_star, x, gf, tmp)
                out[r, ck, 2] = _dot(gf, gf)
            if want[3]:
                out[r, ck, 3] = _gap(kind, A, M, u, v, c, f_star, x_star, avg, tmp)
            if want[4]:
                out[r, ck, 4] = _dist2(avg, x_star)
            if want[5]:
                out[r, ck, 5] = gsum / (t + 1)
            if keep_x:
                for j in range(d):
                    out_x[r, ck, j] = x[j]
            ck += 1
        if t == T:
            break
        phase = 0
        code = first if first != _DONE else step(phase, t, sched, x, g, point, aux, st, hyper, s)
        while code != _DONE:
            # (no array variable chooses between x and point: array assignments cost atomic
            # reference-count updates in the hot loop, so each request calls with x or point directly)
            at_x = code == _GRAD_X or code == _GRAD_X_SAME or code == _LOSS_X_SAME
            if code == _GRAD_X or code == _GRAD_POINT:  # fresh sample
                if finite_sum:
                    pos = _draw(noise, n, s, perm, pos, idx)
                else:
                    for k in range(4):
                        snap[k] = s[k]
                if at_x:
                    _sample_grad(kind, A, M, u, v, c, x_star, x, g, tmp, tmp2, noise, scale, s, idx, coef)
                else:
                    _sample_grad(kind, A, M, u, v, c, x_star, point, g, tmp, tmp2, noise, scale, s, idx, coef)
            elif code == _GRAD_FULL_POINT:
                _full_grad(kind, A, M, u, v, c, x_star, point, g, tmp)
            elif code == _HVP_X_FULL:
                _full_hvp(kind, A, M, u, v, c, x, point, g)
            else:  # the same sample again: replay the stream from its snapshot
                if not finite_sum:
                    for k in range(4):
                        after[k] = s[k]
                        s[k] = snap[k]
                if code == _HVP_X_SAME:
                    _sample_hvp(kind, A, M, u, v, c, x, point, g, tmp, tmp2, noise, s, idx)
                elif code == _LOSS_X_SAME:
                    aux[0] = _sample_value(kind, A, M, u, v, c, f_star, x_star, x, tmp, tmp2, noise, s, idx)
                elif code == _LOSS_POINT_SAME:
                    aux[0] = _sample_value(kind, A, M, u, v, c, f_star, x_star, point, tmp, tmp2, noise, s, idx)
                elif at_x:
                    _sample_grad(kind, A, M, u, v, c, x_star, x, g, tmp, tmp2, noise, scale, s, idx, coef)
                else:
                    _sample_grad(kind, A, M, u, v, c, x_star, point, g, tmp, tmp2, noise, scale, s, idx, coef)
                if not finite_sum:
                    for k in range(4):
                        s[k] = after[k]
            phase += 1
            code = step(phase, t, sched, x, g, point, aux, st, hyper, s)
        if use_post:
            post(t, x, pst, post_hyper)
        if proj_radius > 0.0:
            acc = 0.0
            for j in range(d):
                z = x[j] - proj_center[j]
                acc += z * z
            if acc > proj_radius * proj_radius:
                f = proj_radius / math.sqrt(acc)
                for j in range(d):
                    x[j] = proj_center[j] + f * (x[j] - proj_center[j])
        l1 = 0.0  # ||x_t||_1; NaN and inf propagate into it
        for j in range(d):
            l1 += abs(x[j])
        if not (l1 <= limit):
            for k in range(ck, K):
                for m in range(out.shape[2]):
                    out[r, k, m] = np.inf
                if keep_x:
                    for j in range(d):
                        out_x[r, k, j] = np.nan
            return t + 1
    return -1


_A1 = types.float64[::1]
_A2 = types.float64[:, ::1]
_A3 = types.float64[:, :, ::1]
KERNEL_SIGNATURE = types.void(
    STEP_TYPE, types.int64, POST_TYPE, types.boolean,           # step, its first request, post hook, use it
    types.int64, _A2, _A2, _A1, _A1, _A1, types.float64, _A1,   # problem: kind A M u v c f_star x_star
    types.int64, types.int64, _A1,                              # noise code, batch, scale
    _A2, _A1, _A2, _A1, _A2,                                    # sched, hyper, state, post_hyper, post_state
    _A1, _A1, types.float64,                                    # avg_c, proj_center, proj_radius
    _A2, types.uint64[:, ::1], types.int64[::1], types.boolean[::1], types.float64,  # x0 rngs ck want blowup
    _A3, _A3, types.int64[::1])                                 # out, out_x, diverged_at

_KERNEL = None


def optimizer_kernel():
    """The compiled engine kernel (compiled, or loaded from the on-disk cache, on first use).

    Its signature is explicit (:data:`KERNEL_SIGNATURE`): the update rule arrives as a first-class
    function pointer, so one compiled kernel serves every rule, every problem and every
    hyper-parameter, and each rule is compiled on its own.
    """
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = njit(KERNEL_SIGNATURE, parallel=True, cache=True, error_model="numpy")(_run_optimizer)
    return _KERNEL
