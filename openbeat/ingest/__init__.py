"""Ingest police.uk data into the lake.

    >>> from openbeat.lake import Lake
    >>> from openbeat.ingest import ingest_paths
    >>> report = ingest_paths(["2024-03-metropolitan-street.csv"], lake=Lake("lake"))  # doctest: +SKIP

This package never imports Django: the CLI and the web app are two consumers of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from openbeat.ingest.errors import IngestError
from openbeat.ingest.police_csv import FileReport, Source, connect, ingest_source
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


def ingest_sources(sources: Iterable[Source], *, lake: Lake,
                   on_file: Callable[[FileReport], None] | None = None,
                   report: IngestReport | None = None) -> IngestReport:
    """Ingest each source into its partition; one failure does not stop the others."""
    report = report or IngestReport()
    lake.sweep_temp_files()
    with connect() as con:
        for src in sources:
            try:
                fr = ingest_source(lake, src, con=con)
            except IngestError as e:
                fr = FileReport(src.path, "failed", error=str(e))
            report.files.append(fr)
            if on_file:
                on_file(fr)
    return report


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
