"""M-FAC's matrix-free inverse-Fisher products (Frantar et al. 2021): the rule's recursion against the
explicit inverse on tiny cases (window filling, full, sliding, window of one)."""

import numpy as np
import pytest

from theorylab.claims.frantar2021 import (
    explicit_products,
    fisher_condition,
    mfac_products,
)


@pytest.mark.parametrize("window,count", [(4, 2), (4, 4), (4, 11), (1, 5), (3, 3)])
def test_recursion_equals_the_explicit_inverse(window, count):
    rng = np.random.default_rng(window * 10 + count)
    d, lam = 6, 0.3
    grads, vectors = rng.standard_normal((count, d)), rng.standard_normal((3, d))
    kept = grads[max(0, count - window):]
    F = lam * np.eye(d) + kept.T @ kept / window  # 1/window also while the window fills
    np.testing.assert_allclose(mfac_products(grads, window, lam, vectors), np.linalg.solve(F, vectors.T).T,
                               rtol=1e-11, atol=1e-12)


def test_products_after_each_insertion():
    rng = np.random.default_rng(0)
    grads, vectors = rng.standard_normal((9, 5)), rng.standard_normal((2, 5))
    after = np.array([1, 4, 9])
    out = mfac_products(grads, 3, 0.5, vectors, after=after)
    for s, stop in enumerate(after):
        np.testing.assert_allclose(out[s], explicit_products(grads[max(0, stop - 3):stop], 3, 0.5, vectors),
                                   rtol=1e-11)


def test_fisher_condition_number():
    G = np.random.default_rng(1).standard_normal((4, 7))
    F = 0.1 * np.eye(7) + G.T @ G / 4
    assert fisher_condition(G, 4, 0.1) == pytest.approx(np.linalg.cond(F), rel=1e-10)
