"""HTTP that survives the real network: retries, resumed transfers, range reads, an on-disk cache.

The police.uk monthly archive (``https://data.police.uk/data/archive/YYYY-MM.zip``) is
several GB and holds every force; we usually want one force's few MB. :func:`open_remote`
returns a seekable, read-only file over HTTP ``Range`` requests, so ``zipfile`` reads the
central directory and the wanted members and nothing else crosses the network.

* **Probe.** One ``GET`` with ``Range: bytes=0-0`` learns the size (``Content-Range``),
  ``ETag``, ``Last-Modified`` and whether ranges work at all (206 vs 200). It carries
  ``If-None-Match`` / ``If-Modified-Since`` when the cache knows the file, so an unchanged
  archive answers 304 and costs nothing.
* **Cache.** Fetched bytes go into a sparse file in the cache folder, at their own
  offsets, with a record of which byte ranges are present. A miss fetches what is missing
  plus read-ahead: up to the end of a caller's hint (the zip member being read), or a
  window that doubles while reads stay sequential; a lone small read (zip's end-of-archive
  records) fetches at least one aligned ``block_size`` block, so the neighbouring records
  come with it. The cache survives the process, keyed by URL and validated by
  ETag/Last-Modified.
* **Retries.** Connection errors, timeouts, 429 and 5xx are retried with exponential
  backoff and jitter; ``Retry-After`` is honoured (seconds or an HTTP date).
* **Resume.** A connection that drops mid-body is continued from the byte reached, not
  from zero; a retry counter is reset whenever bytes arrived, so a long transfer over a
  flaky line still finishes.
* **Consistency.** Every ranged response must carry the ETag (and size) seen at the probe,
  and requests send ``If-Match``; a file that changes mid-download raises
  :class:`RemoteChangedError` rather than silently mixing two versions.
* **Fallback.** A server that answers 200 to a Range request (no range support) gets one
  whole download, streamed to the cache file and resumed with ``Range`` if the server
  turns out to support it after a drop.

The client is any ``httpx.Client``; tests pass one pointed at a local server.
"""

from __future__ import annotations

import email.utils
import fcntl
import hashlib
import io
import json
import os
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from openbeat import __version__

USER_AGENT = f"openbeat/{__version__} (python-httpx)"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=15.0)
DEFAULT_BLOCK_SIZE = 64 * 1024
DEFAULT_MAX_REQUEST = 8 * 1024 * 1024  # bytes per ranged GET; bounds what a dropped request loses
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class HttpError(Exception):
    """A transfer that could not be completed: what, where, and what to do."""

    def __init__(self, url: str, message: str, *, status: int | None = None, hint: str | None = None):
        self.url, self.message, self.status, self.hint = url, message, status, hint
        text = f"{url}: {message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class RemoteChangedError(HttpError):
    """The remote file changed (new ETag, Last-Modified or size) while we were reading it."""


def new_client(*, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT) -> httpx.Client:
    """An ``httpx.Client`` with our user agent, redirects followed and sane timeouts."""
    return httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT})


