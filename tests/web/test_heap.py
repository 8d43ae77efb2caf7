"""A serving worker prepares, then freezes what it holds out of the garbage collector's full
collections (openbeat.web.heap, openbeat.web.server.open_store), and settles again after
each new lake state it publishes (openbeat.web.warm._look)."""

from __future__ import annotations

import gc
import os
import weakref

import pytest

from openbeat.web import heap, lake_access, warm
from tests.web.conftest import NORTH, ingest_april


@pytest.fixture
def unfrozen():
    """The test process's heap is left as it was found: nothing frozen."""
    gc.unfreeze()
    yield
    gc.unfreeze()


class Node:
    pass


def test_settle_freezes_what_is_alive_and_collects_it_at_the_next_settle_once_unused(unfrozen):
    kept = Node()
    kept.me = kept  # a cycle: only the collector frees it
    ref = weakref.ref(kept)
    heap.settle()
    assert gc.get_freeze_count() > 0
    assert not any(o is kept for o in gc.get_objects())  # frozen: in no generation a collection walks
    del kept
    gc.collect()
    assert ref() is not None  # frozen: no collection frees it
    heap.settle()  # unfrozen, collected, the rest frozen again
    assert ref() is None
    assert gc.get_freeze_count() > 0


@pytest.fixture
def a_worker(monkeypatch, unfrozen):
    """What `openbeat serve`'s post_worker_init changes, undone after the test."""
    monkeypatch.setattr(warm, "_serving", [])
    monkeypatch.setattr(lake_access, "preparers", list(lake_access.preparers))
    monkeypatch.setattr(lake_access, "on_new_state", list(lake_access.on_new_state))
    monkeypatch.setattr(lake_access, "background", list(lake_access.background))


@pytest.mark.django_db
def test_a_worker_prepares_every_forces_look_ups_then_freezes_its_heap_before_serving(demo_lake, a_worker):
    from openbeat.analytics.coverage import Coverage
    from openbeat.web.server import open_store

    open_store()  # what each worker does before the server opens (post_worker_init)
    store = lake_access.get_store()
    forces = Coverage(store).forces("stop_searches")
    assert forces and all(("stop-search-forces", (f,)) in store._memo for f in forces)
    assert any(isinstance(k, tuple) and k[0] == "find_recorded" and k[1] == (f,)
               for f in forces for k in store._memo)
    wards = [a.code for a in store.areas("ward")]
    with_rows = {w for (w,) in store.cursor().execute("SELECT DISTINCT ward_code FROM crime_counts").fetchall()}
    assert with_rows and all(("coverage-forces", "crime_counts", "ward", w) in store._memo
                             for w in wards if w in with_rows)  # every ward's that has rows
    assert store._memo.get("health") is True  # the first health check's reading of every partition's ends
    assert gc.get_freeze_count() > 0
    frozen = {id(o) for o in gc.get_objects()}  # what collections still walk
    assert id(store._memo) not in frozen and id(store) not in frozen


@pytest.mark.django_db
def test_a_serving_process_settles_its_heap_after_publishing_a_new_state(
        changing, serving, client, tmp_path, monkeypatch):
    settled = []
    monkeypatch.setattr(heap, "settle", lambda: settled.append(lake_access.published().state.signature))
    monkeypatch.setattr(warm, "_serving", [os.getpid()])
    assert client.get(f"/areas/{NORTH}/").status_code == 200
    ingest_april(changing, tmp_path)
    new = lake_access.peek_state().signature
    warm._look()  # claims the new state, builds, warms and publishes it
    assert settled == [new]  # after it was published, not before

    monkeypatch.setattr(warm, "_serving", [])  # a process that does not serve never freezes
    warm._settle()
    assert settled == [new]
