"""Web tests: Django configured with the test settings, and a tiny lake built here.

The lake ("Testborough") is small enough to know every count by heart:

* borough X09000001 Testborough; wards X05000001 North Ward (south half), X05000002 South
  Ward (north half, despite its name); LSOAs X01000001, X01000002 (North Ward) and X01000003,
  X01000004 (South Ward): 1 km squares, two by two, from easting 530000, northing 180000;
* police.uk street crime for force ``testforce``, 2024-01 to 2024-03, ingested through
  the real pipeline: see :data:`CRIMES`;
* one postcode, TE1 1ST, in X01000001;
* North Ward's police.uk neighbourhood team ``testforce/N1`` ("North Team"): two officers,
  two priorities, one event long past and one far in the future (see :func:`write_team`).

Tests that need every figure (population, stop and search, the trust survey, teams) use
the session's small synthetic Northbridge lake (``demo_lake``, from tests/conftest.py).

The database is PostgreSQL when ``DATABASE_URL`` says so (scripts/test.sh sets it when
127.0.0.1:5432 answers), SQLite otherwise.
"""

from __future__ import annotations

import contextlib
import csv
import os
from pathlib import Path

import django
import pytest

# pytest-django reads DJANGO_SETTINGS_MODULE from pyproject when it is set there; this
# keeps the web tests runnable on their own too.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.web.settings_test")
django.setup()

ROOT = Path(__file__).resolve().parents[2]

BOROUGH = "X09000001"
NORTH, SOUTH = "X05000001", "X05000002"
LSOAS = {"X01000001": NORTH, "X01000002": NORTH, "X01000003": SOUTH, "X01000004": SOUTH}

#: (month, LSOA code, crime type, how many)
CRIMES = [
    ("2024-01", "X01000001", "Burglary", 3),
    ("2024-01", "X01000002", "Anti-social behaviour", 2),
    ("2024-01", "X01000003", "Vehicle crime", 1),
    ("2024-02", "X01000001", "Burglary", 1),
    ("2024-02", "X01000004", "Violence and sexual offences", 4),
    # March: nothing in North Ward, two in the South
    ("2024-03", "X01000003", "Shoplifting", 2),
]
#: Crimes (not ASB) per ward per month, as the pages and API must count them.
NORTH_MONTHS = [("2024-01", 3, 2), ("2024-02", 1, 0), ("2024-03", 0, 0)]
SOUTH_MONTHS = [("2024-01", 1, 0), ("2024-02", 4, 0), ("2024-03", 2, 0)]

STREET_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                 "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]


