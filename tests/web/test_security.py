"""Security headers on every kind of response, and templates that keep the CSP strict."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.web.conftest import NORTH, ROOT

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


@pytest.mark.parametrize("url", ["/", f"/areas/{NORTH}/", "/api/areas", "/api/areas/NOPE", "/no-such-page/",
                                 f"/areas/{NORTH}/charts/hotspot-map.vl.json", "/api/openapi.json",
                                 "/compare/", "/api/compare"])
def test_security_headers(client, use_lake, settings, url):
    r = client.get(url)
    # the test client speaks plain HTTP; HTTPS-only headers are tested below
    https = "; upgrade-insecure-requests" if settings.OPENBEAT_HTTPS else ""
    assert r["Content-Security-Policy"] == CSP + https
    assert "unsafe-inline" not in r["Content-Security-Policy"] and "unsafe-eval" not in r["Content-Security-Policy"]
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert r["X-Frame-Options"] == "DENY"
    assert r["Cross-Origin-Opener-Policy"] == "same-origin"
    assert r["Permissions-Policy"] == "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"


def test_hsts_and_redirect_over_https(client, use_lake, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    r = client.get("/", secure=True)
    assert r["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    settings.SECURE_SSL_REDIRECT = True
    r = Client().get("/about/")  # a new client: middleware reads settings when it starts
    assert r.status_code == 301 and r["Location"] == "https://testserver/about/"


def test_proxy_header_marks_requests_secure(client, use_lake, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/about/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_head_requests_get_headers_only(client, use_lake):
    get = client.get("/about/")
    head = client.head("/about/")
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Length"] == str(len(get.content))


TEMPLATES = sorted((ROOT / "openbeat").rglob("templates/**/*.html"))


def test_there_are_templates_to_check():
    assert len(TEMPLATES) >= 10


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_code_and_no_cdn(path):
    html = path.read_text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script in {path.name}: {tag}"
    assert "<style" not in html, f"inline <style> in {path.name}"
    # An HTML email is read in a mail client, which ignores style sheets and the site's CSP:
    # its styles must be inline attributes. Scripts and handlers stay forbidden there too.
    if not path.name.startswith("email"):
        assert not re.search(r"\sstyle=", html), f"style attribute in {path.name}"
    assert not re.search(r"\son[a-z]+=", html), f"inline event handler in {path.name}"
    for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
        # links to other sites are fine; loading code or styles from them is not
        assert not re.search(r"\.(js|css|woff2?)(\?|$)", url), f"{path.name} loads {url}"
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", html):
        assert "http" not in tag, f"{path.name} loads from another site: {tag}"


def test_our_javascript_never_builds_code_from_strings():
    for path in (ROOT / "openbeat" / "web" / "static").rglob("*.js"):
        js = path.read_text()
        assert not re.search(r"\beval\(|new Function\(|innerHTML|setAttribute\('style'", js), path.name


def test_api_errors_are_json_in_one_shape_for_every_method_and_length(client, use_lake):
    for method in ("post", "put", "patch", "delete"):
        r = getattr(client, method)("/api/areas")
        assert r.status_code == 405 and r["Allow"] == "GET, HEAD" and r["Content-Type"] == "application/json"
        assert r.json() == {"status": 405, "code": "method_not_allowed",
                            "message": f"{method.upper()} is not allowed here.",
                            "hint": "The API only reads: use GET, HEAD.", "errors": []}
    long = client.get("/api/areas?q=" + "a" * 4100)
    assert long.status_code == 414 and long.json()["code"] == "uri_too_long"
    assert set(long.json()) == {"status", "code", "message", "hint", "errors"}


def test_head_on_the_api_answers_like_get_without_a_body(client, use_lake):
    get, head = client.get("/api/areas/X05000001/profile"), client.head("/api/areas/X05000001/profile")
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == get["ETag"] and head["Content-Length"] == str(len(get.content))


def test_a_failed_csrf_check_is_a_page_of_the_site(use_lake):
    from django.test import Client

    r = Client(enforce_csrf_checks=True).post("/areas/", {"q": "x"})
    assert r.status_code == 403
    page = r.content.decode()
    assert "Sorry, that form could not be sent" in page and 'class="govuk-heading-l"' in page
    assert "CSRF verification failed" not in page


def test_too_many_uncached_answers_get_429_with_retry_after(client, use_lake, settings):
    from django.core.cache import caches

    caches["default"].clear()
    settings.OPENBEAT_UNCACHED_PER_MINUTE = 2
    first = client.get("/api/areas/X05000001/profile")
    assert first.status_code == 200
    assert client.get("/api/areas/X05000002/profile").status_code == 200
    third = client.get("/api/areas/X09000001/profile")
    assert third.status_code == 429 and 1 <= int(third["Retry-After"]) <= 60
    assert third.json()["code"] == "too_many_requests"
    page = client.get("/areas/X05000001/")
    assert page.status_code == 429 and "Please try again in" in page.content.decode()
    # answers already kept are still served, and a 304 costs nothing
    assert client.get("/api/areas/X05000001/profile").status_code == 200
    assert client.get("/api/areas/X05000001/profile", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
