"""Pages over the Testborough lake and over an empty one: content, plain messages, demo banner."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import BOROUGH, NORTH, SOUTH


def text(response) -> str:
    """The page's visible text, whitespace collapsed (rough, but enough to assert on)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_home_has_the_search_form_and_location_button(client, use_lake):
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<form action="/find/" method="get"' in html
    assert 'data-use-location' in html and " hidden>Use my location</button>" in html  # shown by JS only
    assert "/static/openbeat/js/locate.js" in html
    page = text(r)
    assert "Policing where you live" in page
    assert "Enter a postcode, like TE1 1ST, or the name of a ward or borough." in page  # one that is loaded
    assert re.findall(r'id="home-areas">(.*?)</ul>', html, re.S)[0].count("<li>") == 2  # the force, the borough


def test_home_on_an_empty_lake_says_nothing_is_loaded(client, empty_lake):
    page = text(client.get("/"))
    assert "No areas have been loaded into this site yet" in page and "like N13 4PN" in page


def test_a_postcode_goes_straight_to_its_ward(client, use_lake):
    r = client.get("/find/", {"q": "TE1 1ST"})
    assert (r.status_code, r["Location"]) == (302, f"/areas/{NORTH}/")
    r = client.get("/find/", {"q": "te11st"})
    assert r["Location"] == f"/areas/{NORTH}/"


def test_a_point_or_a_unique_name_goes_straight_there_and_several_names_are_listed(client, use_lake):
    from openbeat.geo.crs import to_wgs84

    lon, lat = to_wgs84([531_500], [181_500])  # inside South Ward
    assert client.get("/find/", {"q": f"{lat[0]:.5f},{lon[0]:.5f}"})["Location"] == f"/areas/{SOUTH}/"
    assert client.get("/find/", {"q": "531500,181500"})["Location"] == f"/areas/{SOUTH}/"
    assert client.get("/find/", {"q": "north"})["Location"] == f"/areas/{NORTH}/"
    r = client.get("/find/", {"q": "ward"})
    assert r.status_code == 200 and "2 areas match. Your neighbourhood (ward) is usually the one you want." in text(r)
    assert re.findall(r'href="/areas/(\w+)/">', r.content.decode().split('id="matched-areas"')[1])[:2] == [NORTH, SOUTH]


def test_police_uk_neighbourhood_ids_lead_to_their_ward(client, use_lake):
    assert client.get("/neighbourhoods/testforce/N1/")["Location"] == f"/areas/{NORTH}/"
    assert client.get("/neighbourhoods/testforce/N9/").status_code == 404


def test_find_says_plainly_when_nothing_matches(client, use_lake):
    assert "No area is called “Atlantis”." in text(client.get("/find/", {"q": "Atlantis"}))
    page = text(client.get("/find/", {"q": "ZZ9 9ZZ"}))
    assert "Postcode ZZ9 9ZZ is not in the loaded postcode directory" in page
    assert "There is a problem Enter a postcode or a place name." in text(client.get("/find/", {"q": "  "}))
    from openbeat.geo.crs import to_wgs84

    lon, lat = to_wgs84([600_000], [300_000])  # far outside Testborough
    assert "That place is outside the areas this site has data for." in text(
        client.get("/find/", {"q": f"{lat[0]:.5f},{lon[0]:.5f}"}))


def test_ward_page_has_the_three_questions_with_plain_messages_for_what_is_missing(client, use_lake):
    r = client.get(f"/areas/{NORTH}/")
    assert r.status_code == 200
    html, page = r.content.decode(), text(r)
    for heading in ("Less crime", "High standards", "More trust"):
        assert f'id="{heading.lower().replace(" ", "-")}-heading">{heading}</h2>' in html
    assert "Neighbourhood in Testborough" in page  # a ward with a team is someone's neighbourhood
    # the latest 12 months hold the lake's three: 4 crimes, 2 incidents of anti-social behaviour
    assert ("4 crimes were recorded here from April 2023 to March 2024. Anti-social behaviour is counted apart: "
            "2 incidents.") in page
    assert ("No change is given: no month of 2023-04 to 2024-03 and the same month a year earlier (2022-04 to "
            "2023-03) were both "
            "published by every force whose crimes are counted here (Test Police did not publish 2022-04 to "
            "2023-12).") in page
    assert "No stop and search data has been loaded yet." in page
    assert "No trust and confidence survey (the Public Attitude Survey) has been loaded yet." in page
    # the trend's table: every month of the lake, none with a year before it
    assert ("January 2024 3 2 – Not comparable Not comparable February 2024 1 0 – Not comparable Not comparable "
            "March 2024 0 0 – Not comparable Not comparable") in page
    # crimes by type: burglary's harm is its count times the Cambridge index weight
    from openbeat.analytics.harm import default_table

    assert f"Burglary 4 – {4 * default_table()['Burglary']:,.0f}" in page
    assert f'data-vega-spec="/areas/{NORTH}/charts/crimes-by-month.vl.json"' in html
    assert f'data-vega-spec="/areas/{NORTH}/charts/hotspot-map.vl.json"' in html
    assert f'href="/api/areas/{NORTH}/crimes/monthly.csv?limit=1000">CSV' in html


