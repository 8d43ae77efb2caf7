"""Per-client rate limit for the police.uk-compatible API: police.uk's own leaky bucket.

police.uk allows 15 requests a second with bursts of 30 and answers 429 beyond that. The
rest of OpenBeat's API has no rate limit yet, so this one is kept in this app, small and
on Django's cache framework: a token bucket per client address in the ``default`` cache
(the local-memory cache, so each worker counts its own clients; point ``default`` at a
shared cache to count across workers). ``OPENBEAT_POLICEUK_RATE=0`` turns it off.
"""

from __future__ import annotations

import functools
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, JsonResponse


def client_key(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it
    return "policeuk-rate:" + (request.META.get("REMOTE_ADDR") or "unknown")


def take(key: str, *, rate: float, burst: int, now: float | None = None) -> float:
    """Take one token; returns 0 when allowed, else the seconds until one is free."""
    cache = caches["default"]
    now = time.time() if now is None else now
    tokens, stamp = cache.get(key) or (float(burst), now)
    tokens = min(float(burst), tokens + (now - stamp) * rate)
    if tokens < 1:
        cache.set(key, (tokens, now), timeout=math.ceil(burst / rate) + 1)
        return (1 - tokens) / rate
    cache.set(key, (tokens - 1, now), timeout=math.ceil(burst / rate) + 1)
    return 0.0


def rate_limited(view):
    """Answer 429 (with Retry-After) when a client exceeds the configured rate."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        rate = float(settings.OPENBEAT_POLICEUK_RATE)
        if rate > 0:
            wait = take(client_key(request), rate=rate, burst=int(settings.OPENBEAT_POLICEUK_BURST))
            if wait:
                response = JsonResponse({"error": "Too many requests: slow down and retry"}, status=429)
                response["Retry-After"] = str(math.ceil(wait))
                return response
        return view(request, *args, **kwargs)

    return wrapper
