"""Quadratic objectives with a prescribed spectrum."""

from __future__ import annotations

import numpy as np

from .base import KernelSpec, Kind, Problem, as_point, kernel_spec

__all__ = ["Quadratic", "random_rotation"]


def random_rotation(d: int, seed: int = 0) -> np.ndarray:
    """Haar-distributed orthogonal ``d x d`` matrix (QR of a Gaussian matrix, signs fixed)."""
    g = np.random.default_rng(seed).standard_normal((d, d))
    q, r = np.linalg.qr(g)
    return q * np.sign(np.diag(r))


class Quadratic(Problem):
    r"""``f(x) = 1/2 (x - x_*)^T H (x - x_*) + f_*`` with ``H = Q diag(spectrum) Q^T``.

    ``L = max(spectrum)``, ``mu = min(spectrum)`` (0 allowed: convex, not strongly convex), and
    when ``mu = 0`` ``x_star`` is the given centre (every point of ``x_* + ker H`` is optimal).

    Parameters
    ----------
    spectrum : eigenvalues of ``H`` (non-negative).
    x_star : centre, default 0.
    rotation : orthogonal ``Q`` (default identity, i.e. diagonal ``H``; the engine then uses an
        O(d) oracle).
    f_star : value at the minimum, default 0.

    Kernel layout: diagonal ``v = spectrum, u = x_star``; rotated ``M = H, u = x_star``.
    """

    def __init__(self, spectrum, x_star=None, rotation=None, f_star: float = 0.0):
        lam = np.ascontiguousarray(spectrum, dtype=np.float64)
        if lam.ndim != 1 or lam.size < 1:
            raise ValueError(f"spectrum must be a non-empty 1-D array, got shape {lam.shape}")
        if not np.all(np.isfinite(lam)) or np.any(lam < 0):
            raise ValueError("spectrum must be finite and >= 0 (got min "
                             f"{np.min(lam)!r}); H must be positive semi-definite")
        self.d = lam.size
        self.spectrum = lam
        self._x_star = np.zeros(self.d) if x_star is None else as_point(x_star, self.d, "x_star").copy()
        if rotation is not None:
            Q = np.asarray(rotation, dtype=np.float64)
            if Q.shape != (self.d, self.d) or not np.allclose(Q.T @ Q, np.eye(self.d), atol=1e-10):
                raise ValueError(f"rotation must be a {self.d}x{self.d} orthogonal matrix")
            self.rotation = Q
            self.H = (Q * lam) @ Q.T
            self.H = 0.5 * (self.H + self.H.T)
        else:
            self.rotation = None
            self.H = None
        self._f_star = float(f_star)

    # --- constructors -----------------------------------------------------------------------
    @classmethod
    def linspace(cls, d: int, mu: float, L: float, **kw) -> "Quadratic":
        """Eigenvalues evenly spaced in ``[mu, L]``."""
        return cls(np.linspace(mu, L, d), **kw)

    @classmethod
    def logspace(cls, d: int, mu: float, L: float, **kw) -> "Quadratic":
        """Eigenvalues log-spaced in ``[mu, L]`` (``mu > 0``)."""
        if mu <= 0:
            raise ValueError(f"mu must be > 0 for a log-spaced spectrum, got {mu}")
        return cls(np.geomspace(mu, L, d), **kw)

    @classmethod
    def power_law(cls, d: int, alpha: float, L: float = 1.0, mu: float | None = None, **kw) -> "Quadratic":
        r"""Power-law spectrum ``lambda_i = L i^{-alpha}``, ``i = 1..d``.

        With ``mu`` given the spectrum is mapped affinely onto ``[mu, L]``:
        ``lambda_i = mu + (L - mu) (i^{-alpha} - d^{-alpha}) / (1 - d^{-alpha})``.
        """
        if alpha <= 0:
            raise ValueError(f"alpha must be > 0, got {alpha}")
        p = np.arange(1, d + 1, dtype=np.float64) ** (-float(alpha))
        if mu is None:
            return cls(L * p, **kw)
        if not 0 <= mu <= L:
            raise ValueError(f"need 0 <= mu <= L, got mu={mu}, L={L}")
        return cls(mu + (L - mu) * (p - p[-1]) / (p[0] - p[-1]), **kw)

    def rotated(self, seed: int = 0) -> "Quadratic":
        """The same spectrum in a Haar-random eigenbasis."""
        return Quadratic(self.spectrum, self._x_star, random_rotation(self.d, seed), self._f_star)

    # --- values -----------------------------------------------------------------------------
    def _hess_apply(self, z):
        if self.H is None:
            return z * self.spectrum
        return z @ self.H  # H symmetric

    def gap(self, x):
        z = as_point(x, self.d) - self._x_star
        return 0.5 * np.sum(z * self._hess_apply(z), axis=-1)

    def f(self, x):
        return self.gap(x) + self._f_star

    def grad(self, x):
        return self._hess_apply(as_point(x, self.d) - self._x_star)

    def hessian(self, x=None) -> np.ndarray:
        return np.diag(self.spectrum) if self.H is None else self.H.copy()

    # --- constants --------------------------------------------------------------------------
    @property
    def L(self) -> float:
        return float(self.spectrum.max())

    @property
    def mu(self) -> float:
        return float(self.spectrum.min())

    def kernel_spec(self) -> KernelSpec:
        if self.H is None:
            return kernel_spec(Kind.QUADRATIC_DIAG, u=self._x_star, v=self.spectrum)
        return kernel_spec(Kind.QUADRATIC_DENSE, M=self.H, u=self._x_star)

    def __repr__(self) -> str:
        rot = "" if self.H is None else ", rotated"
        return f"Quadratic(d={self.d}, mu={self.mu:.4g}, L={self.L:.4g}{rot})"
