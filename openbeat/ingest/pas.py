"""MOPAC Public Attitude Survey (PAS) borough and MPS-wide measures → ``pas``.

The London Datastore files (``PAS_buroughs.csv``: Date;Survey;Borough;Measure;
Proportion;MPS and ``PAS_Total.csv``: Date;Survey;Borough;Measure;Proportion) were
re-saved from Excel in a Dutch locale: semicolon-delimited, decimal commas (``0,67``),
``dd/mm/yyyy`` quarter-end dates, CRLF line ends, and ``"Good Job" local`` with
embedded quotes. Borough names vary ("Richmond Upon Thames" / "Richmond upon
Thames", "City of Westminster"); they are resolved to GSS codes through the loaded
borough boundaries or lookups, then through the 33 London boroughs' codes.

Rows: one per measure × area × quarter, ``proportion`` in [0, 1]. The MPS-wide figure
has ``area_code`` 'MPS' and ``level`` 'force'. When only the borough file is loaded,
its ``MPS`` column supplies the force-level rows; ``PAS_Total.csv`` replaces them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pyarrow as pa

from openbeat.geo.refdata import merge_reference, read_csv_rows, read_reference
from openbeat.ingest.errors import IngestError
from openbeat.lake import Lake

SCHEMA = pa.schema(
    [
        ("survey", pa.string()),
        ("measure", pa.string()),  # as published, quotes unescaped: "Good Job" local
        ("area_code", pa.string()),  # E09… or 'MPS'
        ("area_name", pa.string()),  # canonical name
        ("level", pa.string()),  # 'borough' or 'force'
        ("quarter_end", pa.date32()),
        ("quarter", pa.string()),  # calendar quarter of quarter_end, e.g. '2014-Q4'
        ("proportion", pa.float64()),
        ("name_as_published", pa.string()),
        ("file", pa.string()),
    ]
)

#: The 33 London local authorities (LAD codes are stable since 2009).
LONDON_BOROUGHS = {
    "E09000001": "City of London", "E09000002": "Barking and Dagenham", "E09000003": "Barnet",
    "E09000004": "Bexley", "E09000005": "Brent", "E09000006": "Bromley", "E09000007": "Camden",
    "E09000008": "Croydon", "E09000009": "Ealing", "E09000010": "Enfield", "E09000011": "Greenwich",
    "E09000012": "Hackney", "E09000013": "Hammersmith and Fulham", "E09000014": "Haringey",
    "E09000015": "Harrow", "E09000016": "Havering", "E09000017": "Hillingdon", "E09000018": "Hounslow",
    "E09000019": "Islington", "E09000020": "Kensington and Chelsea", "E09000021": "Kingston upon Thames",
    "E09000022": "Lambeth", "E09000023": "Lewisham", "E09000024": "Merton", "E09000025": "Newham",
    "E09000026": "Redbridge", "E09000027": "Richmond upon Thames", "E09000028": "Southwark",
    "E09000029": "Sutton", "E09000030": "Tower Hamlets", "E09000031": "Waltham Forest",
    "E09000032": "Wandsworth", "E09000033": "Westminster",
}

DERIVED = "MPS column of the borough file"

FORCE_NAMES = {"mps", "met", "metropolitan police", "metropolitan police service", "london"}


def normalise_name(name: str) -> str:
    """'City of Westminster' → 'westminster'; 'Richmond Upon Thames' → 'richmond upon thames'."""
    s = name.strip().lower().replace("&", " and ")
    s = re.sub(r"^(london borough of|royal borough of|the)\s+", "", s)
    if s.startswith("city of ") and s != "city of london":
        s = s[len("city of "):]
    return re.sub(r"\s+", " ", s).strip()


def borough_resolver(lake: Lake | None) -> dict[str, tuple[str, str]]:
    """normalised name → (GSS code, canonical name): loaded boroughs first, then London's."""
    out = {normalise_name(n): (c, n) for c, n in LONDON_BOROUGHS.items()}
    if lake is None:
        return out
    lk = read_reference(lake, "lsoa_wards", columns=["lad_code", "lad_name"])
    if lk is not None:
        for c, n in set(zip(lk["lad_code"].to_pylist(), lk["lad_name"].to_pylist())):
            if c and n:
                out[normalise_name(n)] = (c, n)
    areas = read_reference(lake, "areas", columns=["level", "code", "name"])
    if areas is not None:
        for lvl, c, n in zip(areas["level"].to_pylist(), areas["code"].to_pylist(), areas["name"].to_pylist()):
            if lvl == "borough" and c and n:
                out[normalise_name(n)] = (c, n)
    return out


