"""The police.uk API's methods (https://data.police.uk/docs/), answered from the lake.

Status codes as police.uk gives them: 400 for a missing or unreadable parameter (no
``lat``/``lng`` or ``poly``; a badly written ``poly``), 404 for anything unknown (a force,
neighbourhood, crime category, persistent id, or a ``date`` that is not a month), 503
when the 10,000-result cap is on (``OPENBEAT_POLICEUK_CAP=1``) and a request would return
more, 429 when a client goes faster than the rate limit. A month the lake lacks, or a
force did not publish, answers ``[]``, as police.uk does for a month not yet published;
so does a ``location_id`` no place has (police.uk takes it as a filter). Errors are
``{"error": …}``, a wrong HTTP verb (405) and a path that is no method (404) too
(:func:`json_errors`, :func:`no_such_method`).

OpenBeat extension: with the cap off (the default) list methods take ``limit`` and
``offset`` and then send ``X-Total-Count``; without them the whole list comes back.
"""

from __future__ import annotations

import functools
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Path, Router
from ninja.decorators import decorate_view

import openbeat
from openbeat.analytics import policeuk_answers as answers
from openbeat.policeuk import selectors
from openbeat.policeuk.kept import kept_in_worker
from openbeat.policeuk.ratelimit import rate_limited
from openbeat.web.cache import lake_cached

TAG = "police.uk-compatible"

router = Router(tags=[TAG])


def _json(body, status: int = 200, headers: dict | None = None) -> HttpResponse:
    # compact, as the live police.uk API sends it
    response = HttpResponse(json.dumps(body, separators=(",", ":"), ensure_ascii=False), status=status,
                            content_type="application/json", headers=headers)
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    return response


def _error(status: int, message: str) -> HttpResponse:
    return _json({"error": message}, status=status)


def _param(request: HttpRequest, name: str) -> str | None:
    """A parameter from the query string, or from a form body (police.uk takes long ``poly`` by POST)."""
    if request.method == "POST" and name in request.POST:
        return request.POST.get(name)
    return request.GET.get(name)


def _answer(request: HttpRequest, compute, *, listing: bool = False) -> HttpResponse:
    """Run ``compute()``; map the library's errors to police.uk's status codes; cap or page lists."""
    try:
        body = compute()
    except answers.BadRequest as exc:
        return _error(400, str(exc))
    except answers.NotFound as exc:
        return _error(404, str(exc))
    if not listing:
        return _json(body)
    if settings.OPENBEAT_POLICEUK_CAP:
        if len(body) > answers.RESULT_CAP:
            return HttpResponse(b"", status=503)  # police.uk: an empty 503 above 10,000 results
        return _json(body)
    limit, offset = _param(request, "limit"), _param(request, "offset")
    if limit is None and offset is None:
        return _json(body)
    try:
        lo = int(offset or 0)
        hi = lo + int(limit) if limit is not None else None
        if lo < 0 or (hi is not None and hi < lo):
            raise ValueError
    except ValueError:
        return _error(400, "limit and offset must be whole numbers, 0 or more")
    return _json(body[lo:hi], headers={"X-Total-Count": str(len(body))})


def _month(request: HttpRequest):
    """The ``date`` asked for, or the latest month with street crimes (police.uk's default);
    None for a lake with no street crimes, which every method answers with ``[]``."""
    return answers.parse_date(_param(request, "date")) or selectors.latest_month()


def _area(request: HttpRequest) -> answers.SearchArea:
    poly = _param(request, "poly")
    if poly:
        return answers.SearchArea(poly=tuple(answers.parse_poly(poly)))
    lat, lng = _param(request, "lat"), _param(request, "lng")
    if lat is None and lng is None:
        raise answers.BadRequest("give lat and lng, or poly")
    return answers.SearchArea(point=answers.parse_point(lat, lng))


def _location_id(request: HttpRequest) -> int | None:
    raw = _param(request, "location_id")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise answers.NotFound(f"there is no location {raw!r}") from None


def _location(request: HttpRequest, dataset: str, month) -> int | None:
    """``location_id``, or the location nearest ``lat``/``lng`` that month."""
    found = _location_id(request)
    if found is not None:
        return found
    lat, lng = _param(request, "lat"), _param(request, "lng")
    if lat is None and lng is None:
        raise answers.BadRequest("give location_id, or lat and lng")
    point = answers.parse_point(lat, lng)
    return answers.nearest_location(selectors.policeuk_cursor(), dataset=dataset, point=point, month=month)


