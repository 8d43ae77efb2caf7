"""Fetch one force's months from police.uk and ingest them.

    >>> from openbeat.lake import Lake
    >>> from openbeat.ingest.fetch import fetch_months
    >>> report = fetch_months(Lake("lake"), force="metropolitan",
    ...                       first="2024-01", last="2024-12")        # doctest: +SKIP

How the months are found:

1. ``crimes-street-dates`` (API) lists the published months, newest first, and for each
   the forces with stop-and-search data. Its newest month L names the newest archive.
   A wanted month after L, or inside the listed span but missing from it, is reported as
   *not published* and not asked for. (The API lists roughly the last three years; months
   older than its earliest entry are not judged, their archives are simply tried.)
2. Archive ``YYYY-MM.zip`` holds the 36 months ending at YYYY-MM. Taking the earliest
   wanted month m not yet covered, archive a = min(L, m + 35) covers every wanted month in
   [a − 35, a]; repeat. That greedy choice covers the months with the fewest archives,
   and recent months come from the newest archive (police.uk updates outcomes in later
   releases).
3. Each archive is read through HTTP range requests (:mod:`openbeat.ingest.http`): the
   central directory, then only the wanted members ``YYYY-MM/YYYY-MM-<force>-<kind>.csv``.
   Bytes are cached by URL and ETag, so fetching an unchanged archive again transfers
   nothing but one conditional request, and every member then ingests as "unchanged".
4. A wanted stop-and-search month missing from the archive but listed for the force by
   ``crimes-street-dates`` is taken from ``stops-force?force=<f>&date=YYYY-MM`` and written
   as a police.uk CSV (see :func:`write_stop_search_csv`) that is ingested like any other.
   Other wanted members the archive lacks are reported as *absent* (forces skip months).

Every member goes through :func:`openbeat.ingest.ingest_sources`, so each partition is
replaced atomically and a failure leaves the lake as it was. A network failure, a changed
archive (new ETag mid-read) or a broken zip stops that archive with a clear entry in
``report.errors``; members already loaded from it were read whole and CRC-checked.

The cache (``$OPENBEAT_CACHE``, else ``police-uk`` under the user cache directory) holds
one sparse file per archive URL with the byte ranges read so far — the central directory
and the members fetched, a few MB per force-year, or the whole archive when the server
refused ranges. It is never needed for correctness: delete it at any time.
"""

from __future__ import annotations

import csv
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from platformdirs import user_cache_dir

from openbeat.datasets import KINDS, STOP_AND_SEARCH, parse_file_name
from openbeat.ingest import FileReport, IngestReport, Source, ingest_sources, iter_zip
from openbeat.ingest.http import (
    DEFAULT_BLOCK_SIZE,
    DEFAULT_MAX_REQUEST,
    HttpError,
    RemoteChangedError,
    RemoteFile,
    RetryPolicy,
    new_client,
    open_remote,
)
from openbeat.ingest.policeuk_client import PoliceApi
from openbeat.lake import Lake, month_range

SITE_URL = "https://data.police.uk/"
KIND_NAMES = ("street", "outcomes", "stop-and-search")
_DEFAULT = object()


def default_cache_dir() -> Path:
    """``$OPENBEAT_CACHE`` if set, else ``police-uk`` under the user's cache directory."""
    env = os.environ.get("OPENBEAT_CACHE")
    return Path(env).expanduser() if env else Path(user_cache_dir("openbeat")) / "police-uk"


def archive_url(site_url: str, month: str) -> str:
    return site_url.rstrip("/") + f"/data/archive/{month}.zip"


def add_months(month: str, n: int) -> str:
    y, m = map(int, month.split("-"))
    k = y * 12 + (m - 1) + n
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def plan_archives(months: Iterable[str], *, latest: str) -> dict[str, list[str]]:
    """Archive month → the wanted months it serves (see module doc, step 2)."""
    plan: dict[str, list[str]] = {}
    todo = sorted(set(months))
    while todo:
        archive = min(latest, add_months(todo[0], 35))
        lo = add_months(archive, -35)
        plan[archive] = [m for m in todo if lo <= m <= archive]
        todo = [m for m in todo if not lo <= m <= archive]
    return plan


