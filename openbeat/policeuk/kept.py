"""Each worker keeps its latest police.uk answers in memory, in front of the shared kept answers.

police.uk answers are large — a mile of a city's street crimes is a megabyte of JSON — and
the shared answer cache (:mod:`openbeat.web.cache`, a folder all workers read) costs a
file read and a zlib decompression of the whole body on every hit. A worker-local copy
of its most recent answers (up to :data:`BUDGET` bytes) serves a repeat with no work.
Clients that accept gzip (``requests``, ``httr``, browsers: nearly all) get the answer
compressed, made once per kept answer: a megabyte of crimes is about a sixth of that
gzipped. The answers hold nothing secret, so compression leaks nothing (BREACH), as for
the rest of the API (``openbeat.web.middleware.ApiGZipMiddleware``).

Keys are :func:`openbeat.web.cache.answer_key`: the lake's state, the day and the URL, so
a kept answer never outlives the data it came from. Conditional requests (``If-None-Match``
…) go on to the shared layer, which answers them with ``304``.
"""

from __future__ import annotations

import functools
import gzip
import threading
from collections import OrderedDict

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from openbeat.web.cache import answer_key
from openbeat.web.lake_access import lake_state

#: Bytes of answers a worker keeps (oldest dropped first).
BUDGET = 64 * 2**20

_lock = threading.Lock()
_kept: OrderedDict[str, list] = OrderedDict()  # key → [body, headers, gzipped body or None]
_size = 0


def clear() -> None:
    global _size
    with _lock:
        _kept.clear()
        _size = 0


def _keep(key: str, entry: list) -> None:
    global _size
    if len(entry[0]) > BUDGET // 4:
        return
    with _lock:
        if key in _kept:
            return
        _kept[key] = entry
        _size += len(entry[0])
        while _size > BUDGET:
            _, old = _kept.popitem(last=False)
            _size -= len(old[0])


def kept_in_worker(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        # OPENBEAT_CACHE_ENTRIES=0 keeps no answers anywhere, this layer included
        plain = settings.OPENBEAT_CACHE_ENTRIES and request.method in ("GET", "HEAD") and not any(
            h in request.META for h in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH"))
        if not plain:
            return view(request, *args, **kwargs)
        key = answer_key(request, lake_state())
        with _lock:
            hit = _kept.get(key)
            if hit is not None:
                _kept.move_to_end(key)
        if hit is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                return response
            hit = [response.content, {k: v for k, v in response.headers.items() if k.lower() != "content-length"},
                   None]
            _keep(key, hit)
        return _serve(request, hit)

    return wrapper


def _serve(request: HttpRequest, hit: list) -> HttpResponse:
    content, headers, zipped = hit
    if "gzip" not in request.META.get("HTTP_ACCEPT_ENCODING", "") or len(content) < 200:
        response = HttpResponse(content, headers=headers)
    else:
        if zipped is None:
            zipped = hit[2] = gzip.compress(content, compresslevel=5, mtime=0)
        response = HttpResponse(zipped, headers=headers)
        response["Content-Encoding"] = "gzip"
        etag = response.get("ETag")
        if etag and not etag.startswith("W/"):
            response["ETag"] = "W/" + etag  # as Django's GZipMiddleware: the bytes differ, the data do not
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
