"""Synthetic objectives with known constants (``L``, ``mu``, ``x_star``, ``f_star``, ...)."""

from .base import FiniteSum, KernelSpec, Kind, Problem
from .least_squares import (
    LeastSquares,
    StreamingLeastSquares,
    gaussian_features,
    sqrtm_psd,
)
from .logistic import Logistic, is_linearly_separable
from .nonconvex import Cauchy
from .nonsmooth import AbsoluteRegression, Hinge, WeightedL1
from .quadratic import Quadratic, random_rotation

__all__ = [
    "Problem", "FiniteSum", "Kind", "KernelSpec",
    "Quadratic", "random_rotation",
    "LeastSquares", "StreamingLeastSquares", "gaussian_features", "sqrtm_psd",
    "Logistic", "is_linearly_separable",
    "AbsoluteRegression", "Hinge", "WeightedL1",
    "Cauchy",
]