class FetchProgress:
    """Receives progress events; does nothing. The CLI subclasses it to draw with rich."""

    def archive(self, url: str, *, members: int, total_bytes: int | None) -> None:
        """Starting on an archive: ``members`` to read, about ``total_bytes`` to transfer."""

    def bytes(self, n: int) -> None:
        """``n`` more bytes arrived."""

    def member(self, report: FileReport) -> None:
        """A member was ingested (or failed)."""

    def note(self, text: str) -> None:
        """Something the user should know (fallbacks, months not published)."""


@dataclass
class FetchReport:
    force: str
    months: list[str]
    kinds: list[str]
    latest: str | None = None
    not_published: list[str] = field(default_factory=list)  # police.uk does not have these months
    archives: dict[str, list[str]] = field(default_factory=dict)  # archive URL → months read from it
    absent: list[str] = field(default_factory=list)  # "YYYY-MM kind": not in the archive nor the API
    from_api: list[str] = field(default_factory=list)  # stop-search months taken from stops-force
    whole_downloads: list[str] = field(default_factory=list)  # archives the server would not range-read
    errors: list[str] = field(default_factory=list)
    bytes_transferred: int = 0
    api_requests: int = 0
    ingest: IngestReport = field(default_factory=IngestReport)

    @property
    def ok(self) -> bool:
        return not self.errors and self.ingest.ok


def fetch_months(lake: Lake, *, force: str, first: str, last: str | None = None,
                 kinds: Iterable[str] = KIND_NAMES, base_url: str = SITE_URL, api_url: str | None = None,
                 cache_dir: str | os.PathLike | None | object = _DEFAULT,
                 progress: FetchProgress | None = None, client: httpx.Client | None = None,
                 retry: RetryPolicy | None = None, api: PoliceApi | None = None,
                 block_size: int = DEFAULT_BLOCK_SIZE, max_request: int = DEFAULT_MAX_REQUEST) -> FetchReport:
    """Download ``force``'s months ``first`` … ``last`` (default: the newest) and ingest them.

    ``base_url`` is the site root serving ``data/archive/YYYY-MM.zip`` and, unless
    ``api_url`` says otherwise, ``api/``. ``cache_dir`` defaults to
    :func:`default_cache_dir`; ``None`` keeps nothing between runs. Never raises for a
    network or data problem: they are in ``report.errors`` / ``report.ingest.failed``.
    """
    kinds = list(dict.fromkeys(kinds))
    for k in kinds:
        if k not in KINDS:
            raise ValueError(f"unknown kind {k!r}: choose from {', '.join(KIND_NAMES)}")
    for m in (first, last):
        if m is not None and not _is_month(m):
            raise ValueError(f"month {m!r} must be YYYY-MM")
    progress = progress or FetchProgress()
    cache = default_cache_dir() if cache_dir is _DEFAULT else cache_dir
    own_client = client is None
    client = client or new_client()
    retry = retry or RetryPolicy()
    own_api = api is None
    api = api or PoliceApi(api_url or base_url.rstrip("/") + "/api/", client=client, retry=retry)
    report = FetchReport(force, [], kinds)
    try:
        try:
            dates = published_months(api.crimes_street_dates())
        except (HttpError, ValueError) as e:
            report.errors.append(f"cannot learn which months police.uk has: {e}")
            return report
        latest = report.latest = max(dates)
        last = last or latest
        if last < first:
            raise ValueError(f"--to {last} is before --from {first}")
        report.months = month_range(first, last)
        wanted, report.not_published = split_months(dates, report.months)
        if report.not_published:
            progress.note(f"police.uk has not published {', '.join(report.not_published)} (newest is {latest})")

        api_stops: list[str] = []
        for archive, months in plan_archives(wanted, latest=latest).items():
            url = archive_url(base_url, archive)
            report.archives[url] = months
            found = _ingest_archive(lake, url, force, months, kinds, report, progress,
                                    client=client, retry=retry, cache=cache,
                                    block_size=block_size, max_request=max_request)
            if found is None:
                continue
            for m in months:
                for k in kinds:
                    if (m, k) in found:
                        continue
                    if k == "stop-and-search" and force in dates.get(m, ()):
                        api_stops.append(m)
                    else:
                        report.absent.append(f"{m} {k}")
        for m in api_stops:
            _ingest_stops_from_api(lake, api, force, m, report, progress)
        return report
    finally:
        report.api_requests = api.requests
        if own_api:
            api.close()
        if own_client:
            client.close()


