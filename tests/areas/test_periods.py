"""Choose the period: presets and from/to flow into every figure, chart, CSV and API link of a page."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from openbeat.areas.periods import PeriodChoice, period_choice
from tests.web.conftest import BOROUGH, NORTH

DEMO_BOROUGH = "X09000001"  # a borough of the synthetic Northbridge lake
from tests.areas.test_pages import text


@pytest.mark.parametrize("query,first,last", [
    ({}, None, None),
    ({"period": "last-12"}, None, None),  # the default adds nothing to any link
    ({"period": "last-3"}, "2025-04", "2025-06"),
    ({"period": "last-6"}, "2025-01", "2025-06"),
    ({"period": "this-fy"}, "2025-04", "2025-06"),
    ({"period": "last-fy"}, "2024-04", "2025-03"),
    ({"period": "year-before"}, "2023-07", "2024-06"),
    ({"from": "2024-01", "to": "2024-12"}, "2024-01", "2024-12"),
    ({"from": "2024-01"}, "2024-01", "2025-06"),  # to the latest month published
    ({"to": "2024-12"}, None, "2024-12"),  # the figures' 12 months to then
])
def test_presets_count_back_from_the_latest_month_published(query, first, last):
    chosen = period_choice(query, latest="2025-06")
    assert (chosen.first, chosen.last, chosen.error) == (first, last, "")


def test_a_financial_year_starts_in_april_even_when_the_latest_month_is_before_it():
    assert period_choice({"period": "this-fy"}, latest="2025-02").params() == {"from": "2024-04", "to": "2025-02"}
    assert period_choice({"period": "last-fy"}, latest="2025-02").params() == {"from": "2023-04", "to": "2024-03"}
    assert period_choice({"period": "this-fy"}, latest="2025-04").params() == {"from": "2025-04", "to": "2025-04"}


def test_bad_periods_fall_back_to_the_default_and_say_why():
    assert period_choice({"from": "2024-13"}, latest="2025-06") == PeriodChoice(
        error="“2024-13” is not a month: write it as year and month, for example 2025-01. "
              "The last 12 months are shown instead.")
    assert period_choice({"from": "2025-03", "to": "2024-01"}, latest=None).error == (
        "The period starts (March 2025) after it ends (January 2024). The last 12 months are shown instead.")
    assert period_choice({"period": "forever"}, latest="2025-06").error.startswith("“forever” is not one of")


def _hrefs(html: str) -> list[str]:
    return [htmllib.unescape(h) for h in re.findall(r'(?:href|data-vega-spec)="([^"]+)"', html)]


def test_the_chosen_period_is_in_every_figure_link_and_heading(client, use_lake):
    r = client.get(f"/areas/{NORTH}/", {"from": "2024-02", "to": "2024-03"})
    assert r.status_code == 200
    html = r.content.decode()
    page = text(r)
    assert "Period shown: February 2024 to March 2024" in page
    assert "1 crimes were recorded here from February 2024 to March 2024" in page or \
        "1 crime was recorded here from February 2024 to March 2024" in page
    figure_links = [h for h in _hrefs(html) if h.startswith("/api/") or "/charts/" in h]
    whole = {"/api/", "/api/openapi.json", f"/api/areas/{NORTH}", f"/api/areas/{NORTH}/team"}  # no period
    # the street map's data: one month of the period (its last, as the map opens on)
    assert figure_links and all(("from=2024-02" in h and "to=2024-03" in h) or h in whole
                                or h.endswith("/crimes/points?month=2024-03") for h in figure_links), \
        [h for h in figure_links if h not in whole and "from=" not in h]
    # the chart spec's data URL carries the period too
    spec_url = next(h for h in figure_links if "/charts/crimes-by-month" in h)
    spec = client.get(spec_url).json()
    assert "from=2024-02" in spec["data"]["url"] and "to=2024-03" in spec["data"]["url"]
    # and the API answers the CSV link with the chosen months only
    csv_url = next(h for h in figure_links if "crimes/monthly.csv" in h)
    lines = client.get(csv_url).content.decode().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["2024-02", "2024-03"]


def test_the_default_period_adds_nothing_to_the_links(client, use_lake):
    html = client.get(f"/areas/{NORTH}/").content.decode()
    assert not [h for h in _hrefs(html) if "from=" in h or "to=" in h]
    assert client.get(f"/areas/{NORTH}/", {"period": "last-12"}).content.decode().count("from=") == 0


def test_a_period_past_the_forces_latest_month_shows_the_coverage_sentence(client, use_lake):
    page = text(client.get(f"/areas/{BOROUGH}/", {"from": "2024-03", "to": "2024-06"}))
    assert ("published street-level crime for Testborough up to 2024-03, so a period ending 2024-06 reaches "
            "months the lake does not hold; end it by 2024-03") in page


def test_presets_on_a_page_and_the_cache_keeps_periods_apart(client, use_lake):
    three = text(client.get(f"/areas/{NORTH}/", {"period": "last-3"}))
    assert "Period shown: January 2024 to March 2024" in three
    assert "The latest month published for North Ward is March 2024" in three
    again = text(client.get(f"/areas/{NORTH}/", {"period": "last-3", "utm": "x"}))  # undeclared: ignored
    assert again == three
    assert "Period shown: January 2024 to March 2024" not in text(client.get(f"/areas/{NORTH}/"))


def test_a_tool_takes_the_period_into_its_answer_chart_and_links(client, demo_lake):
    from openbeat.areas import area_figures, lookup
    from openbeat.web.templatetags.openbeat_tags import period as words

    area = lookup.area_get(code=DEMO_BOROUGH)
    latest = area_figures.area_latest_month(area=area)
    chosen = period_choice({"period": "last-3"}, latest=latest)
    r = client.get("/compare/", {"level": "ward", "within": DEMO_BOROUGH, "period": "last-3"})
    assert r.status_code == 200
    html = r.content.decode()
    assert f"Funnel plot, {words({'from': chosen.first, 'to': chosen.last})}" in text(r)
    assert 'name="from"' in html and '<option value="last-3" selected>' in html
    links = [h for h in _hrefs(html) if h.startswith("/api/compare") or h.startswith("/charts/")]
    assert links and all(f"from={chosen.first}" in h and f"to={chosen.last}" in h for h in links), links
    spec = client.get(next(h for h in links if h.startswith("/charts/"))).json()
    assert all(f"from={chosen.first}" in u for u in json_urls(spec))
    assert client.get("/compare/", {"level": "ward", "from": "2024-13"}).status_code == 400


def json_urls(spec: dict) -> list[str]:
    """Every data URL a Vega-Lite spec fetches."""
    found = []

    def walk(x):
        if isinstance(x, dict):
            if isinstance(x.get("url"), str):
                found.append(x["url"])
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(spec)
    return found
