"""The trust pulse: once per account per quarter, for the home ward; its weighting equals an
independent computation; and it replaces the borough-borrowed figure in the ward's trust."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from openbeat.surveys import selectors, services
from tests.priorities.conftest import make_user
from tests.web.conftest import NORTH, demo_lake, use_lake, web_lake  # noqa: F401

pytestmark = pytest.mark.django_db


def test_one_answer_per_account_per_quarter_for_the_home_ward(use_lake):
    u = make_user(home_ward_code=NORTH)
    a = services.pulse_answer_create(user=u, trust="fair_amount", age_band="25-34", sex="female")
    assert (a.ward_code, a.quarter) == (NORTH, selectors.this_quarter())
    with pytest.raises(ValidationError, match="already answered"):
        services.pulse_answer_create(user=u, trust="not_at_all")
    services.pulse_answer_create(user=u, trust="not_at_all", quarter="2020-Q1")  # another quarter is fine
    with pytest.raises(PermissionDenied, match="home ward"):
        services.pulse_answer_create(user=make_user(), trust="fair_amount")
    with pytest.raises(PermissionDenied, match="home ward only"):
        services.pulse_answer_create(user=make_user(home_ward_code=NORTH), ward_code="X05000002", trust="fair_amount")
    with pytest.raises(ValidationError, match="not an answer"):
        services.pulse_answer_create(user=make_user(home_ward_code=NORTH), trust="yes please")


def test_quarters():
    import datetime as dt

    assert [selectors.quarter_of(dt.date(2026, m, 1)) for m in (1, 3, 4, 12)] == ["2026-Q1", "2026-Q1", "2026-Q2",
                                                                                  "2026-Q4"]


def test_pulse_responses_weight_each_ward_as_an_independent_computation_does():
    """Twelve answers in one ward, raked to its age and sex margins; share, design effect,
    interval and the whole-answer counts handed to the shrinkage, all computed again here."""
    from openbeat.analytics.trust import pulse_responses
    from openbeat.stats.weighting import rake
    from tests.stats.test_weighting import AGE, AGREE, MARGINS, SEX

    bands = {"16-34": "25-34", "35-64": "45-54", "65+": "65+"}
    answers = pd.DataFrame({"ward_code": "W1", "age_band": [bands[a] for a in AGE], "sex": SEX,
                            "Trust MPS": AGREE})
    profiles = pd.DataFrame([{"ward_code": "W1", "age_band": bands[a], "sex": s, "population": pop * share}
                             for a, pop in MARGINS["age"].items()
                             for s, share in (("female", 5200 / 10500), ("male", 5300 / 10500))])
    got = pulse_responses(answers, profiles).iloc[0]
    w = rake({"age": AGE, "sex": SEX}, MARGINS).weights
    d = DescrStatsW(AGREE, weights=w)
    deff = len(w) * np.sum(w ** 2) / np.sum(w) ** 2
    n_eff = len(w) / deff
    assert got["share"] == pytest.approx(d.mean) and got["deff"] == pytest.approx(deff)
    assert (got["low"], got["high"]) == pytest.approx(proportion_confint(d.mean * n_eff, n_eff, method="wilson"))
    assert (got["n"], got["yes"]) == (round(n_eff), round(d.mean * round(n_eff)))
    assert got["used"] and got["answers"] == 12 and got["note"].startswith("raked to Census 2021 age and sex")
    few = pulse_responses(answers.head(9), profiles).iloc[0]
    assert not few["used"] and few["note"].startswith("only 9 answers (fewer than 10)")
    unweighted = pulse_responses(answers, None).iloc[0]
    assert unweighted["deff"] == 1 and unweighted["note"] == "not weighted: no age × sex profile loaded for the ward"


def _answer(ward, n_yes, n_no, quarter):
    for i in range(n_yes + n_no):
        u = make_user(home_ward_code=ward)
        services.pulse_answer_create(user=u, quarter=quarter, trust="great_deal" if i < n_yes else "not_at_all",
                                     good_job="good" if i < n_yes else "poor")


def test_the_pulse_replaces_the_borrowed_borough_figure_for_wards_with_enough_answers(demo_lake, settings, tmp_path):
    from openbeat.areas import area_figures, lookup
    from openbeat.surveys.responses import pulse_responses_write
    from openbeat.web.lake_access import get_store

    settings.OPENBEAT_DERIVED_DIR = tmp_path
    borough = lookup.area_list(level="borough", limit=1)[0][0]
    wards = lookup.area_list(level="ward", parent=borough.code, limit=3)[0]
    quarter = selectors.this_quarter()
    _answer(wards[0].code, 18, 2, quarter)  # trusting
    _answer(wards[1].code, 4, 16, quarter)  # not
    _answer(wards[2].code, 3, 3, quarter)  # too few: the borough's figure
    assert area_figures.ward_survey() is None  # nothing written yet: the pages read no database
    path = pulse_responses_write()
    assert area_figures.ward_survey() == path
    df = pd.read_csv(path)
    assert sorted(df[df["measure"] == "Trust MPS"]["ward_code"]) == sorted([wards[0].code, wards[1].code])
    assert pulse_responses_write() == path  # nothing new: the same file
    # the ward page's trust figure
    figs = {w.code: area_figures.get_figure("trust", w.code, None, None, responses=area_figures.ward_survey()) for w in wards}
    own = {c: f.result.summary["ward_estimate"] for c, f in figs.items()}
    assert own[wards[2].code] is None
    assert (own[wards[0].code]["n"], own[wards[1].code]["n"]) == (20, 20)  # unweighted: no profile, deff 1
    assert own[wards[0].code]["estimate"] > figs[wards[2].code].result.summary["level"]["level"] \
        > own[wards[1].code]["estimate"]
    # what the scorecard, the quadrant and the planner read
    from openbeat.analytics.trust import area_trust, trust_period

    store = get_store()
    t = area_trust(store, wards, trust_period(store, None, None), responses=path)
    assert [t[w.code].source for w in wards] == ["ward survey (shrunk to the borough)"] * 2 + [
        "PAS (borrowed from the borough)"]
    assert t[wards[0].code].value > t[wards[2].code].value > t[wards[1].code].value
