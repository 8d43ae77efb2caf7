"""Answers kept until the lake changes: ETag and Last-Modified, 304s, and a per-URL response cache.

A page or API answer wrapped here depends only on the lake and the URL: its forms use
GET, and it reads no session. Per-person parts (the header's sign-in links, a Follow
button) are left out of it: the wrapper marks the request, the layout then draws a
placeholder, and the browser fetches the per-person fragment from an uncached URL
(``data-ob-fragment``, openbeat/js/fragments.js). So

* its validator is a hash of the lake's state (:func:`openbeat.web.store.lake_state`),
  the day (a ward page lists the events not yet over), the path and the parameters: ``If-None-Match`` / ``If-Modified-Since`` get ``304 Not
  Modified`` without any work;
* its body is kept in Django's cache under that same key (the local-memory backend: one
  cache per worker, nothing to run beside the app), so the second visit to a
  neighbourhood page costs a dictionary look-up, not a profile. When the lake changes
  the key changes with it, so a stale answer is never served; old entries age out.

Only whole ``200`` answers that set no cookie and did not touch the session or the CSRF
token are kept. Use on a view, or on a ninja operation with ``decorate_view``::

    @lake_cached
    def area_detail(request, code): ...

    @router.get("/areas", ...)
    @decorate_view(lake_cached)
    def areas(request, ...): ...
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

import openbeat
from openbeat.web.store import LakeState, lake_state

#: Response headers a cached answer keeps (the middleware adds the security headers).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Link", "X-Total-Count")


def answer_key(request: HttpRequest, state: LakeState) -> str:
    params = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
    # the day too: a page lists the team's events "not yet over", which changes without the lake
    today = datetime.now(ZoneInfo(settings.TIME_ZONE)).date().isoformat()
    key = repr((openbeat.__version__, state.signature, today, request.path_info, params,
                bool(settings.OPENBEAT_DEMO)))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _stamp(response: HttpResponse, etag: str, state: LakeState, api: bool) -> None:
    response.headers.setdefault("ETag", etag)
    if state.last_modified is not None:
        response.headers.setdefault("Last-Modified", http_date(state.last_modified.timestamp()))
    if api:
        patch_cache_control(response, public=True, max_age=int(settings.OPENBEAT_API_MAX_AGE))
        patch_vary_headers(response, ["Accept-Encoding"])
    else:
        # pages: always ask again, which costs a 304 when nothing changed
        patch_cache_control(response, public=True, no_cache=True)


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and not (session is not None and session.accessed)
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


def lake_cached(view):
    """Wrap a view so GET/HEAD answers carry validators and are served from the cache."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        # tells the layout to leave out per-person parts (openbeat.web.context_processors)
        request.openbeat_lake_cached = True
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        api = request.path_info.startswith("/api/")
        state = lake_state()
        key = answer_key(request, state)
        etag = quote_etag(key)
        last = int(state.last_modified.timestamp()) if state.last_modified else None
        early = get_conditional_response(request, etag=etag, last_modified=last)
        if early is not None:  # 304 (or 412 for a failed If-Match)
            _stamp(early, etag, state, api)
            return early
        cache = caches[settings.OPENBEAT_RESPONSE_CACHE] if settings.OPENBEAT_CACHE_ENTRIES else None
        kept = cache.get(key) if cache is not None else None
        if kept is not None:
            status, headers, content = kept
            response = HttpResponse(content, status=status, headers=headers)
        else:
            response = view(request, *args, **kwargs)
            if cache is not None and _keepable(request, response):
                headers = {h: response[h] for h in KEPT_HEADERS if h in response}
                cache.set(key, (response.status_code, headers, response.content))
        if response.status_code == 200:
            _stamp(response, etag, state, api)
        return response

    return wrapper
