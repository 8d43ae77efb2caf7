"""The planning tools' pages over the synthetic Northbridge lake: compare, highest crime and
lowest trust, allocation, did it work and the scorecard say what the analytics library says.

Each check computes the figure independently, on a store of its own.
"""

from __future__ import annotations

import html as htmllib
import re

from openbeat.analytics import wording
from tests.areas.test_pages import text
# the Northbridge codes, the page reader and the independent store the area pages' tests use
from tests.areas.test_pages_demo import BOROUGH, LARKRISE, WARD, page_text, reference  # noqa: F401


def test_priorities_link_to_did_it_work_and_it_answers(client, demo_lake, reference):
    from openbeat.analytics.did_it_work import did_it_work

    html = client.get(f"/areas/{LARKRISE}/").content.decode()
    # the priority's own crime type and month, not all crime
    link = f"/did-it-work/?ward={LARKRISE}&amp;start=2025-04&amp;crime_type=Burglary"
    assert link in html and "Did it work? Burglary here before and after April 2025" in html
    page = page_text(client, htmllib.unescape(link))
    s = did_it_work(reference, LARKRISE, "2025-04", "Burglary").summary
    assert s["verdict"].startswith("Burglary in Larkrise fell by more than chance alone would explain")
    assert s["verdict"] in page and s["wdd"]["summary"] in page and s["before_after_ratio"]["summary"] in page
    assert f"Standard error {s['wdd']['se']:,.1f}." in page


def test_compare_targeting_allocation_and_scorecard_pages(client, demo_lake, reference):
    from openbeat.analytics.allocation import allocation_plan
    from openbeat.analytics.comparison import compare_areas
    from openbeat.analytics.targeting import targeting

    c = compare_areas(reference, "ward").summary
    assert wording.compare(c, period_words="January 2025 to December 2025").lead in page_text(client, "/compare/")
    page = page_text(client, "/compare/?level=borough&crime_type=Burglary")
    assert "Burglary by borough" in page
    t = targeting(reference, "ward")
    said = wording.targeting(t.summary, top=[r["name"] for r in t.tables["areas"][:3]])
    assert said.lead.startswith("No ward stands out as both higher in crime and lower in trust")
    assert said.lead in page_text(client, "/highest-crime-lowest-trust/")
    html = client.get("/allocation/?within=X09000002&officers=60&pcsos=30").content.decode()
    plan = allocation_plan(reference, "X09000002", 60, 30).tables["wards"]
    got = dict(re.findall(r'href="/areas/(\w+)/">[^<]+</a></th>(?:<td[^>]*>[^<]*</td>){2}<td[^>]*>(\d+)</td>',
                          html.split('id="allocation-map"')[1]))
    assert got == {r["ward_code"]: str(r["officers"]) for r in plan}
    assert sum(int(v) for v in got.values()) == 60
    page = page_text(client, f"/scorecard/{BOROUGH}/")
    assert "Progress scorecard" in page and "See engagement" in page  # the engagement slot
    assert 'data-ob-fragment="/scorecard/' in client.get(f"/scorecard/{BOROUGH}/").content.decode()  # uncached


def test_the_allocation_form_starts_empty_and_explains_mistakes(client, demo_lake):
    r = client.get("/allocation/")
    assert r.status_code == 200 and "There is a problem" not in text(r) and "data-vega-spec" not in r.content.decode()
    r = client.get("/allocation/?within=X09000002&officers=lots&pcsos=-1")
    assert r.status_code == 400
    page = text(r)
    assert "There is a problem Enter a whole number. Ensure this value is greater than or equal to 0." in page
    assert 'href="#id_officers"' in r.content.decode()
    r = client.get("/allocation/?within=X09000002&officers=3&pcsos=30")
    assert r.status_code == 400
    assert "3 officers cannot give each of the" in text(r)
    r = client.get("/allocation/?within=nowhere&officers=30&pcsos=30")
    assert r.status_code == 400 and "Select a valid choice." in text(r)
    r = client.get(f"/did-it-work/?ward={WARD}&start=25-01")
    assert r.status_code == 400 and "Enter the month as year and month, for example 2025-01" in text(r)


def test_scorecard_counts_a_ward_only_on_a_clear_shift(client, demo_lake):
    """Ashby passes the E-test alone (p = 0.044, Wheeler's z = -2.86): shown as such, not counted as down."""
    page = page_text(client, "/scorecard/northbridge/?from=2025-01&to=2025-12")
    assert ("crime went down clearly in 1 ward, up clearly in 5, and showed no change that chance could not explain "
            "in 63. In 1 more the change passed its own test (p below 0.05) but is not counted: with this many wards "
            "tested, about 3.5 would pass by chance alone, so a ward counts only when Wheeler's z is beyond ±3 too."
            ) in page
    assert ("Ashby 80% (76% to 84%) borough’s figure −5 points 46.7 1,250 Down on its own test, but not a clear shift "
            "among many areas (Wheeler's z = -2.86) (p = 0.04)") in page
    assert "Larkrise" in page and "Down: a clear shift" in page
    assert "beyond chance" not in page.split("How to read")[0]


