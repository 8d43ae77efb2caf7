"""Stop and search over time on area pages: monthly volume and ratio, by law, by age and gender."""

from __future__ import annotations

import pytest

from tests.areas.test_pages import text
from tests.areas.test_periods import json_urls

BOROUGH = "X09000001"  # of the synthetic Northbridge lake
WARD = "X05000022"  # Larkrise


@pytest.fixture
def reference(northbridge):
    from openbeat.analytics.store import Store

    return Store(northbridge)


def test_a_borough_shows_searches_and_the_ratio_month_by_month(client, demo_lake, reference):
    from openbeat.analytics.stopsearch import stop_search

    r = stop_search(reference, BOROUGH)
    html = client.get(f"/areas/{BOROUGH}/").content.decode()
    section = html.split('id="stop-search-over-time"')[1]
    page = text(client.get(f"/areas/{BOROUGH}/"))
    when = f"{_words(r.period['from'])} to {_words(r.period['to'])}"
    assert f"Searches month by month, {when}" in page and f"Black/White ratio month by month, {when}" in page
    total = sum(m["searches"] or 0 for m in r.tables["monthly"])
    assert f"{total:,} in all" in page
    assert f"Searches by the law used, {when}" in page
    for row in r.tables["by_legislation"]:
        assert f">{row['legislation']}</th>" in section
    assert sum(x["searches"] for x in r.tables["by_gender"]) == r.summary["searches"] == sum(
        x["searches"] for x in r.tables["by_age_range"])
    for name in ("stop-search-monthly", "stop-search-ratio-monthly"):
        spec = client.get(f"/areas/{BOROUGH}/charts/{name}.vl.json").json()
        rows = client.get(json_urls(spec)[0]).json()["results"]
        assert [x["searches"] for x in rows] == [m["searches"] for m in r.tables["monthly"]]


def test_a_ward_shows_its_months_and_says_why_there_is_no_monthly_ratio(client, demo_lake, reference):
    from openbeat.analytics.stopsearch import stop_search

    r = stop_search(reference, WARD)
    page = text(client.get(f"/areas/{WARD}/"))
    assert "Searches month by month" in page and "Black/White ratio month by month" not in page
    assert "the Census gives residents by ethnic group for boroughs, not wards" in page
    assert [x["gender"] for x in r.tables["by_gender"]][0] in page


def test_the_period_flows_into_the_stop_search_tables(client, demo_lake, reference):
    from openbeat.areas import area_figures, lookup
    from openbeat.areas.periods import period_choice

    latest = area_figures.area_latest_month(area=lookup.area_get(code=BOROUGH))
    chosen = period_choice({"period": "last-3"}, latest=latest)
    html = client.get(f"/areas/{BOROUGH}/", {"period": "last-3"}).content.decode()
    section = html.split('id="stop-search-over-time"')[1].split('id="more-trust"')[0]
    assert section.count(f"from={chosen.first}&amp;to={chosen.last}") >= 6  # 2 charts, 2 x 2 links, 3 CSVs
    assert "to=" not in section.replace(f"to={chosen.last}", "")


def _words(month: str) -> str:
    from openbeat.web.templatetags.openbeat_tags import month as words

    return words(month)
