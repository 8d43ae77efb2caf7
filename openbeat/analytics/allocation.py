"""Where should extra officers and PCSOs go? Minimums first, then need.

Every ward of a borough or force first gets its minimum — the Met's standard of two
dedicated ward officers and one PCSO per ward (configurable) — and the rest are shared
in proportion to **need**: the ward's harm over the period (days of imprisonment after the
Cambridge Crime Harm Index, anti-social behaviour left out), optionally weighted by its
trust deficit, ``need = harm * (deficit / mean deficit) ** trust_weight`` with
``deficit = 1 - trust`` (:func:`openbeat.stats.apportion.need_score`). Officers and PCSOs
are two separate allocations on the same need.

Shares are whole people by the largest-remainder (Hamilton) method, which adds up
exactly and never gives a ward with more need fewer people than one with less; with caps
(no ward above N) an integer programme (scipy ``milp``) finds the whole-number
allocation closest to the proportional shares (:func:`openbeat.stats.apportion.allocate`;
Balinski & Young 1982). Wards are taken in code order, so the same input always gives
the same plan.

Need is harm, not harm per resident: officers go where the harm is. Trust for a ward is
its survey estimate shrunk toward the borough where responses exist, else the borough's
PAS figure (the same for every ward of a borough, so it then moves people only between
boroughs).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from openbeat.analytics import harm as harm_lib
from openbeat.analytics.result import Result, area_dict
from openbeat.analytics.store import Store
from openbeat.analytics.targeting import harm_by_area
from openbeat.analytics.trust import DEFAULT_MEASURE, PAS_INTERVIEWS, area_trust
from openbeat.stats.apportion import allocate, need_score


def allocation_plan(store: Store, within: str, officers: int, pcsos: int, *, trust_weight: float = 0.0,
                    minimum_officers: int = 2, minimum_pcsos: int = 1, caps=None, pcso_caps=None,
                    first: str | None = None, last: str | None = None, responses=None,
                    measure: str = DEFAULT_MEASURE, harm_table: dict | None = None,
                    pas_interviews: int = PAS_INTERVIEWS) -> Result:
    """Officers and PCSOs for every ward of ``within`` (a borough or force).

    Parameters
    ----------
    store : Store
    within : str
        Borough code or force slug whose wards share the people.
    officers, pcsos : int
        People to allocate.
    trust_weight : float
        0 (default) allocates on harm alone; 1 counts a ward with twice the average trust
        deficit as having twice its harm.
    minimum_officers, minimum_pcsos : int
        Per ward (default 2 and 1, the Met's ward standard).
    caps, pcso_caps : int or mapping ward code → int, optional
        Most officers (PCSOs) a ward may get; given, the integer programme is used.
    first, last : str, optional
        ``YYYY-MM``: the period whose harm sets need (default the latest 12 months).
    responses : optional
        Ward survey responses for trust (see :mod:`openbeat.analytics.trust`).
    measure : str
        The PAS measure used as trust.
    harm_table : dict, optional
        Crime type → harm days.

    Raises
    ------
    ValueError
        When there are too few officers or PCSOs for the minimums, the caps leave too few
        places, or trust is needed (``trust_weight`` > 0) and some ward has none.
    """
    if officers < 0 or pcsos < 0 or int(officers) != officers or int(pcsos) != pcsos:
        raise ValueError("officers and PCSOs must be whole numbers of people, zero or more")
    if trust_weight < 0:
        raise ValueError("trust_weight must be zero or more")
    from openbeat.analytics.comparison import common_months
    from openbeat.analytics.targeting import summary_borrowed, trust_borrowed_sentence

    parent = store.area(within)
    wards = sorted(store.areas("ward", within=within), key=lambda a: a.code)
    if not wards:
        raise ValueError(f"no wards are loaded within {parent.name}; load boundaries and lookups with "
                         "`openbeat reference load`")
    period, months, coverage_note = common_months(store, wards, within, first, last)
    n = len(wards)
    for people, minimum, what in ((officers, minimum_officers, "officers"), (pcsos, minimum_pcsos, "PCSOs")):
        if people < minimum * n:
            raise ValueError(
                f"{people} {what} cannot give each of the {n} wards of {parent.name} its minimum of {minimum} "
                f"({minimum * n} needed); allocate at least {minimum * n} {what} or lower the minimum")
    codes = [w.code for w in wards]
    harm = harm_by_area(store, wards, period, harm_table or harm_lib.default_table(), months=months)
    h = np.array([harm.get(c, {}).get("harm_days", 0.0) for c in codes])
    trust = None
    figures = {}
    if trust_weight > 0:
        figures = area_trust(store, wards, period, measure=measure, responses=responses, interviews=pas_interviews)
        lacking = [w.name for w in wards if figures[w.code].value is None]
        if lacking:
            raise ValueError(f"no trust figure ({measure}) for {', '.join(lacking[:5])}"
                             f"{' …' if len(lacking) > 5 else ''}: load the PAS, give ward survey responses, "
                             "or set trust_weight=0")
        trust = np.array([figures[c].value for c in codes])
    need = need_score(h, trust, trust_weight)
    a = allocate(officers, need, minimum_officers, _caps(caps, codes, "caps"), wards=codes)
    b = allocate(pcsos, need, minimum_pcsos, _caps(pcso_caps, codes, "pcso_caps"), wards=codes)
    total_need = need.sum()
    rows = []
    for i, w in enumerate(wards):
        rows.append({
            "ward_code": w.code, "ward_name": w.name, "borough_code": w.borough_code,
            "harm_days": float(h[i]), "crimes": harm.get(w.code, {}).get("crimes", 0),
            "trust": figures[w.code].value if figures else None,
            "trust_source": figures[w.code].source if figures else None,
            "need": float(need[i]), "need_share": float(need[i] / total_need) if total_need else 1 / n,
            "officers": int(a.allocated[i]), "officers_exact": float(a.target[i]),
            "pcsos": int(b.allocated[i]), "pcsos_exact": float(b.target[i]),
        })
    notes = [
        f"Every ward first gets {minimum_officers} officer(s) and {minimum_pcsos} PCSO(s); the rest are shared in "
        "proportion to need with the largest-remainder method" + (" (an integer programme where caps are set)"
                                                                 if caps is not None or pcso_caps is not None
                                                                 else "") + ".",
        "Need is harm in days of imprisonment over the period (after the Cambridge Crime Harm Index; anti-social "
        "behaviour left out)" + (f", weighted by the trust deficit to the power {trust_weight:g}" if trust_weight
                                 else "") + ".",
        "'exact' columns are the proportional shares before rounding to whole people. Any method that adds up "
        "exactly can, rarely, move a person between two wards when a third ward's need changes "
        "(Balinski & Young 1982).",
        "Harm counts what is recorded and placed on the map; it is one input to a decision, not the decision.",
    ]
    borrowed = summary_borrowed(rows)
    if trust_weight and borrowed:
        notes.insert(0, trust_borrowed_sentence(borrowed, n) + " The trust weight therefore moves people only "
                     "between boroughs, never between the wards of one borough.")
    if coverage_note:
        notes.append(coverage_note)
    from openbeat.analytics.profiles import sources

    return Result(
        method="allocation",
        title=f"Sharing {officers} officers and {pcsos} PCSOs between the {n} wards of {parent.name}, "
              f"need from {period.label()}",
        summary={"wards": n, "officers": officers, "pcsos": pcsos, "method_officers": a.method,
                 "method_pcsos": b.method, "trust_weight": trust_weight, "harm_days": float(h.sum()),
                 "officers_deviation": a.deviation, "pcsos_deviation": b.deviation,
                 "trust_separates_wards": bool(trust_weight) and borrowed < n, "months_counted": len(months)},
        tables={"wards": rows},
        area=area_dict(parent),
        period={"from": f"{period.first:%Y-%m}", "to": f"{period.last:%Y-%m}", "months": period.months},
        sources=sources(store),
        notes=notes,
    )


def _caps(caps, codes: list[str], name: str):
    if caps is None:
        return None
    if isinstance(caps, Mapping):
        unknown = sorted(set(caps) - set(codes))
        if unknown:
            raise ValueError(f"{name} name ward(s) not in the area: {', '.join(unknown[:5])}")
        return np.array([caps.get(c, np.inf) for c in codes], dtype=float)
    return caps
