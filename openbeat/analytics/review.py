"""A quarterly progress review: the figures of a force, borough or ward for one quarter, frozen.

A review gathers what the rest of the platform computes, for the three months of a
quarter, with the methods and coverage rules each figure already has:

* **crime** — :func:`openbeat.analytics.profiles.area_profile` over the quarter (change
  against the same months a year earlier: Poisson E-test and Wheeler's z), and over the
  12 months to the quarter's end for the monthly trend;
* **scorecard** — :func:`openbeat.analytics.scorecard.scorecard` of the force or borough
  (a ward: its borough's, of which the ward's own row is the one read);
* **hotspots** — Gi* on the 250 m grid (:func:`openbeat.analytics.hotspots.hotspots`);
* **stop and search** — :func:`openbeat.analytics.stopsearch.stop_search` for the quarter,
  and for the 12 months to its end (the monthly trend);
* **trust** — the Public Attitude Survey (:func:`openbeat.analytics.trust.trust`).

A figure the coverage model declines (a force that did not publish the months, no PAS
for the area) is kept as the sentence that says why, never as a zero. Community figures
(events, feedback, priorities, the trust pulse) come from the web app's database and
are passed in as plain dictionaries: this library imports no Django.

:func:`headlines` turns the figures into statements, each from one figure with its
interval or test; :func:`changes` compares a review with the previous one, each change
tested (counts: Poisson E-test; proportions: the two-sample score test of
:func:`statsmodels.stats.proportion.test_proportions_2indep`; ratios: a z-test on the
difference of log ratios, whose standard errors are those of the Katz intervals); and
:func:`revisions` says which frozen figures the current lake would now give differently.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass
from datetime import date

from openbeat.analytics import wording
from openbeat.analytics.result import jsonable
from openbeat.analytics.store import Store

#: Gi* permutations for a review's hot spots (999: p-values to 0.001, in seconds on a force).
PERMUTATIONS = 999
#: Hot spot cells kept in a review (the hottest, by z); the counts of all cells are in its summary.
HOTSPOT_ROWS = 10
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
Z95 = 1.959963984540054


class BadQuarter(ValueError):
    """A quarter not written YYYY-Qn."""


@dataclass(frozen=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        m = _QUARTER.match(str(text).strip())
        if not m:
            raise BadQuarter(f"{text!r} is not a quarter; write YYYY-Qn, e.g. 2025-Q4")
        return cls(int(m[1]), int(m[2]))

    @classmethod
    def of(cls, d: date) -> Quarter:
        return cls(d.year, (d.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.q}"

    @property
    def first(self) -> str:
        return f"{self.year}-{3 * self.q - 2:02d}"

    @property
    def last(self) -> str:
        return f"{self.year}-{3 * self.q:02d}"

    @property
    def last_day(self) -> date:
        nxt = self.shift(1)
        return date.fromordinal(date(nxt.year, 3 * nxt.q - 2, 1).toordinal() - 1)

    def shift(self, n: int) -> Quarter:
        i = self.year * 4 + self.q - 1 + n
        return Quarter(i // 4, i % 4 + 1)

    def label(self) -> str:
        months = ["January", "April", "July", "October"][self.q - 1], ["March", "June", "September", "December"][self.q - 1]
        return f"{self} ({months[0]} to {months[1]} {self.year})"


def latest_quarters(store: Store, n: int) -> list[Quarter]:
    """The last ``n`` whole quarters the lake's crimes cover, oldest first."""
    months = store.months()
    if not months:
        return []
    last = months[-1]
    q = Quarter.of(last)
    if last.month % 3 != 0:  # the quarter is not over yet in the lake
        q = q.shift(-1)
    return [q.shift(-i) for i in range(n - 1, -1, -1)]


# ---- lake state ---------------------------------------------------------------------------


def lake_state(store: Store) -> dict:
    """What the lake held: each police partition's source (sha256 from the manifest's newest
    line) and each reference dataset's file (size and time), with a signature over both."""
    lake = store.lake
    newest: dict[str, str] = {}
    for r in lake.manifest_rows():
        newest[f"{r['dataset']}/{r['force']}/{r['month']:%Y-%m}"] = r["sha256"]
    reference = {}
    for name in lake.reference_names():
        try:
            st = os.stat(lake.table_path(name))
            reference[name] = f"{st.st_size}-{st.st_mtime_ns}"
        except FileNotFoundError:
            continue
    body = {"partitions": dict(sorted(newest.items())), "reference": dict(sorted(reference.items()))}
    body["signature"] = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return body


