"""Linear least squares: a finite sum over a data set, or the population of a Gaussian model."""

from __future__ import annotations

import numpy as np

from .base import FiniteSum, KernelSpec, Kind, Problem, as_point, kernel_spec

__all__ = ["LeastSquares", "StreamingLeastSquares", "gaussian_features", "sqrtm_psd"]


def sqrtm_psd(cov: np.ndarray) -> np.ndarray:
    """Symmetric square root of a positive semi-definite matrix (eigendecomposition)."""
    w, V = np.linalg.eigh(0.5 * (cov + cov.T))
    if w.min() < -1e-12 * max(1.0, w.max()):
        raise ValueError(f"covariance is not positive semi-definite (min eigenvalue {w.min():.3g})")
    return (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T


def _covariance(cov, d: int) -> np.ndarray:
    if cov is None:
        return np.eye(d)
    c = np.asarray(cov, dtype=np.float64)
    if c.ndim == 1:
        c = np.diag(c)
    if c.shape != (d, d):
        raise ValueError(f"cov must be a length-{d} vector or a {d}x{d} matrix, got shape {c.shape}")
    return c


def gaussian_features(n: int, d: int, cov=None, seed: int = 0) -> np.ndarray:
    """``n x d`` matrix of rows ``x_i ~ N(0, cov)`` (cov: None = identity, vector = diagonal)."""
    if n < 1 or d < 1:
        raise ValueError(f"need n >= 1 and d >= 1, got n={n}, d={d}")
    z = np.random.default_rng(seed).standard_normal((n, d))
    return z @ sqrtm_psd(_covariance(cov, d))


class LeastSquares(FiniteSum):
    r"""``f(w) = (1/n) sum_i [ 1/2 (x_i . w - y_i)^2 + (ridge/2) ||w||^2 ]``.

    Constants: ``H = X^T X / n + ridge I``; ``L = lambda_max(H)``, ``mu = lambda_min(H)`` (0 when
    ``n < d`` and ``ridge = 0``), ``L_max = max_i ||x_i||^2 + ridge``.  ``x_star`` is the
    minimum-norm minimiser; :meth:`project_to_solutions` gives the minimiser closest to a point.

    Kernel layout: ``A = X``, ``M = H``, ``u = y``, ``c = [ridge]``.
    """

    def __init__(self, X, y, ridge: float = 0.0):
        X = np.ascontiguousarray(X, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"need X of shape (n, d) and y of shape (n,), got {X.shape} and {y.shape}")
        if not ridge >= 0:
            raise ValueError(f"ridge must be >= 0, got {ridge}")
        self.X, self.y, self.ridge = X, y, float(ridge)
        self.n, self.d = X.shape
        self.H = X.T @ X / self.n + self.ridge * np.eye(self.d)
        self._eig = np.linalg.eigvalsh(self.H)
        if self.ridge > 0:
            self._x_star = np.linalg.solve(self.H, X.T @ y / self.n)
        else:
            self._x_star = np.linalg.lstsq(X, y, rcond=None)[0]
        self._f_star = float(self.f(self._x_star))

    @classmethod
    def gaussian(cls, n: int, d: int, cov=None, noise: float = 0.0, w_star=None, ridge: float = 0.0,
                 seed: int = 0) -> "LeastSquares":
        """Rows ``x_i ~ N(0, cov)``, ``y = X w_* + noise * N(0, 1)``; ``w_*`` default ``N(0, I)``.

        One generator seeded by ``seed`` draws, in this order, ``X``, ``w_*`` (if not given) and
        the label noise.
        """
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, d)) @ sqrtm_psd(_covariance(cov, d))
        w = rng.standard_normal(d) if w_star is None else as_point(w_star, d, "w_star")
        y = X @ w + noise * rng.standard_normal(n)
        return cls(X, y, ridge)

    def sample_losses(self, x):
        x = as_point(x, self.d)
        r = x @ self.X.T - self.y
        return 0.5 * r * r + 0.5 * self.ridge * np.sum(x * x, axis=-1)[..., None]

    def sample_grads(self, x):
        x = as_point(x, self.d)
        r = x @ self.X.T - self.y
        return r[..., :, None] * self.X + self.ridge * x[..., None, :]

    def f(self, x):
        x = as_point(x, self.d)
        r = x @ self.X.T - self.y
        return 0.5 * np.mean(r * r, axis=-1) + 0.5 * self.ridge * np.sum(x * x, axis=-1)

    def grad(self, x):
        x = as_point(x, self.d)
        return (x @ self.X.T - self.y) @ self.X / self.n + self.ridge * x

    def gap(self, x):
        """``1/2 (x - x_*)^T H (x - x_*)``: exact for a quadratic, no cancellation against ``f_*``."""
        z = as_point(x, self.d) - self._x_star
        return 0.5 * np.sum(z * (z @ self.H), axis=-1)

    def hessian(self, x=None) -> np.ndarray:
        return self.H.copy()

    def project_to_solutions(self, x0) -> np.ndarray:
        """The minimiser closest to ``x0``: ``x_* + P_ker(H)(x0 - x_*)``."""
        x0 = as_point(x0, self.d)
        w, V = np.linalg.eigh(self.H)
        null = V[:, w <= 1e-10 * max(w.max(), 1e-300)]
        return self._x_star + (x0 - self._x_star) @ null @ null.T

    @property
    def L(self) -> float:
        return float(self._eig[-1])

    @property
    def mu(self) -> float:
        m = float(self._eig[0])
        return m if m > 1e-10 * self.L else 0.0

    @property
    def L_max(self) -> float:
        return float(np.max(np.sum(self.X * self.X, axis=1)) + self.ridge)

    def kernel_spec(self) -> KernelSpec:
        return kernel_spec(Kind.LEAST_SQUARES, A=self.X, M=self.H, u=self.y, c=[self.ridge], n_samples=self.n)

    def __repr__(self) -> str:
        return f"LeastSquares(n={self.n}, d={self.d}, L={self.L:.4g}, mu={self.mu:.4g})"


