"""Answers follow the lake: a month ingested while the app is under load shows up within the
check interval, and no answer ever pairs one lake state's ETag with another state's data."""

from __future__ import annotations

import threading
import time

import pytest
from django.test import Client

from openbeat.ingest import ingest_paths
from tests.waiting import wait_until
from tests.web.conftest import april, build_lake, point_at

URLS = ["/api/areas/X05000002/profile", "/api/areas/X09000001/profile", "/api/areas/X05000001/trends",
        "/api/areas/X05000001/profile", "/api/areas/X09000001/trends"]
CHECK_SECONDS = 0.5


def last_month(body: dict) -> str:
    return body["period"]["to"]


@pytest.fixture
def served_lake(settings, tmp_path):
    lake = build_lake(tmp_path)
    point_at(settings, lake.root)
    settings.OPENBEAT_LAKE_CHECK_SECONDS = CHECK_SECONDS
    yield lake
    point_at(settings, lake.root)


@pytest.mark.django_db(transaction=True)
def test_no_stale_answer_while_a_month_is_ingested_under_load(served_lake, tmp_path):
    seen: list[tuple[float, str, str, str]] = []  # (started, url, etag, last month in the data)
    errors: list[str] = []
    stop = threading.Event()

    def load(i: int) -> None:
        client = Client()
        n = i
        while not stop.is_set():
            url = URLS[n % len(URLS)]
            n += 1
            started = time.monotonic()
            try:
                r = client.get(url)
                assert r.status_code == 200, r.status_code
                seen.append((started, url, r["ETag"], last_month(r.json())))
            except Exception as e:  # reported below, with the URL
                errors.append(f"{url}: {e!r}")
                return

    threads = [threading.Thread(target=load, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(seen) >= 30 or errors, 30, "the load to be running")
        report = ingest_paths([april(tmp_path / "april")], lake=served_lake)
        assert report.ok
        done = time.monotonic()

        def every_url_answered_after_the_interval() -> bool:
            late = [s for s in list(seen) if s[0] > done + CHECK_SECONDS]
            return {u for _, u, _, m in late if m == "2024-04"} == set(URLS) and len(late) > 50

        # Not a TimeoutError on its own: the assertions below say what was stale.
        try:
            wait_until(every_url_answered_after_the_interval, 30, "every URL to answer with April")
        except TimeoutError:
            pass
    finally:
        stop.set()
        for t in threads:
            t.join()

    assert errors == []
    months_by_etag: dict[tuple[str, str], set[str]] = {}
    for _, url, etag, month in seen:
        months_by_etag.setdefault((url, etag), set()).add(month)
    mixed = {k: v for k, v in months_by_etag.items() if len(v) > 1}
    assert mixed == {}, "one ETag was given with the data of two lake states"
    assert {m for *_, m in seen} == {"2024-03", "2024-04"}
    stale = [s for s in seen if s[0] > done + CHECK_SECONDS and s[3] != "2024-04"]
    assert stale == [], f"{len(stale)} answers after the check interval still showed the old months"
    old_tags = {(u, e) for _, u, e, m in seen if m == "2024-03"}
    new_tags = {(u, e) for _, u, e, m in seen if m == "2024-04"}
    assert old_tags and new_tags and not (old_tags & new_tags)


def test_an_ingest_in_the_middle_of_a_request_does_not_change_what_it_answers(served_lake, settings, tmp_path,
                                                                             client, monkeypatch):
    """The ETag is taken from the lake's state first; the figures read after an ingest has
    landed must still be those of that state (the next request gets the new ones)."""
    from openbeat.web import cache

    settings.OPENBEAT_LAKE_CHECK_SECONDS = 0  # look at the lake on every request
    url = "/api/areas/X05000002/profile"
    real_key = cache.answer_key
    landed = []

    def key_then_ingest(request, state, params=None):
        key = real_key(request, state, params)
        if not landed:
            landed.append(ingest_paths([april(tmp_path / "april")], lake=served_lake).ok)
        return key

    monkeypatch.setattr(cache, "answer_key", key_then_ingest)
    during = client.get(url)
    after = client.get(url)
    assert landed == [True]
    assert last_month(during.json()) == "2024-03" and last_month(after.json()) == "2024-04"
    assert during["ETag"] != after["ETag"]
    # the answer kept under the first state's key is still that state's
    again = client.get(url, HTTP_IF_NONE_MATCH=during["ETag"])
    assert again.status_code == 200 and again["ETag"] == after["ETag"]
