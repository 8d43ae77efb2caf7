"""Charts and maps as data: a Vega-Lite spec URL, an accessible name, and the same figures as a table.

A page passes :class:`Chart` objects to the ``components/chart.html`` template, which
renders ``<div data-vega-spec="URL">`` (drawn as SVG by ``openbeat/js/charts.js``) and,
under it, a table of the same numbers that works without JavaScript and for screen readers.
Spec builders return plain Vega-Lite v6 dicts, served as JSON at their own URLs; their
data is fetched from the open API by URL, so a chart shows exactly what the API serves.
Maps are ``geoshape`` layers over the stored boundaries and the hot-spot grid: no tiles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched

#: Colours from GOV.UK Frontend's palette, with 3:1 contrast against white for marks.
COLOURS = {"line": "#1d70b8", "asb": "#6f72af", "text": "#0b0c0c", "grid": "#b1b4b6", "mps": "#505a5f",
           "outline": "#0b0c0c", "above": "#d4351c", "below": "#1d70b8", "inside": "#505a5f"}
#: A sequential scheme readable in greyscale and by people with colour-blindness.
MAP_SCHEME = "blues"
#: Hot and cold spot classes, hottest first, with a diverging palette (red hot, blue cold).
HOTSPOT_CLASSES = ["hot 99%", "hot 95%", "not significant", "cold 95%", "cold 99%"]
HOTSPOT_COLOURS = ["#d4351c", "#f47738", "#b1b4b6", "#5694ca", "#1d70b8"]

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


@dataclass(frozen=True)
class DataLink:
    label: str  # "CSV", "JSON", "GeoJSON"
    url: str


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False
    format: str = ""  # "", "pct", "ratio", "int", "dec1", "month", "p"


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[dict]
    more: str = ""  # e.g. "The 20 hottest of 658 cells; all of them are in the CSV."


@dataclass
class Chart:
    id: str  # unique on the page; used for the element id
    title: str
    description: str  # one or two sentences saying what the picture shows: its accessible name
    spec_url: str
    table: Table
    kind: str = "chart"  # 'chart' or 'map'
    data_links: list[DataLink] = field(default_factory=list)
    note: str = ""  # source and period, shown under the picture


def base_config() -> dict:
    """Shared look: readable type, light grid, no chart border."""
    return {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 14, "titleFontSize": 14, "labelColor": COLOURS["text"], "labelOverlap": True,
                 "titleColor": COLOURS["text"], "gridColor": COLOURS["grid"], "gridOpacity": 0.5},
        # the first and last labels of an x axis sit inside the plot, not half past its edge
        "axisX": {"labelFlush": True},
        # whole labels, one to a line, rather than cut short with "…" or cut off at a phone's edge
        "legend": {"labelFontSize": 14, "titleFontSize": 14, "orient": "bottom", "labelLimit": 0, "columns": 1},
    }


def _spec(description: str, height: int, **parts) -> dict:
    # The page's own heading titles the chart, so the spec carries none (a title inside
    # the SVG would be cut short on a phone).
    # fit-x with padding: axis titles and legends count in the width, so on a 390 px phone
    # they shrink the plot rather than spill past the edge and get cut off
    return {"$schema": VEGA_LITE_SCHEMA, "description": description, "width": "container", "height": height,
            "autosize": {"type": "fit-x", "contains": "padding"}, **parts, "config": base_config()}


def _table(url: str, prop: str = "results") -> dict:
    return {"url": url, "format": {"type": "json", "property": prop}}


def monthly_line_spec(*, data_url: str, description: str, y_fields: dict[str, str], y_title: str) -> dict:
    """A line per field over ``month`` (YYYY-MM) from a paged API table (``results``)."""
    return _spec(
        description, 260,
        data=_table(data_url),
        transform=[
            {"fold": list(y_fields), "as": ["series_key", "value"]},
            {"filter": "datum.value !== null"},  # a month the force did not publish is a gap, not a zero
            {"calculate": " || ".join(f"(datum.series_key === '{k}' ? '{v}' : null)" for k, v in y_fields.items()),
             "as": "series"},
        ],
        mark={"type": "line", "point": True, "strokeWidth": 2},
        encoding={
            "x": {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "Month",
                  "axis": {"format": "%b %Y", "labelAngle": 0, "tickCount": 6}},
            "y": {"field": "value", "type": "quantitative", "title": y_title},
            # crimes first, solid and blue; anti-social behaviour dashed: told apart without colour
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": list(y_fields.values()), "range": [COLOURS["line"], COLOURS["asb"]]}},
            "strokeDash": {"field": "series", "type": "nominal", "title": None,
                           "scale": {"domain": list(y_fields.values()), "range": [[1, 0], [6, 4]]}},
            "tooltip": [
                {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "Month", "format": "%B %Y"},
                {"field": "series", "type": "nominal", "title": "What"},
                {"field": "value", "type": "quantitative", "title": "Number", "format": ","},
            ],
        },
    )


def choropleth_spec(*, data_url: str, description: str, value_field: str, value_title: str,
                    labels: bool = True) -> dict:
    """Areas from a GeoJSON FeatureCollection, shaded by ``properties.<value_field>``.

    No tiles and no external requests: the shapes are the stored boundaries. Mercator is
    right for a city-sized view and keeps shapes as people know them from street maps.
    """
    data = {"url": data_url, "format": {"type": "json", "property": "features"}}
    shapes = {
        "data": data,
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 1},
        "encoding": {
            "color": {"field": f"properties.{value_field}", "type": "quantitative", "title": value_title,
                      # from zero: a pale area has few crimes, not merely the fewest of these
                      "scale": {"scheme": MAP_SCHEME, "zero": True}},
            "tooltip": [
                {"field": "properties.name", "type": "nominal", "title": "Area"},
                {"field": f"properties.{value_field}", "type": "quantitative", "title": value_title, "format": ","},
            ],
        },
    }
    if not labels:
        return _spec(description, 380, projection={"type": "mercator"}, **shapes)
    return _spec(description, 380, projection={"type": "mercator"}, layer=[shapes, *name_labels(data)])


def name_labels(data: dict, *, most: int = 40) -> list[dict]:
    """Each area's name at its stored centroid: a white halo under dark text, readable on any shade.

    Drawn only when the map has at most ``most`` areas (a borough's wards, a force's
    boroughs); hundreds of small areas' names would hide the map.
    """
    where = {"longitude": {"field": "properties.label_lon", "type": "quantitative"},
             "latitude": {"field": "properties.label_lat", "type": "quantitative"},
             "text": {"field": "properties.name", "type": "nominal"}}
    keep = [{"joinaggregate": [{"op": "count", "as": "areas"}]},
            {"filter": f"datum.areas <= {most} && isValid(datum.properties.label_lat)"}]
    text = {"type": "text", "fontSize": 11, "fontWeight": "bold", "limit": 110}
    return [
        {"data": data, "transform": keep, "encoding": where,
         "mark": {**text, "stroke": "#ffffff", "strokeWidth": 3, "strokeOpacity": 0.9}},
        {"data": data, "transform": keep, "encoding": where, "mark": {**text, "color": COLOURS["text"]}},
    ]


def hotspot_map_spec(*, cells_url: str, outline_url: str, description: str) -> dict:
    """Grid cells shaded by their crimes; Gi* hot spots outlined in red, cold spots in blue; the area's edge.

    Shading shows where crime is recorded; the outlines show only the clusters that pass
    the false-discovery-rate test, so a busy cell on its own is not called a hot spot.
    """
    cells = {"url": cells_url, "format": {"type": "json", "property": "features"}}
    significant = [c for c in HOTSPOT_CLASSES if c != "not significant"]
    tooltip = [
        {"field": "properties.count", "type": "quantitative", "title": "Crimes", "format": ","},
        {"field": "properties.class", "type": "nominal", "title": "Gi* class"},
        {"field": "properties.gi_z", "type": "quantitative", "title": "Gi* z", "format": ".2f"},
        {"field": "properties.q", "type": "quantitative", "title": "q (FDR)", "format": ".3f"},
    ]
    return _spec(
        description, 400,
        projection={"type": "mercator"},
        layer=[
            {"data": cells,
             "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.3},
             "encoding": {"color": {"field": "properties.count", "type": "quantitative", "title": "Crimes",
                                    "scale": {"scheme": "greys", "zero": True}},
                          "tooltip": tooltip}},
            {"data": cells,
             "transform": [{"filter": {"field": "properties.class", "oneOf": significant}}],
             "mark": {"type": "geoshape", "filled": False, "strokeWidth": 2.5},
             "encoding": {"stroke": {"field": "properties.class", "type": "nominal", "title": "Hot or cold spot",
                                     "scale": {"domain": significant,
                                               "range": [c for k, c in zip(HOTSPOT_CLASSES, HOTSPOT_COLOURS)
                                                         if k != "not significant"]}},
                          "tooltip": tooltip}},
            {"data": {"url": outline_url, "format": {"type": "json", "property": "features"}},
             "mark": {"type": "geoshape", "filled": False, "stroke": COLOURS["outline"], "strokeWidth": 2}},
        ],
    )


def interval_spec(*, data_url: str, description: str, category: str, category_title: str, value: str,
                  low: str, high: str, value_title: str, reference: float | None = None,
                  reference_label: str = "", percent: bool = False, log: bool = False) -> dict:
    """A dot per category with its interval as a line (rates, ratios, proportions)."""
    fmt = ".0%" if percent else ".2f"
    x = {"field": value, "type": "quantitative", "title": value_title,
         "axis": {"format": fmt} if percent else {}, "scale": {"type": "log"} if log else {"zero": True}}
    layers = [
        {"mark": {"type": "rule", "strokeWidth": 2, "color": COLOURS["line"]},
         "encoding": {"y": {"field": category, "type": "nominal", "title": category_title, "sort": None},
                      "x": {"field": low, "type": "quantitative"}, "x2": {"field": high}}},
        {"mark": {"type": "point", "filled": True, "size": 90, "color": COLOURS["line"]},
         "encoding": {"y": {"field": category, "type": "nominal", "sort": None}, "x": x,
                      "tooltip": [{"field": category, "type": "nominal", "title": category_title},
                                  {"field": value, "type": "quantitative", "title": value_title, "format": fmt},
                                  {"field": low, "type": "quantitative", "title": "95% interval from", "format": fmt},
                                  {"field": high, "type": "quantitative", "title": "to", "format": fmt}]}},
    ]
    if reference is not None:
        layers.append({"data": {"values": [{"x": reference, "label": reference_label}]},
                       "mark": {"type": "rule", "strokeDash": [4, 4], "color": COLOURS["mps"]},
                       "encoding": {"x": {"field": "x", "type": "quantitative"}}})
    # room on the right: the last x label (flush with the plot's end) and its tick otherwise
    # reach a pixel or two past the chart's box on a phone
    return _spec(description, {"step": 34}, data=_table(data_url),
                 padding={"left": 5, "top": 5, "bottom": 5, "right": 12},
                 transform=[{"filter": f"isValid(datum.{value})"}], layer=layers)


def bar_spec(*, data_url: str, description: str, category: str, category_title: str, value: str,
             value_title: str) -> dict:
    """Horizontal bars of a count per category."""
    return _spec(
        description, {"step": 30}, data=_table(data_url),
        mark={"type": "bar", "color": COLOURS["line"]},
        encoding={"y": {"field": category, "type": "nominal", "title": category_title, "sort": None},
                  "x": {"field": value, "type": "quantitative", "title": value_title},
                  "tooltip": [{"field": category, "type": "nominal", "title": category_title},
                              {"field": value, "type": "quantitative", "title": value_title, "format": ","}]},
    )


PAS_LEGEND = {"orient": "none", "direction": "vertical", "legendX": -64, "legendY": 292}
#: Room beneath the x axis for that legend (two 14 px lines, about 35 px, from 292 px down):
#: Vega leaves a legend placed by hand out of the picture's size, so without this it is cut
#: off (a long y-axis title used to make the room, with a blank gap above the plot).
PAS_PADDING = {"top": 5, "left": 5, "right": 5, "bottom": 50}


def pas_series_spec(*, data_url: str, description: str, measure: str, area_name: str,
                    wide_name: str = "The whole force", y_title: str | None = None,
                    quarter_ends: list[date] | None = None) -> dict:
    """One PAS measure by quarter: the area's figure and the force-wide figure beside it.

    The axis runs from 0% to 100%: a shorter one makes a wobble of a point or two look large.
    ``y_title`` is short (an axis title longer than the plot runs past it, into the legend):
    the question itself belongs in the page's heading and ``description``.

    The quarters are marked at their own last days (``quarter_ends``), in UTC as the API's
    dates are read: left to itself the axis ticks the first of a month, so the quarter
    ending 30 September sits on a tick labelled "Oct".
    """
    names = {"proportion": area_name, "mps_proportion": wide_name}
    x_axis = {"format": "%b %Y", "labelAngle": 0, "tickCount": 6}
    if quarter_ends:
        x_axis = {"format": "%b %Y", "labelAngle": 0, "labelOverlap": "greedy",
                  "values": [{"year": d.year, "month": d.month, "date": d.day, "utc": True}
                             for d in sorted(set(quarter_ends))]}
    return _spec(
        description, 240, data=_table(data_url), padding=PAS_PADDING,
        transform=[
            {"filter": {"field": "measure", "equal": measure}},
            {"fold": list(names), "as": ["series_key", "value"]},
            {"filter": "isValid(datum.value)"},
            {"calculate": " || ".join(f"(datum.series_key === '{k}' ? '{v}' : null)" for k, v in names.items()),
             "as": "series"},
        ],
        mark={"type": "line", "point": True, "strokeWidth": 2},
        encoding={
            "x": {"field": "quarter_end", "type": "temporal", "title": "Quarter ending",
                  "scale": {"type": "utc"}, "axis": x_axis},
            "y": {"field": "value", "type": "quantitative", "title": y_title or f"{measure} (share agreeing)",
                  "axis": {"format": ".0%"}, "scale": {"domain": [0, 1]}},
            # The legend starts under the y axis, not at the plot's left edge: the axis (0% to
            # 100%, so always the same width) leaves too little room for a long place name on a phone.
            "color": {"field": "series", "type": "nominal", "title": None, "legend": PAS_LEGEND,
                      "scale": {"domain": list(names.values()), "range": [COLOURS["line"], COLOURS["mps"]]}},
            "strokeDash": {"field": "series", "type": "nominal", "title": None, "legend": PAS_LEGEND,
                           "scale": {"domain": list(names.values()), "range": [[1, 0], [6, 4]]}},
            "tooltip": [{"field": "quarter", "type": "nominal", "title": "Quarter"},
                        {"field": "series", "type": "nominal", "title": "Where"},
                        {"field": "value", "type": "quantitative", "title": "Share", "format": ".0%"}],
        },
    )


def funnel_spec(*, areas_url: str, funnel_url: str, description: str, centre: float, what: str) -> dict:
    """A funnel plot: each area's rate against its population inside 95% and 99.8% limits."""
    limits = {"lower_95": "95% limits", "upper_95": "95% limits", "lower_998": "99.8% limits",
              "upper_998": "99.8% limits"}
    return _spec(
        description, 380,
        layer=[
            {"data": _table(funnel_url),
             "transform": [{"fold": list(limits), "as": ["limit", "rate"]},
                           {"calculate": "indexof(datum.limit, '998') >= 0 ? '99.8% limits' : '95% limits'",
                            "as": "band"}],
             "mark": {"type": "line", "strokeWidth": 1.5},
             "encoding": {"x": {"field": "population", "type": "quantitative", "title": "Residents"},
                          "y": {"field": "rate", "type": "quantitative", "scale": {"zero": False}},
                          "detail": {"field": "limit"},
                          "strokeDash": {"field": "band", "type": "nominal", "title": "Limits",
                                         "scale": {"domain": ["95% limits", "99.8% limits"],
                                                   "range": [[6, 3], [2, 2]]}},
                          "color": {"value": COLOURS["mps"]}}},
            {"data": {"values": [{"rate": centre}]},
             "mark": {"type": "rule", "color": COLOURS["text"]},
             "encoding": {"y": {"field": "rate", "type": "quantitative"}}},
            {"data": _table(areas_url),
             "transform": [{"calculate": "indexof(datum.classification, 'above') === 0 ? 'Above the limits' : "
                                         "indexof(datum.classification, 'below') === 0 ? 'Below the limits' : "
                                         "'Inside the limits'", "as": "where"}],
             "mark": {"type": "point", "filled": True, "size": 70},
             "encoding": {
                 "x": {"field": "population", "type": "quantitative", "title": "Residents"},
                 "y": {"field": "rate_per_1000", "type": "quantitative", "title": f"{what} per 1,000 residents a year",
                       "scale": {"zero": False}},
                 "color": {"field": "where", "type": "nominal", "title": None,
                           "scale": {"domain": ["Above the limits", "Inside the limits", "Below the limits"],
                                     "range": [COLOURS["above"], COLOURS["inside"], COLOURS["below"]]}},
                 "shape": {"field": "where", "type": "nominal", "title": None,
                           "scale": {"domain": ["Above the limits", "Inside the limits", "Below the limits"],
                                     "range": ["triangle-up", "circle", "triangle-down"]}},
                 "tooltip": [{"field": "name", "type": "nominal", "title": "Area"},
                             {"field": "rate_per_1000", "type": "quantitative", "title": "Rate", "format": ".1f"},
                             {"field": "population", "type": "quantitative", "title": "Residents", "format": ","},
                             {"field": "classification", "type": "nominal", "title": "Against the limits"}]}},
        ],
    )


