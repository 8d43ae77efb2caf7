"""Funnel-plot limits (Spiegelhalter 2005) against hand computation and published values."""

import numpy as np
import pytest
from scipy import stats

from openbeat.stats.funnel import estimate_phi, funnel, poisson_count_limit


def test_spiegelhalter_interpolated_limits_by_hand():
    # E = 10, upper 97.5%: y = 17, F(17) = 0.985722, F(16) = 0.972958,
    # alpha = (0.985722 - 0.975) / (0.985722 - 0.972958) = 0.840049, limit 16.159951.
    f17, f16 = stats.poisson.cdf(17, 10), stats.poisson.cdf(16, 10)
    assert f17 == pytest.approx(0.9857224, abs=1e-7) and f16 == pytest.approx(0.9729584, abs=1e-7)
    assert poisson_count_limit(10, 0.975) == pytest.approx(17 - (f17 - 0.975) / (f17 - f16), abs=1e-12)
    assert poisson_count_limit(10, 0.975) == pytest.approx(16.159951, abs=1e-6)
    # Lower 2.5%: y = 4, F(4) = 0.029253, F(3) = 0.010336 → 3.775188.
    assert poisson_count_limit(10, 0.025) == pytest.approx(3.775188, abs=1e-6)
    # 99.8%: 20.662001 and 1.220529.
    assert poisson_count_limit(10, 0.999) == pytest.approx(20.662001, abs=1e-6)
    assert poisson_count_limit(10, 0.001) == pytest.approx(1.220529, abs=1e-6)


def test_chisq_limits_equal_funnelplotr_published_values():
    # FunnelPlotR tests/testthat/test-poisson_limits.R: expected 15, 20, 30, target 1.
    e = np.array([15.0, 20.0, 30.0])
    np.testing.assert_allclose(poisson_count_limit(e, 0.025, "chisq") / e,
                               [0.5596924, 0.6108260, 0.6746958], atol=5e-8)
    np.testing.assert_allclose(poisson_count_limit(e, 0.975, "chisq") / e,
                               [1.649348, 1.544419, 1.427562], atol=5e-7)
    np.testing.assert_allclose(poisson_count_limit(e, 0.001, "chisq") / e,
                               [0.3862650, 0.4479107, 0.5289724], atol=5e-8)
    np.testing.assert_allclose(poisson_count_limit(e, 0.999, "chisq") / e,
                               [2.082907, 1.902094, 1.702771], atol=5e-7)


def test_areas_whole_table():
    f = funnel([30, 300, 12, 90, 0], [2000, 20000, 2500, 4000, 0], labels=list("ABCDE"))
    theta = 432 / 28500
    assert f.theta == pytest.approx(theta) and f.rate == pytest.approx(theta * 1000)
    a = f.areas.set_index("area")
    assert a["classification"].tolist() == ["within", "within", "below 99.8%", "above 99.8%",
                                            "no population"]
    assert a.loc["D", "z"] == pytest.approx((90 / 4000 - theta) / np.sqrt(theta / 4000))
    assert a.loc["A", "upper_95"] == pytest.approx(
        poisson_count_limit(theta * 2000, 0.975) / 2000 * 1000)
    assert a.loc["B", "lower_998"] == pytest.approx(
        poisson_count_limit(theta * 20000, 0.001) / 20000 * 1000)
    assert not f.overdispersed


def test_limits_narrow_as_population_grows():
    f = funnel([30, 300, 12, 90], [2000, 20000, 2500, 4000])
    c = f.curve(50)
    assert (np.diff(c["upper_95"]) <= 1e-12).all() and (np.diff(c["lower_95"]) >= -1e-12).all()
    assert (c["upper_998"] >= c["upper_95"]).all() and (c["lower_998"] <= c["lower_95"]).all()


def test_overdispersion_phi_by_hand_and_widened_limits():
    rng = np.random.default_rng(3)
    pop = rng.integers(3000, 15000, 20).astype(float)
    counts = rng.poisson(pop * 0.02 * rng.gamma(8, 1 / 8, 20))  # over-dispersed rates
    f = funnel(counts, pop, overdispersion=True)
    theta = counts.sum() / pop.sum()
    z = np.sort((counts / pop - theta) / np.sqrt(theta / pop))
    z[:2], z[-2:] = z[2], z[-3]  # 10% Winsorised at each end of 20: two each side
    assert f.phi == pytest.approx(np.mean(z**2))
    assert estimate_phi((counts / pop - theta) / np.sqrt(theta / pop)) == pytest.approx(f.phi)
    assert f.phi > 1 and f.overdispersed
    assert f.phi_p_value == pytest.approx(stats.chi2.sf(20 * f.phi, 19))
    a = f.areas
    half = stats.norm.ppf(0.975) * np.sqrt(f.phi * theta / pop)
    np.testing.assert_allclose(a["upper_95"], (theta + half) * 1000)
    np.testing.assert_allclose(a["lower_95"], np.maximum(theta - half, 0) * 1000)


def test_errors():
    with pytest.raises(ValueError, match="has crimes but no population"):
        funnel([3, 1], [100, 0], labels=["X", "Y"])
    with pytest.raises(ValueError, match="same length"):
        funnel([1, 2], [3])
