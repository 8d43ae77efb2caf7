"""Planning across areas: compare areas, highest crime lowest trust, the allocation
planner, did it work?, and the progress scorecard; and the page listing them (``/tools/``).

Each tool is a GET form (Django forms validate it; nothing is written, so no login is needed)
and a page of results from one :mod:`openbeat.analytics` function, with its picture (a
Vega-Lite spec at ``/charts/<tool>.vl.json`` with the same parameters) and the same
tables as CSV and JSON from the open API (:mod:`openbeat.api.planning`).
"""

from __future__ import annotations

from statistics import median
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from openbeat.analytics.result import Result
from openbeat.areas import area_figures, lookup, periods, presenters
from openbeat.planning import forms
from openbeat.web import charts
from openbeat.web.charts import Chart, Column, DataLink, Table
from openbeat.web.cache import lake_cached

#: Each tool's form, how its answers name the API's parameters, and its defaults.
TOOLS = {
    "compare": (forms.CompareForm, ("level", "within", "crime_type", "overdispersion", "from", "to"),
                {"level": "ward"}),
    "targeting": (forms.TargetingForm, ("level", "within", "from", "to"), {"level": "ward"}),
    "allocation": (forms.AllocationForm, ("within", "officers", "pcsos", "trust_weight", "min_officers",
                                          "min_pcsos", "from", "to"), None),
    "did_it_work": (forms.DidItWorkForm, ("ward", "start", "crime_type", "before_months"), None),
}
#: Each tool's page: its heading, and the word on its form's button.
PAGES = {"compare": ("Compare areas", "Show"), "targeting": ("Highest crime, lowest trust", "Show"),
         "allocation": ("Plan where officers go", "Plan"), "did_it_work": ("Did it work?", "Show")}


@require_safe
@lake_cached(params=())
def index(request: HttpRequest) -> HttpResponse:
    """The planning tools, listed (``/tools/``)."""
    return render(request, "planning/index.html", {"planning_page": True, "forces": lookup.forces(),
                                                   "scorecard": area_figures.figure_available("scorecard")})


#: The fields a link may fill in to open a tool's form at an area (an area page's "Plan where
#: officers go in …"): a query of only these shows the form, filled in, not an answer or errors.
PREFILL = {"allocation": ("within",), "did_it_work": ("ward",)}


def _bind(tool: str, request: HttpRequest):
    """The tool's form bound to the query (or to its defaults), and whether anything was asked."""
    form_class, _, defaults = TOOLS[tool]
    given = [k for k in form_class.base_fields if k in request.GET]
    if given and set(given) <= set(PREFILL.get(tool, ())):
        return form_class(initial={k: request.GET[k] for k in given}), False
    asked = bool(given)
    if asked:
        data = request.GET.copy()
        for name, field in form_class.base_fields.items():  # show the defaults the answer used
            if name not in data and field.initial is not None and not field.required:
                data[name] = field.initial
        return form_class(data), True
    if defaults is not None:
        return form_class(defaults), True
    return form_class(), False


def _choose_period(tool: str, data: dict) -> periods.PeriodChoice | None:
    """A tool with a period: turn its preset into months (counted back from the latest month the
    area's forces published, or the lake's), in ``data["from"]``/``data["to"]``."""
    if "period" not in TOOLS[tool][0].base_fields:
        return None
    area = lookup.area_get(code=data["within"]) if data.get("within") else None
    latest = area_figures.area_latest_month(area=area) if area else (area_figures.lake_months() or (None, None))[1]
    chosen = periods.period_choice({k: data.get(k) or "" for k in periods.PARAMS}, latest=latest)
    data["from"], data["to"] = chosen.first, chosen.last
    return chosen


def _params(tool: str, data: dict) -> dict:
    out = {}
    for name in TOOLS[tool][1]:
        value = data.get(name)
        if value in (None, "", []) or (value is False and name != "overdispersion"):
            continue
        out[name] = "true" if value is True else "false" if value is False else value
    return out


def _query(params: dict) -> str:
    return "?" + urlencode(params, doseq=True) if params else ""


