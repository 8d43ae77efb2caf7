"""A new lake state is published to visitors only once it is ready (openbeat.web.lake_access,
openbeat.web.warm._look): until then a serving process answers from the state it serves, whole
and marked as such, or with the new state's kept answer; the API never gives old data a new ETag."""

from __future__ import annotations

import contextlib
import re
import time

import duckdb
import pytest
from django.core.cache import caches

from openbeat.web import lake_access, shared_figures, warm
from tests.waiting import wait_until
from tests.web.conftest import BOROUGH, NORTH, SOUTH, build_lake, ingest_april, point_at

NOTICE = re.compile(rb'<div class="govuk-inset-text ob-lake-notice" role="status" data-lake-state="(\w{12})">'
                    rb"New data has just been loaded and is being prepared\. This page still shows the data as it "
                    rb"was on \d{1,2} \w+ \d{4} at \d\d:\d\d; reload in a few minutes for the new figures\.</div>")


def computing(*args, **kwargs):
    raise AssertionError("an answer was computed")


@contextlib.contextmanager
def without_computing(monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(shared_figures, "figure", computing)
        m.setattr("openbeat.areas.area_figures.figure", computing)
        yield


@pytest.mark.django_db
def test_the_previous_state_is_served_whole_and_marked_until_the_new_state_is_warmed_and_published(
        changing, serving, client, tmp_path, monkeypatch):
    page = f"/areas/{NORTH}/"
    before = client.get(page)
    assert before.status_code == 200 and b"ob-lake-notice" not in before.content
    old = lake_access.lake_state().signature
    ingest_april(changing, tmp_path)
    new = lake_access.peek_state().signature
    assert new != old

    with without_computing(monkeypatch):
        stale = client.get(page)  # kept for the state served: no store built, nothing computed
    assert stale.status_code == 200
    assert stale["X-OpenBeat-Lake-State"] == f"{old[:12]}; stale"
    assert not stale.has_header("ETag") and "no-cache" in stale["Cache-Control"]
    notice = NOTICE.search(stale.content)
    assert notice is not None and notice.group(1) == old[:12].encode()
    # the previous state's page, whole: nothing of it changed but the notice
    assert stale.content.replace(notice.group(0), b"<!--openbeat:lake-notice-->") == before.content
    # a 304 would hide the notice: a page of the earlier state is sent whole
    assert client.get(page, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200

    # a page kept for neither state is computed on the state served, whole, and marked too
    south = client.get(f"/areas/{SOUTH}/")
    assert south.status_code == 200 and south["X-OpenBeat-Lake-State"] == f"{old[:12]}; stale"
    assert NOTICE.search(south.content) is not None and b"April 2024" not in south.content
    assert lake_access.behind(lake_access.peek_state())  # no request built the new state's store

    warm._look()  # the background: this worker claims the new state, builds its store, warms, publishes
    assert warm.warmed(new) and not lake_access.behind(lake_access.peek_state())
    with without_computing(monkeypatch):
        fresh = client.get(page)
    assert fresh.status_code == 200 and NOTICE.search(fresh.content) is None and fresh.has_header("ETag")
    assert "X-OpenBeat-Lake-State" not in fresh
    assert fresh["ETag"] != before["ETag"] and b"April 2024" in fresh.content
    assert b"April 2024" not in before.content


@pytest.mark.django_db
def test_a_worker_that_did_not_claim_the_new_state_publishes_it_once_it_is_warmed(
        changing, serving, client, tmp_path, monkeypatch):
    page, url = f"/areas/{NORTH}/", f"/api/areas/{BOROUGH}/profile"
    client.get(page)
    ingest_april(changing, tmp_path)
    new = lake_access.peek_state()
    cache = caches["shared"]
    cache.add(f"openbeat-warm:{new.signature}", 12345)  # another worker warms it
    warm._look()
    assert lake_access.behind(new)  # left to the other worker: this one keeps serving its state
    assert NOTICE.search(client.get(page).content) is not None

    # the other worker's kept answers of the new state are served meanwhile, with the new ETag
    with lake_access.preparing(lake_access.build()):
        kept = warm._handler().get_response(warm._request(page))
    assert kept.status_code == 200 and NOTICE.search(kept.content) is None and b"April 2024" in kept.content
    with without_computing(monkeypatch):
        served = client.get(page)
    assert served.content == kept.content and served["ETag"] == kept["ETag"]
    assert lake_access.behind(new)

    cache.set(f"openbeat-warmed:{new.signature}", 7)  # the other worker is done
    warm._look()
    assert not lake_access.behind(new)
    assert client.get(url).json()["period"]["to"] == "2024-04"


@pytest.mark.django_db
def test_the_api_answers_the_state_served_under_its_own_etag(changing, serving, client, tmp_path):
    url = f"/api/areas/{BOROUGH}/profile"
    first = client.get(url)
    assert first.json()["period"]["to"] == "2024-03" and "no-cache" not in first["Cache-Control"]
    ingest_april(changing, tmp_path)
    old = client.get(url)  # the previous state, whole, under the previous state's ETag
    assert old.json()["period"]["to"] == "2024-03" and old["ETag"] == first["ETag"]
    assert old["X-OpenBeat-Lake-State"].endswith("; stale") and "no-cache" in old["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304  # right for the state served
    warm._look()
    new = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert new.status_code == 200 and new.json()["period"]["to"] == "2024-04" and new["ETag"] != first["ETag"]


@pytest.mark.django_db
def test_the_new_state_is_published_unwarmed_after_the_stale_seconds(
        changing, serving, client, tmp_path, settings):
    page = f"/areas/{NORTH}/"
    client.get(page)
    ingest_april(changing, tmp_path)
    new = lake_access.peek_state()
    caches["shared"].add(f"openbeat-warm:{new.signature}", 12345)  # another worker, never done
    settings.OPENBEAT_STALE_SECONDS = 1e-6
    warm._look()
    assert not lake_access.behind(new) and not warm.warmed(new.signature)
    again = client.get(page)
    assert again.status_code == 200 and NOTICE.search(again.content) is None and b"April 2024" in again.content


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


@pytest.mark.django_db
def test_the_background_prepares_a_state_on_one_duckdb_thread_and_publishes_it_with_every_core(
        changing, serving, client, tmp_path, monkeypatch):
    """One DuckDB thread runs each query in the thread that asks it, so the warm-up's low CPU
    priority holds for the new store's build and its warming; visitors' queries get DuckDB's default."""
    client.get(f"/areas/{NORTH}/")
    ingest_april(changing, tmp_path)
    threads_seen = []
    real_warm = warm.warm

    def watching(signature, **kwargs):
        threads_seen.append(lake_access.get_store().cursor().execute(
            "SELECT current_setting('threads')").fetchone()[0])
        return real_warm(signature, **kwargs)

    monkeypatch.setattr(warm, "warm", watching)
    warm._look()
    default = duckdb.connect(":memory:").execute("SELECT current_setting('threads')").fetchone()[0]
    assert threads_seen == [1]
    assert lake_access.get_store().cursor().execute("SELECT current_setting('threads')").fetchone()[0] == default


@pytest.mark.django_db
def test_the_claimant_keeps_its_claim_while_a_store_build_outlasts_it(
        changing, serving, client, tmp_path, monkeypatch):
    """A claim lapses CLAIM_SECONDS after its worker last renewed it: a build longer than that
    (a national store) keeps it, so no second worker warms the same state meanwhile."""
    client.get(f"/areas/{NORTH}/")
    ingest_april(changing, tmp_path)
    new = lake_access.peek_state().signature
    monkeypatch.setattr(warm, "CLAIM_SECONDS", 1.0)
    real_build = lake_access.build
    cache_class = type(caches["shared"])
    real_touch = cache_class.touch
    renewals = []

    def counted(self, key, *args, **kwargs):
        if key == f"openbeat-warm:{new}":
            renewals.append(time.monotonic())
        return real_touch(self, key, *args, **kwargs)

    monkeypatch.setattr(cache_class, "touch", counted)
    others = []

    def slow(**kwargs):  # a build outlasting 2.5 claims' lives: renewed every quarter of one
        started = time.monotonic()
        wait_until(lambda: renewals and renewals[-1] - started >= 2.5 * warm.CLAIM_SECONDS, 60,
                   "the claim to be renewed past 2.5 lifetimes")
        others.append(caches["shared"].add(f"openbeat-warm:{new}", "another worker", timeout=60))
        return real_build(**kwargs)

    monkeypatch.setattr(lake_access, "build", slow)
    warm._look()
    assert others == [False]  # still this worker's
    assert warm.warmed(new) and not lake_access.behind(lake_access.peek_state())
