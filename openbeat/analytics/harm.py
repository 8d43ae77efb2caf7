"""Crime harm: a documented, replaceable weight per police.uk crime type.

Counting crimes treats a shoplifting like a robbery. The Cambridge Crime Harm Index
(Sherman, Neyroud & Neyroud 2016) weights each offence by the days of imprisonment the
Sentencing Council's guideline gives as the starting point for a first offender, the
lowest category of the offence; sentences other than custody are turned into days
(a fine into the days a minimum-wage worker needs to earn it).

police.uk publishes 14 broad crime types, not offences, so a weight per type can only
be an approximation of the mix of offences inside it. The defaults below are ours,
made with the CCHI's rules from the guideline starting points named in each row; they
are **not** the official CCHI values, which are published per offence (over 700 of
them) by the Cambridge Institute of Criminology. Where a category is a mix, the row
says what was assumed. Conversions used:

* custody: its length in days;
* fines, Sentencing Council bands as a share of a week's income (Band A 50%, B 100%,
  C 150%); a week at the minimum wage is 5 working days: 2.5, 5 and 7.5 days;
* community orders, the low end of the unpaid-work hours for the level (low 40 h,
  medium 80 h, high 150 h) at 8 hours a day: 5, 10 and 19 days (our approximation;
  the CCHI publishes its own conversion with its table).

"Anti-social behaviour" has no weight: it is not a crime, and is reported beside harm,
never added to it. To use other weights (the official CCHI mapped to these types, a
force's own, or the ONS Crime Severity Score) load a CSV with :func:`load_harm_csv`.

Reference
---------
Sherman, L., Neyroud, P. W. & Neyroud, E. (2016). The Cambridge Crime Harm Index:
measuring total harm from crime based on sentencing guidelines. *Policing* 10(3),
171–183. https://doi.org/10.1093/police/paw003

Example
-------
>>> from openbeat.analytics.harm import harm_of_counts
>>> h = harm_of_counts({"Robbery": 2, "Shoplifting": 10, "Anti-social behaviour": 7})
>>> h.harm_days, h.crimes, h.anti_social_behaviour
(780.0, 12, 7)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

ASB = "Anti-social behaviour"

#: The 14 police.uk crime types (``Crime type`` in street-level CSVs).
CRIME_TYPES = (
    ASB, "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting",
    "Theft from the person", "Vehicle crime", "Violence and sexual offences",
)


@dataclass(frozen=True)
class HarmWeight:
    crime_type: str
    days: float | None
    basis: str


#: Default weights in days (see the module docstring for the conversions).
DEFAULT_HARM: dict[str, HarmWeight] = {w.crime_type: w for w in (
    HarmWeight(ASB, None, "Not a crime: reported separately, never added to harm."),
    HarmWeight("Bicycle theft", 5.0,
               "Theft (general), lowest category: Band B fine."),
    HarmWeight("Burglary", 19.0,
               "Domestic burglary, lowest category: high-level community order. Most police.uk "
               "burglaries are residential; non-residential starts lower."),
    HarmWeight("Criminal damage and arson", 2.5,
               "Criminal damage under £5,000, lowest category: Band A fine. Arson (custody) is "
               "rare and under-weighted here."),
    HarmWeight("Drugs", 2.5,
               "Possession of a Class B drug, lowest category: Band A fine. Nearly all drug "
               "offences are found by police activity, which the CCHI leaves out of harm: "
               "set 0 to follow it."),
    HarmWeight("Other crime", 5.0,
               "A mixed category (e.g. bail offences, forgery, perjury): placeholder equal to a "
               "Band B fine."),
    HarmWeight("Other theft", 5.0,
               "Theft (general), lowest category: Band B fine."),
    HarmWeight("Possession of weapons", 19.0,
               "Possession of a bladed article or offensive weapon, lowest category: high-level "
               "community order."),
    HarmWeight("Public order", 5.0,
               "Threatening behaviour (Public Order Act 1986 s.4), lowest category: Band B fine."),
    HarmWeight("Robbery", 365.0,
               "Street and less sophisticated commercial robbery, lowest category: 1 year's "
               "custody."),
    HarmWeight("Shoplifting", 5.0,
               "Theft from a shop, low value, lowest category: Band B fine."),
    HarmWeight("Theft from the person", 10.0,
               "Theft from the person is a higher-harm theft: medium-level community order."),
    HarmWeight("Vehicle crime", 5.0,
               "Theft of or from a vehicle as theft (general), lowest category: Band B fine."),
    HarmWeight("Violence and sexual offences", 38.0,
               "Volume-weighted mix: common assault and harassment (about 75%; Band A–B fines, "
               "2.5–5 days), assault with injury (about 20%; medium-level community order, 10 "
               "days), sexual offences (about 5%; from a high-level community order to 5 years' "
               "custody for rape, about a third of them). Homicide (15 years) and GBH with intent "
               "(4 years) are rare but dominate where they occur; this weight hides them."),
)}


def default_table() -> dict[str, float | None]:
    """The default weights: crime type → days (None for anti-social behaviour)."""
    return {k: w.days for k, w in DEFAULT_HARM.items()}


def load_harm_csv(path: str | Path) -> dict[str, float | None]:
    """Read a harm table from CSV: columns ``crime_type`` and ``days`` (others ignored).

    Every police.uk crime type except anti-social behaviour must have a non-negative
    number of days; anti-social behaviour may be left out or blank (it is never added
    to harm). Errors name the file, line and value.
    """
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"crime_type", "days"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: missing column(s) {sorted(missing)}; expected a header "
                             "'crime_type,days'")
        table: dict[str, float | None] = {}
        for line, row in enumerate(reader, start=2):
            ct, raw = (row["crime_type"] or "").strip(), (row["days"] or "").strip()
            if ct not in CRIME_TYPES:
                raise ValueError(f"{path}, line {line}: unknown crime type {ct!r}; use the "
                                 f"police.uk names: {', '.join(CRIME_TYPES)}")
            if ct in table:
                raise ValueError(f"{path}, line {line}: {ct!r} appears twice")
            if ct == ASB:
                if raw:
                    raise ValueError(f"{path}, line {line}: anti-social behaviour is reported "
                                     "separately and takes no harm weight; leave days blank")
                table[ct] = None
                continue
            try:
                days = float(raw)
            except ValueError:
                raise ValueError(f"{path}, line {line}: days {raw!r} for {ct!r} is not a "
                                 "number") from None
            if days < 0 or days != days:
                raise ValueError(f"{path}, line {line}: days for {ct!r} must be zero or more")
            table[ct] = days
    absent = [ct for ct in CRIME_TYPES if ct != ASB and ct not in table]
    if absent:
        raise ValueError(f"{path}: no weight for {', '.join(absent)}; every crime type needs one")
    table.setdefault(ASB, None)
    return table


@dataclass(frozen=True)
class Harm:
    """Harm-weighted total with anti-social behaviour beside it, not in it."""

    harm_days: float
    crimes: int
    anti_social_behaviour: int
    by_type: dict


def harm_of_counts(counts: Mapping[str, int], table: Mapping[str, float | None] | None = None) -> Harm:
    """Total harm (days) of crime counts per police.uk crime type.

    Parameters
    ----------
    counts : mapping crime type → count
    table : mapping crime type → days, optional
        Defaults to :func:`default_table`.
    """
    table = default_table() if table is None else table
    harm, crimes, asb, by_type = 0.0, 0, 0, {}
    for ct, n in counts.items():
        if ct not in CRIME_TYPES:
            raise ValueError(f"unknown crime type {ct!r}; police.uk uses: {', '.join(CRIME_TYPES)}")
        n = int(n)
        if ct == ASB:
            asb += n
            continue
        days = table.get(ct)
        if days is None:
            raise ValueError(f"the harm table has no weight for {ct!r}")
        by_type[ct] = n * days
        harm += n * days
        crimes += n
    return Harm(harm, crimes, asb, by_type)
