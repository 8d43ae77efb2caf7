"""What a review page and its PDF show, from the frozen figures: charts with their tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from openbeat.reviews import charts
from openbeat.reviews.models import Review

THEMES = ("Less crime", "High standards", "More trust", "Engagement")


@dataclass
class Chart:
    id: str
    title: str
    svg: str
    columns: list[str]
    rows: list[list]


@dataclass
class ReviewView:
    review: Review
    themes: list[tuple[str, list[dict]]]
    charts: list[Chart] = field(default_factory=list)
    declined: list[tuple[str, str]] = field(default_factory=list)
    legislation: list[dict] = field(default_factory=list)
    notes: list[tuple[str, list[str]]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


SECTION_NAMES = {"crime": "Crime this quarter", "crime_year": "Crime over 12 months", "scorecard": "Scorecard",
                 "hotspots": "Hot spots", "stop_search": "Stop and search this quarter",
                 "stop_search_year": "Stop and search over 12 months", "trust": "Trust (Public Attitude Survey)"}


def _pct(v):
    return None if v is None else round(100 * v, 1)


def review_view(*, review: Review) -> ReviewView:
    s = review.figures["sections"]
    by_theme = {t: [h for h in review.headlines if h["theme"] == t] for t in THEMES}
    out = ReviewView(review=review, themes=[(t, hs) for t, hs in by_theme.items() if hs])
    out.declined = [(SECTION_NAMES[k], v["declined"]) for k, v in s.items() if "declined" in v]
    year = s["crime_year"]
    if "declined" not in year:
        trend = year["tables"]["trend"]
        months = [r["month"] for r in trend]
        out.charts.append(Chart(
            "crime-trend", "Crimes by month, against the same month a year earlier",
            charts.line_chart(uid="crime-trend", title="Crimes by month", desc=(
                f"Crimes recorded in {review.area_name} each month from {months[0]} to {months[-1]}, with the same "
                "month a year earlier. The table below gives every value."), labels=months, series=[
                ("This year", [r["count"] for r in trend]), ("A year earlier", [r["count_year_before"] for r in trend])],
                y_title="Crimes"),
            ["Month", "Crimes", "Same month a year earlier", "Year-on-year test"],
            [[r["month"], r["count"], r["count_year_before"],
              r["yoy_direction"] + (f" (p = {r['yoy_p_value']:.2g})" if r.get("yoy_p_value") is not None else "")]
             for r in trend]))
    ssy = s["stop_search_year"]
    if "declined" not in ssy:
        monthly = ssy["tables"]["monthly"]
        months = [r["month"] for r in monthly]
        out.charts.append(Chart(
            "search-trend", "Stop and search by month",
            charts.line_chart(uid="search-trend", title="Stop and search by month", desc=(
                f"Searches placed in {review.area_name} each month from {months[0]} to {months[-1]}. A month the "
                "force did not publish is a gap. The table below gives every value."), labels=months,
                series=[("Searches", [r["searches"] for r in monthly])], y_title="Searches"),
            ["Month", "Searches", "of Black residents", "of White residents"],
            [[r["month"], r["searches"], r.get("black"), r.get("white")] for r in monthly]))
    ss = s["stop_search"]
    if "declined" not in ss:
        eth = [r for r in ss["tables"]["by_ethnicity"] if r.get("ratio") is not None and r["group"] != "White"]
        if eth:
            out.charts.append(Chart(
                "search-ratio", "How much more often each group was searched than White residents",
                charts.interval_chart(uid="search-ratio", title="Search rate ratio to White residents", desc=(
                    "Each group's search rate per 1,000 residents divided by the White rate, with its 95% interval; "
                    "the dashed line at 1 means the same rate. The table below gives every value."),
                    rows=[(r["group"], r["ratio"], r["ratio_low"], r["ratio_high"]) for r in eth], reference=1.0,
                    x_title="Ratio to the White rate (1 = the same)"),
                ["Group", "Searches", "Rate per 1,000 a year", "Ratio to White", "95% interval"],
                [[r["group"], r["searches"], None if r["rate_per_1000_per_year"] is None else
                  round(r["rate_per_1000_per_year"], 2), round(r["ratio"], 2),
                  f"{r['ratio_low']:.2f} to {r['ratio_high']:.2f}"] for r in eth]))
        out.legislation = [{"legislation": r["legislation"], "searches": r["searches"],
                            "find": _pct(r["find_rate"]), "find_low": _pct(r["find_low"]),
                            "find_high": _pct(r["find_high"]), "arrest": _pct(r["arrest_rate"]),
                            "arrest_low": _pct(r["arrest_low"]), "arrest_high": _pct(r["arrest_high"])}
                           for r in ss["tables"]["by_legislation"]]
    for key, section in s.items():
        if "declined" not in section:
            out.notes.append((SECTION_NAMES[key], section.get("notes", [])))
            out.sources += [x for x in section.get("sources", []) if x not in out.sources]
    return out


def scorecard_row(review: Review) -> dict | None:
    """The area's own row of the scorecard (a borough's, or a ward's within its borough's)."""
    card = review.figures["sections"]["scorecard"]
    if "declined" in card:
        return None
    rows = card["tables"]["wards" if review.area_level == "ward" else "boroughs"]
    return next((r for r in rows if r["code"] == review.area_code), None)
