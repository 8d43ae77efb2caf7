"""Stop and search: rates, Katz disproportionality, find and arrest rates."""

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from openbeat.stats.disproportionality import (
    BROAD_GROUPS, CENSUS_2021_CATEGORIES, NOT_STATED, SELF_DEFINED_ETHNICITY, arrest_rate,
    broad_group, census_broad_populations, disproportionality, find_outcome_recorded, find_rate,
    outcome_rates, searches_by_group, wilson_interval)
from tests.conftest import needs_shared_data


def test_hand_computed_katz_example():
    # Black: 500 searches of 10,000 residents = 50 per 1,000; White: 300 of 60,000 = 5.
    # RR = 10; SE(ln RR) = sqrt(1/500 - 1/10000 + 1/300 - 1/60000) = sqrt(0.00521667)
    # = 0.0722265; 10 * exp(±1.96 * 0.0722265) = 8.680, 11.521.
    t = disproportionality({"Black": 500, "White": 300, "Asian": 0},
                           {"Black": 10_000, "White": 60_000, "Asian": 5_000}).set_index("group")
    black = t.loc["Black"]
    assert black.rate_per_1000 == 50.0 and black.ratio == pytest.approx(10.0)
    se = math.sqrt(1 / 500 - 1 / 10000 + 1 / 300 - 1 / 60000)
    assert se == pytest.approx(0.0722265, abs=1e-7)
    assert black.ratio_low == pytest.approx(8.680, abs=5e-4)
    assert black.ratio_high == pytest.approx(11.521, abs=5e-4)
    assert t.loc["White"].note == "reference group"
    asian = t.loc["Asian"]
    assert asian.ratio == 0 and np.isnan(asian.ratio_low)
    assert asian.note == "no searches in this group: ratio 0, no interval"
    # Exact Poisson interval on the rate: Garwood, chi2(0.025, 1000)/2 / 10,000 residents.
    assert black.rate_low == pytest.approx(45.712858, abs=1e-5)


def test_more_searches_than_residents_has_no_interval():
    t = disproportionality({"Black": 150, "White": 30}, {"Black": 100, "White": 1000}).set_index("group")
    assert t.loc["Black"].ratio == pytest.approx(50.0) and np.isnan(t.loc["Black"].ratio_high)
    assert "more searches than residents" in t.loc["Black"].note


def test_wilson_equals_statsmodels():
    for k, n in [(0, 10), (3, 10), (10, 10), (557, 67836), (1, 2)]:
        np.testing.assert_allclose(wilson_interval(k, n),
                                   proportion_confint(k, n, alpha=0.05, method="wilson"), atol=1e-12)
    # the bounds at k = 0 and k = n are 0 and 1 exactly, never a hair outside ("-0.0%" on a page)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    assert all(0.0 <= b <= 1.0 for k in range(0, 31) for b in wilson_interval(k, 30))


def test_mapping_covers_18_census_strings_plus_not_stated():
    assert len(SELF_DEFINED_ETHNICITY) == 19 and len(CENSUS_2021_CATEGORIES) == 19
    broad = [g for g, _ in SELF_DEFINED_ETHNICITY.values() if g]
    assert len(broad) == 18 and set(broad) == set(BROAD_GROUPS)
    cats = [c for _, cs in SELF_DEFINED_ETHNICITY.values() for c in cs]
    assert sorted(cats) == sorted(CENSUS_2021_CATEGORIES)  # every 2021 category, once
    assert broad_group("White - Any other White background") == "White"
    assert SELF_DEFINED_ETHNICITY["White - Any other White background"][1] == (
        "White: Roma", "White: Other White")
    assert broad_group("") == broad_group(None) == broad_group("Other ethnic group - Not stated") == NOT_STATED
    with pytest.raises(ValueError, match="unrecognised self-defined ethnicity 'Martian'"):
        broad_group("Martian")


def test_searches_by_group():
    s = searches_by_group(["White - Irish", "", None, "Other ethnic group - Not stated",
                           "Black/African/Caribbean/Black British - African",
                           "Asian/Asian British - Chinese"])
    assert s.to_dict() == {"Asian": 1, "Black": 1, "Mixed": 0, "White": 1, "Other": 0,
                           "Not stated": 3}


def test_census_codes_not_labels():
    df = pd.DataFrame({
        "Upper tier local authorities Code": ["E09000001"] * 8,
        "Upper tier local authorities": ["City of London"] * 8,
        "Ethnic group (8 categories) Code": [-8, 1, 2, 3, 4, 5, 6, 7],
        "Ethnic group": ["Does not apply", "Asian", "Black", "Mixed", "White British",
                         "White Other", "White Other", "Other"],
        "Observation": [0, 1445, 233, 469, 3649, 185, 2121, 483],
    })
    out = census_broad_populations(df).set_index("group")["population"].to_dict()
    assert out == {"Asian": 1445, "Black": 233, "Mixed": 469, "White": 3649 + 185 + 2121, "Other": 483}


