"""WDD (Wheeler & Ratcliffe 2018) and the before/after ratio."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from openbeat.stats.wdd import before_after, choose_comparison_areas, wdd


def test_wdd_reproduces_the_papers_worked_example():
    """Wheeler & Ratcliffe (2018), Crime Science 7:11, worked example: treated area
    207 → 110, control 308 → 318, displacement area 178 → 157, its control 150 → 140;
    WDD = -118, variance 1568 (SE 39.6), z = -2.98, 95% CI -196 to -40. (The same
    numbers are pinned in Wheeler's ptools, tests/testthat/test-wdd.R, "Est & Variance
    Paper".)"""
    r = wdd(target=(207, 110), control=(308, 318), displacement=(178, 157),
            displacement_control=(150, 140))
    assert (r.local, r.displacement, r.estimate, r.variance) == (-107.0, -11.0, -118.0, 1568.0)
    assert r.se == pytest.approx(np.sqrt(1568))
    assert round(r.z, 2) == -2.98 and (round(r.low), round(r.high)) == (-196, -40)
    assert r.summary == ("An estimated 118 fewer crimes than the comparison areas predict "
                         "(standard error 39.6; 95% interval -196 to -40; z = -2.98): unlikely "
                         "to be chance alone.")


def test_wdd_time_and_area_weights_match_ptools():
    # ptools test-wdd.R, "Time Weights" (andrewpwheeler.com, 2021-01-09): -20, sqrt(115).
    r = wdd(target=(80, 20), control=(100, 50), time_weights=(2, 1))
    assert (r.estimate, r.variance) == (-20.0, 115.0)
    # ptools test-wdd.R, "Area Weights" (andrewpwheeler.com, 2021-02-23).
    r = wdd(target=(207, 110), control=(308, 318), displacement=(178, 157),
            displacement_control=(150, 140), area_weights=(0.9, 1.2, 1.6, 1.5))
    np.testing.assert_allclose([r.estimate, r.se, r.z, r.low, r.high],
                               [-99.69444444, 35.4280755, -2.813995483, -169.1321965, -30.25669241],
                               rtol=0, atol=1e-7)


@pytest.mark.filterwarnings("ignore")  # a saturated model fits perfectly, as intended
def test_before_after_equals_poisson_glm_interaction():
    t0, t1, c0, c1 = 100, 70, 400, 390
    r = before_after(t0, t1, c0, c1)
    df = pd.DataFrame({"y": [t0, t1, c0, c1], "target": [1, 1, 0, 0], "after": [0, 1, 0, 1]})
    df["both"] = df.target * df.after
    X = sm.add_constant(df[["target", "after", "both"]].astype(float))
    fit = sm.GLM(df.y, X, family=sm.families.Poisson()).fit()
    lo, hi = np.exp(fit.conf_int().loc["both"])
    assert r.ratio == pytest.approx(np.exp(fit.params["both"]))
    assert (r.low, r.high) == (pytest.approx(lo), pytest.approx(hi))
    assert r.p_value == pytest.approx(fit.pvalues["both"])
    assert r.summary.startswith("Relative to the comparison areas, crime in the target area was 0.72 times")


def test_before_after_zero_has_no_interval():
    r = before_after(0, 4, 30, 28)
    assert np.isnan(r.low) and "without an interval" in r.summary


def test_choose_comparison_areas_same_borough_similar_baseline():
    areas = pd.DataFrame({
        "area": ["T", "a", "b", "c", "d", "e"],
        "borough": ["X", "X", "X", "X", "Y", "X"],
        "baseline": [40, 70, 22, 41, 40, 0],
    })
    got = choose_comparison_areas(areas, "T", k=2)
    assert got["area"].tolist() == ["c", "a"]  # |ln 41/40| < |ln 70/40| < |ln 22/40|; d, e out
    assert choose_comparison_areas(areas, "T", k=5, exclude=["c"])["area"].tolist() == ["a", "b"]