def state_changes(then: dict, now: dict, *, first: str, last: str) -> list[str]:
    """Partitions of months ``first``..``last`` (YYYY-MM) re-published or removed since ``then``."""
    out = []
    old, new = then.get("partitions", {}), now.get("partitions", {})
    for key in sorted(set(old) | set(new)):
        month = key.rsplit("/", 1)[-1]
        if not first <= month <= last or old.get(key) == new.get(key):
            continue
        dataset, force, _ = key.split("/")
        what = {"crimes": "street crimes", "outcomes": "outcomes", "stop_searches": "stop and search"}.get(dataset, dataset)
        verb = "first published" if key not in old else "withdrawn" if key not in new else "re-published"
        out.append(f"{force}'s {what} for {month} {verb}")
    for name in sorted(set(then.get("reference", {})) | set(now.get("reference", {}))):
        if then.get("reference", {}).get(name) != now.get("reference", {}).get(name):
            out.append(f"reference data '{name}' reloaded")
    return out


# ---- figures ------------------------------------------------------------------------------


def _section(compute) -> dict:
    from openbeat.analytics.coverage import CannotCompare

    try:
        return compute()
    except (CannotCompare, ValueError, LookupError) as exc:
        return {"declined": str(exc)}


def review_figures(store: Store, code: str, quarter: str, *, responses=None) -> dict:
    """Every lake figure of a review of ``code`` (force slug, borough or ward) for ``quarter``.

    Each section is the analytics function's own result (``Result.as_dict()``), so a
    review's figures equal the live figures on the same lake state; hot spots keep their
    summary and hottest cells only. ``responses``: the ward survey file the trust
    estimates use (the web app's pulse export), if any.
    """
    from openbeat.analytics.hotspots import hotspots
    from openbeat.analytics.profiles import area_profile
    from openbeat.analytics.scorecard import scorecard
    from openbeat.analytics.stopsearch import stop_search
    from openbeat.analytics.trust import trust

    q = Quarter.parse(quarter)
    area = store.area(code)
    if area.level not in ("force", "borough", "ward"):
        raise ValueError(f"a review covers a force, borough or ward; {area.name} is a {area.level}")
    first, last = q.first, q.last
    year_first = q.shift(-3).first
    card_code = area.borough_code if area.level == "ward" else area.code

    def hot():
        r = hotspots(store, area.code, first, last, permutations=PERMUTATIONS).as_dict()
        cells = sorted(r["tables"].get("cells", []), key=lambda c: -(c.get("gi_z") or 0))[:HOTSPOT_ROWS]
        return r | {"tables": {"hottest_cells": cells, "concentration": r["tables"].get("concentration", [])}}

    sections = {
        "crime": _section(lambda: area_profile(store, area.code, first, last).as_dict()),
        "crime_year": _section(lambda: area_profile(store, area.code, year_first, last).as_dict()),
        "scorecard": _section(lambda: scorecard(store, card_code, first, last, responses=responses).as_dict()),
        "hotspots": _section(hot),
        "stop_search": _section(lambda: stop_search(store, area.code, first, last).as_dict()),
        "stop_search_year": _section(lambda: stop_search(store, area.code, year_first, last).as_dict()),
        "trust": _section(lambda: trust(store, area.code, first, last, responses=responses).as_dict()),
    }
    return jsonable({
        "area": {"code": area.code, "name": area.name, "level": area.level,
                 "borough_code": area.borough_code if area.level == "ward" else None},
        "quarter": str(q), "quarter_label": q.label(), "period": {"from": first, "to": last},
        "sections": sections,
    })


# ---- statements -----------------------------------------------------------------------------


def _pct(x) -> str:
    return "—" if x is None else f"{x:.1%}"


def _num(x) -> str:
    return "—" if x is None else f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.2f}"


