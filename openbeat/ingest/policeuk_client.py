"""A small client for the police.uk API (https://data.police.uk/docs/).

    >>> from openbeat.ingest.policeuk_client import PoliceApi
    >>> with PoliceApi() as api:                                   # doctest: +SKIP
    ...     months = api.crimes_street_dates()
    ...     teams = api.neighbourhoods("metropolitan")

What the API documents, and what this client does about it:

* **Rate limit.** A leaky bucket of 15 requests a second with a burst of 30; beyond it the
  API answers 429. :class:`TokenBucket` keeps us inside it on our side (a token bucket
  with rate 15/s and capacity 30 admits exactly the same request sequences as that leaky
  bucket), shared by all threads using one client. 429 and 503 are retried with backoff
  (``Retry-After`` honoured), as are connection errors, timeouts and other 5xx.
* **Too many crimes.** A crime, outcome or stop-and-search query over a custom area
  (``crimes-street/…``, ``outcomes-at-location``, ``stops-street``) that would return more
  than 10,000 records gets a 503. Retrying cannot help, so that 503 raises
  :class:`TooManyCrimesError` at once: split the area and ask again.
* **Long URLs.** A GET URL over 4,094 characters is refused; the API accepts the same
  parameters as a POST form body instead (documented for long ``poly`` polygons), so
  :meth:`PoliceApi.get` switches to POST above that length.

**Offline (``file://``) mode.** With ``base_url="file:///some/dir/"`` every
``GET {base}/{path}`` reads ``{dir}/{path}.json`` — e.g. ``northbridge/NB01/people`` reads
``{dir}/northbridge/NB01/people.json``. A query string is looked up first as
``{dir}/{path}__{k1}={v1}__{k2}={v2}.json`` (keys sorted, values percent-encoded, e.g.
``stops-force__date=2024-01__force=northbridge.json``) and otherwise ignored, falling back to
``{dir}/{path}.json``. A missing file is an :class:`ApiError` with status 404, as the live
API would answer. This is how the demo city's API files are read without a network.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlparse
from urllib.request import url2pathname

import httpx

from openbeat.ingest.http import RETRY_STATUSES, HttpError, RetryPolicy, new_client, send_with_retry

API_URL = "https://data.police.uk/api/"
MAX_GET_URL = 4094  # characters; longer GETs are refused by the API
RATE = 15.0  # requests per second
BURST = 30
#: Methods whose 503 means "more than 10,000 records in this area", not "try later".
AREA_CRIME_METHODS = ("crimes-street/", "outcomes-at-location", "stops-street")


class ApiError(HttpError):
    """The API answered with an error (404 for an unknown force or neighbourhood, …)."""


class TooManyCrimesError(ApiError):
    """HTTP 503 for an area query over the API's 10,000-record limit; not retryable."""