def _force(request: HttpRequest) -> str:
    force = _param(request, "force")
    if not force:
        raise answers.BadRequest("give force, a police.uk force id such as metropolitan")
    selectors.force_get(force=force)
    return force


def _listing(request: HttpRequest, method, **readers) -> HttpResponse:
    """A list method: ``method(cursor, **arguments)``, each argument read from the request by its
    reader in the order given (so the first missing or bad parameter is the one reported)."""
    def compute():
        arguments = {name: read(request) for name, read in readers.items()}
        return method(selectors.policeuk_cursor(), **arguments)
    return _answer(request, compute, listing=True)


def _category(name: str):
    """A reader of a crime category: ``name`` itself, once known to police.uk's list."""
    def read(request: HttpRequest) -> str:
        answers.check_category(name)
        return name
    return read


def _needed_location_id(request: HttpRequest) -> int:
    location = _location_id(request)
    if location is None:
        raise answers.BadRequest("give location_id")
    return location


def _cached(view):
    # ninja applies these inside out: the rate limit is outermost, so kept answers count too
    return decorate_view(lake_cached, kept_in_worker, rate_limited)(view)


# ---- forces ---------------------------------------------------------------------------


@router.get("/forces", summary="Forces in the lake", url_name="forces")
@_cached
def forces(request: HttpRequest):
    """`[{"id", "name"}]`: every force the lake holds data for; the name as its street files give it."""
    return _answer(request, lambda: [{"id": f, "name": n} for f, n in selectors.force_names().items()])


@router.get("/forces/{force_id}", summary="A force", url_name="force")
@_cached
def force(request: HttpRequest, force_id: Path[str]):
    """The force's `id` and `name`. `description`, `url`, `telephone` are `null` and
    `engagement_methods` is `[]`: police.uk's CSVs do not carry them."""
    def compute():
        name = selectors.force_get(force=force_id)
        return {"description": None, "url": None, "engagement_methods": [], "telephone": None,
                "id": force_id, "name": name}
    return _answer(request, compute)


@router.get("/forces/{force_id}/people", summary="A force's senior officers", url_name="force-people")
@_cached
def force_people(request: HttpRequest, force_id: Path[str]):
    """Always `[]` for a known force: senior officers are not in police.uk's CSVs."""
    def compute():
        selectors.force_get(force=force_id)
        return []
    return _answer(request, compute)


# ---- crimes ---------------------------------------------------------------------------


@router.get("/crime-categories", summary="Crime categories", url_name="crime-categories")
@_cached
def crime_categories(request: HttpRequest, date: str | None = None):
    """`[{"url", "name"}]`, `all-crime` first, for the month `date` (default: the latest)."""
    return _answer(request, lambda: answers.crime_categories(selectors.policeuk_cursor(), month=_month(request)))


@router.get("/crime-last-updated", summary="Newest month of street crimes", url_name="crime-last-updated")
@_cached
def crime_last_updated(request: HttpRequest):
    """`{"date": "YYYY-MM-01"}`: the newest month the lake holds street crimes for."""
    return _answer(request, lambda: answers.crime_last_updated(selectors.policeuk_cursor()))


@router.get("/crimes-street-dates", summary="Months available", url_name="crimes-street-dates")
@_cached
def crimes_street_dates(request: HttpRequest):
    """`[{"date", "stop-and-search": [force ids]}]`, newest first: exactly the lake's months of
    street crimes and, for each, the forces whose stop-and-search data it holds. No 36-month limit."""
    return _answer(request, lambda: answers.crimes_street_dates(selectors.policeuk_cursor()))


@router.api_operation(["GET", "POST"], "/crimes-street/{category}", summary="Street-level crimes",
                      url_name="crimes-street")
@_cached
def crimes_street(request: HttpRequest, category: Path[str], lat: str | None = None, lng: str | None = None,
                  poly: str | None = None, date: str | None = None, limit: str | None = None,
                  offset: str | None = None):
    """Crimes of `category` (`all-crime` for all) in month `date` (default: the latest).

    Give `lat` and `lng` (one mile around the point) or `poly` (`lat,lng:lat,lng:…`). POST
    takes the same parameters as a form body, for polygons too long for a URL. OpenBeat
    extension: `limit` and `offset` page the list when the 10,000 cap is off."""
    return _listing(request, answers.crimes_street, category=_category(category), area=_area, month=_month)