def _row(rows: list[dict], code: str) -> dict | None:
    return next((r for r in rows if r.get("code") == code), None)


def headlines(figures: dict, community: dict | None = None) -> list[dict]:
    """The review's statements, each generated from one figure with its test or interval.

    Each is ``{key, theme, label, value, low, high, statement, method}`` (``value`` None
    where the figure is declined; the statement then says why).
    """
    s, area = figures["sections"], figures["area"]
    out: list[dict] = []

    def add(key, theme, label, value, statement, method, low=None, high=None, **extra):
        out.append({"key": key, "theme": theme, "label": label, "value": value, "low": low, "high": high,
                    "statement": statement, "method": method, **extra})

    crime = s["crime"]
    if "declined" in crime:
        add("crimes", "Less crime", "Crimes this quarter", None, f"No crime figure: {crime['declined']}", "")
    else:
        sm = crime["summary"]
        ch = sm.get("change")
        add("crimes", "Less crime", "Crimes this quarter", sm["crimes"],
            f"{sm['crimes']:,} crimes were recorded in {area['name']} in {figures['quarter_label']} "
            "(anti-social behaviour not included). "
            + (wording.crime_change(ch).lead if ch else (sm.get("change_declined") or "")),
            ((wording.crime_change(ch).how + " ") if ch else "")
            + "Poisson E-test (Krishnamoorthy & Thomson 2004) against the same months a year earlier; Wheeler's z "
            "flags shifts beyond ±3.", count=sm["crimes"],
            p_value=ch["p_value"] if ch else None, direction=ch["direction"] if ch else "not comparable",
            compared_with=ch["c1"] if ch else None,
            like_for_like=wording.crime_change(ch).lead if ch else (sm.get("change_declined") or None))
        if sm.get("harm_days_per_1000") is not None:
            add("harm", "Less crime", "Harm per 1,000 residents a year", sm["harm_days_per_1000"],
                f"Crime here did harm equal to {sm['harm_days_per_1000']:,.0f} days of imprisonment per 1,000 "
                "residents a year (a category-level weighting, not a measured figure; no interval).",
                "Cambridge Crime Harm Index weights (Sherman, Neyroud & Neyroud 2016) per police.uk category.")
    hs = s["hotspots"]
    if "declined" not in hs:
        sm = hs["summary"]
        hot = (sm.get("hot_95") or 0) + (sm.get("hot_99") or 0)
        add("hotspots", "Less crime", "Hot spot cells", hot,
            (f"{hot:,} of {sm['cells']:,} {sm['unit']} are hot spots (Gi*, false discovery rate 5%); "
             if hot else f"None of the {sm['cells']:,} {sm['unit']} stands out as a hot spot beyond chance (Gi*, false discovery "
               "rate 5%); ")
            + f"the busiest 5% of cells held {_pct(sm.get('share_of_crime_in_top_5pct_of_cells'))} of crime.",
            f"Getis-Ord Gi* with {sm.get('permutations')} conditional permutations and Benjamini–Hochberg FDR.")
    ss = s["stop_search"]
    if "declined" in ss:
        add("searches", "High standards", "Stop and search", None, f"No stop-and-search figure: {ss['declined']}", "")
    else:
        sm = ss["summary"]
        add("searches", "High standards", "Searches this quarter", sm["searches"],
            f"{sm['searches']:,} stop and searches were placed in {area['name']} this quarter"
            + (f" ({sm['searches_not_placed']:,} of the force's searches had no location and are in no area)."
               if sm.get("searches_not_placed") else "."),
            "Counted where the search's coordinates fall, whichever force made it.", count=sm["searches"])
        r = sm.get("black_white_ratio") or {}
        if r.get("ratio") is not None:
            add("black_white_ratio", "High standards", "Black/White search ratio", r["ratio"],
                wording.disproportionality(r, area_name=area["name"], level=area["level"]).lead,
                "Rates per 1,000 residents (Census 2021 ethnic group); Katz log interval (Katz et al. 1978).",
                r.get("ratio_low"), r.get("ratio_high"))
        else:
            add("black_white_ratio", "High standards", "Black/White search ratio", None,
                wording.disproportionality(r, area_name=area["name"], level=area["level"]).lead, "")
        for key, what in (("find_rate", "Find rate"), ("arrest_rate", "Arrest rate")):
            f = sm.get(key) or {}
            add(key, "High standards", what, f.get("value"), f.get("summary") or "Not recorded.",
                "Wilson score interval (Wilson 1927).", f.get("low"), f.get("high"),
                **_rate_counts(ss, key))
    tr = s["trust"]
    if "declined" in tr:
        add("trust", "More trust", "Trust (Public Attitude Survey)", None, f"No survey figure: {tr['declined']}", "")
    else:
        lv = tr["summary"].get("level") or {}
        said = wording.trust({"measure": tr["summary"]["measure"], **lv}, area_name=area["name"])
        add("trust", "More trust", f"{wording.measure_words(tr['summary']['measure'])[:1].upper()}"
            f"{wording.measure_words(tr['summary']['measure'])[1:]} (Public Attitude Survey)", lv.get("level"),
            said.lead, said.how + " Indicative Wilson interval assuming the PAS's typical interviews; changes "
            "are descriptive (no sample sizes published).", lv.get("low"), lv.get("high"))
    for f in (community or {}).get("pulse", []):
        if f.get("shown") is not None:
            add(f"pulse:{f['code']}:{f['measure']}", "More trust", f"{f['short']} in {f['name']} (trust pulse)",
                f["shown"], f"{f['short']} in {f['name']}: {_pct(f['shown'])} (95% interval {_pct(f['shown_low'])} "
                f"to {_pct(f['shown_high'])}), {f['shown_source']}; {f['answers']:,} answers.",
                "Answers weighted to the ward's census profile, shrunk toward the borough's PAS figure "
                "(beta-binomial empirical Bayes).", f["shown_low"], f["shown_high"])
    eng = (community or {}).get("engagement")
    if eng:
        add("events_held", "Engagement", "Meetings held", eng["events_held"],
            f"{eng['events_held']:,} public meetings were held in the 12 months to the quarter's end, "
            f"with {eng['attended']:,} attendances recorded.", "Counted from the platform's own records.")
        # every PAS question asked after meetings; "good_job" keeps the key older reviews used
        for m in eng.get("measures") or ():
            if not m.get("n"):
                continue
            add("good_job" if m["name"] == "good_job" else f"feedback:{m['name']}", "Engagement",
                f"Feedback: {m['label']}", m["share"],
                f"{m['yes']:,} of {m['n']:,} people who answered after a meeting agreed: {m['label']} "
                f"({_pct(m['share'])}, 95% interval {_pct(m['low'])} to {_pct(m['high'])}).",
                "Wilson score interval.", m["low"], m["high"], k=m["yes"], n=m["n"])
        add("priorities", "Engagement", "Residents' priorities", eng["adopted"],
            f"Residents proposed {wording.plural(eng['proposed'], 'priority', 'priorities')}; the team adopted "
            f"{eng['adopted']:,} and {eng['resolved']:,} {'was' if eng['resolved'] == 1 else 'were'} closed as "
            "resolved.", "Counted from the platform's own records.")
    return out


