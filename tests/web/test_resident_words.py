"""No resident meets a shell command, and searches and area pages lead somewhere useful.

Every page type a resident can reach (found by following the links of the home page, the
area pages and the tools over the demo lake, one page per URL name), and the API's error
messages, are checked for an ``openbeat …`` command: what an administrator must load goes
to the log and the About page (openbeat/web/resident.py), never to a resident's screen.
"""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.urls import Resolver404, resolve

from openbeat.web.resident import SHELL, for_residents, has_shell_command
from tests.areas.test_pages import text

#: Pages for the people who run the site, where the commands belong.
FOR_ADMINISTRATORS = {"about", "accounts_demo"}
SEEDS = ["/", "/areas/", "/tools/", "/areas/northbridge/", "/areas/X09000001/", "/areas/X05000001/",
         "/areas/X01000001/", "/find/?q=Northbridge", "/find/?q=ZZ1 1ZZ", "/find/?q=nowhere-at-all",
         "/compare/", "/highest-crime-lowest-trust/", "/allocation/?within=X09000002&officers=60&pcsos=30",
         "/did-it-work/?ward=X05000022&start=2025-04&crime_type=Burglary", "/scorecard/X09000001/"]


def _page_types(client) -> dict[str, str]:
    """One URL per URL name, from the seeds and every same-site link on them."""
    seen: dict[str, str] = {}
    queue = list(SEEDS)
    for url in SEEDS:
        html = client.get(url).content.decode()
        queue += [htmllib.unescape(h) for h in re.findall(r'href="(/[^"#]*)"', html)]
    for url in queue:
        path = url.split("?")[0]
        if path.startswith(("/api/", "/static/", "/admin/")) or path.endswith((".json", ".csv")):
            continue
        try:
            name = resolve(path).url_name
        except Resolver404:
            continue
        key = name if "?" not in url or name != "find" else url  # every search in the seeds
        seen.setdefault(key, url)
    return seen


@pytest.mark.django_db
def test_no_resident_facing_page_shows_a_shell_command(client, demo_lake):
    pages = _page_types(client)
    assert {"detail", "/find/?q=ZZ1 1ZZ", "index", "compare", "scorecard", "home"} <= set(pages), sorted(pages)
    for name, url in pages.items():
        if name in FOR_ADMINISTRATORS:
            continue
        r = client.get(url)
        if r.status_code in (301, 302):
            continue
        found = SHELL.search(htmllib.unescape(text(r)))
        assert found is None, (url, found and found.group(0))


@pytest.mark.django_db
def test_pages_and_api_errors_over_a_lake_missing_data_show_no_shell_command(client, use_lake):
    # Testborough has no trust survey, no stop and search, no teams: the library's messages say what to run
    for url in ("/areas/X09000001/", "/areas/X05000001/", "/areas/X01000001/", "/highest-crime-lowest-trust/",
                "/scorecard/X09000001/", "/allocation/?within=X09000001&officers=6&pcsos=3"):
        page = htmllib.unescape(text(client.get(url)))
        assert not has_shell_command(page), (url, SHELL.search(page).group(0))
    for url in ("/api/areas/X09000001/trust", "/api/areas/X05000001/team", "/api/areas/X09000001/hotspots?crime_type=Nope",
                "/api/targeting?level=ward", "/api/scorecard/X09000001"):
        body = client.get(url).content.decode()
        assert not has_shell_command(body), (url, body)


def test_the_admin_part_goes_to_the_log_and_the_resident_is_told_what_to_do(caplog):
    msg = ("postcode ZZ1 1ZZ is not in the loaded postcode directory; load an ONS Postcode Directory with "
           "'openbeat reference load ONSPD.csv' or use --online for postcodes.io")
    said = for_residents(msg, next_step="Check the postcode, or search for your neighbourhood by name.")
    assert said == ("Postcode ZZ1 1ZZ is not in the loaded postcode directory. Check the postcode, or search for "
                    "your neighbourhood by name.")
    assert msg in caplog.text
    assert for_residents("no boroughs are loaded for Foo: run `openbeat reference load` first") == (
        "No boroughs are loaded for Foo. This site has not loaded the data this needs yet; its About page says "
        "what is loaded.")
    assert for_residents("No area has the code 'X'.") == "No area has the code 'X'."


def test_search_puts_neighbourhoods_first_and_statistical_areas_last_with_a_count_and_more(client, demo_lake):
    from openbeat.areas.search import area_search

    r = client.get("/find/", {"q": "Northbridge Docks"})
    html = r.content.decode()
    page = text(r)
    matches, total = area_search(query="Northbridge Docks", limit=1000)
    assert total == len(matches) > 20
    levels = [a.level for a in matches]
    assert levels == sorted(levels, key=["ward", "borough", "force", "msoa21", "lsoa21", "lsoa11"].index)
    assert f"{total:,} areas match; the first 20 are shown." in page
    groups = re.findall(r'<h2 class="govuk-heading-s[^"]*">([^<]+)</h2>', html.split('id="matched-areas"')[1])
    assert groups == ["Boroughs", "Statistical areas (used for Census figures)"]
    more = htmllib.unescape(re.search(r'id="show-more" href="([^"]+)"', html).group(1))
    assert more == "/find/?q=Northbridge+Docks&show=60"
    assert f"{total:,} areas match; the first 60 are shown." in text(client.get(more))


def test_a_police_uk_neighbourhood_name_finds_its_ward(client, use_lake):
    # Testborough's team "North Team" covers North Ward
    r = client.get("/find/", {"q": "North Team"})
    assert r["Location"] == "/areas/X05000001/"


@pytest.mark.django_db
def test_the_about_page_says_what_it_publishes_about_people_and_no_more(client, use_lake):
    """It once said "Nothing published here is about an identifiable person", beside officers'
    names and residents' chosen names: now each thing published about people is named."""
    page = client.get("/about/").content.decode()
    listed = re.search(r'<ul class="govuk-list govuk-list--bullet" id="privacy-published">(.*?)</ul>', page, re.S)
    items = [re.sub(r"\s+", " ", li).strip() for li in re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)]
    assert "identifiable person" not in page
    assert [i[:40] for i in items] == [
        "Crimes and stop and search are police.uk",
        "Neighbourhood officers are named with th",
        "Priorities and comments you write are sh",
        "Answers to the trust and event feedback ",
        "Signed in, you can download everything t",
    ]
    assert "Your email address is never shown on the site" in items[2]
    assert "published without a name" in items[2]  # an event's feedback comments (events/_summary.html)
