"""A theorem's right-hand side as a numpy function, a sympy expression and a citation."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np

__all__ = ["Bound"]

PROVENANCE = ("read", "recalled", "reconstructed", "derived", "qualitative")


@dataclass(frozen=True)
class Bound:
    """The right-hand side of a theorem.

    ``bound(x, **constants)`` evaluates it on a numpy array of the free variable (``t``, ``k``,
    ``eta``, ...) with the problem's constants passed by name; every constant must be given
    (``ValueError`` names the missing ones).  ``expr`` is the sympy expression, ``source`` the
    citation, ``assumptions`` the hypotheses under which it holds, ``provenance`` how the
    statement was obtained (read / recalled / reconstructed / derived).

    By default the numeric function is ``sympy.lambdify(expr)``; bounds that are not closed-form
    (sums over a realised sequence, maxima over sign vectors) pass ``fn`` and keep ``expr`` as the
    documented formula; ``parameters`` then lists the names ``fn`` takes.
    """

    name: str
    expression: str
    variable: str
    source: str
    assumptions: str
    provenance: str = "recalled"
    fn: Callable | None = field(default=None, compare=False)
    parameters_: tuple = ()

    def __post_init__(self):
        if self.provenance not in PROVENANCE:
            raise ValueError(f"provenance must be one of {PROVENANCE}, got {self.provenance!r}")

    @cached_property
    def expr(self):
        """The sympy expression of the bound."""
        import sympy

        return sympy.sympify(self.expression, locals=self._sympy_locals())

    def _sympy_locals(self) -> dict:
        import sympy
        from sympy.abc import (
            _clash,  # names sympy would read as functions/constants (beta, gamma, E, S, ...)
        )

        names = {self.variable, *self.parameters_, *_clash}
        return {n: sympy.Symbol(n) for n in names}

    @cached_property
    def parameters(self) -> tuple[str, ...]:
        """Names of the constants the bound needs (besides the free variable)."""
        if self.parameters_:
            return tuple(self.parameters_)
        return tuple(sorted(str(s) for s in self.expr.free_symbols if str(s) != self.variable))

    @cached_property
    def _numeric(self) -> Callable:
        if self.fn is not None:
            return self.fn
        import sympy

        syms = [sympy.Symbol(self.variable)] + [sympy.Symbol(p) for p in self.parameters]
        return sympy.lambdify(syms, self.expr, modules="numpy")

    def __call__(self, x, **constants) -> np.ndarray:
        missing = [p for p in self.parameters if p not in constants]
        extra = sorted(set(constants) - set(self.parameters))
        if missing or extra:
            raise ValueError(f"{self.name} needs constants {list(self.parameters)}; "
                             f"missing {missing}, unexpected {extra}")
        xv = np.asarray(x, dtype=np.float64)
        if self.fn is not None:
            out = np.asarray(self.fn(xv, **constants), dtype=np.float64)
        else:
            out = np.asarray(self._numeric(xv, *[constants[p] for p in self.parameters]), dtype=np.float64)
        return np.broadcast_to(out, np.broadcast_shapes(out.shape, xv.shape)).copy()

    @property
    def latex(self) -> str:
        import sympy

        return sympy.latex(self.expr)

    def __repr__(self) -> str:
        return f"Bound({self.name}: {self.expression}  [{self.source}])"
