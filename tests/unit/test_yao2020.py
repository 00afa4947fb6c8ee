"""Hutchinson probes and moments (Yao et al. 2021) against brute force, and AdaHessian's spatial
averaging against its numpy reference."""

import numpy as np
import pytest

from theorylab.bounds.yao2020 import hutchinson_rademacher_variance
from theorylab.claims.yao2020 import hutchinson_moments_exact
from theorylab.optim import conformance as C
from theorylab.optim.adahessian import (
    adahessian,
    fill_probe,
    fill_rademacher,
    rademacher_reference,
)
from theorylab.random import replica_states


def test_exact_moments_on_a_two_by_two():
    H = np.array([[2.0, 3.0], [3.0, -1.0]])
    mean, var = hutchinson_moments_exact(H)  # D = (2 + 3 z1 z2, -1 + 3 z1 z2)
    np.testing.assert_allclose(mean, [2.0, -1.0])
    np.testing.assert_allclose(var, [9.0, 9.0])
    np.testing.assert_allclose(hutchinson_rademacher_variance(np.arange(2), H=H), [9.0, 9.0])


def test_variance_formula_vanishes_for_diagonal_matrices():
    assert np.all(hutchinson_rademacher_variance(np.arange(4), H=np.diag([1.0, -2.0, 3.0, 0.5])) == 0)


def test_rademacher_fill_matches_its_reference_and_is_balanced():
    a, b = replica_states(3, 1)[0].copy(), replica_states(3, 1)[0].copy()
    out = np.empty(130)  # crosses two 64-bit words
    fill_rademacher(a, out)
    np.testing.assert_array_equal(out, rademacher_reference(b, 130))
    np.testing.assert_array_equal(a, b)  # the same draws consumed
    many = np.empty(64_000)
    fill_probe(a, 0.0, many)
    assert set(np.unique(many)) == {-1.0, 1.0}
    assert abs(many.mean()) < 5 / np.sqrt(many.size)


@pytest.mark.parametrize("block", [2, 3, 8])
def test_spatial_averaging_matches_the_reference(block):
    for p in C.battery_problems().values():
        opt, x0 = adahessian(0.1, block=block, hessian_power=0.7, weight_decay=0.01), C.battery_start(p)
        ref, eng = C.reference_trajectory(opt, p, x0, 20), C.engine_trajectory(opt, p, x0, 20)
        assert C.max_relative_deviation(eng, ref) <= 1e-12
