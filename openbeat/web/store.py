"""The web's one door to the lake: a single analytics :class:`~openbeat.analytics.store.Store` per process.

Views and API operations never open DuckDB. Selectors call the analytics functions with
:func:`get_store`, or, for the few look-ups no analytics function makes (area names,
boundaries for maps, neighbourhood teams), run a query on ``get_store().cursor()``.

* **Per process, lazily.** The store is made by the first request that needs it, in the
  process that serves it, and is tied to that process id: a store inherited across a
  fork (gunicorn's master to a worker) is never used. ``openbeat serve`` opens it when a
  worker starts, so no visitor waits for the aggregates to load.
* **Threads.** The store is thread-safe: each query runs on its own cursor.
* **Ingest while serving.** The store rebuilds itself when the lake's manifest or a
  reference dataset changes (checked at most every ``OPENBEAT_LAKE_CHECK_SECONDS``).
  :func:`lake_state` applies the same rule to give pages and the API their ETag,
  Last-Modified and cache keys, so a cached answer never outlives the data it shows.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from openbeat.analytics.store import Store
from openbeat.lake import POLICE_DATASETS, Lake


@dataclass(frozen=True)
class LakeState:
    """What the lake holds right now, as far as file metadata tells."""

    root: Path
    signature: str  # changes whenever the manifest or a reference dataset is written
    last_modified: datetime | None  # newest of those files (UTC), None for an empty lake
    datasets: frozenset[str]  # reference datasets and police datasets with data

    @property
    def empty(self) -> bool:
        return not self.datasets


def get_lake() -> Lake:
    return Lake(settings.OPENBEAT_LAKE)


def _scan(root: Path) -> LakeState:
    # The store rebuilds on exactly these files (Store._stamp): every ingest appends to
    # the manifest, and every reference load replaces a part.parquet by rename.
    entries: list[tuple[str, int, int, int]] = []
    datasets: set[str] = set()
    try:
        tops = sorted(os.scandir(root), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        tops = []
    for top in tops:
        if not top.is_dir() or top.name.startswith(".") or top.name in ("derived", "rejects"):
            continue
        if top.name == "manifest":
            path = os.path.join(top.path, "manifest.jsonl")
        elif top.name in POLICE_DATASETS:
            if next(Path(top.path).glob("force=*/month=*/part.parquet"), None) is not None:
                datasets.add(top.name)
            continue
        else:
            path = os.path.join(top.path, "part.parquet")
        try:
            st = os.stat(path)
        except OSError:  # not there, or replaced between listing and stat
            continue
        entries.append((path, st.st_mtime_ns, st.st_size, st.st_ino))
        if top.name != "manifest":
            datasets.add(top.name)
    digest = hashlib.sha256(repr((str(root), entries)).encode()).hexdigest()[:32]
    newest = max((e[1] for e in entries), default=None)
    last = datetime.fromtimestamp(newest / 1e9, tz=UTC).replace(microsecond=0) if newest else None
    return LakeState(root, digest, last, frozenset(datasets))


_lock = threading.Lock()
_state: dict[Path, tuple[float, LakeState]] = {}
_store: tuple[int, Path, Store] | None = None


def lake_state() -> LakeState:
    """The lake's state, looked at again at most every OPENBEAT_LAKE_CHECK_SECONDS."""
    root = get_lake().root
    now = time.monotonic()
    ttl = float(settings.OPENBEAT_LAKE_CHECK_SECONDS)
    with _lock:
        cached = _state.get(root)
        if cached and ttl > 0 and now - cached[0] < ttl:
            return cached[1]
    state = _scan(root)
    with _lock:
        _state[root] = (now, state)
    return state


def get_store() -> Store:
    """This process's store over ``settings.OPENBEAT_LAKE`` (made on first use)."""
    global _store
    lake = get_lake()
    pid = os.getpid()
    current = _store
    if current is not None and current[0] == pid and current[1] == lake.root:
        return current[2]
    with _lock:
        if _store is None or _store[0] != pid or _store[1] != lake.root:
            store = Store(lake)
            store.freshness = float(settings.OPENBEAT_LAKE_CHECK_SECONDS)
            _store = (pid, lake.root, store)
        return _store[2]


def open_store() -> None:
    """Build the store and import the analytics now (a worker does this when it starts)."""
    from openbeat.web.figures import available

    available("profile")  # imports every analytics module (statsmodels, scipy: seconds, once)
    if lake_state().datasets:
        get_store().cursor()


def reset() -> None:
    """Forget the store and the cached state (tests; after moving the lake)."""
    global _store
    with _lock:
        _store = None
        _state.clear()


class StoreLake:
    """A Lake whose ``connect()`` hands out a cursor of the process's store.

    :func:`openbeat.locate.locate` takes a lake and opens a connection of its own; given
    this, it queries the store instead, so finding a postcode opens nothing new.
    """

    def __init__(self, store: Store):
        self.store = store
        self.root = store.root

    def connect(self, **_):
        return self.store.cursor()