def quadrant_spec(*, data_url: str, description: str, harm_median: float, trust_median: float) -> dict:
    """Harm rate (log scale) against trust; lines at the medians make the four quadrants."""
    tiers = ["high crime, low trust", "high crime, trust not distinguishable", "high crime, high trust",
             "low trust, crime not distinguishable", "neither high crime nor low trust"]
    return _spec(
        description, 400,
        layer=[
            {"data": _table(data_url),
             "transform": [{"filter": "isValid(datum.harm_rate) && datum.harm_rate > 0 && isValid(datum.trust)"}],
             "mark": {"type": "point", "filled": True, "size": 80},
             "encoding": {
                 "x": {"field": "harm_rate", "type": "quantitative", "scale": {"type": "log"},
                       # two lines: one would be wider than a phone's plot and spill past the box
                       "title": ["Harm per 1,000 residents a year", "(days, log scale)"]},
                 "y": {"field": "trust", "type": "quantitative", "title": "Trust (share agreeing)",
                       "axis": {"format": ".0%"}, "scale": {"zero": False}},
                 "color": {"field": "priority", "type": "nominal", "title": None,
                           "scale": {"domain": tiers,
                                     "range": ["#d4351c", "#f47738", "#912b88", "#1d70b8", "#505a5f"]}},
                 "shape": {"field": "priority", "type": "nominal", "title": None,
                           "scale": {"domain": tiers,
                                     "range": ["triangle-up", "diamond", "square", "triangle-down", "circle"]}},
                 "tooltip": [{"field": "name", "type": "nominal", "title": "Area"},
                             {"field": "harm_rate", "type": "quantitative", "title": "Harm rate", "format": ",.0f"},
                             {"field": "trust", "type": "quantitative", "title": "Trust", "format": ".0%"},
                             {"field": "priority", "type": "nominal", "title": "Class"},
                             {"field": "rank", "type": "quantitative", "title": "Rank"}]}},
            {"data": {"values": [{"x": harm_median}]}, "mark": {"type": "rule", "strokeDash": [4, 4],
                                                                 "color": COLOURS["text"]},
             "encoding": {"x": {"field": "x", "type": "quantitative"}}},
            {"data": {"values": [{"y": trust_median}]}, "mark": {"type": "rule", "strokeDash": [4, 4],
                                                                 "color": COLOURS["text"]},
             "encoding": {"y": {"field": "y", "type": "quantitative"}}},
        ],
    )


