"""London Datastore "MPS Ward Level Crime" (wide, one column per month) → ``ward_crime``.

The file (``MajorText, MinorText, WardName, WardCode, LookUp_BoroughName, 202403, …``)
counts recorded offences by Home Office major/minor class, ward (WD22 codes) and month.
It is the current all-crime ward series where police.uk street files are missing.
Long format: one row per ward × month × minor class.

``LookUp_BoroughName`` holds a pseudo-borough, "Aviation Security (SO18)", for the
Heathrow ward policed by the Met's aviation command: its rows are kept and flagged
(``aviation_security``), and ``borough_code`` still comes from the ward lookup, so
analyses choose whether to count Heathrow in Hillingdon.

:data:`HO_TO_POLICE_UK` relates the Home Office classes to police.uk crime types (see
docs/data/reference.md for the caveats: police.uk excludes fraud, snaps locations and
publishes anti-social behaviour, which is not recorded crime).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pyarrow as pa

from openbeat.geo.refdata import merge_reference, read_csv_rows, read_reference
from openbeat.ingest.errors import IngestError
from openbeat.lake import Lake

AVIATION = "Aviation Security (SO18)"

SCHEMA = pa.schema(
    [
        ("ward_code", pa.string()),
        ("ward_name", pa.string()),
        ("borough_name", pa.string()),  # LookUp_BoroughName as published
        ("borough_code", pa.string()),  # from the ward lookup (None if the ward is unknown)
        ("aviation_security", pa.bool_()),  # published under the SO18 pseudo-borough
        ("month", pa.date32()),
        ("major_text", pa.string()),
        ("minor_text", pa.string()),
        ("police_uk_crime_type", pa.string()),  # nearest police.uk category, None if none
        ("count", pa.int64()),
        ("file", pa.string()),
    ]
)

#: (MajorText, MinorText or None for every minor) → police.uk crime type (None: not on police.uk).
HO_TO_POLICE_UK: dict[tuple[str, str | None], str | None] = {
    ("ARSON AND CRIMINAL DAMAGE", None): "Criminal damage and arson",
    ("BURGLARY", None): "Burglary",
    ("DRUG OFFENCES", None): "Drugs",
    ("FRAUD AND FORGERY", None): None,  # police.uk publishes no fraud (Action Fraud/NFIB)
    ("NFIB FRAUD", None): None,
    ("MISCELLANEOUS CRIMES AGAINST SOCIETY", None): "Other crime",
    ("POSSESSION OF WEAPONS", None): "Possession of weapons",
    ("PUBLIC ORDER OFFENCES", None): "Public order",
    ("ROBBERY", None): "Robbery",
    ("SEXUAL OFFENCES", None): "Violence and sexual offences",
    ("THEFT", "BICYCLE THEFT"): "Bicycle theft",
    ("THEFT", "SHOPLIFTING"): "Shoplifting",
    ("THEFT", "THEFT FROM THE PERSON"): "Theft from the person",
    ("THEFT", "OTHER THEFT"): "Other theft",
    ("THEFT", None): "Other theft",
    ("VEHICLE OFFENCES", None): "Vehicle crime",
    ("VIOLENCE AGAINST THE PERSON", None): "Violence and sexual offences",
}


def police_uk_type(major: str, minor: str) -> str | None:
    """The police.uk crime type nearest a Home Office major/minor class (None if none)."""
    key = (major.strip().upper(), minor.strip().upper())
    if key in HO_TO_POLICE_UK:
        return HO_TO_POLICE_UK[key]
    return HO_TO_POLICE_UK.get((key[0], None))


_MONTH = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")


def is_ward_crime(header: list[str]) -> bool:
    low = [h.strip().lower() for h in header]
    return {"majortext", "minortext", "wardcode"} <= set(low) and any(_MONTH.match(h.strip()) for h in header)


def read_ward_crime(path: str | Path, borough_of_ward: dict[str, str] | None = None) -> pa.Table:
    path = Path(path)
    header, rows = read_csv_rows(path)
    if not is_ward_crime(header):
        raise IngestError(str(path), "not an MPS ward-level crime file", line=1,
                          hint="expected MajorText, MinorText, WardName, WardCode, LookUp_BoroughName, YYYYMM…")
    low = [h.strip().lower() for h in header]
    i_maj, i_min, i_wc = low.index("majortext"), low.index("minortext"), low.index("wardcode")
    i_wn = low.index("wardname") if "wardname" in low else None
    i_b = next((i for i, h in enumerate(low) if "borough" in h), None)
    months = [(i, date(int(m[1]), int(m[2]), 1)) for i, h in enumerate(header) if (m := _MONTH.match(h.strip()))]
    borough_of_ward = borough_of_ward or {}
    cols = {k: [] for k in SCHEMA.names}
    for n, r in enumerate(rows, start=2):
        if len(r) != len(header):
            raise IngestError(str(path), f"{len(r)} fields where the header has {len(header)}", line=n)
        ward = r[i_wc].strip()
        borough = r[i_b].strip() if i_b is not None else None
        crime_type = police_uk_type(r[i_maj], r[i_min])
        for i, month in months:
            v = r[i].strip()
            if v == "":
                continue  # not published for that month; absent, not zero
            try:
                count = int(v)
            except ValueError:
                raise IngestError(str(path), f"{v!r} is not a count", line=n, column=header[i]) from None
            cols["ward_code"].append(ward)
            cols["ward_name"].append(r[i_wn].strip() if i_wn is not None else None)
            cols["borough_name"].append(borough)
            cols["borough_code"].append(borough_of_ward.get(ward))
            cols["aviation_security"].append(borough == AVIATION)
            cols["month"].append(month)
            cols["major_text"].append(r[i_maj].strip())
            cols["minor_text"].append(r[i_min].strip())
            cols["police_uk_crime_type"].append(crime_type)
            cols["count"].append(count)
            cols["file"].append(path.name)
    return pa.table(cols, schema=SCHEMA)


def borough_of_ward(lake: Lake) -> dict[str, str]:
    """ward code → LAD code, from the ``lsoa_wards`` lookups and the ``areas`` wards."""
    out: dict[str, str] = {}
    lk = read_reference(lake, "lsoa_wards", columns=["ward_code", "lad_code"])
    if lk is not None:
        out.update(zip(lk["ward_code"].to_pylist(), lk["lad_code"].to_pylist()))
    areas = read_reference(lake, "areas", columns=["level", "code", "borough_code"])
    if areas is not None:
        for lvl, c, b in zip(areas["level"].to_pylist(), areas["code"].to_pylist(),
                             areas["borough_code"].to_pylist()):
            if lvl == "ward" and b:
                out.setdefault(c, b)
    return out


def load_ward_crime(lake: Lake, path: str | Path) -> int:
    t = read_ward_crime(path, borough_of_ward(lake))
    merge_reference(lake, "ward_crime", t, ["ward_code", "month", "major_text", "minor_text"])
    return t.num_rows
