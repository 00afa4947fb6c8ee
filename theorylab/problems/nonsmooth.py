"""Non-smooth convex objectives: absolute-loss regression, hinge loss, weighted L1 distance.

Each exposes ``lipschitz`` (a bound on the norm of every subgradient of ``f``) and, for the finite
sums, ``lipschitz_max`` (the same for every component ``f_i``).  ``L`` (smoothness) is ``inf``.
Subgradients use ``sign(0) = 0``.
"""

from __future__ import annotations

import numpy as np

from .base import FiniteSum, KernelSpec, Kind, Problem, as_point, kernel_spec

__all__ = ["AbsoluteRegression", "Hinge", "WeightedL1"]


class _LinearModelLoss(FiniteSum):
    """Shared constructor and constants of losses of ``x_i . w`` (rows of ``X``)."""

    smooth = False

    def __init__(self, X, y):
        X = np.ascontiguousarray(X, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"need X of shape (n, d) and y of shape (n,), got {X.shape} and {y.shape}")
        self.X, self.y = X, y
        self.n, self.d = X.shape

    @property
    def L(self) -> float:
        return float("inf")

    @property
    def mu(self) -> float:
        return 0.0

    @property
    def lipschitz_max(self) -> float:
        """``max_i ||x_i||``: bounds every per-sample subgradient."""
        return float(np.sqrt(np.max(np.sum(self.X * self.X, axis=1))))

    @property
    def lipschitz(self) -> float:
        """``||X||_2 / sqrt(n)``: bounds ``||X^T s|| / n`` for every ``s`` in ``[-1, 1]^n``."""
        return float(np.linalg.norm(self.X, 2) / np.sqrt(self.n))


class AbsoluteRegression(_LinearModelLoss):
    r"""Least absolute deviations ``f(w) = (1/n) sum_i |x_i . w - y_i|``.

    The minimiser solves the linear program ``min sum t_i`` s.t. ``-t <= X w - y <= t`` (HiGHS).
    Kernel layout: ``A = X``, ``u = y``.
    """

    def __init__(self, X, y):
        from scipy.optimize import (
            linprog,  # imported on use: scipy.optimize is slow to import
        )

        super().__init__(X, y)
        n, d = self.n, self.d
        c = np.concatenate([np.zeros(d), np.ones(n) / n])
        eye = np.eye(n)
        A_ub = np.block([[self.X, -eye], [-self.X, -eye]])
        b_ub = np.concatenate([self.y, -self.y])
        res = linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=[(None, None)] * d + [(0, None)] * n, method="highs")
        if res.status != 0:
            raise RuntimeError(f"LP for the absolute-regression minimiser failed: {res.message}")
        self._x_star = res.x[:d]
        self._f_star = float(self.f(self._x_star))

    @classmethod
    def gaussian(cls, n: int, d: int, noise: float = 1.0, seed: int = 0) -> "AbsoluteRegression":
        """``X ~ N(0, I)``, ``y = X x_true + Laplace(noise)`` with ``x_true ~ N(0, I)``."""
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, d))
        y = X @ rng.standard_normal(d) + rng.laplace(scale=noise, size=n)
        return cls(X, y)

    def sample_losses(self, x):
        return np.abs(as_point(x, self.d) @ self.X.T - self.y)

    def sample_grads(self, x):
        s = np.sign(as_point(x, self.d) @ self.X.T - self.y)
        return s[..., :, None] * self.X

    def grad(self, x):
        return np.sign(as_point(x, self.d) @ self.X.T - self.y) @ self.X / self.n

    def kernel_spec(self) -> KernelSpec:
        return kernel_spec(Kind.ABSOLUTE, A=self.X, u=self.y, n_samples=self.n)