def allocation_map_spec(*, shapes_url: str, plan_url: str, description: str, field_name: str,
                        title: str) -> dict:
    """Wards shaded by the people the plan gives them (shapes joined to the plan by ward code)."""
    return _spec(
        description, 400,
        data={"url": shapes_url, "format": {"type": "json", "property": "features"}},
        transform=[{"lookup": "properties.code",
                    "from": {"data": _table(plan_url), "key": "ward_code",
                             "fields": ["ward_name", "officers", "pcsos", "harm_days"]}}],
        projection={"type": "mercator"},
        mark={"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 1},
        encoding={
            "color": {"field": field_name, "type": "quantitative", "title": title,
                      "scale": {"scheme": MAP_SCHEME, "zero": True}},
            "tooltip": [{"field": "ward_name", "type": "nominal", "title": "Ward"},
                        {"field": "officers", "type": "quantitative", "title": "Officers"},
                        {"field": "pcsos", "type": "quantitative", "title": "PCSOs"},
                        {"field": "harm_days", "type": "quantitative", "title": "Harm (days)", "format": ",.0f"}],
        },
    )


def before_after_spec(*, data_url: str, description: str) -> dict:
    """Crimes per month before and after the start, for the ward, its comparisons and its neighbours."""
    return _spec(
        description, {"step": 26},
        data=_table(data_url),
        transform=[{"fold": ["before_per_month", "after_per_month"], "as": ["when_key", "per_month"]},
                   {"calculate": "datum.when_key === 'before_per_month' ? 'Before' : 'After'", "as": "when"},
                   {"calculate": "datum.role === 'target' ? 'This ward' : datum.role === 'comparison' ? "
                                 "'Comparison wards' : datum.role === 'displacement' ? 'Neighbouring wards' : "
                                 "'Their comparison wards'", "as": "wards"}],
        mark={"type": "bar"},
        encoding={
            "y": {"field": "wards", "type": "nominal", "title": None, "sort": None},
            "yOffset": {"field": "when", "sort": ["Before", "After"]},
            "x": {"field": "per_month", "type": "quantitative", "title": "Crimes per month"},
            "color": {"field": "when", "type": "nominal", "title": None,
                      "scale": {"domain": ["Before", "After"], "range": [COLOURS["mps"], COLOURS["line"]]}},
            "tooltip": [{"field": "wards", "type": "nominal", "title": "Wards"},
                        {"field": "names", "type": "nominal", "title": "Which"},
                        {"field": "when", "type": "nominal", "title": "When"},
                        {"field": "per_month", "type": "quantitative", "title": "Per month", "format": ".1f"}],
        },
    )


def ratio_series_spec(*, data_url: str, description: str, ratio: str, low: str, high: str, y_title: str) -> dict:
    """A ratio month by month (``month`` YYYY-MM) as a line in its 95% interval band, with a dashed line at 1.

    Months without a ratio (no searches of one group, or not published) are left out, not
    drawn as zero; the band is only drawn where the interval is finite.
    """
    x = {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "Month",
         "axis": {"format": "%b %Y", "labelAngle": 0, "tickCount": 6}}
    return _spec(
        description, 240,
        layer=[
            {"data": _table(data_url),
             "transform": [{"filter": f"isValid(datum.{low}) && isValid(datum.{high}) && isFinite(datum.{high})"}],
             "mark": {"type": "area", "opacity": 0.25, "color": COLOURS["line"]},
             "encoding": {"x": x, "y": {"field": low, "type": "quantitative", "title": y_title},
                          "y2": {"field": high}}},
            {"data": _table(data_url),
             "transform": [{"filter": f"isValid(datum.{ratio})"}],
             "mark": {"type": "line", "point": True, "strokeWidth": 2, "color": COLOURS["line"]},
             "encoding": {"x": x, "y": {"field": ratio, "type": "quantitative", "title": y_title},
                          "tooltip": [
                              {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": "Month",
                               "format": "%B %Y"},
                              {"field": ratio, "type": "quantitative", "title": "Ratio", "format": ".2f"},
                              {"field": low, "type": "quantitative", "title": "95% interval from", "format": ".2f"},
                              {"field": high, "type": "quantitative", "title": "to", "format": ".2f"}]}},
            {"data": {"values": [{"equal": 1}]},
             "mark": {"type": "rule", "strokeDash": [4, 4], "color": COLOURS["inside"]},
             "encoding": {"y": {"field": "equal", "type": "quantitative"}}},
        ],
    )
