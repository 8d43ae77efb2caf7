"""Every picture on every page: a valid Vega-Lite spec at its own URL, whose data URLs serve real rows.

The spec is checked against Vega-Lite's own JSON schema (node_modules/vega-lite), and each
``data.url`` in it is fetched from the API: it must answer 200 with rows (or features) at
the spec's ``format.property``. The browser tests then draw them.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.web.conftest import ROOT

PAGES = ["/areas/X05000001/", "/areas/X09000001/", "/areas/northbridge/", "/compare/", "/compare/?level=borough",
         "/highest-crime-lowest-trust/", "/allocation/?within=northbridge&officers=200&pcsos=100",
         "/did-it-work/?ward=X05000022&start=2025-04&crime_type=Burglary", "/scorecard/northbridge/"]


@pytest.fixture(scope="module")
def vega_lite_schema():
    path = ROOT / "node_modules" / "vega-lite" / "build" / "vega-lite-schema.json"
    if not path.exists():
        pytest.skip("node_modules/vega-lite is absent: run scripts/build_static.sh")
    import jsonschema

    return jsonschema.Draft7Validator(json.loads(path.read_text()))


def _data(spec: dict):
    """Every data block of a spec, its layers and its lookups."""
    if "data" in spec:
        yield spec["data"]
    for layer in spec.get("layer", []):
        yield from _data(layer)
    for t in spec.get("transform", []):
        if "lookup" in t:
            yield t["from"]["data"]


def test_every_chart_spec_is_valid_and_its_data_is_there(client, demo_lake, vega_lite_schema):
    seen = 0
    for page in PAGES:
        html = client.get(page).content.decode()
        specs = re.findall(r'data-vega-spec="([^"]+)"', html)
        assert specs, page
        for url in specs:
            r = client.get(url.replace("&amp;", "&"))
            assert r.status_code == 200, url
            spec = r.json()
            errors = [e.message for e in vega_lite_schema.iter_errors(spec)]
            assert errors == [], (url, errors[:3])
            for data in _data(spec):
                if "values" in data:
                    continue
                got = client.get(data["url"], HTTP_ACCEPT_ENCODING="identity")
                assert got.status_code == 200, data["url"]
                rows = got.json()
                for part in data["format"]["property"].split("."):
                    rows = rows[part]
                assert rows, data["url"]
            seen += 1
    assert seen == 24  # with the monthly stop-search charts (volume everywhere, the ratio where residents by ethnicity are known)


def test_a_chart_of_a_missing_thing_is_a_404(client, demo_lake):
    assert client.get("/areas/X05000001/charts/nothing.vl.json").status_code == 404
    assert client.get("/areas/X01000001/charts/hotspot-map.vl.json").status_code == 404  # no hot spots for LSOAs
    assert client.get("/charts/allocation.vl.json").status_code == 404  # nothing asked
    assert client.get("/charts/allocation.vl.json?within=X09000002&officers=1&pcsos=1").status_code == 404
    assert client.get("/charts/nothing.vl.json").status_code == 404


def test_charts_say_what_they_show(client, demo_lake):
    html = client.get("/areas/X05000001/").content.decode()
    figures = re.findall(r'<figure class="ob-figure" id="([^"]+)" aria-labelledby="\1-title">', html)
    assert figures == ["crimes-by-month", "hotspot-map", "stop-search", "stop-search-monthly", "trust-series"]
    for f in figures:
        label = re.search(rf'id="{f}-picture"\s+data-vega-spec="[^"]+" data-vega-label="([^"]+)"', html)
        assert label and len(label.group(1)) > 60, f  # a sentence, not a word
        assert f'Show the {"map" if f.endswith("map") else "chart"} as a table' in html.split(f'id="{f}"')[1]


def test_the_trust_chart_has_a_short_axis_title_and_marks_each_quarter_at_its_own_month(client, demo_lake):
    spec = client.get("/areas/X05000001/charts/trust-series.vl.json").json()
    rows = client.get(spec["data"]["url"]).json()["results"]
    measure = spec["transform"][0]["filter"]["equal"]
    ends = sorted({r["quarter_end"] for r in rows if r["measure"] == measure})
    x, y = spec["encoding"]["x"], spec["encoding"]["y"]
    # the question is in the heading and the description, not along the axis (where it ran past the plot)
    assert y["title"] == "Share who agree"
    # and room beneath the axis for the legend placed by hand there, which the long title used to make
    assert spec["padding"]["bottom"] == 50 and spec["encoding"]["color"]["legend"]["legendY"] == 292
    assert spec["description"].startswith("Share of people who say ") and spec["description"].endswith("by quarter.")
    # each tick is a quarter's own last day, read in UTC as the API's dates are: never the 1st of the next month
    assert x["scale"] == {"type": "utc"} and "tickCount" not in x["axis"]
    assert [f'{v["year"]}-{v["month"]:02}-{v["date"]:02}' for v in x["axis"]["values"]] == ends
    assert all(v["utc"] for v in x["axis"]["values"]) and ends[0].endswith(("-03-31", "-06-30", "-09-30", "-12-31"))
    assert len(ends) >= 4