def _rate_counts(ss: dict, key: str) -> dict:
    """k and n of a find or arrest rate, from the by-legislation rows (they add up to the whole)."""
    rows = ss["tables"].get("by_legislation", [])
    if key == "find_rate":
        return {"k": sum(r.get("finds") or 0 for r in rows), "n": sum(r.get("find_recorded_on") or 0 for r in rows)}
    k = sum(r.get("arrests") or 0 for r in rows)
    rate = (ss["summary"].get("arrest_rate") or {}).get("value")
    # searches with an outcome recorded: k / rate recovers it exactly (rates are k/n)
    return {"k": k, "n": round(k / rate) if rate else None}


# ---- since the last review ----------------------------------------------------------------------


def _z_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def _fmt_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"


def changes(previous: list[dict], current: list[dict], *, previous_label: str, current_label: str,
            alpha: float = 0.05) -> list[dict]:
    """What changed since the previous review, one entry per headline both reviews have.

    Each is ``{key, label, before, after, verdict, statement, method, p_value}``; the
    verdict is "better", "worse", "no significant change", "not tested" (with why), "higher" or
    "lower" (searches: neither better nor worse) or, for crimes, "cannot tell": crime's verdict
    is the current review's own change against the same months a year earlier, never the
    quarter-on-quarter test, whose quarters are different seasons.
    """
    from openbeat.stats.change import compare_counts

    before = {h["key"]: h for h in previous}
    out = []
    for h in current:
        p = before.get(h["key"])
        if p is None or p.get("value") is None or h.get("value") is None:
            continue
        key, a, b = h["key"], p["value"], h["value"]
        entry = {"key": key, "label": h["label"], "before": a, "after": b, "p_value": None}
        lower_is_better = key in ("crimes", "harm", "hotspots", "black_white_ratio")
        if key == "crimes":
            # A quarter against the one before crosses seasons (summer against autumn), so it is
            # not like with like: its E-test is shown, but the verdict is the review's own change
            # against the same months a year earlier, or none where that was not given.
            ch = compare_counts(int(a), int(b), label1=previous_label, label2=current_label)
            entry["p_value"] = ch.p_value
            entry["method"] = ("Poisson E-test on the two quarters' counts, shown for reference only: seasons differ "
                               "between quarters, so the verdict comes from this review's change against the same "
                               "months a year earlier (Poisson E-test), the like-for-like comparison.")
            yoy = h.get("direction")
            entry["verdict"] = (_verdict(yoy, lower_is_better=True) if yoy not in (None, "not comparable")
                                else "cannot tell")
            like = h.get("like_for_like") or (
                "There is no comparison with the same months a year earlier, so no verdict is given."
                if entry["verdict"] == "cannot tell" else "")
            entry["statement"] = (
                f"{h['label']}: {int(b):,} in {current_label} against {int(a):,} in {previous_label} "
                f"({_fmt_p(ch.p_value)}), but the two quarters are different seasons, so that is not like with like. "
                + (f"Like for like, {like[:1].lower() + like[1:]}" if like else "")).rstrip()
        elif key == "searches":
            ch = compare_counts(int(a), int(b), label1=previous_label, label2=current_label)
            entry["p_value"] = ch.p_value
            entry["method"] = ("Poisson E-test on the two quarters' counts. Seasons differ between quarters; each "
                               "review's own change against the same months a year earlier is the like-for-like one.")
            direction = ch.direction
            entry["verdict"] = _verdict(direction, lower_is_better=False, neutral=True)
            entry["statement"] = f"{h['label']}: {int(b):,} in {current_label} against {int(a):,} in {previous_label}; " + (
                f"a change this large is unlikely to be chance ({_fmt_p(ch.p_value)})." if direction != "no significant change"
                else f"the difference could be chance ({_fmt_p(ch.p_value)}).")
        elif (key in ("find_rate", "arrest_rate", "good_job") or key.startswith("feedback:")) and p.get("n") and h.get("n"):
            from statsmodels.stats.proportion import test_proportions_2indep

            t = test_proportions_2indep(h["k"], h["n"], p["k"], p["n"], method="score", compare="diff")
            entry["p_value"] = float(t.pvalue)
            entry["method"] = "Two-sample score test of proportions (Miettinen & Nurminen 1985; statsmodels)."
            sig = t.pvalue < alpha
            direction = "no significant change" if not sig else ("up" if b > a else "down")
            entry["verdict"] = _verdict(direction, lower_is_better=False, neutral=key == "arrest_rate")
            entry["statement"] = (f"{h['label']}: {_pct(b)} ({h['k']:,} of {h['n']:,}) against {_pct(a)} "
                                  f"({p['k']:,} of {p['n']:,}); " + (
                                      f"the change is unlikely to be chance ({_fmt_p(t.pvalue)})." if sig
                                      else f"the difference could be chance ({_fmt_p(t.pvalue)})."))
        elif key == "black_white_ratio" and all(x.get(k) for x in (h, p) for k in ("low", "high")):
            se = [(math.log(x["high"]) - math.log(x["low"])) / (2 * Z95) for x in (p, h)]
            z = (math.log(b) - math.log(a)) / math.hypot(*se)
            pv = _z_p(z)
            entry["p_value"] = pv
            entry["method"] = ("z-test on the difference of the log ratios, each standard error taken from its Katz "
                               "interval (quarters' searches are independent); overlapping intervals alone would "
                               "not show the difference is chance.")
            direction = "no significant change" if pv >= alpha else ("up" if b > a else "down")
            entry["verdict"] = _verdict(direction, lower_is_better=True)
            entry["statement"] = (f"Black residents were searched at {b:.2f} times the White rate, against {a:.2f} "
                                  f"last review; " + (f"the change is unlikely to be chance ({_fmt_p(pv)})." if pv < alpha
                                                      else f"the difference could be chance ({_fmt_p(pv)})."))
        elif key.startswith("pulse:") and all(x.get(k) is not None for x in (h, p) for k in ("low", "high")):
            se = [(x["high"] - x["low"]) / (2 * Z95) for x in (p, h)]
            z = (b - a) / math.hypot(*se) if any(se) else 0.0
            pv = _z_p(z)
            entry["p_value"] = pv
            entry["method"] = ("Approximate z-test on the two estimates, standard errors from their 95% intervals; "
                               "pooled answers can overlap between quarters, which makes this test generous.")
            direction = "no significant change" if pv >= alpha else ("up" if b > a else "down")
            entry["verdict"] = _verdict(direction, lower_is_better=False)
            entry["statement"] = (f"{h['label']}: {_pct(b)} against {_pct(a)}; " + (
                f"the change is unlikely to be chance ({_fmt_p(pv)})." if pv < alpha
                else f"the difference could be chance ({_fmt_p(pv)})."))
        elif key == "trust":
            entry["verdict"] = "not tested"
            entry["method"] = "The Public Attitude Survey publishes no sample sizes, so its changes are descriptive."
            entry["statement"] = (f"{h['label']}: {_pct(b)} against {_pct(a)} ({(b - a) * 100:+.0f} points); "
                                  "not tested, because the survey publishes no sample sizes.")
        else:
            entry["verdict"] = "not tested"
            entry["method"] = {
                "harm": "Descriptive: harm is a weighted sum of counts with no interval of its own; the crime count "
                        "above carries the test.",
                "hotspots": "Descriptive: each cell is tested within its own review; the number of cells is not.",
            }.get(key, "Descriptive: a count of the platform's own records, not a sample, so no test applies.")
            entry["statement"] = f"{h['label']}: {_num(b)} against {_num(a)} (descriptive, not tested)."
        out.append(entry)
    return out