def _compute(tool: str, data: dict) -> area_figures.Figure:
    if tool == "compare":
        return area_figures.get_figure("compare", data["level"], data["within"] or None, data["from"], data["to"],
                                    crime_type=data["crime_type"] or None, overdispersion=data["overdispersion"])
    if tool == "targeting":
        return area_figures.get_figure("targeting", data["level"], data["within"] or None, data["from"], data["to"],
                                    responses=area_figures.ward_survey())
    if tool == "allocation":
        return area_figures.get_figure(
            "allocation", data["within"], data["officers"], data["pcsos"], trust_weight=data["trust_weight"],
            minimum_officers=data["min_officers"], minimum_pcsos=data["min_pcsos"], first=data["from"],
            last=data["to"],
            responses=area_figures.ward_survey() if data["trust_weight"] else None)
    return area_figures.get_figure("did_it_work", data["ward"], data["start"], tuple(data["crime_type"]) or None,
                                before_months=data["before_months"], after_months=None)


def _render(request: HttpRequest, tool: str, build) -> HttpResponse:
    form, asked = _bind(tool, request)
    heading, button = PAGES[tool]
    context = {"form": form, "asked": asked, "tool": tool, "planning_page": True, "heading": heading, "button": button}
    status = 200
    if asked and not form.is_valid():
        status = 400
        context["errors"] = form.errors_list()
    elif asked:
        context["period"] = _choose_period(tool, form.cleaned_data)
        params = _params(tool, form.cleaned_data)
        fig = _compute(tool, form.cleaned_data)
        if fig.ok:
            api = reverse(f"api:{tool}") + _query(params)
            spec = reverse("planning:tool_chart", kwargs={"tool": tool}) + _query(params)
            context.update(build(fig.result, form.cleaned_data, api, spec))
            context["result"] = fig.result
            context["results"] = [fig.result]
            context["api_url"] = api
            context["charts_on_page"] = True
            context["data_links"] = presenters.links(api)
        else:
            status = 400
            context["errors"] = [("", fig.message)]
    return render(request, f"planning/{tool}.html", context, status=status)


def _chart(result: Result, api: str, spec: str, *, table: str, caption: str, columns: list[Column], rows: list[dict],
           caveats: bool = True, **chart) -> Chart:
    """A tool's picture (``id``, ``title``, ``description``…) with its table, the API links to
    that table, and the result's caveats and sources beneath."""
    note = presenters.source_note(result)
    return Chart(spec_url=spec, table=Table(caption=caption, columns=columns, rows=rows),
                 data_links=presenters.links(api, table=table),
                 note=presenters.caveats(result) + " " + note if caveats else note, **chart)


# ---- compare areas ------------------------------------------------------------------------


def _compare(result: Result, data: dict, api: str, spec: str) -> dict:
    s = result.summary
    rows = [{**r, "link": reverse("areas:detail", kwargs={"code": r["code"]}) if data["level"] != "lsoa21" else None}
            for r in result.tables["areas"]]
    chart = _chart(
        result, api, spec, id="funnel", title=f"Funnel plot, {presenters.period_words(result.period)}",
        description=(f"Funnel plot of {s['areas']} areas: each area's rate of {s['crime_type'].lower()} per 1,000 "
                     f"residents against its population, inside lines marking the 95% and 99.8% "
                     + ("limits widened for overdispersion" if s["limits"] == "overdispersed" else
                        "Poisson limits of chance alone")
                     + f". {s['above_limits']} areas are above the limits and {s['below_limits']} below."),
        table="areas", caption="Areas by rate, with the funnel limits for their size",
        columns=[Column("name", "Area"), Column("count", "Crimes", True),
                 Column("population", "Residents", True, "int"),
                 Column("rate_per_1000", "Per 1,000 a year", True),
                 Column("lower_95", "95% limits from", True), Column("upper_95", "to", True),
                 Column("classification", "Against the limits")],
        rows=rows,
    )
    from openbeat.web.templatetags.openbeat_tags import period

    return {"chart": chart, "rows": rows,
            "verdict": presenters.wording.compare(s, period_words=period(result.period))}


@require_safe
@lake_cached
def compare(request: HttpRequest) -> HttpResponse:
    return _render(request, "compare", _compare)


# ---- highest crime, lowest trust --------------------------------------------------------------