def _is_month(m: str) -> bool:
    return len(m) == 7 and m[4] == "-" and m[:4].isdigit() and m[5:].isdigit() and 1 <= int(m[5:]) <= 12


def split_months(published: dict[str, set[str]], months: list[str]) -> tuple[list[str], list[str]]:
    """(months to fetch, months police.uk has not published); see module doc, step 1."""
    latest, earliest = max(published), min(published)
    fetch, missing = [], []
    for m in months:
        (missing if m > latest or (m >= earliest and m not in published) else fetch).append(m)
    return fetch, missing


def published_months(payload) -> dict[str, set[str]]:
    """``crimes-street-dates`` → {month: forces with stop-and-search data that month}."""
    if not isinstance(payload, list) or not payload:
        raise ValueError("crimes-street-dates returned no months")
    out = {}
    for item in payload:
        if not isinstance(item, dict) or not _is_month(str(item.get("date", ""))):
            raise ValueError(f"crimes-street-dates returned an unexpected entry: {item!r:.80}")
        out[item["date"]] = set(item.get("stop-and-search") or [])
    return out


# ---- one archive ------------------------------------------------------------------------


def _ingest_archive(lake, url, force, months, kinds, report, progress, *, client, retry, cache,
                    block_size, max_request) -> set[tuple[str, str]] | None:
    """Ingest the wanted members of one archive; returns the (month, kind) pairs it holds."""
    def whole(size):
        report.whole_downloads.append(url)
        progress.note(f"{url}: the server refuses range requests; downloading the whole archive"
                      + (f" ({size / 1e6:,.0f} MB)" if size else ""))
        progress.archive(url, members=0, total_bytes=size)

    try:
        rf = open_remote(url, client=client, cache_dir=cache, retry=retry, block_size=block_size,
                         max_request=max_request, on_bytes=progress.bytes, on_whole_download=whole)
    except HttpError as e:
        report.errors.append(str(e))
        return None
    except OSError as e:  # the cache folder cannot be written
        report.errors.append(f"{url}: cannot use the download cache {cache}: {e} (pass --cache DIR or --no-cache)")
        return None
    sources = None
    try:
        try:
            with zipfile.ZipFile(rf) as zf:
                infos = zf.infolist()
                start_dir = zf.start_dir
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            rf.store.discard()  # never keep a broken copy
            report.errors.append(f"{url}: not a readable zip archive: {e} (the archive may be truncated; "
                                 "nothing was loaded from it; try again later)")
            return None
        spans = _member_spans(infos, start_dir)
        wanted_names, found = {}, set()
        for info in infos:
            fn = parse_file_name(info.filename.rsplit("/", 1)[-1])
            if fn and fn.force == force and fn.month in months and fn.kind.file_kind in kinds:
                wanted_names[info.filename] = spans[info.filename]
                found.add((fn.month, fn.kind.file_kind))
        progress.archive(url, members=len(wanted_names), total_bytes=_to_transfer(rf, wanted_names.values()))
        sources = iter_zip(url, force=force, fileobj=rf)
        ingest_sources(_hinted(sources, rf, wanted_names), lake=lake, on_file=progress.member,
                       report=report.ingest)
        return found
    except HttpError as e:
        if isinstance(e, RemoteChangedError):
            rf.store.discard()
        report.errors.append(str(e))
        return None
    finally:
        if sources is not None:
            sources.close()
        report.bytes_transferred += rf.bytes_transferred
        rf.close()


