"""Northbridge's ward-level recorded crime, in the London Datastore's "MPS Ward Level Crime" layout.

One row per Home Office major/minor class and ward, one column per month (``YYYYMM``),
for the latest 24 months of the window as the Datastore publishes. Expected counts come
from the same crime model as the street files (summed over each ward's map points), split
into minor classes by fixed shares, with the seasonality the real file shows for the
classes the violence against women and girls section reads: sexual offences peak in
summer; stalking and harassment rises through the window, as reports have in London.
Every count is synthetic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from openbeat.demo import vocab
from openbeat.demo.geography import City

FILE_NAME = "Northbridge Ward Level Crime (synthetic, most recent 24 months).csv"

#: police.uk type → (MajorText, MinorText, share of the type's expected count).
CLASSES: dict[str, list[tuple[str, str, float]]] = {
    "Violence and sexual offences": [
        ("VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY", 0.30),
        ("VIOLENCE AGAINST THE PERSON", "VIOLENCE WITHOUT INJURY", 0.37),
        ("VIOLENCE AGAINST THE PERSON", "STALKING AND HARASSMENT", 0.22),
        ("VIOLENCE AGAINST THE PERSON", "HOMICIDE", 0.001),
        ("SEXUAL OFFENCES", "RAPE", 0.035),
        ("SEXUAL OFFENCES", "OTHER SEXUAL OFFENCES", 0.065),
    ],
    "Burglary": [("BURGLARY", "BURGLARY - RESIDENTIAL", 0.7), ("BURGLARY", "BURGLARY BUSINESS AND COMMUNITY", 0.3)],
    "Criminal damage and arson": [("ARSON AND CRIMINAL DAMAGE", "CRIMINAL DAMAGE", 0.95),
                                  ("ARSON AND CRIMINAL DAMAGE", "ARSON", 0.05)],
    "Drugs": [("DRUG OFFENCES", "POSSESSION OF DRUGS", 0.8), ("DRUG OFFENCES", "TRAFFICKING OF DRUGS", 0.2)],
    "Other crime": [("MISCELLANEOUS CRIMES AGAINST SOCIETY", "MISC CRIMES AGAINST SOCIETY", 1.0)],
    "Possession of weapons": [("POSSESSION OF WEAPONS", "POSSESSION OF WEAPONS", 1.0)],
    "Public order": [("PUBLIC ORDER OFFENCES", "PUBLIC FEAR ALARM OR DISTRESS", 0.75),
                     ("PUBLIC ORDER OFFENCES", "OTHER OFFENCES PUBLIC ORDER", 0.2),
                     ("PUBLIC ORDER OFFENCES", "RACE OR RELIGIOUS AGG PUBLIC FEAR", 0.05)],
    "Robbery": [("ROBBERY", "ROBBERY OF PERSONAL PROPERTY", 0.9), ("ROBBERY", "ROBBERY OF BUSINESS PROPERTY", 0.1)],
    "Bicycle theft": [("THEFT", "BICYCLE THEFT", 1.0)],
    "Shoplifting": [("THEFT", "SHOPLIFTING", 1.0)],
    "Theft from the person": [("THEFT", "THEFT FROM THE PERSON", 1.0)],
    "Other theft": [("THEFT", "OTHER THEFT", 1.0)],
    "Vehicle crime": [("VEHICLE OFFENCES", "THEFT FROM A VEHICLE", 0.55),
                      ("VEHICLE OFFENCES", "THEFT OR UNAUTH TAKING OF A MOTOR VEH", 0.3),
                      ("VEHICLE OFFENCES", "INTERFERING WITH A MOTOR VEHICLE", 0.15)],
}

#: Extra seasonality (amplitude, peak month) and growth over the window for some minor classes.
SEASON = {"RAPE": (0.15, 7), "OTHER SEXUAL OFFENCES": (0.2, 6)}
GROWTH = {"STALKING AND HARASSMENT": 0.25}


def write_ward_crime(city: City, model, folder: Path, window: list[str], seed: int) -> Path:
    """Write the ward file for the latest 24 months of ``window`` (fewer if the window is shorter)."""
    from openbeat.demo.reference import _csv, write_text

    W, B = city.wards, city.boroughs
    first = max(0, len(window) - 24)
    months = window[first:]
    rng = np.random.default_rng([seed, 18])
    ward_of_point = model.ward
    n_wards = len(W.code)
    # expected[type, ward, month]
    expected = np.zeros((len(vocab.CRIME_TYPE_NAMES), n_wards, len(months)))
    inside = ward_of_point >= 0
    for j, i in enumerate(range(first, len(window))):
        lam = model.expected(i)
        for t in range(len(vocab.CRIME_TYPE_NAMES)):
            expected[t, :, j] = np.bincount(ward_of_point[inside], weights=lam[t, inside], minlength=n_wards)
    borough_of_ward = [B.name[b] for b in _ward_boroughs(city)]
    header = ["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName"] + [m.replace("-", "")
                                                                                         for m in months]
    rows = [header]
    cal = np.array([int(m[5:7]) for m in months])
    t_frac = np.arange(len(months)) / max(1, len(months) - 1)
    for name, classes in sorted(CLASSES.items(), key=lambda kv: kv[1][0]):
        t = vocab.CRIME_TYPE_NAMES.index(name)
        for major, minor, share in classes:
            amp, peak = SEASON.get(minor, (0.0, 7))
            factor = share * (1 + amp * np.cos(2 * np.pi * (cal - peak) / 12)) * (1 + GROWTH.get(minor, 0) * t_frac)
            counts = rng.poisson(expected[t] * factor)
            for w in range(n_wards):
                rows.append([major, minor, W.name[w], W.code[w], borough_of_ward[w], *map(int, counts[w])])
    rows[1:] = sorted(rows[1:], key=lambda r: (r[0], r[1], r[4], r[2]))
    return write_text(folder / FILE_NAME, _csv(rows))


def _ward_boroughs(city: City) -> list[int]:
    L = city.lsoas
    out = [0] * len(city.wards.code)
    for i in range(len(L.code)):
        out[L.extra["ward"][i]] = L.borough[i]
    return out
