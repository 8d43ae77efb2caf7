"""Did it work? Crime in a priority's ward before and after, against comparison wards.

For a target ward (the area of an adopted priority), a start month and a crime type:

* **comparison wards** are chosen automatically — the ``k`` wards of the same borough
  whose crime in the before period is closest to the target's (on the log scale, so twice
  as much is as far as half; :func:`openbeat.stats.wdd.choose_comparison_areas`),
  leaving out the target's neighbours, where displaced crime would land;
* the **before/after ratio** is the target's after/before ratio divided by the
  comparison wards', with a Poisson log-scale interval
  (:func:`openbeat.stats.wdd.before_after`): below 1, the target fell relative to them;
* the **Weighted Displacement Difference** (Wheeler & Ratcliffe 2018;
  :func:`openbeat.stats.wdd.wdd`) counts crimes prevented (negative) or added, with its
  standard error and z, including the **displacement area**: the wards sharing a
  boundary with the target (from the ward polygons), against their own comparison
  wards. Crime pushed round the corner then counts against the action.

Comparison counts are scaled to the target's size: each control's counts are divided by
its before count over the target's (an area weight in ``ptools::wdd``'s sense), so the
WDD's local part reads "after, minus what the comparison wards' trend predicts". Periods
of different lengths are per month (time weights). The weights are treated as fixed.

The verdict never overclaims: a fall relative to the comparisons is "consistent with the
action working", never proof (something else may have changed there, and areas picked
for a priority because crime was high tend to fall back anyway: regression to the mean);
no significant change is "no evidence either way at this size", never "it failed".

Reference
---------
Wheeler, A. P. & Ratcliffe, J. H. (2018). A simple weighted displacement difference test
to evaluate place based crime interventions. *Crime Science* 7, 11.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from openbeat.analytics import harm as harm_lib
from openbeat.analytics.coverage import CannotCompare, Coverage, spans
from openbeat.analytics.profiles import sources
from openbeat.analytics.result import Result, area_dict
from openbeat.analytics.store import Area, Period, Store, UnknownArea, parse_month
from openbeat.stats.change import compare_counts
from openbeat.stats.wdd import before_after, choose_comparison_areas, wdd

ALL = "All crime (excluding anti-social behaviour)"


def did_it_work(store: Store, code: str, start: str, crime_type: str | list[str] | None = None, *, before_months: int = 12,
                after_months: int | None = None, comparison: list[str] | None = None, k: int = 5,
                displacement: bool | list[str] = True, level: float = 0.95) -> Result:
    """Did the action in ward ``code`` starting in month ``start`` work? Before and after,
    against comparison wards, with the weighted displacement difference.

    Parameters
    ----------
    store : Store
    code : str
        The target ward (or a police.uk neighbourhood id, mapped to its ward).
    start : str
        ``YYYY-MM``: the first month of the action (e.g. when the priority was adopted).
    crime_type : str or list of str, optional
        The police.uk crime type(s) the action aimed at (a priority's:
        :func:`priority_crime_types`), anti-social behaviour included; default all crime
        except anti-social behaviour.
    before_months : int
        Months before ``start`` used as the baseline (12).
    after_months : int, optional
        Months from ``start`` on; default every month since, up to the latest in the lake.
    comparison : list of str, optional
        Comparison ward codes; default chosen automatically (same borough, similar baseline).
    k : int
        How many comparison wards to choose.
    displacement : bool or list of str
        True: neighbouring wards (shared boundary) as the displacement area; False: none;
        or a list of ward codes.
    level : float
        Confidence level (0.95).
    """
    target = _target(store, code)
    if target.level != "ward":
        raise ValueError(f"{target.name} is a {target.level}; evaluate a ward (the area of a priority)")
    types = _crime_types(crime_type)
    label = " and ".join(types) if types else None
    s = parse_month(start)
    before, after = _before_and_after(store, target, s, before_months, after_months)

    wards = store.areas("ward")
    by_code = {w.code: w for w in wards}
    counts = _ward_counts(store, [w.code for w in wards], before, after, types or None)
    notes: list[str] = []
    gaps = _incomplete_wards(store, before, after)
    buffer = _displacement_area(store, target, displacement, by_code, gaps, notes)
    pool = [w for w in wards if w.code == target.code or w.code not in gaps]
    frame = pd.DataFrame({"area": [w.code for w in pool], "borough": [w.borough_code for w in pool],
                          "baseline": [counts[w.code][0] for w in pool]})
    controls = _comparison_wards(frame, target, comparison, by_code, buffer, k, notes)
    _check_coverage(store, [by_code[c] for c in [target.code, *controls, *buffer]], before, after)

    t0, t1 = counts[target.code]
    c0, c1 = (sum(counts[c][i] for c in controls) for i in (0, 1))
    ratio = before_after(t0, t1, c0, c1, level)
    d0, d1, dc0, dc1, buffer_controls = _displacement_counts(frame, target, controls, buffer, counts, notes)
    if not c0 or not t0:
        raise ValueError(f"no {label or 'crime'} in {'the target' if not t0 else 'the comparison wards'} "
                         f"before {s:%Y-%m}: there is no baseline to compare with; choose another crime type or a "
                         "longer before period")
    # Controls scaled to the size of what they stand for: counts ÷ (their before count / its before count).
    weights = (c0 / t0, 1.0, (dc0 / d0) if d0 else 1.0, 1.0)
    w = wdd(target=(t0, t1), control=(c0, c1), displacement=(d0, d1), displacement_control=(dc0, dc1),
            time_weights=(before.months / after.months, 1.0), area_weights=weights, level=level)
    alone = compare_counts(t0, t1, before.months, after.months, label1=before.label(), label2=after.label())

    what = label or ALL
    roles = (("target", [target.code]), ("comparison", controls),
             ("displacement", buffer if buffer_controls else []), ("displacement comparison", buffer_controls))
    shown = roles if buffer_controls else roles[:2]  # the displacement rows only where it is part of the test
    rows = [_row(role, codes, by_code, counts, before, after) for role, codes in shown]
    per_ward = [{"role": role, "ward_code": c, "ward_name": by_code[c].name, "before": counts[c][0],
                 "after": counts[c][1]} for role, codes in roles for c in codes]
    summary = {
        "crime_type": what, "start": f"{s:%Y-%m}", "before": before.label(), "after": after.label(),
        "target_before": t0, "target_after": t1, "comparison_before": c0, "comparison_after": c1,
        "before_after_ratio": {"ratio": ratio.ratio, "low": ratio.low, "high": ratio.high, "p_value": ratio.p_value,
                               "summary": ratio.summary},
        "wdd": {"estimate": w.estimate, "se": w.se, "z": w.z, "p_value": w.p_value, "low": w.low, "high": w.high,
                "local": w.local, "displacement": w.displacement, "summary": w.summary},
        "target_alone": alone.as_dict(),
        "verdict": _verdict(target.name, what, ratio, w, level, after.months),
    }
    return Result(
        method="did_it_work",
        title=f"Did it work? {what} in {target.name} from {s:%Y-%m}",
        summary=summary,
        tables={"areas": rows, "wards": per_ward},
        area=area_dict(target),
        period={"from": f"{before.first:%Y-%m}", "to": f"{after.last:%Y-%m}", "months": before.months + after.months},
        sources=sources(store),
        notes=notes + _method_notes(what, s, len(controls), given=bool(comparison), level=level),
    )


def _crime_types(crime_type: str | list[str] | None) -> list[str]:
    """The crime types asked for, as a list (empty: all crime), each one police.uk's."""
    types = [crime_type] if isinstance(crime_type, str) else list(crime_type or [])
    for ct in types:
        if ct not in harm_lib.CRIME_TYPES:
            raise ValueError(f"unknown crime type {ct!r}; police.uk uses: {', '.join(harm_lib.CRIME_TYPES)}")
    return types


