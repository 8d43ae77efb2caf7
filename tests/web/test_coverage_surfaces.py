"""Mixed coverage on the real files: every surface compares like with like or declines.

The lake holds the Met's burglaries to 2025-02, the City of London Police's crimes to
2025-09 and British Transport Police's for 2023-03 and 2024-01..04 only. Counts are checked
against an independent count of the raw CSVs with the csv module (borough from the ONS
LSOA 2021 → ward → local authority lookup, also read with csv).
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SHARED_DATA
from tests.web.conftest import point_at

pytestmark = pytest.mark.realdata

CAMDEN, CITY = "E09000007", "E09000001"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    if not (SHARED_DATA / "MANIFEST.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data is absent)")
    from openbeat.ingest import ingest_paths
    from openbeat.ingest.reference import load_reference
    from openbeat.lake import Lake

    lake = Lake(tmp_path_factory.mktemp("mixed") / "lake")
    b, pop = SHARED_DATA / "boundaries", SHARED_DATA / "population"
    report = load_reference(
        [b / "ons_lsoa_2021_london_gen20", b / "ons_lad22_london_boroughs_gen20",
         b / "ons_wards_may2022_bfc_camden_only", SHARED_DATA / "lookups",
         pop / "ons_census2021_ts007a_age" / "census2021-ts007a-lsoa.csv",
         pop / "ons_census2021_ts007a_age" / "census2021-ts007a-ltla.csv"], lake=lake)
    assert not report.failed, report.failed
    street = sorted((SHARED_DATA / "police_uk" / "archive").glob("*/*-street.csv"))
    met = sorted((SHARED_DATA / "police_uk_subsets" / "metropolitan_burglary_only").glob("*/*.csv.gz"))
    assert ingest_paths(street + met, lake=lake).ok
    return lake, street + met


LOOKUP = "Lower_Layer_Super_Output_Area_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup_in_England_and_Wales_v3.csv"


def raw_counts(files: list[Path]) -> Counter:
    """(force file slug, borough code, month) → crimes, straight from the CSVs and the ONS lookup.

    Rows whose LSOA code is no 2021 LSOA of the lookup (older codes police.uk still writes
    for a few months) are in no borough, as the lake leaves them unplaced without the
    2011→2021 lookup.
    """
    with open(SHARED_DATA / "lookups" / LOOKUP, encoding="utf-8-sig", newline="") as fh:
        lad = {r["LSOA21CD"]: r["LAD22CD"] for r in csv.DictReader(fh)}
    out: Counter = Counter()
    for f in files:
        if "street" not in f.name:
            continue
        force = f.name[8:].split("-street")[0]
        opener = gzip.open if f.suffix == ".gz" else open
        with opener(f, "rt", encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["Crime type"] == "Anti-social behaviour":
                    continue
                out[(force, lad.get(row["LSOA code"], ""), row["Month"])] += 1
    return out


def months(first: str, last: str) -> list[str]:
    from openbeat.lake import month_range

    return month_range(first, last)


def total(raw: Counter, forces, borough: str, ms) -> int:
    return sum(raw[(f, borough, m)] for f in forces for m in ms)


@pytest.fixture(scope="module")
def raw(mixed):
    return raw_counts(mixed[1])


@pytest.fixture(scope="module")
def store(mixed):
    from openbeat.analytics.store import Store

    return Store(mixed[0])


def test_camden_default_period_ends_at_the_mets_last_month_and_compares_only_paired_months(store, raw):
    from openbeat.analytics.profiles import area_profile

    r = area_profile(store, CAMDEN)
    assert r.period == {"from": "2024-03", "to": "2025-02", "months": 12}  # not the City's 2025-09
    # BTP published 2024-03 and 2023-03 only, of the 12 pairs: the change is that one pair
    assert r.summary["months_compared"] == 1
    assert r.summary["compared"]["months"] == ["2024-03"] and r.summary["compared"]["against"] == ["2023-03"]
    forces = ("metropolitan", "city-of-london", "btp")
    change = r.summary["change"]
    assert (change["c1"], change["c2"]) == (total(raw, forces, CAMDEN, ["2023-03"]),
                                                    total(raw, forces, CAMDEN, ["2024-03"]))
    assert "British Transport Police did not publish 2023-04 to 2023-12 and 2024-05 to 2025-02" in " ".join(r.notes)
    assert r.summary["crimes"] == total(raw, forces, CAMDEN, months("2024-03", "2025-02"))
    met = next(row for row in r.tables["by_force"] if row["force"] == "metropolitan")
    assert met["months_compared"] == 12
    assert (met["crimes_year_before"], met["crimes_compared"]) == (
        total(raw, ["metropolitan"], CAMDEN, months("2023-03", "2024-02")),
        total(raw, ["metropolitan"], CAMDEN, months("2024-03", "2025-02")))
    assert met["direction"] == "up"  # the Met's burglaries rose; all crime did not "fall"


def test_the_mets_own_profile_compares_twelve_months_like_with_like(store, raw):
    from openbeat.analytics.profiles import area_profile

    r = area_profile(store, CAMDEN, "2024-03", "2025-02", force="metropolitan")
    burglary = next(row for row in r.tables["by_crime_type"] if row["crime_type"] == "Burglary")
    assert burglary["count"] == total(raw, ["metropolitan"], CAMDEN, months("2024-03", "2025-02"))
    assert burglary["count_previous_year"] == total(raw, ["metropolitan"], CAMDEN, months("2023-03", "2024-02"))
    assert r.summary["months_compared"] == 12 and r.summary["change"]["direction"] == "up"
    # outcome shares only over crimes whose force published outcomes: the Met's own share
    whole = area_profile(store, CAMDEN, "2024-03", "2025-02")
    assert whole.summary["charged_share"] == pytest.approx(r.summary["charged_share"])
    assert "Outcome shares leave out" in " ".join(whole.notes)


def test_city_of_london_declines_the_all_forces_change_but_splits_by_force(store, raw):
    from openbeat.analytics.profiles import area_profile

    r = area_profile(store, CITY)
    assert r.period["to"] == "2025-09"
    assert r.summary["change"] is None and r.summary["months_compared"] == 0
    assert "British Transport Police did not publish" in r.summary["change_declined"]
    assert all(row["direction"] == "not comparable" for row in r.tables["by_crime_type"])
    city = next(row for row in r.tables["by_force"] if row["force"] == "city-of-london")
    assert (city["crimes_year_before"], city["crimes_compared"]) == (
        total(raw, ["city-of-london"], CITY, months("2023-10", "2024-09")),
        total(raw, ["city-of-london"], CITY, months("2024-10", "2025-09")))


def test_months_not_held_decline_and_forces_are_found_by_name(store):
    from openbeat.analytics.coverage import CannotCompare
    from openbeat.analytics.profiles import area_profile

    with pytest.raises(CannotCompare, match="no street-level crime for Camden in 2030-01 to 2030-12: "
                                            "Metropolitan Police Service published 2022-02 to 2025-02"):
        area_profile(store, CAMDEN, "2030-01", "2030-12")
    assert store.area("metropolitan").level == "force"  # its months end before the lake's latest
    assert store.area("Metropolitan Police Service").code == "metropolitan"
    assert store.area("city of london police").code == "city-of-london"


def test_scorecard_compare_and_evaluate_never_use_unpublished_months(store):
    from openbeat.analytics.comparison import compare_areas
    from openbeat.analytics.coverage import CannotCompare
    from openbeat.analytics.did_it_work import _incomplete_wards, did_it_work
    from openbeat.analytics.scorecard import scorecard
    from openbeat.analytics.store import Period

    card = scorecard(store, CAMDEN, "2024-03", "2025-02")
    for row in card.tables["wards"]:
        if "British Transport Police" in row["forces"]:
            assert row["months_compared"] == 1 and "British Transport Police did not publish" in row["crime_change_note"]
        else:
            assert row["months_compared"] == 12
    c = compare_areas(store, "ward", CAMDEN, "2024-03", "2025-02")
    assert c.summary["months_counted"] == 2  # BTP published 2024-03 and 2024-04 only
    camden_town = next(a.code for a in store.areas("ward", within=CAMDEN) if a.name == "Camden Town")
    with pytest.raises(CannotCompare, match="British Transport Police did not publish"):
        did_it_work(store, camden_town, "2024-09")  # BTP has crimes there and missed months
    belsize = next(a.code for a in store.areas("ward", within=CAMDEN) if a.name == "Belsize")
    e = did_it_work(store, belsize, "2024-09", "Burglary", before_months=12, after_months=6)
    others = {r["ward_code"] for r in e.tables["wards"] if r["role"] != "target"}
    incomplete = _incomplete_wards(store, Period(date(2023, 9, 1), date(2024, 8, 1)),
                                   Period(date(2024, 9, 1), date(2025, 2, 1)))
    assert camden_town in incomplete and belsize not in incomplete
    assert others and not others & set(incomplete)  # comparison and neighbours: only wards fully published


def test_the_mets_own_scorecard_compares_every_ward_over_twelve_months(store, mixed):
    """Split by force: each Camden ward's Met crimes, against a csv-module count by ward."""
    from openbeat.analytics.scorecard import scorecard

    with open(SHARED_DATA / "lookups" / LOOKUP, encoding="utf-8-sig", newline="") as fh:
        ward_of = {r["LSOA21CD"]: r["WD22CD"] for r in csv.DictReader(fh) if r["LAD22CD"] == CAMDEN}
    now, then = Counter(), Counter()
    for f in mixed[1]:
        if "metropolitan-street" not in f.name:
            continue
        with gzip.open(f, "rt", encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                ward = ward_of.get(row["LSOA code"])
                if ward and "2024-03" <= row["Month"] <= "2025-02":
                    now[ward] += 1
                elif ward and "2023-03" <= row["Month"] <= "2024-02":
                    then[ward] += 1
    card = scorecard(store, CAMDEN, "2024-03", "2025-02", force="metropolitan")
    assert card.title == "Progress scorecard: Camden (Metropolitan Police Service's crimes), 2024-03 to 2025-02"
    rows = card.tables["wards"]
    assert len(rows) == 20 and all(r["months_compared"] == 12 for r in rows)
    assert {r["code"]: (r["crimes_previous_year"], r["crimes_compared"]) for r in rows} == {
        w: (then[w], now[w]) for w in {r["code"] for r in rows}}


def test_cli_json_and_csv_decline_or_compare_like_with_like(mixed):
    from openbeat.cli import main as cli

    lake = str(mixed[0].root)
    runner = CliRunner()
    out = runner.invoke(cli, ["analyse", "profile", "--area", CAMDEN, "--from", "2030-01", "--to", "2030-12",
                              "--lake", lake])
    assert out.exit_code == 1 and "no street-level crime for Camden in 2030-01 to 2030-12" in out.output
    out = runner.invoke(cli, ["analyse", "profile", "--area", CITY, "--format", "json", "--lake", lake])
    assert out.exit_code == 0, out.output
    body = json.loads(out.output)
    assert body["summary"]["change"] is None and body["summary"]["change_declined"]
    out = runner.invoke(cli, ["analyse", "profile", "--area", CITY, "--format", "csv", "--lake", lake])
    rows = list(csv.DictReader(out.output.splitlines()))
    assert {r["direction"] for r in rows} == {"not comparable"}
    out = runner.invoke(cli, ["analyse", "profile", "--area", "metropolitan", "--lake", lake])
    assert out.exit_code == 0 and "Crime in Metropolitan Police Service, 2024-03 to 2025-02" in out.output


def test_hotspots_for_a_force_and_clear_messages(mixed, tmp_path):
    from openbeat.analytics.hotspots import hotspots
    from openbeat.analytics.store import Store
    from openbeat.ingest import ingest_paths
    from openbeat.lake import Lake

    lake = Lake(tmp_path / "lake")  # no boundaries loaded at all
    files = [SHARED_DATA / f"police_uk/archive/2024-0{m}/2024-0{m}-city-of-london-street.csv" for m in (1, 2, 3)]
    assert ingest_paths(files, lake=lake).ok
    located = 0
    for f in files:
        with open(f, encoding="utf-8-sig", newline="") as fh:
            located += sum(1 for r in csv.DictReader(fh)
                           if r["Longitude"] and r["Crime type"] != "Anti-social behaviour")
    r = hotspots(Store(lake), "city-of-london", "2024-01", "2024-03", permutations=499)
    assert r.summary["crimes_mapped"] == located
    with pytest.raises(Exception, match="no area with code 'E09000001' is loaded"):
        hotspots(Store(lake), CITY)
    with pytest.raises(ValueError, match="spread over .* cells"):
        hotspots(Store(mixed[0]), "btp", permutations=0)


@pytest.mark.django_db
def test_api_and_pages_decline_months_not_held(settings, client, mixed):
    point_at(settings, mixed[0].root)
    try:
        r = client.get(f"/api/areas/{CAMDEN}/profile?from=2030-01&to=2030-12")
        assert r.status_code == 400
        body = r.json()
        assert body["code"] == "cannot_compute" and "Metropolitan Police Service published 2022-02 to 2025-02" in body["message"]
        r = client.get(f"/api/areas/{CITY}/profile")
        assert r.status_code == 200 and r.json()["summary"]["change"] is None
        r = client.get(f"/api/areas/{CAMDEN}/profile?from=2024-03&to=2025-02&force=metropolitan")
        assert r.status_code == 200 and r.json()["summary"]["months_compared"] == 12
        r = client.get(f"/api/areas/{CITY}/profile?format=csv")
        assert r.status_code == 200
        assert {row["direction"] for row in csv.DictReader(r.content.decode().splitlines())} == {"not comparable"}
        page = client.get(f"/areas/{CITY}/")
        assert page.status_code == 200
        assert "British Transport Police did not publish" in page.content.decode()
    finally:
        point_at(settings, mixed[0].root)


@pytest.mark.django_db
def test_demo_profile_of_months_not_held_is_400_cannot_compute(demo_lake, client):
    r = client.get("/api/areas/X05000005/profile?from=2030-01&to=2030-12")
    assert r.status_code == 400 and r.json()["code"] == "cannot_compute"
