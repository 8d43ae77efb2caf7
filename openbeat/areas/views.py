"""Area pages: the home page, find an area, a force, a borough, a ward (its neighbourhood), an LSOA.

Views only gather what selectors return, turn results into charts and tables
(:mod:`openbeat.areas.presenters`) and pick a template. Every page and chart spec is
kept until the lake changes (:func:`openbeat.web.cache.lake_cached`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from openbeat.areas import area_figures, lake_reads, lookup, maps, periods, presenters, search, teams
from openbeat.web import charts
from openbeat.web.cache import lake_cached
from openbeat.web.lake_access import lake_state


@require_safe
@lake_cached(params=())
def home(request: HttpRequest) -> HttpResponse:
    """The home page: find an area by postcode or name, or pick a force or a borough."""
    state = lake_state()
    empty = "areas" not in state.datasets
    context = {
        "lake_empty": empty,
        "example_postcode": None if empty else search.example_postcode(),
        "forces": [] if empty else lookup.forces(),
        "boroughs": [] if empty else lookup.area_list(level="borough", limit=1000)[0],
    }
    return render(request, "web/home.html", context)


@require_safe
def area_find(request: HttpRequest) -> HttpResponse:
    """A postcode, a point or a unique name goes straight to its ward (or area); else a list."""
    query = request.GET.get("q", "").strip()[:100]
    if not query:
        return render(request, "areas/find.html", {"result": None, "error": "Enter a postcode or a place name."})
    try:
        shown = min(max(int(request.GET.get("show", FIND_PAGE)), FIND_PAGE), FIND_MAX)
    except ValueError:
        shown = FIND_PAGE
    result = search.area_find(query=query, limit=shown)
    if result.destination is not None:
        return redirect("areas:detail", code=result.destination.code)
    more = None
    if result.total > len(result.matches) and shown < FIND_MAX:
        more = f"{reverse('areas:find')}?{urlencode({'q': query, 'show': min(shown + FIND_PAGE * 2, FIND_MAX)})}"
    return render(request, "areas/find.html", {"result": result, "query": query, "more_url": more})


#: Matches shown at first, and the most a "show more" reaches.
FIND_PAGE, FIND_MAX = 20, 1000


@require_safe
def neighbourhood(request: HttpRequest, force: str, neighbourhood_id: str) -> HttpResponse:
    """police.uk's neighbourhood ids (``/neighbourhoods/metropolitan/E05013806N``) lead to their ward."""
    ward = teams.neighbourhood_ward(force=force, neighbourhood_id=neighbourhood_id)
    if ward is None:
        raise Http404(f"No ward is linked to the police.uk neighbourhood {force}/{neighbourhood_id}")
    return redirect("areas:detail", code=ward)


@require_safe
@lake_cached(params=())
def area_index(request: HttpRequest) -> HttpResponse:
    boroughs, _ = lookup.area_list(level="borough", limit=1000)
    api = reverse("api:area_list")
    links = [presenters.DataLink("Boroughs, CSV", f"{api}.csv?level=borough"),
             presenters.DataLink("Boroughs, JSON", f"{api}?level=borough"),
             presenters.DataLink("Wards, CSV", f"{api}.csv?level=ward&limit=1000")]
    return render(request, "areas/index.html", {"forces": lookup.forces(), "boroughs": boroughs,
                                                "data_links": links})


@require_safe
@lake_cached(params=periods.PARAMS)
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = lookup.area_get(code=code)
    if area is None:
        raise Http404(f"No area has the code {code}")
    latest = area_figures.area_latest_month(area=area)
    chosen = periods.period_choice(request.GET, latest=latest)
    q = chosen.params()
    figs = area_figures.area_figures(area=area, first=q.get("from"), last=q.get("to"))
    team = teams.area_team(area=area)
    force = lookup.area_force(area=area)
    context = {
        "period": chosen,
        "period_presets": periods.PRESETS,
        "latest_month": latest,
        "period_area_name": area.name,
        "area": area,
        "parents": lookup.area_parents(area=area),
        "children": lookup.area_children(area=area),
        "force": force,
        "verdicts": presenters.verdicts(area, figs, force),
        "statistical": area_figures.statistical_area(area=area),
        # where the figures an LSOA lacks are given: its ward (not its borough)
        "figures_at": lookup.area_get(code=area.ward_code) if area.level in ("lsoa21", "lsoa11") and area.ward_code
        else None,
        "figs": figs,
        "team": team,
        "results": presenters.page_results(figs),
        "data_links": presenters.area_data_links(area, figs, team is not None, q),
    }
    for fig in (figs.profile, figs.stop_search):
        if fig.ok:
            context["shown_period"] = fig.result.period
            break
    if figs.profile.ok:
        context["crime_types"] = presenters.crime_type_table(figs.profile.result)
        context["outcomes"] = area_figures.outcome_shares(figs.profile.result)
    if figs.trend.ok:
        context["trend_chart"] = presenters.trend_chart(area, figs.trend.result, q)
    if area.level in ("force", "borough") and figs.profile.ok:
        context["map_chart"] = presenters.area_map_chart(
            area, maps.area_map(area=area, first=q.get("from"), last=q.get("to")), q)
    if area.level in ("force", "borough", "ward") and figs.profile.ok:
        context["street_map"] = presenters.street_map(area, figs.profile.result.period)
    if figs.hotspots.ok:
        context["hotspot_chart"] = presenters.hotspot_chart(area, figs.hotspots.result, q)
    if figs.stop_search.ok:
        context["stop_search_chart"] = presenters.stop_search_chart(area, figs.stop_search.result, q)
        context["objects"] = presenters.object_table(figs.stop_search.result)
        context["stop_search_time"] = presenters.stop_search_over_time(area, figs.stop_search.result, q)
    if figs.trust.ok:
        context["levels"] = presenters.levels_table(figs.trust.result, force)
        context["ward_estimate"] = presenters.ward_estimate(figs.trust.result)
    if figs.trust_series.ok:
        context["trust_chart"] = presenters.trust_chart(area, figs.trust_series.result, force)
    if area.level in ("force", "borough", "ward") and lake_reads.has("ward_crime"):
        vawg = area_figures.get_figure("vawg", area.code, q.get("from"), q.get("to"))
        if vawg.ok:
            context["vawg"] = presenters.vawg_tables(area, vawg.result, q)
        else:
            context["vawg_message"] = vawg.message
    context["charts_on_page"] = any(k.endswith("_chart") and context[k] for k in context)
    if team:
        context["priorities"] = presenters.priority_items(area, team, area_figures.lake_months())
    return render(request, "areas/area_detail.html", context)


