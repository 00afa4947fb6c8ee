"""The Duncan-Guttman identity of EGN (Korbit et al. 2024) on tiny cases, including a singular Q, and the
Newton / Gauss-Newton rules' options against their numpy reference."""

import numpy as np
import pytest

from theorylab.claims.korbit2024 import (
    gn_direction_batch_space,
    gn_direction_parameter_space,
)
from theorylab.optim import conformance as C
from theorylab.optim.newton import gauss_newton, newton


@pytest.mark.parametrize("lam", [1e-2, 1.0, 50.0])
def test_identity_with_singular_psd_q(lam):
    rng = np.random.default_rng(0)
    J, r = rng.standard_normal((3, 7)), rng.standard_normal(3)
    B = rng.standard_normal((3, 2))
    Q = B @ B.T  # rank 2: singular
    np.testing.assert_allclose(gn_direction_parameter_space(J, Q, r, lam), gn_direction_batch_space(J, Q, r, lam),
                               rtol=1e-10, atol=1e-12)
    assert not np.allclose(gn_direction_parameter_space(J, Q, r, lam), gn_direction_batch_space(J, Q, r, -lam))


@pytest.mark.parametrize("opt", [newton(0.8, damping=0.1, hessian="full"), newton(1.0, solver="cg", cg_iters=3),
                                 newton(1.0, solver="cg", cg_tol=1e-3), gauss_newton(0.5, damping=1.0, solver="cg")],
                         ids=["full-damped", "cg-3-iterations", "cg-tolerance", "gauss-newton-cg"])
def test_newton_options_match_the_reference(opt):
    for p in C.battery_problems().values():
        x0 = C.battery_start(p)
        ref, eng = C.reference_trajectory(opt, p, x0, 15), C.engine_trajectory(opt, p, x0, 15)
        assert C.max_relative_deviation(eng, ref) <= 1e-12


def test_cg_stops_at_negative_curvature_with_the_gradient_step():
    from theorylab.claims.dauphin2014 import saddle

    p, x0 = saddle(1.0), np.array([0.0, 0.1])  # only the negative-curvature coordinate moves
    x1 = C.reference_trajectory(newton(0.5, solver="cg"), p, x0, 1)[1]
    np.testing.assert_allclose(x1, x0 - 0.5 * p.grad(x0))