def _before_and_after(store: Store, target: Area, s, before_months: int,
                      after_months: int | None) -> tuple[Period, Period]:
    """The before period (``before_months`` up to ``s``) and the after period (from ``s``, by
    default up to the latest month the ward's own force published), both fully published."""
    if before_months < 1:
        raise ValueError("before_months must be at least 1")
    cov = Coverage(store)
    last = cov.default_end(cov.own_forces(target))  # the latest month the ward's own force published
    if last is None:
        raise CannotCompare(f"no crimes are recorded in {target.name}")
    before = Period(Period(s, s).shift(-before_months).first, Period(s, s).shift(-1).first)
    if after_months is None:
        after_months = (last.year - s.year) * 12 + last.month - s.month + 1
    if after_months < 1:
        raise CannotCompare(f"{target.name}'s force published up to {last:%Y-%m}: there is no month from {s:%Y-%m} on to evaluate")
    after = Period(s, Period(s, s).shift(after_months - 1).first)
    _check_coverage(store, [target], before, after)
    return before, after


def _displacement_area(store: Store, target: Area, displacement: bool | list[str], by_code: dict,
                       gaps: dict[str, str], notes: list[str]) -> list[str]:
    """The wards where displaced crime would land: the target's neighbours (less those with a
    force that missed a month, said in ``notes``), the wards given, or none."""
    if displacement is True:
        buffer = neighbours(store, target.code)
    elif displacement:
        buffer = [c for c in displacement if c != target.code]
    else:
        buffer = []
    _known(buffer, by_code, "displacement")
    # Wards where a force with crimes there missed a month cannot stand in for anything:
    # they are left out of the automatic comparison and displacement areas, and said so.
    dropped = [c for c in buffer if c in gaps]
    if dropped and displacement is True:
        buffer = [c for c in buffer if c not in gaps]
        notes.append(f"Neighbouring ward(s) left out of the displacement area because a force with crimes there "
                     f"did not publish every month: {', '.join(by_code[c].name for c in dropped)} "
                     f"({gaps[dropped[0]]}).")
    return buffer


