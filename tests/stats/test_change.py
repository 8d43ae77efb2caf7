"""Two-period change: E-test equal to statsmodels, Wheeler's z, monthly comparisons."""

import itertools

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.rates import test_poisson_2indep as sm_test_poisson_2indep

from openbeat.stats.change import (compare_counts, monthly_counts, poisson_etest, poisson_etests,
                                       prepare_comparisons, rolling_12_months, year_on_year)

COUNTS = [0, 1, 2, 3, 5, 8, 13, 30, 75, 200]


def reference_p(c1, t1, c2, t2):
    with np.errstate(all="ignore"):  # statsmodels divides 0/0 for its ratio when both are 0
        return sm_test_poisson_2indep(c1, t1, c2, t2, method="etest").pvalue


@pytest.mark.parametrize("t1,t2", [(1, 1), (12, 11), (1, 3)])
def test_etest_equals_statsmodels_on_a_grid(t1, t2):
    worst = max(abs(poisson_etest(c1, t1, c2, t2)[1] - reference_p(c1, t1, c2, t2))
                for c1, c2 in itertools.product(COUNTS, COUNTS))
    assert worst < 1e-9


@pytest.mark.parametrize("c1,c2", [(1800, 1950), (2400, 2300)])
def test_etest_equals_statsmodels_for_large_counts(c1, c2):
    assert abs(poisson_etest(c1, 1, c2, 1)[1] - reference_p(c1, 1, c2, 1)) < 1e-9


def test_etests_together_are_each_etest_to_the_bit():
    tests = [(c1, t1, c2, t2) for (t1, t2) in [(1.0, 1.0), (12, 11), (1, 3)]
             for c1, c2 in itertools.product(COUNTS + [1800, 2400], COUNTS + [1950, 2300])]
    together = poisson_etests(tests)
    assert len(together) == len(tests)
    for test, (stat, p) in zip(tests, together):
        alone = poisson_etest(*test)
        assert (np.float64(stat).tobytes(), np.float64(p).tobytes()) == (
            np.float64(alone[0]).tobytes(), np.float64(alone[1]).tobytes()), test
    assert poisson_etests([(120, 1, 160, 1)])[0][1] == pytest.approx(0.0168, abs=5e-5)
    assert poisson_etests([(7, 1, 7, 1)]) == [(0.0, 1.0)]  # equal counts: nothing to sum
    assert poisson_etests([]) == []
    with pytest.raises(ValueError, match="whole count"):
        poisson_etests([(1.5, 1, 2, 1)])


def test_prepared_comparisons_are_the_same_comparisons():
    pairs = [(31, 45), (200, 170), (0, 3), (31, 45)]
    prepare_comparisons(pairs)
    for c1, c2 in pairs:
        ch = compare_counts(c1, c2)
        assert (ch.statistic, ch.p_value) == poisson_etest(c1, 1.0, c2, 1.0)


def test_compare_counts_whole_result():
    ch = compare_counts(120, 160, label1="2023-04", label2="2024-04")
    assert (ch.c1, ch.c2, ch.direction, ch.flag) == (120, 160, "up", True)
    assert ch.ratio == pytest.approx(4 / 3)
    assert ch.z == pytest.approx(2 * (np.sqrt(160) - np.sqrt(120)))  # 3.389
    assert ch.p_value == pytest.approx(reference_p(120, 1, 160, 1), abs=1e-12)
    assert ch.summary == (
        "Up: 160 in 2024-04 against 120 in 2023-04 (rate ratio 1.33). Poisson E-test p = 0.017: "
        "a change this large is unlikely to be chance alone. Wheeler's z = 3.39 is beyond ±3: "
        "a clear shift.")


def test_no_significant_change_and_wheeler_within_3():
    ch = compare_counts(40, 48)
    assert ch.direction == "no significant change" and not ch.flag
    assert ch.summary == (
        "No significant change: 48 in the second period against 40 in the first period "
        "(rate ratio 1.20, Poisson E-test p = 0.40); a difference this size often happens by "
        "chance. Wheeler's z = 1.21 is within ±3, so it is not flagged as a clear shift.")