def _targeting(result: Result, data: dict, api: str, spec: str) -> dict:
    rows = result.tables["areas"]
    s = result.summary
    chart = _chart(
        result, api, spec, id="quadrant", title=f"Harm and trust together, {presenters.period_words(result.period)}",
        description=(f"Scatter chart of {s['areas']} areas: harm per 1,000 residents across, trust up, with dashed "
                     "lines at the middle of each. Areas to the right and low down are higher crime and lower "
                     f"trust; {len(s['first'])} are distinguishably so."
                     + ("" if s.get("trust_separates_wards", True) else
                        " Every ward shows its borough's trust figure, so the wards of a borough sit on one "
                        "horizontal line: trust does not separate them.")),
        table="areas", caption="Areas in order of priority",
        columns=[Column("rank", "Rank", True), Column("name", "Area"),
                 Column("harm_rate", "Harm per 1,000 a year (days)", True, "int"),
                 Column("harm_low", "95% interval from", True, "int"), Column("harm_high", "to", True, "int"),
                 Column("trust", "Trust", True, "pct0"), Column("trust_low", "Interval from", True, "pct0"),
                 Column("trust_high", "to", True, "pct0"), Column("trust_source", "Trust from"),
                 Column("priority", "Class")],
        rows=rows,
    )
    verdict = presenters.wording.targeting(s, top=[r["name"] for r in rows[:3]])
    return {"chart": chart, "rows": rows, "verdict": verdict}


@require_safe
@lake_cached
def targeting(request: HttpRequest) -> HttpResponse:
    return _render(request, "targeting", _targeting)


# ---- allocation planner -------------------------------------------------------------------


def _allocation(result: Result, data: dict, api: str, spec: str) -> dict:
    rows = sorted(result.tables["wards"], key=lambda r: (-r["officers"], r["ward_name"]))
    rows = [{**r, "link": reverse("areas:detail", kwargs={"code": r["ward_code"]})} for r in rows]
    chart = _chart(
        result, api, spec, id="allocation-map",
        title=f"Officers by ward, on harm from {presenters.period_words(result.period)}",
        kind="map",
        description=(f"Map of the {len(rows)} wards, darker where the plan places more dedicated ward officers "
                     f"({data['officers']} officers and {data['pcsos']} PCSOs in all)."),
        table="wards", caption="The plan, ward by ward",
        columns=[Column("ward_name", "Ward"), Column("harm_days", "Harm (days)", True, "int"),
                 Column("need_share", "Share of need", True, "pct"),
                 Column("officers", "Officers", True), Column("officers_exact", "Exact share", True),
                 Column("pcsos", "PCSOs", True), Column("pcsos_exact", "Exact share", True)],
        rows=rows,
    )
    return {"chart": chart, "rows": rows}


@require_safe
@lake_cached
def allocation(request: HttpRequest) -> HttpResponse:
    return _render(request, "allocation", _allocation)


# ---- did it work? ---------------------------------------------------------------------------


def _did_it_work(result: Result, data: dict, api: str, spec: str) -> dict:
    chart = _chart(
        result, api, spec, id="before-after", title="Crimes per month, before and after",
        description=("Bar chart of crimes per month before and after the start, for the ward, its comparison wards "
                     "and, where used, its neighbours."),
        table="areas", caption="Before and after, per month",
        columns=[Column("role", "Wards"), Column("names", "Which"),
                 Column("before", "Before", True), Column("after", "After", True),
                 Column("before_per_month", "Before, per month", True),
                 Column("after_per_month", "After, per month", True),
                 Column("after_over_before", "After ÷ before", True, "ratio")],
        rows=result.tables["areas"], caveats=False,
    )
    s = result.summary
    return {"chart": chart, "before_words": presenters.wording.months_in_words(s["before"]),
            "after_words": presenters.wording.months_in_words(s["after"]),
            "verdict": presenters.wording.did_it_work(s, area_name=(result.area or {}).get("name", "the ward"))}


@require_safe
@lake_cached
def did_it_work(request: HttpRequest) -> HttpResponse:
    return _render(request, "did_it_work", _did_it_work)


# ---- the scorecard -------------------------------------------------------------------------


@require_safe
@lake_cached
def scorecard_index(request: HttpRequest) -> HttpResponse:
    return render(request, "planning/scorecard_index.html", {"planning_page": True,
        "forces": lookup.forces(), "boroughs": lookup.area_list(level="borough", limit=1000)[0],
        "available": area_figures.figure_available("scorecard")})