class StreamingLeastSquares(Problem):
    r"""Population least squares of the model ``x ~ N(0, Sigma)``, ``y = x . w_* + s eps``.

    ``f(w) = 1/2 E (x . w - y)^2 = 1/2 (w - w_*)^T Sigma (w - w_*) + s^2/2``; its stochastic
    oracle draws a fresh sample per gradient: ``g = x (x . w - y)`` (use
    :func:`theorylab.noise.streaming`).  ``L = lambda_max(Sigma)``, ``mu = lambda_min(Sigma)``.

    Second moment of the oracle (Isserlis):
    ``E||g||^2 = 2 e^T Sigma^2 e + tr(Sigma) e^T Sigma e + s^2 tr(Sigma)`` with ``e = w - w_*``.

    Kernel layout: ``A = Sigma^{1/2}`` (diagonal Sigma: ``v = sqrt(diag Sigma)`` instead),
    ``M = Sigma``, ``u = w_*``, ``c = [s]``.
    """

    population = True

    def __init__(self, cov, w_star, noise: float = 0.0):
        w = np.ascontiguousarray(w_star, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"w_star must be 1-D, got shape {w.shape}")
        self.d = w.size
        self.cov = _covariance(cov, self.d)
        self.sqrt_cov = sqrtm_psd(self.cov)
        if not noise >= 0:
            raise ValueError(f"noise must be >= 0, got {noise}")
        self.noise = float(noise)
        self._w = w
        self._x_star, self._f_star = w, 0.5 * self.noise**2
        self._eig = np.linalg.eigvalsh(self.cov)

    def gap(self, x):
        z = as_point(x, self.d) - self._w
        return 0.5 * np.sum(z * (z @ self.cov), axis=-1)

    def f(self, x):
        return self.gap(x) + self.f_star

    def grad(self, x):
        return (as_point(x, self.d) - self._w) @ self.cov

    def grad_second_moment(self, x) -> np.ndarray:
        """``E||g(x)||^2`` of the one-sample oracle, in closed form."""
        e = as_point(x, self.d) - self._w
        se = e @ self.cov
        return 2 * np.sum(se * se, axis=-1) + np.trace(self.cov) * np.sum(e * se, axis=-1) \
            + self.noise**2 * np.trace(self.cov)

    def hessian(self, x=None) -> np.ndarray:
        return self.cov.copy()

    @property
    def L(self) -> float:
        return float(self._eig[-1])

    @property
    def mu(self) -> float:
        return float(self._eig[0])

    def kernel_spec(self) -> KernelSpec:
        if np.count_nonzero(self.cov - np.diag(np.diag(self.cov))) == 0:
            return kernel_spec(Kind.LEAST_SQUARES_STREAM, M=self.cov, u=self._w, v=np.sqrt(np.diag(self.cov)),
                               c=[self.noise])
        return kernel_spec(Kind.LEAST_SQUARES_STREAM, A=self.sqrt_cov, M=self.cov, u=self._w, c=[self.noise])

    def __repr__(self) -> str:
        return f"StreamingLeastSquares(d={self.d}, L={self.L:.4g}, mu={self.mu:.4g}, noise={self.noise})"
