"""The wording of every verdict, pinned whole (docs/wording.md is the style guide).

The counts go through the real tests (:func:`openbeat.stats.change.compare_counts`), so a
sentence here is what a page shows for those counts.
"""

from __future__ import annotations

import pytest

from openbeat.analytics import wording as w
from openbeat.stats.change import compare_counts

E_TEST = " (Krishnamoorthy & Thomson 2004; Wheeler 2016.)"


@pytest.mark.parametrize("c1, c2, lead, how", [
    (3121, 2887,
     "About 7% fewer crimes than the same months a year earlier (2,887 against 3,121): more than normal "
     "year-to-year variation.",
     "Rate ratio 0.93. Poisson E-test p = 0.003: a change this large is unlikely to be chance alone. Wheeler's "
     "z = -4.27 is beyond ±3: a clear shift."),
    (20000, 20600,
     "A small rise: about 3% more crimes than the same months a year earlier (20,600 against 20,000). It is small, "
     "but more than normal year-to-year variation.",
     "Rate ratio 1.03. Poisson E-test p = 0.003: a change this large is unlikely to be chance alone. Wheeler's "
     "z = 4.21 is beyond ±3: a clear shift."),
    (843, 803,
     "About the same as the same months a year earlier: 803 crimes against 843 (about 5% fewer), within normal "
     "year-to-year variation.",
     "Rate ratio 0.95. Poisson E-test p = 0.32: a difference this size often happens by chance. Wheeler's z = -1.39 "
     "is within ±3, so it is not flagged as a clear shift."),
    (100, 100,
     "About the same as the same months a year earlier: 100 crimes against 100, within normal year-to-year "
     "variation.",
     "Rate ratio 1.00. Poisson E-test p = 1.00: a difference this size often happens by chance. Wheeler's z = 0.00 "
     "is within ±3, so it is not flagged as a clear shift."),
    (0, 5, "5 crimes recorded, against none in the same months a year earlier.",
     "Poisson E-test p = 0.02: a change this large is unlikely to be chance alone. Wheeler's z = 4.47 is beyond "
     "±3: a clear shift."),
])
def test_crime_change(c1, c2, lead, how):
    v = w.crime_change(compare_counts(c1, c2).as_dict())
    assert v.lead == lead
    assert v.how == how + E_TEST


def test_no_crimes_either_year_has_no_test():
    assert w.crime_change(compare_counts(0, 0).as_dict()) == w.Verdict("No crimes were recorded in either period.")


@pytest.mark.parametrize("c1, c2, cell", [
    (3121, 2887, "About 7% fewer"), (20000, 20600, "About 3% more (small)"),
    (68, 61, "No clear change (about 10% fewer, within chance)"), (100, 100, "No clear change"),
])
def test_change_size_in_a_table_cell(c1, c2, cell):
    assert w.change_size(compare_counts(c1, c2).as_dict()) == cell


def test_disproportionality():
    v = w.disproportionality({"ratio": 3.94, "ratio_low": 3.41, "ratio_high": 4.56},
                             area_name="Northbridge Central", level="borough")
    assert v.lead == ("In Northbridge Central, Black residents were searched about 3.9 times as often as White "
                      "residents, for their numbers.")
    assert v.how == ("Rate ratio 3.94, 95% interval 3.41 to 4.56 (Katz log method): searches per 1,000 residents of "
                     "each self-defined ethnic group a year, over Census 2021 residents. The interval treats each "
                     "search as a different person, so it is too narrow where people are searched more than once.")
    assert w.disproportionality({"ratio": 0.62, "ratio_low": 0.41, "ratio_high": 0.93}, area_name="X",
                                level="borough").lead == (
        "In X, Black residents were searched less often than White residents, for their numbers (about 0.6 times "
        "the rate).")
    assert w.disproportionality({"ratio": 1.2, "ratio_low": 0.8, "ratio_high": 1.6}, area_name="X",
                                level="borough").lead == (
        "In X, Black residents were searched about 1.2 times as often as White residents, for their numbers. The "
        "figures cannot tell this apart from no difference.")


def test_a_declined_ratio_says_why_and_gives_the_boroughs():
    ward = w.disproportionality({"ratio": None, "note": "declined"}, area_name="Brackenfield South", level="ward",
                                borough={"borough": "Northbridge Central", "ratio": 3.94, "ratio_low": 3.41,
                                         "ratio_high": 4.56})
    assert ward.lead == ("We can't compare search rates between ethnic groups for one ward: the Census counts "
                         "residents by ethnic group only for whole boroughs. Across Northbridge Central, Black "
                         "residents were searched about 3.9 times as often as White residents, for their numbers.")
    assert ward.how.startswith("Rate ratio 3.94, 95% interval 3.41 to 4.56")
    assert w.disproportionality({"ratio": None}, area_name="F", level="force") == w.Verdict(
        "We can't compare search rates between ethnic groups in F: no residents by ethnic group are loaded for it.")


def test_hotspots():
    v = w.hotspots({"hot_99": 2, "hot_95": 1, "cold_99": 0, "cold_95": 1, "cells": 1234, "unit": "250 m grid cells",
                    "share_of_crime_in_top_5pct_of_cells": 0.381, "permutations": 9999})
    assert v.lead == ("Crime clusters in 3 small patches of the area, more than chance would give (3 of 1,234 grid "
                      "cells). The busiest 5% of the area holds 38% of its crime.")
    assert v.how == ("Getis-Ord Gi* on 250 m grid cells: 2 hot spot cells at the 99% level, 1 at 95%, and 1 cold "
                     "spot cell, controlling the false discovery rate across all cells (Benjamini & Hochberg 1995); "
                     "p-values from 9,999 permutations.")
    none = w.hotspots({"hot_99": 0, "hot_95": 0, "cells": 40, "unit": "250 m grid cells"})
    assert none.lead == "No patch of the area stands out once chance is allowed for."


