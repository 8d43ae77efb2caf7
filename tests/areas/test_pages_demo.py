"""Pages over the synthetic Northbridge lake: every figure shown is the analytics library's, in words.

The pages must say what the library says (its E-test and Wheeler wording, its intervals,
"not recorded" where a rate is not recorded), name their sources and periods, and link to
the same data as CSV and JSON. Each check computes the figure independently (a store of
its own) and looks for it in the page.
"""

from __future__ import annotations

import html as htmllib
import re

import pytest

from openbeat.analytics import wording
from tests.areas.test_pages import text

WARD = "X05000001"  # Brackenfield South
LARKRISE = "X05000022"  # the burglary priority that worked (adopted 2025-04 in this small city)
BOROUGH = "X09000001"
FORCE = "northbridge"


@pytest.fixture(scope="module")
def reference(northbridge):
    from openbeat.analytics.store import Store

    return Store(northbridge)


def page_text(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return htmllib.unescape(text(r))


def test_ward_page_says_what_the_analytics_say(client, demo_lake, reference):
    from openbeat.analytics.profiles import area_profile
    from openbeat.analytics.stopsearch import stop_search
    from openbeat.analytics.trust import trust

    page = page_text(client, f"/areas/{WARD}/")
    p = area_profile(reference, WARD).summary
    assert (f"{p['crimes']:,} crimes were recorded here from January 2025 to December 2025: "
            f"{p['crimes_per_1000']:,.1f} for every 1,000 residents a year.") in page
    change = wording.crime_change(p["change"])  # plain words first, the E-test and Wheeler one click down
    assert change.lead.startswith("About the same as the same months a year earlier: ")
    assert change.lead in page and f"How we know {change.how}" in page
    assert f"add up to {round(p['harm_days']):,} days of imprisonment" in page
    s = stop_search(reference, WARD).summary
    ratio = wording.disproportionality(s["black_white_ratio"], area_name="Brackenfield South", level="ward",
                                       borough=s["borough_black_white_ratio"])
    assert ratio.lead.startswith("We can't compare search rates between ethnic groups for one ward")
    assert ratio.lead in page and ratio.how in page and "No Black/White ratio" not in page
    assert s["find_rate"]["summary"] in page and s["arrest_rate"]["summary"] in page
    t = trust(reference, WARD).summary
    said = wording.trust(t["level"], area_name="Northbridge Central", force="Northbridge Police (synthetic demo)",
                         survey=wording.survey_name("northbridge"))
    assert said.lead in page and said.how in page
    shown = page.split("About these figures")[0]  # the method notes below keep the survey's own terms
    assert "MPS-wide" not in shown and "Trust MPS" not in shown and "1 points" not in shown
    assert "There is no survey of this ward on its own, so the borough’s figure applies" in page
    # the demo's team is dated around the day it was built: meetings to come, one just held, a priority
    assert "No upcoming events have been published" not in page and "Recent meetings and events" in page
    assert "The team has not published any priorities" not in page and "Where to find them" in page
    for heading in ("Your neighbourhood policing team", "Recorded crime, month by month", "Hot spots, January 2025",
                    "Searches by ethnic group", "People who say Northbridge Police (synthetic demo) is an organisation they can trust, quarter by quarter", "About these figures"):
        assert heading in page, heading


def test_every_page_names_sources_periods_and_licence(client, demo_lake):
    for url in (f"/areas/{WARD}/", f"/areas/{BOROUGH}/", f"/areas/{FORCE}/", "/compare/",
                "/highest-crime-lowest-trust/", f"/scorecard/{BOROUGH}/",
                "/allocation/?within=X09000002&officers=60&pcsos=30",
                f"/did-it-work/?ward={LARKRISE}&start=2025-04&crime_type=Burglary"):
        page = page_text(client, url)
        about = page.split("About these figures")[1]
        assert "Periods" in about and "Sources" in about, url
        assert "police.uk street-level crime, northbridge, 2023-10 to 2025-12 (27 files)" in about, url
        assert ("Licence Contains public sector information licensed under the Open Government Licence v3.0. "
                "Read the licence") in about, url
    ward = page_text(client, f"/areas/{WARD}/").split("About these figures")[1]
    assert "Crime in Brackenfield South: January 2025 to December 2025" in ward
    assert "Crime in Brackenfield South: October 2023 to December 2025" in ward  # the trend
    assert "MOPAC Public Attitude Survey (London Datastore): PAS_Total.csv, PAS_buroughs.csv" in ward


def test_every_data_link_answers(client, demo_lake):
    for url in (f"/areas/{WARD}/", f"/areas/{BOROUGH}/", f"/areas/{FORCE}/", "/areas/X01000001/", "/compare/",
                "/highest-crime-lowest-trust/", "/allocation/?within=X09000002&officers=60&pcsos=30",
                f"/did-it-work/?ward={LARKRISE}&start=2025-04&crime_type=Burglary", f"/scorecard/{FORCE}/"):
        html = client.get(url).content.decode()
        hrefs = {htmllib.unescape(h) for h in re.findall(r'href="(/api/[^"]+)"', html)}
        kinds = set()
        for href in hrefs:
            r = client.get(href)
            assert r.status_code == 200, (url, href)
            kinds.add(r["Content-Type"].split(";")[0])
        assert {"text/csv", "application/json"} <= kinds, url


def test_borough_page_compares_its_wards_fairly(client, demo_lake, reference):
    from openbeat.analytics.comparison import compare_areas
    from openbeat.analytics.hotspots import hotspots

    r = client.get(f"/areas/{BOROUGH}/")
    table = r.content.decode().split('id="compared-table"')[1].split("</table>")[0]
    rows = re.findall(r'href="/areas/(\w+)/">[^<]+</a></th><td[^>]*>([\d,]+)</td><td[^>]*>([\d,.]+)</td>'
                      r'<td[^>]*>([^<]+)</td>', table)
    expected = compare_areas(reference, "ward", BOROUGH).tables["areas"]
    assert rows == [(e["code"], f"{e['count']:,}", f"{e['rate_per_1000']:,.1f}", e["classification"])
                    for e in expected]
    s = hotspots(reference, BOROUGH).summary
    assert wording.hotspots(s).lead in text(r)
    assert f"The busiest 5% of the area holds {s['share_of_crime_in_top_5pct_of_cells']:.0%} of its crime." in text(r)


def test_force_page(client, demo_lake, reference):
    from openbeat.analytics.stopsearch import stop_search

    page = page_text(client, f"/areas/{FORCE}/")
    assert "Police force" in page and "Boroughs compared fairly" in page
    ratio = stop_search(reference, FORCE).summary["black_white_ratio"]
    assert wording.disproportionality(ratio, area_name="Northbridge Police (synthetic demo)", level="force").lead in page
    assert "Progress scorecard for Northbridge Police (synthetic demo)" in page


def test_a_demo_postcode_finds_its_neighbourhood(client, demo_lake, northbridge):
    import csv

    with open(northbridge.root.parent / "out" / "postcodes" / "postcodes.csv") as fh:
        row = next(csv.DictReader(fh))
    r = client.get("/find/", {"q": row["pcds"]})
    assert r["Location"] == f"/areas/{row['osward']}/"


def test_borrowed_ward_trust_is_said_where_it_is_drawn(client, demo_lake, reference):
    """No ward has its own survey in the demo: every ward shows its borough's PAS figure, and the
    quadrant and the allocation planner say that trust does not separate wards within a borough."""
    from openbeat.analytics.allocation import allocation_plan
    from openbeat.analytics.targeting import targeting

    t = targeting(reference, "ward")
    assert t.summary["borrowed_trust"] == t.summary["areas"] and t.summary["trust_separates_wards"] is False
    page = page_text(client, "/highest-crime-lowest-trust/")
    assert "Trust does not separate wards within a borough" in page
    assert "the wards of a borough sit on one horizontal line" in page
    plans = [allocation_plan(reference, "X09000002", 60, 30, trust_weight=w) for w in (1.0, 3.0)]
    assert all(p.summary["trust_separates_wards"] is False for p in plans)
    page = page_text(client, "/allocation/?within=X09000002&officers=60&pcsos=30&trust_weight=3")
    assert "never between the wards of one borough" in page


@pytest.mark.parametrize("code", [WARD, "X09000001", "northbridge"])
def test_vawg_section_shows_the_analytics_figures(client, demo_lake, reference, code):
    from openbeat.analytics import wording
    from openbeat.analytics.vawg import CAVEAT, vawg

    r = vawg(reference, code)
    body = client.get(f"/areas/{code}/").content.decode()
    section = body[body.index('<section class="ob-section" id="vawg"'):]
    section = section[:section.index("</section>")]
    words = htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)))
    assert "Violence against women and girls" in words and CAVEAT in words
    said = wording.crime_change(r.summary["change"], what="offences")  # plain words first, the test one click down
    assert said.lead in words and said.how in words
    for row in r.tables["by_offence"]:
        assert f"{row['offence']} {row['count']:,}" in words
    for row in r.tables["by_month"]:
        assert f"{row['month']}" in words
    assert f"/api/areas/{code}/vawg?table=by_month&amp;format=csv" in section


