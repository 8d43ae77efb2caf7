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
    assert "Policing where you live" in text(r)


def test_home_on_an_empty_lake_says_nothing_is_loaded(client, empty_lake):
    assert "No areas have been loaded into this site yet" in text(client.get("/"))


def test_find_by_postcode_lists_the_areas_containing_it(client, use_lake):
    r = client.get("/find/", {"q": "TE1 1ST"})
    html = r.content.decode()
    found = re.findall(r'href="/areas/(\w+)/">([^<]+)</a>', html.split('id="located-areas"')[1].split("</ul>")[0])
    assert found == [(BOROUGH, "Testborough"), (NORTH, "North Ward"), ("X01000001", "Testborough 001A")]
    assert "Postcode TE1 1ST is in:" in text(r)


def test_find_by_coordinates_and_by_name(client, use_lake):
    from openbeat.geo.crs import to_wgs84

    lon, lat = to_wgs84([531_500], [181_500])
    r = client.get("/find/", {"q": f"{lat[0]:.5f},{lon[0]:.5f}"})
    assert f'href="/areas/{SOUTH}/">South Ward</a>' in r.content.decode()
    r = client.get("/find/", {"q": "ward"})
    assert "2 areas match:" in text(r)


def test_find_says_plainly_when_nothing_matches(client, use_lake):
    assert "No area is called “Atlantis”." in text(client.get("/find/", {"q": "Atlantis"}))
    r = client.get("/find/", {"q": "ZZ9 9ZZ"})
    assert "postcode ZZ9 9ZZ is not in the loaded postcode directory" in text(r)
    r = client.get("/find/", {"q": "  "})
    assert "There is a problem Enter a postcode or a place name." in text(r)


def test_area_page_has_the_three_questions_and_the_crime_figures(client, use_lake):
    r = client.get(f"/areas/{NORTH}/")
    assert r.status_code == 200
    page = text(r)
    for heading in ("Less crime", "High standards", "More trust"):
        assert f'id="{heading.lower().replace(" ", "-")}-heading">{heading}</h2>' in r.content.decode()
    assert "Ward in Testborough" in page
    assert "Stop and search figures for this area are not available yet." in page
    assert "Trust and confidence figures for this area are not available yet." in page
    # the chart's table, month by month: crimes then anti-social behaviour
    assert "January 2024 3 2 February 2024 1 0 March 2024 0 0" in page
    assert "Testborough 001A X01000001 4 Testborough 002A X01000002 0" in page
    html = r.content.decode()
    assert f'data-vega-spec="/areas/{NORTH}/charts/crimes-by-month.vl.json"' in html
    assert f'data-vega-spec="/areas/{NORTH}/charts/crime-map.vl.json"' in html
    assert f'href="/api/areas/{NORTH}/crimes/monthly.csv?limit=1000">Crimes by month, CSV</a>' in html


def test_ward_page_shows_its_neighbourhood_team(client, use_lake):
    r = client.get(f"/areas/{NORTH}/")
    html = r.content.decode()
    team = text(r).split("Your neighbourhood policing team")[2].split("Less crime")[0]
    assert team.strip() == (
        "North Team: The north of Testborough. Email north@police.example Telephone 101 (in an emergency, "
        "call 999) Web page The team on the force’s website Officers Sam Sergeant , Sergeant Pat Constable , PCSO "
        "Priorities Speeding &lt;script&gt;alert(1)&lt;/script&gt; (set 1 March 2024) No action published yet. "
        "Burglary on Test Street (set 1 February 2024) Action (5 March 2024): Patrols every evening "
        "Upcoming events Ward panel Monday 1 June 2099, 6:30 p.m., Test Hall Source: police.uk neighbourhood data.")
    assert "<script>alert(1)" not in html  # text from outside is escaped
    assert 'href="/api/areas/X05000001/team">Neighbourhood team, JSON</a>' in html
    assert "Your neighbourhood policing team" not in text(client.get(f"/areas/{SOUTH}/"))


def test_area_page_breadcrumbs_and_children(client, use_lake):
    html = client.get("/areas/X01000003/").content.decode()
    crumbs = re.findall(r'breadcrumbs__link" href="([^"]+)">([^<]+)<', html)
    assert crumbs == [("/areas/", "All areas"), (f"/areas/{BOROUGH}/", "Testborough"),
                      (f"/areas/{SOUTH}/", "South Ward")]
    borough = client.get(f"/areas/{BOROUGH}/").content.decode()
    within = borough.split('id="areas-within"')[1]
    assert re.findall(r'href="/areas/(\w+)/">([^<]+)<', within) == [(NORTH, "North Ward"), (SOUTH, "South Ward")]


def test_area_without_crime_data_says_so(client, settings, tmp_path):
    from openbeat.web import lakedb
    from tests.web.conftest import write_areas
    from openbeat.lake import Lake

    lake = Lake(tmp_path / "lake")
    write_areas(lake)  # boundaries but no crimes
    settings.OPENBEAT_LAKE = str(lake.root)
    lakedb.reset()
    try:
        page = text(client.get(f"/areas/{NORTH}/"))
        assert "No street crime data has been loaded for this area yet." in page
        assert "data-vega-spec" not in client.get(f"/areas/{NORTH}/").content.decode()
    finally:
        lakedb.reset()


def test_unknown_area_page_is_a_404_in_the_site_layout(client, use_lake):
    r = client.get("/areas/E05999999/")
    assert r.status_code == 404
    assert "Page not found" in text(r) and 'class="govuk-skip-link"' in r.content.decode()


def test_chart_specs_are_valid_vega_lite(client, use_lake):
    import json

    import jsonschema

    from tests.web.conftest import ROOT

    schema_file = ROOT / "node_modules" / "vega-lite" / "build" / "vega-lite-schema.json"
    if not schema_file.exists():
        pytest.skip("node_modules/vega-lite is absent: run scripts/build_static.sh")
    schema = json.loads(schema_file.read_text())
    for name in ("crimes-by-month", "crime-map"):
        spec = client.get(f"/areas/{NORTH}/charts/{name}.vl.json").json()
        jsonschema.validate(spec, schema)
        assert spec["data"]["url"].startswith(f"/api/areas/{NORTH}/")
    assert client.get(f"/areas/{NORTH}/charts/nothing.vl.json").status_code == 404


@pytest.mark.parametrize("url", ["/", "/about/", "/areas/", f"/areas/{NORTH}/", "/find/?q=North", "/api/",
                                 "/no-such-page/"])
def test_every_page_shows_the_demo_banner_in_demo_mode(client, use_lake, settings, url):
    settings.OPENBEAT_DEMO = True
    r = client.get(url)
    assert "Synthetic demo data Every crime, person and place on this site is made up" in text(r)
    assert "(synthetic demo)</title>" in r.content.decode()
    settings.OPENBEAT_DEMO = False
    assert "Synthetic demo data" not in text(client.get(url))


@pytest.mark.parametrize("url", ["/", "/about/", f"/areas/{NORTH}/", "/api/", "/no-such-page/"])
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


def test_api_docs_page_lists_every_endpoint_with_a_working_example(client, use_lake):
    html = client.get("/api/").content.decode()
    examples = re.findall(r'Try it: <a class="govuk-link ob-code" href="([^"]+)"', html)
    assert len(examples) == 6
    for url in examples:
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url


def test_health_check(client, use_lake, db):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": "ok", "lake": "ok"}
    assert "no-cache" in r["Cache-Control"]
