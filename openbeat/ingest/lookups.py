"""ONS LSOA 2021 → ward → local authority lookups, loaded as published.

The ONS Open Geography Portal CSVs (e.g. ``LSOA_(2021)_to_Ward_(2022)_to_LAD_(2022)_
Lookup_in_England_and_Wales_v3.csv`` and the ``…Electoral_Ward_(2025)…Best_Fit…``
one) start with a UTF-8 BOM, leave the Welsh-name columns (``…NMW``) empty for English
areas and end with an ``ObjectId`` column. The ward and LAD vintages are read from the
column names (``WD22CD`` → ``WD22``), so any year's edition loads the same way.

Dataset ``lsoa_wards``: one row per (ward_vintage, lsoa21_code).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from openbeat.geo.refdata import merge_reference, read_csv_rows
from openbeat.ingest.errors import IngestError
from openbeat.lake import Lake

SCHEMA = pa.schema(
    [
        ("lsoa21_code", pa.string()),
        ("lsoa21_name", pa.string()),
        ("ward_code", pa.string()),
        ("ward_name", pa.string()),
        ("lad_code", pa.string()),
        ("lad_name", pa.string()),
        ("ward_vintage", pa.string()),  # 'WD22', 'WD25'
        ("lad_vintage", pa.string()),  # 'LAD22', 'LAD25'
        ("best_fit", pa.bool_()),  # ONS says the lookup is best-fit, not exact nesting
        ("object_id", pa.int64()),
        ("source", pa.string()),
    ]
)

_WARD = re.compile(r"^WD(\d\d)CD$", re.I)
_LAD = re.compile(r"^LAD(\d\d)CD$", re.I)


def is_lsoa_ward_lookup(header: list[str]) -> bool:
    up = [h.strip().upper() for h in header]
    return "LSOA21CD" in up and any(_WARD.match(h) for h in up) and any(_LAD.match(h) for h in up)


def read_lsoa_ward_lookup(path: str | Path) -> pa.Table:
    """One ONS LSOA21 → WDyy → LADyy lookup as a ``lsoa_wards`` table."""
    path = Path(path)
    header, rows = read_csv_rows(path)
    if not is_lsoa_ward_lookup(header):
        raise IngestError(str(path), "not an ONS LSOA 2021 → ward → LAD lookup",
                          hint="expected columns LSOA21CD, LSOA21NM, WDyyCD, WDyyNM, LADyyCD, LADyyNM")
    up = [h.strip().upper() for h in header]
    ward_cd = next(h for h in up if _WARD.match(h))
    lad_cd = next(h for h in up if _LAD.match(h))
    wy, ly = _WARD.match(ward_cd)[1], _LAD.match(lad_cd)[1]

    def col(name: str, required: bool = True) -> int | None:
        if name in up:
            return up.index(name)
        if required:
            raise IngestError(str(path), f"column {name} is missing", line=1)
        return None

    i_l, i_ln = col("LSOA21CD"), col("LSOA21NM", False)
    i_w, i_wn = col(ward_cd), col(f"WD{wy}NM", False)
    i_a, i_an = col(lad_cd), col(f"LAD{ly}NM", False)
    i_o = next((i for i, h in enumerate(up) if h in ("OBJECTID", "FID")), None)
    best_fit = "best_fit" in path.name.lower().replace("-", "_").replace(" ", "_")
    out = {k: [] for k in SCHEMA.names}
    seen: dict[str, int] = {}
    for n, r in enumerate(rows, start=2):
        if len(r) < len(header):
            raise IngestError(str(path), f"{len(r)} fields where the header has {len(header)}", line=n)
        code = r[i_l].strip()
        if not code:
            raise IngestError(str(path), "empty LSOA21CD", line=n, column="LSOA21CD")
        if code in seen:
            raise IngestError(str(path), f"LSOA {code} appears twice (also line {seen[code]})", line=n)
        seen[code] = n

        def val(i):
            return r[i].strip() or None if i is not None else None

        out["lsoa21_code"].append(code)
        out["lsoa21_name"].append(val(i_ln))
        out["ward_code"].append(val(i_w))
        out["ward_name"].append(val(i_wn))
        out["lad_code"].append(val(i_a))
        out["lad_name"].append(val(i_an))
        out["ward_vintage"].append(f"WD{wy}")
        out["lad_vintage"].append(f"LAD{ly}")
        out["best_fit"].append(best_fit)
        oid = val(i_o)
        out["object_id"].append(int(oid) if oid and oid.isdigit() else None)
        out["source"].append(path.name)
    return pa.table(out, schema=SCHEMA)


def load_lsoa_ward_lookup(lake: Lake, path: str | Path) -> int:
    """Load a lookup into ``lsoa_wards`` (replacing that ward vintage's rows for its LSOAs)."""
    t = read_lsoa_ward_lookup(path)
    merge_reference(lake, "lsoa_wards", t, ["ward_vintage", "lsoa21_code"])
    return t.num_rows
