"""Answers computed ahead of visitors after a lake change (openbeat.web.warm)."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from openbeat.web import shared_figures, warm
from openbeat.web.lake_access import lake_state
from tests.web.conftest import BOROUGH, NORTH, SOUTH


@pytest.fixture
def shared(settings, tmp_path, use_lake):
    """A file-based answer cache, as `openbeat serve` uses, with the warm-up on at full speed."""
    settings.CACHES = {**settings.CACHES, "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / "answers"),
        "TIMEOUT": None}}
    settings.OPENBEAT_RESPONSE_CACHE = "shared"
    settings.OPENBEAT_WARM_SHARE = 1
    warm._visits.clear()
    yield caches["shared"]
    caches["shared"].clear()
    warm._visits.clear()


def test_nothing_is_warmed_when_each_process_keeps_its_own_answers(settings, use_lake):
    settings.OPENBEAT_WARM_SHARE = 1
    assert not warm.enabled()  # the tests' local-memory cache: warming would fill one worker's


@pytest.mark.django_db
def test_warmed_pages_are_served_without_computing_and_match_a_visitors(shared, client, settings, monkeypatch):
    fresh = {path: client.get(path) for path in (f"/areas/{NORTH}/", f"/api/areas/{SOUTH}/profile")}
    shared.clear()
    shared_figures.clear()
    settings.OPENBEAT_UNCACHED_PER_MINUTE = 1  # the warm-up is not limited as a client is

    signature = lake_state().signature
    warmed = warm.warm(signature)
    # 2 wards, the borough, the force; the API profile of the 2 wards and the borough
    assert warmed == 7
    assert warm.warm(signature) == 0  # claimed once per lake state, by one worker of all

    def computing(*args, **kwargs):
        raise AssertionError("a warmed answer was computed again")

    monkeypatch.setattr(shared_figures, "figure", computing)
    monkeypatch.setattr("openbeat.areas.area_figures.figure", computing)
    for path, before in fresh.items():
        again = client.get(path)
        assert again.status_code == 200
        assert again.content == before.content
        assert again["ETag"] == before["ETag"]


def test_most_visited_first_then_wards_boroughs_and_the_force(shared):
    for _ in range(3):
        warm.visited(f"/api/areas/{NORTH}/trends?from=2024-01")
    warm.visited(f"/areas/{BOROUGH}/")
    assert warm.paths() == [
        f"/api/areas/{NORTH}/trends?from=2024-01", f"/areas/{BOROUGH}/",
        f"/areas/{NORTH}/", f"/areas/{SOUTH}/", "/areas/testforce/",
        f"/api/areas/{NORTH}/profile", f"/api/areas/{SOUTH}/profile", f"/api/areas/{BOROUGH}/profile"]


@pytest.mark.django_db
def test_a_visitors_answers_are_counted_and_the_warm_ups_are_not(shared, client):
    client.get(f"/areas/{SOUTH}/")
    client.get(f"/areas/{SOUTH}/")
    warm.warm(lake_state().signature)
    assert warm._visits == {f"/areas/{SOUTH}/": 2}


def test_a_state_another_worker_is_warming_is_left_to_it(shared):
    signature = lake_state().signature
    shared.add(f"openbeat-warm:{signature}", 12345)
    assert warm.warm(signature) is None  # asked again when the claim lapses (CLAIM_SECONDS)


def test_renewing_a_claim_that_has_just_lapsed_says_so(shared):
    """Django's file cache raises ValueError when it touches a key that has just expired
    (ticket #37191); the claim's renewal reads that as a lapsed claim instead of dying."""
    shared.set("openbeat-warm:lapsed", "this worker", timeout=0)  # stored, already expired
    shared.set("openbeat-warm:held", "this worker", timeout=60)
    assert warm._renew(shared, "openbeat-warm:lapsed") is False
    assert warm._renew(shared, "openbeat-warm:held") is True
    assert warm._renew(shared, "openbeat-warm:never") is False


def test_only_a_serving_process_warms(shared, monkeypatch):
    started = []
    monkeypatch.setattr(warm.threading, "Thread", lambda **kw: started.append(kw) or pytest.fail("a thread"))
    monkeypatch.setattr(warm, "_serving", [])
    warm.lake_changed("a-state")  # e.g. the demo's seeder, which reads the lake and exits
    assert started == []


@pytest.mark.django_db
def test_a_serving_process_renders_a_page_on_each_store_it_builds_before_serving_it(
        shared, client, settings, monkeypatch):
    import os

    from openbeat.web import lake_access

    monkeypatch.setattr(warm, "_serving", [os.getpid()])
    monkeypatch.setattr(lake_access, "preparers", [*lake_access.preparers, warm.first_page])
    snap = lake_access.build()  # built, not published: nothing has asked for a page yet
    first = snap.store.areas("ward")[0].code
    assert first == NORTH
    memo = snap.store._memo
    # the first page's once-per-state reads are done: the areas index, a map, the months
    assert ("web", "area-index") in memo and "area-boundaries" in memo and "months" in memo
    assert any(isinstance(k, tuple) and k[:2] == ("hotspots", NORTH) for k in memo)
    lake_access.publish(snap)
    monkeypatch.setattr(shared_figures, "figure", lambda *a, **k: pytest.fail("the page was computed again"))
    monkeypatch.setattr("openbeat.areas.area_figures.figure", lambda *a, **k: pytest.fail("computed again"))
    kept = client.get(f"/areas/{NORTH}/")  # the answer kept, as the warm-up's
    assert kept.status_code == 200 and b"North Ward" in kept.content
    assert warm._visits == {f"/areas/{NORTH}/": 1}  # the visitor's is counted, the render was not


@pytest.mark.django_db
def test_a_worker_computes_its_first_page_even_when_another_worker_kept_its_answer(
        shared, client, monkeypatch):
    """Every worker of a server prepares the same ward: the ones that finish after the first
    find its answer kept, and must still compute it, or they have prepared nothing (their
    first visitor paid the templates, the URL patterns, the map's transformer...)."""
    import os

    from openbeat.web import lake_access

    before = client.get(f"/areas/{NORTH}/")  # a worker that prepared first kept the answer
    key_count = len(shared._list_cache_files())
    shared_figures.clear()  # the next worker's process has computed nothing
    monkeypatch.setattr(warm, "_serving", [os.getpid()])
    monkeypatch.setattr(lake_access, "preparers", [*lake_access.preparers, warm.first_page])
    computed = []
    real = shared_figures.figure
    monkeypatch.setattr("openbeat.areas.area_figures.figure",
                        lambda name, *a, **k: computed.append(name) or real(name, *a, **k))

    snap = lake_access.build()  # this worker's store, prepared

    assert sorted(set(computed)) == ["hotspots", "profile"]  # the figures of a page of the test lake
    assert any(isinstance(k, tuple) and k[:2] == ("hotspots", NORTH) for k in snap.store._memo)
    assert len(shared._list_cache_files()) == key_count  # the same answer kept again, not another
    lake_access.publish(snap)
    again = client.get(f"/areas/{NORTH}/")
    assert again.content == before.content and again["ETag"] == before["ETag"]
    assert warm._visits == {f"/areas/{NORTH}/": 2}  # the visitor's are counted, the render was not


def test_only_the_preparing_request_says_so():
    assert warm.PREPARING in warm._request("/areas/x/", preparing=True).META
    assert warm.PREPARING not in warm._request("/areas/x/").META
    assert warm.WARMING in warm._request("/areas/x/").META


def test_the_visitors_being_served_are_counted_and_the_warm_ups_requests_are_not(rf):
    seen = []
    middleware = warm.VisitorsFirst(lambda request: seen.append(warm._visitors) or "answer")
    assert middleware(rf.get("/areas/x/")) == "answer"
    assert middleware(warm._request("/areas/x/")) == "answer"  # the warm-up's own
    assert seen == [1, 0]
    assert warm._visitors == 0

    def failing(request):
        raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError):
        warm.VisitorsFirst(failing)(rf.get("/areas/x/"))
    assert warm._visitors == 0  # counted out however the request ends


def test_the_warm_up_waits_while_its_process_serves_a_visitor(rf):
    import threading

    inside, release = threading.Event(), threading.Event()
    middleware = warm.VisitorsFirst(lambda request: inside.set() or release.wait(30) or "answer")
    visitor = threading.Thread(target=middleware, args=(rf.get("/areas/x/"),))
    visitor.start()
    try:
        assert inside.wait(30)
        assert warm._after_visitors(timeout=0) is False  # a visitor is being served
    finally:
        release.set()
        visitor.join(30)
    assert warm._after_visitors(timeout=30) is True
    assert warm._visitors == 0


@pytest.mark.django_db
def test_the_warm_up_waits_for_the_visitors_before_each_answer(shared, monkeypatch):
    waits = []
    monkeypatch.setattr(warm, "_after_visitors", lambda timeout=None: waits.append(timeout) or True)
    assert warm.warm(lake_state().signature) == 7
    assert waits == [None] * 8  # before listing what to warm, and before each of the 7 answers


def test_the_visitors_are_counted_around_everything_else(settings):
    assert settings.MIDDLEWARE[0] == "openbeat.web.warm.VisitorsFirst"
