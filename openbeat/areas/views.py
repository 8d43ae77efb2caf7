"""Area pages. Views only gather what selectors return and pick a template."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from openbeat.areas import selectors
from openbeat.areas.selectors import Area, Section
from openbeat.web.charts import Chart, Column, DataLink, Table, choropleth_spec, monthly_line_spec


@require_safe
def area_find(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    if not query:
        return render(request, "areas/find.html", {"result": None, "error": "Enter a postcode or a place name."})
    result = selectors.area_find(query=query)
    return render(request, "areas/find.html", {"result": result, "query": query})


@require_safe
def area_index(request: HttpRequest) -> HttpResponse:
    boroughs, _ = selectors.area_list(level="borough", limit=1000)
    return render(request, "areas/index.html", {"boroughs": boroughs})


def _month_label(month: str) -> str:
    return dt.date.fromisoformat(f"{month}-01").strftime("%B %Y")


def _less_crime_charts(area: Area, section: Section) -> list[Chart]:
    if section.status != "ok":
        return []
    months = section.items["months"]
    first, last = section.items["period"]
    api_months = reverse("api:area_crimes_by_month", kwargs={"code": area.code})
    total = sum(m["crimes"] for m in months)
    charts = [Chart(
        id="crimes-by-month",
        title="Recorded crime, month by month",
        description=(f"Line chart of recorded crimes in {area.name} each month from {_month_label(first)} "
                     f"to {_month_label(last)}: {total:,} crimes in all, with anti-social behaviour shown apart."),
        spec_url=reverse("areas:chart_spec", kwargs={"code": area.code, "name": "crimes-by-month"}),
        table=Table(
            caption=f"Recorded crimes and anti-social behaviour in {area.name}, by month",
            columns=[Column("month_label", "Month"), Column("crimes", "Crimes", True),
                     Column("anti_social_behaviour", "Anti-social behaviour", True)],
            rows=[{**m, "month_label": _month_label(m["month"])} for m in months],
        ),
        data_links=[DataLink("CSV", f"{api_months}.csv?limit=1000"), DataLink("JSON", f"{api_months}?limit=1000")],
        note="Source: police.uk street-level crime. Counts are of crimes police.uk placed in this area.",
    )]
    area_map = section.items.get("map")
    if area_map and area_map.features:
        period = area_map.period
        api_map = reverse("api:area_map", kwargs={"code": area.code})
        parts = area_map.features[0]["properties"]["level"]
        what = "its wards" if parts == "ward" else "its small areas (LSOAs)" if area_map.features[0]["id"] != area.code \
            else "the area"
        when = f"{_month_label(period[0])} to {_month_label(period[1])}" if period else ""
        rows = sorted((f["properties"] for f in area_map.features), key=lambda p: (-(p["crimes"] or 0), p["name"]))
        charts.append(Chart(
            id="crime-map",
            title=f"Where crime was recorded, {when}" if when else "Map",
            description=(f"Map of {area.name} showing {what}, shaded darker where more crimes were recorded "
                         f"from {when}." if when else f"Map of {area.name}."),
            spec_url=reverse("areas:chart_spec", kwargs={"code": area.code, "name": "crime-map"}),
            kind="map",
            table=Table(
                caption=f"Recorded crimes by area, {when}",
                columns=[Column("name", "Area"), Column("code", "Code"), Column("crimes", "Crimes", True)],
                rows=rows,
            ),
            data_links=[DataLink("CSV", f"{api_map}.csv"), DataLink("GeoJSON", api_map)],
            note="Boundaries: Office for National Statistics. Shapes are simplified for the web.",
        ))
    return charts


@require_safe
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = selectors.area_get(code=code)
    if area is None:
        raise Http404(f"No area has the code {code}")
    sections = selectors.area_sections(area=area)
    api_area = reverse("api:area_detail", kwargs={"code": area.code})
    api_months = reverse("api:area_crimes_by_month", kwargs={"code": area.code})
    team = selectors.area_team(area=area)
    data_links = [DataLink("JSON", api_area), DataLink("Crimes by month, CSV", f"{api_months}.csv?limit=1000")]
    if team:
        data_links.append(DataLink("Neighbourhood team, JSON", reverse("api:area_team", kwargs={"code": area.code})))
    context = {
        "area": area,
        "parents": selectors.area_parents(area=area),
        "children": selectors.area_children(area=area),
        "sections": sections,
        "less_crime_charts": _less_crime_charts(area, sections["less-crime"]),
        "team": team,
        "data_links": data_links,
    }
    return render(request, "areas/area_detail.html", context)


_SPECS = {"crimes-by-month", "crime-map"}


@require_safe
def area_chart_spec(request: HttpRequest, code: str, name: str) -> JsonResponse:
    """A Vega-Lite spec; it holds only URLs of API data, so it can be cached a while."""
    area = selectors.area_get(code=code)
    if area is None or name not in _SPECS:
        raise Http404("No such chart")
    if name == "crimes-by-month":
        spec = monthly_line_spec(
            data_url=reverse("api:area_crimes_by_month", kwargs={"code": area.code}) + "?limit=1000",
            description=f"Recorded crimes and anti-social behaviour in {area.name}, month by month.",
            y_fields={"crimes": "Crimes", "anti_social_behaviour": "Anti-social behaviour"},
            y_title="Number recorded",
        )
    else:
        spec = choropleth_spec(
            data_url=reverse("api:area_map", kwargs={"code": area.code}),
            description=f"Map of {area.name}, darker where more crimes were recorded.",
            value_field="crimes", value_title="Crimes",
        )
    response = JsonResponse(spec)
    patch_cache_control(response, public=True, max_age=300)
    return response
