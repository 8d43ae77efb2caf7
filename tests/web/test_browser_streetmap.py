"""The street-level crime map in Chromium: points drawn, filters that change them, a phone, tiles.

The map's own counts (what it drew) are checked against the API's answer for the same
month, which tests/api/test_crime_points.py checks against DuckDB on the lake's files.
The base map is tried against a tile server of our own on 127.0.0.1 (a thread serving one
tiny PNG for every tile path): tiles load, their credit shows, the CSP lets them through.
"""

from __future__ import annotations

import base64
import contextlib
import http.server

import pytest

from tests.ingest.fakeserver import serving
from tests.waiting import wait_until
from tests.web.test_browser import BOROUGH, LARKRISE, Page, browser, opened, serve_demo, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

#: A 1 x 1 PNG, grey.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAG4kvyQAAAABJRU5ErkJggg==")


def _ready(p: Page) -> dict:
    """The map's state once drawn: markers, crimes shown, the summary sentence."""
    wait_until(lambda: p.page.get_attribute("#street-map", "data-ob-map-state") == "ready", 30, "the street map")
    return {"markers": int(p.page.get_attribute("#street-map", "data-markers")),
            "crimes": int(p.page.get_attribute("#street-map", "data-crimes")),
            "summary": p.page.inner_text("#street-map-summary")}


def _redrawn(p: Page, before: dict) -> dict:
    wait_until(lambda: _ready(p) != before, 30, "the street map to change")
    return _ready(p)


def test_the_map_draws_the_months_points_and_the_filters_change_them(browser, server):  # noqa: F811
    with opened(browser, server) as p:
        p.goto(f"/areas/{LARKRISE}/")
        shown = _ready(p)
        api = p.page.request.get(f"{server}/api/areas/{LARKRISE}/crimes/points?month=2025-12").json()
        assert p.page.input_value("#street-map-month") == "2025-12"
        assert shown["markers"] == len(api["points"]) > 20
        every = api["crimes"] + api["anti_social_behaviour"]  # every kind: crimes and anti-social behaviour
        assert shown["crimes"] == every
        assert shown["summary"].startswith(f"{every:,} crimes and incidents at {len(api['points'])} points "
                                           "in December 2025")
        # dense points are grouped: fewer circles on the map than points
        groups = p.page.locator("#street-map-picture .ob-cluster").count()
        singles = p.page.locator("#street-map-picture .ob-point").count()
        assert groups > 0 and groups + singles < len(api["points"])
        assert p.page.get_attribute("#street-map-picture .ob-cluster >> nth=0", "title").endswith(
            "close together: select to zoom in")
        # the text alternative: every kind of crime this month, with its count
        kinds = p.page.locator("#street-map-tables .ob-table-wrap:first-child tbody tr")
        assert kinds.count() == len(api["categories"])
        assert sum(int(kinds.nth(i).locator("td").inner_text().replace(",", ""))
                   for i in range(kinds.count())) == every

        # a kind of crime, chosen with the keyboard
        p.page.focus("#street-map-type")
        p.page.select_option("#street-map-type", "Burglary")
        burglary = _redrawn(p, shown)
        assert burglary["crimes"] == api["categories"]["Burglary"]
        assert burglary["markers"] == sum(1 for x in api["points"] if "Burglary" in x["counts"])
        assert "(Burglary)" in burglary["summary"]

        # another month of the period: fetched and drawn, the kind still applied
        p.page.select_option("#street-map-month", "2025-06")
        june = _redrawn(p, burglary)
        api_june = p.page.request.get(f"{server}/api/areas/{LARKRISE}/crimes/points?month=2025-06").json()
        assert june["crimes"] == api_june["categories"]["Burglary"] and "June 2025" in june["summary"]
        assert p.page.get_attribute("#street-map-data", "href").endswith("?month=2025-06")
        p.check("street-map-ward")


def test_the_month_filter_offers_the_chosen_period(browser, server):  # noqa: F811
    with opened(browser, server) as p:
        p.goto(f"/areas/{BOROUGH}/?period=last-3")
        months = p.page.eval_on_selector_all("#street-map-month option", "os => os.map(o => o.value)")
        assert months == ["2025-12", "2025-11", "2025-10"]


def test_a_month_the_forces_did_not_publish_is_said_so_not_called_a_failure(browser, server):  # noqa: F811
    """The points endpoint refuses a month the area's forces did not publish (400 cannot_compute):
    the map says the API's own words, not "could not be loaded; try again later". The month is
    one the demo publishes, answered with the API's real refusal of one it does not (2019-01)."""
    with opened(browser, server) as p:
        refused = p.page.request.get(f"{server}/api/areas/{LARKRISE}/crimes/points?month=2019-01")
        assert refused.status == 400 and refused.json()["code"] == "cannot_compute"
        p.page.route("**/crimes/points?month=2025-06", lambda route: route.fulfill(
            status=400, content_type="application/json", body=refused.body()))
        p.goto(f"/areas/{LARKRISE}/")
        _ready(p)
        p.page.select_option("#street-map-month", "2025-06")
        wait_until(lambda: p.page.get_attribute("#street-map", "data-ob-map-state") == "failed", 30, "the refusal")
        assert p.page.inner_text("#street-map-summary") == refused.json()["message"]
        assert "try again later" not in p.page.inner_text("#street-map-summary")

def test_on_a_phone_the_map_fits_and_is_accessible(browser, server):  # noqa: F811
    with opened(browser, server, width=390, height=800) as p:
        p.goto(f"/areas/{BOROUGH}/")
        assert _ready(p)["markers"] > 0
        assert p.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        box = p.page.locator("#street-map-picture").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        # no tiles asked for: nothing but the outlines and the points, and no credit line
        assert p.page.locator("#street-map-picture .leaflet-tile").count() == 0
        assert p.page.locator("#street-map-picture path.leaflet-interactive, #street-map-picture path").count() > 0
        p.check("street-map-borough-390")


class _Tiles(http.server.BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Tiles.asked.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def tiles():
    with serving(_Tiles) as url:
        yield url


@pytest.fixture(scope="module")
def tiled_server(northbridge, tmp_path_factory, tiles):
    yield from serve_demo(northbridge, tmp_path_factory.mktemp("serve-tiles"), {
        "OPENBEAT_TILE_URL": tiles + "/tiles/{z}/{x}/{y}.png",
        "OPENBEAT_TILE_ATTRIBUTION": "Tiles <b>by</b> the test server"})


def test_with_a_tile_server_tiles_load_and_are_credited(browser, tiled_server, tiles):  # noqa: F811
    with opened(browser, tiled_server) as p:
        response = p.goto(f"/areas/{LARKRISE}/")
        assert f"img-src 'self' data: {tiles};" in response.headers["content-security-policy"]
        _ready(p)
        loaded = "#street-map-picture img.leaflet-tile-loaded"
        with contextlib.suppress(TimeoutError):
            wait_until(lambda: p.page.locator(loaded).count() > 0, 30, "a tile to load")
        assert p.page.locator(loaded).count() > 0
        assert any(path.startswith("/tiles/") and path.endswith(".png") for path in _Tiles.asked)
        # the credit is shown as text: the tags in it are not markup
        assert p.page.inner_text("#street-map-picture .leaflet-control-attribution") == \
            "Tiles <b>by</b> the test server"
        p.check("street-map-tiles")