def test_down_zero_and_unequal_periods():
    down = compare_counts(30, 8)
    assert down.direction == "down" and down.z == pytest.approx(2 * (np.sqrt(8) - np.sqrt(30)))
    assert np.isinf(compare_counts(0, 9).ratio)
    none = compare_counts(0, 0)
    assert np.isnan(none.ratio) and none.p_value == 1.0 and none.direction == "no significant change"
    uneven = compare_counts(30, 40, t1=12, t2=11)
    assert uneven.z is None and not uneven.flag  # Wheeler's z needs equal periods
    assert uneven.ratio == pytest.approx((40 / 11) / (30 / 12))
    with pytest.raises(ValueError, match="whole count"):
        compare_counts(2.5, 3)


def test_monthly_counts_fill_zeros_but_not_uncovered_months():
    dates = ["2024-01-05", "2024-01-20", "2024-03-02"]
    s = monthly_counts(dates)
    assert s.index.astype(str).tolist() == ["2024-01", "2024-02", "2024-03"]
    assert s.tolist() == [2.0, 0.0, 1.0]
    s = monthly_counts(dates, months=["2024-01", "2024-03", "2024-04"])
    assert s.index.astype(str).tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert s.iloc[1] != s.iloc[1] and s.iloc[3] == 0.0  # Feb not published: NaN, April: 0
    with pytest.raises(ValueError, match="outside the covered months"):
        monthly_counts(dates, months=["2024-01"])


def test_monthly_counts_put_bst_midnight_searches_in_their_london_month():
    # police.uk stop-and-search dates are UTC: 23:15 on 31 March UTC is 00:15 on 1 April BST.
    s = monthly_counts(pd.to_datetime(["2024-03-31T23:15:00+00:00", "2024-04-02T10:00:00+00:00"]))
    assert s.index.astype(str).tolist() == ["2024-04"] and s.tolist() == [2.0]


def test_year_on_year_and_rolling_12_months():
    idx = pd.period_range("2022-01", "2024-03", freq="M")
    counts = pd.Series(np.arange(len(idx)) + 50.0, index=idx)
    counts[pd.Period("2023-02", "M")] = np.nan  # a month the force did not publish
    yoy = year_on_year(counts)
    assert yoy["period"].tolist()[:2] == ["2023-01", "2023-03"]  # 2023-02 skipped
    assert "2024-02" not in yoy["period"].tolist()  # its comparator is missing
    row = yoy.set_index("period").loc["2024-03"]
    assert (row.compared_with, row.c1, row.c2) == ("2023-03", 64, 76)
    assert row.p_value == pytest.approx(reference_p(64, 1, 76, 1), abs=1e-12)
    roll = rolling_12_months(counts)
    # Every 24-month window in this series contains the missing 2023-02: none is compared.
    assert roll.empty
    full = counts.fillna(63.0)
    roll = rolling_12_months(full)
    assert roll["period"].tolist() == ["2023-01 to 2023-12", "2023-02 to 2024-01",
                                       "2023-03 to 2024-02", "2023-04 to 2024-03"]
    last = roll.iloc[-1]
    assert (last.compared_with, last.c1, last.c2) == ("2022-04 to 2023-03", sum(range(53, 65)),
                                                      sum(range(65, 77)))


@pytest.mark.parametrize("mu", [1e-3, 0.5, 3.7, 12.0, 150.3, 1289.0, 5000.5, 1e5])
def test_the_poisson_functions_are_scipy_stats_value_for_value(mu):
    """The E-test sums scipy.special's Poisson functions exactly as scipy.stats.poisson does."""
    from scipy import stats

    from openbeat.stats.change import _poisson_cdf, _poisson_pmf, _poisson_sf

    k = np.arange(-3.0, 2 * mu + 60)
    np.testing.assert_array_equal(_poisson_cdf(k, mu), stats.poisson.cdf(k, mu))
    np.testing.assert_array_equal(_poisson_sf(k, mu), stats.poisson.sf(k, mu))
    np.testing.assert_array_equal(_poisson_pmf(k[k >= 0], mu), stats.poisson.pmf(k[k >= 0], mu))
