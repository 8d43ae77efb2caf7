"""Did it work? The demo's burglary priority that worked and ASB priority that did not."""

from __future__ import annotations


import pytest

from openbeat.analytics.did_it_work import did_it_work, neighbours
from openbeat.analytics.profiles import area_profile
from openbeat.stats.wdd import before_after, wdd


def count(store, ward, crime_type, first, last):
    rows = area_profile(store, ward, first, last).tables["by_crime_type"]
    return next(r["count"] for r in rows if r["crime_type"] == crime_type)


def test_the_burglary_priority_that_worked(store, planted):
    p = planted["burglary_priority"]
    r = did_it_work(store, p["ward_code"], p["adopted"], "Burglary")
    s = r.summary
    assert (s["before"], s["after"]) == ("2024-04 to 2025-03", "2025-04 to 2025-12")
    assert s["target_before"] == count(store, p["ward_code"], "Burglary", "2024-04", "2025-03")
    assert s["target_after"] == count(store, p["ward_code"], "Burglary", "2025-04", "2025-12")
    ratio = s["before_after_ratio"]
    assert ratio["high"] < 1 and ratio["p_value"] < 0.05
    assert ratio["low"] < p["kept_after"] < ratio["high"]  # the planted 60% is inside the interval
    assert s["wdd"]["estimate"] < 0 and s["wdd"]["z"] < -1.96
    assert s["verdict"].startswith("Burglary in Larkrise fell by more than chance alone would explain")
    assert "consistent with the action working" in s["verdict"]
    roles = {row["role"]: row for row in r.tables["areas"]}
    assert roles["comparison"]["wards"] == 5
    # The statistics are the stats module's on the counts shown.
    ref = before_after(s["target_before"], s["target_after"], s["comparison_before"], s["comparison_after"])
    assert (ratio["ratio"], ratio["low"], ratio["high"]) == pytest.approx((ref.ratio, ref.low, ref.high))


def test_the_asb_priority_that_did_nothing(store, planted):
    p = planted["asb_priority_without_effect"]
    r = did_it_work(store, p["neighbourhood_id"], p["adopted"], "Anti-social behaviour")  # by neighbourhood id
    s = r.summary
    assert r.area["code"] == p["ward_code"]
    assert s["before_after_ratio"]["low"] < 1 < s["before_after_ratio"]["high"]
    assert abs(s["wdd"]["z"]) < 1.96
    assert s["verdict"].startswith("No evidence of a change in anti-social behaviour in Saltings")
    assert "does not show the action failed" in s["verdict"]


def test_comparisons_are_same_borough_and_neighbours_are_kept_apart(store, planted):
    p = planted["burglary_priority"]
    r = did_it_work(store, p["ward_code"], p["adopted"], "Burglary")
    wards = {w.code: w for w in store.areas("ward")}
    roles: dict[str, set] = {}
    for row in r.tables["wards"]:
        roles.setdefault(row["role"], set()).add(row["ward_code"])
    assert all(wards[c].borough_code == p["borough_code"] for c in roles["comparison"])
    near = set(neighbours(store, p["ward_code"]))
    assert near and roles.get("displacement", set()) == near
    assert not near & roles["comparison"] and not near & roles.get("displacement comparison", set())
    for c in near:  # sharing a boundary is mutual
        assert p["ward_code"] in neighbours(store, c)
    assert p["ward_code"] not in near


def test_wdd_is_the_stats_function_on_scaled_counts(store, planted):
    p = planted["burglary_priority"]
    controls = sorted(w.code for w in store.areas("ward", within=p["borough_code"]))[:3]
    controls = [c for c in controls if c != p["ward_code"]]
    r = did_it_work(store, p["ward_code"], p["adopted"], "Burglary", comparison=controls, displacement=False,
                    before_months=6, after_months=6)
    s = r.summary
    t0, t1, c0, c1 = s["target_before"], s["target_after"], s["comparison_before"], s["comparison_after"]
    assert (s["before"], s["after"]) == ("2024-10 to 2025-03", "2025-04 to 2025-09")
    ref = wdd(target=(t0, t1), control=(c0, c1), area_weights=(c0 / t0, 1, 1, 1))
    # Equal periods, controls scaled to the target's size: WDD = T1 - T0 - (C1 - C0) T0 / C0.
    assert s["wdd"]["estimate"] == pytest.approx(t1 - t0 - (c1 - c0) * t0 / c0)
    assert (s["wdd"]["estimate"], s["wdd"]["se"], s["wdd"]["z"]) == pytest.approx((ref.estimate, ref.se, ref.z))
    assert [row["role"] for row in r.tables["areas"]] == ["target", "comparison"]


def test_errors_say_what_to_change(store, planted):
    p = planted["burglary_priority"]
    with pytest.raises(ValueError, match="did not publish 2022-10"):
        did_it_work(store, p["ward_code"], "2023-10", "Burglary")  # 12 months before the lake starts
    with pytest.raises(ValueError, match="unknown crime type 'Burglaries'"):
        did_it_work(store, p["ward_code"], p["adopted"], "Burglaries")
    with pytest.raises(ValueError, match="evaluate a ward"):
        did_it_work(store, p["borough_code"], p["adopted"])
    with pytest.raises(ValueError, match="no month from 2026-02 on"):
        did_it_work(store, p["ward_code"], "2026-02")
