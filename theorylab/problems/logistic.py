"""L2-regularised logistic regression on a fixed data set."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from .base import FiniteSum, KernelSpec, Kind, as_point, kernel_spec

__all__ = ["Logistic", "is_linearly_separable"]


def is_linearly_separable(X: np.ndarray, y: np.ndarray) -> bool:
    """Whether some ``w`` has ``y_i x_i . w >= 1`` for all ``i`` (an LP feasibility problem)."""
    from scipy.optimize import (
        linprog,  # imported on use: scipy.optimize is slow to import
    )

    n, d = X.shape
    res = linprog(np.zeros(d), A_ub=-(y[:, None] * X), b_ub=-np.ones(n), bounds=[(None, None)] * d,
                  method="highs")
    return res.status == 0


class Logistic(FiniteSum):
    r"""``f(w) = (1/n) sum_i log(1 + exp(-y_i x_i . w)) + (ridge/2) ||w||^2``, labels ``y_i = +-1``.

    Constants: ``L = lambda_max(X^T X)/(4n) + ridge``, ``mu = ridge``,
    ``L_max = max_i ||x_i||^2/4 + ridge``.  The minimiser is computed by Newton's method to a
    gradient norm below ``1e-13``; without ridge the data must not be linearly separable (else
    no minimiser exists and construction raises ``ValueError``).

    Kernel layout: ``A = X``, ``u = y``, ``c = [ridge]``.
    """

    def __init__(self, X, y, ridge: float = 0.0):
        X = np.ascontiguousarray(X, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"need X of shape (n, d) and y of shape (n,), got {X.shape} and {y.shape}")
        if not np.all(np.abs(y) == 1):
            raise ValueError("labels y must be +1 or -1")
        if not ridge >= 0:
            raise ValueError(f"ridge must be >= 0, got {ridge}")
        self.X, self.y, self.ridge = X, y, float(ridge)
        self.n, self.d = X.shape
        if self.ridge == 0 and is_linearly_separable(X, y):
            raise ValueError("data are linearly separable and ridge = 0: the logistic loss has no "
                             "minimiser; add ridge > 0 or label noise")
        self._x_star = self._newton()
        self._f_star = float(self.f(self._x_star))

    @classmethod
    def gaussian(cls, n: int, d: int, w0=None, ridge: float = 0.0, seed: int = 0) -> "Logistic":
        """``x_i ~ N(0, I)``, labels drawn from the logistic model ``P(y=1|x) = sigmoid(x . w0)``.

        ``w0`` defaults to ``N(0, I/d)``; one generator seeded by ``seed`` draws X, w0, labels.
        """
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, d))
        w = rng.standard_normal(d) / np.sqrt(d) if w0 is None else as_point(w0, d, "w0")
        y = np.where(rng.random(n) < expit(X @ w), 1.0, -1.0)
        return cls(X, y, ridge)

    def _newton(self) -> np.ndarray:
        w = np.zeros(self.d)
        for _ in range(200):
            g = self.grad(w)
            if np.linalg.norm(g) < 1e-13:
                break
            m = self.y * (self.X @ w)
            s = expit(m) * expit(-m)
            H = (self.X.T * s) @ self.X / self.n + self.ridge * np.eye(self.d)
            step = np.linalg.solve(H, g)
            t = 1.0
            f0 = self.f(w)
            while self.f(w - t * step) > f0 - 0.25 * t * g @ step and t > 1e-12:
                t *= 0.5
            w = w - t * step
        return w

    def _margins(self, x):
        return (as_point(x, self.d) @ self.X.T) * self.y

    def sample_losses(self, x):
        x = as_point(x, self.d)
        return np.logaddexp(0.0, -self._margins(x)) + 0.5 * self.ridge * np.sum(x * x, axis=-1)[..., None]

    def sample_grads(self, x):
        x = as_point(x, self.d)
        coef = -self.y * expit(-self._margins(x))
        return coef[..., :, None] * self.X + self.ridge * x[..., None, :]

    def f(self, x):
        x = as_point(x, self.d)
        return np.mean(np.logaddexp(0.0, -self._margins(x)), axis=-1) + 0.5 * self.ridge * np.sum(x * x, axis=-1)

    def grad(self, x):
        x = as_point(x, self.d)
        coef = -self.y * expit(-self._margins(x))
        return coef @ self.X / self.n + self.ridge * x

    def hessian(self, x) -> np.ndarray:
        m = self._margins(x)
        s = expit(m) * expit(-m)
        return (self.X.T * s) @ self.X / self.n + self.ridge * np.eye(self.d)

    @property
    def L(self) -> float:
        return float(np.linalg.eigvalsh(self.X.T @ self.X)[-1] / (4 * self.n) + self.ridge)

    @property
    def mu(self) -> float:
        return self.ridge

    @property
    def L_max(self) -> float:
        return float(np.max(np.sum(self.X * self.X, axis=1)) / 4 + self.ridge)

    def kernel_spec(self) -> KernelSpec:
        return kernel_spec(Kind.LOGISTIC, A=self.X, u=self.y, c=[self.ridge], n_samples=self.n)

    def __repr__(self) -> str:
        return f"Logistic(n={self.n}, d={self.d}, ridge={self.ridge})"
