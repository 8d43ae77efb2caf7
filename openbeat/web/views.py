"""Pages of the site itself: home, about and data sources, health check, error pages."""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from openbeat.web.cache import lake_cached
from openbeat.web.store import get_store, lake_state

log = logging.getLogger(__name__)


@require_safe
@lake_cached(params=())
def home(request: HttpRequest) -> HttpResponse:
    from openbeat.areas import lookup, search

    state = lake_state()
    empty = "areas" not in state.datasets
    context = {
        "lake_empty": empty,
        "example_postcode": None if empty else search.example_postcode(),
        "forces": [] if empty else lookup.forces(),
        "boroughs": [] if empty else lookup.area_list(level="borough", limit=1000)[0],
    }
    return render(request, "web/home.html", context)


@require_safe
@lake_cached(params=())
def about(request: HttpRequest) -> HttpResponse:
    state = lake_state()
    from openbeat.web.resident import missing_loads

    return render(request, "web/about.html", {"state": state, "datasets": sorted(state.datasets),
                                              "missing": missing_loads(state.datasets)})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers and every file of the lake can be read.

    The lake is checked as pages will use it: the store for the current state is built
    and every partition is opened. A lake folder that has gone is ``missing`` (503), not
    an empty lake; a folder with nothing in it yet is ``empty`` (200: pages say so).
    """
    checks = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # report, never raise: this page exists to say what is wrong
        log.warning("health check: database: %s", exc)
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        state = lake_state()  # builds the store for this state, as the next page would
        if not state.root.is_dir():
            checks["lake"] = "missing"  # the configured folder has gone: pages would show nothing
        elif state.empty:
            checks["lake"] = "empty"
        else:
            get_store().memo("health", _read_every_file)  # once per lake state
            checks["lake"] = "ok"
    except Exception as exc:
        log.warning("health check: lake: %s", exc)
        checks["lake"] = f"error: {type(exc).__name__}"
    ok = all(v in ("ok", "empty") for v in checks.values())
    return JsonResponse({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)


def _read_every_file() -> bool:
    """Every partition's footer is read (a count needs no more), so a truncated file shows here."""
    from openbeat.lake import POLICE_DATASETS

    cur = get_store().cursor()
    try:
        for dataset in POLICE_DATASETS:
            cur.execute(f"SELECT count(*) FROM {dataset}").fetchall()
    finally:
        cur.close()
    return True


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        from openbeat.api.errors import error_response

        return error_response(404, "not_found", f"Nothing is at {request.path}.",
                              hint="See /api/ for the endpoints.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # keep this independent of the lake and the database: either may be why we are here
    if _wants_json(request):
        from openbeat.api.errors import error_response

        return error_response(500, "server_error", "Something went wrong on our side. It has been logged.")
    return render(request, "500.html", status=500)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        from openbeat.api.errors import error_response

        return error_response(400, "bad_request", "The request could not be understood.")
    return render(request, "400.html", status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal, in the site's layout (the reason is logged, not shown)."""
    log.info("CSRF check failed for %s %s: %s", request.method, request.path, reason)
    if _wants_json(request):
        from openbeat.api.errors import error_response

        return error_response(403, "csrf_failed", "The request could not be checked as coming from this site.")
    return render(request, "403_csrf.html", status=403)
