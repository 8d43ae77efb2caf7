"""An existing police.uk client works unchanged against OpenBeat: OpenBeat's own
(:class:`openbeat.ingest.policeuk_client.PoliceApi`, which fetches from data.police.uk) pointed at a
running server's ``/police-uk/api/``."""

from __future__ import annotations

import pytest

from tests.policeuk.conftest import SHEFFIELD, SHEFFIELD_POLY, load_json

pytestmark = pytest.mark.django_db(transaction=True)


def test_openbeats_own_police_uk_client_works_unchanged(live_server, use_samples, tmp_path):
    from openbeat.ingest.neighbourhoods import fetch_neighbourhoods
    from openbeat.ingest.policeuk_client import PoliceApi
    from openbeat.lake import Lake

    base = live_server.url + "/police-uk/api/"
    with PoliceApi(base) as api:
        assert api.crime_last_updated() == {"date": "2026-02-01"}
        assert [d["date"] for d in api.crimes_street_dates()] == ["2026-02", "2020-03", "2020-02", "2014-08"]
        crimes = api.crimes_street("all-crime", poly=SHEFFIELD_POLY, date="2026-02")
        assert len(crimes) == len(load_json(SHEFFIELD / "crimes-street_all-crime_poly_2026-02.json.gz")) == 6059
        assert api.locate_neighbourhood(52.635, -1.135) == {"force": "leicestershire", "neighbourhood": "NC04"}
    # the neighbourhood fetcher copies the team from OpenBeat as it would from police.uk
    copy = Lake(tmp_path / "copy")
    report = fetch_neighbourhoods(copy, force="leicestershire", base_url=base)
    assert report.ok and report.loaded == ["NC04"]
    original, again = use_samples.connect(), copy.connect()
    for table in ("neighbourhoods", "neighbourhood_people", "neighbourhood_priorities", "neighbourhood_boundaries"):
        cols = "* EXCLUDE (fetched_at)" if table == "neighbourhoods" else "*"
        assert again.sql(f"SELECT {cols} FROM {table}").fetchall() == original.sql(f"SELECT {cols} FROM {table}").fetchall()
