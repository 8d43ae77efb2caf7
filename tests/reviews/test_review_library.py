"""The library part of a review (no Django): quarters, figures equal to the live analytics,
changes tested against statsmodels, revisions."""

from __future__ import annotations

import math

import pytest
from numpy.testing import assert_allclose

from openbeat.analytics import review as lib
from openbeat.analytics.result import jsonable
from tests.reviews.conftest import PREVIOUS, QUARTER


def test_quarters():
    q = lib.Quarter.parse("2025-Q4")
    assert (q.first, q.last, str(q.shift(1)), str(q.shift(-4))) == ("2025-10", "2025-12", "2026-Q1", "2024-Q4")
    assert q.last_day.isoformat() == "2025-12-31" and lib.Quarter.parse("2024-Q1").last_day.isoformat() == "2024-03-31"
    assert q.label() == "2025-Q4 (October to December 2025)"
    with pytest.raises(lib.BadQuarter, match="'2025-13' is not a quarter; write YYYY-Qn"):
        lib.Quarter.parse("2025-13")


def test_latest_quarters_are_whole_quarters_of_the_lake(nb_store):
    assert [str(q) for q in lib.latest_quarters(nb_store, 4)] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


def test_review_figures_equal_the_live_figures(nb_store, ward):
    from openbeat.analytics.hotspots import hotspots
    from openbeat.analytics.profiles import area_profile
    from openbeat.analytics.scorecard import scorecard
    from openbeat.analytics.stopsearch import stop_search
    from openbeat.analytics.trust import trust

    f = lib.review_figures(nb_store, ward, QUARTER)
    s = f["sections"]
    borough = nb_store.area(ward).borough_code
    assert s["crime"] == jsonable(area_profile(nb_store, ward, "2025-10", "2025-12").as_dict())
    assert s["crime_year"] == jsonable(area_profile(nb_store, ward, "2025-01", "2025-12").as_dict())
    assert s["scorecard"] == jsonable(scorecard(nb_store, borough, "2025-10", "2025-12").as_dict())
    assert s["stop_search"] == jsonable(stop_search(nb_store, ward, "2025-10", "2025-12").as_dict())
    assert s["stop_search_year"] == jsonable(stop_search(nb_store, ward, "2025-01", "2025-12").as_dict())
    assert s["trust"] == jsonable(trust(nb_store, ward, "2025-10", "2025-12").as_dict())
    hot = hotspots(nb_store, ward, "2025-10", "2025-12", permutations=lib.PERMUTATIONS).as_dict()
    assert s["hotspots"]["summary"] == jsonable(hot["summary"])
    # the headline count is the lake's own count of the quarter's crimes (anti-social behaviour apart)
    n = nb_store.cursor().execute(
        "SELECT sum(n) FROM crime_counts WHERE ward_code = ? AND month BETWEEN '2025-10-01' AND '2025-12-01' "
        "AND crime_type <> 'Anti-social behaviour'", [ward]).fetchone()[0]
    crimes = next(h for h in lib.headlines(f) if h["key"] == "crimes")
    assert crimes["value"] == n and crimes["statement"].startswith(f"{n:,} crimes were recorded in ")


def test_a_declined_figure_is_kept_as_its_sentence(nb_store, ward):
    f = lib.review_figures(nb_store, ward, "2031-Q1")
    assert all(set(v) == {"declined"} for k, v in f["sections"].items() if k != "trust")
    assert f["sections"]["crime"]["declined"].startswith("the lake holds no street-level crime for ")
    # the survey's own rule: the latest quarter published before, saying so
    assert "No PAS quarter ends in 2031-01 to 2031-03" in " ".join(f["sections"]["trust"]["notes"])
    crimes = next(h for h in lib.headlines(f) if h["key"] == "crimes")
    assert crimes["value"] is None and crimes["statement"].startswith("No crime figure: ")


def _head(key, value, **kw):
    return {"key": key, "label": key, "value": value, "theme": "", "statement": "", "method": "", **kw}


def test_changes_are_tested_like_statsmodels():
    from statsmodels.stats.proportion import test_proportions_2indep
    from statsmodels.stats.rates import test_poisson_2indep

    before = [_head("crimes", 2682), _head("find_rate", 71 / 339, k=71, n=339),
              _head("black_white_ratio", 3.83, low=2.9, high=5.06), _head("trust", 0.73)]
    after = [_head("crimes", 2901), _head("find_rate", 78 / 369, k=78, n=369),
             _head("black_white_ratio", 3.94, low=2.96, high=5.24), _head("trust", 0.71)]
    out = {c["key"]: c for c in lib.changes(before, after, previous_label=PREVIOUS, current_label=QUARTER)}
    ref = test_poisson_2indep(2682, 1, 2901, 1, method="etest")
    assert_allclose(out["crimes"]["p_value"], ref.pvalue, rtol=1e-6)
    # a quarter against the previous one crosses seasons: no verdict from it, and this review
    # carries no change against a year earlier, so it cannot tell
    assert out["crimes"]["verdict"] == "cannot tell" and out["crimes"]["statement"] == (
        "crimes: 2,901 in 2025-Q4 against 2,682 in 2025-Q3 (p = 0.0034), but the two quarters are different "
        "seasons, so that is not like with like. Like for like, there is no comparison with the same months a "
        "year earlier, so no verdict is given.")
    ref = test_proportions_2indep(78, 369, 71, 339, method="score", compare="diff")
    assert_allclose(out["find_rate"]["p_value"], ref.pvalue, rtol=1e-9)
    assert out["find_rate"]["verdict"] == "no significant change"
    # the ratio: log ratios differ by ln(3.94/3.83); each SE from its Katz interval
    se1, se2 = (math.log(5.06 / 2.9)) / (2 * 1.959963984540054), (math.log(5.24 / 2.96)) / (2 * 1.959963984540054)
    z = math.log(3.94 / 3.83) / math.hypot(se1, se2)
    assert_allclose(out["black_white_ratio"]["p_value"], math.erfc(abs(z) / math.sqrt(2)), rtol=1e-12)
    assert out["trust"]["verdict"] == "not tested" and "publishes no sample sizes" in out["trust"]["statement"]


