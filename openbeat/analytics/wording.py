"""Plain words first: every verdict as a sentence a resident understands, the test underneath.

Pure functions from the analytics results' summaries (plain dicts, as
:class:`~openbeat.analytics.result.Result` holds them) to sentences. The pages, the API's
``plain`` fields and the CLI all take their wording from here, so one verdict reads the same
everywhere. Each verdict is a :class:`Verdict`: ``lead`` says what it means, with the size of
the change in words and numbers; ``how`` keeps the test, its p-value and the method (a page
puts it one click down, under "How we know"). The style guide is docs/wording.md; the tests
in tests/analytics/test_wording.py pin every sentence whole.

>>> crime_change({"c1": 3121, "c2": 2887, "ratio": 2887 / 3121, "p_value": 0.0025,
...               "wheeler_z": -4.27, "flag": True, "direction": "down"}).lead
'About 7% fewer crimes than the same months a year earlier (2,887 against 3,121): more than normal year-to-year variation.'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

#: A change smaller than this share is called small, however sure the test is of it.
SMALL = 0.05


@dataclass(frozen=True)
class Verdict:
    """A verdict in plain words (``lead``) and the evidence behind it (``how``)."""

    lead: str
    how: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"lead": self.lead, "how": self.how}


# ---- numbers, months and names ----------------------------------------------------------


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def number(value) -> str:
    """A count with thousands separators: 2887 → "2,887"; 12.34 → "12.3"."""
    if not _finite(value):
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def plural(n, one: str, many: str | None = None) -> str:
    """ "1 point", "2 points", "1,204 crimes"."""
    return f"{number(n)} {one if n == 1 else (many or one + 's')}"


def points(value: float) -> str:
    """A difference in percentage points, from a proportion difference or a number of points."""
    return plural(abs(value), "point")


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})[- ]?Q([1-4])$")


def month(value: str | None) -> str:
    """ "2025-01" → "January 2025"; a quarter "2025-Q3" → "the quarter to September 2025"."""
    if not value:
        return ""
    text = str(value)
    if m := _MONTH.match(text):
        return dt.date(int(m[1]), int(m[2]), 1).strftime("%B %Y")
    if m := _QUARTER.match(text):
        return "the quarter to " + dt.date(int(m[1]), int(m[2]) * 3, 1).strftime("%B %Y")
    return text


def period(first: str | None, last: str | None = None) -> str:
    """ "2025-01", "2025-12" → "January 2025 to December 2025" (one month once)."""
    a, b = month(first), month(last or first)
    return a if a == b else f"{a} to {b}"


def months_in_words(text: str) -> str:
    """Every "YYYY-MM" in a sentence written as words (for labels built elsewhere)."""
    return _MONTH_ANY.sub(lambda m: month(m[0]), text)


_MONTH_ANY = re.compile(r"\b\d{4}-(0[1-9]|1[0-2])\b")

#: The trust survey behind each force's figures (police.uk force slug).
SURVEYS = {
    "metropolitan": ("MOPAC's Public Attitude Survey",),
    "northbridge": ("the demo's synthetic copy of MOPAC's Public Attitude Survey",),
}


def survey_name(force: str | None) -> str:
    """The trust survey of a force (its police.uk slug), by its own name."""
    return SURVEYS.get(force or "", ("the Public Attitude Survey",))[0]


# ---- change in counts -------------------------------------------------------------------


def _share(ratio: float) -> str:
    pct = abs(ratio - 1) * 100
    return "less than 1%" if pct < 1 else f"about {pct:.0f}%"


def _how_much(ratio: float, what: str) -> str:
    """ "about 7% fewer crimes than", "about 3 times as many crimes as", "no crimes, against"."""
    if ratio >= 2:
        return f"about {ratio:.0f} times as many {what} as" if ratio >= 2.95 else f"about {ratio:.1f} times as many {what} as"
    return f"{_share(ratio)} {'more' if ratio > 1 else 'fewer'} {what} than"


def _p(p) -> str:
    if not _finite(p):
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def change_size(change: dict) -> str:
    """A change's size in a table cell: "About 7% fewer", "About 2% more (small)", "No clear change"."""
    ratio, direction = change.get("ratio"), change.get("direction")
    if direction in (None, "not comparable"):
        return "Not comparable"
    if not _finite(ratio):
        return "None before" if change.get("c2") else "None in either"
    if ratio == 0:
        return f"None, from {number(change.get('c1'))}" if direction != "no significant change" else (
            f"No clear change (none, from {number(change.get('c1'))}, within chance)")
    size = _how_much(ratio, "").replace("  ", " ").removesuffix(" than").removesuffix(" as").strip()
    if direction == "no significant change":
        return f"No clear change ({size}, within chance)" if abs(ratio - 1) >= 0.01 else "No clear change"
    return size[:1].upper() + size[1:] + (" (small)" if abs(ratio - 1) < SMALL else "")


