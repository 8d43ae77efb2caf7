"""The scorecard agrees with the figures the other methods give for the same area and period."""

from __future__ import annotations

import pytest

from openbeat.analytics.profiles import area_profile
from openbeat.analytics.scorecard import scorecard
from openbeat.analytics.stopsearch import stop_search
from openbeat.analytics.trust import trust


@pytest.fixture(scope="module")
def card(store):
    return scorecard(store, "northbridge", "2025-01", "2025-12")


def test_every_borough_and_ward_has_a_row(store, card):
    assert {r["code"] for r in card.tables["boroughs"]} == {b.code for b in store.areas("borough")}
    assert {r["code"] for r in card.tables["wards"]} == {w.code for w in store.areas("ward")}
    assert card.summary["wards_crime_down"] + card.summary["wards_crime_up"] + \
        card.summary["wards_no_significant_change"] + card.summary["wards_e_test_only"] == len(card.tables["wards"])


def test_a_ward_counts_as_up_or_down_only_when_wheeler_agrees(card):
    """70 wards each tested at p < 0.05: about 3.5 pass the E-test by chance alone. Ashby (535 to 471,
    E-test p = 0.044, Wheeler's z = -2.86) passes the E-test only, so it is shown but not counted;
    the 6 wards whose z is beyond ±3 as well are."""
    from statsmodels.stats.rates import test_poisson_2indep

    s = card.summary
    assert (s["wards_crime_down"], s["wards_crime_up"], s["wards_e_test_only"], s["wards_no_significant_change"],
            s["false_alarms_expected"]) == (1, 5, 1, 63, 3.5)
    ashby = next(r for r in card.tables["wards"] if r["code"] == "X05000026")
    assert (ashby["crimes_previous_year"], ashby["crimes_compared"]) == (535, 471)
    assert ashby["crime_change_p"] == pytest.approx(test_poisson_2indep(535, 1, 471, 1, method="etest").pvalue)
    assert round(ashby["crime_change_p"], 3) == 0.044 and round(ashby["crime_change_wheeler_z"], 2) == -2.86
    assert (ashby["crime_change"], ashby["crime_shift"]) == ("down", None)
    shifted = sorted((r["name"], r["crime_shift"]) for r in card.tables["wards"] if r["crime_shift"])
    assert shifted == [("Farthing", "up"), ("Hawkshead Green", "up"), ("Larkrise", "down"), ("Spital", "up"),
                       ("Tidemill", "up"), ("Towngate", "up")]
    assert ("With 70 wards each tested, about 3.5 would pass the E-test (p < 0.05) by chance alone, so a ward is "
            "counted as up or down only when Wheeler's z is beyond ±3 as well: a clear shift. A ward whose E-test "
            "alone passes is shown as such, not counted.") in card.notes


def test_crime_figures_equal_the_area_profiles(store, card):
    for row in card.tables["boroughs"] + card.tables["wards"][:10]:
        p = area_profile(store, row["code"], "2025-01", "2025-12")
        assert row["crimes"] == p.summary["crimes"]
        assert row["harm_days"] == pytest.approx(p.summary["harm_days"])
        assert row["crimes_per_1000"] == pytest.approx(p.summary["crimes_per_1000"])
        assert row["crime_change"] == p.summary["change"]["direction"]
        assert row["crime_change_p"] == pytest.approx(p.summary["change"]["p_value"])


def test_standards_and_trust_equal_their_own_methods(store, card):
    for row in card.tables["boroughs"]:
        s = stop_search(store, row["code"], "2025-01", "2025-12").summary
        assert row["black_white_ratio"] == pytest.approx(s["black_white_ratio"]["ratio"])
        assert (row["ratio_low"], row["ratio_high"]) == pytest.approx(
            (s["black_white_ratio"]["ratio_low"], s["black_white_ratio"]["ratio_high"]))
        assert row["standards_measure"] == "find rate"  # the demo force records linked outcomes
        assert row["standards_rate"] == pytest.approx(s["find_rate"]["value"])
        level = trust(store, row["code"], "2025-01", "2025-12", measure="Trust MPS").summary["level"]
        assert (row["trust"], row["trust_low"], row["trust_high"]) == pytest.approx(
            (level["level"], level["low"], level["high"]))
        assert row["trust_change"] == pytest.approx(level["change_on_year_points"] / 100)
    # Wards borrow their borough's PAS figure and say so.
    ward = card.tables["wards"][0]
    borough = next(b for b in card.tables["boroughs"] if b["code"] == ward["borough_code"])
    assert ward["trust"] == borough["trust"] and "borrowed" in ward["trust_source"]
    assert ward["black_white_ratio"] is None and ward["standards_measure"] in ("arrest rate", None)


def test_only_forces_and_boroughs(store):
    ward = store.areas("ward")[0]
    with pytest.raises(ValueError, match="covers a force or a borough"):
        scorecard(store, ward.code)


def test_each_ward_row_gives_the_find_and_arrest_rates_of_the_wards_own_figure(store, card):
    """Wards carry the find and arrest rates their stop-and-search figure gives (the API and the
    CLI too, not only the page), over the scorecard's months."""
    rows = [w for w in card.tables["wards"] if w["searches"]]
    assert len(rows) >= 10
    for w in rows:
        s = stop_search(store, w["code"], card.period["from"], card.period["to"]).summary
        find, arrest = s["find_rate"], s["arrest_rate"]
        assert (w.get("find_rate"), w.get("find_low"), w.get("find_high")) == (
            (find["value"], find["low"], find["high"]) if find["status"] == "ok" else (None, None, None))
        assert (w.get("arrest_rate"), w.get("arrest_low"), w.get("arrest_high")) == (
            (arrest["value"], arrest["low"], arrest["high"]) if arrest["status"] == "ok" else (None, None, None))
    assert sum(w.get("find_rate") is not None for w in rows) >= 10
