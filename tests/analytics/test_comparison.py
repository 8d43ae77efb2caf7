"""Comparing areas with funnel limits: counts and rates from the lake, limits from exact Poisson."""

from __future__ import annotations

from datetime import date

import pytest
from scipy import stats

from openbeat.analytics.comparison import compare_areas


def test_ward_rates_and_limits(store, northbridge):
    r = compare_areas(store, "ward", first="2025-01", last="2025-12", crime_type="Burglary", overdispersion=False)
    con = northbridge.connect()
    raw = dict(con.execute(
        "SELECT w.ward_code, count(*) FROM crimes c JOIN lsoa_wards w ON c.lsoa_code = w.lsoa21_code "
        "WHERE c.crime_type = 'Burglary' AND c.month BETWEEN ? AND ? GROUP BY 1",
        [date(2025, 1, 1), date(2025, 12, 1)]).fetchall())
    rows = {row["code"]: row for row in r.tables["areas"]}
    total = sum(row["count"] for row in rows.values())
    population = sum(row["population"] for row in rows.values())
    theta = total / population
    for code, row in rows.items():
        assert row["count"] >= raw.get(code, 0)  # plus rows placed through 2011 LSOA codes
        assert row["rate_per_1000"] == pytest.approx(row["count"] / row["population"] * 1000)
        # Exact Poisson 95% limit for this population, as a rate (Spiegelhalter 2005 interpolates the
        # discrete quantile, so the limit lies between neighbouring integer quantiles).
        e = theta * row["population"]
        q = stats.poisson.ppf(0.975, e)
        assert (q - 1) / row["population"] * 1000 <= row["upper_95"] <= (q + 1) / row["population"] * 1000
        above = row["rate_per_1000"] > row["upper_95"]
        assert row["classification"].startswith("above") == above
    assert r.summary["overall_rate_per_1000"] == pytest.approx(theta * 1000)


def test_overdispersion_widens_the_limits_and_is_the_default_when_phi_exceeds_one(store):
    plain = compare_areas(store, "ward", first="2025-01", last="2025-12", overdispersion=False)
    wide = compare_areas(store, "ward", first="2025-01", last="2025-12", overdispersion=True)
    default = compare_areas(store, "ward", first="2025-01", last="2025-12")
    assert wide.summary["overdispersion_applied"] and wide.summary["phi"] > 1
    assert default.tables["areas"] == wide.tables["areas"] and default.summary["limits"] == "overdispersed"
    assert plain.summary["limits"] == "poisson"
    assert any(n.startswith("Limits drawn: Poisson (chance alone), as asked") for n in plain.notes)
    assert wide.summary["above_limits"] + wide.summary["below_limits"] < plain.summary["above_limits"] + plain.summary["below_limits"]


def test_within_a_borough_and_bad_input(store):
    borough = store.areas("borough")[0]
    r = compare_areas(store, "ward", within=borough.code)
    assert {row["code"] for row in r.tables["areas"]} == {w.code for w in store.areas("ward", within=borough.code)}
    with pytest.raises(ValueError, match="level must be"):
        compare_areas(store, "street")