def crime_change(change: dict, *, what: str = "crimes", against: str = "the same months a year earlier") -> Verdict:
    """Counts in two like periods (:meth:`openbeat.stats.change.Change.as_dict`) in plain words."""
    c1, c2, ratio = change["c1"], change["c2"], change.get("ratio")
    direction = change["direction"]
    counts = f"{number(c2)} against {number(c1)}"
    if not c1 and not c2:
        return Verdict(f"No {what} were recorded in either period.", "")
    how = _change_how(change)
    if not c1:
        return Verdict(f"{plural(c2, what[:-1] if what.endswith('s') else what, what)} recorded, against none in "
                       f"{against}.", how)
    size, word = _share(ratio), ("more" if ratio > 1 else "fewer")
    if direction == "no significant change":
        size_note = f" ({size} {word})," if abs(ratio - 1) >= 0.01 else ","
        return Verdict(f"About the same as {against}: {number(c2)} {what} against {number(c1)}{size_note} within "
                       "normal year-to-year variation.", how)
    if abs(ratio - 1) < SMALL:
        rise = "rise" if ratio > 1 else "fall"
        return Verdict(f"A small {rise}: {size} {word} {what} than {against} ({counts}). It is small, but more than "
                       "normal year-to-year variation.", how)
    if not c2:
        return Verdict(f"No {what} recorded, against {number(c1)} in {against}: more than normal year-to-year "
                       "variation.", how)
    said = _how_much(ratio, what)
    return Verdict(f"{said[:1].upper() + said[1:]} {against} ({counts}): more than normal year-to-year variation.", how)


def _change_how(change: dict) -> str:
    ratio, p, z = change.get("ratio"), change.get("p_value"), change.get("wheeler_z")
    text = f"Rate ratio {ratio:.2f}. " if _finite(ratio) else ""
    if change["direction"] == "no significant change":
        text += f"Poisson E-test {_p(p)}: a difference this size often happens by chance."
    else:
        text += f"Poisson E-test {_p(p)}: a change this large is unlikely to be chance alone."
    if _finite(z):
        text += (f" Wheeler's z = {z:.2f} is beyond ±3: a clear shift." if change.get("flag") else
                 f" Wheeler's z = {z:.2f} is within ±3, so it is not flagged as a clear shift.")
    return text + " (Krishnamoorthy & Thomson 2004; Wheeler 2016.)"


# ---- outcomes ---------------------------------------------------------------------------


def charged(share: float | None, *, crimes: int | None = None) -> str:
    """The share of crimes charged, as a resident reads it: "About 1 in 12 crimes (8.3%) …"."""
    if not _finite(share):
        return "No outcomes are recorded for these crimes."
    if share <= 0:
        return "None of the crimes recorded here led to a charge or summons, as far as police.uk shows."
    one_in = round(1 / share)
    lead = f"About 1 in {one_in}" if one_in > 1 else "Nearly all"
    return f"{lead} of the crimes recorded here ({share:.1%}) led to a charge or summons, as far as police.uk shows."


