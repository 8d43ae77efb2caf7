"""Lakes for the police.uk-compatible API, built from real police.uk files and API samples.

* :func:`real_lake` — police.uk CSVs from ``../shared/data`` as published: City of London
  street (2023-02, 2023-03, 2024-01) and outcomes (2023-03), British Transport Police
  street (2023-03, 2024-01) and stop and search (2023-03), Met and City stop and search
  (2023-03; the Met's 14,303 searches are over police.uk's 10,000 cap).
* :func:`sample_lake` — street CSVs written by the test from the real API responses in
  ``../shared/data/police_uk_api`` (one row per crime, the fields the CSV has), plus the
  single-object examples, so the API's answers can be compared with police.uk's own.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA
from tests.web.conftest import STREET_HEADER, point_at, pointing

API = SHARED_DATA / "police_uk_api"
ARCHIVE = SHARED_DATA / "police_uk" / "archive"

REAL_FILES = [
    "2023-02/2023-02-city-of-london-street.csv",
    "2023-03/2023-03-city-of-london-street.csv",
    "2023-03/2023-03-city-of-london-outcomes.csv",
    "2023-03/2023-03-city-of-london-stop-and-search.csv",
    "2023-03/2023-03-btp-street.csv",
    "2023-03/2023-03-btp-stop-and-search.csv",
    "2023-03/2023-03-metropolitan-stop-and-search.csv.gz",
    "2024-01/2024-01-city-of-london-street.csv",
    "2024-01/2024-01-btp-street.csv",
]

SHEFFIELD = API / "crimes-street_poly_sheffield_south-yorkshire"
SHEFFIELD_POLY = "53.485,-1.635:53.485,-1.340:53.415,-1.300:53.310,-1.330:53.300,-1.600:53.400,-1.680"
MET_POINT = API / "crimes-street_all-crime_lat51.5017_lng0.0055_2014-08.json"
SINGLE = API / "single_objects_police-data-kit"

FORCE_NAMES = {"south-yorkshire": "South Yorkshire Police", "metropolitan": "Metropolitan Police Service",
               "btp": "British Transport Police", "leicestershire": "Leicestershire Police",
               "avon-and-somerset": "Avon and Somerset Constabulary"}
OUTCOMES_HEADER = STREET_HEADER[:9] + ["Outcome type"]


def load_json(path: Path):
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def category_name(slug: str) -> str:
    from openbeat.analytics.policeuk_answers import CATEGORIES

    return dict(CATEGORIES)[slug]


def street_row(crime: dict, force: str) -> list[str]:
    """The street CSV row police.uk publishes for a crime its API returns."""
    loc = crime["location"] or {}
    outcome = crime.get("outcome_status") or {}
    name = FORCE_NAMES[force]
    return [crime["persistent_id"], crime["month"], name, name, loc.get("longitude") or "",
            loc.get("latitude") or "", (loc.get("street") or {}).get("name") or "No Location", "", "",
            category_name(crime["category"]), outcome.get("category") or "", crime["context"]]


def outcome_row(crime: dict, force: str, month: str, outcome: str) -> list[str]:
    """The outcomes CSV row for an outcome of ``month`` of a crime."""
    row = street_row(crime, force)[:9]
    row[1] = month
    return row + [outcome]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def write_sample_csvs(folder: Path) -> None:
    by_file: dict[tuple[str, str], list] = {}
    for crime in load_json(SHEFFIELD / "crimes-street_all-crime_poly_2026-02.json.gz"):
        by_file.setdefault(("2026-02", "south-yorkshire"), []).append(street_row(crime, "south-yorkshire"))
    for crime in load_json(MET_POINT):
        force = "btp" if crime["location_type"] == "BTP" else "metropolitan"
        by_file.setdefault(("2014-08", force), []).append(street_row(crime, force))
    # crime.json: a Leicestershire crime of 2020-02 whose latest outcome came in 2020-06
    crime = load_json(SINGLE / "crime.json")
    by_file[("2020-02", "leicestershire")] = [street_row(crime, "leicestershire")]
    write_csv(folder / "2020-06-leicestershire-outcomes.csv", OUTCOMES_HEADER,
              [outcome_row(crime, "leicestershire", "2020-06", "Status update unavailable")])
    # case-history.json: a crime with no location and two outcomes
    case = load_json(SINGLE / "case-history.json")
    by_file[("2020-03", "leicestershire")] = [street_row(case["crime"], "leicestershire")]
    write_csv(folder / "2020-03-leicestershire-outcomes.csv", OUTCOMES_HEADER,
              [outcome_row(case["crime"], "leicestershire", o["date"], o["category"]["name"]) for o in case["outcomes"]])
    # police-force-reference.json: a force known by its street files' "Falls within"
    ref = load_json(SINGLE / "police-force-reference.json")
    by_file[("2020-03", ref["id"])] = [["", "2020-03", ref["name"], ref["name"], "-2.5", "51.4", "On or near X",
                                        "", "", "Anti-social behaviour", "", ""]]
    for (month, force), rows in by_file.items():
        write_csv(folder / f"{month}-{force}-street.csv", STREET_HEADER, rows)
    # stop-and-search.json: one Leicestershire search of 2018-06
    s = load_json(SINGLE / "stop-and-search.json")
    flag = {None: "", True: "True", False: "False"}
    write_csv(folder / "2018-06-leicestershire-stop-and-search.csv",
              ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
               "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation",
               "Object of search", "Outcome", "Outcome linked to object of search",
               "Removal of more than just outer clothing"],
              [[s["type"], s["datetime"], flag[s["operation"]], s["operation_name"] or "", s["location"]["latitude"],
                s["location"]["longitude"], s["gender"], s["age_range"], s["self_defined_ethnicity"],
                s["officer_defined_ethnicity"], s["legislation"], s["object_of_search"], s["outcome"],
                flag[s["outcome_linked_to_object_of_search"]], flag[s["removal_of_more_than_outer_clothing"]]]])


def write_sample_api(folder: Path) -> None:
    """An offline police.uk API folder (file:// for openbeat's own client) with the samples' team."""
    ref = load_json(SINGLE / "neighbourhood-reference.json")
    base = folder / "leicestershire"
    base.mkdir(parents=True)
    (base / "neighbourhoods.json").write_text(json.dumps([ref]))
    shutil.copy(SINGLE / "neighbourhood.json", base / f"{ref['id']}.json")
    part = base / ref["id"]
    part.mkdir()
    (part / "people.json").write_text(json.dumps([load_json(SINGLE / "police-officer.json"),
                                                  load_json(SINGLE / "police-officer-nulls.json")]))
    (part / "priorities.json").write_text(json.dumps([load_json(SINGLE / "neighbourhood-priority.json"),
                                                      load_json(SINGLE / "neighbourhood-priority-no-action.json")]))
    (part / "events.json").write_text("[]")
    # No real boundary was found; a square around the neighbourhood's published centre stands in.
    (part / "boundary.json").write_text(json.dumps([
        {"latitude": lat, "longitude": lng} for lat, lng in
        [("52.64", "-1.14"), ("52.64", "-1.13"), ("52.63", "-1.13"), ("52.63", "-1.14")]]))


@pytest.fixture(scope="session")
def real_lake(tmp_path_factory):
    if not (SHARED_DATA / "MANIFEST.csv").exists():
        pytest.skip(f"real police.uk files not found at {SHARED_DATA} (../shared/data is absent)")
    from openbeat.ingest import ingest_paths
    from openbeat.lake import Lake

    lake = Lake(tmp_path_factory.mktemp("policeuk-real") / "lake")
    report = ingest_paths([ARCHIVE / f for f in REAL_FILES], lake=lake)
    assert not report.failed, [(f.source, f.error) for f in report.failed]
    return lake


@pytest.fixture(scope="session")
def sample_lake(tmp_path_factory):
    if not (API / "crimes-street-dates_2019-01_to_2021-12.json").exists():
        pytest.skip(f"police.uk API samples not found at {API} (../shared/data is absent)")
    from openbeat.ingest import ingest_paths
    from openbeat.ingest.neighbourhoods import fetch_neighbourhoods
    from openbeat.lake import Lake

    root = tmp_path_factory.mktemp("policeuk-samples")
    write_sample_csvs(root / "csv")
    write_sample_api(root / "api")
    lake = Lake(root / "lake")
    report = ingest_paths([root / "csv"], lake=lake)
    assert not report.failed, [(f.source, f.error) for f in report.failed]
    teams = fetch_neighbourhoods(lake, force="leicestershire", base_url=(root / "api").resolve().as_uri())
    assert teams.ok, teams.failed
    return lake


def point_policeuk_at(settings, root) -> None:
    from openbeat.policeuk import kept

    point_at(settings, root)
    kept.clear()


@pytest.fixture
def use_real(settings, real_lake):
    with pointing(settings, real_lake.root, point_policeuk_at):
        yield real_lake


@pytest.fixture
def use_samples(settings, sample_lake):
    with pointing(settings, sample_lake.root, point_policeuk_at):
        yield sample_lake


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    """Tests ask faster than 15 a second; the limit has its own test."""
    settings.OPENBEAT_POLICEUK_RATE = 0
