"""Charts and maps as data: a Vega-Lite spec URL, an accessible name, and the same figures as a table.

A page passes :class:`Chart` objects to the ``components/chart.html`` template, which
renders ``<div data-vega-spec="URL">`` (drawn as SVG by ``openbeat/js/charts.js``) and,
under it, a table of the same numbers that works without JavaScript and for screen readers.
Spec builders return plain Vega-Lite v6 dicts (Altair's ``chart.to_dict()`` works as well);
the data is fetched from the open API by URL, so the chart shows what the API serves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier, never fetched

#: Colours from GOV.UK Frontend's palette, with 3:1 contrast against white for marks.
COLOURS = {"line": "#1d70b8", "asb": "#6f72af", "text": "#0b0c0c", "grid": "#b1b4b6"}
#: A sequential scheme readable in greyscale and by people with colour-blindness.
MAP_SCHEME = "blues"

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


@dataclass
class Table:
    caption: str
    columns: list[Column]
    rows: list[dict]


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
        "axis": {"labelFontSize": 14, "titleFontSize": 14, "labelColor": COLOURS["text"],
                 "titleColor": COLOURS["text"], "gridColor": COLOURS["grid"], "gridOpacity": 0.5},
        "legend": {"labelFontSize": 14, "titleFontSize": 14, "orient": "bottom"},
    }


def monthly_line_spec(*, data_url: str, description: str, y_fields: dict[str, str], y_title: str) -> dict:
    """A line per field over ``month`` (YYYY-MM) from a paged API table (``results``).

    The page's own heading titles the chart, so the spec carries none (a title inside
    the SVG would be cut short on a phone).
    """
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description,
        "width": "container",
        "height": 260,
        "data": {"url": data_url, "format": {"type": "json", "property": "results"}},
        "transform": [
            {"fold": list(y_fields), "as": ["series_key", "value"]},
            {"calculate": " || ".join(f"(datum.series_key === '{k}' ? '{v}' : null)" for k, v in y_fields.items()),
             "as": "series"},
        ],
        "mark": {"type": "line", "point": True, "strokeWidth": 2},
        "encoding": {
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
        "config": base_config(),
    }


def choropleth_spec(*, data_url: str, description: str, value_field: str, value_title: str) -> dict:
    """Areas from a GeoJSON FeatureCollection, shaded by ``properties.<value_field>``.

    No tiles and no external requests: the shapes are the stored boundaries. Mercator is
    right for a city-sized view and keeps shapes as people know them from street maps.
    """
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "description": description,
        "width": "container",
        "height": 380,
        "data": {"url": data_url, "format": {"type": "json", "property": "features"}},
        "projection": {"type": "mercator"},
        "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 1},
        "encoding": {
            "color": {"field": f"properties.{value_field}", "type": "quantitative", "title": value_title,
                      # from zero: a pale area has few crimes, not merely the fewest of these
                      "scale": {"scheme": MAP_SCHEME, "zero": True}},
            "tooltip": [
                {"field": "properties.name", "type": "nominal", "title": "Area"},
                {"field": f"properties.{value_field}", "type": "quantitative", "title": value_title,
                 "format": ","},
            ],
        },
        "config": base_config(),
    }