# ---- stop and search --------------------------------------------------------------------


def _times(ratio: float) -> str:
    if ratio >= 1.1:
        return f"about {ratio:.1f} times as often as White residents, for their numbers"
    if ratio <= 0.9:
        return f"less often than White residents, for their numbers (about {ratio:.1f} times the rate)"
    return "at about the same rate as White residents, for their numbers"


def disproportionality(ratio: dict, *, area_name: str, level: str, borough: dict | None = None) -> Verdict:
    """The Black/White search-rate ratio (:mod:`openbeat.analytics.stopsearch` summary) in plain words.

    A ward has no Census ethnicity counts, so its ratio is declined, and the borough's stands beside it.
    """
    value, low, high = ratio.get("ratio"), ratio.get("ratio_low"), ratio.get("ratio_high")
    if not _finite(value):
        if level == "ward":
            lead = ("We can't compare search rates between ethnic groups for one ward: the Census counts "
                    "residents by ethnic group only for whole boroughs.")
            if borough and _finite(borough.get("ratio")):
                lead += (f" Across {borough['borough']}, Black residents were searched "
                         f"{_times(borough['ratio'])}.")
                return Verdict(lead, _ratio_how(borough))
            return Verdict(lead, "")
        return Verdict(f"We can't compare search rates between ethnic groups in {area_name}: no residents by "
                       "ethnic group are loaded for it.", "")
    lead = f"In {area_name}, Black residents were searched {_times(value)}."
    if _finite(low) and _finite(high) and low <= 1 <= high:
        lead += " The figures cannot tell this apart from no difference."
    return Verdict(lead, _ratio_how(ratio))


def _ratio_how(ratio: dict) -> str:
    low, high = ratio.get("ratio_low"), ratio.get("ratio_high")
    text = f"Rate ratio {ratio['ratio']:.2f}"
    if _finite(low) and _finite(high):
        text += f", 95% interval {low:.2f} to {high:.2f} (Katz log method)"
    return (text + ": searches per 1,000 residents of each self-defined ethnic group a year, over Census 2021 "
            "residents. The interval treats each search as a different person, so it is too narrow where "
            "people are searched more than once.")


# ---- hot spots --------------------------------------------------------------------------


def hotspots(summary: dict) -> Verdict:
    """Gi* hot spots (:mod:`openbeat.analytics.hotspots` summary) in plain words."""
    found = summary["hot_99"] + summary["hot_95"]
    cells, unit = summary["cells"], summary.get("unit", "grid cells")
    if found:
        lead = (f"Crime clusters in {plural(found, 'small patch', 'small patches')} of the area, more than chance "
                f"would give ({number(found)} of {number(cells)} grid cells).")
    else:
        lead = "No patch of the area stands out once chance is allowed for."
    top = summary.get("share_of_crime_in_top_5pct_of_cells")
    if _finite(top):
        lead += f" The busiest 5% of the area holds {top:.0%} of its crime."
    cold = summary.get("cold_99", 0) + summary.get("cold_95", 0)
    how = (f"Getis-Ord Gi* on {unit}: {plural(summary['hot_99'], 'hot spot cell')} at the 99% level, "
           f"{number(summary['hot_95'])} at 95%, and {plural(cold, 'cold spot cell')}, controlling the false "
           "discovery rate across all cells (Benjamini & Hochberg 1995)")
    if summary.get("permutations"):
        how += f"; p-values from {number(summary['permutations'])} permutations"
    return Verdict(lead, how + ".")


# ---- trust ------------------------------------------------------------------------------