def _member_spans(infos: list[zipfile.ZipInfo], start_dir: int) -> dict[str, tuple[int, int]]:
    """Each member's bytes in the archive: its local header up to the next member's."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    spans = {}
    for i, info in enumerate(ordered):
        end = ordered[i + 1].header_offset if i + 1 < len(ordered) else start_dir
        spans[info.filename] = (info.header_offset, end)
    return spans


def _to_transfer(rf: RemoteFile, spans: Iterable[tuple[int, int]]) -> int:
    if rf.store.complete:
        return 0
    return sum(z - a for span in spans for a, z in rf.store.missing(*span))


def _hinted(sources: Iterator[Source], rf: RemoteFile, wanted: dict[str, tuple[int, int]]) -> Iterator[Source]:
    """Only the wanted members; opening one tells the remote file which bytes come next."""
    for src in sources:
        member = src.path.split("!", 1)[1]
        span = wanted.get(member)
        if span is None:
            continue
        yield Source(src.path, src.name, _opener(src, rf, span), compressed_size=src.compressed_size)


def _opener(src: Source, rf: RemoteFile, span: tuple[int, int]):
    def open_member():
        rf.hint(*span)
        return _MemberReader(src.open())
    return open_member


class _MemberReader:
    """A zip member stream whose CRC/format errors surface as OSError.

    ``zipfile`` raises ``BadZipFile`` (not an OSError) for a bad CRC; the CSV loader turns
    OSError into a clear per-file IngestError, so that one member fails and the lake keeps
    its old partition.
    """

    def __init__(self, raw):
        self._raw = raw

    def read(self, n: int = -1) -> bytes:
        try:
            return self._raw.read(n)
        except zipfile.BadZipFile as e:
            raise OSError(f"corrupt zip member: {e}") from e

    def close(self) -> None:
        self._raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---- stop and search from the API -------------------------------------------------------

#: police.uk stop-and-search CSV column ← ``stops-force`` JSON field. The API also sends
#: ``involved_person`` (always true in these files), ``outcome_object`` (id and name; the
#: name is ``outcome``) and ``location.street`` (the anonymised snap point); the CSV has no
#: column for them, so they are dropped.
STOP_SEARCH_FROM_API = (
    ("Type", ("type",)),
    ("Date", ("datetime",)),
    ("Part of a policing operation", ("operation",)),
    ("Policing operation", ("operation_name",)),
    ("Latitude", ("location", "latitude")),
    ("Longitude", ("location", "longitude")),
    ("Gender", ("gender",)),
    ("Age range", ("age_range",)),
    ("Self-defined ethnicity", ("self_defined_ethnicity",)),
    ("Officer-defined ethnicity", ("officer_defined_ethnicity",)),
    ("Legislation", ("legislation",)),
    ("Object of search", ("object_of_search",)),
    ("Outcome", ("outcome",)),
    ("Outcome linked to object of search", ("outcome_linked_to_object_of_search",)),
    ("Removal of more than just outer clothing", ("removal_of_more_than_outer_clothing",)),
)
assert [h for h, _ in STOP_SEARCH_FROM_API] == STOP_AND_SEARCH.header


def write_stop_search_csv(records: list[dict], path: Path) -> int:
    """Write ``stops-force`` records as a police.uk stop-and-search CSV; returns rows written.

    Values are written as police.uk's CSVs write them: true/false/null → ``True``/``False``/
    empty; a missing location → empty coordinates; ``outcome`` false or null (older records)
    → the ``outcome_object`` name if any, else empty. Line breaks inside values become
    spaces, because the loader counts one record per line as police.uk files have.
    """
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(STOP_AND_SEARCH.header)
        for rec in records:
            row = []
            for header, keys in STOP_SEARCH_FROM_API:
                value = rec
                for k in keys:
                    value = value.get(k) if isinstance(value, dict) else None
                if header == "Outcome" and value in (None, False, ""):
                    value = (rec.get("outcome_object") or {}).get("name")
                row.append(_csv_value(value))
            w.writerow(row)
    return len(records)


def _csv_value(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "True"
    if value is False:
        return "False"
    return str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _ingest_stops_from_api(lake, api, force, month, report, progress) -> None:
    name = f"{month}-{force}-stop-and-search.csv"
    label = f"{api.base_url}stops-force?force={force}&date={month}"
    try:
        records = api.stops_force(force, month)
    except HttpError as e:
        report.errors.append(f"stop and search {month} from the API: {e}")
        return
    if not isinstance(records, list):
        report.errors.append(f"{label}: expected a list of stop-and-search records")
        return
    with tempfile.TemporaryDirectory(prefix="openbeat-stops-") as tmp:
        path = Path(tmp) / name
        write_stop_search_csv(records, path)
        report.from_api.append(month)
        progress.note(f"{month} stop and search is not in the archive; {len(records):,} records taken from the API")
        src = Source(label, name, lambda: open(path, "rb"), local_path=path)
        ingest_sources([src], lake=lake, on_file=progress.member, report=report.ingest)


__all__ = [
    "SITE_URL", "KIND_NAMES", "FetchProgress", "FetchReport", "fetch_months", "plan_archives",
    "published_months", "split_months",
    "write_stop_search_csv", "default_cache_dir", "archive_url",
]
