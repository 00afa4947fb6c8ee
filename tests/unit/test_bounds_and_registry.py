"""Bound objects, the claim registry and the verdict rules."""

import numpy as np
import pytest
import sympy

import theorylab as tl
from theorylab.claims.base import Check, Claim, Evidence


def test_bound_evaluates_its_sympy_expression():
    b = tl.bounds.bottou2018.sgd_strongly_convex_constant_step
    k = np.array([1.0, 2.0, 10.0])
    c = dict(alpha=0.01, L=1.0, M=2.0, c=0.1, mu=1.0, gap1=3.0)
    expected = [float(b.expr.subs({sympy.Symbol(n): v for n, v in {**c, "k": kk}.items()})) for kk in k]
    np.testing.assert_allclose(b(k, **c), expected, rtol=1e-13)
    assert b(1.0, **c) == pytest.approx(3.0)  # the bound is an identity at k = 1
    assert "Theorem 4.6" in b.source and b.assumptions


def test_bound_names_missing_constants():
    b = tl.bounds.bottou2018.sgd_strongly_convex_constant_step
    with pytest.raises(ValueError, match="missing.*gap1"):
        b(1.0, alpha=0.01, L=1.0, M=2.0, c=0.1, mu=1.0)


def test_every_registered_bound_has_citation_and_evaluates():
    import importlib
    import pkgutil  # noqa: E401
    found = 0
    for m in pkgutil.iter_modules(tl.bounds.__path__):
        mod = importlib.import_module(f"theorylab.bounds.{m.name}")
        for obj in vars(mod).values():
            if isinstance(obj, tl.bounds.Bound):
                found += 1
                assert obj.source and obj.assumptions
                assert getattr(tl.bounds, obj.name, None) is obj, f"{obj.name} not re-exported by theorylab.bounds"
                if obj.fn is None:
                    assert obj.expr.free_symbols
    assert found > 0


class _FakeWithSupport(Claim):
    paper, id, title, source, provenance = "fake_paper", "c2", "fake", "nowhere", "derived"
    expected = "violated"
    sizes = {"quick": {}}

    def __init__(self, support):
        self.support = support

    def evaluate(self):
        return (Evidence([Check("claim", False, ""), Check("apparatus", self.support, "").supporting()]),
                Evidence([Check("b", False, "")]))


def test_a_failed_supporting_check_makes_a_refutation_inconclusive():
    assert _FakeWithSupport(True).check().status == "violated"
    assert _FakeWithSupport(False).check().status == "inconclusive"


class _Fake(Claim):
    paper, id, title, source, provenance = "fake_paper", "c1", "fake", "nowhere", "derived"

    def __init__(self, primary, control):
        self.p, self.c = primary, control

    def evaluate(self):
        return Evidence([Check("a", self.p, "")]), Evidence([Check("b", self.c, "")])


@pytest.mark.parametrize("primary,control,status,ctrl", [
    (True, False, "holds", "failed"),
    (True, True, "inconclusive", "passed"),
    (False, False, "violated", "failed"),
    (None, False, "inconclusive", "failed"),
])
def test_verdict_rules(primary, control, status, ctrl):
    c = _Fake(primary, control)
    c.sizes = {"quick": {}}
    v = c.check()
    assert (v.status, v.negative_control) == (status, ctrl)


def test_registry_unknown_key_suggests_close_matches():
    key = tl.claims.keys()[0]
    with pytest.raises(tl.claims.UnknownClaim) as e:
        tl.claims.get(key[:-1] + "X")
    assert key in e.value.suggestions


def test_registry_metadata():
    for c in tl.claims.all_claims():
        assert c.key == f"{c.paper}.{c.id}"
        assert c.provenance in ("read", "recalled", "reconstructed", "derived", "qualitative")
        assert c.source and c.title and c.area
        assert {"quick", "full"} <= set(c.sizes)