def test_vawg_peers_of_a_ward_without_female_population(client, demo_lake):
    """Stanegate Park has no estimate of female residents: its own rates are per resident, but its
    peers' table is per female resident, says so in its caption, and lists the ward without a rate."""
    body = client.get("/areas/X05000009/").content.decode()
    section = body[body.index('<section class="ob-section" id="vawg"'):]
    section = section[:section.index("</section>")]
    words = htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)))
    assert "Rates are per 1,000 residents per year." in words
    assert "Compared with its peers: all three offences per 1,000 female residents a year, with 95% limits" in words
    assert "Stanegate Park (this area) 71 – – – no rate: female population not loaded" in words
    assert "Peers: 12 of the 14 wards of Northbridge Central are compared" in words
    assert "census2021_ts007a" not in words


@pytest.mark.parametrize(("code", "level", "map_rows", "peers"), [
    (WARD, "Ward", None, "Ward"), ("X09000001", "Borough", "Ward", "Borough"),
    ("northbridge", "Police force", "Borough", None)])
def test_tables_and_data_links_name_areas_in_plain_words(client, demo_lake, code, level, map_rows, peers):
    body = client.get(f"/areas/{code}/").content.decode()
    assert "ListedArea" not in body  # a class name of the code, never a reader's word
    assert f">{level}, JSON</a>" in body
    if map_rows:
        crime_map = body[body.index('id="crime-map"'):]
        assert re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', crime_map)[:3] == [map_rows, "Code", "Crimes"]
    if peers:
        vawg = body[body.index('id="vawg"'):]
        assert re.search(rf'<th scope="col"[^>]*>{peers}</th>\s*<th scope="col"[^>]*>Recorded</th>', vawg)