def _comparison_wards(frame: pd.DataFrame, target: Area, comparison: list[str] | None, by_code: dict,
                      buffer: list[str], k: int, notes: list[str]) -> list[str]:
    """The comparison wards given, or the ``k`` of the borough most like the target before."""
    if comparison:
        _known(comparison, by_code, "comparison")
        return [c for c in comparison if c != target.code]
    controls = choose_comparison_areas(frame, target.code, k=k, exclude=buffer)["area"].tolist()
    if len(controls) < k:
        notes.append(f"Only {len(controls)} ward(s) of the borough were left to compare with.")
    return controls


def _displacement_counts(frame: pd.DataFrame, target: Area, controls: list[str], buffer: list[str],
                         counts: dict, notes: list[str]) -> tuple[int, int, int, int, list[str]]:
    """The displacement area's crimes before and after, its own comparison wards' (chosen like
    the target's, from the wards left), and those wards; all zero and none when there is no
    displacement area or nothing to compare it with."""
    if not buffer:
        return 0, 0, 0, 0, []
    d0, d1 = (sum(counts[c][i] for c in buffer) for i in (0, 1))
    pool = frame[~frame["area"].isin([target.code, *controls, *buffer])]
    pseudo = pd.concat([pool, pd.DataFrame({"area": ["_buffer"], "borough": [target.borough_code],
                                            "baseline": [d0 / len(buffer)]})], ignore_index=True)
    try:
        buffer_controls = choose_comparison_areas(pseudo, "_buffer", k=len(buffer))["area"].tolist()
    except ValueError:
        buffer_controls = []
    dc0 = dc1 = 0
    if buffer_controls:
        dc0, dc1 = (sum(counts[c][i] for c in buffer_controls) for i in (0, 1))
    if not buffer_controls or not dc0 or not d0:
        notes.append("No wards were left to serve as the displacement area's comparison (or it had no crime "
                     "before): displacement is not part of the test.")
        return 0, 0, 0, 0, []
    return d0, d1, dc0, dc1, buffer_controls


def _method_notes(what: str, s, controls: int, *, given: bool, level: float) -> list[str]:
    """What each figure is and what it cannot show, in the result's notes."""
    return [
        f"Comparison wards: the {controls} ward(s) of the same borough with {what.lower()} before "
        f"{s:%Y-%m} most like the target's" + (" (given)" if given else "")
        + ", leaving out its neighbours.",
        "Before/after ratio: the target's after/before ratio over the comparison wards'; below 1 the target fell "
        f"relative to them ({level:.0%} interval from the Poisson counts).",
        "Weighted Displacement Difference (Wheeler & Ratcliffe 2018): crimes prevented (negative) or added, "
        "counting crime displaced to the neighbouring wards against the action, over the after period; before "
        "counts are scaled to its length and comparison counts to the target's (and the neighbours') size before "
        "the start.",
        "A fall relative to the comparisons is consistent with the action working, not proof: other changes in the "
        "ward at the same time, or a return to normal after an unusually bad spell (regression to the mean, "
        "likely where a priority was chosen because crime was high), would look the same.",
        "The target alone, before against after, ignores what happened everywhere else; it is shown for "
        "reference only.",
    ]