def trust(level: dict | None, *, area_name: str, survey: str = "the Public Attitude Survey",
          force: str = "the police force") -> Verdict:
    """A survey measure's latest level (:mod:`openbeat.analytics.trust` ``levels`` row) in plain words."""
    if not level or not _finite(level.get("level")):
        return Verdict(f"There is no survey figure for {area_name}.", "")
    lead = (f"{level['level']:.0%} of people asked in {area_name} say {measure_words(level['measure'], force=force)} "
            f"({month(level.get('quarter'))}).")
    d = level.get("change_on_year_points")
    if _finite(d):
        d = round(d)
        lead = lead[:-2] + (f"), {points(d)} {'higher' if d > 0 else 'lower'} than a year earlier." if d else
                            "), the same as a year earlier.")
    how = f"From {survey}."
    if _finite(level.get("low")) and _finite(level.get("high")):
        how += (f" Indicative 95% interval {level['low']:.0%} to {level['high']:.0%}, assuming about 400 "
                "interviews behind each figure; survey weighting makes the real interval wider.")
    if _finite(d):
        how += " The change on a year is descriptive, with no test: the survey publishes no sample sizes."
    return Verdict(lead, how)


# ---- comparing areas, targeting, did it work -------------------------------------------------


def compare(summary: dict, *, period_words: str) -> Verdict:
    """A funnel-plot comparison (:mod:`openbeat.analytics.comparison` summary) in plain words."""
    areas, above, below = summary["areas"], summary["above_limits"], summary["below_limits"]
    lead = (f"Of {plural(areas, 'area')}, {number(above)} {'has' if above == 1 else 'have'} more crime than chance "
            f"would give an area of {'its' if above == 1 else 'their'} size, and {number(below)} less, from "
            f"{period_words}.")
    rate = summary.get("overall_rate_per_1000")
    if _finite(rate):
        lead += f" Across all of them: {number(rate)} crimes per 1,000 residents a year."
    how = ("Funnel plot: each area's rate against 95% and 99.8% limits for its population (Spiegelhalter 2005)"
           + (", widened because areas differ for reasons beyond chance (overdispersion)."
              if summary.get("limits") == "overdispersed" else ", the limits of chance alone (Poisson)."))
    return Verdict(lead, how)


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def targeting(summary: dict, *, top: list[str] | None = None) -> Verdict:
    """Highest crime, lowest trust (:mod:`openbeat.analytics.targeting` summary) in plain words."""
    level = summary.get("level", "area")
    first = [f["name"] for f in summary.get("first", [])]
    if first:
        lead = (f"{plural(len(first), level)} {'stands' if len(first) == 1 else 'stand'} out as both higher in crime "
                f"and lower in trust than the others, allowing for uncertainty: {_names(first)}. The plan puts "
                f"{'it' if len(first) == 1 else 'them'} first.")
    else:
        lead = (f"No {level} stands out as both higher in crime and lower in trust than the others once uncertainty "
                "is allowed for" + (f"; highest on the two together: {_names(top)}." if top else "."))
    how = ("Harm (days of imprisonment after the Cambridge Crime Harm Index) per 1,000 residents a year, with a 95% "
           "gamma interval (Fay & Feuer 1997), and trust from the survey, with its interval: an area is called high "
           "crime or low trust only when its whole interval lies beyond the median of the others.")
    if summary.get("trust_separates_wards") is False:
        how += " Every ward here borrows its borough's trust figure, so trust does not tell these wards apart."
    return Verdict(lead, how)