@require_safe
@lake_cached
def scorecard(request: HttpRequest, code: str) -> HttpResponse:
    area = _scorecard_area(code)
    if not area_figures.figure_available("scorecard"):
        raise Http404("The scorecard is not available yet")
    fig = area_figures.get_figure("scorecard", area.code, None, None, responses=area_figures.ward_survey())
    context = {"area": area, "fig": fig, "parents": lookup.area_parents(area=area), "planning_page": True}
    if fig.ok:
        api = reverse("api:area_scorecard", kwargs={"code": area.code})
        result = fig.result
        context.update(result=result, results=[result], api_url=api, ward_rows=result.tables.get("wards") or [])
        context["chart"] = Chart(
            id="scorecard-trust", title="Trust by borough",
            description=(f"Chart of trust in the police in each borough of {area.name}: a dot for the survey figure "
                         "and a line for its indicative 95% interval."),
            spec_url=reverse("planning:scorecard_chart", kwargs={"code": area.code}),
            table=Table(caption="Trust by borough", columns=[
                Column("name", "Borough"), Column("trust", "Trust", True, "pct0"),
                Column("trust_low", "Interval from", True, "pct0"), Column("trust_high", "to", True, "pct0"),
                Column("trust_change", "Change on a year (descriptive)", True, "points")],
                rows=result.tables["boroughs"]),
            data_links=presenters.links(api, table="boroughs"),
            note=presenters.source_note(result),
        )
        context["charts_on_page"] = True
        context["data_links"] = [DataLink("Scorecard, JSON", api),
                                 DataLink("Boroughs, CSV", f"{api}?format=csv&table=boroughs"),
                                 DataLink("Wards, CSV", f"{api}?format=csv&table=wards")]
    return render(request, "planning/scorecard.html", context, status=200 if fig.ok else 400)


def _scorecard_area(code: str):
    """The force or borough a scorecard is of; 404 for any other code."""
    area = lookup.area_get(code=code)
    if area is None or area.level not in ("force", "borough"):
        raise Http404("A scorecard covers a force or a borough")
    return area


@require_safe
@lake_cached
def scorecard_chart(request: HttpRequest, code: str) -> JsonResponse:
    area = _scorecard_area(code)
    api = reverse("api:area_scorecard", kwargs={"code": area.code})
    return JsonResponse(charts.interval_spec(
        data_url=f"{api}?table=boroughs", description=f"Trust by borough in {area.name}, with intervals.",
        category="name", category_title="Borough", value="trust", low="trust_low", high="trust_high",
        value_title="Trust (share agreeing)", percent=True))


# ---- the tools' pictures -----------------------------------------------------------------------


@require_safe
@lake_cached
def tool_chart(request: HttpRequest, tool: str) -> JsonResponse:
    if tool not in TOOLS:
        raise Http404("No such chart")
    form, asked = _bind(tool, request)
    if not asked or not form.is_valid():
        raise Http404("These parameters draw no chart")
    _choose_period(tool, form.cleaned_data)
    fig = _compute(tool, form.cleaned_data)
    if not fig.ok:
        raise Http404(fig.message)
    params = _params(tool, form.cleaned_data)
    api = reverse(f"api:{tool}")

    def table(name: str) -> str:
        return api + _query({**params, "table": name})

    result = fig.result
    if tool == "compare":
        spec = charts.funnel_spec(areas_url=table("areas"), funnel_url=table("funnel"),
                                  description=result.title, centre=result.summary["overall_rate_per_1000"],
                                  what=result.summary["crime_type"].split(" (")[0])
    elif tool == "targeting":
        rows = result.tables["areas"]
        harms = [r["harm_rate"] for r in rows if r["harm_rate"]]
        trusts = [r["trust"] for r in rows if r["trust"] is not None]
        spec = charts.quadrant_spec(data_url=table("areas"), description=result.title,
                                    harm_median=median(harms) if harms else 1.0,
                                    trust_median=median(trusts) if trusts else 0.5)
    elif tool == "allocation":
        shapes = reverse("api:area_map", kwargs={"code": form.cleaned_data["within"]}) + _query(
            {"level": "ward", **{k: params[k] for k in ("from", "to") if k in params}})
        spec = charts.allocation_map_spec(shapes_url=shapes, plan_url=table("wards"), description=result.title,
                                          field_name="officers", title="Officers")
    else:
        spec = charts.before_after_spec(data_url=table("areas"), description=result.title)
    return JsonResponse(spec)
