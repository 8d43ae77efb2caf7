"""A ward's pulse figures for its page: the weighted share of its own answers and the
estimate the site shows (shrunk toward the borough's PAS figure), or the borough's figure
with the reason."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings

from openbeat.events.questions import QUESTIONS


@dataclass
class PulseFigure:
    measure: str
    short: str
    answers: int
    share: float | None = None  # weighted, the ward's own answers only
    low: float | None = None
    high: float | None = None
    deff: float | None = None
    n_eff: float | None = None
    weighting: str = ""
    shown: float | None = None  # what the site shows for the ward
    shown_low: float | None = None
    shown_high: float | None = None
    shown_source: str = ""  # "ward pulse, shrunk toward the borough" / "borough figure"
    why: str = ""


def _num(v):
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def ward_pulse_figures(*, area, quarter: str) -> list[PulseFigure]:
    from openbeat.analytics.trust import ward_trust
    from openbeat.areas import lake_reads
    from openbeat.surveys.selectors import pulse_weighted, ward_survey_file
    from openbeat.web.lake_access import get_store

    weighted = {r["measure"]: r for r in pulse_weighted(quarter=quarter, ward_code=area.code).to_dict("records")}
    path = ward_survey_file(imported=settings.OPENBEAT_WARD_SURVEY)
    out = []
    for q in QUESTIONS:
        if not q.measure:
            continue
        w = weighted.get(q.measure)
        f = PulseFigure(q.measure, q.short, int(w["answers"]) if w else 0)
        if w:
            f.share, f.low, f.high, f.deff, f.n_eff = w["share"], w["low"], w["high"], w["deff"], w["n_eff"]
            f.weighting = w["note"] if w["used"] else ""
        if not lake_reads.has("pas"):
            f.why = "No Public Attitude Survey figures are loaded, so there is no borough figure to compare with."
            out.append(f)
            continue
        store = get_store()
        try:
            from openbeat.analytics.trust import borough_figure, trust_period

            period = trust_period(store, None, None)
            if w and w["used"] and path:
                t = ward_trust(store, path, measure=q.measure, period=period, borough=area.borough_code)
                row = t[t["ward_code"] == area.code]
                if len(row):
                    r = row.iloc[0]
                    f.shown, f.shown_low, f.shown_high = _num(r["estimate"]), _num(r["low"]), _num(r["high"])
                    f.shown_source = "this ward’s pulse, shrunk toward the borough’s published figure"
                    out.append(f)
                    continue
            b = borough_figure(store, area.borough_code, q.measure, period)
            f.shown, f.shown_low, f.shown_high = b.value, b.low, b.high
            f.shown_source = "the borough’s published figure"
            f.why = (w["note"] if w else "Nobody in this ward has answered yet") + "."
            f.why = f.why[0].upper() + f.why[1:]
        except ValueError as exc:
            f.why = str(exc)
        out.append(f)
    return out