#: Words in a priority's text → the police.uk crime types it is about (first match wins per type).
PRIORITY_WORDS = (
    (("burglar", "break-in", "break in"), "Burglary"),
    (("anti-social", "antisocial", "anti social", "asb", "nuisance"), "Anti-social behaviour"),
    (("violence", "assault", "fight"), "Violence and sexual offences"),
    (("disorder", "public order"), "Public order"),
    (("robbery", "mugging"), "Robbery"),
    (("drug", "dealing", "cannabis"), "Drugs"),
    (("vehicle", "car crime", "theft from cars", "motorbike", "moped"), "Vehicle crime"),
    (("bicycle", "bike", "cycle theft"), "Bicycle theft"),
    (("shoplift",), "Shoplifting"),
    (("pickpocket", "theft from the person", "phone snatch"), "Theft from the person"),
    (("criminal damage", "graffiti", "vandal", "arson"), "Criminal damage and arson"),
    (("knife", "weapon"), "Possession of weapons"),
)


def priority_crime_types(issue: str) -> list[str]:
    """The police.uk crime types a neighbourhood priority's text is about, in police.uk's order.

    >>> priority_crime_types("Violence and disorder around the late-night venues")
    ['Public order', 'Violence and sexual offences']
    """
    text = (issue or "").lower()
    found = {ct for words, ct in PRIORITY_WORDS if any(w in text for w in words)}
    return [ct for ct in harm_lib.CRIME_TYPES if ct in found]


def _target(store: Store, code: str) -> Area:
    try:
        return store.area(code)
    except UnknownArea:
        if store.has("neighbourhood_wards"):
            row = store.cursor().execute(
                "SELECT ward_code FROM neighbourhood_wards WHERE neighbourhood_id = ? AND is_best "
                "ORDER BY share_of_neighbourhood DESC LIMIT 1", [code]).fetchone()
            if row:
                return store.area(row[0])
        raise


def _known(codes: list[str], by_code: dict, what: str) -> None:
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise ValueError(f"{what} ward(s) not loaded: {', '.join(unknown[:5])}")


def _incomplete_wards(store: Store, before: Period, after: Period) -> dict[str, str]:
    """{ward code: 'X did not publish …'} for wards with crimes of a force that missed a month."""
    cov = Coverage(store)
    months = {p.shift(i).first for p in (before, after) for i in range(p.months)}
    rows = store.memo("ward-forces", lambda: store.cursor().execute(
        "SELECT ward_code, list(DISTINCT force ORDER BY force) FROM crime_counts WHERE ward_code IS NOT NULL "
        "GROUP BY 1").fetchall())
    out = {}
    for code, forces in rows:
        gaps = [f"{cov.force_name(f)} did not publish {spans(sorted(months - cov.published(f)))}"
                for f in forces if months - cov.published(f)]
        if gaps:
            out[code] = "; ".join(gaps)
    return out


def _check_coverage(store: Store, wards: list[Area], before: Period, after: Period) -> None:
    """Every force with crimes in these wards must have published every month before and after:
    a missing month is not a month without crime."""
    cov = Coverage(store)
    forces = sorted({f for w in wards for f in cov.forces_of(w)})
    if not forces:
        raise CannotCompare(f"no crimes are recorded in {wards[0].name}")
    months = {p.shift(i).first for p in (before, after) for i in range(p.months)}
    gaps = [f"{cov.force_name(f)} did not publish {spans(sorted(months - cov.published(f)))}"
            for f in forces if months - cov.published(f)]
    if gaps:
        raise CannotCompare("; ".join(gaps) + f" (needed for {before.label()} and {after.label()}): choose "
                            "before and after periods every force with crimes in these wards published")


