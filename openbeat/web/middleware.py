"""Response headers Django 5.2 does not set itself, and the API's URL conveniences."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.gzip import GZipMiddleware


def _policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}".strip() for name, values in directives.items())


def _permissions(features: dict[str, list[str]]) -> str:
    return ", ".join(f"{name}=({' '.join(values)})" for name, values in features.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    SecurityMiddleware already sets HSTS, X-Content-Type-Options, Referrer-Policy and
    Cross-Origin-Opener-Policy; XFrameOptionsMiddleware sets X-Frame-Options. A view may
    set its own CSP (none does); we never overwrite one.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = _policy(settings.CONTENT_SECURITY_POLICY)
        self.permissions = _permissions(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions)
        return response


class LakeSnapshotMiddleware:
    """One lake state per request: the data a view reads and its ETag and cache key agree.

    The snapshot is taken when the request first needs the lake (a static file or the
    sign-in page never does); see :mod:`openbeat.web.lake_access`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from openbeat.web.lake_access import pinned_snapshot

        with pinned_snapshot():
            return self.get_response(request)


class HeadMiddleware:
    """Answer HEAD with the GET response's headers and no body (RFC 9110 §9.3.2).

    Django leaves this to the server; gunicorn then drops the body with a warning in the
    log on every HEAD request (monitoring probes send many).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # the method as sent: ApiMiddleware answers an API HEAD as a GET
        if request.META.get("REQUEST_METHOD") == "HEAD" and not response.streaming:
            length = len(response.content)
            response.content = b""
            response.headers["Content-Length"] = str(length)
        return response


class ApiMiddleware:
    """``/api/….csv`` means ``/api/…?format=csv``; API answers may be read from any origin.

    The suffix form gives people a plain link to paste into a spreadsheet. The data is
    open and the API takes no cookies or credentials, so ``Access-Control-Allow-Origin: *``
    lets other sites' scripts use it without exposing anything.
    """

    prefix = "/api/"
    #: Longest URL answered: police.uk's own limit for GET (docs/web.md); longer gets a JSON 414.
    max_url = 4094

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not path.startswith(self.prefix):
            return self.get_response(request)
        response = self._answer(request, path)
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Expose-Headers", "ETag, Last-Modified, Link")
        return response

    def _answer(self, request: HttpRequest, path: str) -> HttpResponse:
        # every API error is JSON in one shape, including those Django or the router answer in HTML
        from openbeat.web.json_errors import error_response

        if len(request.get_full_path()) > self.max_url:
            return error_response(414, "uri_too_long", f"The URL is longer than {self.max_url:,} characters.",
                                  hint="Ask for fewer or shorter parameters.")
        if request.method == "HEAD":
            request.method = "GET"  # the GET answer's headers; HeadMiddleware drops the body
        if path.endswith(".csv") and len(path) > len(self.prefix) + 4:
            request.path_info = path[:-4]
            query = request.GET.copy() if isinstance(request.GET, QueryDict) else QueryDict(mutable=True)
            query["format"] = "csv"
            request.GET = query
        response = self.get_response(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = [m.strip() for m in (response.get("Allow") or "GET").split(",")]
            allowed = ", ".join(allowed + (["HEAD"] if "GET" in allowed and "HEAD" not in allowed else []))
            response = error_response(405, "method_not_allowed", f"{request.method} is not allowed here.",
                                      hint=f"The API only reads: use {allowed}.")
            response["Allow"] = allowed
        return response


class ApiGZipMiddleware(GZipMiddleware):
    """gzip API answers (GeoJSON and long tables shrink several times over).

    Only the API: its answers hold no secrets, so compression cannot leak one (BREACH);
    pages may one day carry CSRF tokens beside text from the URL. Static files come
    pre-compressed from whitenoise.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not request.path.startswith(ApiMiddleware.prefix):
            return response
        return super().process_response(request, response)
