"""Survey weighting against independent computations: statsmodels' weighted statistics with
the Kish design effect worked out here, and raked margins against the population's."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from openbeat.stats.weighting import kish_deff, rake, weighted_share

#: A fixed sample of 12: age band, sex, and whether they agreed.
AGE = np.array(["16-34", "16-34", "35-64", "35-64", "35-64", "35-64", "35-64", "65+", "65+", "65+", "65+", "65+"])
SEX = np.array(["female", "male", "female", "female", "female", "male", "male", "female", "female", "female",
                "male", "female"])
AGREE = np.array([0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1], dtype=float)
#: Population margins (counts): young people and men are under-represented in the sample.
MARGINS = {"age": {"16-34": 4000, "35-64": 5000, "65+": 1500}, "sex": {"female": 5200, "male": 5300}}


def test_raking_matches_every_margin():
    r = rake({"age": AGE, "sex": SEX}, MARGINS)
    assert r.converged and r.dropped == []
    w = r.weights
    assert w.mean() == pytest.approx(1.0)
    for name, cats in (("age", AGE), ("sex", SEX)):
        total = sum(MARGINS[name].values())
        for c, pop in MARGINS[name].items():
            assert w[cats == c].sum() / w.sum() == pytest.approx(pop / total, abs=1e-9)


def test_weighted_share_and_interval_equal_statsmodels_with_the_kish_design_effect():
    w = rake({"age": AGE, "sex": SEX}, MARGINS).weights
    got = weighted_share(AGREE, w)
    d = DescrStatsW(AGREE, weights=w)
    assert got.share == pytest.approx(d.mean, abs=1e-12)
    deff = len(w) * np.sum(w ** 2) / np.sum(w) ** 2  # Kish (1965), by hand
    assert got.deff == pytest.approx(deff) and kish_deff(w) == pytest.approx(deff)
    assert deff > 1.05  # the weights are unequal, so precision is lost
    n_eff = len(w) / deff
    low, high = proportion_confint(d.mean * n_eff, n_eff, alpha=0.05, method="wilson")
    assert (got.low, got.high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
    # wider than if the 12 answers were a simple random sample
    srs = proportion_confint(AGREE.sum(), len(AGREE), method="wilson")
    assert got.high - got.low > srs[1] - srs[0]


def test_equal_weights_change_nothing():
    got = weighted_share(AGREE, np.ones(len(AGREE)))
    assert got.deff == 1.0 and got.share == AGREE.mean()
    assert (got.low, got.high) == pytest.approx(proportion_confint(AGREE.sum(), len(AGREE), method="wilson"))


def test_a_category_nobody_answered_in_is_named_and_left_out():
    r = rake({"age": AGE[AGE != "16-34"], "sex": SEX[AGE != "16-34"]}, MARGINS)
    assert r.dropped == [("age", "16-34")]
    with pytest.raises(ValueError, match="no population figure for"):
        rake({"age": np.array(["90+"])}, {"age": {"16-34": 1}})