def _ward_counts(store: Store, codes: list[str], before: Period, after: Period,
                 crime_type: list[str] | None) -> dict[str, tuple[int, int]]:
    sql = ("SELECT ward_code, sum(n) FILTER (WHERE month BETWEEN ? AND ?)::BIGINT, "
           "sum(n) FILTER (WHERE month BETWEEN ? AND ?)::BIGINT FROM crime_counts WHERE ward_code IS NOT NULL ")
    params: list = [before.first, before.last, after.first, after.last]
    if crime_type:
        sql += "AND crime_type IN (SELECT unnest(?::VARCHAR[])) "
        params.append(list(crime_type))
    else:
        sql += "AND crime_type <> ? "
        params.append(harm_lib.ASB)
    out = {c: (0, 0) for c in codes}
    for code, b, a in store.cursor().execute(sql + "GROUP BY 1", params).fetchall():
        if code in out:
            out[code] = (int(b or 0), int(a or 0))
    return out


def neighbours(store: Store, ward_code: str, min_shared_m: float = 10.0) -> list[str]:
    """Wards sharing at least ``min_shared_m`` metres of boundary with the ward (from ``areas``)."""
    def compute():
        rows = store.cursor().execute(
            "SELECT code, geometry_bng FROM areas WHERE level = 'ward' AND geometry_bng IS NOT NULL ORDER BY code"
        ).fetchall()
        return [r[0] for r in rows], shapely.from_wkb(np.asarray([r[1] for r in rows], dtype=object))

    if not store.has("areas"):
        return []
    codes, geoms = store.memo("ward_geometries", compute)
    if ward_code not in codes:
        return []
    i = codes.index(ward_code)
    # A 1 m buffer absorbs slivers between separately generalised polygons.
    zone = shapely.buffer(geoms[i], 1.0)
    tree = shapely.STRtree(geoms)
    out = []
    for j in tree.query(zone, predicate="intersects"):
        if j == i:
            continue
        shared = shapely.length(shapely.intersection(zone, shapely.boundary(geoms[j])))
        if shared >= min_shared_m:
            out.append(codes[j])
    return sorted(out)


def _row(role: str, codes: list[str], by_code: dict, counts: dict, before: Period, after: Period) -> dict:
    b = sum(counts[c][0] for c in codes)
    a = sum(counts[c][1] for c in codes)
    return {"role": role, "wards": len(codes), "names": ", ".join(by_code[c].name for c in codes),
            "before": b, "after": a, "before_per_month": b / before.months, "after_per_month": a / after.months,
            "after_over_before": (a / after.months) / (b / before.months) if b else None}


def _verdict(name: str, what: str, ratio, w, level: float, months: int) -> str:
    alpha = 1 - level
    r_sig = ratio.p_value == ratio.p_value and ratio.p_value < alpha
    w_sig = w.p_value < alpha
    what = what.lower() if what != ALL else "crime"
    if np.isnan(ratio.low):
        return ratio.note
    span = (f"relative to the comparison wards it was {ratio.ratio:.2f} times what their trend predicts "
            f"({level:.0%} interval {ratio.low:.2f} to {ratio.high:.2f})")
    if r_sig and w_sig and ratio.ratio < 1 and w.estimate < 0:
        return (f"{what.capitalize()} in {name} fell by more than chance alone would explain: {span}, about "
                f"{abs(w.estimate):.0f} fewer crimes over the {months} months since, allowing for displacement "
                f"(z = {w.z:.2f}). This is "
                "consistent with the action working, though a before/after comparison cannot rule out other "
                "causes.")
    if r_sig and w_sig and ratio.ratio > 1 and w.estimate > 0:
        return (f"{what.capitalize()} in {name} rose by more than chance alone would explain: {span} "
                f"(WDD z = {w.z:.2f}). The action has not, on this evidence, reduced it.")
    if r_sig or w_sig:
        return (f"Mixed evidence for {what} in {name}: {span}, and the displacement test gives z = {w.z:.2f}. "
                "One test finds a change and the other does not; wait for more months before concluding.")
    return (f"No evidence of a change in {what} in {name}: {span}, and the displacement test gives z = "
            f"{w.z:.2f}. This does not show the action failed: a change within that interval could not be told "
            "from chance at this size.")
