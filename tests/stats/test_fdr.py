"""Benjamini–Hochberg against statsmodels multipletests(method="fdr_bh")."""

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from openbeat.stats.fdr import benjamini_hochberg


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_statsmodels(seed):
    rng = np.random.default_rng(seed)
    # A mix of nulls and signals, with ties (permutation p-values are discrete).
    p = np.concatenate([rng.uniform(size=300), rng.beta(0.3, 8, size=60)])
    p = np.round(p, 3)
    for alpha in (0.05, 0.01):
        reject, q = benjamini_hochberg(p, alpha)
        ref_reject, ref_q, _, _ = multipletests(p, alpha=alpha, method="fdr_bh")
        np.testing.assert_allclose(q, ref_q, rtol=0, atol=1e-15)
        np.testing.assert_array_equal(reject, ref_reject)


def test_hand_example():
    # m = 4: sorted 0.01, 0.03, 0.04, 0.2 → p*m/rank = 0.04, 0.06, 0.0533, 0.2 → step-up min.
    reject, q = benjamini_hochberg([0.01, 0.04, 0.03, 0.2])
    np.testing.assert_allclose(q, [0.04, 0.16 / 3, 0.16 / 3, 0.2])
    assert reject.tolist() == [True, False, False, False]


def test_nan_is_not_a_test():
    reject, q = benjamini_hochberg([0.01, np.nan, 0.04])
    np.testing.assert_allclose(q, [0.02, np.nan, 0.04])
    assert reject.tolist() == [True, False, True]


def test_rejects_invalid_p():
    with pytest.raises(ValueError, match="between 0 and 1"):
        benjamini_hochberg([0.5, 1.2])
