"""OASIS helpers (Jahani et al. 2021): the feature-scaled problem is an exact reparametrisation, censored
iteration counts; the rule's options against its numpy reference."""

import numpy as np
import pytest

from theorylab.claims.jahani2021 import (
    feature_scaled,
    iterations_to,
    relative_hutchinson_std,
)
from theorylab.optim import conformance as C
from theorylab.optim.oasis import oasis
from theorylab.problems import Logistic


def test_feature_scaling_is_a_reparametrisation():
    p = Logistic.gaussian(60, 4, ridge=0.0, seed=2)
    s = np.array([0.1, 1.0, 3.0, 10.0])
    q = feature_scaled(p, s)
    w = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(q.f(w / s), p.f(w), rtol=1e-13)
    np.testing.assert_allclose(q.x_star * s, p.x_star, rtol=1e-8)
    assert relative_hutchinson_std(p).shape == (4,)


def test_iterations_to_censors_at_the_horizon():
    rel = np.array([[1.0, 1e-3, 1e-7, 1e-9], [1.0, 1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(iterations_to(rel, 1e-6), [2.0, 3.0])


@pytest.mark.parametrize("kw", [dict(init_samples=3, beta=0.9), dict(adaptive=False, alpha=0.05)])
def test_oasis_options_match_the_reference(kw):
    for p in C.battery_problems().values():
        opt, x0 = oasis(0.2, **kw), C.battery_start(p)
        ref, eng = C.reference_trajectory(opt, p, x0, 30), C.engine_trajectory(opt, p, x0, 30)
        assert C.max_relative_deviation(eng, ref) <= 1e-12