def test_crime_verdict_is_like_for_like_not_quarter_on_quarter():
    """The demo's force review (X09000001, 2025-Q4): 6,878 crimes against 7,116 in 2025-Q3 pass the
    E-test (p = 0.044), but Q3 is summer; against 2024-Q4 (6,680, about 3% more) there is no clear change."""
    from openbeat.analytics import wording
    from openbeat.stats.change import compare_counts

    yoy = compare_counts(6680, 6878, label1="2024-10 to 2024-12", label2="2025-10 to 2025-12")
    assert yoy.direction == "no significant change"
    before = [_head("crimes", 7116)]
    after = [_head("crimes", 6878, direction=yoy.direction, p_value=yoy.p_value,
                   like_for_like=wording.crime_change(yoy.as_dict()).lead)]
    c = lib.changes(before, after, previous_label=PREVIOUS, current_label=QUARTER)[0]
    assert round(c["p_value"], 3) == 0.044  # the quarter-on-quarter test, still shown
    assert c["verdict"] == "no significant change"
    assert c["statement"] == (
        "crimes: 6,878 in 2025-Q4 against 7,116 in 2025-Q3 (p = 0.044), but the two quarters are different seasons, "
        "so that is not like with like. Like for like, about the same as the same months a year earlier: 6,878 "
        "crimes against 6,680 (about 3% more), within normal year-to-year variation.")
    # a real like-for-like fall is still called better
    down = compare_counts(7500, 6878, label1="2024-10 to 2024-12", label2="2025-10 to 2025-12")
    after = [_head("crimes", 6878, direction=down.direction, like_for_like=wording.crime_change(down.as_dict()).lead)]
    assert lib.changes(before, after, previous_label=PREVIOUS, current_label=QUARTER)[0]["verdict"] == "better"


def test_commitments_met_or_not():
    before = [{"id": 1, "title": "Burglary", "adopted_on": "2025-08-01", "outcome": None},
              {"id": 2, "title": "Bikes", "adopted_on": "2025-09-01", "outcome": None},
              {"id": 3, "title": "Proposed only", "adopted_on": None}]
    now = [{"id": 1, "title": "Burglary", "adopted_on": "2025-08-01", "outcome": "resolved", "summary": "Fewer"},
           {"id": 2, "title": "Bikes", "adopted_on": "2025-09-01", "outcome": None}]
    assert [(c["title"], c["verdict"]) for c in lib.commitments(before, now)] == [
        ("Burglary", "met"), ("Bikes", "still open")]


def test_revisions_and_state_changes():
    frozen = [_head("crimes", 2701), _head("find_rate", 0.2114), _head("trust", 0.71)]
    live = [_head("crimes", 2712), _head("find_rate", 0.2114), _head("trust", 0.71)]
    assert lib.revisions(frozen, live) == ["crimes: 2,701 when published, 2,712 now"]
    then = {"partitions": {"crimes/nb/2025-10": "a", "crimes/nb/2023-01": "x"}, "reference": {"areas": "1"}}
    now = {"partitions": {"crimes/nb/2025-10": "b", "crimes/nb/2023-01": "y", "crimes/nb/2026-01": "c"},
           "reference": {"areas": "1"}}
    assert lib.state_changes(then, now, first="2024-01", last="2025-12") == [
        "nb's street crimes for 2025-10 re-published"]


@pytest.mark.parametrize("counts, said", [
    ((1, 1, 1), "Residents proposed 1 priority; the team adopted 1 and 1 was closed as resolved."),
    ((3, 2, 0), "Residents proposed 3 priorities; the team adopted 2 and 0 were closed as resolved."),
])
def test_the_priorities_statement_agrees_with_its_numbers(nb_store, ward, counts, said):
    f = lib.review_figures(nb_store, ward, "2031-Q1")  # every lake figure declined: only the community's
    proposed, adopted, resolved = counts
    community = {"engagement": {"events_held": 0, "attended": 0, "proposed": proposed, "adopted": adopted,
                                "resolved": resolved}}
    row = next(h for h in lib.headlines(f, community) if h["key"] == "priorities")
    assert (row["value"], row["statement"]) == (adopted, said)
