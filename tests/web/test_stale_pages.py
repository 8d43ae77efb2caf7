"""After the lake changes, a page kept for the previous state is served, whole and marked as
such, until the new state is warmed (openbeat.web.cache.stale_answer); the API never is."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches

from openbeat.ingest import ingest_paths
from openbeat.web import lake_access, shared_figures, warm
from tests.web.conftest import BOROUGH, NORTH, SOUTH, build_lake, point_at
from tests.web.test_ingest_while_serving import april

NOTICE = re.compile(rb'<div class="govuk-inset-text ob-lake-notice" role="status" data-lake-state="(\w{12})">'
                    rb"New data has just been loaded and is being prepared\. This page still shows the data as it "
                    rb"was on \d{1,2} \w+ \d{4} at \d\d:\d\d; reload in a few minutes for the new figures\.</div>")


@pytest.fixture
def changing(settings, tmp_path):
    """Its own lake, a file-based answer cache as `openbeat serve` uses, the warm-up on."""
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
    caches["shared"].clear()
    warm._visits.clear()
    point_at(settings, lake.root)


def ingest_april(lake, tmp_path):
    assert ingest_paths([april(tmp_path / "april")], lake=lake).ok


@pytest.mark.django_db
def test_a_kept_page_of_the_previous_state_is_served_whole_and_marked_until_the_new_state_is_warmed(
        changing, client, tmp_path, monkeypatch):
    page = f"/areas/{NORTH}/"
    before = client.get(page)
    assert before.status_code == 200 and b"ob-lake-notice" not in before.content
    old = lake_access.lake_state().signature
    ingest_april(changing, tmp_path)
    new = lake_access.peek_state().signature
    assert new != old

    def computing(*args, **kwargs):
        raise AssertionError("a stale page was served by computing it")

    with monkeypatch.context() as m:
        m.setattr(shared_figures, "figure", computing)
        m.setattr("openbeat.areas.area_figures.figure", computing)
        stale = client.get(page)
    assert stale.status_code == 200
    assert stale["X-OpenBeat-Lake-State"] == f"{old[:12]}; stale"
    assert not stale.has_header("ETag") and "no-cache" in stale["Cache-Control"]
    notice = NOTICE.search(stale.content)
    assert notice is not None and notice.group(1) == old[:12].encode()
    # the previous state's page, whole: nothing of it changed but the notice
    assert stale.content.replace(notice.group(0), b"<!--openbeat:lake-notice-->") == before.content
    assert lake_access.behind(lake_access.peek_state())  # served without building the new state's store

    # a page not kept for either state is computed on the new state, and kept for it
    south = client.get(f"/areas/{SOUTH}/")
    assert south.status_code == 200 and b"ob-lake-notice" not in south.content and south.has_header("ETag")
    assert not lake_access.behind(lake_access.peek_state())
    # the new store is built, yet until the state is warmed, a page kept only for the old state stays stale
    assert NOTICE.search(client.get(page).content) is not None

    assert warm.warm(new) == 7  # every ward, borough and force page and API profile
    fresh = client.get(page)
    assert fresh.status_code == 200 and NOTICE.search(fresh.content) is None and fresh.has_header("ETag")
    assert fresh["ETag"] != before["ETag"] and b"April 2024" in fresh.content
    assert b"April 2024" not in before.content


@pytest.mark.django_db
def test_the_api_never_answers_from_the_previous_state(changing, client, tmp_path):
    url = f"/api/areas/{BOROUGH}/profile"
    assert client.get(url).json()["period"]["to"] == "2024-03"
    client.get(f"/areas/{BOROUGH}/")
    ingest_april(changing, tmp_path)
    assert client.get(url).json()["period"]["to"] == "2024-04"


@pytest.mark.django_db
def test_no_stale_page_once_the_window_has_passed(changing, client, tmp_path, settings):
    page = f"/areas/{NORTH}/"
    client.get(page)
    ingest_april(changing, tmp_path)
    settings.OPENBEAT_STALE_SECONDS = 0
    again = client.get(page)
    assert again.status_code == 200 and NOTICE.search(again.content) is None and again.has_header("ETag")


@pytest.mark.django_db
def test_no_stale_page_when_each_process_keeps_its_own_answers(settings, tmp_path, client):
    """The tests' local-memory cache: nothing is warmed, so nothing would end the window."""
    settings.OPENBEAT_LAKE_CHECK_SECONDS = 0
    lake = build_lake(tmp_path)
    point_at(settings, lake.root)
    try:
        page = f"/areas/{NORTH}/"
        client.get(page)
        ingest_april(lake, tmp_path)
        assert NOTICE.search(client.get(page).content) is None
    finally:
        point_at(settings, lake.root)