def _square(i: int):
    import shapely

    x0, y0 = 530_000 + 1000 * (i % 2), 180_000 + 1000 * (i // 2)
    return shapely.box(x0, y0, x0 + 1000, y0 + 1000)


def write_areas(lake) -> None:
    import numpy as np
    import pyarrow as pa
    import shapely

    from openbeat.geo.crs import BNG, WGS84, transform_geoms
    from openbeat.ingest.boundaries import AREAS_SCHEMA

    lsoa_geoms = {code: _square(i) for i, code in enumerate(sorted(LSOAS))}
    north = shapely.union_all([g for c, g in lsoa_geoms.items() if LSOAS[c] == NORTH])
    south = shapely.union_all([g for c, g in lsoa_geoms.items() if LSOAS[c] == SOUTH])
    rows = [dict(level="borough", code=BOROUGH, name="Testborough", geom=shapely.union_all([north, south]))]
    rows += [dict(level="ward", code=NORTH, name="North Ward", borough_code=BOROUGH, geom=north),
             dict(level="ward", code=SOUTH, name="South Ward", borough_code=BOROUGH, geom=south)]
    rows += [dict(level="lsoa21", code=c, name=f"Testborough {i + 1:03d}A", ward_code=LSOAS[c], borough_code=BOROUGH,
                  geom=g) for i, (c, g) in enumerate(lsoa_geoms.items())]
    geoms = np.asarray([r.pop("geom") for r in rows], dtype=object)
    web = transform_geoms(geoms, BNG, WGS84)
    centroids = transform_geoms(shapely.centroid(geoms), BNG, WGS84)
    bounds = shapely.bounds(geoms)
    cols = {name: [] for name in AREAS_SCHEMA.names}
    for r, g, w, c, b in zip(rows, geoms, web, centroids, bounds):
        full = dict(vintage="test", approximate=False, source="tests/web/conftest.py", lsoa21_code=None,
                    msoa_code=None, ward_code=None, borough_code=None, area_m2=float(g.area),
                    centroid_lat=round(c.y, 6), centroid_lon=round(c.x, 6), bbox_xmin=b[0], bbox_ymin=b[1],
                    bbox_xmax=b[2], bbox_ymax=b[3], geometry_bng=shapely.to_wkb(g),
                    geometry_web=shapely.to_geojson(shapely.set_precision(w, 1e-5)), web_tolerance_m=0.0)
        full.update(r)
        for name in AREAS_SCHEMA.names:
            cols[name].append(full[name])
    lake.write_reference("areas", pa.table(cols, schema=AREAS_SCHEMA))


def write_postcodes(lake) -> None:
    import pyarrow as pa

    from openbeat.geo.crs import to_wgs84
    from openbeat.ingest.postcodes import SCHEMA

    lon, lat = to_wgs84([530_500], [180_500])  # middle of X01000001
    row = dict(postcode="TE1 1ST", postcode_key="TE11ST", latitude=round(float(lat[0]), 6),
               longitude=round(float(lon[0]), 6), lsoa21_code="X01000001", lsoa11_code=None, ward_code=NORTH,
               lad_code=BOROUGH, pfa_code=None, terminated=False, file="tests/web/conftest.py")
    lake.write_reference("postcodes", pa.Table.from_pylist([row], schema=SCHEMA))


def write_team(lake) -> None:
    import datetime as dt

    import pyarrow as pa

    from openbeat.geo.neighbourhoods import schema as links_schema
    from openbeat.ingest.neighbourhoods import SCHEMAS

    def table(name, rows):
        schema = SCHEMAS[name]
        full = [{k: r.get(k) for k in schema.names} for r in rows]
        return pa.Table.from_pylist(full, schema=schema)

    key = {"force": "testforce", "neighbourhood_id": "N1"}
    lake.write_reference("neighbourhood_wards", pa.Table.from_pylist([
        {**key, "ward_code": NORTH, "overlap_m2": 2e6, "share_of_neighbourhood": 1.0, "share_of_ward": 1.0,
         "is_best": True}], schema=links_schema()))
    lake.write_reference("neighbourhoods", table("neighbourhoods", [{
        **key, "name": "North Team", "description": "<p>The <b>north</b> of Testborough.</p>",
        "description_text": "The north of Testborough.", "url_force": "https://police.example/n1",
        "contact_details": '{"email": "north@police.example", "telephone": "101", "twitter": "https://x.example/north", '
                           '"facebook": "javascript:alert(1)"}',
        "links": '[{"url": "https://council.example/", "description": null, "title": "Testborough Council"}]',
        "locations": '[{"name": "Test Police Office", "longitude": null, "postcode": "TE1 1ST", "address": '
                     '"1 Test Street\\n, Testborough", "latitude": null, "type": "station", '
                     '"description": "<p>Monday to Friday, 9am to 5pm</p>"}]'}]))
    lake.write_reference("neighbourhood_people", table("neighbourhood_people", [
        {**key, "position": 0, "name": "Sam Sergeant", "rank": "Sergeant", "bio_text": "",
         "contact_details": '{"twitter": "https://x.example/sam", "email": "sam@police.example"}'},
        {**key, "position": 1, "name": "Pat Constable", "rank": "PCSO", "bio_text": ""}]))
    lake.write_reference("neighbourhood_priorities", table("neighbourhood_priorities", [
        {**key, "position": 0, "issue_text": "Burglary on Test Street", "issued_at": dt.datetime(2024, 2, 1),
         "action_text": "Patrols every evening", "actioned_at": dt.datetime(2024, 3, 5)},
        {**key, "position": 1, "issue_text": "Speeding <script>alert(1)</script>", "issued_at": dt.datetime(2024, 3, 1)}]))
    lake.write_reference("neighbourhood_events", table("neighbourhood_events", [
        {**key, "position": 0, "title": "Old meeting", "type": "meeting", "starts_at": dt.datetime(2020, 1, 1, 18)},
        {**key, "position": 1, "title": "Ward panel", "type": "meeting", "address": "Test Hall",
         "starts_at": dt.datetime(2099, 6, 1, 18, 30), "ends_at": dt.datetime(2099, 6, 1, 20)}]))


def write_crimes(lake, folder: Path) -> None:
    from openbeat.geo.crs import to_wgs84
    from openbeat.ingest import ingest_paths

    folder.mkdir(parents=True, exist_ok=True)
    centres = {code: _square(i).centroid for i, code in enumerate(sorted(LSOAS))}
    by_month: dict[str, list[list[str]]] = {}
    n = 0
    for month, lsoa, crime_type, count in CRIMES:
        lon, lat = to_wgs84([centres[lsoa].x], [centres[lsoa].y])
        for _ in range(count):
            n += 1
            crime_id = "" if crime_type == "Anti-social behaviour" else f"{n:064x}"
            by_month.setdefault(month, []).append([
                crime_id, month, "Test Police", "Test Police", f"{lon[0]:.6f}", f"{lat[0]:.6f}",
                "On or near Test Street", lsoa, f"Testborough {lsoa[-3:]}", crime_type, "", ""])
    for month, rows in by_month.items():
        with open(folder / f"{month}-testforce-street.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(STREET_HEADER)
            w.writerows(rows)
    report = ingest_paths([folder], lake=lake)
    assert report.ok, [f.error for f in report.failed]


def build_lake(root: Path):
    from openbeat.lake import Lake

    lake = Lake(root / "lake")
    write_areas(lake)
    write_postcodes(lake)
    write_team(lake)
    write_crimes(lake, root / "csv")
    return lake



def april(folder: Path) -> Path:
    """A folder holding one street file of a month the Testborough lake does not have (2024-04)."""
    folder.mkdir()
    path = folder / "2024-04-testforce-street.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(STREET_HEADER)
        w.writerow([f"{999:064x}", "2024-04", "Test Police", "Test Police", "-0.1", "51.5", "On or near Test Street",
                    "X01000003", "Testborough 003", "Shoplifting", "", ""])
    return path


def ingest_april(lake, tmp_path) -> None:
    from openbeat.ingest import ingest_paths

    assert ingest_paths([april(tmp_path / "april")], lake=lake).ok

@pytest.fixture(scope="session")
def web_lake(tmp_path_factory):
    """The Testborough lake (read-only: tests that change a lake make their own)."""
    return build_lake(tmp_path_factory.mktemp("web-lake"))


def point_at(settings, lake_root) -> None:
    """Point the app at a lake: a new store, no cached figures or answers."""
    from django.core.cache import caches

    from openbeat.web import lake_access, shared_figures

    settings.OPENBEAT_LAKE = str(lake_root)
    lake_access.reset()
    shared_figures.clear()
    caches[settings.OPENBEAT_RESPONSE_CACHE].clear()


@pytest.fixture
def use_lake(settings, web_lake):
    """Point the app at the Testborough lake for one test."""
    with pointing(settings, web_lake.root):
        yield web_lake


@pytest.fixture
def empty_lake(settings, tmp_path):
    with pointing(settings, tmp_path / "no-lake-here"):
        yield tmp_path / "no-lake-here"


@pytest.fixture
def demo_lake(settings, northbridge):
    """Point the app at the small synthetic Northbridge lake (tests/conftest.py) for one test."""
    with pointing(settings, northbridge.root):
        yield northbridge


@contextlib.contextmanager
def pointing(settings, lake_root, point=point_at):
    """The app pointed at a lake (``point``: :func:`point_at` or a variant of it) for the block,
    and again after it, so that nothing the block kept outlives it."""
    point(settings, lake_root)
    try:
        yield
    finally:
        point(settings, lake_root)


@pytest.fixture
def changing(settings, tmp_path):
    """Its own lake, a file-based answer cache as `openbeat serve` uses, the warm-up on."""
    from django.core.cache import caches

    from openbeat.web import lake_access, warm

    settings.CACHES = {**settings.CACHES, "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / "answers"),
        "TIMEOUT": None}}
    settings.OPENBEAT_RESPONSE_CACHE = "shared"
    settings.OPENBEAT_WARM_SHARE = 1
    settings.OPENBEAT_LAKE_CHECK_SECONDS = 0  # every request looks at the lake
    lake = build_lake(tmp_path)
    point_at(settings, lake.root)
    warm._visits.clear()
    yield lake
    lake_access.reset()
    caches["shared"].clear()
    warm._visits.clear()
    point_at(settings, lake.root)


@pytest.fixture
def serving(monkeypatch):
    """A serving worker whose background thread publishes new states: stepped by calling warm._look()."""
    from openbeat.web import lake_access

    monkeypatch.setattr(lake_access, "background", [lambda: True])