@require_safe
@lake_cached
def area_chart_spec(request: HttpRequest, code: str, name: str) -> JsonResponse:
    """A Vega-Lite spec whose data is a URL of the open API."""
    area = lookup.area_get(code=code)
    if area is None:
        raise Http404("No such area")
    chosen = {k: request.GET[k] for k in ("from", "to") if periods.MONTH.match(request.GET.get(k, ""))}
    api = lambda op, **params: presenters._api(op, area.code, **{**chosen, **params})  # noqa: E731
    if name == "crimes-by-month" and "profile" in area.figures:
        spec = charts.monthly_line_spec(
            data_url=api("area_crimes_by_month", limit=1000),
            description=f"Recorded crimes and anti-social behaviour in {area.name}, month by month.",
            y_fields={"crimes": "Crimes", "anti_social_behaviour": "Anti-social behaviour"},
            y_title="Number recorded")
    elif name == "crime-map" and area.level in ("force", "borough"):
        spec = charts.choropleth_spec(
            data_url=api("area_map"), description=f"Map of {area.name}, darker where more crimes were recorded.",
            value_field="crimes", value_title="Crimes")
    elif name == "hotspot-map" and "hotspots" in area.figures:
        spec = charts.hotspot_map_spec(
            cells_url=api("area_hotspots"), outline_url=api("area_map", level="self"),
            description=f"Hot and cold spots of crime in {area.name} on a grid, with the area's boundary.")
    elif name == "stop-search-rates" and "stop_search" in area.figures:
        spec = charts.interval_spec(
            data_url=api("area_stop_search", table="by_ethnicity"),
            description=f"Searches per 1,000 residents a year by ethnic group in {area.name}, with 95% intervals.",
            category="group", category_title="Self-defined ethnicity", value="rate_per_1000_per_year",
            low="rate_low", high="rate_high", value_title="Searches per 1,000 residents a year")
    elif name == "stop-search-groups" and "stop_search" in area.figures:
        spec = charts.bar_spec(
            data_url=api("area_stop_search", table="by_ethnicity"),
            description=f"Searches by self-defined ethnic group in {area.name}.",
            category="group", category_title="Self-defined ethnicity", value="searches", value_title="Searches")
    elif name == "stop-search-monthly" and "stop_search" in area.figures:
        spec = charts.monthly_line_spec(
            data_url=api("area_stop_search", table="monthly"),
            description=f"Stop and searches in {area.name}, month by month.",
            y_fields={"searches": "Searches"}, y_title="Searches")
    elif name == "stop-search-ratio-monthly" and "stop_search" in area.figures:
        spec = charts.ratio_series_spec(
            data_url=api("area_stop_search", table="monthly"),
            description=f"Black/White ratio of stop and search rates in {area.name}, month by month, with 95% "
                        "intervals.", ratio="black_white_ratio", low="ratio_low", high="ratio_high",
            y_title="Black/White ratio")
    elif name == "trust-series" and "trust" in area.figures:
        months = area_figures.lake_months()
        fig = area_figures.get_figure("trust", area.code, *months) if months else area_figures.Figure()
        if not fig.ok:
            raise Http404("No trust figures for this area")
        force = lookup.area_force(area=area)
        measure = fig.result.summary["measure"]
        said = presenters.wording.measure_words(measure, force=force.name if force else "the police force")
        spec = charts.pas_series_spec(
            data_url=api("area_trust", table="pas", **{"from": months[0], "to": months[1]}),
            description=f"Share of people who say {said}, in {area.name} by quarter.", measure=measure,
            area_name=presenters.surveyed(fig.result, force), wide_name=presenters.force_wide(force),
            y_title="Share who agree",
            quarter_ends=[r["quarter_end"] for r in fig.result.tables["pas"] if r["measure"] == measure])
    else:
        raise Http404("No such chart")
    return JsonResponse(spec)


def area_url(code: str) -> str:
    return reverse("areas:detail", kwargs={"code": code})
