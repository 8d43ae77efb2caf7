"""Highest crime, lowest trust: harm intervals, uncertainty-aware classes, the demo's planted pattern."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
from scipy import stats

from openbeat.analytics import harm as harm_lib
from openbeat.analytics.targeting import classify, harm_interval, targeting
from openbeat.stats.disproportionality import poisson_interval


def test_equal_weights_give_the_exact_poisson_interval():
    table = {ct: 5.0 for ct in harm_lib.CRIME_TYPES if ct != harm_lib.ASB} | {harm_lib.ASB: None}
    for x in (0, 1, 7, 40):
        harm, low, high = harm_interval({"Shoplifting": x, harm_lib.ASB: 99}, table)
        lo, hi = poisson_interval(x)
        assert (harm, low, high) == pytest.approx((5 * x, 5 * lo, 5 * hi), rel=1e-10)


def test_fay_feuer_by_hand():
    # 2 robberies (365 days) and 10 shoplifting (5): y = 780, v = 2 x 365^2 + 10 x 25 = 266,700, w_M = 365.
    # Fay & Feuer's limits are gamma quantiles: shape y^2 / v, scale v / y (and y + w_M, v + w_M^2 above).
    y, v, wm = 780.0, 266_700.0, 365.0
    low = stats.gamma.ppf(0.025, y * y / v, scale=v / y)
    high = stats.gamma.ppf(0.975, (y + wm) ** 2 / (v + wm**2), scale=(v + wm**2) / (y + wm))
    assert harm_interval({"Robbery": 2, "Shoplifting": 10}) == pytest.approx((780.0, low, high), rel=1e-10)
    assert (round(low), round(high)) == (115, 2676)


def test_harm_interval_covers_at_least_95_percent():
    """Fay & Feuer's interval is conservative: simulate small weighted Poisson mixes."""
    rng = np.random.default_rng(7)
    table = harm_lib.default_table()
    means = {"Robbery": 0.8, "Burglary": 3.0, "Violence and sexual offences": 6.0, "Shoplifting": 10.0}
    truth = sum(table[ct] * m for ct, m in means.items())
    below = above = 0  # truth below the interval (it was called too high), or above it
    for _ in range(2000):
        _, low, high = harm_interval({ct: int(rng.poisson(m)) for ct, m in means.items()}, table)
        below += truth < low
        above += truth > high
    # Each tail at most its nominal 2.5% (measured: 0.85% and 0%): "high" is never called too easily.
    assert below / 2000 <= 0.025 and above / 2000 <= 0.025


def rows_for(areas):
    """Rows for classify() from (code, residents, counts, trust, trust_low, trust_high)."""
    out = []
    for code, pop, counts, t, tl, th in areas:
        harm, low, high = harm_interval(counts)
        k = 1000 / pop
        out.append({"code": code, "name": code, "harm_rate": harm * k, "harm_low": low * k, "harm_high": high * k,
                    "trust": t, "trust_low": tl, "trust_high": th})
    return out


def test_a_tiny_area_is_not_called_high_on_noise():
    typical = {"Violence and sexual offences": 30, "Burglary": 10, "Shoplifting": 20}  # 1,430 days per 10,000
    peers = [(f"P{i}", 10_000, typical, 0.75, 0.71, 0.79) for i in range(6)]
    # 300 residents and one robbery: 1,217 days per 1,000, eight times the peers' 143, on one event.
    tiny = ("TINY", 300, {"Robbery": 1}, 0.60, 0.45, 0.80)  # and few survey answers: a wide interval
    # The same rate from 10,000 residents is no accident.
    big = ("BIG", 10_000, {"Robbery": 33, "Shoplifting": 3}, 0.60, 0.57, 0.63)
    ranked = {r["code"]: r for r in classify(rows_for([*peers, tiny, big]))}
    assert ranked["TINY"]["harm_rate"] > 8 * ranked["P0"]["harm_rate"]
    assert ranked["TINY"]["crime_class"] == "not distinguishable"
    assert ranked["TINY"]["trust_class"] == "not distinguishable"
    assert ranked["BIG"]["crime_class"] == "high" and ranked["BIG"]["trust_class"] == "low"
    assert ranked["BIG"]["rank"] == 1 and ranked["BIG"]["priority"] == "high crime, low trust"
    assert {ranked[f"P{i}"]["crime_class"] for i in range(6)} == {"not distinguishable"}


def test_demo_boroughs_highest_crime_lowest_trust_come_first(store):
    r = targeting(store, "borough", first="2025-01", last="2025-12")
    ranked = r.main_table
    # The demo plants PAS trust falling with crime per resident (Spearman < -0.8): the two
    # boroughs with the lowest trust are also above the others' harm rate, beyond noise.
    lowest_trust = {x["name"] for x in sorted(ranked, key=lambda x: x["trust"])[:2]}
    assert {x["name"] for x in ranked[:2]} == lowest_trust == {"Northbridge upon Mere", "Northbridge Central"}
    assert all(x["tier"] == 1 and x["crime_class"] == "high" and x["trust_class"] == "low" for x in ranked[:2])
    assert [x["code"] for x in ranked[:2]] == [f["code"] for f in r.summary["first"]]
    assert {x["name"]: x["tier"] for x in ranked[2:]} == {"Northbridge West": 2, "Northbridge Docks": 5,
                                                          "Northbridge Heath": 5}
    for x in ranked:
        others = [y["harm_rate"] for y in ranked if y is not x]
        assert x["peers_median_harm_rate"] == pytest.approx(float(np.median(others)))
        assert x["harm_low"] < x["harm_rate"] < x["harm_high"]


def test_demo_wards_with_surveys_put_the_planted_hotspots_first(store, planted):
    hot = [planted["night_time_economy_hotspot"]["ward_code"], planted["drug_market_hotspot"]["ward_code"]]
    wards = store.areas("ward")
    rng = np.random.default_rng(11)
    # Every ward surveyed (80 answers) near 75%, the two planted hotspots at 45%.
    p = np.where(np.isin([w.code for w in wards], hot), 0.45, 0.75)
    resp = pd.DataFrame({"ward_code": [w.code for w in wards], "yes": rng.binomial(80, p), "n": 80})
    r = targeting(store, "ward", first="2025-01", last="2025-12", responses=resp)
    top = r.main_table[:2]
    assert {x["code"] for x in top} == set(hot)
    assert all(x["tier"] == 1 and x["trust_source"] == "ward survey (shrunk to the borough)" for x in top)
    assert sum(x["tier"] == 1 for x in r.main_table) == 2
    assert r.summary["borrowed_trust"] == 0


def test_without_surveys_wards_borrow_and_cannot_be_told_apart_on_trust(store, planted):
    heath = planted["burglary_priority"]["borough_code"]
    r = targeting(store, "ward", within=heath, first="2025-01", last="2025-12")
    assert len(r.main_table) == len(store.areas("ward", within=heath))
    assert {x["trust_class"] for x in r.main_table} == {"not distinguishable"}
    assert {x["trust_source"] for x in r.main_table} == {"PAS (borrowed from the borough)"}
    assert r.summary["first"] == [] and "No ward is distinguishably" in r.summary["summary"]
    ranks = [x["rank"] for x in r.main_table]
    assert ranks == list(range(1, len(ranks) + 1))
    with pytest.raises(ValueError, match="level must be 'ward' or 'borough'"):
        targeting(store, "lsoa21")