def is_pas(header: list[str]) -> bool:
    low = [h.strip().lower() for h in header]
    return low[:5] == ["date", "survey", "borough", "measure", "proportion"]


def _proportion(v: str, path: Path, line: int, column: str) -> float | None:
    v = v.strip()
    if not v:
        return None
    try:
        x = float(v.replace(",", "."))  # decimal comma
    except ValueError:
        raise IngestError(str(path), f"{v!r} is not a number", line=line, column=column) from None
    if not 0 <= x <= 1:
        raise IngestError(str(path), f"{v!r} is not a proportion between 0 and 1", line=line, column=column)
    return x


def _date(v: str, path: Path, line: int) -> date:
    m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", v.strip())
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))  # dd/mm/yyyy
    try:
        return date.fromisoformat(v.strip())
    except ValueError:
        raise IngestError(str(path), f"{v!r} is not a dd/mm/yyyy date", line=line, column="Date") from None


def read_pas(path: str | Path, resolver: dict[str, tuple[str, str]]) -> pa.Table:
    """One PAS file (borough or MPS-wide) as tidy rows."""
    path = Path(path)
    header, rows = read_csv_rows(path, delimiter=";")
    if not is_pas(header):
        raise IngestError(str(path), "not a MOPAC PAS file", line=1,
                          hint="expected a header Date;Survey;Borough;Measure;Proportion")
    has_mps = len(header) > 5 and header[5].strip().upper() == "MPS"
    out, force_rows, unknown = [], {}, {}
    for n, r in enumerate(rows, start=2):
        if len(r) < 5:
            raise IngestError(str(path), f"{len(r)} fields, expected at least 5", line=n)
        d = _date(r[0], path, n)
        survey, name, measure = r[1].strip(), r[2].strip(), r[3].strip()
        quarter = f"{d.year}-Q{(d.month - 1) // 3 + 1}"
        value = _proportion(r[4], path, n, "Proportion")
        base = dict(survey=survey, measure=measure, quarter_end=d, quarter=quarter, file=path.name)
        if normalise_name(name) in FORCE_NAMES:
            out.append(dict(base, area_code="MPS", area_name="Metropolitan Police Service", level="force",
                            proportion=value, name_as_published=name))
        else:
            hit = resolver.get(normalise_name(name))
            if hit is None:
                unknown.setdefault(name, n)
                continue
            out.append(dict(base, area_code=hit[0], area_name=hit[1], level="borough", proportion=value,
                            name_as_published=name))
        if has_mps and len(r) > 5 and r[5].strip():
            force_rows[(survey, measure, d)] = dict(
                base, area_code="MPS", area_name="Metropolitan Police Service", level="force",
                proportion=_proportion(r[5], path, n, "MPS"), name_as_published=DERIVED)
    if unknown:
        listed = ", ".join(f"{k!r} (line {v})" for k, v in unknown.items())
        raise IngestError(str(path), f"borough names not recognised: {listed}",
                          hint="load the borough boundaries or the ONS LSOA → ward → LAD lookup first")
    return pa.Table.from_pylist(out + list(force_rows.values()), schema=SCHEMA)


def load_pas(lake: Lake, path: str | Path) -> int:
    """Load one PAS file into ``pas``; returns rows loaded.

    Force-level rows taken from a borough file's ``MPS`` column never replace rows
    loaded from the MPS-wide file (they carry the same figures, to two decimals).
    """
    import pyarrow.compute as pc

    t = read_pas(path, borough_resolver(lake))
    old = read_reference(lake, "pas", columns=["level", "name_as_published"])
    if old is not None:
        from_total = pc.and_(pc.equal(old["level"], "force"), pc.not_equal(old["name_as_published"], DERIVED))
        if pc.any(from_total).as_py():
            t = t.filter(pc.not_equal(t["name_as_published"], DERIVED))
    merge_reference(lake, "pas", t, ["survey", "measure", "area_code", "quarter_end"])
    return t.num_rows
