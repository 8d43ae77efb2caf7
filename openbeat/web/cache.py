"""Answers kept until the lake changes: ETag and Last-Modified, 304s, and a per-URL response cache.

A page or API answer wrapped here depends only on the lake and the URL: its forms use
GET, and it reads no session. Per-person parts (the header's sign-in links, a Follow
button) are left out of it: the wrapper marks the request, the layout then draws a
placeholder, and the browser fetches the per-person fragment from an uncached URL
(``data-ob-fragment``, openbeat/js/fragments.js). So

* its validator is a hash of the lake's state (:func:`openbeat.web.lake_access.lake_state`),
  the day (a ward page lists the events not yet over), the path and the parameters: ``If-None-Match`` / ``If-Modified-Since`` get ``304 Not
  Modified`` without any work;
* its body is kept in Django's cache under that same key (a folder the workers share under
  ``openbeat serve``, Redis shared by several hosts with ``OPENBEAT_CACHE_URL``, else
  each process's memory), so the second visit to a
  neighbourhood page costs a dictionary look-up, not a profile. When the lake changes
  the key changes with it, so an answer is never served under another state's key; old
  entries age out. While a new lake state is being prepared (:mod:`openbeat.web.lake_access`:
  published once its answers are computed ahead of visitors), a process answers from the
  state it serves, whole, marked as earlier data (:func:`_earlier`), or with the new
  state's answer when the warm-up has kept it already (:func:`kept_answer`).

A client that asks for more answers not yet kept than ``OPENBEAT_UNCACHED_PER_MINUTE``
in a calendar minute gets ``429 Too Many Requests`` with ``Retry-After`` (the seconds
left in the minute) instead of a new computation; kept answers and 304s are never
limited (nor is the warm-up, :mod:`openbeat.web.warm`, which computes answers ahead of
visitors after the lake changes). The counts live in Django's ``default`` cache: under
``openbeat serve`` a folder all workers share, or Redis all hosts share.

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
import time
import typing
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

import openbeat
from openbeat.web import warm
from openbeat.web.lake_access import LakeState, behind, lake_state, peek_state

#: Response headers a cached answer keeps (the middleware adds the security headers).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Link", "X-Total-Count")


def declared_params(view) -> frozenset[str] | None:
    """The query parameters a view reads, or None when it does not say (then all of them count).

    A ninja operation declares them in its signature (``q: Query[PeriodQuery]``: the
    schema's fields by their aliases); a page view by ``lake_cached(params=...)``.
    """
    declared = getattr(view, "openbeat_params", None)
    if declared is not None:
        return frozenset(declared)
    func = getattr(getattr(view, "__self__", None), "view_func", None)  # ninja's Operation.run
    if func is None:
        return None
    from pydantic import BaseModel

    names: set[str] = set()
    for name, hint in typing.get_type_hints(func, include_extras=True).items():
        model = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
        if isinstance(model, type) and issubclass(model, BaseModel):
            names.update(f.alias or n for n, f in model.model_fields.items())
        elif name not in ("request", "return"):
            names.add(name)
    return frozenset(names)


def answer_key(request: HttpRequest, state: LakeState, params: frozenset[str] | None = None) -> str:
    """The cache key and ETag of an answer; only the parameters the view reads are part of it,
    so ``?x=1`` or ``?_=12345`` cannot turn a kept answer into a new computation."""
    params = sorted((k, v) for k in request.GET if params is None or k in params for v in request.GET.getlist(k))
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


def retry_after(request: HttpRequest) -> int | None:
    """Seconds this client must wait before another uncached answer, or None when it may have one now."""
    limit = int(settings.OPENBEAT_UNCACHED_PER_MINUTE)
    if limit <= 0:
        return None
    now = time.time()
    key = f"openbeat-uncached:{request.META.get('REMOTE_ADDR', '')}:{int(now // 60)}"
    counts = caches["default"]
    counts.add(key, 0, timeout=61)
    try:
        used = counts.incr(key)
    except ValueError:  # expired between add and incr: this is the minute's first
        counts.set(key, 1, timeout=61)
        used = 1
    return None if used <= limit else max(1, 60 - int(now % 60))


def _too_many(request: HttpRequest, api: bool, wait: int) -> HttpResponse:
    message = "Too many new answers asked for in a minute; answers already computed are still served."
    if api:
        from openbeat.web.json_errors import error_response

        response = error_response(429, "too_many_requests", message, hint=f"Try again in {wait} seconds.")
    else:
        from django.shortcuts import render

        response = render(request, "429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


#: Where the layout (base.html) lets a kept page say it shows an earlier state of the lake.
STALE_MARK = b"<!--openbeat:lake-notice-->"


def kept_answer(request: HttpRequest, params: frozenset[str] | None, api: bool) -> HttpResponse | None:
    """The newest lake state's kept answer (or a 304 for it), when this process still serves
    an earlier state (:func:`openbeat.web.lake_access.behind`: the new state's store is not
    published here yet) and the warm-up has computed it. None: the usual path, on the
    process's snapshot."""
    newest = peek_state()
    if not settings.OPENBEAT_CACHE_ENTRIES or not behind(newest):
        return None
    key = answer_key(request, newest, params)
    etag = quote_etag(key)
    last = int(newest.last_modified.timestamp()) if newest.last_modified else None
    early = get_conditional_response(request, etag=etag, last_modified=last)
    if early is not None:
        _stamp(early, etag, newest, api)
        return early
    kept = caches[settings.OPENBEAT_RESPONSE_CACHE].get(key)
    if kept is None:
        return None
    status, headers, content = kept
    response = HttpResponse(content, status=status, headers=headers)
    if response.status_code == 200:
        _stamp(response, etag, newest, api)
        warm.visited(request.get_full_path())
    return response


def _earlier(response: HttpResponse, etag: str, state: LakeState, api: bool) -> None:
    """Mark an answer of ``state`` served while the lake already holds a newer state (being
    prepared: :mod:`openbeat.web.lake_access`). A page gets the layout's notice saying so and
    no validators, so the next visit asks again and gets the new state's page once it is
    published; an API answer keeps ``state``'s own ETag (never a newer state's) but must be
    asked again (``no-cache``) instead of being reused for ``OPENBEAT_API_MAX_AGE``."""
    from django.utils.html import format_html

    if api and response.status_code in (200, 304):
        _stamp(response, etag, state, api)
        patch_cache_control(response, no_cache=True, max_age=0)
    elif not api and response.status_code == 200:
        when = state.last_modified.astimezone(ZoneInfo(settings.TIME_ZONE)) if state.last_modified else None
        notice = format_html(
            '<div class="govuk-inset-text ob-lake-notice" role="status" data-lake-state="{}">'
            "New data has just been loaded and is being prepared. This page still shows the data as it was"
            "{}; reload in a few minutes for the new figures.</div>",
            state.signature[:12], format_html(" on {}", f"{when:%-d %B %Y at %H:%M}") if when else "")
        response.content = response.content.replace(STALE_MARK, notice.encode(), 1)
        patch_cache_control(response, no_cache=True, public=True)
    response["X-OpenBeat-Lake-State"] = f"{state.signature[:12]}; stale"


def lake_cached(view=None, *, params: typing.Iterable[str] | None = None):
    """Wrap a view so GET/HEAD answers carry validators and are served from the cache.

    ``params`` names the query parameters a page view reads (``@lake_cached(params=())``
    for none); others are left out of the key. A ninja operation's come from its signature.
    """
    if view is None:
        return functools.partial(lake_cached, params=params)
    if params is not None:
        view.openbeat_params = frozenset(params)
    known: list[frozenset[str] | None] = []  # worked out on the first request: ninja binds late

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        # tells the layout to leave out per-person parts (openbeat.web.context_processors)
        request.openbeat_lake_cached = True
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if not known:
            known.append(declared_params(view))
        if known[0] is not None and any(k not in known[0] for k in request.GET):
            # ignored means ignored: the view (and the links it writes) never see them either
            kept_query = QueryDict(mutable=True)
            for k in request.GET:
                if k in known[0]:
                    kept_query.setlist(k, request.GET.getlist(k))
            request.GET = kept_query
        api = request.path_info.startswith("/api/")
        warming = bool(request.META.get(warm.WARMING))
        if not warming:
            fast = kept_answer(request, known[0], api)
            if fast is not None:
                return fast
        state = lake_state()  # this request's snapshot: every figure of the answer comes from it
        # the lake holds a newer state, not published in this process yet: the answer is this
        # snapshot's, whole, and says so (a page without validators: a 304 would hide the notice)
        earlier = not warming and state.signature != peek_state().signature
        key = answer_key(request, state, known[0])
        etag = quote_etag(key)
        last = int(state.last_modified.timestamp()) if state.last_modified else None
        early = None if earlier and not api else get_conditional_response(request, etag=etag, last_modified=last)
        if early is not None:  # 304 (or 412 for a failed If-Match)
            (_earlier if earlier else _stamp)(early, etag, state, api)
            return early
        cache = caches[settings.OPENBEAT_RESPONSE_CACHE] if settings.OPENBEAT_CACHE_ENTRIES else None
        # a worker preparing computes the answer even when it is kept (openbeat.web.warm.first_page)
        kept = cache.get(key) if cache is not None and not request.META.get(warm.PREPARING) else None
        if kept is not None:
            status, headers, content = kept
            response = HttpResponse(content, status=status, headers=headers)
        else:
            wait = None if warming else retry_after(request)
            if wait is not None:
                return _too_many(request, api, wait)
            response = view(request, *args, **kwargs)
            if cache is not None and _keepable(request, response):
                headers = {h: response[h] for h in KEPT_HEADERS if h in response}
                cache.set(key, (response.status_code, headers, response.content))
        if earlier:
            _earlier(response, etag, state, api)
        elif response.status_code == 200:
            _stamp(response, etag, state, api)
        if response.status_code == 200 and not warming:
            warm.visited(request.get_full_path())
        return response

    return wrapper
