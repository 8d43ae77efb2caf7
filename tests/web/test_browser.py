"""The site in a real browser: `openbeat serve` over the Testborough lake, Debian's Chromium.

Playwright drives /usr/bin/chromium (installed by scripts/install_chromium.sh; no
browser is ever downloaded). Every page type is checked with axe-core, injected from
node_modules/axe-core, for serious or critical WCAG problems, and for any breach of our
Content-Security-Policy. Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.web.conftest import BOROUGH, NORTH, ROOT, SOUTH

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
STATIC_BUILD = ROOT / "openbeat" / "web" / "static_build"
ARTIFACTS = ROOT / "test-artifacts" / "web"
# as the machine notes advise: no sandbox as root, and no background calls to Google's
# hosts that this closed network would refuse
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def _missing(what: str, fix: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what}; CI must run the browser tests ({fix})")
    pytest.skip(f"{what}: {fix}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(web_lake, tmp_path_factory):
    if not CHROMIUM.exists():
        _missing("/usr/bin/chromium is not installed", "run scripts/install_chromium.sh")
    if not (STATIC_BUILD / "vendor" / "vega" / "vega.min.js").exists() or not AXE.exists():
        _missing("the front-end files are not built", "run scripts/build_static.sh")
    data = tmp_path_factory.mktemp("serve-data")
    port = _free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "OPENBEAT_HTTPS")}
    env.update(OPENBEAT_DATA_DIR=str(data), OPENBEAT_LAKE_CHECK_SECONDS="0")
    cmd = [sys.executable, "-c", "from openbeat.cli.web_commands import serve; serve(prog_name='openbeat serve')",
           "--demo", "--lake", str(web_lake.root), "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    log = open(data / "serve.log", "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("openbeat serve did not start:\n" + (data / "serve.log").read_text())
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A page with its CSP violations, console errors and axe-core at hand."""

    def __init__(self, context, base: str):
        self.base = base
        self.csp: list[str] = []
        self.errors: list[str] = []
        self.expected_errors: list[str] = []
        context.add_init_script(path=str(AXE))
        context.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation', "
            "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
        self.page = context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def goto(self, path: str, *, status: int = 200):
        response = self.page.goto(self.base + path)
        assert response.status == status, path
        if status >= 400:  # Chromium logs the page's own status as a console error
            self.expected_errors = [f"Failed to load resource: the server responded with a status of {status}"]
        return response

    def check(self, name: str) -> None:
        """No CSP breach, no script error, no serious or critical axe finding; save a screenshot."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        assert self.page.evaluate("window.__csp") == [], name
        assert [e for e in self.errors if not any(e.startswith(x) for x in self.expected_errors)] == [], name
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert bad == [], f"{name}: {json.dumps(bad)}"


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    yield Page(context, server)
    context.close()


def test_search_finds_the_neighbourhood_and_its_charts_draw(page):
    page.goto("/")
    assert page.page.locator("#demo-banner").inner_text().startswith("Synthetic demo data")
    page.check("home")
    page.page.fill("#q", "TE1 1ST")
    page.page.click("button[type=submit]")
    page.page.wait_for_url("**/find/?q=TE1+1ST")
    page.check("find-postcode")
    page.page.click(f"#located-areas a[href='/areas/{NORTH}/']")
    page.page.wait_for_url(f"**/areas/{NORTH}/")
    line = page.page.locator("#crimes-by-month-picture")
    page.page.wait_for_selector("#crimes-by-month-picture[data-vega-rendered=true] svg")
    page.page.wait_for_selector("#crime-map-picture[data-vega-rendered=true] svg")
    # real marks from the API's data: a line per series, a point per series and month, a shape per LSOA
    assert line.locator("svg .mark-line.role-mark path").count() == 2
    assert line.locator("svg .mark-symbol.role-mark path").count() == 6
    assert page.page.locator("#crime-map-picture svg .mark-shape.role-mark path").count() == 2
    svg = line.locator("svg").first
    assert svg.get_attribute("role") == "img"
    assert svg.get_attribute("aria-label").startswith("Line chart of recorded crimes in North Ward")
    page.check("area-ward")


def test_the_table_alternative_opens(page):
    page.goto(f"/areas/{SOUTH}/")
    page.page.click("#crimes-by-month summary")
    table = page.page.locator("#crimes-by-month table")
    assert table.is_visible()
    assert table.locator("tbody tr").nth(1).inner_text().split() == ["February", "2024", "4", "0"]


def test_use_my_location_fills_in_the_point(browser, server):
    from openbeat.geo.crs import to_wgs84

    lon, lat = to_wgs84([531_500], [181_500])  # inside X01000004, South Ward
    context = browser.new_context(geolocation={"latitude": float(lat[0]), "longitude": float(lon[0])},
                                  permissions=["geolocation"])
    try:
        p = Page(context, server)
        p.goto("/")
        button = p.page.locator("button[data-use-location]")
        assert button.is_visible()
        button.click()
        p.page.wait_for_url("**/find/?q=*")
        assert p.page.locator(f"#located-areas a[href='/areas/{SOUTH}/']").count() == 1
    finally:
        context.close()


def test_the_api_link_returns_json(page):
    page.goto("/")
    page.page.click("footer a:text('Open data API')")
    page.page.wait_for_url("**/api/")
    page.check("api-docs")
    href = page.page.locator("a:text('/api/areas')").first.get_attribute("href")
    response = page.page.request.get(page.base + href)
    assert response.status == 200 and response.headers["content-type"].startswith("application/json")
    assert response.json()["count"] == 7


@pytest.mark.parametrize("name,path,status", [
    ("areas-index", "/areas/", 200), ("area-borough", f"/areas/{BOROUGH}/", 200),
    ("area-lsoa", "/areas/X01000003/", 200), ("find-name", "/find/?q=ward", 200),
    ("find-nothing", "/find/?q=Atlantis", 200), ("find-empty", "/find/?q=", 200),
    ("about", "/about/", 200), ("not-found", "/nowhere/", 404),
])
def test_every_page_type_is_accessible(page, name, path, status):
    page.goto(path, status=status)
    if page.page.locator("[data-vega-spec]").count():
        page.page.wait_for_selector("[data-vega-rendered]")
    page.check(name)


def test_readable_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    try:
        p = Page(context, server)
        p.goto(f"/areas/{BOROUGH}/")
        p.page.wait_for_selector("#crime-map-picture[data-vega-rendered=true] svg")
        assert p.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert p.page.locator(".govuk-service-navigation__toggle").is_visible()  # the menu folds away
        p.check("phone-area-borough")
    finally:
        context.close()
