"""Rate limits per account and per address on what people write, counted in Django's cache.

Each action has a limit per hour for one account and a (higher) one for one network
address, since a household or office shares an address. Counting is a fixed one-hour
window in the cache named by ``OPENBEAT_RATE_LIMIT_CACHE`` (default ``"default"``, which
``openbeat serve``'s workers share in a folder, or Redis). Both counts of a request (its
account's and its address's) cost one round trip to Redis (a pipeline), or, in a folder,
one appended byte per count (``O_APPEND`` writes never overwrite each other, so the size
of the file is an exact count under concurrency, without the read, temporary file and
rename of a file cache's ``incr``); any other cache counts with ``incr``.

Going over a limit is never silent:

* **over the limit** — text (a proposal, a comment, a report) is kept but *held*: a
  moderator of the force checks it before anyone else sees it, and the writer is told
  so; a support is refused with a message saying when to try again;
* **far over** (``REFUSE_FACTOR`` times the limit) — everything is refused with that
  message (HTTP 429), so a script cannot fill the moderators' queue.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.utils.crypto import salted_hmac


@dataclass(frozen=True)
class Limit:
    per_account: int
    per_address: int
    noun: str  # "proposals", for the message


#: Per hour. Generous for people, tight for scripts.
LIMITS = {
    "proposal": Limit(per_account=5, per_address=20, noun="proposals"),
    "support": Limit(per_account=60, per_address=200, noun="supports"),
    "comment": Limit(per_account=20, per_address=60, noun="comments"),
    "report": Limit(per_account=20, per_address=60, noun="reports"),
}
WINDOW_SECONDS = 3600
REFUSE_FACTOR = 4
#: Actions whose over-limit posts are held for review rather than refused.
HOLDABLE = {"proposal", "comment", "report"}


class RateLimited(Exception):
    """Refused: the message says what happened and when to try again."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True)
class RateDecision:
    #: over the limit: keep it, but hold it for a moderator
    flood: bool = False
    message: str = ""


def _limits() -> dict[str, Limit]:
    return getattr(settings, "OPENBEAT_RATE_LIMITS", None) or LIMITS


def _count(cache, key: str) -> int:
    """One more in ``key``'s window; its count now (any cache: ``incr``, else ``add``)."""
    try:
        return cache.incr(key)
    except ValueError:  # the first of this window (or expired): make it, unless another request just did
        if cache.add(key, 1, timeout=WINDOW_SECONDS + 60):
            return 1
        return cache.incr(key)


def _counts(cache, keys: list[str], now: float) -> list[int]:
    """One more in each key's window; their counts now, in as few trips as the cache allows."""
    from django.core.cache.backends.filebased import FileBasedCache
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        made = [cache.make_and_validate_key(k) for k in keys]
        pipe = cache._cache.get_client(made[0], write=True).pipeline(transaction=False)
        for k in made:
            pipe.incr(k)
            pipe.expire(k, WINDOW_SECONDS + 60)
        return [int(n) for n in pipe.execute()[::2]]
    if isinstance(cache, FileBasedCache):
        return [_append_count(Path(cache._dir) / "ratelimits", k, now) for k in keys]
    return [_count(cache, k) for k in keys]


_swept: dict[str, int] = {}  # folder: the last window this process swept it in


def _append_count(folder: Path, key: str, now: float) -> int:
    """Append one byte to ``key``'s file; its size is the count (no count is lost under
    concurrency: appends never overwrite each other; a request may also see the byte of
    one made at the same moment, never fewer than its own). The first count of a window
    in each process deletes the files of windows that are over."""
    name = hashlib.sha256(key.encode()).hexdigest()[:32]
    try:
        fd = os.open(folder / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / name, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, b"1")
        n = os.fstat(fd).st_size
    finally:
        os.close(fd)
    window = int(now // WINDOW_SECONDS)
    if _swept.get(str(folder)) != window:
        _swept[str(folder)] = window
        _sweep(folder, before=time.time() - 2 * WINDOW_SECONDS)
    return n


def _sweep(folder: Path, *, before: float) -> None:
    """Delete counts not written to since ``before`` (their windows are over)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                if entry.stat().st_mtime < before:
                    os.unlink(entry.path)
            except FileNotFoundError:  # another worker swept it first
                pass


def rate_limit(*, action: str, user, address: str | None, now: float | None = None) -> RateDecision:
    """Count one ``action`` by ``user`` from ``address``; raise :class:`RateLimited` when refused."""
    limit = _limits()[action]
    cache = caches[getattr(settings, "OPENBEAT_RATE_LIMIT_CACHE", "default")]
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    retry_after = int((window + 1) * WINDOW_SECONDS - now) + 1
    minutes = max(1, round(retry_after / 60))
    keys = [(f"ratelimit:{action}:user:{user.pk}:{window}", limit.per_account, "your account")]
    if address:
        # keyed by a keyed hash: the cache never holds the address itself
        hashed = salted_hmac("openbeat.ratelimit", address).hexdigest()[:24]
        keys.append((f"ratelimit:{action}:addr:{hashed}:{window}", limit.per_address, "your internet connection"))
    counts = [(n, cap, who) for n, (_, cap, who) in zip(_counts(cache, [k for k, _, _ in keys], now), keys)]
    over = [(n, cap, who) for n, cap, who in counts if n > cap]
    if not over:
        return RateDecision()
    n, cap, who = max(over, key=lambda o: o[0] / o[1])
    said = (f"There have been {n} {limit.noun} from {who} in the last hour; the limit is {cap}.")
    if action not in HOLDABLE or n > cap * REFUSE_FACTOR:
        raise RateLimited(f"{said} Please try again in about {minutes} minute{'s' if minutes != 1 else ''}.",
                          retry_after)
    kept = ("Your report has been kept for the moderators, but does not count towards hiding the item."
            if action == "report" else "Yours has been kept, and a moderator will check it before it is shown.")
    return RateDecision(flood=True, message=f"{said} {kept}")


def client_address(request) -> str | None:
    """The address the request came from (the proxy's, when behind one: REMOTE_ADDR is the
    only value a client cannot forge)."""
    return request.META.get("REMOTE_ADDR") or None
