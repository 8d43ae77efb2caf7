"""ETag and Last-Modified from the lake's state, with 304 answers.

An answer that depends only on the lake and the URL is the same until a file in the lake
changes, so its validator is a hash of the lake's signature (``lakedb.lake_state``) and the
request's path and parameters. A client that sends ``If-None-Match`` (or
``If-Modified-Since``) gets ``304 Not Modified`` without the query running at all.

Use on a ninja operation:

    @router.get("/areas", ...)
    @decorate_view(lake_cached)
    def areas(request, ...): ...
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

import openbeat
from openbeat.web import lakedb


def lake_etag(request: HttpRequest) -> str:
    state = lakedb.lake_state()
    params = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
    key = repr((openbeat.__version__, state.signature, request.path_info, params))
    return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])


def _stamp(response: HttpResponse, etag: str, last_modified) -> None:
    response.headers.setdefault("ETag", etag)
    if last_modified is not None:
        response.headers.setdefault("Last-Modified", http_date(last_modified.timestamp()))
    patch_cache_control(response, public=True, max_age=int(settings.OPENBEAT_API_MAX_AGE))
    patch_vary_headers(response, ["Accept-Encoding"])


def lake_cached(run):
    """Wrap an operation's run(request, **path) so GET/HEAD answers carry validators."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return run(request, *args, **kwargs)
        etag = lake_etag(request)
        last_modified = lakedb.lake_state().last_modified
        last_ts = int(last_modified.timestamp()) if last_modified else None
        early = get_conditional_response(request, etag=etag, last_modified=last_ts)
        if early is not None:  # 304 (or 412 for a failed If-Match)
            _stamp(early, etag, last_modified)
            return early
        response = run(request, *args, **kwargs)
        if response.status_code == 200:
            _stamp(response, etag, last_modified)
        return response

    return wrapper
