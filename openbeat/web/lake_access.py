"""The web's one door to the lake: a single analytics :class:`~openbeat.analytics.store.Store` per process.

Views and API operations never open DuckDB. Selectors call the analytics functions with
:func:`get_store`, or, for the few look-ups no analytics function makes (area names,
boundaries for maps, neighbourhood teams), run a query on ``get_store().cursor()``.

* **Per process, lazily.** The store is made by the first request that needs it, in the
  process that serves it, and is tied to that process id: a store inherited across a
  fork (gunicorn's master to a worker) is never used. ``openbeat serve`` opens it when a
  worker starts, so no visitor waits for the aggregates to load.
* **Threads.** The store is thread-safe: each query runs on its own cursor.
* **Ingest while serving: one notion of the lake's state.** A :class:`Snapshot` pairs a
  :class:`LakeState` (the signature that makes ETags, Last-Modified and cache keys) with
  the store built from exactly that state: the state is scanned before the store is built
  and again after, and the pair is kept only when the two agree. The lake is looked at
  again at most every ``OPENBEAT_LAKE_CHECK_SECONDS``; a new state gets a new store (the
  store never refreshes itself behind the signature's back). A request pins the snapshot
  it first uses (:class:`~openbeat.web.middleware.LakeSnapshotMiddleware`), so its data
  and its cache key always come from the same state, even while an ingest runs.
* **A new state is published only once it is ready.** In a process that serves
  (:func:`openbeat.web.warm.serving`, whose background thread builds and publishes new
  states: :data:`background`), requests keep the snapshot they had while the lake holds a
  newer state: the thread builds the new store off the request path and publishes it once
  the new state's answers are computed ahead of visitors (or ``OPENBEAT_STALE_SECONDS``
  after this process first saw it). Elsewhere (a management command, the tests' client,
  a process with nothing warming), or in a process that has no snapshot yet, the first
  request that needs the new state builds its store.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from openbeat.analytics.store import Store
from openbeat.datasets import POLICE_DATASETS
from openbeat.lake import Lake


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
    # Every file a store reads: the manifest, each reference dataset and each partition
    # (an ingest commits a partition, then appends to the manifest; both change this).
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
            paths = [os.path.join(top.path, "manifest.jsonl")]
        elif top.name in POLICE_DATASETS:
            paths = _partition_files(top.path)
        else:
            paths = [os.path.join(top.path, "part.parquet")]
        for path in paths:
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


def _partition_files(folder: str) -> list[str]:
    """``<folder>/force=*/month=*/part.parquet`` (sorted, as strings): the files of a police
    dataset that exist now. With ``os.scandir``, not ``Path.glob``: a national lake has 4,644
    partitions, which glob listed in 90 ms of a 105 ms scan (a worker scans every
    ``OPENBEAT_LAKE_CHECK_SECONDS``, on a visitor's request)."""
    out = []
    for force in _subfolders(folder, "force="):
        for month in _subfolders(force, "month="):
            out.append(os.path.join(month, "part.parquet"))
    out.sort()
    return out


def _subfolders(folder: str, prefix: str) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return [e.path for e in entries if e.name.startswith(prefix) and e.is_dir()]
    except (FileNotFoundError, NotADirectoryError):
        return []


@dataclass(frozen=True)
class Snapshot:
    """A lake state and the store built from exactly that state (see the module docstring)."""

    state: LakeState
    store: Store
    pid: int


_lock = threading.Lock()
_build_lock = threading.Lock()
_state: dict[Path, tuple[float, LakeState]] = {}
_snapshots: dict[Path, Snapshot] = {}
#: The newest signature scanned and when this process first saw it (monotonic seconds).
_seen: dict[Path, tuple[str, float]] = {}
#: The snapshot a request uses, set on its first use (``[None]`` until then; None outside requests).
_pinned: contextvars.ContextVar[list | None] = contextvars.ContextVar("openbeat_lake_snapshot", default=None)
#: A snapshot built but not published yet, used by the requests of the thread that prepares it
#: (:func:`preparing`: the warm-up computes the new state's answers on it).
_upcoming: contextvars.ContextVar[Snapshot | None] = contextvars.ContextVar("openbeat_lake_upcoming", default=None)

#: How often the state is scanned again when it changes while a store is being built.
_BUILD_ATTEMPTS = 5
#: Called with the signature of each new lake state a request builds a store for:
#: :func:`openbeat.web.warm.serving` adds the warm-up (so this module never imports it).
on_new_state: list[Callable[[str], None]] = []
#: Called with each snapshot :func:`build` makes, before it is used: what the web reads once
#: per lake state (:mod:`openbeat.areas.apps` adds the areas index; :func:`openbeat.web.warm.serving`
#: a page rendered on it, so a serving process's first visitor pays no first-time costs).
preparers: list[Callable[[Snapshot], None]] = []
#: Each says whether a thread of this process builds and publishes new lake states in the
#: background (:func:`openbeat.web.warm.serving` adds one): while any does, a request never
#: builds a store for a new state when the process has one for an earlier state.
background: list[Callable[[], bool]] = []


#: Set in the thread that looks at the lake in the background (:func:`scans_here`).
_scanner = threading.local()


#: A request trusts the background thread's last scan for at most this many times
#: ``OPENBEAT_LAKE_CHECK_SECONDS``: a thread busy in one long computation (a national store's
#: build) must not keep visitors from seeing a new lake state.
_SCANNER_LATE = 5


def scans_here() -> None:
    """The calling thread looks at the lake for this process (:func:`openbeat.web.warm.serving`'s
    thread, every ``OPENBEAT_LAKE_CHECK_SECONDS``): while it is alive, a visitor's request
    uses the state it scanned last instead of scanning again (4,644 partitions' ``stat``
    in a national lake: 30 ms of CPU a request, every few seconds, in every worker)."""
    _scanner.on = True


def _looked_at(root: Path) -> LakeState:
    """The lake's state, scanned again at most every OPENBEAT_LAKE_CHECK_SECONDS (by the
    background thread, when this process has one: :func:`scans_here`)."""
    now = time.monotonic()
    ttl = float(settings.OPENBEAT_LAKE_CHECK_SECONDS)
    with _lock:
        cached = _state.get(root)
        if cached and ttl > 0 and (now - cached[0] < ttl or (
                now - cached[0] < _SCANNER_LATE * ttl
                and not getattr(_scanner, "on", False) and any(alive() for alive in background))):
            return cached[1]
    return _record(root, _scan(root), now)


def _record(root: Path, state: LakeState, now: float) -> LakeState:
    """``state``, scanned at ``now``, is the lake's newest as far as this process knows."""
    with _lock:
        _state[root] = (now, state)
        if _seen.get(root, ("",))[0] != state.signature:
            _seen[root] = (state.signature, now)
    return state


def waited(state: LakeState) -> float:
    """Seconds since this process first saw ``state`` (0 when it has not seen it as the newest)."""
    seen = _seen.get(state.root)
    return time.monotonic() - seen[1] if seen and seen[0] == state.signature else 0.0


def published() -> Snapshot | None:
    """The snapshot this process serves (None before its first)."""
    snap = _snapshots.get(get_lake().root)
    return snap if snap is not None and snap.pid == os.getpid() else None


def _holds_back() -> bool:
    """Do requests keep the published snapshot while a newer state is prepared in the background?"""
    return float(settings.OPENBEAT_STALE_SECONDS) > 0 and any(alive() for alive in background)


def build(*, background: bool = False) -> Snapshot:
    """A store built from the lake's state now, and that state: not published (:func:`publish`).

    ``background``: built (and used until it is published) on one DuckDB thread, the calling
    thread, so a low-priority thread (the warm-up's, nice 10) leaves the cores to visitors;
    :func:`publish` gives it every core."""
    lake = get_lake()
    for _ in range(_BUILD_ATTEMPTS):
        before = _scan(lake.root)
        store = Store(lake, threads=1 if background else None)
        store.freshness = math.inf  # a store shows one state; a new state gets a new store
        if lake.root.is_dir():
            store.cursor()  # build now, between the two scans
            store.prepare()  # and what every page reads once per state: not on a visitor's request
            for prepare in preparers:  # the web's own (the areas index, a page rendered once)
                prepare(Snapshot(before, store, os.getpid()))
        after = _record(lake.root, _scan(lake.root), time.monotonic())
        if after.signature == before.signature:
            break
    # after that many changes mid-build (an ingest of many files), label the store with
    # the earlier state: a client then asks again, and never keeps old data under a new tag
    return Snapshot(before, store, os.getpid())


def publish(snap: Snapshot) -> None:
    """From now on, requests of this process that have not pinned a snapshot use ``snap``."""
    if snap.store.threads is not None:
        snap.store.use_threads(None)  # built in the background: visitors' queries get every core
    with _lock:
        _snapshots[snap.state.root] = snap


@contextlib.contextmanager
def preparing(snap: Snapshot) -> Iterator[None]:
    """Requests made inside (in this thread) use ``snap`` before it is published."""
    token = _upcoming.set(snap)
    try:
        yield
    finally:
        _upcoming.reset(token)


def _current() -> Snapshot:
    lake = get_lake()
    upcoming = _upcoming.get()
    if upcoming is not None and upcoming.state.root == lake.root:
        return upcoming
    state = _looked_at(lake.root)
    snap = published()
    if snap is not None and (snap.state.signature == state.signature or _holds_back()):
        return snap
    with _build_lock:  # one build per new state; the other threads wait for it, then share it
        state = _looked_at(lake.root)
        snap = published()
        if snap is not None and (snap.state.signature == state.signature or _holds_back()):
            return snap
        snap = build()
        publish(snap)
    if lake.root.is_dir():
        for listener in on_new_state:
            listener(snap.state.signature)  # answers computed ahead of visitors (web.warm)
    return snap


def snapshot() -> Snapshot:
    """The request's snapshot (pinned on first use), or the current one outside a request."""
    pinned = _pinned.get()
    if pinned is None:
        return _current()
    if pinned[0] is None or pinned[0].state.root != get_lake().root:
        pinned[0] = _current()
    return pinned[0]


@contextlib.contextmanager
def pinned_snapshot() -> Iterator[None]:
    """Everything inside uses one snapshot: the first one asked for."""
    token = _pinned.set([None])
    try:
        yield
    finally:
        _pinned.reset(token)


def peek_state() -> LakeState:
    """What the lake holds now, without building a store: safe in a process that will fork
    (DuckDB's threads do not survive a fork, so a gunicorn master must never open one)."""
    return _looked_at(get_lake().root)


def lake_state() -> LakeState:
    """The lake's state behind this request's data (see :func:`snapshot`)."""
    return snapshot().state


def get_store() -> Store:
    """This process's store over ``settings.OPENBEAT_LAKE``, for this request's lake state."""
    return snapshot().store


def behind(newest: LakeState) -> bool:
    """Does this process serve an earlier state than ``newest`` (its store not published yet)?"""
    snap = published()
    return snap is not None and snap.state.signature != newest.signature


def reset() -> None:
    """Forget the store and the cached state (tests; after moving the lake)."""
    with _lock:
        _snapshots.clear()
        _seen.clear()
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