@router.get("/crimes-at-location", summary="Crimes at a location", url_name="crimes-at-location")
@_cached
def crimes_at_location(request: HttpRequest, location_id: str | None = None, lat: str | None = None,
                       lng: str | None = None, date: str | None = None, limit: str | None = None,
                       offset: str | None = None):
    """Crimes at `location_id` (a `street.id`), or at the location nearest `lat`/`lng`, in month `date`.
    OpenBeat extension: `limit` and `offset` page the list when the 10,000 cap is off."""
    def compute():
        month = _month(request)
        location = _location(request, "crimes", month)
        if location is None:
            return []
        return answers.crimes_at_location(selectors.policeuk_cursor(), location_id=location, month=month)
    return _answer(request, compute, listing=True)


@router.get("/crimes-no-location", summary="Crimes with no location", url_name="crimes-no-location")
@_cached
def crimes_no_location(request: HttpRequest, force: str | None = None, category: str | None = None,
                       date: str | None = None, limit: str | None = None, offset: str | None = None):
    """Crimes of `force` in month `date` that police.uk could not place (`location` null);
    `category` defaults to `all-crime`. OpenBeat extension: `limit` and `offset` page the list when the 10,000
    cap is off."""
    category = _category(_param(request, "category") or "all-crime")
    return _listing(request, answers.crimes_no_location, category=category, force=_force, month=_month)


# ---- outcomes -------------------------------------------------------------------------


@router.api_operation(["GET", "POST"], "/outcomes-at-location", summary="Outcomes at a location",
                      url_name="outcomes-at-location")
@_cached
def outcomes_at_location(request: HttpRequest, location_id: str | None = None, lat: str | None = None,
                         lng: str | None = None, poly: str | None = None, date: str | None = None,
                         limit: str | None = None, offset: str | None = None):
    """Outcomes recorded in month `date` at `location_id`, or `lat` and `lng` (one mile around the point) or
    `poly` (`lat,lng:lat,lng:…`). OpenBeat extension: `limit` and `offset` page the list when the 10,000 cap
    is off."""
    def compute():
        month = _month(request)
        location = _location_id(request)
        area = None if location is not None else _area(request)
        return answers.outcomes_at_location(selectors.policeuk_cursor(), month=month, area=area, location_id=location)
    return _answer(request, compute, listing=True)


@router.get("/outcomes-for-crime/{persistent_id}", summary="A crime and its outcomes", url_name="outcomes-for-crime")
@_cached
def outcomes_for_crime(request: HttpRequest, persistent_id: Path[str]):
    """`{"crime", "outcomes"}` for the crime with this 64-character persistent id (its CSV `Crime ID`)."""
    return _answer(request, lambda: answers.outcomes_for_crime(selectors.policeuk_cursor(),
                                                               persistent_id=persistent_id))


# ---- stop and search ------------------------------------------------------------------


@router.api_operation(["GET", "POST"], "/stops-street", summary="Stop and searches in an area",
                      url_name="stops-street")
@_cached
def stops_street(request: HttpRequest, lat: str | None = None, lng: str | None = None, poly: str | None = None,
                 date: str | None = None, limit: str | None = None, offset: str | None = None):
    """Stop and searches of month `date`: `lat` and `lng` (one mile around the point) or `poly`.

    `street.name` is `""`: the stop-and-search CSVs name no place. OpenBeat extension:
    `limit` and `offset` page the list when the 10,000 cap is off."""
    return _listing(request, answers.stops_street, area=_area, month=_month)


@router.get("/stops-at-location", summary="Stop and searches at a location", url_name="stops-at-location")
@_cached
def stops_at_location(request: HttpRequest, location_id: str | None = None, date: str | None = None,
                      limit: str | None = None, offset: str | None = None):
    """Stop and searches at `location_id` (a stop's `street.id`) in month `date`. OpenBeat extension: `limit`
    and `offset` page the list when the 10,000 cap is off."""
    return _listing(request, answers.stops_at_location, location_id=_needed_location_id, month=_month)