def did_it_work(summary: dict, *, area_name: str) -> Verdict:
    """'Did it work?' (:mod:`openbeat.analytics.did_it_work` summary): the lead says the direction and size."""
    r = summary.get("before_after_ratio") or {}
    wdd = summary.get("wdd") or {}
    what = summary.get("crime_type") or "crime"
    what = "crime" if what.startswith("All crime") else what.lower()
    ratio, low, high = r.get("ratio"), r.get("low"), r.get("high")
    if not _finite(ratio) or not _finite(low):
        return Verdict(summary.get("verdict", ""), "")
    sure = _finite(r.get("p_value")) and r["p_value"] < 0.05 and _finite(wdd.get("p_value")) and wdd["p_value"] < 0.05
    mixed = not sure and ((_finite(r.get("p_value")) and r["p_value"] < 0.05)
                          or (_finite(wdd.get("p_value")) and wdd["p_value"] < 0.05))
    size, word = _share(ratio), "lower" if ratio < 1 else "higher"
    if sure and ratio < 1:
        lead = (f"Yes, probably: {what} in {area_name} ended up {size} {word} than the comparison wards' trend "
                f"predicts, about {number(round(abs(wdd.get('estimate') or 0)))} fewer crimes since, more than "
                "chance would give. Other causes can't be ruled out.")
    elif sure:
        lead = f"No: {what} in {area_name} ended up {size} {word} than the comparison wards' trend predicts."
    elif mixed:
        lead = (f"Not clear yet: {what} in {area_name} is {size} {word} than the comparison wards' trend predicts, "
                "but the two tests disagree. Wait for more months.")
    else:
        lead = (f"No clear change: {what} in {area_name} is {size} {word} than the comparison wards' trend predicts, "
                "within what chance gives. That does not show the action failed.")
    how = (f"Before/after ratio {ratio:.2f} (95% interval {low:.2f} to {high:.2f}, {_p(r.get('p_value'))}); "
           f"weighted displacement difference {number(wdd.get('estimate'))} crimes "
           f"(z = {wdd.get('z', float('nan')):.2f}, {_p(wdd.get('p_value'))}; Wheeler & Ratcliffe 2018).")
    return Verdict(lead, how)


# ---- survey measures --------------------------------------------------------------------

#: The Public Attitude Survey's measure names, as the statement people agreed with.
MEASURES = {
    "Trust MPS": "{force} is an organisation they can trust",
    '"Good Job" local': "the police do a good job in their local area",
    "Treat everyone fairly": "the police treat everyone fairly regardless of who they are",
    "Listen to concerns": "the police listen to the concerns of local people",
    "Relied on to be there": "the police can be relied on to be there when they are needed",
    "Understand issues": "the police understand the issues that affect their community",
    "Informed local": "they are well informed about local police activity",
    "Contact ward officer": "they know how to contact their ward officer",
}


def measure_words(measure: str, *, force: str = "the police force") -> str:
    """A survey measure as the statement people agreed with: "Trust MPS" → "… can trust"."""
    return MEASURES.get(measure, measure).format(force=force)


# ---- any result -------------------------------------------------------------------------


def plain(method: str, summary: dict, *, area: dict | None = None, period: dict | None = None) -> Verdict | None:
    """The verdict of a :class:`~openbeat.analytics.result.Result` (its method, summary, area and
    period), as the pages and the API's ``plain`` field give it; None where it has no one verdict."""
    name = (area or {}).get("name") or "this area"
    if method == "profile" and summary.get("change"):
        return crime_change(summary["change"])
    if method == "hotspots" and "hot_99" in summary:
        return hotspots(summary)
    if method == "stop_search" and summary.get("black_white_ratio"):
        return disproportionality(summary["black_white_ratio"], area_name=name, level=(area or {}).get("level", ""),
                                  borough=summary.get("borough_black_white_ratio"))
    if method == "trust" and "level" in summary:
        surveyed = summary.get("area_surveyed") or name
        return trust(summary["level"], area_name=name if surveyed == "MPS-wide" else surveyed)
    if method == "compare" and "above_limits" in summary:
        return compare(summary, period_words=period_words(period))
    if method == "targeting" and "first" in summary:
        return targeting(summary)
    # "evaluation": its name before 2026-12, in results frozen or kept since
    if method in ("did_it_work", "evaluation") and "before_after_ratio" in summary:
        return did_it_work(summary, area_name=name)
    return None


def period_words(span: dict | None) -> str:
    """A result's period ({"from": "2025-01", "to": "2025-12"}) in words."""
    return period(span["from"], span["to"]) if span and span.get("from") else "the period loaded"
