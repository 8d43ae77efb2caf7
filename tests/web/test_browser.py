"""The site in a real browser: `openbeat serve --demo` over the synthetic Northbridge lake, Debian's Chromium.

Playwright drives /usr/bin/chromium (installed by scripts/install_chromium.sh; no
browser is ever downloaded). Every page type is checked with axe-core, injected from
node_modules/axe-core, for serious or critical WCAG problems, and for any breach of our
Content-Security-Policy (no 'unsafe-inline', no 'unsafe-eval'). Charts must draw real
marks from the API's data. Screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from pathlib import Path

import pytest

from openbeat.web.launch import LaunchError, launch
from tests.waiting import wait_until
from tests.web.conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
STATIC_BUILD = ROOT / "openbeat" / "web" / "static_build"
ARTIFACTS = ROOT / "test-artifacts" / "web"
# as the machine notes advise: no sandbox as root, and no background calls to Google's
# hosts that this closed network would refuse
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
BOROUGH = "X09000001"
LARKRISE = "X05000022"  # its burglary priority was adopted in 2025-04


def _missing(what: str, fix: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what}; CI must run the browser tests ({fix})")
    pytest.skip(f"{what}: {fix}")


@pytest.fixture(scope="module")
def postcode(northbridge) -> dict:
    """A postcode of the demo, as `openbeat demo` writes them (postcodes/postcodes.csv)."""
    with open(northbridge.root.parent / "out" / "postcodes" / "postcodes.csv") as fh:
        return next(csv.DictReader(fh))


@pytest.fixture(scope="module")
def server(northbridge, tmp_path_factory):
    yield from serve_demo(northbridge, tmp_path_factory.mktemp("serve-data"))


def serve_demo(northbridge, data: Path, env_extra: dict | None = None):
    """`openbeat serve --demo` over Northbridge until the generator is closed; yields its base URL."""
    if not CHROMIUM.exists():
        _missing("/usr/bin/chromium is not installed", "run scripts/install_chromium.sh")
    if not (STATIC_BUILD / "vendor" / "vega" / "vega.min.js").exists() or not AXE.exists():
        _missing("the front-end files are not built", "run scripts/build_static.sh")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "OPENBEAT_HTTPS")}
    env.update(OPENBEAT_DATA_DIR=str(data), OPENBEAT_LAKE_CHECK_SECONDS="0", **(env_extra or {}))
    try:
        # 240 s: on a loaded machine collectstatic and the migrations alone can take 90
        server = launch(["--demo", "--lake", str(northbridge.root), "--workers", "2", "--threads", "4"], env=env,
                        log=data / "serve.log", cwd=ROOT, ready_within=240)
    except LaunchError as exc:
        pytest.fail(str(exc))
    with server:
        yield server.base


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

    def charts_drawn(self, timeout: float = 30) -> dict[str, str]:
        """Wait until every chart on the page is drawn (or failed); {picture id: state}."""
        def states() -> dict[str, str]:
            # polled from here: a string wait_for_function would need 'unsafe-eval' in the page
            return self.page.evaluate(
                "Object.fromEntries(Array.from(document.querySelectorAll('[data-vega-spec]'))"
                ".map(e => [e.id, e.getAttribute('data-vega-rendered')]))")

        with contextlib.suppress(TimeoutError):  # the caller's assertion names the charts left undrawn
            wait_until(lambda: all(states().values()), timeout, "every chart to be drawn")
        return states()

    def marks(self, picture: str, kind: str) -> int:
        """SVG marks Vega drew in a picture: kind is e.g. 'line', 'symbol', 'shape', 'rect'."""
        return self.page.locator(f"#{picture} svg .mark-{kind}.role-mark path").count()

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


@contextlib.contextmanager
def opened(browser, base: str, *, width: int = 1280, height: int = 900, who: str | None = None, **options):
    """A :class:`Page` on ``base`` in a browser context of its own (``width`` px wide, signed in as
    the demo account ``who`` if given), closed when the block ends."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB", **options)
    try:
        p = Page(context, base)
        if who:
            sign_in_demo(p, who)
        yield p
    finally:
        context.close()


@pytest.fixture
def page(browser, server):
    with opened(browser, server) as p:
        yield p


def _api(page: Page, path: str) -> dict:
    r = page.page.request.get(page.base + path)
    assert r.status == 200 and r.headers["content-type"].startswith("application/json"), path
    return r.json()


