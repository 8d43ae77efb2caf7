"""Stop and search by area: a hand-computed tiny lake, the demo's planted ratios, the real Met year."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pyarrow as pa
import pytest
import shapely
from pyproj import Transformer
from statsmodels.stats.proportion import proportion_confint

from openbeat.analytics.stopsearch import stop_search
from openbeat.analytics.store import Store
from openbeat.ingest import ingest_paths
from openbeat.ingest.census import ETHNICITY_SCHEMA, POPULATION_SCHEMA
from openbeat.lake import Lake
from openbeat.stats.disproportionality import outcome_rates
from tests.conftest import SHARED_DATA, needs_shared_data

HEADER = ("Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
          "Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
          "Outcome linked to object of search,Removal of more than just outer clothing")
BA, BC, BO = ("Black/African/Caribbean/Black British - African", "Black/African/Caribbean/Black British - Caribbean",
              "Black/African/Caribbean/Black British - Any other Black/African/Caribbean background")
WB, WI, WO = ("White - English/Welsh/Scottish/Northern Irish/British", "White - Irish",
              "White - Any other White background")
S23, S1 = "Misuse of Drugs Act 1971 (section 23)", "Police and Criminal Evidence Act 1984 (section 1)"
DRUGS, STOLEN, WEAPONS = "Controlled drugs", "Stolen goods", "Offensive weapons"
ARREST, NFA = "Arrest", "A no further action disposal"
BOROUGH, W1, W2 = "X09000901", "X05000901", "X05000902"
LSOA_A, LSOA_B = "X01000901", "X01000902"
SQUARES = {LSOA_A: (530000, 180000), LSOA_B: (531000, 180000)}  # 1 km squares, BNG

# 2024-03, every field recorded: (where, ethnicity, legislation, object, outcome, linked)
MARCH = [
    (LSOA_A, BA, S23, DRUGS, ARREST, "True"), (LSOA_A, BA, S23, DRUGS, NFA, "False"),
    (LSOA_A, BC, S1, STOLEN, ARREST, "True"), (LSOA_A, BC, S1, STOLEN, NFA, "False"),
    (LSOA_A, BO, S23, DRUGS, "Community resolution", "True"), (LSOA_A, BA, S1, WEAPONS, NFA, "False"),
    (LSOA_A, WB, S23, DRUGS, ARREST, "True"), (LSOA_A, WB, S23, DRUGS, NFA, "False"),
    (LSOA_A, WB, S1, STOLEN, NFA, "False"), (LSOA_A, WI, S1, WEAPONS, NFA, "False"),
    (LSOA_A, "", S23, DRUGS, NFA, "False"), (LSOA_A, "Other ethnic group - Not stated", S23, DRUGS, ARREST, "True"),
    (LSOA_B, BA, S23, DRUGS, NFA, "False"), (LSOA_B, BC, S1, WEAPONS, ARREST, "True"),
    (LSOA_B, WO, S23, DRUGS, ARREST, "True"), *[(LSOA_B, WO, S23, DRUGS, NFA, "False")] * 5,
    (LSOA_B, "Asian/Asian British - Indian", S23, DRUGS, NFA, "False"),
    (None, BA, S23, DRUGS, NFA, "False"), (None, WB, S1, STOLEN, ARREST, "True"),
]
# 2024-01: a placeholder False on all 120 rows (20 of them in ward 2); 2024-02: the column left blank.
JANUARY = [(LSOA_B, WI, S1, STOLEN, NFA, "False")] * 20 + [(None, WI, S1, STOLEN, NFA, "False")] * 100
FEBRUARY = [(LSOA_A, WB, S1, STOLEN, ARREST, "")] + [(LSOA_A, WB, S1, STOLEN, NFA, "")] * 4


def _csv(month: str, rows) -> str:
    to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)
    lines = [HEADER]
    for i, (where, eth, leg, obj, outcome, linked) in enumerate(rows):
        lat = lon = ""
        if where:
            x, y = SQUARES[where]
            lon, lat = (f"{v:.6f}" for v in to_wgs.transform(x + 100 + 7 * (i % 100), y + 500))
        stamp = f"{month}-10T{10 + i // 60:02d}:{i % 60:02d}:00+00:00"
        lines.append(",".join(["Person search", stamp, "False", "", lat, lon, "Male", "18-24", eth, "White",
                               leg, obj, outcome, linked, "False"]))
    return "\n".join(lines) + "\n"


def build_tiny_lake(root) -> Lake:
    lake = Lake(root / "lake")
    files = []
    for month, rows in (("2024-01", JANUARY), ("2024-02", FEBRUARY), ("2024-03", MARCH)):
        f = root / f"{month}-testforce-stop-and-search.csv"
        f.write_text(_csv(month, rows))
        files.append(f)
    assert ingest_paths(files, lake=lake).ok
    squares = {c: shapely.box(x, y, x + 1000, y + 1000) for c, (x, y) in SQUARES.items()}
    lake.write_reference("areas", pa.table({
        "level": ["lsoa21", "lsoa21", "ward", "ward", "borough"],
        "code": [LSOA_A, LSOA_B, W1, W2, BOROUGH],
        "name": ["Tiny 001A", "Tiny 001B", "West Ward", "East Ward", "Tiny Borough"],
        "approximate": [False, False, True, True, True],
        "ward_code": [W1, W2, None, None, None],
        "borough_code": [BOROUGH] * 5,
        "geometry_bng": [shapely.to_wkb(squares[LSOA_A]), shapely.to_wkb(squares[LSOA_B]), None, None, None],
    }))
    lake.write_reference("lsoa_wards", pa.table({
        "lsoa21_code": [LSOA_A, LSOA_B], "ward_code": [W1, W2], "lad_code": [BOROUGH] * 2,
        "ward_vintage": ["WD22"] * 2, "lad_vintage": ["LAD22"] * 2}))
    census = date(2021, 3, 21)
    lake.write_reference("population", pa.Table.from_pylist([
        dict(area_code=c, area_name=c, level=lvl, geography_vintage=v, borough_code=b, source="census2021_ts007a",
             period=census, population=p, file="test")
        for c, lvl, v, b, p in ((LSOA_A, "lsoa21", "2021", None, 6000), (LSOA_B, "lsoa21", "2021", None, 8000),
                                (BOROUGH, "borough", None, BOROUGH, 14000))], schema=POPULATION_SCHEMA))
    groups = {-8: 0, 1: 1000, 2: 2000, 3: 500, 4: 8000, 5: 500, 6: 1500, 7: 500}
    broad = {1: "Asian", 2: "Black", 3: "Mixed", 4: "White", 5: "White", 6: "White", 7: "Other"}
    lake.write_reference("population_ethnicity", pa.Table.from_pylist([
        dict(area_code=BOROUGH, area_name="Tiny Borough", level="borough", ethnic_group_code=c, ethnic_group=str(c),
             broad_group=broad.get(c), label_as_published=str(c), population=p, period=census, file="test")
        for c, p in groups.items()], schema=ETHNICITY_SCHEMA))
    return lake


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return Store(build_tiny_lake(tmp_path_factory.mktemp("tiny")))


def rows_by(table, key):
    return {r[key]: r for r in table}


def test_hand_computed_borough_rates_ratios_finds_and_arrests(tiny):
    r = stop_search(tiny, BOROUGH, "2024-03", "2024-03")
    eth = rows_by(r.tables["by_ethnicity"], "group")
    # 21 searches placed in the borough: Black 8 of 2,000 residents, White 10 of 10,000, Asian 1, 2 not stated.
    assert {g: eth[g]["searches"] for g in eth} == {"Asian": 1, "Black": 8, "Mixed": 0, "White": 10, "Other": 0,
                                                    "Not stated": 2}
    # One month, so per year is x12: Black 8 / 2,000 x 1,000 x 12 = 48; White 10 / 10,000 x 12,000 = 12.
    assert eth["Black"]["rate_per_1000_per_year"] == pytest.approx(48.0)
    assert eth["White"]["rate_per_1000_per_year"] == pytest.approx(12.0)
    # Garwood interval on 8: chi2(0.025, 16) / 2 = 3.4538, chi2(0.975, 18) / 2 = 15.7632; x 6 per 1,000 a year.
    assert (eth["Black"]["rate_low"], eth["Black"]["rate_high"]) == pytest.approx((20.72299, 94.57914), abs=1e-4)
    # RR = (8 / 2000) / (10 / 10000) = 4; SE = sqrt(1/8 - 1/2000 + 1/10 - 1/10000) = 0.4737088;
    # 4 exp(-/+ 1.96 x 0.4737088) = 1.58063, 10.12253.
    black = r.summary["black_white_ratio"]
    assert (black["ratio"], black["ratio_low"], black["ratio_high"]) == pytest.approx((4.0, 1.58063, 10.12253),
                                                                                     abs=1e-5)
    assert eth["Asian"]["ratio"] == pytest.approx((1 / 1000) / (10 / 10000))
    assert eth["Mixed"]["ratio"] == 0 and eth["Mixed"]["note"] == "no searches in this group: ratio 0, no interval"
    detail = rows_by(r.tables["by_detailed_ethnicity"], "group")
    # White British 3 of 8,000, Irish 1 of 500, Gypsy/Roma/Other White 6 of 1,500, against all White 10 of 10,000.
    assert [round(detail[g]["ratio"], 6) for g in detail] == [0.375, 2.0, 4.0]
    assert r.summary["searches"] == 21 and r.summary["residents"] == 14000
    strings = {x["self_defined_ethnicity"]: x["searches"] for x in r.tables["by_self_defined_ethnicity"]}
    assert len(strings) == 20 and sum(strings.values()) == 21  # 18 census strings, Not stated, blank
    assert (strings[WO], strings[BA], strings["(blank)"], strings["Other ethnic group - Not stated"]) == (6, 4, 1, 1)
    assert r.summary["not_stated_share"] == pytest.approx(2 / 21)
    # Finds: 7 of 21 linked to the object; arrests 6 of 21 (Wilson, as statsmodels).
    assert r.summary["find_rate"]["value"] == pytest.approx(7 / 21)
    assert (r.summary["find_rate"]["low"], r.summary["find_rate"]["high"]) == pytest.approx(
        proportion_confint(7, 21, method="wilson"))
    assert r.summary["arrest_rate"]["value"] == pytest.approx(6 / 21)
    leg = rows_by(r.tables["by_legislation"], "legislation")
    assert (leg[S23]["searches"], leg[S23]["finds"], leg[S23]["arrests"]) == (15, 5, 4)
    assert (leg[S1]["searches"], leg[S1]["finds"], leg[S1]["arrests"]) == (6, 2, 2)
    obj = rows_by(r.tables["by_object_of_search"], "object_of_search")
    assert {k: v["searches"] for k, v in obj.items()} == {DRUGS: 15, STOLEN: 3, WEAPONS: 3}
    # Two searches had no coordinates: reported, in no ward.
    assert r.summary["searches_not_placed"] == 2
    assert {(p["geo_status"], p["searches"]) for p in r.tables["placement"]} == {("ok", 21), ("no_location", 2)}


def test_force_counts_every_search_placed_or_not(tiny):
    r = stop_search(tiny, "testforce", "2024-03", "2024-03")
    eth = rows_by(r.tables["by_ethnicity"], "group")
    assert r.summary["searches"] == 23 and (eth["Black"]["searches"], eth["White"]["searches"]) == (9, 11)
    assert r.summary["black_white_ratio"]["ratio"] == pytest.approx((9 / 2000) / (11 / 10000))
    assert (r.summary["find_rate"]["value"], r.summary["arrest_rate"]["value"]) == pytest.approx((8 / 23, 7 / 23))
    assert r.summary["residents"] == 14000


def test_find_outcome_is_judged_on_the_whole_force_month_never_zero(tiny):
    r = stop_search(tiny, BOROUGH, "2024-01", "2024-03")
    months = rows_by(r.tables["monthly"], "month")
    # January: all 120 rows False (a placeholder), though ward 2's 20 alone would look like "0 of 20";
    # February: the column left blank. Neither is a find rate of 0.
    assert (months["2024-01"]["searches"], months["2024-01"]["find_status"], months["2024-01"]["find_rate"]) == (
        20, "not recorded", None)
    assert months["2024-02"]["find_status"] == "not recorded" and months["2024-02"]["arrest_rate"] == 1 / 5
    assert months["2024-03"]["find_rate"] == pytest.approx(7 / 21)
    # Over the quarter only March's 21 searches count toward the find rate; arrests count all 46.
    assert r.summary["find_rate"]["value"] == pytest.approx(7 / 21)
    assert r.summary["arrest_rate"]["value"] == pytest.approx(7 / 46)
    east = stop_search(tiny, W2, "2024-01", "2024-01")
    assert east.summary["find_rate"]["status"] == "not recorded"
    assert any("not a find rate of 0" in n for n in east.notes)


def test_ward_ratios_are_declined_unless_borough_shares_are_asked_for(tiny):
    r = stop_search(tiny, W1, "2024-03", "2024-03")
    eth = rows_by(r.tables["by_ethnicity"], "group")
    assert (eth["Black"]["searches"], eth["White"]["searches"], eth["Not stated"]["searches"]) == (6, 4, 2)
    assert eth["Black"]["ratio"] is None and "declined" in eth["Black"]["note"]
    assert r.summary["residents"] == 6000 and r.summary["searches_per_1000_per_year"] == pytest.approx(24.0)
    assert r.summary["borough_black_white_ratio"]["ratio"] == pytest.approx(4.0)
    assert any("publishes ethnicity by borough, not by ward" in n for n in r.notes)
    assert r.summary["searches_not_placed"] == 2
    approx = stop_search(tiny, W1, "2024-03", "2024-03", ward_denominators="borough_shares")
    black = rows_by(approx.tables["by_ethnicity"], "group")["Black"]
    # Residents: the borough's shares of the ward's 6,000: Black 2/14, White 10/14. RR = (6/4) x (10000/2000) = 7.5.
    assert black["residents"] == pytest.approx(6000 * 2000 / 14000)
    assert black["ratio"] == pytest.approx(7.5) and black["approximate"] is True
    assert approx.summary["denominators"] == "approximate (borough shares)"
    with pytest.raises(ValueError, match="ward_denominators must be one of"):
        stop_search(tiny, W1, ward_denominators="guess")


# ---- the synthetic city ----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(northbridge):
    return Store(northbridge)


def test_planted_within_borough_ratio_is_recovered_in_every_borough(demo, planted):
    truth = planted["stop_search"]["rate_ratio_vs_white_within_boroughs"]
    first, last = planted["first_month"], planted["last_month"]
    for b in demo.areas("borough"):
        eth = rows_by(stop_search(demo, b.code, first, last).tables["by_ethnicity"], "group")
        assert eth["Black"]["ratio_low"] < truth["Black"] < eth["Black"]["ratio_high"], b.name
        assert 2.5 < eth["Black"]["ratio"] < 5, b.name
    force = stop_search(demo, "northbridge", first, last).summary["black_white_ratio"]
    expected = planted["stop_search"]["black_white_ratio_force_wide_expected"]
    assert force["ratio_low"] < expected < force["ratio_high"]


def test_aggregated_rates_equal_outcome_rates_on_the_raw_rows(demo, northbridge):
    """The lake-facing rates (from the aggregates) against the stats function on every raw row."""
    borough = demo.areas("borough")[0]
    r = stop_search(demo, borough.code, "2025-01", "2025-06")
    con = northbridge.connect()
    try:
        from openbeat.geo.rollup import crimes_with_areas

        crimes_with_areas(con)
        raw = con.execute(
            "SELECT force, month, legislation, outcome, outcome_linked_to_object_of_search, "
            "coalesce(borough_code = ?, false) AS here FROM stop_searches_geo "
            "WHERE month BETWEEN '2025-01-01' AND '2025-06-01'", [borough.code]).df()
    finally:
        con.close()
    ref = outcome_rates(raw, by=["here", "legislation"])
    ref = ref[ref["here"]].set_index("legislation")
    got = rows_by(r.tables["by_legislation"], "legislation")
    assert set(got) == set(ref.index)
    for leg, row in got.items():
        assert (row["searches"], row["finds"], row["find_recorded_on"], row["arrests"]) == (
            ref.loc[leg, "searches"], ref.loc[leg, "find_k"], ref.loc[leg, "find_n"], ref.loc[leg, "arrests"])
        assert row["find_low"] == pytest.approx(ref.loc[leg, "find_low"])
        assert row["arrest_high"] == pytest.approx(ref.loc[leg, "arrest_high"])
    assert r.summary["searches"] == int(raw["here"].sum())


def test_wards_and_unplaced_add_up_to_the_force(demo):
    force = stop_search(demo, "northbridge", "2025-01", "2025-12")
    placed = sum(stop_search(demo, w.code, "2025-01", "2025-12").summary["searches"] for w in demo.areas("ward"))
    assert placed + force.summary["searches_not_placed"] == force.summary["searches"]
    monthly = force.tables["monthly"]
    assert [m["month"] for m in monthly] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert sum(m["searches"] for m in monthly) == force.summary["searches"]


# ---- the real Met year ------------------------------------------------------------------


@pytest.fixture(scope="module")
def met(tmp_path_factory):
    if not (SHARED_DATA / "MANIFEST.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data is absent)")
    from openbeat.ingest.reference import load_reference

    lake = Lake(tmp_path_factory.mktemp("met") / "lake")
    b, pop = SHARED_DATA / "boundaries", SHARED_DATA / "population"
    report = load_reference(
        [b / "ons_lsoa_2021_london_gen20", b / "ons_lad22_london_boroughs_gen20",
         SHARED_DATA / "lookups" / "Lower_Layer_Super_Output_Area_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup_in_"
                                   "England_and_Wales_v3.csv",
         pop / "ons_census2021_ethnicity_utla", pop / "ons_census2021_ts007a_age" / "census2021-ts007a-lsoa.csv",
         pop / "ons_census2021_ts007a_age" / "census2021-ts007a-ltla.csv"], lake=lake)
    assert not report.failed, report.failed
    months = [str(m) for m in pd.period_range("2023-04", "2024-03", freq="M")]
    files = [SHARED_DATA / f"police_uk/archive/{m}/{m}-metropolitan-stop-and-search.csv.gz" for m in months]
    assert ingest_paths(files, lake=lake).ok
    return Store(lake)


@needs_shared_data
@pytest.mark.realdata
def test_london_black_white_ratio_2023_04_to_2024_03(met):
    r = stop_search(met, "metropolitan", "2023-04", "2024-03")
    eth = rows_by(r.tables["by_ethnicity"], "group")
    assert r.summary["searches"] == 134_848
    assert {g: eth[g]["searches"] for g in eth} == {"Asian": 13448, "Black": 30011, "Mixed": 4605, "White": 38993,
                                                    "Other": 4659, "Not stated": 43132}
    # Census 2021, the 32 boroughs without the City.
    assert (eth["Black"]["residents"], eth["White"]["residents"]) == (1188141, 4725217)
    black = r.summary["black_white_ratio"]
    assert black["ratio"] == pytest.approx((30011 / 1188141) / (38993 / 4725217))
    assert (round(black["ratio"], 2), round(black["ratio_low"], 2), round(black["ratio_high"], 2)) == (3.06, 3.02, 3.11)
    se = math.sqrt(1 / 30011 - 1 / 1188141 + 1 / 38993 - 1 / 4725217)
    assert black["ratio_low"] == pytest.approx(black["ratio"] * math.exp(-1.96 * se))
    # The Met's find outcome: blank to 2024-01, False on every row after — "not recorded", never 0%.
    assert r.summary["find_rate"]["status"] == "not recorded"
    assert all(m["find_status"] == "not recorded" for m in r.tables["monthly"])
    assert r.summary["arrest_rate"]["value"] == pytest.approx(0.16122597, abs=1e-8)
    placement = {p["geo_status"]: p["searches"] for p in r.tables["placement"]}
    assert sum(placement.values()) == 134_848 and placement["no_location"] > 10_000
    print(f"\nLondon Black/White stop-search ratio 2023-04..2024-03: {black['ratio']:.4f} "
          f"(95% CI {black['ratio_low']:.4f}-{black['ratio_high']:.4f})")


@needs_shared_data
@pytest.mark.realdata
def test_london_boroughs_add_up_and_lambeth_has_its_own_ratio(met):
    force = stop_search(met, "metropolitan", "2023-04", "2024-03")
    boroughs = [stop_search(met, f"E090000{n:02d}", "2023-04", "2024-03") for n in range(2, 34)]
    placed = sum(b.summary["searches"] for b in boroughs)
    placement = {p["geo_status"]: p["searches"] for p in force.tables["placement"]}
    assert placed == placement["ok"]
    lambeth = next(b for b in boroughs if b.area["code"] == "E09000022").summary["black_white_ratio"]
    assert lambeth["ratio_low"] < lambeth["ratio"] < lambeth["ratio_high"]


def test_age_and_gender_are_shares_of_searches_with_arrest_rates(tiny):
    r = stop_search(tiny, "testforce", "2024-03", "2024-03")
    # every search of the tiny lake is of a man aged 18-24: 23 searches, 7 arrests
    assert [(x["age_range"], x["searches"], x["arrests"], x["share"]) for x in r.tables["by_age_range"]] == [
        ("18-24", 23, 7, 1.0)]
    [men] = r.tables["by_gender"]
    assert (men["gender"], men["searches"], men["arrest_rate"]) == ("Male", 23, pytest.approx(7 / 23))
    assert (men["arrest_low"], men["arrest_high"]) == pytest.approx(proportion_confint(7, 23, method="wilson"))
    ward = stop_search(tiny, W2, "2024-03", "2024-03")
    assert [x["searches"] for x in ward.tables["by_gender"]] == [ward.summary["searches"]]


def test_each_forces_look_ups_are_read_ahead_and_a_ward_page_then_reads_none_of_them(tiny):
    from openbeat.analytics.stopsearch import prepare_forces

    fresh, prepared = Store(tiny.lake), Store(tiny.lake)
    prepare_forces(prepared)
    # the ward page's default period: the 12 months to the force's latest (2023-04 to 2024-03)
    assert ("find_recorded", ("testforce",), date(2023, 4, 1), date(2024, 3, 1)) in prepared._memo
    assert ("stop-search-forces", ("testforce",)) in prepared._memo
    computed = []
    plain = prepared.memo
    prepared.memo = lambda key, compute: plain(key, lambda: computed.append(key) or compute())
    got = stop_search(prepared, W1)
    assert not [k for k in computed if k[0] in ("find_recorded", "stop-search-forces")]
    assert got.as_dict() == stop_search(fresh, W1).as_dict()  # the same answer as computed on the page
    assert got.summary["searches"] > 0


def test_every_wards_forces_read_in_one_query_are_those_its_own_query_gives(northbridge):
    from openbeat.analytics.coverage import Coverage

    fresh, prepared = Store(northbridge), Store(northbridge)
    Coverage(prepared).read_forces_of("ward")
    computed = []
    plain = prepared.memo
    prepared.memo = lambda key, compute: plain(key, lambda: computed.append(key) or compute())
    wards = prepared.areas("ward")
    assert wards
    for dataset in ("crimes", "stop_searches"):
        got = {a.code: Coverage(prepared).forces_of(a, dataset) for a in wards}
        assert got == {a.code: Coverage(fresh).forces_of(a, dataset) for a in wards}
        assert sum(1 for forces in got.values() if forces) > len(wards) // 2  # most wards have rows
    # only wards with no rows at all are asked for on a page (they have no forces)
    assert all(not Coverage(fresh).forces_of(fresh.area(k[3]), "crimes" if k[1] == "crime_counts" else "stop_searches")
               for k in computed if k[0] == "coverage-forces")


@pytest.mark.parametrize("lake", ["tiny", "demo"])
def test_every_boroughs_ratio_read_ahead_is_the_one_its_wards_pages_compute(lake, request):
    from openbeat.analytics.stopsearch import _borough_ratio, prepare_borough_ratios

    store = request.getfixturevalue(lake)
    fresh, prepared = Store(store.lake), Store(store.lake)
    prepare_borough_ratios(prepared)
    ahead = {k: v for k, v in prepared._memo.items() if isinstance(k, tuple) and k[0] == "stop-search-borough-ratio"}
    assert {k[1] for k in ahead} == {a.code for a in prepared.areas("borough")}  # one force: every borough
    assert any(v and v["ratio"] is not None for v in ahead.values())
    for (_, code, first, last), ratio in ahead.items():
        assert ratio == _borough_ratio(fresh, code, fresh.period(f"{first:%Y-%m}", f"{last:%Y-%m}")), code

    computed = []
    plain = prepared.memo
    prepared.memo = lambda key, compute: plain(key, lambda: computed.append(key) or compute())
    wards = [a for a in prepared.areas("ward") if a.borough_code]
    assert wards
    for ward in wards:  # each ward page, by default period: the same answer, the ratio not read again
        got = stop_search(prepared, ward.code)
        assert got.as_dict() == stop_search(fresh, ward.code).as_dict()
    assert not [k for k in computed if k[0] == "stop-search-borough-ratio"]
    assert any("borough_black_white_ratio" in stop_search(prepared, w.code).summary for w in wards)