def test_trust_names_the_force_and_the_survey_and_says_1_point():
    v = w.trust({"measure": "Trust MPS", "quarter": "2025-Q4", "level": 0.71, "low": 0.66, "high": 0.75,
                 "change_on_year_points": -1}, area_name="Northbridge Central", force="Northbridge Police",
                survey=w.survey_name("metropolitan"))
    assert v.lead == ("71% of people asked in Northbridge Central say Northbridge Police is an organisation they can "
                      "trust (the quarter to December 2025), 1 point lower than a year earlier.")
    assert v.how == ("From MOPAC's Public Attitude Survey. Indicative 95% interval 66% to 75%, assuming about 400 "
                     "interviews behind each figure; survey weighting makes the real interval wider. The change on a "
                     "year is descriptive, with no test: the survey publishes no sample sizes.")
    same = w.trust({"measure": "Listen to concerns", "quarter": "2025-Q4", "level": 0.5, "change_on_year_points": 0},
                   area_name="B")
    assert same.lead == ("50% of people asked in B say the police listen to the concerns of local people (the "
                         "quarter to December 2025), the same as a year earlier.")
    assert w.trust(None, area_name="B").lead == "There is no survey figure for B."


def test_compare_and_charged():
    v = w.compare({"areas": 69, "above_limits": 1, "below_limits": 2, "overall_rate_per_1000": 52.34,
                   "limits": "overdispersed"}, period_words="January 2025 to December 2025")
    assert v.lead == ("Of 69 areas, 1 has more crime than chance would give an area of its size, and 2 less, from "
                      "January 2025 to December 2025. Across all of them: 52.3 crimes per 1,000 residents a year.")
    assert v.how.endswith("widened because areas differ for reasons beyond chance (overdispersion).")
    assert w.charged(0.083) == ("About 1 in 12 of the crimes recorded here (8.3%) led to a charge or summons, as far "
                                "as police.uk shows.")
    assert w.charged(None) == "No outcomes are recorded for these crimes."


def test_did_it_work_leads_with_the_answer():
    s = {"crime_type": "Burglary", "before_after_ratio": {"ratio": 0.59, "low": 0.42, "high": 0.85, "p_value": 0.004},
         "wdd": {"estimate": -50.5, "z": -2.14, "p_value": 0.03}}
    v = w.did_it_work(s, area_name="Larkrise")
    assert v.lead == ("Yes, probably: burglary in Larkrise ended up about 41% lower than the comparison wards' trend "
                      "predicts, about 50 fewer crimes since, more than chance would give. Other causes can't be "
                      "ruled out.")
    assert v.how == ("Before/after ratio 0.59 (95% interval 0.42 to 0.85, p = 0.004); weighted displacement "
                     "difference -50.5 crimes (z = -2.14, p = 0.03; Wheeler & Ratcliffe 2018).")
    s["wdd"]["p_value"] = 0.2
    assert w.did_it_work(s, area_name="Larkrise").lead.startswith("Not clear yet: burglary in Larkrise is about 41% "
                                                                 "lower")


@pytest.mark.parametrize("value, words", [(2887, "2,887"), (12.34, "12.3"), (None, "–")])
def test_numbers(value, words):
    assert w.number(value) == words


def test_months_and_points():
    assert w.period("2025-01", "2025-12") == "January 2025 to December 2025"
    assert w.months_in_words("152 crimes from 2024-04 to 2025-03") == "152 crimes from April 2024 to March 2025"
    assert (w.points(1), w.points(-3)) == ("1 point", "3 points")


def test_large_changes_are_said_as_times_and_none_as_none():
    assert w.crime_change(compare_counts(1, 8).as_dict()).lead == (
        "About 8 times as many crimes as the same months a year earlier (8 against 1): more than normal "
        "year-to-year variation.")
    assert w.crime_change(compare_counts(10, 25).as_dict()).lead.startswith("About 2.5 times as many crimes as")
    assert w.crime_change(compare_counts(12, 0).as_dict()).lead == (
        "No crimes recorded, against 12 in the same months a year earlier: more than normal year-to-year variation.")
    assert w.change_size(compare_counts(12, 0).as_dict()) == "None, from 12"
    assert w.change_size(compare_counts(2, 0).as_dict()) == "No clear change (none, from 2, within chance)"


def test_targeting():
    s = {"level": "ward", "first": [{"code": "A", "name": "Ash"}, {"code": "B", "name": "Birch"}],
         "trust_separates_wards": True}
    assert w.targeting(s).lead == ("2 wards stand out as both higher in crime and lower in trust than the others, "
                                   "allowing for uncertainty: Ash and Birch. The plan puts them first.")
    none = w.targeting({"level": "ward", "first": [], "trust_separates_wards": False}, top=["Ash", "Birch", "Cedar"])
    assert none.lead == ("No ward stands out as both higher in crime and lower in trust than the others once "
                         "uncertainty is allowed for; highest on the two together: Ash, Birch and Cedar.")
    assert none.how.endswith("Every ward here borrows its borough's trust figure, so trust does not tell these "
                             "wards apart.")
