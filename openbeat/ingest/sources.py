"""Turn what the user names (files, folders, archive zips) into police.uk CSV sources.

Archive zips (``https://data.police.uk/data/archive/YYYY-MM.zip``) hold
``YYYY-MM/YYYY-MM-<force>-<kind>.csv`` for every force; their members are read as
streams, one at a time, never the whole archive in memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from openbeat.datasets import parse_file_name
from openbeat.ingest.errors import IngestError
from openbeat.ingest.police_csv import Source


def expand(paths: list[str | Path], *, force: str | None = None,
           errors: list[IngestError] | None = None) -> Iterator[Source]:
    """Yield a :class:`Source` for each police.uk CSV named by ``paths``.

    Folders are searched recursively for ``*.csv``, ``*.csv.gz`` and ``*.zip``; files in
    them that are not police.uk files are passed over. A named file or zip that cannot
    be used is reported through ``errors`` (or raised when ``errors`` is None).
    """
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(
                f for f in path.rglob("*")
                if f.is_file() and (f.name.endswith((".csv", ".csv.gz", ".zip")))
            )
            for f in found:
                if f.suffix == ".zip":
                    yield from _guard(lambda f=f: iter_zip(f, force=force), errors)
                elif parse_file_name(f.name) and _wanted(f.name, force):
                    yield Source.from_path(f)
        elif path.is_file() and path.suffix == ".zip":
            yield from _guard(lambda path=path: iter_zip(path, force=force), errors)
        elif path.is_file():
            if parse_file_name(path.name) is None:
                _report(IngestError(str(path), "not a police.uk file name",
                                    hint="expected YYYY-MM-<force>-<kind>.csv(.gz) or an archive .zip"), errors)
            elif _wanted(path.name, force):
                yield Source.from_path(path)
        else:
            _report(IngestError(str(path), "no such file or folder"), errors)


def iter_zip(path: Path | str, *, force: str | None = None, fileobj: BinaryIO | None = None) -> Iterator[Source]:
    """Members of a police.uk archive zip, optionally one force's only.

    ``fileobj`` lets a caller pass any seekable stream (e.g. HTTP range reads) instead
    of a file on disk; only the members read cross the wire.
    """
    label = str(path)
    try:
        zf = zipfile.ZipFile(fileobj if fileobj is not None else path)
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise IngestError(label, f"not a readable zip archive: {e}",
                          hint="the archive may be truncated; download it again") from e
    with zf:
        for info in zf.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if info.is_dir() or parse_file_name(name) is None or not _wanted(name, force):
                continue
            yield Source(f"{label}!{info.filename}", name, lambda info=info: zf.open(info),
                         compressed_size=info.compress_size)


def _wanted(name: str, force: str | None) -> bool:
    return force is None or parse_file_name(name).force == force


def _guard(make: callable, errors: list[IngestError] | None) -> Iterator[Source]:
    try:
        yield from make()
    except IngestError as e:
        _report(e, errors)


def _report(e: IngestError, errors: list[IngestError] | None) -> None:
    if errors is None:
        raise e
    errors.append(e)