def test_a_postcode_finds_the_neighbourhood_and_its_charts_and_map_draw(page, postcode):
    page.goto("/")
    assert page.page.locator("#demo-banner").inner_text().startswith("Synthetic demo data")
    page.check("home")
    page.page.fill("#q", postcode["pcds"])
    page.page.click("#find-form button[type=submit]")
    ward = postcode["osward"]
    page.page.wait_for_url(f"**/areas/{ward}/")
    assert page.charts_drawn() == {"crimes-by-month-picture": "true", "hotspot-map-picture": "true",
                                   "stop-search-picture": "true", "stop-search-monthly-picture": "true",
                                   "trust-series-picture": "true"}
    # real marks from the API's data: a line and a point per month for crimes and for
    # anti-social behaviour; a shape per grid cell; a bar per ethnic group; two PAS lines
    months = _api(page, f"/api/areas/{ward}/crimes/monthly?limit=1000")["results"]
    published = sum(m["crimes"] is not None for m in months)
    assert page.marks("crimes-by-month-picture", "line") == 2
    assert page.marks("crimes-by-month-picture", "symbol") == 2 * published
    cells = _api(page, f"/api/areas/{ward}/hotspots")["features"]
    assert page.marks("hotspot-map-picture", "shape") >= len(cells) + 1  # every cell, then the ward's outline
    groups = _api(page, f"/api/areas/{ward}/stop-search?table=by_ethnicity")["results"]
    assert page.marks("stop-search-picture", "rect") == len(groups) == 6
    assert page.marks("trust-series-picture", "line") == 2
    picture = page.page.locator("#crimes-by-month-picture")
    assert picture.get_attribute("role") == "img" and picture.get_attribute("tabindex") == "0"
    assert picture.get_attribute("aria-label").startswith("Line chart of recorded crimes in ")
    page.check("area-ward")


