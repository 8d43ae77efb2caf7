"""Violence against women and girls, checked against the real files read with the csv module."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date

import pytest

from openbeat.analytics.outcomes import CONCLUSIVENESS, outcome_group
from openbeat.analytics.store import Store
from openbeat.analytics.vawg import CAVEAT, OFFENCES, vawg
from openbeat.stats.disproportionality import wilson_interval
from tests.conftest import SHARED_DATA, needs_shared_data

WARD_FILE = SHARED_DATA / "london_datastore" / "mps_recorded_crime" / "MPS Ward Level Crime (most recent 24 months).csv"
LOOKUP = SHARED_DATA / "lookups" / "Lower_Layer_Super_Output_Area_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup_in_England_and_Wales_v3.csv"
MID2020 = SHARED_DATA / "population" / "ons_mid_year_lsoa11_london" / "london-mid2020-pop.csv"
CITY = SHARED_DATA / "police_uk" / "archive" / "2023-03"
MONTHS = [f"{y}{m:02d}" for y, m in [(2025, 4), (2025, 5), (2025, 6), (2025, 7), (2025, 8), (2025, 9), (2025, 10),
                                       (2025, 11), (2025, 12), (2026, 1), (2026, 2), (2026, 3)]]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not (SHARED_DATA / "MANIFEST.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data is absent)")
    from openbeat.ingest import ingest_paths
    from openbeat.ingest.census import load_census_file
    from openbeat.ingest.lookups import load_lsoa_ward_lookup
    from openbeat.ingest.ward_crime import load_ward_crime
    from openbeat.lake import Lake

    lake = Lake(tmp_path_factory.mktemp("vawg") / "lake")
    load_lsoa_ward_lookup(lake, LOOKUP)
    load_census_file(lake, MID2020)
    load_census_file(lake, SHARED_DATA / "population" / "ons_mid_year_lsoa11_london" / "london-mid2019-pop.csv")
    load_ward_crime(lake, WARD_FILE)
    ingest_paths([CITY / "2023-03-city-of-london-street.csv", CITY / "2023-03-city-of-london-outcomes.csv"], lake=lake)
    return Store(lake)


def _raw(keep) -> dict[str, Counter]:
    """{offence label: Counter(month)} over rows of the raw ward file for which keep(row)."""
    labels = {(maj, mi): label for _, label, maj, mi in OFFENCES}
    out: dict[str, Counter] = {label: Counter() for label in labels.values()}
    with open(WARD_FILE, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            label = labels.get((row["MajorText"], row["MinorText"]))
            if label and keep(row):
                for m in MONTHS + [f"{int(m[:4]) - 1}{m[4:]}" for m in MONTHS]:
                    out[label][m] += int(row[m])
    return out


def _check_counts(result, raw):
    by_offence = {r["offence"]: r for r in result.tables["by_offence"]}
    for label, months in raw.items():
        assert by_offence[label]["count"] == sum(months[m] for m in MONTHS)
        assert by_offence[label]["count_year_earlier"] == sum(months[f"{int(m[:4]) - 1}{m[4:]}"] for m in MONTHS)
    keys = {label: k for k, label, *_ in OFFENCES}
    for row in result.tables["by_month"]:
        m = row["month"].replace("-", "")
        assert {label: row[keys[label]] for label in raw} == {label: raw[label][m] for label in raw}


@needs_shared_data
def test_ward_counts_equal_the_raw_file(real):
    r = vawg(real, "E05013660", "2025-04", "2026-03")  # Haverstock, Camden
    raw = _raw(lambda row: row["WardCode"] == "E05013660")
    _check_counts(r, raw)
    assert r.summary["total"] == sum(sum(raw[label][m] for m in MONTHS) for label in raw) == 148


@needs_shared_data
def test_borough_counts_equal_the_raw_file(real):
    r = vawg(real, "E09000007", "2025-04", "2026-03")  # Camden: no Heathrow-style pseudo-borough rows
    _check_counts(r, _raw(lambda row: row["LookUp_BoroughName"] == "Camden"))
    assert r.summary["total"] == 2655


@needs_shared_data
def test_force_counts_are_every_row_of_the_file(real):
    r = vawg(real, "metropolitan", "2025-04", "2026-03")
    _check_counts(r, _raw(lambda row: True))


def _female_ward_population(ward: str) -> int:
    with open(LOOKUP, encoding="utf-8-sig", newline="") as f:
        lsoas = [row["LSOA21CD"] for row in csv.DictReader(f) if row["WD22CD"] == ward]
    with open(MID2020, encoding="utf-8-sig", newline="") as f:
        females = {row["LSOA11CD"]: int(row["Females_All-Ages"]) for row in csv.DictReader(f)}
    assert lsoas and all(code in females for code in lsoas)  # every 2021 LSOA kept its 2011 code
    return sum(females[code] for code in lsoas)


@needs_shared_data
@pytest.mark.parametrize("ward", ["E05013660", "E05013570"])  # Haverstock; Heathrow Villages
def test_rates_use_female_residents_of_the_ward(real, ward):
    r = vawg(real, ward, "2025-04", "2026-03")
    pop = _female_ward_population(ward)
    assert r.summary["denominator"] == pop
    assert r.summary["rate_basis"] == "per 1,000 female residents per year"
    assert "mid-2020" in r.summary["denominator_source"]  # nearest estimate to the period
    assert r.summary["rate_per_1000"] == pytest.approx(r.summary["total"] / pop * 1000)
    rape = r.tables["by_offence"][0]
    assert rape["rate_per_1000"] == pytest.approx(rape["count"] / pop * 1000)


@needs_shared_data
def test_peers_are_the_wards_of_the_borough(real):
    r = vawg(real, "E05013660", "2025-04", "2026-03")
    peers = r.tables["peers"]
    assert [p["code"] for p in peers if p["this_area"]] == ["E05013660"]
    with open(WARD_FILE, encoding="utf-8-sig", newline="") as f:
        camden = {row["WardCode"] for row in csv.DictReader(f) if row["LookUp_BoroughName"] == "Camden"}
    assert {p["code"] for p in peers} <= camden
    assert all(p["lower_95"] <= p["upper_95"] for p in peers)


@needs_shared_data
def test_outcome_shares_equal_the_raw_outcomes_files(real):
    r = vawg(real, "city-of-london", "2023-03", "2023-03")
    with open(CITY / "2023-03-city-of-london-street.csv", encoding="utf-8", newline="") as f:
        street = [row for row in csv.DictReader(f) if row["Crime type"] == "Violence and sexual offences"]
    latest: dict[str, tuple] = {}
    with open(CITY / "2023-03-city-of-london-outcomes.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            key = (row["Month"], CONCLUSIVENESS[outcome_group(row["Outcome type"])], row["Outcome type"])
            latest[row["Crime ID"]] = max(latest.get(row["Crime ID"], key), key)
    want = Counter(latest[row["Crime ID"]][2] if row["Crime ID"] in latest
                   else (row["Last outcome category"] or "No outcome recorded") for row in street)
    got = {row["outcome"]: row for row in r.tables["outcomes"]}
    assert {k: v["crimes"] for k, v in got.items()} == dict(want)
    n = len(street)
    for outcome, k in want.items():
        assert got[outcome]["share"] == pytest.approx(k / n)
        assert (got[outcome]["share_low_95"], got[outcome]["share_high_95"]) == pytest.approx(wilson_interval(k, n))


def test_the_caveat_wording():
    assert CAVEAT == (
        "Recorded crime counts what victims report and the police record, not every offence. For these offences "
        "most victims never report, so a rise can mean more victims came forward or better recording, not more "
        "offending, and a fall is not by itself a success.")


@needs_shared_data
def test_every_verdict_carries_the_caveat(real):
    r = vawg(real, "metropolitan", "2025-04", "2026-03")
    assert r.notes[0] == CAVEAT
    assert r.summary["change"]["summary"].endswith(CAVEAT)
    assert r.summary["change"]["direction"] == "up"
    for row in r.tables["by_offence"]:
        assert row["verdict"].endswith(CAVEAT)
        assert "fail" not in row["verdict"] and "success" not in row["verdict"].replace(CAVEAT, "")


@needs_shared_data
def test_mid_year_estimates_keep_females_by_lsoa(real):
    cur = real.cursor()
    assert cur.execute("SELECT sex, population FROM population_sex WHERE area_code = 'E01000001' "
                       "AND period = ? ORDER BY sex", [date(2020, 6, 30)]).fetchall() == [
        ("female", _csv_value("E01000001", "Females_All-Ages")), ("male", _csv_value("E01000001", "Males_All-Ages"))]


def _csv_value(lsoa: str, column: str) -> int:
    with open(MID2020, encoding="utf-8-sig", newline="") as f:
        return next(int(row[column]) for row in csv.DictReader(f) if row["LSOA11CD"] == lsoa)


@needs_shared_data
def test_cli_prints_the_library_result(real):
    import json

    from click.testing import CliRunner

    from openbeat.cli import main

    runner = CliRunner()
    args = ["analyse", "vawg", "--area", "E09000007", "--from", "2025-04", "--to", "2026-03", "--lake", str(real.root)]
    as_json = runner.invoke(main, [*args, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    expected = vawg(real, "E09000007", "2025-04", "2026-03").as_dict()
    assert json.loads(as_json.stdout) == json.loads(json.dumps(expected))
    as_csv = runner.invoke(main, [*args, "--format", "csv", "--table", "by_month"])
    rows = list(csv.DictReader(as_csv.stdout.splitlines()))
    assert [(r["month"], int(r["total"])) for r in rows] == [(r["month"], r["total"]) for r in expected["tables"]["by_month"]]
    as_table = runner.invoke(main, args)
    assert as_table.exit_code == 0 and "Violence against women and girls in Camden" in as_table.stdout
    unknown = runner.invoke(main, ["analyse", "vawg", "--area", "E05999999", "--lake", str(real.root)])
    assert unknown.exit_code == 1 and "no ward, borough or force with code 'E05999999' is loaded" in unknown.output


@needs_shared_data
def test_hotspots_are_the_hotspots_figure_and_say_there_is_no_time_of_day(real):
    from openbeat.analytics.hotspots import hotspots
    from openbeat.analytics.vawg import NO_TIME_OF_DAY

    r = vawg(real, "city-of-london", "2023-03", "2023-03")
    hot = hotspots(real, "city-of-london", "2023-03", "2023-03", crime_type="Violence and sexual offences")
    assert r.summary["hotspots"]["crimes_mapped"] == hot.summary["crimes_mapped"] == 118
    assert r.summary["hotspots"]["share_of_crime_in_top_5pct_of_cells"] == hot.summary[
        "share_of_crime_in_top_5pct_of_cells"]
    assert r.notes[-1].endswith(NO_TIME_OF_DAY) and "the busiest 5% of cells hold 95%" in r.notes[-1]
    camden = vawg(real, "E09000007", "2025-04", "2026-03")  # the Met's street files here: none
    assert camden.tables["hotspots"] == [] and camden.notes[-1].endswith(NO_TIME_OF_DAY)


def test_peers_say_how_many_wards_are_compared_and_keep_a_ward_without_female_population(store):
    """Synthetic Northbridge Central has 14 wards; Stanegate Park and Waterside Park have no estimate
    of female residents (an LSOA changed between 2011 and 2021), so 12 are on the funnel per female
    resident, and Stanegate Park's own page still lists itself, with no rate and the reason."""
    r = vawg(store, "X05000009")  # Stanegate Park
    assert r.summary["rate_basis"] == "per 1,000 residents per year"
    assert r.summary["peers_rate_basis"] == "per 1,000 female residents per year"
    peers = r.tables["peers"]
    assert len(peers) == 13 and sum(p["population"] is not None for p in peers) == 12
    assert peers[-1] == {"code": "X05000009", "name": "Stanegate Park", "count": 71, "population": None,
                         "rate_per_1000": None, "lower_95": None, "upper_95": None, "lower_998": None,
                         "upper_998": None, "classification": "no rate: female population not loaded",
                         "this_area": True}
    assert ("Rates are per 1,000 residents per year, not per female resident: all residents, from Census 2021, "
            "residents by age (table TS007A), added up from the ward's small areas (2021 LSOAs), 2021: no estimate "
            "of female residents is loaded for this area.") in r.notes
    assert ("Peers: 12 of the 14 wards of Northbridge Central are compared, rape, other sexual offences and stalking "
            "and harassment together per 1,000 female residents per year, with funnel limits widened for "
            "overdispersion (phi = 9.99). An area above the limits has more recorded offences than its size "
            "explains; that can mean more offending or more victims reporting, and the data cannot tell which. Left "
            "out, because a rate per 1,000 female residents cannot be worked out for them: Stanegate Park (female "
            "population not loaded); Waterside Park (female population not loaded); a rate per resident would not "
            "compare like with like.") in r.notes
    assert not any("census2021_ts007a" in n or "lsoa21 via" in n for n in r.notes)
    # a ward with female residents loaded: 12 rows, itself among them, the same two named as left out
    other = vawg(store, "X05000002")
    assert len(other.tables["peers"]) == 12 and [p["this_area"] for p in other.tables["peers"]].count(True) == 1


def test_no_peers_are_compared_over_months_the_file_does_not_hold(store):
    """A period before the file (the API's schema test asked for one ending 1900-01) compares no
    peers: every ward would read 0, and a ward the file names without offences broke the funnel."""
    r = vawg(store, "X05000002", "1899-02", "1900-01")
    assert r.summary["months_counted"] == 0 and r.tables["peers"] == []
    assert "No peers are compared: the file holds none of the months of 1899-02 to 1900-01." in r.notes
