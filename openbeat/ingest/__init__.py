"""Ingest police.uk data into the lake.

    >>> from openbeat.lake import Lake
    >>> from openbeat.ingest import ingest_paths
    >>> report = ingest_paths(["2024-03-metropolitan-street.csv"], lake=Lake("lake"))  # doctest: +SKIP

This package never imports Django: the CLI and the web app are two consumers of it.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from openbeat.datasets import parse_file_name
from openbeat.ingest.errors import IngestError
from openbeat.ingest.police_csv import FileReport, Source, connect, ingest_batch, ingest_source, spool
from openbeat.ingest.sources import expand, iter_zip
from openbeat.lake import Lake

__all__ = ["IngestError", "IngestReport", "FileReport", "Source", "ingest_paths", "ingest_sources", "iter_zip"]


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def totals(self) -> dict[str, int]:
        keys = ("rows_read", "rows_loaded", "rows_rejected", "duplicates")
        return {k: sum(getattr(f, k) for f in self.files) for k in keys}


#: A batch read by one DuckDB statement holds at most this many files, or CSV bytes
#: (a ``.gz`` counted at 6 times its size): enough to make per-file costs small, small
#: enough that the two workers share a run and a batch's table stays a few hundred MB.
BATCH_FILES = 64
BATCH_BYTES = 48 << 20


def ingest_sources(sources: Iterable[Source], *, lake: Lake,
                   on_file: Callable[[FileReport], None] | None = None,
                   report: IngestReport | None = None, workers: int | None = None) -> IngestReport:
    """Ingest each source into its partition; one failure does not stop the others.

    Sources are gathered into batches of one kind (see :func:`ingest_batch`: one DuckDB
    read for many small files, every check kept), loaded by ``workers`` threads (default:
    up to 2, one per core), each with its own DuckDB connection. A file the batch cannot
    take as it is (a reject, a partition already loaded, a wrong header …) is loaded on
    its own by :func:`ingest_source`, which says what is wrong with it. One run loads
    one file per partition: a second source for a (dataset, force, month) already given in
    the run (two zip members of one name, a folder and its re-published archive) fails,
    naming the first, so no file is reported loaded that the lake does not hold. Streams
    (zip members) are copied to temporary files in this thread first. ``on_file`` is called
    in the order the sources came.
    """
    report = report or IngestReport()
    lake.sweep_temp_files()
    workers = workers or min(2, os.cpu_count() or 1)
    local = threading.local()
    connections = []

    def load(batch: list[tuple[Source, bool]]) -> list[FileReport]:
        if not hasattr(local, "con"):
            local.con = connect()
            connections.append(local.con)
        try:
            try:
                done = ingest_batch(lake, [src for src, _ in batch], con=local.con)
            except IngestError:
                done = [None] * len(batch)
            out = []
            for (src, _), fr in zip(batch, done):
                if fr is None:
                    try:
                        fr = ingest_source(lake, src, con=local.con)
                    except IngestError as e:
                        fr = FileReport(src.path, "failed", error=str(e))
                out.append(fr)
            return out
        finally:
            for src, spooled in batch:
                if spooled:
                    src.local_path.unlink(missing_ok=True)

    def emit(fr: FileReport) -> None:
        report.files.append(fr)
        if on_file:
            on_file(fr)


    # Sources are numbered as they come; a batch's reports carry their numbers, and are
    # emitted in that order. Files are batched per kind: an archive lists each force's
    # outcomes, stop-and-search and street files in turn, so one batch for all kinds
    # would hold a single file at a time.
    pending: deque[Future] = deque()
    ready: dict[int, FileReport] = {}
    next_out = 0
    first_of: dict[tuple, str] = {}  # partition -> the source given for it in this run
    batches: dict[object, list[tuple[int, Source, bool]]] = {}
    batch_bytes: dict[object, int] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool:

        def numbered_load(batch: list[tuple[int, Source, bool]]) -> list[tuple[int, FileReport]]:
            return list(zip([n for n, _, _ in batch], load([(src, spooled) for _, src, spooled in batch])))

        def flush(kind) -> None:
            batch = batches.pop(kind, None)
            batch_bytes.pop(kind, None)
            if batch:
                pending.append(pool.submit(numbered_load, batch))

        def failed(n: int, fr: FileReport) -> None:
            done: Future = Future()
            done.set_result([(n, fr)])
            pending.append(done)

        def drain(wait: bool) -> None:
            nonlocal next_out
            while pending and (wait or pending[0].done()):
                for n, fr in pending.popleft().result():
                    ready[n] = fr
                while next_out in ready:
                    emit(ready.pop(next_out))
                    next_out += 1

        n = -1
        try:
            for src in sources:
                n += 1
                name = parse_file_name(src.name)
                key = (name.kind.dataset, name.force, name.month) if name else None
                if key is not None and key in first_of:
                    failed(n, FileReport(
                        src.path, "failed", *key,
                        error=str(IngestError(
                            src.path, f"the same {key[0]} partition ({key[1]}, {key[2]}) as {first_of[key]}, given "
                            "earlier in this run; one run loads one file per partition",
                            hint="ingest the one you want on its own"))))
                    continue
                if key is not None:
                    first_of[key] = src.path
                spooled = src.local_path is None
                if spooled:
                    try:
                        src = spool(src)
                    except IngestError as e:
                        failed(n, FileReport(src.path, "failed", error=str(e)))
                        continue
                size = _csv_bytes(src)
                kind = name.kind if name else None
                if kind in batches and (kind is None or len(batches[kind]) >= BATCH_FILES
                                        or batch_bytes[kind] + size > BATCH_BYTES):
                    flush(kind)
                batches.setdefault(kind, []).append((n, src, spooled))
                batch_bytes[kind] = batch_bytes.get(kind, 0) + size
                drain(wait=False)
            for kind in list(batches):
                flush(kind)
        finally:
            # Files already handed to a worker finish and are reported, even when reading
            # the next source failed (e.g. an archive that changed on the server mid-read).
            for kind in list(batches):
                flush(kind)
            drain(wait=True)
    for con in connections:
        con.close()
    return report


def _csv_bytes(src: Source) -> int:
    """About how many CSV bytes a source holds (a .gz expands about 6 times)."""
    try:
        size = src.local_path.stat().st_size
    except OSError:
        return 0
    return size * 6 if src.name.endswith(".gz") else size


def ingest_paths(paths: list[str | Path], *, lake: Lake, force: str | None = None,
                 on_file: Callable[[FileReport], None] | None = None) -> IngestReport:
    """Ingest police.uk CSVs (plain or .gz), folders of them and archive zips.

    ``force`` keeps only that force's files (e.g. the Met's members of an archive).
    """
    errors: list[IngestError] = []
    report = IngestReport()
    ingest_sources(expand(paths, force=force, errors=errors), lake=lake, on_file=on_file, report=report)
    for e in errors:
        fr = FileReport(e.source, "failed", error=str(e))
        report.files.append(fr)
        if on_file:
            on_file(fr)
    return report
