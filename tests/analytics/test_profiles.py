"""Area profiles on the synthetic city, checked against direct SQL and statsmodels."""

from __future__ import annotations

import math
from datetime import date

import pytest
from statsmodels.stats import rates as sm_rates

from openbeat.analytics import harm as harm_lib
from openbeat.analytics.profiles import Window, _trend, area_profile, previous_like
from openbeat.analytics.store import BadPeriod, Period, UnknownArea


def ward_named(store, prefix):
    return next(a for a in store.areas("ward") if a.name.startswith(prefix))


def raw_counts(lake, ward_code, first, last):
    """Counts per crime type for a ward, straight from the crimes view and the ONS-style lookup."""
    con = lake.connect()
    try:
        return dict(con.execute(
            """SELECT crime_type, count(*) FROM crimes c
               WHERE month BETWEEN ? AND ? AND (
                 lsoa_code IN (SELECT lsoa21_code FROM lsoa_wards WHERE ward_code = $w)
                 OR lsoa_code IN (SELECT l.lsoa11_code FROM lsoa_lookup l JOIN lsoa_wards w USING (lsoa21_code)
                                  WHERE l.is_best AND w.ward_code = $w
                                    AND l.lsoa11_code NOT IN (SELECT lsoa21_code FROM lsoa_wards)))
               GROUP BY 1""".replace("$w", "?"),
            [first, last, ward_code, ward_code]).fetchall())
    finally:
        con.close()


def test_ward_profile_counts_rates_harm_and_change(store, northbridge):
    ward = ward_named(store, "Larkrise")
    r = area_profile(store, ward.code, "2025-01", "2025-12")
    raw = raw_counts(northbridge, ward.code, date(2025, 1, 1), date(2025, 12, 1))
    raw_before = raw_counts(northbridge, ward.code, date(2024, 1, 1), date(2024, 12, 1))
    rows = {row["crime_type"]: row for row in r.tables["by_crime_type"]}
    for ct in harm_lib.CRIME_TYPES:
        assert rows[ct]["count"] == raw.get(ct, 0), ct
        assert rows[ct]["count_previous_year"] == raw_before.get(ct, 0), ct
    crimes = sum(n for ct, n in raw.items() if ct != harm_lib.ASB)
    assert r.summary["crimes"] == crimes
    assert r.summary["anti_social_behaviour"] == raw.get(harm_lib.ASB, 0)

    weights = harm_lib.default_table()
    assert r.summary["harm_days"] == pytest.approx(sum(n * weights[ct] for ct, n in raw.items() if ct != harm_lib.ASB))

    con = northbridge.connect()
    pop = con.execute("SELECT sum(p.population) FROM population p JOIN lsoa_wards w ON p.area_code = w.lsoa21_code "
                      "WHERE p.level = 'lsoa21' AND w.ward_code = ?", [ward.code]).fetchone()[0]
    assert r.summary["population"] == pop
    assert r.summary["crimes_per_1000"] == pytest.approx(crimes / pop * 1000)

    burglary = rows["Burglary"]
    c1, c2 = raw_before["Burglary"], raw["Burglary"]
    ref = sm_rates.test_poisson_2indep(c1, 1, c2, 1, method="etest")
    assert burglary["p_value"] == pytest.approx(ref.pvalue, abs=1e-9)
    assert burglary["wheeler_z"] == pytest.approx(2 * (math.sqrt(c2) - math.sqrt(c1)))


def test_the_planted_burglary_fall_is_found_and_the_asb_non_effect_is_not(store, planted):
    burglary, asb = planted["burglary_priority"], planted["asb_priority_without_effect"]
    after = area_profile(store, burglary["ward_code"], burglary["adopted"], "2025-12")
    row = next(r for r in after.tables["by_crime_type"] if r["crime_type"] == "Burglary")
    assert row["direction"] == "down" and row["p_value"] < 0.001 and row["flag"]
    assert row["ratio"] == pytest.approx(burglary["kept_after"], abs=0.2)
    quiet = area_profile(store, asb["ward_code"], asb["adopted"], "2025-12")
    row = next(r for r in quiet.tables["by_crime_type"] if r["crime_type"] == "Anti-social behaviour")
    assert row["direction"] == "no significant change"


def test_outcomes_shares_add_up_and_asb_has_none(store):
    ward = ward_named(store, "Larkrise")
    r = area_profile(store, ward.code, "2025-01", "2025-12")
    by_type: dict[str, float] = {}
    for row in r.tables["outcomes"]:
        by_type[row["crime_type"]] = by_type.get(row["crime_type"], 0) + row["share"]
    assert harm_lib.ASB not in by_type
    assert all(total == pytest.approx(1.0) for total in by_type.values())
    counts = {row["crime_type"]: row["count"] for row in r.tables["by_crime_type"]}
    for ct in by_type:
        assert sum(o["count"] for o in r.tables["outcomes"] if o["crime_type"] == ct) == counts[ct]


def test_force_and_borough_profiles_add_up(store):
    force = area_profile(store, "northbridge", "2025-01", "2025-12")
    boroughs = [area_profile(store, b.code, "2025-01", "2025-12") for b in store.areas("borough")]
    placed = sum(b.summary["crimes"] for b in boroughs)
    assert 0 < force.summary["crimes"] - placed < 0.01 * force.summary["crimes"]  # the few rows without location
    assert force.summary["population"] == sum(b.summary["population"] for b in boroughs)


