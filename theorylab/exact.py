r"""Exact expectations of SGD on problems where the second moments close.

These oracles make Monte-Carlo checks sharp: a bound that is loose by 20x cannot detect a wrong
noise constant, but the exact expectation can (a two-sided test of mean = exact).

Streaming Gaussian least squares
--------------------------------
``x ~ N(0, Sigma)``, ``y = x . w_* + s eps`` and mini-batch SGD ``e_{t+1} = e_t - (lr_t/B)
sum_b x_b (x_b . e_t - s eps_b)`` with ``e = w - w_*``.  Isserlis' theorem gives
``E[x x^T P x x^T] = 2 Sigma P Sigma + tr(Sigma P) Sigma``, so in the eigenbasis of ``Sigma``
(eigenvalues ``lam_i``) the diagonal ``p_i = E[e_i^2]`` obeys the closed linear recursion

.. math::
    p_i' = p_i (1 - 2 a lam_i + a^2 (1 + 1/B) lam_i^2) + (a^2/B) lam_i (sum_j lam_j p_j + s^2),

and ``E[F(w_t) - F_*] = 1/2 sum_i lam_i p_i``.  With a constant step the stationary gap is
``G/2``, ``G = (a/B) q s^2 / (1 - (a/B) q)``, ``q = sum_i lam_i / (2 - a (1 + 1/B) lam_i)``.

Quadratic with additive noise
-----------------------------
``f = 1/2 sum_i lam_i e_i^2`` and ``g = lam * e + sigma * xi``: each mode is an AR(1),
``m' = (1 - a lam) m``, ``v' = (1 - a lam)^2 v + a^2 sigma^2``; ``E f = 1/2 sum lam (m^2 + v)``.

Minibatch SGD on a finite least-squares data set
------------------------------------------------
(The checks of Garrigos & Gower 2023, Thms 5.3, 5.8 and Sec. 6.)  With ``f_i = 1/2 (a_i . x - y_i)^2``,
a solution ``x_*`` (the projection of ``x_0`` onto ``argmin f``), residuals ``rho_i = a_i . x_* - y_i``
(``sum_i rho_i a_i = 0``) and ``e_t = x_t - x_*``, one step with the mean gradient ``g`` of a
minibatch satisfies ``E[g | e] = H e`` and ``E[g g^T | e] = H e e^T H + kappa (G(e) - H e e^T H)`` with
``G(e) = (1/n) sum_i (a_i . e + rho_i)^2 a_i a_i^T`` and ``kappa = 1`` (one sample), ``1/b`` (``b``
samples with replacement) or ``(n-b)/(b(n-1))`` (without replacement; ``P(i in B) = b/n``,
``P(i, j in B) = b(b-1)/(n(n-1))``).  Hence, for ``m_t = E e_t`` and ``P_t = E e_t e_t^T``:

.. math::
    m_{t+1} = (I - \gamma H) m_t, \qquad
    P_{t+1} = P_t - \gamma (H P_t + P_t H) + \gamma^2 [(1 - \kappa) H P_t H + \kappa\, C(P_t, m_t)],

    C(P, m) = \frac1n \sum_i (a_i^T P a_i + 2 \rho_i\, a_i . m + \rho_i^2)\, a_i a_i^T,

a closed linear recursion on ``d^2`` numbers whose ``a_i^T P a_i`` term is the empirical fourth
moment of the data.  ``E f(x_t) - f_* = 1/2 tr(H P_t)``, ``E||x_t - x_*||^2 = tr P_t``, and since
``E[e_t | e_s] = (I - gamma H)^{t-s} e_s``, the averaged iterate ``xbar_T = (1/T) sum_{s<T} x_s``
has, in the eigenbasis of ``H`` (``q_j = 1 - gamma lam_j``, ``p_{s,j} = (P_s)_{jj}``),
``E f(xbar_T) - f_* = (1/(2T^2)) sum_j lam_j (U_{T,j} + 2 W_{T,j})`` with ``U_{T+1} = U_T + p_T``,
``W_{T+1} = q (U_T + W_T)``.  Modes with ``lam_j = 0`` never move and are dropped.  The
*additive-noise* model replaces ``G(e)`` by its value ``H e e^T H + S`` of a state-independent noise
with the covariance ``S = (1/n) sum_i rho_i^2 a_i a_i^T`` at the optimum.  With a constant step the
stationary ``P`` solves ``gamma (H P + P H) - gamma^2 [(1-kappa) H P H + kappa K(P)] = gamma^2 kappa S``
with the fourth-moment operator ``K = (1/n) sum_i vec(a_i a_i^T) vec(a_i a_i^T)^T``.

Stochastic Nesterov on consistent least squares
-----------------------------------------------
(Mishkin, Pilanci & Schmidt 2024.)  ``y = X w_*`` exactly, one sample drawn with replacement per step,
``v_k = w_k + b (w_k - w_{k-1})``, ``w_{k+1} = v_k - eta x_i x_i^T (v_k - w_*)`` (``b = 0``: SGD).  With
``e = w - w_*``, ``P_k = E e_k e_k^T``, ``C_k = E e_k e_{k-1}^T`` and
``Y = E (v_k - w_*)(v_k - w_*)^T = (1+b)^2 P_k - b(1+b)(C_k + C_k^T) + b^2 P_{k-1}``:

.. math:: P_{k+1} = Y - \eta (H Y + Y H) + \eta^2 \tfrac1n \textstyle\sum_i (x_i^T Y x_i)\, x_i x_i^T,
   \qquad C_{k+1} = (I - \eta H)\big((1+b) P_k - b\, C_k^T\big),

and ``E f(w_k) - f_* = 1/2 tr(H P_k)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problems import LeastSquares

__all__ = ["linear_second_moments", "spectral_radius", "quadratic_gd_trajectory", "streaming_least_squares_sgd_gap", "streaming_least_squares_sgd_plateau",
           "quadratic_sgd_additive_gap", "SgdMoments", "finite_least_squares_sgd_moments",
           "finite_least_squares_sgd_stationary", "minibatch_variance_factor",
           "consistent_least_squares_nesterov_gap"]


def _eigen(cov, e0):
    cov = np.asarray(cov, dtype=np.float64)
    e0 = np.asarray(e0, dtype=np.float64)
    if cov.ndim == 1:
        return cov, e0 * e0
    lam, V = np.linalg.eigh(cov)
    z = V.T @ e0
    return lam, z * z


def streaming_least_squares_sgd_gap(cov, noise: float, e0, lr, batch: int = 1) -> np.ndarray:
    """``E[F(w_t) - F_*]`` for ``t = 0..T`` of mini-batch SGD on streaming Gaussian least squares.

    ``cov``: covariance (matrix or its diagonal); ``noise``: label-noise std ``s``; ``e0 = w_0 - w_*``;
    ``lr``: the ``T`` step sizes; ``batch``: ``B``.  Exact (see the module docstring).
    """
    lam, p = _eigen(cov, e0)
    lr = np.asarray(lr, dtype=np.float64)
    out = np.empty(lr.size + 1)
    out[0] = 0.5 * lam @ p
    k = 1.0 + 1.0 / batch
    for t, a in enumerate(lr):
        G = lam @ p
        p = p * (1 - 2 * a * lam + a * a * k * lam * lam) + (a * a / batch) * lam * (G + noise**2)
        out[t + 1] = 0.5 * lam @ p
    return out


def streaming_least_squares_sgd_plateau(cov, noise: float, lr: float, batch: int = 1) -> float:
    """Stationary ``E[F - F_*]`` of constant-step mini-batch SGD (``inf`` if unstable)."""
    lam, _ = _eigen(cov, np.zeros(np.shape(cov)[0]))
    den = 2 - lr * (1 + 1 / batch) * lam
    if np.any(den <= 0):
        return float("inf")
    q = np.sum(lam / den)
    r = lr / batch * q
    return float("inf") if r >= 1 else 0.5 * r * noise**2 / (1 - r)


def quadratic_sgd_additive_gap(spectrum, sigma, e0, lr) -> np.ndarray:
    """``E[f(x_t) - f_*]`` for ``t = 0..T`` of SGD with additive Gaussian noise on a diagonal quadratic.

    ``spectrum``: eigenvalues ``lam``; ``sigma``: per-coordinate noise std (scalar or vector);
    ``e0 = x_0 - x_*``; ``lr``: the ``T`` step sizes.
    """
    lam = np.asarray(spectrum, dtype=np.float64)
    s2 = np.broadcast_to(np.asarray(sigma, dtype=np.float64) ** 2, lam.shape)
    m = np.asarray(e0, dtype=np.float64).copy()
    v = np.zeros_like(lam)
    lr = np.asarray(lr, dtype=np.float64)
    out = np.empty(lr.size + 1)
    out[0] = 0.5 * lam @ (m * m)
    for t, a in enumerate(lr):
        q = 1 - a * lam
        m = q * m
        v = q * q * v + a * a * s2
        out[t + 1] = 0.5 * lam @ (m * m + v)
    return out


def minibatch_variance_factor(n: int, b: int, replacement: bool) -> float:
    """``kappa_b``: covariance of a ``b``-minibatch mean gradient / covariance of one sample
    (``1/b`` with replacement, ``(n-b)/(b(n-1))`` without)."""
    return 1.0 / b if replacement else (n - b) / (b * (n - 1))


@dataclass(frozen=True)
class SgdMoments:
    """Exact expectations of SGD on least squares at the checkpoints ``t``.

    ``gap = E f(x_t) - f_*``, ``dist2 = E||x_t - x_*||^2`` and ``avg_gap = E f(xbar_t) - f_*`` with
    ``xbar_t`` the mean of ``x_0..x_t`` (the engine's ``avg_gap`` with ``optim.uniform()``).
    """

    t: np.ndarray
    gap: np.ndarray
    dist2: np.ndarray
    avg_gap: np.ndarray


class _Eigenbasis:
    """The data of a ridge-free least-squares problem in the eigenbasis of ``H`` (null modes dropped)."""

    def __init__(self, problem: LeastSquares, x0):
        if problem.ridge != 0.0:
            raise ValueError("the least-squares SGD oracle assumes ridge = 0")
        x_star = problem.x_star
        lam, V = np.linalg.eigh(problem.H)
        keep = lam > 1e-10 * lam[-1]
        self.lam, V = lam[keep], V[:, keep]
        self.A = problem.X @ V                       # rows a_i in the eigenbasis
        self.rho = problem.X @ x_star - problem.y    # residuals, the same at every solution
        # x_0 - proj(x_0) is the range component of x_0 - x_star: its coordinates on the kept modes
        self.m0 = V.T @ (np.asarray(x0, dtype=np.float64) - x_star)
        self.n = problem.n
        self.s_noise = (self.A.T * self.rho**2) @ self.A / self.n  # S: gradient covariance at x_*


def finite_least_squares_sgd_moments(problem: LeastSquares, x0, lr: float, steps: int, checkpoints,
                                     variance_factor: float = 1.0, additive: bool = False) -> SgdMoments:
    """Exact ``E f(x_t) - f_*``, ``E||x_t - x_*||^2`` and ``E f(xbar_t) - f_*`` of constant-step
    minibatch SGD on a finite least-squares data set (module docstring), at ``checkpoints``.

    ``variance_factor`` is ``kappa``: 1 for one sample, ``1/b`` for ``b`` samples with replacement,
    ``(n-b)/(b(n-1))`` without (:func:`minibatch_variance_factor`).  ``additive=True`` gives the
    additive-noise model (state-independent noise of covariance ``kappa S``) instead of SGD.
    ``x_*`` is the projection of ``x0`` onto the solution set.
    """
    eb = _Eigenbasis(problem, x0)
    lam, A, rho, n, kappa, r = eb.lam, eb.A, eb.rho, eb.n, float(variance_factor), eb.lam.size
    ck = np.asarray(checkpoints, dtype=np.int64)
    q = 1.0 - lr * lam
    # P_{t+1} = D o P_t + (lr^2 kappa / n) sum_i c_i a_i a_i^T, with D_jk = 1 - lr (lam_j + lam_k)
    # + lr^2 (1 - kappa) lam_j lam_k and c_i = vec(a_i a_i^T) . vec(P_t) + 2 rho_i a_i . m_t + rho_i^2
    D = 1.0 - lr * (lam[:, None] + lam[None, :]) + lr * lr * (1.0 - kappa) * np.outer(lam, lam)
    outer = (A[:, :, None] * A[:, None, :]).reshape(n, r * r)
    m = eb.m0.copy()
    P = np.outer(m, m)
    p = m * m                       # diag P: all the additive model needs (its modes decouple)
    noise_diag = lr * lr * kappa * np.diagonal(eb.s_noise)
    U = np.zeros_like(lam)
    W = np.zeros_like(lam)
    out = np.empty((3, ck.size))
    k = 0
    for t in range(int(steps) + 1):
        if not additive:
            p = P.diagonal()
        U_next, W_next = U + p, q * (U + W)
        while k < ck.size and ck[k] == t:
            out[:, k] = 0.5 * lam @ p, p.sum(), 0.5 * lam @ (U_next + 2.0 * W_next) / (t + 1) ** 2
            k += 1
        if t == steps:
            break
        U, W = U_next, W_next
        if additive:
            p = q * q * p + noise_diag
            continue
        c = outer @ P.reshape(-1) + rho * (2.0 * (A @ m) + rho)
        P = D * P + (lr * lr * kappa / n) * (c @ outer).reshape(r, r)
        m = q * m
    if k != ck.size:
        raise ValueError(f"checkpoints must be sorted integers in [0, steps = {steps}]")
    return SgdMoments(ck, *out)


def finite_least_squares_sgd_stationary(problem: LeastSquares, lr: float, variance_factor: float = 1.0
                                        ) -> tuple[float, float]:
    """Stationary ``(E f - f_*, E||x - x_*||^2)`` of constant-step SGD on least squares: the fixed
    point ``gamma (H P + P H) - gamma^2 [(1-kappa) H P H + kappa K(P)] = gamma^2 kappa S`` of the
    recursion (module docstring), solved as a ``d^2 x d^2`` linear system."""
    eb = _Eigenbasis(problem, np.zeros(problem.d))
    lam, A, r, kappa = eb.lam, eb.A, eb.lam.size, float(variance_factor)
    vecs = (A[:, :, None] * A[:, None, :]).reshape(eb.n, r * r)
    fourth = vecs.T @ vecs / eb.n
    eye, diag = np.eye(r), np.diag(lam)
    op = np.kron(diag, eye) + np.kron(eye, diag) - lr * (1.0 - kappa) * np.kron(diag, diag) - lr * kappa * fourth
    P = np.linalg.solve(op, lr * kappa * eb.s_noise.reshape(-1)).reshape(r, r)
    return float(0.5 * lam @ np.diagonal(P)), float(np.trace(P))


def consistent_least_squares_nesterov_gap(problem: LeastSquares, lr: float, momentum: float, steps: int,
                                          checkpoints, w0=None) -> np.ndarray:
    """Exact ``E f(w_k) - f_*`` at ``checkpoints`` of stochastic Nesterov (``momentum = 0``: SGD) with one
    sample drawn uniformly with replacement per step, on *consistent*, unregularised least squares
    (module docstring).

    Iterates follow the engine's convention ``w_{-1} = w_0`` (default ``w_0 = 0``).
    """
    residual = problem.X @ problem.x_star - problem.y
    if problem.ridge != 0 or np.max(np.abs(residual)) > 1e-8 * (1 + np.max(np.abs(problem.y))):
        raise ValueError("this oracle needs consistent (interpolating), unregularised least squares")
    X, n, H = problem.X, problem.n, problem.H
    e0 = (np.zeros(problem.d) if w0 is None else np.asarray(w0, dtype=np.float64)) - problem.x_star
    b, G = float(momentum), np.eye(problem.d) - lr * H
    P = np.outer(e0, e0)
    P_prev, C = P, P
    wanted = np.zeros(steps + 1, dtype=bool)
    wanted[np.asarray(checkpoints)] = True
    out = []
    for k in range(steps + 1):
        if wanted[k]:
            out.append(0.5 * np.sum(H * P))
        if k == steps:
            break
        Y = (1 + b) ** 2 * P - b * (1 + b) * (C + C.T) + b * b * P_prev
        HY = H @ Y
        quad = np.sum((X @ Y) * X, axis=1) / n         # x_i^T Y x_i / n
        P_next = Y - lr * (HY + HY.T) + lr * lr * ((X.T * quad) @ X)
        C = G @ ((1 + b) * P - b * C.T)
        P_prev, P = P, 0.5 * (P_next + P_next.T)
    return np.asarray(out)


def quadratic_gd_trajectory(spectrum, z0, lr: float, steps) -> tuple[np.ndarray, np.ndarray]:
    r"""Gap and squared distance of gradient descent on a quadratic, in closed form.

    For ``f(x) = 1/2 (x - x_*)^T H (x - x_*)`` with eigenvalues ``lam_i`` and ``z0 = V^T (x_0 - x_*)``
    (the initial error in the eigenbasis), GD with step ``lr`` gives
    ``e_t = V diag((1 - lr lam)^t) z0``, so after ``t`` steps (``t`` an array)
    ``f - f_* = 1/2 sum_i lam_i z0_i^2 (1 - lr lam_i)^{2t}`` and
    ``||x_t - x_*||^2 = sum_i z0_i^2 (1 - lr lam_i)^{2t}``.
    """
    lam = np.asarray(spectrum, dtype=np.float64)
    z2 = np.asarray(z0, dtype=np.float64) ** 2
    decay = ((1.0 - lr * lam) ** 2)[None, :] ** np.asarray(steps, dtype=np.float64).reshape(-1)[:, None]
    return 0.5 * decay @ (lam * z2), decay @ z2


def linear_second_moments(M: np.ndarray, N: np.ndarray, z0: np.ndarray, checkpoints) -> np.ndarray:
    """Exact ``E[z_t z_t^T]`` at the (sorted) ``checkpoints`` of ``z_{t+1} = M z_t + N xi_t``,
    ``xi_t ~ N(0, I)`` i.i.d., from the deterministic ``z_0``; batched over leading axes of
    ``M (..., n, n)``, ``N (..., n, m)``, ``z0 (..., n)``.  Returns ``(K, ..., n, n)``."""
    S = z0[..., :, None] * z0[..., None, :]
    Q = N @ np.swapaxes(N, -1, -2)
    Mt = np.swapaxes(M, -1, -2)
    out, t = [], 0
    for c in np.asarray(checkpoints, dtype=np.int64):
        while t < c:
            S = M @ S @ Mt + Q
            t += 1
        out.append(S)
    return np.array(out)


def spectral_radius(maps: np.ndarray) -> np.ndarray:
    """Largest eigenvalue modulus of each matrix in ``(..., n, n)``."""
    return np.max(np.abs(np.linalg.eigvals(maps)), axis=-1)
