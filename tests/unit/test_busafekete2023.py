"""Helpers of the EasyLLP claims: the prior, the bag sampler, the soft label and the logistic loss."""

import numpy as np
import pytest
from scipy.stats import binom

from theorylab.claims.busafekete2023 import (
    LabelProportionModel,
    logistic_loss_and_grad,
    soft_label,
)


def test_prior_is_one_half_by_symmetry():
    assert LabelProportionModel().prior == pytest.approx(0.5, abs=1e-14)


@pytest.mark.parametrize("k", [2, 5, 16])
def test_soft_label_is_conditionally_unbiased_exactly(k):
    p = 0.3
    m = np.arange(k)  # positives among the k - 1 other instances
    pmf = binom.pmf(m, k - 1, p)
    for y in (0.0, 1.0):
        labels = soft_label((y + m) / k, k, p)
        assert pmf @ labels == pytest.approx(y, abs=1e-12)
        assert pmf @ (labels - y) ** 2 == pytest.approx((k - 1) * p * (1 - p), rel=1e-12)


def test_bag_sampler_matches_full_feature_simulation():
    model = LabelProportionModel(d=4, seed=1)
    k, n = 4, 200_000
    _, y1, alpha = model.bags(k, n, seed=0)
    rng = np.random.default_rng(5)
    X = rng.standard_normal((n, k, model.d))
    Y = rng.random((n, k)) < 0.5 * (1 + np.tanh(0.5 * model.scale * X @ model.w_star))
    # same first two moments of alpha and the same correlation of y1 with alpha (5 standard errors)
    for a, b in ((alpha.mean(), Y.mean()), ((alpha**2).mean(), (Y.mean(1) ** 2).mean()),
                 ((y1 * alpha).mean(), (Y[:, 0] * Y.mean(1)).mean())):
        assert abs(a - b) < 5 * np.sqrt(2 * 0.25 / n)


def test_logistic_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    x, w, lab = rng.standard_normal((3, 5)), rng.standard_normal(5), np.array([1.7, -0.4, 0.0])
    loss, grad = logistic_loss_and_grad(x, w, lab)
    h = 1e-6
    for j in range(5):
        e = np.zeros(5)
        e[j] = h
        fd = (logistic_loss_and_grad(x, w + e, lab)[0] - logistic_loss_and_grad(x, w - e, lab)[0]) / (2 * h)
        np.testing.assert_allclose(grad[:, j], fd, rtol=1e-7, atol=1e-9)
