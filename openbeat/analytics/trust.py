"""More trust: the Public Attitude Survey by borough, and ward estimates from local surveys.

**Borough and MPS-wide figures** are MOPAC's Public Attitude Survey (PAS) measures as
published on the London Datastore (``pas`` dataset): a proportion per measure, area and
quarter, rounded to two decimals, **without sample sizes**. So:

* the **level** of a measure is shown as published, with an *indicative* 95% Wilson
  interval that assumes :data:`PAS_INTERVIEWS` interviews behind each borough figure
  (MOPAC interviews about 12,800 Londoners a year — london.gov.uk, "Taking part in
  MOPAC's surveys" — about 400 per borough over 32 boroughs) and simple random
  sampling. Weighting widens real intervals, so read it as a floor on the uncertainty;
* the **change** over the period is **descriptive** (points, no test): without sample
  sizes, and with successive quarters possibly sharing interviews (where a figure
  covers the 12 months to its quarter), there is no honest way to test it. The same
  quarter a year earlier is shown beside it, like with like.

**Ward estimates** come from the platform's own short surveys: a table of responses
(ward, measure, agreeing answers, all answers). A ward's handful of answers is pulled
toward its borough's PAS figure by beta-binomial empirical-Bayes shrinkage, strongly
when it has few answers, and given a 95% interval that carries the uncertainty in how
much wards differ (:func:`openbeat.stats.shrinkage.shrink_to_borough`,
``method="integrated"``; Efron & Morris 1975; Casella 1985; Kass & Steffey 1989).
Wards are shrunk borough by borough, each toward its own borough's figure.

Responses table columns: ``ward_code``; ``yes`` (or ``agree``): answers agreeing (e.g.
trusting the police a great deal or a fair amount); ``n`` (or ``responses``): all valid
answers; optionally ``measure`` (or ``question``), a PAS measure name such as
``Trust MPS`` — rows of other measures are left out. Several rows per ward are added up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from openbeat.analytics.result import Result, area_dict
from openbeat.analytics.store import Area, BadPeriod, Period, Store, UnknownArea
from openbeat.stats.disproportionality import wilson_interval
from openbeat.stats.shrinkage import shrink_to_borough

#: The measure used when none is named: the plan's headline trust measure.
DEFAULT_MEASURE = "Trust MPS"
#: Interviews assumed behind one borough PAS figure (12,800 a year over 32 boroughs).
PAS_INTERVIEWS = 400
PAS_SOURCE = "MOPAC Public Attitude Survey (London Datastore)"


@dataclass(frozen=True)
class Figure:
    """A trust proportion for one area with its interval and where it came from."""

    value: float | None
    low: float | None
    high: float | None
    source: str  # "PAS", "PAS (borrowed from the borough)", "ward survey (shrunk)", "none"
    quarter: str | None = None
    n: int | None = None


def trust(store: Store, code: str, first: str | None = None, last: str | None = None, *,
          responses=None, measure: str | None = None, pas_interviews: int = PAS_INTERVIEWS) -> Result:
    """Trust and confidence for a borough, ward or force over ``first``..``last``.

    Parameters
    ----------
    store : Store
    code : str
        A borough or ward code, or a force slug (MPS-wide figures).
    first, last : str, optional
        ``YYYY-MM``. PAS quarters ending inside the period are shown; default the latest
        12 months in the lake (or of the PAS when the lake holds no crimes).
    responses : DataFrame, pyarrow Table or path to CSV, optional
        Ward survey responses (see the module docstring).
    measure : str, optional
        The headline measure (default ``Trust MPS``, else the first published).
    pas_interviews : int
        Interviews assumed behind a borough figure, for its indicative interval.

    Returns
    -------
    Result
        Tables ``pas`` (every measure by quarter, this area beside MPS-wide), ``levels``
        (per measure: latest level with its indicative interval, change over the period
        and on a year earlier, descriptive) and, with responses, ``wards`` (raw and
        shrunk estimates with 95% intervals).
    """
    _need_pas(store)
    area = _trust_area(store, code)
    period = trust_period(store, first, last)
    measures = _measures(store)
    measure = measure or (DEFAULT_MEASURE if DEFAULT_MEASURE in measures else measures[0])
    if measure not in measures:
        raise ValueError(f"no PAS measure {measure!r}; the PAS loaded has: {', '.join(measures)}")
    pas_code, pas_name = _pas_area(store, area)
    series = pas_table(store, pas_code, period)
    levels = levels_table(series, pas_interviews, pas_code != "MPS")
    notes = [
        f"Borough and MPS-wide figures are the {PAS_SOURCE} as published: proportions rounded to two "
        "decimals, without sample sizes.",
        f"The interval on a level is indicative: it assumes {pas_interviews} interviews behind each borough "
        "figure (MOPAC interviews about 12,800 Londoners a year, about 400 per borough) and simple random "
        "sampling; survey weighting makes the real interval wider.",
        "Changes are descriptive, in percentage points, with no test: the PAS publishes no sample sizes, and "
        "successive quarters may share interviews. Compare a quarter with the same quarter a year earlier.",
    ]
    if series and not any(r["in_period"] for r in series):
        notes.append(f"No PAS quarter ends in {period.label()}; the latest published before it is shown.")
    if not series:
        notes.append(f"The PAS loaded has no figures for {pas_name}.")
    headline = next((r for r in levels if r["measure"] == measure), None)
    summary = {"measure": measure, "area_surveyed": pas_name, "level": headline,
               "summary": _headline(headline, pas_name)}
    tables = {"pas": [{k: v for k, v in r.items() if k != "in_period"} for r in series], "levels": levels}
    if responses is not None:
        wards = ward_trust(store, responses, measure=measure, period=period,
                           borough=area.code if area.level == "borough" else area.borough_code
                           if area.level == "ward" else None)
        tables["wards"] = wards.to_dict("records")
        notes.append("Ward estimates combine each ward's survey answers with its borough's PAS figure by "
                     "beta-binomial empirical-Bayes shrinkage (Efron & Morris 1975): few answers, strong pull "
                     "toward the borough; the 95% interval carries the uncertainty in how much wards differ.")
        if area.level == "ward":
            mine = wards[wards.ward_code == area.code]
            summary["ward_estimate"] = mine.iloc[0].to_dict() if len(mine) else None
            if not len(mine):
                notes.append(f"No survey responses from {area.name}: the borough figure applies.")
    elif area.level == "ward":
        notes.append(f"No ward survey responses were given: {area.name} borrows its borough's PAS figure.")
    return Result(
        method="trust",
        title=f"Trust and confidence in {area.name}, {period.label()}",
        summary=summary,
        tables=tables,
        area=area_dict(area),
        period={"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months},
        sources=[f"{PAS_SOURCE}: {', '.join(_pas_files(store))}"] + (
            ["OpenBeat ward surveys (responses table given)"] if responses is not None else []),
        notes=notes,
    )


# ---- PAS ----------------------------------------------------------------------------------


def _need_pas(store: Store) -> None:
    if not store.has("pas"):
        raise ValueError("no Public Attitude Survey is loaded; load MOPAC's PAS files with "
                         "`openbeat reference load <folder with PAS_buroughs.csv and PAS_Total.csv>`")


def _trust_area(store: Store, code: str) -> Area:
    from openbeat.analytics.stopsearch import search_area

    try:
        return search_area(store, code)  # a force known only from its searches too
    except UnknownArea:
        if code.upper() == "MPS":
            return Area("MPS", "Metropolitan Police Service", "force")
        raise


def _measures(store: Store) -> list[str]:
    return [m for (m,) in store.cursor().execute("SELECT DISTINCT measure FROM pas ORDER BY 1").fetchall()]


def _pas_files(store: Store) -> list[str]:
    return [f for (f,) in store.cursor().execute("SELECT DISTINCT file FROM pas ORDER BY 1").fetchall()]


def _pas_area(store: Store, area: Area) -> tuple[str, str]:
    """The PAS area for an area: its borough, or MPS-wide for a force."""
    if area.level == "force":
        return "MPS", "MPS-wide"
    code = area.code if area.level == "borough" else area.borough_code
    if code is None:
        raise ValueError(f"{area.name} has no borough, and the PAS is published by borough")
    return code, (area.name if area.level == "borough" else store.area(code).name)


def trust_period(store: Store, first: str | None, last: str | None) -> Period:
    """The period asked for; with no crimes in the lake, the latest 12 months of the PAS."""
    try:
        return store.period(first, last)
    except BadPeriod:
        if last:
            raise
        row = store.cursor().execute("SELECT max(quarter_end) FROM pas").fetchone()
        if not row or row[0] is None:
            raise
        end = row[0].replace(day=1)
        return store.period(first or f"{Period(end, end).shift(-11).first:%Y-%m}", f"{end:%Y-%m}")


def _month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def pas_table(store: Store, pas_code: str, period: Period) -> list[dict]:
    """Every measure's quarters in the period for one PAS area, MPS-wide beside it.

    When no quarter ends in the period, the latest four published before its end are
    given (``in_period`` False), so a page never shows nothing for want of a new release.
    """
    end = _month_end(period.last)
    rows = store.cursor().execute(
        """SELECT p.measure, p.quarter, p.quarter_end, p.proportion, m.proportion, p.file
           FROM pas p LEFT JOIN pas m ON m.level = 'force' AND m.measure = p.measure
                AND m.quarter_end = p.quarter_end
           WHERE p.area_code = ? AND p.quarter_end <= ? ORDER BY p.measure, p.quarter_end""",
        [pas_code, end]).fetchall()
    keep = [r for r in rows if r[2] >= period.first]
    if not keep:
        latest = sorted({r[2] for r in rows})[-4:]
        keep = [r for r in rows if r[2] in latest]
    year = {(r[0], r[2]): r[3] for r in rows}
    out = []
    for m, q, qe, p, mps, f in keep:
        before = year.get((m, _year_earlier(qe)))
        out.append({"measure": m, "quarter": q, "quarter_end": qe, "proportion": p,
                    "mps_proportion": mps if pas_code != "MPS" else None,
                    "year_earlier": before, "source_file": f, "in_period": qe >= period.first})
    return out


def _year_earlier(d: date) -> date:
    return _month_end(date(d.year - 1, d.month, 1))


def levels_table(series: list[dict], interviews: int, borough: bool) -> list[dict]:
    """Per measure: the latest level (indicative interval), change over the period and on a year."""
    by_measure: dict[str, list[dict]] = {}
    for r in series:
        by_measure.setdefault(r["measure"], []).append(r)
    out = []
    for m, rows in by_measure.items():
        first, last = rows[0], rows[-1]
        n = interviews if borough else interviews * 32
        lo, hi = wilson_interval(last["proportion"] * n, n)
        out.append({
            "measure": m, "quarter": last["quarter"], "level": last["proportion"],
            "low": lo, "high": hi, "assumed_interviews": n,
            "mps_level": last["mps_proportion"],
            "first_quarter": first["quarter"], "first_level": first["proportion"],
            "change_points": round(100 * (last["proportion"] - first["proportion"]), 1),
            "year_earlier": last["year_earlier"],
            "change_on_year_points": None if last["year_earlier"] is None
            else round(100 * (last["proportion"] - last["year_earlier"]), 1),
            "change_is": "descriptive (no sample sizes published)",
        })
    return out


def _headline(row: dict | None, name: str) -> str:
    if row is None:
        return f"No PAS figure for {name}."
    text = (f"{row['measure']} in {name}: {row['level']:.0%} in {row['quarter']} (indicative 95% interval "
            f"{row['low']:.0%} to {row['high']:.0%}).")
    if row["change_on_year_points"] is not None:
        d = row["change_on_year_points"]
        points = "point" if abs(d) == 1 else "points"
        text += (f" {abs(d):g} {points} {'higher' if d > 0 else 'lower'} than a year earlier" if d else
                 " The same as a year earlier") + " (descriptive: the PAS publishes no sample sizes, so no test)."
    return text


def borough_figure(store: Store, borough_code: str, measure: str, period: Period,
                   interviews: int = PAS_INTERVIEWS) -> Figure:
    """The latest PAS figure ending in (or, failing that, before) the period, with its interval."""
    if not store.has("pas"):
        return Figure(None, None, None, "none")
    row = store.cursor().execute(
        "SELECT proportion, quarter FROM pas WHERE area_code = ? AND measure = ? AND quarter_end <= ? "
        "ORDER BY quarter_end DESC LIMIT 1", [borough_code, measure, _month_end(period.last)]).fetchone()
    if row is None:
        return Figure(None, None, None, "none")
    lo, hi = wilson_interval(row[0] * interviews, interviews)
    return Figure(float(row[0]), lo, hi, "PAS", row[1], interviews)


# ---- ward surveys -----------------------------------------------------------------------------


ALIASES = {"agree": "yes", "responses": "n", "question": "measure", "ward": "ward_code"}


def read_responses(responses, measure: str | None = None) -> pd.DataFrame:
    """Responses as a DataFrame ``ward_code, yes, n`` (summed per ward), for one measure."""
    if isinstance(responses, (str, Path)):
        path = Path(responses)
        if not path.exists():
            raise ValueError(f"responses file {path} does not exist")
        df = pd.read_csv(path, dtype={"ward_code": str, "ward": str})
    elif isinstance(responses, pd.DataFrame):
        df = responses.copy()
    elif hasattr(responses, "to_pandas"):
        df = responses.to_pandas()
    else:
        raise ValueError("responses must be a pandas DataFrame, a pyarrow Table or a path to a CSV file")
    df = df.rename(columns={k: v for k, v in ALIASES.items() if k in df.columns and v not in df.columns})
    missing = [c for c in ("ward_code", "yes", "n") if c not in df.columns]
    if missing:
        raise ValueError(f"responses lack column(s) {missing}; expected ward_code, yes (agreeing answers), "
                         f"n (all answers) and optionally measure; got {list(df.columns)}")
    if measure is not None and "measure" in df.columns:
        df = df[df["measure"] == measure]
    for c in ("yes", "n"):
        bad = ~np.isfinite(pd.to_numeric(df[c], errors="coerce"))
        if bad.any():
            raise ValueError(f"responses: {c} is not a number for ward {df.loc[bad, 'ward_code'].iloc[0]}")
    df = df.assign(yes=pd.to_numeric(df["yes"]), n=pd.to_numeric(df["n"]))
    bad = (df["yes"] < 0) | (df["yes"] > df["n"])
    if bad.any():
        raise ValueError(f"responses: ward {df.loc[bad, 'ward_code'].iloc[0]} has yes outside 0..n")
    return df.groupby("ward_code", as_index=False)[["yes", "n"]].sum().astype({"yes": int, "n": int})


def ward_trust(store: Store, responses, *, measure: str = DEFAULT_MEASURE, period: Period | None = None,
               borough: str | None = None, interviews: int = PAS_INTERVIEWS) -> pd.DataFrame:
    """Ward estimates shrunk toward each ward's borough PAS figure, with 95% intervals.

    Returns one row per ward with responses (only ``borough``'s wards when given):
    ``ward_code``, ``ward_name``, ``borough_code``, ``yes``, ``n``, ``raw``,
    ``estimate``, ``low``, ``high``, ``weight`` (share of the estimate from the ward's
    own answers), ``borough_p``, ``borough_quarter``, ``kappa``, ``method``.
    """
    period = period or trust_period(store, None, None)
    df = read_responses(responses, measure)
    wards = {a.code: a for a in store.areas("ward")}
    unknown = sorted(set(df["ward_code"]) - set(wards))
    if unknown:
        raise ValueError(f"responses name ward(s) not loaded: {', '.join(unknown[:5])}"
                         + (" …" if len(unknown) > 5 else "") + "; use current (May 2022) ward codes")
    df["borough_code"] = df["ward_code"].map(lambda w: wards[w].borough_code)
    df["ward_name"] = df["ward_code"].map(lambda w: wards[w].name)
    if borough:
        df = df[df["borough_code"] == borough]
    parts = []
    for b, g in df.groupby("borough_code", sort=True):
        g = g.sort_values("ward_code")
        fig = borough_figure(store, b, measure, period, interviews)
        if fig.value is None or not 0 < fig.value < 1:
            raw = g["yes"] / g["n"].where(g["n"] > 0)
            ci = [wilson_interval(y, n) if n else (np.nan, np.nan) for y, n in zip(g["yes"], g["n"])]
            parts.append(g.assign(raw=raw, estimate=raw, low=[c[0] for c in ci], high=[c[1] for c in ci],
                                  weight=1.0, borough_p=np.nan, borough_quarter=None, kappa=np.nan,
                                  method="not shrunk: no PAS figure for the borough"))
            continue
        s = shrink_to_borough(g["yes"].to_numpy(), g["n"].to_numpy(), fig.value, wards=g["ward_code"].to_numpy())
        t = s.table.set_index("ward")
        parts.append(g.assign(raw=t.loc[g["ward_code"], "raw"].to_numpy(),
                              estimate=t.loc[g["ward_code"], "estimate"].to_numpy(),
                              low=t.loc[g["ward_code"], "low"].to_numpy(),
                              high=t.loc[g["ward_code"], "high"].to_numpy(),
                              weight=t.loc[g["ward_code"], "weight"].to_numpy(),
                              borough_p=fig.value, borough_quarter=fig.quarter, kappa=s.kappa, method=s.method))
    cols = ["ward_code", "ward_name", "borough_code", "yes", "n", "raw", "estimate", "low", "high", "weight",
            "borough_p", "borough_quarter", "kappa", "method"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def area_trust(store: Store, areas: list[Area], period: Period, *, measure: str = DEFAULT_MEASURE,
               responses=None, interviews: int = PAS_INTERVIEWS) -> dict[str, Figure]:
    """A trust figure with an interval for each borough or ward.

    Boroughs: the PAS (indicative interval). Wards: the shrunk survey estimate where the
    ward has responses, else its borough's PAS figure, marked borrowed.
    """
    out: dict[str, Figure] = {}
    boroughs: dict[str, Figure] = {}

    def of_borough(code):
        if code not in boroughs:
            boroughs[code] = borough_figure(store, code, measure, period, interviews) if code else Figure(
                None, None, None, "none")
        return boroughs[code]

    shrunk = {}
    if responses is not None and any(a.level == "ward" for a in areas):
        w = ward_trust(store, responses, measure=measure, period=period, interviews=interviews)
        shrunk = {r["ward_code"]: r for r in w.to_dict("records")}
    for a in areas:
        if a.level == "borough":
            out[a.code] = of_borough(a.code)
        elif a.code in shrunk:
            r = shrunk[a.code]
            out[a.code] = Figure(r["estimate"], r["low"], r["high"], "ward survey (shrunk to the borough)",
                                 r["borough_quarter"], int(r["n"]))
        else:
            b = of_borough(a.borough_code)
            out[a.code] = Figure(b.value, b.low, b.high, "PAS (borrowed from the borough)" if b.value is not None
                                 else "none", b.quarter, b.n)
    return out


# ---- the trust pulse: residents' own answers, weighted to the ward's census profile ----

#: Fewer answers than this for a measure in a ward: the ward shows its borough's figure.
PULSE_MIN_ANSWERS = 10


def pulse_responses(answers: pd.DataFrame, profiles: pd.DataFrame | None = None, *,
                    min_answers: int = PULSE_MIN_ANSWERS) -> pd.DataFrame:
    """Weighted ward answers of the trust pulse as responses (``ward_code, measure, yes, n``)
    for :func:`ward_trust`, with how they were weighted.

    answers : one row per respondent: ``ward_code``, ``age_band``, ``sex`` (empty when not
        given) and one column per PAS measure holding 1 (agrees), 0, or NaN (not answered).
    profiles : ``ward_code, age_band, sex, population`` (Census 2021 age × sex), optional.

    A ward's respondents who gave both age band and sex are raked to the ward's age and sex
    margins (:func:`openbeat.stats.weighting.rake`); those who did not keep the average
    weight. For each measure the weighted share and Kish's design effect give an effective
    sample ``n_eff = answers / deff``; ``yes`` and ``n`` are that share and sample in whole
    answers (rounded), so the shrinkage's interval carries the design effect. ``used`` is
    False (and ``note`` says why) where a measure has fewer than ``min_answers`` answers.
    """
    from openbeat.stats.weighting import rake, weighted_share

    measures = [c for c in answers.columns if c not in ("ward_code", "age_band", "sex")]
    rows = []
    for ward, g in answers.groupby("ward_code", sort=True):
        g = g.reset_index(drop=True)
        w = np.ones(len(g))
        note = "not weighted: no age × sex profile loaded for the ward"
        prof = profiles[profiles["ward_code"] == ward] if profiles is not None else None
        if prof is not None and len(prof):
            known = ((g["age_band"].fillna("") != "") & (g["sex"].fillna("") != "")).to_numpy()
            if known.sum() >= 2:
                margins = {"age_band": prof.groupby("age_band")["population"].sum().to_dict(),
                           "sex": prof.groupby("sex")["population"].sum().to_dict()}
                raked = rake({m: g.loc[known, m].to_numpy() for m in margins}, margins)
                w[known] = raked.weights
                note = (f"raked to Census 2021 age and sex ({int(known.sum())} of {len(g)} gave both)"
                        + (f"; no answers from {', '.join(c for _, c in raked.dropped)}" if raked.dropped else ""))
            else:
                note = "not weighted: too few answers gave an age band and sex"
        for m in measures:
            ok = g[m].notna().to_numpy()
            k = int(ok.sum())
            if k == 0:
                continue
            ws = weighted_share(g.loc[ok, m].to_numpy(dtype=float), w[ok])
            n_eff = max(int(round(ws.n_eff)), 1)
            rows.append({"ward_code": ward, "measure": m, "answers": k, "share": ws.share, "low": ws.low,
                         "high": ws.high, "deff": ws.deff, "n_eff": ws.n_eff,
                         "yes": int(round(ws.share * n_eff)), "n": n_eff, "used": k >= min_answers,
                         "note": note if k >= min_answers else
                         f"only {k} answer{'s' if k != 1 else ''} (fewer than {min_answers}): the borough's "
                         "figure is shown"})
    cols = ["ward_code", "measure", "answers", "share", "low", "high", "deff", "n_eff", "yes", "n", "used", "note"]
    return pd.DataFrame(rows, columns=cols)