def test_find_rate_blank_is_not_recorded_never_zero():
    r = find_rate(["", None, np.nan, pd.NA])
    assert (r.status, r.value, r.n) == ("not recorded", None, 0)
    r = find_rate([False] * 150)
    assert r.status == "not recorded" and "placeholder" in r.note
    r = find_rate([False] * 20)  # a small all-False sample is believable
    assert r.status == "ok" and r.value == 0.0
    r = find_rate([True, False, "True", "False", ""])
    assert (r.k, r.n, r.value, r.note) == (2, 4, 0.5, "recorded on 4 of 5 searches")
    assert (r.low, r.high) == pytest.approx(proportion_confint(2, 4, method="wilson"))
    assert find_outcome_recorded(["", "True"]) and not find_outcome_recorded([""])


def test_outcome_rates_by_group_judges_recording_per_force_month():
    df = pd.DataFrame({
        "force": ["city"] * 4 + ["met"] * 120,
        "month": ["2024-03"] * 124,
        "legislation": ["s23", "s23", "s1", "s1"] + ["s23"] * 120,
        "outcome": ["Arrest", "A no further action disposal", "Arrest", "Arrest"]
                   + ["Arrest"] * 20 + ["A no further action disposal"] * 100,
        "outcome_linked_to_object_of_search": [True, False, True, None] + [False] * 120,
    })
    t = outcome_rates(df, by="legislation").set_index("legislation")
    assert t.loc["s1"].to_dict() == {
        "searches": 2, "find_k": 1, "find_n": 1, "find_rate": 1.0, "find_low": pytest.approx(wilson_interval(1, 1)[0]),
        "find_high": pytest.approx(1.0), "find_status": "ok", "arrests": 2, "arrest_rate": 1.0,
        "arrest_low": pytest.approx(wilson_interval(2, 2)[0]), "arrest_high": pytest.approx(1.0)}
    # The Met's all-False column is not a record: only the City's two s23 searches count.
    assert (t.loc["s23"].find_k, t.loc["s23"].find_n, t.loc["s23"].searches) == (1, 2, 122)
    assert t.loc["s23"].arrests == 21
    assert arrest_rate(["", ""]).status == "not recorded"


@needs_shared_data
@pytest.mark.realdata
def test_real_met_files_mapping_find_rate_and_london_ratio(shared_data):
    months = [str(m) for m in pd.period_range("2023-04", "2024-03", freq="M")]
    frames = [pd.read_csv(shared_data / f"police_uk/archive/{m}/{m}-metropolitan-stop-and-search.csv.gz",
                          usecols=["Self-defined ethnicity", "Outcome", "Outcome linked to object of search"],
                          dtype=str, keep_default_na=False).assign(month=m) for m in months]
    met = pd.concat(frames, ignore_index=True)
    assert len(met) == 134_848
    searches = searches_by_group(met["Self-defined ethnicity"])  # every real string maps
    assert searches.to_dict() == {"Asian": 13448, "Black": 30011, "Mixed": 4605, "White": 38993,
                                  "Other": 4659, "Not stated": 43132}
    # Blank to 2024-01, a placeholder False on every row from 2024-02: never a 0% find rate.
    for m, g in met.groupby("month"):
        assert find_rate(g["Outcome linked to object of search"]).status == "not recorded", m
    census = pd.read_csv(shared_data / "population/ons_census2021_ethnicity_utla/Census_2021_ethnicity.csv")
    pop = census_broad_populations(census)
    met_area = pop[pop.area_code.str.startswith("E09") & (pop.area_code != "E09000001")]  # 32 boroughs
    assert met_area.area_code.nunique() == 32
    residents = met_area.groupby("group")["population"].sum()
    assert residents.to_dict() == {"Asian": 1816197, "Black": 1188141, "Mixed": 505304,
                                   "Other": 556287, "White": 4725217}
    t = disproportionality(searches.to_dict(), residents.to_dict()).set_index("group")
    black = t.loc["Black"]
    # 30,011 / 1,188,141 against 38,993 / 4,725,217: 25.26 against 8.25 per 1,000.
    assert black.ratio == pytest.approx((30011 / 1188141) / (38993 / 4725217))
    assert (round(black.ratio, 2), round(black.ratio_low, 2), round(black.ratio_high, 2)) == (3.06, 3.02, 3.11)