def test_ward_page_shows_its_neighbourhood_team_as_text(client, use_lake):
    r = client.get(f"/areas/{NORTH}/")
    html = r.content.decode()
    team = text(r).split("Your neighbourhood policing team")[2].split("Local priorities")[0]
    assert team.strip() == (
        "North Team: The north of Testborough. How to contact the team In an emergency, call 999. To report a crime "
        "that is not an emergency, call 101 or report it online. Email north@police.example Telephone 101 Force "
        "website The team’s page on the force’s website Social media X (Twitter) Where to find them Test Police "
        "Office 1 Test Street, Testborough, TE1 1ST Opening times: Monday to Friday, 9am to 5pm Officers Sam "
        "Sergeant , Sergeant Email Sam Sergeant · X (Twitter) of Sam Sergeant Pat Constable , PCSO "
        "Priorities Speeding &lt;script&gt;alert(1)&lt;/script&gt; (set 1 March 2024) No action published yet, so "
        "there is nothing to evaluate. "
        "Burglary on Test Street (set 1 February 2024) Action (5 March 2024): Patrols every evening "
        "Did it work? Burglary here before and after February 2024 "
        "Upcoming events and meetings Ward panel Monday 1 June 2099, 6:30 p.m., Test Hall "
        "Recent meetings and events Old meeting Wednesday 1 January 2020 All events and meetings in North Ward "
        "Other useful pages Testborough Council "
        "Source: police.uk neighbourhood data; officers’ photos are shown only where the force publishes one.")
    assert "javascript:" not in html  # only http(s), mailto and tel links from police.uk's text
    assert "<script>alert(1)" not in html  # text from outside is escaped
    assert "<b>north</b>" not in html  # police.uk's HTML description is never used
    # the priority's own crime type and month; no link where no action was published
    assert f'href="/did-it-work/?ward={NORTH}&amp;start=2024-02&amp;crime_type=Burglary"' in html
    assert "start=2024-03" not in html
    assert 'href="/api/areas/X05000001/team">Neighbourhood team, JSON</a>' in html
    assert "Your neighbourhood policing team" not in text(client.get(f"/areas/{SOUTH}/"))
    # residents' priorities change without the lake: fetched as a fragment, never kept with the page
    assert (f'<div data-ob-fragment="/wards/{NORTH}/priorities/panel/">' in html
            and f'href="/wards/{NORTH}/priorities/">What residents asked' in html)


def test_borough_and_force_pages(client, use_lake):
    html = client.get(f"/areas/{BOROUGH}/").content.decode()
    crumbs = re.findall(r'breadcrumbs__link" href="([^"]+)">([^<]+)<', html)
    assert crumbs == [("/areas/", "All areas"), ("/areas/testforce/", "Test Police")]
    within = html.split('id="areas-within"')[1]
    assert re.findall(r'href="/areas/(\w+)/">([^<]+)<', within) == [(NORTH, "North Ward"), (SOUTH, "South Ward")]
    assert f'data-vega-spec="/areas/{BOROUGH}/charts/crime-map.vl.json"' in html
    assert f'href="/scorecard/{BOROUGH}/"' in html
    force = client.get("/areas/testforce/")
    assert force.status_code == 200 and "Police force" in text(force)
    assert re.findall(r'href="/areas/(\w+)/">([^<]+)<', force.content.decode().split('id="areas-within"')[1]) == [
        (BOROUGH, "Testborough")]


