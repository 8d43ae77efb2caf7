"""One JSON shape for every API error, and the handlers that produce it.

    {"status": 404, "code": "not_found", "message": "No area has the code 'E05999999'.",
     "hint": "Find codes at /api/areas?q=NAME", "errors": []}

``errors`` lists the bad parameters of a 400/422 answer, each as
``{"parameter": "from", "location": "query", "message": "…"}``. Bad input is never a 500:
unparseable values are 422, values that parse but make no sense together (an inverted
period) are 400, unknown things are 404.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Schema
from ninja.errors import HttpError, ValidationError

from openbeat.analytics.harm import CRIME_TYPES
from openbeat.analytics.store import BadPeriod, UnknownArea
from openbeat.api.params import MONTH_PATTERN
from openbeat.web.json_errors import error_response
from openbeat.web.shared_figures import sentence

log = logging.getLogger(__name__)


class ParameterError(Schema):
    parameter: str
    location: str
    message: str


class Error(Schema):
    status: int
    code: str
    message: str
    hint: str | None = None
    errors: list[ParameterError] = []


#: Document these on every operation, so clients (and schemathesis) know the shapes.
ERROR_RESPONSES = {400: Error, 404: Error, 422: Error, 429: Error}  # 429: too many uncached answers


class ApiError(Exception):
    """Raise in an operation to answer with a clear JSON error."""

    def __init__(self, status: int, code: str, message: str, *, hint: str | None = None,
                 errors: list[dict] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.hint, self.errors = status, code, message, hint, errors or []


def not_found(message: str, *, hint: str | None = None) -> ApiError:
    return ApiError(404, "not_found", message, hint=hint)


def check_period(start: str | None, end: str | None) -> None:
    """Raise a 400 ApiError when ``from`` is after ``to``."""
    if start and end and start > end:
        raise ApiError(
            400, "bad_period", f"The period starts ({start}) after it ends ({end}).",
            hint="Swap 'from' and 'to', or leave one out.",
            errors=[{"parameter": "from", "location": "query", "message": f"must not be after to ({end})"}],
        )


def check_crime_type(crime_type: str | None, parameter: str = "crime_type") -> None:
    """Raise a 400 ApiError for a crime type police.uk does not use."""
    if crime_type is not None and crime_type not in CRIME_TYPES:
        raise ApiError(
            400, "unknown_crime_type", f"There is no police.uk crime type called {crime_type!r}.",
            hint="Use one of: " + "; ".join(CRIME_TYPES) + ".",
            errors=[{"parameter": parameter, "location": "query", "message": "is not a police.uk crime type"}],
        )


def _friendly(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == MONTH_PATTERN:
        return "must be a month written YYYY-MM, for example 2024-03"
    if kind == "missing":
        return "is required"
    msg = err.get("msg", "is not valid")
    return msg[0].lower() + msg[1:] if msg else "is not valid"


def _parameter_errors(exc: ValidationError) -> list[dict]:
    out = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", [])]
        location = loc[0] if loc else "request"
        # ninja nests a query schema's fields under its own name; the last part is the parameter
        parameter = loc[-1] if len(loc) > 1 else location
        out.append({"parameter": parameter, "location": location, "message": _friendly(err)})
    return out


def install(api) -> None:
    """Register the handlers on a NinjaAPI."""

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status, exc.code, exc.message, hint=exc.hint, errors=exc.errors)

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _parameter_errors(exc)
        names = ", ".join(f"{e['parameter']} {e['message']}" for e in errors)
        return error_response(422, "invalid_parameter", f"Some parameters are not valid: {names}.",
                              hint="See /api/ for each endpoint's parameters.", errors=errors)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, "not_found", str(exc) or "Nothing is here.")

    def _analytics(request: HttpRequest, exc: Exception) -> HttpResponse:
        e = analytics_error(exc)
        return error_response(e.status, e.code, e.message, hint=e.hint)

    # an unknown area or a bad period found by the analytics library (other errors are
    # caught where the library is called: a ValueError elsewhere is a bug, not bad input)
    api.add_exception_handler(UnknownArea, _analytics)
    api.add_exception_handler(BadPeriod, _analytics)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(exc.status_code, "error", exc.message)


def analytics_error(exc: Exception) -> ApiError:
    """The analytics library's input errors as API errors: unknown area 404, the rest 400."""
    msg = sentence(str(exc))
    if isinstance(exc, UnknownArea):
        return ApiError(404, "not_found", msg, hint="Find codes at /api/areas?q=NAME")
    if isinstance(exc, BadPeriod):
        return ApiError(400, "bad_period", msg, hint="Months are YYYY-MM; 'from' must not be after 'to'.")
    return ApiError(400, "cannot_compute", msg)
