"""Allocation of officers and PCSOs to the demo's wards: totals, minimums, order, caps, errors."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from openbeat.analytics.allocation import allocation_plan
from openbeat.analytics.profiles import area_profile
from openbeat.stats.apportion import allocate, need_score


@pytest.fixture(scope="module")
def heath(planted):
    return planted["burglary_priority"]["borough_code"]


def test_need_is_each_wards_harm_and_shares_follow_largest_remainder(store, heath):
    r = allocation_plan(store, heath, officers=60, pcsos=30, first="2025-01", last="2025-12")
    rows = r.main_table
    assert [x["ward_code"] for x in rows] == sorted(w.code for w in store.areas("ward", within=heath))
    for x in rows:  # harm from the area profile of each ward, an independent route
        assert x["harm_days"] == pytest.approx(area_profile(store, x["ward_code"], "2025-01", "2025-12")
                                               .summary["harm_days"])
        assert x["need"] == x["harm_days"]
    need = [x["need"] for x in rows]
    assert [x["officers"] for x in rows] == allocate(60, need, 2).allocated.tolist()
    assert [x["pcsos"] for x in rows] == allocate(30, need, 1).allocated.tolist()
    assert sum(x["officers"] for x in rows) == 60 and sum(x["pcsos"] for x in rows) == 30
    assert sum(x["need_share"] for x in rows) == pytest.approx(1.0)
    assert r.summary["method_officers"] == "largest remainder"


@pytest.mark.parametrize("officers,pcsos", [(32, 16), (33, 17), (47, 20), (100, 41), (333, 99)])
def test_totals_minimums_and_order_in_need(store, heath, officers, pcsos):
    rows = allocation_plan(store, heath, officers, pcsos, first="2025-01", last="2025-12").main_table
    assert sum(x["officers"] for x in rows) == officers and sum(x["pcsos"] for x in rows) == pcsos
    assert min(x["officers"] for x in rows) >= 2 and min(x["pcsos"] for x in rows) >= 1
    by_need = sorted(rows, key=lambda x: x["need"])
    for a, b in zip(by_need, by_need[1:]):  # more need never means fewer people
        assert a["officers"] <= b["officers"] and a["pcsos"] <= b["pcsos"]
    for x in rows:
        assert abs(x["officers"] - x["officers_exact"]) < 1 and abs(x["pcsos"] - x["pcsos_exact"]) < 1


def test_deterministic(store, heath):
    a = allocation_plan(store, heath, 61, 29, first="2025-01", last="2025-12")
    b = allocation_plan(store, heath, 61, 29, first="2025-01", last="2025-12")
    assert a.as_dict() == b.as_dict()


def test_trust_weighting_uses_the_trust_deficit(store, heath):
    wards = sorted(store.areas("ward", within=heath), key=lambda w: w.code)
    rng = np.random.default_rng(5)
    resp = pd.DataFrame({"ward_code": [w.code for w in wards], "yes": rng.binomial(60, 0.7, len(wards)), "n": 60})
    r = allocation_plan(store, heath, 60, 30, trust_weight=1.0, responses=resp, first="2025-01", last="2025-12")
    rows = r.main_table
    harm = np.array([x["harm_days"] for x in rows])
    trust = np.array([x["trust"] for x in rows])
    assert {x["trust_source"] for x in rows} == {"ward survey (shrunk to the borough)"}
    np.testing.assert_allclose([x["need"] for x in rows], need_score(harm, trust, 1.0))
    assert [x["officers"] for x in rows] == allocate(60, need_score(harm, trust, 1.0), 2).allocated.tolist()


def test_caps_use_the_integer_programme(store, heath):
    r = allocation_plan(store, heath, 60, 30, caps=5, pcso_caps={"X05000024": 2}, first="2025-01", last="2025-12")
    rows = r.main_table
    assert r.summary["method_officers"] == "milp" and r.summary["method_pcsos"] == "milp"
    assert max(x["officers"] for x in rows) <= 5 and sum(x["officers"] for x in rows) == 60
    assert next(x for x in rows if x["ward_code"] == "X05000024")["pcsos"] <= 2
    assert sum(x["pcsos"] for x in rows) == 30
    with pytest.raises(ValueError, match="pcso_caps name ward"):
        allocation_plan(store, heath, 60, 30, pcso_caps={"X05999999": 2})


def test_too_few_people_for_the_minimums_is_a_clear_error(store, heath):
    n = len(store.areas("ward", within=heath))
    with pytest.raises(ValueError) as e:
        allocation_plan(store, heath, officers=2 * n - 1, pcsos=50)
    assert str(e.value) == (f"{2 * n - 1} officers cannot give each of the {n} wards of Northbridge Heath its "
                            f"minimum of 2 ({2 * n} needed); allocate at least {2 * n} officers or lower the minimum")
    with pytest.raises(ValueError, match=f"cannot give each of the {n} wards of Northbridge Heath its minimum of 3"):
        allocation_plan(store, heath, officers=100, pcsos=3 * n - 1, minimum_pcsos=3)
    with pytest.raises(ValueError, match="no trust figure"):
        allocation_plan(store, heath, 60, 30, trust_weight=1, measure="Not a measure")