# ---- retries -------------------------------------------------------------------------


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter; ``Retry-After`` wins when the server sends it.

    The n-th wait (n = 0, 1, …) is drawn uniformly from [d/2, d] with
    d = min(max_delay, base_delay · 2ⁿ) ("equal jitter"), so clients that failed together
    do not retry together. ``sleep`` and ``rng`` are injectable so tests never wait.
    """

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 300.0  # refuse to sleep longer than this on a server's say-so
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        d = min(self.max_delay, self.base_delay * (2 ** attempt))
        return d / 2 + self.rng.uniform(0, d / 2)

    def wait(self, attempt: int, url: str, response: httpx.Response | None = None) -> None:
        delay = self.backoff(attempt)
        if response is not None:
            after = parse_retry_after(response.headers.get("retry-after"))
            if after is not None:
                if after > self.max_retry_after:
                    raise HttpError(url, f"the server asks us to wait {after:.0f} s before retrying",
                                    status=response.status_code, hint="try again later")
                delay = after
        self.sleep(delay)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def send_with_retry(client: httpx.Client, method: str, url: str, *, retry: RetryPolicy,
                    headers: dict | None = None, data: dict | None = None,
                    retry_statuses: Iterable[int] = RETRY_STATUSES,
                    stream: bool = False, before_send: Callable[[], None] | None = None) -> httpx.Response:
    """Send a request, retrying connection errors, timeouts and ``retry_statuses``.

    With ``stream=True`` the response is returned unread (the caller closes it); otherwise
    the body is read here, and a connection lost while reading it is retried too. Any other
    status is returned for the caller to judge. ``before_send`` runs before every attempt
    (the API client's rate limiter).
    """
    retry_statuses = frozenset(retry_statuses)
    last_error = "no attempt made"
    for attempt in range(retry.attempts):
        if before_send:
            before_send()
        try:
            request = client.build_request(method, url, headers=headers, data=data)
            response = client.send(request, stream=True)
        except httpx.TransportError as e:
            last_error = _describe(e)
            if attempt + 1 < retry.attempts:
                retry.wait(attempt, url)
            continue
        if response.status_code in retry_statuses:
            last_error = f"HTTP {response.status_code} {response.reason_phrase}"
            response.close()
            if attempt + 1 < retry.attempts:
                retry.wait(attempt, url, response)
            continue
        if stream:
            return response
        try:
            response.read()
        except httpx.TransportError as e:
            last_error = _describe(e)
            response.close()
            if attempt + 1 < retry.attempts:
                retry.wait(attempt, url)
            continue
        return response
    raise HttpError(url, f"gave up after {retry.attempts} attempts; last error: {last_error}",
                    hint="check the network connection or try again later")


def _describe(e: Exception) -> str:
    text = str(e) or type(e).__name__
    return f"{type(e).__name__}: {text}" if text != type(e).__name__ else text


# ---- what the server says about a file ------------------------------------------------


@dataclass(frozen=True)
class RemoteInfo:
    url: str
    size: int | None
    etag: str | None
    last_modified: str | None
    ranges: bool

    def same_version(self, other: RemoteInfo) -> bool:
        """True when both describe the same bytes (ETag first, else Last-Modified and size)."""
        if self.etag and other.etag:
            return self.etag == other.etag and (self.size is None or other.size is None or self.size == other.size)
        if self.last_modified and other.last_modified:
            return self.last_modified == other.last_modified and self.size == other.size
        return False


_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


def _content_range(response: httpx.Response) -> tuple[int, int, int | None] | None:
    m = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
    if not m:
        return None
    total = None if m[3] == "*" else int(m[3])
    return int(m[1]), int(m[2]), total


def _info_from(url: str, response: httpx.Response) -> RemoteInfo:
    if response.status_code == 206:
        cr = _content_range(response)
        if cr is None:
            raise HttpError(url, "a 206 response without a valid Content-Range header",
                            status=206, hint="the server's range support is broken")
        size, ranges = cr[2], True
    else:
        length = response.headers.get("content-length")
        size = int(length) if length and length.isdigit() and not response.headers.get("content-encoding") else None
        ranges = False
    return RemoteInfo(url, size, response.headers.get("etag"), response.headers.get("last-modified"), ranges)


# ---- the on-disk block store ----------------------------------------------------------


class SparseCache:
    """The bytes of one remote file held on disk: a sparse data file and which ranges it has.

    ``<dir>/data`` is the file at its real offsets; ``<dir>/meta.json`` records the
    version (URL, ETag, Last-Modified, size), the block size and the byte ranges present.
    The folder is locked while open, so two fetches never write one cache entry at once.
    """

    def __init__(self, folder: Path, *, temporary: bool = False):
        self.dir = folder
        self.temporary = temporary
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = open(folder / ".lock", "a+")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.meta: dict = {}
        self.present: list[list[int]] = []  # sorted, disjoint, half-open byte ranges
        try:
            self.meta = json.loads((folder / "meta.json").read_text())
            self.present = [[int(a), int(b)] for a, b in self.meta.get("ranges", [])]
        except (OSError, ValueError):
            self.meta, self.present = {}, []
        self._fh = open(folder / "data", "r+b" if (folder / "data").exists() else "w+b")

    @classmethod
    def for_url(cls, cache_dir: str | os.PathLike | None, url: str) -> SparseCache:
        if cache_dir is None:
            return cls(Path(tempfile.mkdtemp(prefix="openbeat-dl-")), temporary=True)
        key = hashlib.sha256(url.encode()).hexdigest()[:24]
        return cls(Path(cache_dir) / key)

    # version ---------------------------------------------------------------
    @property
    def info(self) -> RemoteInfo | None:
        if "url" not in self.meta:
            return None
        m = self.meta
        return RemoteInfo(m["url"], m.get("size"), m.get("etag"), m.get("last_modified"), m.get("ranges_ok", False))

    @property
    def complete(self) -> bool:
        return bool(self.meta.get("complete"))

    @property
    def block_size(self) -> int:
        return int(self.meta.get("block_size", DEFAULT_BLOCK_SIZE))

    def reset(self, info: RemoteInfo, block_size: int) -> None:
        """Forget what we had and start holding ``info``'s bytes."""
        self.present = []
        self._fh.seek(0)
        self._fh.truncate(0)
        if info.size is not None and info.ranges:
            self._fh.truncate(info.size)  # sparse: only fetched bytes take disk space
        self.meta = {"url": info.url, "etag": info.etag, "last_modified": info.last_modified,
                     "size": info.size, "ranges_ok": info.ranges, "block_size": block_size,
                     "complete": False, "whole_bytes": 0}
        self.save()

    # bytes -----------------------------------------------------------------
    def write(self, offset: int, data: bytes) -> None:
        self._fh.seek(offset)
        self._fh.write(data)

    def read(self, offset: int, n: int) -> bytes:
        self._fh.seek(offset)
        return self._fh.read(n)

    def truncate(self, n: int) -> None:
        self._fh.seek(n)
        self._fh.truncate(n)

    def missing(self, start: int, end: int) -> list[tuple[int, int]]:
        """The parts of ``[start, end)`` not on disk, in order."""
        gaps, pos = [], start
        for a, b in self.present:
            if b <= pos:
                continue
            if a >= end:
                break
            if a > pos:
                gaps.append((pos, a))
            pos = max(pos, b)
            if pos >= end:
                break
        if pos < end:
            gaps.append((pos, end))
        return gaps

    def mark(self, start: int, end: int) -> None:
        """Bytes ``[start, end)`` are now on disk."""
        merged, new = [], [start, end]
        for a, b in self.present:
            if b < new[0] or a > new[1]:
                merged.append([a, b])
            else:
                new = [min(a, new[0]), max(b, new[1])]
        merged.append(new)
        self.present = sorted(merged)

    def save(self) -> None:
        self._fh.flush()
        self.meta["ranges"] = self.present
        tmp = self.dir / f".meta-{os.getpid()}.json"
        tmp.write_text(json.dumps(self.meta))
        os.replace(tmp, self.dir / "meta.json")

    def discard(self) -> None:
        """Drop the cached bytes (e.g. the server served a broken file)."""
        self.present = []
        self.meta = {}
        self._fh.truncate(0)
        (self.dir / "meta.json").unlink(missing_ok=True)

    def close(self) -> None:
        if self._fh.closed:
            return
        if not self.temporary and self.meta:
            self.save()
        self._fh.close()
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()
        if self.temporary:
            shutil.rmtree(self.dir, ignore_errors=True)


# ---- the remote file -------------------------------------------------------------------


class RemoteFile(io.RawIOBase):
    """A read-only, seekable file whose bytes come from HTTP range requests (see module doc).

    ``bytes_transferred`` counts body bytes received (the probe's one byte included).
    ``hint(start, end)`` tells it the caller will read ``[start, end)`` next, so a miss in
    that span fetches up to ``end`` in one request instead of block by block.
    """

    def __init__(self, info: RemoteInfo, store: SparseCache, *, client: httpx.Client, retry: RetryPolicy,
                 max_request: int = DEFAULT_MAX_REQUEST, on_bytes: Callable[[int], None] | None = None):
        super().__init__()
        self.info = info
        self.url = info.url
        self.store = store
        self.size = info.size if info.size is not None else int(store.meta.get("whole_bytes", 0))
        self._client = client
        self._retry = retry
        self._max_request = max_request
        self._on_bytes = on_bytes
        self.bytes_transferred = 0
        self.requests = 0
        self._pos = 0
        self._last_end = -1
        self._window = 0
        self._hint: tuple[int, int] | None = None

    # io interface ------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        pos = base + offset
        if pos < 0:
            raise OSError(f"negative seek position {pos}")
        self._pos = pos
        return pos

    def read(self, size: int = -1) -> bytes:
        end = self.size if size is None or size < 0 else min(self.size, self._pos + size)
        if end <= self._pos:
            return b""
        self._ensure(self._pos, end)
        data = self.store.read(self._pos, end - self._pos)
        if len(data) != end - self._pos:
            raise HttpError(self.url, f"cache file is short at byte {self._pos}",
                            hint="delete the cache folder and fetch again")
        self._last_end, self._pos = end, end
        return data

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.store.close()
        super().close()

    # fetching -----------------------------------------------------------------
    def hint(self, start: int, end: int) -> None:
        self._hint = (max(0, start), min(self.size, end))

    def _ensure(self, start: int, end: int) -> None:
        if self.store.complete:
            return
        sequential = start == self._last_end
        if not self.store.missing(start, end):
            self._window = self._window if sequential else 0
            return
        bs = self.store.block_size
        # Read-ahead: to the end of the hinted span, or a window doubling while sequential;
        # a lone read takes at least its aligned block.
        if self._hint and self._hint[0] <= start < self._hint[1]:
            end = max(end, self._hint[1])
        elif sequential:
            self._window = min(self._max_request, max(bs, self._window * 2))
            end += self._window
        else:
            self._window = 0
            start = start // bs * bs
            end = max(end, start + bs)
        end = min(end, self.size)
        for a, z in self.store.missing(start, end):
            for s in range(a, z, self._max_request):
                e = min(z, s + self._max_request)
                self._fetch(s, e)
                self.store.mark(s, e)
        self.store.save()

    def _fetch(self, start: int, end: int) -> None:
        """Bytes ``[start, end)`` into the store, resuming after drops from the byte reached."""
        pos = start
        failures = 0
        while pos < end:
            headers = {"Range": f"bytes={pos}-{end - 1}", "Accept-Encoding": "identity"}
            if self.info.etag and not self.info.etag.startswith("W/"):
                headers["If-Match"] = self.info.etag
            self.requests += 1
            response = send_with_retry(self._client, "GET", self.url, headers=headers,
                                       retry=self._retry, stream=True)
            reached = pos
            try:
                self._check_response(response, pos)
                for chunk in response.iter_raw():
                    chunk = chunk[: end - pos]
                    self.store.write(pos, chunk)
                    pos += len(chunk)
                    self._count(len(chunk))
                    if pos >= end:
                        break
            except httpx.TransportError as e:
                failures = 0 if pos > reached else failures + 1
                if failures >= self._retry.attempts:
                    raise HttpError(self.url, f"connection kept failing at byte {pos}: {_describe(e)}",
                                    hint="check the network connection and fetch again; "
                                         "bytes already received are kept in the cache") from e
                self._retry.wait(failures, self.url)
                continue
            finally:
                response.close()
            if pos < end and pos == reached:
                raise HttpError(self.url, f"the server sent an empty body for bytes {pos}-{end - 1}")

    def _check_response(self, response: httpx.Response, pos: int) -> None:
        status = response.status_code
        if status == 412:
            raise RemoteChangedError(self.url, "the file changed on the server during the download "
                                     f"(ETag {self.info.etag} no longer matches)", status=412,
                                     hint="fetch again to read the new version from the start")
        if status == 200:
            raise RemoteChangedError(self.url, "the server stopped honouring range requests mid-download",
                                     status=200, hint="fetch again")
        if status != 206:
            raise HttpError(self.url, f"HTTP {status} {response.reason_phrase} for a range request",
                            status=status)
        got = _info_from(self.url, response)
        if not self.info.same_version(got) and (self.info.etag or self.info.last_modified):
            raise RemoteChangedError(
                self.url,
                f"the file changed on the server during the download (ETag {self.info.etag} → {got.etag}, "
                f"size {self.info.size} → {got.size})",
                hint="fetch again to read the new version from the start",
            )
        if got.size != self.size:
            raise RemoteChangedError(self.url, f"the file size changed from {self.size} to {got.size}",
                                     hint="fetch again")
        cr = _content_range(response)
        if cr[0] != pos:
            raise HttpError(self.url, f"asked for bytes from {pos} but got them from {cr[0]}")

    def _count(self, n: int) -> None:
        self.bytes_transferred += n
        if self._on_bytes:
            self._on_bytes(n)


def open_remote(url: str, *, client: httpx.Client, cache_dir: str | os.PathLike | None = None,
                retry: RetryPolicy | None = None, block_size: int = DEFAULT_BLOCK_SIZE,
                max_request: int = DEFAULT_MAX_REQUEST,
                on_bytes: Callable[[int], None] | None = None,
                on_whole_download: Callable[[int | None], None] | None = None) -> RemoteFile:
    """Open ``url`` as a seekable file, reading through range requests and the cache.

    ``cache_dir=None`` uses a temporary folder removed on close. ``on_whole_download(size)``
    is called when the server refuses ranges and the whole file must be downloaded.
    Raises :class:`HttpError` (404, refused, network gone) or :class:`RemoteChangedError`.
    """
    retry = retry or RetryPolicy()
    store = SparseCache.for_url(cache_dir, url)
    try:
        return _open(url, store, client=client, retry=retry, block_size=block_size,
                     max_request=max_request, on_bytes=on_bytes, on_whole_download=on_whole_download)
    except BaseException:
        store.close()
        raise


def _open(url, store, *, client, retry, block_size, max_request, on_bytes, on_whole_download) -> RemoteFile:
    cached = store.info if store.info and store.info.url == url else None
    headers = {"Range": "bytes=0-0", "Accept-Encoding": "identity"}
    if cached and cached.etag:
        headers["If-None-Match"] = cached.etag
    elif cached and cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    response = send_with_retry(client, "GET", url, headers=headers, retry=retry, stream=True)
    try:
        status = response.status_code
        if status == 304 and cached:
            info = cached
            if not info.ranges and not store.complete:
                rf = RemoteFile(info, store, client=client, retry=retry, max_request=max_request, on_bytes=on_bytes)
                _download_whole(rf, None, on_whole_download)
                return rf
            return RemoteFile(info, store, client=client, retry=retry, max_request=max_request, on_bytes=on_bytes)
        if status == 404:
            raise HttpError(url, "not found (HTTP 404)", status=404,
                            hint="police.uk may not have published this file (yet)")
        if status not in (200, 206):
            raise HttpError(url, f"HTTP {status} {response.reason_phrase}", status=status)
        info = _info_from(url, response)
        if status == 206:
            response.read()  # the one probe byte
        if not (cached and cached.same_version(info) and store.block_size == block_size
                and cached.ranges == info.ranges):
            store.reset(info, block_size)
        rf = RemoteFile(info, store, client=client, retry=retry, max_request=max_request, on_bytes=on_bytes)
        if status == 206:
            rf._count(len(response.content))
            return rf
        if store.complete:  # same version already downloaded whole; stop this body now
            return rf
        _download_whole(rf, response, on_whole_download)
        return rf
    finally:
        response.close()


def _download_whole(rf: RemoteFile, response: httpx.Response | None,
                    on_whole_download: Callable[[int | None], None] | None) -> None:
    """Stream the whole file into the store; after a drop, resume with Range if the server allows."""
    store, info, url = rf.store, rf.info, rf.url
    if on_whole_download:
        on_whole_download(info.size)
    if response is not None:  # the probe's 200: its body is the file from byte 0
        pos = 0
        store.truncate(0)
    else:  # resume what an earlier run left, if the server lets us
        pos = int(store.meta.get("whole_bytes", 0))
    failures = 0
    while True:
        if response is None:
            headers = {"Accept-Encoding": "identity"}
            if pos:
                headers["Range"] = f"bytes={pos}-"
                if info.etag:
                    headers["If-Range"] = info.etag
            response = send_with_retry(rf._client, "GET", url, headers=headers, retry=rf._retry, stream=True)
            got = _info_from(url, response) if response.status_code in (200, 206) else None
            if response.status_code == 200:
                pos = 0  # no resume: start again from the first byte
                store.truncate(0)
            elif response.status_code == 206 and _content_range(response)[0] != pos:
                response.close()
                raise HttpError(url, f"asked to resume at byte {pos} but the server answered otherwise")
            elif response.status_code != 206:
                response.close()
                raise HttpError(url, f"HTTP {response.status_code} {response.reason_phrase}",
                                status=response.status_code)
            if got is not None and not info.same_version(got) and (info.etag or info.last_modified):
                response.close()
                store.discard()
                raise RemoteChangedError(url, f"the file changed on the server during the download "
                                         f"(ETag {info.etag} → {got.etag})", hint="fetch again")
        reached = pos
        try:
            for chunk in response.iter_raw():
                store.write(pos, chunk)
                pos += len(chunk)
                rf._count(len(chunk))
            complete = info.size is None or pos >= info.size
        except httpx.TransportError as e:
            failures = 0 if pos > reached else failures + 1
            store.meta["whole_bytes"] = pos
            store.save()
            if failures >= rf._retry.attempts:
                raise HttpError(url, f"download kept failing at byte {pos}: {_describe(e)}",
                                hint="fetch again; the bytes received are kept in the cache") from e
            rf._retry.wait(failures, url)
            complete = False
        finally:
            response.close()
        response = None
        if complete:
            break
    if info.size is not None and pos != info.size:
        raise HttpError(url, f"downloaded {pos} bytes but the server announced {info.size}")
    store.truncate(pos)
    store.meta.update(whole_bytes=pos, complete=True, size=pos)
    store.save()
    rf.size = pos