def test_the_plan_officers_link_on_an_area_page_opens_the_form_filled_in(client, demo_lake):
    for code in (BOROUGH, "northbridge"):
        html = client.get(f"/areas/{code}/").content.decode()
        link = htmllib.unescape(re.search(r'href="(/allocation/[^"]*)">Plan where officers go in', html).group(1))
        assert link == f"/allocation/?within={code}"
        r = client.get(link)
        page = r.content.decode()
        # the form for that area, not yet sent: no errors, no plan, the area chosen
        assert r.status_code == 200 and "There is a problem" not in text(r) and "data-vega-spec" not in page
        assert re.search(rf'<option value="{code}"[^>]*selected', page)
    # sending it with the numbers still plans, and leaving them out still says so
    r = client.get(f"/allocation/?within={BOROUGH}&officers=&pcsos=&trust_weight=0")
    assert r.status_code == 400 and "There is a problem This field is required. This field is required." in text(r)
    assert client.get(f"/allocation/?within={BOROUGH}&officers=60&pcsos=30").status_code == 200
    r = client.get(f"/did-it-work/?ward={WARD}")
    assert r.status_code == 200 and "There is a problem" not in text(r)
    assert re.search(rf'<option value="{WARD}"[^>]*selected', r.content.decode())


def test_the_scorecard_shows_each_ward_pages_find_and_arrest_rates(client, demo_lake):
    html = client.get(f"/scorecard/{BOROUGH}/").content.decode()
    table = html.split('id="scorecard-wards"')[1].split("</table>")[0]
    rows = re.findall(r'<tr class="govuk-table__row">\s*<th[^>]*><a class="govuk-link" href="/areas/(\w+)/">.*?</tr>',
                      table, flags=re.S)
    assert len(rows) == 14
    shown = 0
    for code in rows:
        row = re.search(rf'href="/areas/{code}/">.*?</tr>', table, flags=re.S).group(0)
        cells = [re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        find_cell, arrest_cell = " ".join(cells[6]), " ".join(cells[7])
        ward = page_text(client, f"/areas/{code}/")
        assert "-0.0%" not in ward  # an interval's lower end at 0 is 0 (wilson_interval), never a hair below
        find = re.search(r"([\d.]+%) of searches whose outcome was linked to the object of the search "
                         r"\(95% interval ([\d.]+%) to ([\d.]+%)\)", ward)
        arrest = re.search(r"([\d.]+%) of searches ending in arrest \(95% interval ([\d.]+%) to ([\d.]+%)\)", ward)
        assert find_cell == (f"{find[1]} ({find[2]} to {find[3]})" if find else "–")
        assert arrest_cell == (f"{arrest[1]} ({arrest[2]} to {arrest[3]})" if arrest else "–")
        shown += bool(find and arrest)
    assert shown >= 10  # most wards of the demo borough have searches to show


def test_a_percentage_a_hair_below_zero_shows_as_zero():
    from openbeat.web.templatetags.openbeat_tags import pct

    assert [pct(-1e-17, 1), pct(-1e-17), pct(-0.0004), pct(-0.02, 1), pct(0.356), pct(0.356, 1)] == [
        "0.0%", "0%", "0%", "-2.0%", "36%", "35.6%"]


def test_every_see_engagement_link_lands_on_the_page_without_javascript(client, demo_lake, db):
    html = client.get(f"/scorecard/{BOROUGH}/").content.decode()
    targets = re.findall(r'href="#(engagement-\w+)"', html)
    assert len(targets) == 15  # the borough and its 14 wards
    placeholder = html.split('<section class="ob-section" id="engagement"')[1].split("data-ob-fragment=")[1]
    placeholder = placeholder.split("</section>")[0]
    engagement = f"/scorecard/{BOROUGH}/engagement/?from=2025-01&amp;to=2025-12"
    for target in targets:
        # the page itself has each target (in the placeholder the fragment replaces, so never twice)...
        assert html.count(f'id="{target}"') == 1 and f'id="{target}"' in placeholder
        # ...which links to that row of the engagement page, and the fetched fragment has the same row
        assert f'<li id="{target}"><a class="govuk-link" href="{engagement}#{target}">Engagement in ' in placeholder
    fragment = client.get(htmllib.unescape(engagement)).content.decode()
    assert sorted(set(re.findall(r'id="(engagement-X\w+)"', fragment))) == sorted(targets)