def _verdict(direction: str, *, lower_is_better: bool, neutral: bool = False) -> str:
    if direction in ("no significant change", "not comparable"):
        return direction
    if neutral:
        return "higher" if direction == "up" else "lower"
    return "better" if (direction == "down") == lower_is_better else "worse"


def commitments(previous_priorities: list[dict], current_priorities: list[dict]) -> list[dict]:
    """The priorities adopted by the previous review, and where each stands now: met
    (closed resolved), not met (closed not resolved), or still open."""
    now = {p["id"]: p for p in current_priorities}
    out = []
    for p in previous_priorities:
        if not p.get("adopted_on"):
            continue
        c = now.get(p["id"], p)
        verdict = {"resolved": "met", "not_resolved": "not met"}.get(c.get("outcome") or "", "still open")
        out.append({"id": p["id"], "title": c["title"], "ward_code": c.get("ward_code"), "verdict": verdict,
                    "summary": c.get("summary") or "", "url": c.get("url"), "evidence": c.get("evidence")})
    return out


# ---- revisions -------------------------------------------------------------------------------


def revisions(frozen: list[dict], live: list[dict]) -> list[str]:
    """Headlines whose figure the current lake gives differently: "label: was → now"."""
    now = {h["key"]: h for h in live}
    out = []
    for h in frozen:
        n = now.get(h["key"])
        if n is None or not _differs(h.get("value"), n.get("value")):
            continue
        fmt = _pct if isinstance(h.get("value"), float) and h["value"] <= 1 and "rate" in h["key"] else _num
        out.append(f"{h['label']}: {fmt(h.get('value'))} when published, {fmt(n.get('value'))} now")
    return out


def _differs(a, b) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return not math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