class TokenBucket:
    """At most ``burst`` requests at once and ``rate`` a second sustained.

    Tokens refill continuously at ``rate`` up to ``burst``; each request takes one and
    waits (``sleep``) when none is left. Over any interval of length t at most
    ``burst + rate·t`` requests pass. ``clock`` and ``sleep`` are injectable so tests can
    drive it with a fake clock instead of waiting.
    """

    def __init__(self, rate: float = RATE, burst: int = BURST, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate, self.burst = float(rate), float(burst)
        self._clock, self._sleep = clock, sleep
        self._tokens = float(burst)
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
                self._last = now
                if self._tokens >= 1 - 1e-9:
                    self._tokens -= 1
                    return
                self._sleep((1 - self._tokens) / self.rate)


class PoliceApi:
    """GET police.uk API methods as JSON, within the rate limit (see module doc).

    ``base_url`` may be ``https://…/api/`` or a ``file://`` folder. ``client``,
    ``limiter`` and ``retry`` are injectable for tests.
    """

    def __init__(self, base_url: str = API_URL, *, client: httpx.Client | None = None,
                 limiter: TokenBucket | None = None, retry: RetryPolicy | None = None):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.limiter = limiter or TokenBucket()
        self.retry = retry or RetryPolicy()
        self._own_client = client is None
        self._client = client
        self._dir: Path | None = None
        parsed = urlparse(self.base_url)
        if parsed.scheme == "file":
            self._dir = Path(url2pathname(parsed.path)).resolve()
        elif parsed.scheme not in ("http", "https"):
            raise ValueError(f"API base URL {base_url!r} must be http(s):// or file://")
        self.requests = 0

    def __enter__(self) -> PoliceApi:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._own_client and self._client is not None:
            self._client.close()
            self._client = None

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = new_client()
        return self._client

    # ---- the one request method -------------------------------------------------

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """``GET {base}{path}?params`` as parsed JSON; POST with a form body when too long."""
        path = path.lstrip("/")
        params = {k: str(v) for k, v in (params or {}).items() if v is not None}
        if self._dir is not None:
            return self._get_file(path, params)
        url = self.base_url + path
        full = url + ("?" + urlencode(params) if params else "")
        area_query = path.startswith(AREA_CRIME_METHODS)
        statuses = RETRY_STATUSES - {503} if area_query else RETRY_STATUSES
        if len(full) > MAX_GET_URL:
            method, target, data = "POST", url, params
        else:
            method, target, data = "GET", full, None
        response = send_with_retry(self.client, method, target, data=data, retry=self.retry,
                                   retry_statuses=statuses, before_send=self._count)
        status = response.status_code
        if status == 503 and area_query:
            raise TooManyCrimesError(
                url, "HTTP 503: the area holds more than 10,000 records, the API's limit", status=503,
                hint="split the polygon into smaller areas and ask for each",
            )
        if status == 404:
            raise ApiError(url, "not found (HTTP 404)", status=404,
                           hint="check the force and neighbourhood ids (openbeat fetch neighbourhoods lists them)")
        if status >= 400:
            raise ApiError(url, f"HTTP {status} {response.reason_phrase}", status=status)
        try:
            return response.json()
        except ValueError as e:
            raise ApiError(url, f"the response is not JSON: {response.text[:80]!r}", status=status) from e

    def _count(self) -> None:
        self.limiter.acquire()
        self.requests += 1

    def _get_file(self, path: str, params: dict[str, str]) -> Any:
        path = unquote(path)  # files are named by the raw ids
        candidates = []
        if params:
            suffix = "__".join(f"{k}={quote(v, safe='-_.,:')}" for k, v in sorted(params.items()))
            candidates.append(f"{path}__{suffix}.json")
        candidates.append(f"{path}.json")
        for name in candidates:
            f = (self._dir / name).resolve()
            if not f.is_relative_to(self._dir):
                raise ApiError(self.base_url + path, "path leaves the API folder", status=400)
            if f.is_file():
                self.requests += 1
                try:
                    return json.loads(f.read_text(encoding="utf-8"))
                except ValueError as e:
                    raise ApiError(str(f), f"not valid JSON: {e}") from e
        raise ApiError(self.base_url + path, f"no file {self._dir / candidates[-1]}", status=404,
                       hint="the offline API folder lacks this response")

    # ---- methods ---------------------------------------------------------------------

    def forces(self) -> list[dict]:
        return self.get("forces")

    def crimes_street_dates(self) -> list[dict]:
        """[{"date": "YYYY-MM", "stop-and-search": [force ids]}], newest first."""
        return self.get("crimes-street-dates")

    def crime_last_updated(self) -> dict:
        return self.get("crime-last-updated")

    def stops_force(self, force: str, date: str) -> list[dict]:
        return self.get("stops-force", {"force": force, "date": date})

    def crimes_street(self, category: str = "all-crime", *, poly: str | None = None, lat: float | None = None,
                      lng: float | None = None, date: str | None = None) -> list[dict]:
        return self.get(f"crimes-street/{_seg(category)}", {"poly": poly, "lat": lat, "lng": lng, "date": date})

    def neighbourhoods(self, force: str) -> list[dict]:
        return self.get(f"{_seg(force)}/neighbourhoods")

    def neighbourhood(self, force: str, nid: str) -> dict:
        return self.get(f"{_seg(force)}/{_seg(nid)}")

    def neighbourhood_part(self, force: str, nid: str, part: str) -> Any:
        """``part`` is people, events, priorities or boundary."""
        if part not in ("people", "events", "priorities", "boundary"):
            raise ValueError(f"unknown neighbourhood part {part!r}")
        return self.get(f"{_seg(force)}/{_seg(nid)}/{part}")

    def locate_neighbourhood(self, lat: float, lng: float) -> dict:
        return self.get("locate-neighbourhood", {"q": f"{lat},{lng}"})


def _seg(value: str) -> str:
    """One URL path segment; ids are the API's, but never let one add a path level."""
    return quote(str(value), safe="-_.")