class Hinge(_LinearModelLoss):
    r"""Soft-margin SVM ``f(w) = (1/n) sum_i max(0, 1 - y_i x_i . w) + (ridge/2) ||w||^2``.

    ``mu = ridge``.  Minimiser: an LP when ``ridge = 0``; otherwise the box-constrained dual
    ``max_a sum a_i - ||X^T (a*y)||^2 / (2 ridge n^2)``, ``0 <= a_i <= 1``, solved by L-BFGS-B, with
    ``w = X^T (a*y) / (ridge n)`` (accurate to about 1e-9 in ``f``).
    Kernel layout: ``A = X``, ``u = y``, ``c = [ridge]``.
    """

    def __init__(self, X, y, ridge: float = 0.0):
        from scipy.optimize import linprog, minimize  # imported on use: slow to import

        super().__init__(X, y)
        if not np.all(np.abs(self.y) == 1):
            raise ValueError("labels y must be +1 or -1")
        if not ridge >= 0:
            raise ValueError(f"ridge must be >= 0, got {ridge}")
        self.ridge = float(ridge)
        n, d = self.n, self.d
        if self.ridge == 0:
            c = np.concatenate([np.zeros(d), np.ones(n) / n])
            A_ub = np.hstack([-(self.y[:, None] * self.X), -np.eye(n)])
            res = linprog(c, A_ub=A_ub, b_ub=-np.ones(n), bounds=[(None, None)] * d + [(0, None)] * n,
                          method="highs")
            if res.status != 0:
                raise RuntimeError(f"LP for the hinge minimiser failed: {res.message}")
            self._x_star = res.x[:d]
        else:
            Z = self.y[:, None] * self.X
            lam_n = self.ridge * n

            def neg_dual(a):
                v = Z.T @ a
                return 0.5 * v @ v / (lam_n * n) - a.sum() / n, (Z @ v / (lam_n * n) - 1.0 / n)

            res = minimize(neg_dual, np.full(n, 0.5), jac=True, method="L-BFGS-B", bounds=[(0, 1)] * n,
                           options={"ftol": 1e-16, "gtol": 1e-14, "maxiter": 100000})
            self._x_star = Z.T @ res.x / lam_n
        self._f_star = float(self.f(self._x_star))

    @classmethod
    def gaussian(cls, n: int, d: int, flip: float = 0.1, ridge: float = 0.0, seed: int = 0) -> "Hinge":
        """``X ~ N(0, I)``, labels ``sign(x . w0)`` with a fraction ``flip`` flipped."""
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, d))
        y = np.sign(X @ rng.standard_normal(d))
        y[y == 0] = 1.0
        y[rng.random(n) < flip] *= -1
        return cls(X, y, ridge)

    def sample_losses(self, x):
        x = as_point(x, self.d)
        return np.maximum(0.0, 1 - self.y * (x @ self.X.T)) + 0.5 * self.ridge * np.sum(x * x, axis=-1)[..., None]

    def sample_grads(self, x):
        x = as_point(x, self.d)
        act = (self.y * (x @ self.X.T) < 1).astype(float)
        return (-act * self.y)[..., :, None] * self.X + self.ridge * x[..., None, :]

    @property
    def mu(self) -> float:
        return self.ridge

    def kernel_spec(self) -> KernelSpec:
        return kernel_spec(Kind.HINGE, A=self.X, u=self.y, c=[self.ridge], n_samples=self.n)


class WeightedL1(Problem):
    r"""``f(x) = sum_i w_i |x_i - c_i|`` (``w_i > 0``): minimiser ``c``, ``f_* = 0``.

    Lipschitz constant ``||w||_2``; not smooth, not strongly convex, but sharp:
    ``f(x) - f_* >= min_i w_i ||x - c||_2``.  Kernel layout: ``v = w``, ``u = c``.
    """

    smooth = False

    def __init__(self, weights, center=None):
        w = np.ascontiguousarray(weights, dtype=np.float64)
        if w.ndim != 1 or np.any(~(w > 0)):
            raise ValueError("weights must be a 1-D array of positive numbers")
        self.d = w.size
        self.weights = w
        self._x_star = np.zeros(self.d) if center is None else as_point(center, self.d, "center").copy()
        self._f_star = 0.0

    def f(self, x):
        return np.sum(self.weights * np.abs(as_point(x, self.d) - self._x_star), axis=-1)

    def grad(self, x):
        return self.weights * np.sign(as_point(x, self.d) - self._x_star)

    @property
    def lipschitz(self) -> float:
        return float(np.linalg.norm(self.weights))

    @property
    def L(self) -> float:
        return float("inf")

    @property
    def mu(self) -> float:
        return 0.0

    def kernel_spec(self) -> KernelSpec:
        return kernel_spec(Kind.L1, u=self._x_star, v=self.weights)
