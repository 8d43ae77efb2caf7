"""Shared fixtures. Real data lives in ../shared/data and is read in place, never copied in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("OPENBEAT_SHARED_DATA", ROOT.parent / "shared" / "data"))

needs_shared_data = pytest.mark.skipif(
    not (SHARED_DATA / "MANIFEST.csv").exists(),
    reason=f"real police.uk samples not found at {SHARED_DATA} (../shared/data is absent on this machine)",
)


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED_DATA / "MANIFEST.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data is absent)")
    return SHARED_DATA


@pytest.fixture
def lake(tmp_path):
    from openbeat.lake import Lake

    return Lake(tmp_path / "lake")


NORTHBRIDGE = {"seed": 11, "months": 27, "end": "2025-12", "scale": 0.5}


@pytest.fixture(scope="session")
def northbridge(tmp_path_factory):
    """A small synthetic Northbridge lake (27 months, half volume) with areas and teams loaded.

    Shared by the analytics and web tests; read it, never write to it.
    """
    from openbeat.demo import build
    from openbeat.lake import Lake

    root = tmp_path_factory.mktemp("northbridge")
    result = build(Lake(root / "lake"), root / "out", **NORTHBRIDGE)
    assert result.ok
    return Lake(root / "lake")


@pytest.fixture(scope="session")
def real_london(tmp_path_factory):
    """The real London boundaries and ONS lookups in ../shared/data loaded with ``load_reference``,
    the Met burglary subset and every Met stop-and-search month ingested with ``ingest_paths``:
    ``(lake, connection, reference report)``, one per session. Read it, never write to it."""
    if not (SHARED_DATA / "MANIFEST.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data is absent)")
    from openbeat.geo.rollup import crimes_with_areas
    from openbeat.ingest import ingest_paths
    from openbeat.ingest.reference import load_reference
    from openbeat.lake import Lake

    lake = Lake(tmp_path_factory.mktemp("london") / "lake")
    b = SHARED_DATA / "boundaries"
    report = load_reference(
        [b / "ons_lsoa_2021_london_gen20", b / "ons_lsoa_2011_london_gen20", b / "ons_msoa_2021_london_gen20",
         b / "ons_lad22_london_boroughs_gen20", b / "ons_wards_may2022_bfc_camden_only",
         b / "london_wards_2018_mapinfo", SHARED_DATA / "lookups"],
        lake=lake,
    )
    assert not report.failed, report.failed
    ingest = ingest_paths([SHARED_DATA / "police_uk_subsets" / "metropolitan_burglary_only",
                           SHARED_DATA / "police_uk" / "archive"], lake=lake, force="metropolitan")
    assert ingest.ok
    con = lake.connect()
    crimes_with_areas(con, lake=lake)
    yield lake, con, report
    con.close()