@router.get("/stops-no-location", summary="Stop and searches with no location", url_name="stops-no-location")
@_cached
def stops_no_location(request: HttpRequest, force: str | None = None, date: str | None = None,
                      limit: str | None = None, offset: str | None = None):
    """Stop and searches by `force` in month `date` with no location. OpenBeat extension: `limit` and `offset`
    page the list when the 10,000 cap is off."""
    return _listing(request, answers.stops_no_location, force=_force, month=_month)


@router.get("/stops-force", summary="A force's stop and searches", url_name="stops-force")
@_cached
def stops_force(request: HttpRequest, force: str | None = None, date: str | None = None,
                limit: str | None = None, offset: str | None = None):
    """Every stop and search by `force` in month `date`. OpenBeat extension: `limit` and `offset` page the
    list when the 10,000 cap is off."""
    return _listing(request, answers.stops_force, force=_force, month=_month)


# ---- neighbourhoods -------------------------------------------------------------------


@router.get("/locate-neighbourhood", summary="The neighbourhood at a point", url_name="locate-neighbourhood")
@_cached
def locate_neighbourhood(request: HttpRequest, q: str | None = None):
    """`{"force", "neighbourhood"}` for `q=lat,lng`, from the fetched neighbourhood boundaries."""
    def compute():
        parts = (_param(request, "q") or "").split(",")
        if len(parts) != 2:
            raise answers.BadRequest("q must be lat,lng")
        return answers.locate_neighbourhood(selectors.policeuk_cursor(), point=answers.parse_point(*parts))
    return _answer(request, compute)


@router.get("/{force}/neighbourhoods", summary="A force's neighbourhoods", url_name="neighbourhoods")
@_cached
def neighbourhoods(request: HttpRequest, force: Path[str]):
    """`[{"id", "name"}]` of the neighbourhoods fetched for the force (`openbeat fetch neighbourhoods`)."""
    def compute():
        found = answers.neighbourhoods(selectors.policeuk_cursor(), force=force)
        if not found:
            selectors.force_get(force=force)
        return found
    return _answer(request, compute)


def _neighbourhood_part(fn):
    def view(request: HttpRequest, force: Path[str], neighbourhood: Path[str]):
        return _answer(request, lambda: fn(selectors.policeuk_cursor(), force=force, neighbourhood_id=neighbourhood))
    view.__doc__ = fn.__doc__
    view.__name__ = fn.__name__
    return _cached(view)


router.get("/{force}/{neighbourhood}/boundary", summary="A neighbourhood's boundary",
           url_name="neighbourhood-boundary")(_neighbourhood_part(answers.neighbourhood_boundary))
router.get("/{force}/{neighbourhood}/people", summary="A neighbourhood's team",
           url_name="neighbourhood-people")(_neighbourhood_part(answers.neighbourhood_people))
router.get("/{force}/{neighbourhood}/events", summary="A neighbourhood's events",
           url_name="neighbourhood-events")(_neighbourhood_part(answers.neighbourhood_events))
router.get("/{force}/{neighbourhood}/priorities", summary="A neighbourhood's priorities",
           url_name="neighbourhood-priorities")(_neighbourhood_part(answers.neighbourhood_priorities))
# last: two free segments would otherwise catch forces/{id} and crimes-street/{category}
router.get("/{force}/{neighbourhood}", summary="A neighbourhood",
           url_name="neighbourhood")(_neighbourhood_part(answers.neighbourhood))


api = NinjaAPI(
    title="OpenBeat police.uk-compatible API",
    version=openbeat.__version__,
    description="The police.uk API (https://data.police.uk/docs/) served from OpenBeat's lake: point a "
                "client's base URL at /police-uk/api/. See docs/police-uk-api.md.",
    urls_namespace="policeuk",
    docs_url=None,
    openapi_url="/openapi.json",
)
api.add_router("", router)


def json_errors(pattern):
    """``pattern`` with its 405 (a method called with the wrong HTTP verb: Ninja answers it
    in plain text) answered as ``{"error": …}``, its ``Allow`` header kept."""
    view = pattern.callback

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            allowed = sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip())
            return _json({"error": f"{request.method} is not allowed here; use {' or '.join(allowed)}"},
                         status=405, headers={"Allow": ", ".join(allowed)})
        return response

    pattern.callback = wrapped
    return pattern


def no_such_method(request: HttpRequest, rest: str) -> HttpResponse:
    """404 as ``{"error": …}`` for a path under /police-uk/api/ that is no method."""
    return _error(404, f"there is no method {rest!r}; the methods are listed at /police-uk/api/openapi.json")
