"""Smooth non-convex objectives with known constants."""

from __future__ import annotations

import numpy as np

from .base import KernelSpec, Kind, Problem, as_point, kernel_spec

__all__ = ["Cauchy"]


class Cauchy(Problem):
    r"""Cauchy (Lorentzian) loss ``f(x) = sum_j log(1 + (x_j - a_j)^2)``.

    Non-convex (``f''(u) = 2 (1 - u^2)/(1 + u^2)^2 < 0`` for ``|u| > 1``), ``L = 2`` (the maximum of
    ``|f''|``, attained at ``u = 0``), ``inf f = 0`` at ``x = a``.  Used by Bottou, Curtis & Nocedal
    (2018), Thm 4.8 checks.  Kernel layout: ``u = a``.
    """

    convex = False

    def __init__(self, a):
        self.a = np.ascontiguousarray(a, dtype=np.float64)
        if self.a.ndim != 1:
            raise ValueError(f"a must be 1-D, got shape {self.a.shape}")
        self.d = self.a.size
        self._x_star, self._f_star = self.a, 0.0

    def f(self, x):
        z = as_point(x, self.d) - self.a
        return np.sum(np.log1p(z * z), axis=-1)

    def gap(self, x):
        return self.f(x)

    def grad(self, x):
        z = as_point(x, self.d) - self.a
        return 2 * z / (1 + z * z)

    def hessian(self, x) -> np.ndarray:
        z = as_point(x, self.d) - self.a
        return np.diag(2 * (1 - z * z) / (1 + z * z) ** 2)

    @property
    def L(self) -> float:
        return 2.0

    @property
    def mu(self) -> float:
        return 0.0

    def kernel_spec(self) -> KernelSpec:
        return kernel_spec(Kind.CAUCHY, u=self.a)