def test_comparison_is_like_with_like_and_never_overlaps():
    p = Period(date(2024, 1, 1), date(2025, 12, 1))
    assert previous_like(p) == Period(date(2022, 1, 1), date(2023, 12, 1))
    q = Period(date(2025, 10, 1), date(2025, 12, 1))
    assert previous_like(q) == Period(date(2024, 10, 1), date(2024, 12, 1))


def test_unpublished_months_are_not_zero():
    months = [date(2024, m, 1) for m in range(1, 13)] + [date(2025, m, 1) for m in range(1, 13)]
    published = set(months) - {date(2024, 6, 1)}
    rows = [("f", m, "Burglary", "none", 10 if m.year == 2024 else 20) for m in published]
    trend = _trend(Window(rows, {"f": published}), Period(date(2025, 1, 1), date(2025, 12, 1)))
    june = next(t for t in trend if t["month"] == "2025-06")
    assert june["count"] == 20 and june["count_year_before"] is None and june["yoy_direction"] == "not comparable"
    july = next(t for t in trend if t["month"] == "2025-07")
    assert (july["count_year_before"], july["yoy_direction"]) == (10, "no significant change")
    assert all(t["rolling_12"] is None for t in trend if t["month"] < "2025-06")  # a year containing the gap


def test_a_month_one_force_missed_is_not_compared_and_counts_stay_whole():
    """Two forces; the second published 2024-03 and 2025-01 only: months compared need both forces."""
    months = [date(2024, m, 1) for m in range(1, 13)] + [date(2025, m, 1) for m in range(1, 13)]
    other = {date(2024, 3, 1), date(2025, 1, 1)}
    rows = [("own", m, "Burglary", "none", 10) for m in months] + [("btp", m, "Theft from the person", "none", 50)
                                                                 for m in other]
    w = Window(rows, {"own": set(months), "btp": other}, own=["own"])
    period, before = Period(date(2025, 1, 1), date(2025, 12, 1)), Period(date(2024, 1, 1), date(2024, 12, 1))
    assert w.pairs(period, before) == []  # btp never published a month and the month a year before it
    assert w.by_type(period) == {"Burglary": 120, "Theft from the person": 50}
    assert w.own_months(period) == 12
    by_force = {r["force"]: r for r in w.by_force(period, before)}
    assert (by_force["own"]["months_compared"], by_force["own"]["crimes_compared"]) == (12, 120)
    assert by_force["btp"]["direction"] == "not comparable"
    assert w.gaps(period, before) == ("btp did not publish 2024-01 to 2024-02, 2024-04 to 2024-12 and "
                                      "2025-02 to 2025-12")
    trend = {t["month"]: t for t in _trend(w, period)}
    assert trend["2025-01"]["count"] == 60 and trend["2025-01"]["yoy_direction"] == "not comparable"
    assert trend["2025-02"]["count"] == 10  # the own force published it: a count, but no comparison
    assert trend["2025-02"]["yoy_direction"] == "not comparable"


def test_bad_requests_say_what_is_wrong(store):
    with pytest.raises(UnknownArea, match="no area with code 'X05999999'"):
        area_profile(store, "X05999999")
    with pytest.raises(BadPeriod, match="'2025-13' is not a month"):
        area_profile(store, "northbridge", "2025-13", "2025-12")
    with pytest.raises(BadPeriod, match="starts \\(2025-06\\) after it ends \\(2025-01\\)"):
        area_profile(store, "northbridge", "2025-06", "2025-01")


def test_notes_say_which_period_they_are_true_of(store):
    """A ward page shows the 12-month profile (with its change) and a profile of every month held
    (for the chart), whose notes are merged: each period-bound note names its own period, and the
    longer profile's declined change names the months it was compared with (three years earlier)."""
    year = area_profile(store, "X05000002", "2025-01", "2025-12")
    held = area_profile(store, "X05000002", "2023-10", "2025-12")
    assert year.summary["change"]["direction"] == "no significant change"
    assert year.notes == [
        "Rates are per 1,000 residents per year; residents: Census 2021, residents by age (table TS007A), added "
        "up from the ward's small areas (2021 LSOAs), March 2021.",
        "Harm is in days of imprisonment per crime, a category-level approximation after the Cambridge Crime Harm "
        "Index (Sherman, Neyroud & Neyroud 2016); anti-social behaviour is not crime and is counted beside harm, "
        "never in it.",
        "Change compares 2025-01 to 2025-12 with the same months a year earlier (2024-01 to 2024-12) with the "
        "Poisson E-test (Krishnamoorthy & Thomson 2004); Wheeler's z flags only shifts beyond ±3.",
        "Outcomes are each crime's latest outcome in the outcomes files, linked by Crime ID, else the street file's "
        "last outcome category; shares count only crimes of forces that published outcomes for that month.",
        "Forces whose crimes are counted in 2025-01 to 2025-12: Northbridge Police (synthetic demo) (1,020 crimes).",
    ]
    assert held.summary["change"] is None
    assert held.notes[3:] == [
        "Forces whose crimes are counted in 2023-10 to 2025-12: Northbridge Police (synthetic demo) (2,358 crimes).",
        "No change is given: no month of 2023-10 to 2025-12 and the same month three years earlier (2020-10 to "
        "2022-12) were both published by every force whose crimes are counted here (Northbridge Police (synthetic "
        "demo) did not publish 2020-10 to 2022-12).",
    ]
    assert not any("Change compares" in n for n in held.notes)  # no method note for a change not given