def test_lsoa_and_msoa_pages_point_to_where_the_figures_are(client, use_lake):
    html = client.get("/areas/X01000003/").content.decode()
    crumbs = re.findall(r'breadcrumbs__link" href="([^"]+)">([^<]+)<', html)
    assert crumbs == [("/areas/", "All areas"), ("/areas/testforce/", "Test Police"),
                      (f"/areas/{BOROUGH}/", "Testborough"), (f"/areas/{SOUTH}/", "South Ward")]
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    # the ward it lies in, not the borough
    assert "Stop and search figures are given for forces, boroughs and wards. See South Ward , the ward it lies in." in page
    assert f'href="/areas/{SOUTH}/#more-trust"' in html
    assert "3 crimes were recorded here" in page


def test_area_without_crime_data_says_so(client, settings, tmp_path):
    from openbeat.lake import Lake
    from tests.web.conftest import point_at, write_areas

    lake = Lake(tmp_path / "lake")
    write_areas(lake)  # boundaries but no crimes
    point_at(settings, lake.root)
    try:
        r = client.get(f"/areas/{NORTH}/")
        assert "No street crime data has been loaded for this area yet." in text(r)
        assert "data-vega-spec" not in r.content.decode()
    finally:
        point_at(settings, lake.root)


def test_unknown_area_page_is_a_404_in_the_site_layout(client, use_lake):
    r = client.get("/areas/E05999999/")
    assert r.status_code == 404
    assert "Page not found" in text(r) and 'class="govuk-skip-link"' in r.content.decode()


@pytest.mark.parametrize("url", ["/", "/about/", "/tools/", "/areas/", f"/areas/{NORTH}/", "/find/?q=ward", "/api/",
                                 "/compare/", "/scorecard/", "/no-such-page/"])
def test_every_page_shows_the_demo_banner_in_demo_mode(client, use_lake, settings, url):
    settings.OPENBEAT_DEMO = True
    r = client.get(url)
    assert "Synthetic demo data Every crime, person and place on this site is made up" in text(r)
    assert "(synthetic demo)</title>" in r.content.decode()
    settings.OPENBEAT_DEMO = False
    assert "Synthetic demo data" not in text(client.get(url))


@pytest.mark.parametrize("url", ["/", "/about/", "/tools/", f"/areas/{NORTH}/", "/api/", "/compare/",
                                 "/allocation/", "/no-such-page/"])
def test_every_page_has_the_layout_landmarks_and_licence(client, use_lake, url):
    html = client.get(url).content.decode()
    assert '<html lang="en-GB"' in html
    assert '<a href="#main-content" class="govuk-skip-link"' in html
    assert '<main class="govuk-main-wrapper" id="main-content">' in html
    assert 'class="ob-header__logo"' in html and "<span>OpenBeat</span>" in html
    assert "Open Government Licence v3.0" in html
    assert html.count("<h1") == 1


def test_about_page_names_the_sources_and_what_is_loaded(client, use_lake):
    page = text(client.get("/about/"))
    for source in ("data.police.uk", "Office for National Statistics", "Public Attitude Survey"):
        assert source in page
    assert ("Datasets loaded: areas, crimes, neighbourhood_events, neighbourhood_people, neighbourhood_priorities, "
            "neighbourhood_wards, neighbourhoods, postcodes.") in page


def test_api_docs_page_lists_every_endpoint_with_a_working_example(client, use_lake, db):
    html = client.get("/api/").content.decode()
    examples = re.findall(r'Try it: <a class="govuk-link ob-code" href="([^"]+)"', html)
    # none for evaluation (three months leave no year to compare with), trust (no survey loaded),
    # compare and targeting (no population loaded), and one priority's parts (there are none)
    assert len(examples) == 13
    for url in examples:
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url


def test_health_check(client, use_lake, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "lake": "ok"}
    assert "no-cache" in r["Cache-Control"]


def test_pages_are_kept_and_revalidate(client, use_lake):
    first = client.get(f"/areas/{NORTH}/")
    assert first["Cache-Control"] == "public, no-cache" and first["ETag"]
    assert client.get(f"/areas/{NORTH}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    again = client.get(f"/areas/{NORTH}/")
    assert again.content == first.content and again["Content-Security-Policy"] == first["Content-Security-Policy"]