def test_charts_are_keyboard_reachable_and_have_a_table(page):
    page.goto(f"/areas/{BOROUGH}/")
    page.charts_drawn()
    focused = []
    for _ in range(80):
        page.page.keyboard.press("Tab")
        focused.append(page.page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if focused[-1] == "crime-map-picture":
            break
    assert "crimes-by-month-picture" in focused and focused[-1] == "crime-map-picture"
    summary = page.page.locator("#crimes-by-month summary")
    summary.focus()
    page.page.keyboard.press("Enter")
    table = page.page.locator("#crimes-by-month table")
    assert table.is_visible()
    first = _api(page, f"/api/areas/{BOROUGH}/crimes/monthly?limit=1")["results"][0]
    assert table.locator("tbody tr").first.inner_text().split("\t")[:3] == [
        "October 2023", f"{first['crimes']:,}", f"{first['anti_social_behaviour']:,}"]


def test_vega_draws_without_eval_and_the_csp_would_catch_it(page):
    """Our charts evaluate expressions (filters, calculated fields) with vega-interpreter: no
    violation. The same spec drawn the default way (Vega compiles expressions with Function)
    is refused by the CSP and reported, so the check above can fail."""
    page.goto("/compare/")
    assert page.charts_drawn() == {"funnel-picture": "true"}
    assert page.page.evaluate("window.__csp") == []
    assert page.marks("funnel-picture", "symbol") == _api(page, "/api/compare?level=ward")["summary"]["areas"]
    page.page.evaluate("""async () => {
        const el = document.createElement('div'); document.body.appendChild(el);
        try { await vegaEmbed(el, document.querySelector('[data-vega-spec]').dataset.vegaSpec,
                              {renderer: 'svg', actions: false, defaultStyle: false}); } catch (e) {}
    }""")
    assert any(v.startswith("script-src") for v in page.page.evaluate("window.__csp"))


def test_the_api_link_returns_json(page):
    page.goto(f"/areas/{LARKRISE}/")
    href = page.page.locator("a:text('Crime profile, JSON')").get_attribute("href")
    body = _api(page, href)
    assert body["method"] == "profile" and body["area"]["code"] == LARKRISE
    page.page.click("footer a:text('Open data API')")
    page.page.wait_for_url("**/api/")
    page.check("api-docs")
    examples = page.page.locator("a.ob-code[href^='/api/']")
    assert examples.count() >= 15
    for i in range(examples.count()):
        href = examples.nth(i).get_attribute("href")
        r = page.page.request.get(page.base + href)
        assert r.status == 200 and r.headers["content-type"].startswith("application/json"), href


def test_use_my_location_goes_to_the_ward(browser, server, postcode):
    context = browser.new_context(geolocation={"latitude": float(postcode["lat"]),
                                               "longitude": float(postcode["long"])}, permissions=["geolocation"])
    try:
        p = Page(context, server)
        p.goto("/")
        button = p.page.locator("button[data-use-location]")
        assert button.is_visible()
        button.click()
        p.page.wait_for_url(f"**/areas/{postcode['osward']}/")
    finally:
        context.close()


PAGE_TYPES = [
    ("find-list", "/find/?q=north", 200), ("find-nothing", "/find/?q=Atlantis", 200), ("find-empty", "/find/?q=", 200),
    ("areas-index", "/areas/", 200), ("area-force", "/areas/northbridge/", 200),
    ("area-borough", f"/areas/{BOROUGH}/", 200), ("area-lsoa", "/areas/X01000001/", 200),
    ("area-msoa", "/areas/X02000001/", 200), ("tools", "/tools/", 200),
    ("compare", "/compare/?level=borough&crime_type=Burglary", 200), ("targeting", "/highest-crime-lowest-trust/", 200),
    ("allocation-form", "/allocation/", 200),
    ("allocation-plan", f"/allocation/?within={BOROUGH}&officers=60&pcsos=30&trust_weight=1", 200),
    ("allocation-errors", f"/allocation/?within={BOROUGH}&officers=many&pcsos=30", 400),
    ("did-it-work", f"/did-it-work/?ward={LARKRISE}&start=2025-04&crime_type=Burglary", 200),
    ("scorecard-index", "/scorecard/", 200), ("scorecard", "/scorecard/northbridge/", 200),
    ("about", "/about/", 200), ("not-found", "/nowhere/", 404),
]


@pytest.mark.parametrize("name,path,status", PAGE_TYPES, ids=[p[0] for p in PAGE_TYPES])
def test_every_page_type_is_accessible(page, name, path, status):
    page.goto(path, status=status)
    states = page.charts_drawn()
    assert all(v == "true" for v in states.values()), states
    page.check(name)


def test_readable_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    try:
        p = Page(context, server)
        p.goto(f"/areas/{LARKRISE}/")
        assert all(v == "true" for v in p.charts_drawn().values())
        assert p.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert p.page.locator(".govuk-service-navigation__toggle").is_visible()  # the menu folds away
        p.check("phone-area-ward")
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_vawg_section_is_accessible_at_both_widths(browser, server, width):
    from openbeat.analytics.vawg import CAVEAT

    with opened(browser, server, width=width) as p:
        p.goto(f"/areas/{LARKRISE}/")
        section = p.page.locator("#vawg")
        assert section.locator("h2").inner_text() == "Violence against women and girls"
        assert CAVEAT in section.inner_text()
        assert section.locator("table").count() == 4  # by offence, by month, peers, outcomes
        result = p.page.evaluate("async () => await axe.run('#vawg', {resultTypes: ['violations']})")
        assert [(v["id"], v["impact"]) for v in result["violations"]] == []
        assert p.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        p.check(f"vawg-{width}")


def sign_in_demo(p: Page, who: str) -> None:
    """Sign in as a demo account, waiting for the redirect away from the sign-in page."""
    from openbeat.accounts.demo import DEMO_DOMAIN, DEMO_PASSWORD

    p.goto("/accounts/login/")
    p.page.fill("input[name=login]", f"{who}@{DEMO_DOMAIN}")
    p.page.fill("input[name=password]", DEMO_PASSWORD)
    p.page.click("#main-content form button[type=submit]")
    p.page.wait_for_url(lambda url: "/accounts/login/" not in url, timeout=30_000)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_notice_of_an_earlier_lake_state_is_accessible_at_both_widths(browser, server, width):
    """While a new lake state is prepared, a kept page carries the layout's notice
    (openbeat.web.cache._earlier): the real ward page, as the server sent it with its headers
    (its CSP too), marked as _earlier marks it, is axe-clean and fits a phone."""
    from datetime import datetime, timezone

    from django.http import HttpResponse

    from openbeat.web.cache import STALE_MARK, _earlier
    from openbeat.web.lake_access import LakeState

    path = f"/areas/{LARKRISE}/"
    with opened(browser, server, width=width) as p:
        served = p.page.request.get(server + path)
        assert served.status == 200 and STALE_MARK in served.body()
        response = HttpResponse(served.body(), content_type=served.headers["content-type"])
        state = LakeState(root=Path("."), signature="0123456789abcdef", datasets=frozenset({"crimes"}),
                          last_modified=datetime(2026, 11, 30, 9, 5, tzinfo=timezone.utc))
        _earlier(response, "", state, api=False)
        marked = response.content
        assert b'data-lake-state="0123456789ab"' in marked and STALE_MARK not in marked
        headers = {k: v for k, v in served.headers.items() if k.lower() not in ("content-length", "content-encoding")}
        p.page.route(server + path, lambda route: route.fulfill(status=200, headers=headers, body=marked))
        p.goto(path)
        notice = p.page.locator(".ob-lake-notice")
        assert notice.inner_text() == ("New data has just been loaded and is being prepared. This page still shows "
                                       "the data as it was on 30 November 2026 at 09:05; reload in a few minutes "
                                       "for the new figures.")
        assert notice.get_attribute("role") == "status"
        assert p.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        p.check(f"earlier-state-notice-{width}")
