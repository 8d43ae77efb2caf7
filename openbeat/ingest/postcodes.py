"""ONS Postcode Directory (ONSPD) files → ``postcodes``; postcodes.io as an online fallback.

ONSPD CSVs have one row per postcode with, among ~50 columns, ``pcd``/``pcd2``/``pcds``
(7-, 8-character and "standard" forms), ``doterm`` (date terminated), ``lat``/``long``
(WGS84; 99.999999/0 when the postcode has no grid reference), ``osward``, ``oslaua``,
``lsoa11``, ``lsoa21`` and ``pfa``. Recent editions spell some in upper case with a
vintage (``PCDS``, ``LSOA21CD``, ``WD25CD``, ``LAD25CD``); both are accepted, matched
case-insensitively. The whole-UK file is ~2.7 million rows, so DuckDB reads it.

postcodes.io (``GET {base}/postcodes/{postcode}``, JSON ``{"status": 200, "result":
{"postcode", "latitude", "longitude", "codes": {"admin_ward", "admin_district",
"lsoa", …}}}``) is used only when asked (``online=True``); its base URL is configurable
(``$OPENBEAT_POSTCODES_IO_URL``) so tests point it at a local server.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pyarrow as pa

from openbeat.geo.refdata import merge_reference
from openbeat.ingest.errors import IngestError
from openbeat.lake import Lake

DEFAULT_POSTCODES_IO = "https://api.postcodes.io"

SCHEMA = pa.schema(
    [
        ("postcode", pa.string()),  # standard form, e.g. 'N13 4PN'
        ("postcode_key", pa.string()),  # upper case, no spaces: 'N134PN'
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("lsoa21_code", pa.string()),
        ("lsoa11_code", pa.string()),
        ("ward_code", pa.string()),
        ("lad_code", pa.string()),
        ("pfa_code", pa.string()),  # police force area
        ("terminated", pa.bool_()),
        ("file", pa.string()),
    ]
)

# lake column → accepted header names (lower case), first found wins
ALIASES = {
    "postcode": ["pcds", "pcd2", "pcd", "pcd7", "pcd8", "postcode"],
    "latitude": ["lat", "latitude"],
    "longitude": ["long", "lon", "lng", "longitude"],
    "lsoa21_code": ["lsoa21", "lsoa21cd", "lsoa21_code"],
    "lsoa11_code": ["lsoa11", "lsoa11cd", "lsoa11_code"],
    "ward_code": ["osward", "ward", "ward_code", r"re:wd\d\dcd"],
    "lad_code": ["oslaua", "laua", "lad", "lad_code", r"re:lad\d\dcd"],
    "pfa_code": ["pfa", r"re:pfa\d\dcd"],
    "doterm": ["doterm"],
}

def _pick(header: list[str], names: list[str]) -> str | None:
    low = {h.strip().lower(): h for h in header}
    for n in names:
        if n.startswith("re:"):
            rx = re.compile(n[3:])
            hits = sorted((h for h in low if rx.fullmatch(h)), reverse=True)  # latest vintage first
            if hits:
                return low[hits[0]]
        elif n in low:
            return low[n]
    return None


def is_postcode_directory(header: list[str]) -> bool:
    return all(_pick(header, ALIASES[k]) for k in ("postcode", "latitude", "longitude"))


def read_postcodes(path: str | Path, header: list[str]) -> pa.Table:
    path = Path(path)
    cols = {k: _pick(header, v) for k, v in ALIASES.items()}
    if not all(cols[k] for k in ("postcode", "latitude", "longitude")):
        raise IngestError(str(path), "not a postcode directory", line=1,
                          hint="expected ONSPD columns such as pcds, lat, long, lsoa21, osward, oslaua")

    def q(c: str | None) -> str:
        return "NULL" if c is None else '"' + c.replace('"', '""') + '"'

    def code(c: str | None) -> str:
        return f"NULLIF(trim({q(c)}), '')"

    pc = f"upper(regexp_replace({q(cols['postcode'])}, '\\s+', '', 'g'))"
    sql = f"""
        SELECT
          substr({pc}, 1, length({pc}) - 3) || ' ' || right({pc}, 3) AS postcode,
          {pc} AS postcode_key,
          CASE WHEN TRY_CAST({q(cols['latitude'])} AS DOUBLE) BETWEEN 49 AND 61
               THEN TRY_CAST({q(cols['latitude'])} AS DOUBLE) END AS latitude,
          CASE WHEN TRY_CAST({q(cols['latitude'])} AS DOUBLE) BETWEEN 49 AND 61
               THEN TRY_CAST({q(cols['longitude'])} AS DOUBLE) END AS longitude,
          {code(cols['lsoa21_code'])} AS lsoa21_code,
          {code(cols['lsoa11_code'])} AS lsoa11_code,
          {code(cols['ward_code'])} AS ward_code,
          {code(cols['lad_code'])} AS lad_code,
          {code(cols['pfa_code'])} AS pfa_code,
          {('NULLIF(trim(' + q(cols['doterm']) + "), '') IS NOT NULL") if cols['doterm'] else 'false'} AS terminated,
          ? AS file
        FROM read_csv(?, header = true, all_varchar = true, auto_detect = true)
        WHERE length({pc}) BETWEEN 5 AND 7
    """
    con = duckdb.connect()
    try:
        # ONSPD's lat of 99.999999 marks "no grid reference": the BETWEEN above makes it NULL
        t = con.sql(sql, params=[path.name, str(path)]).to_arrow_table()
    except duckdb.Error as e:
        raise IngestError(str(path), f"cannot read the postcode file: {str(e).splitlines()[0]}") from e
    finally:
        con.close()
    return t.cast(SCHEMA)


def load_postcodes(lake: Lake, path: str | Path, header: list[str]) -> int:
    t = read_postcodes(path, header)
    merge_reference(lake, "postcodes", t, ["postcode_key"])
    return t.num_rows


def postcodes_io_url() -> str:
    return os.environ.get("OPENBEAT_POSTCODES_IO_URL", DEFAULT_POSTCODES_IO).rstrip("/")


def fetch_postcode(postcode: str, *, base_url: str | None = None, timeout: float = 10.0) -> dict | None:
    """One postcode from postcodes.io: {'postcode', 'latitude', 'longitude', 'codes'} or None (404)."""
    import httpx  # loads rich and pygments too: only when asked to go online (openbeat locate)

    base = (base_url or postcodes_io_url()).rstrip("/")
    url = f"{base}/postcodes/{postcode.replace(' ', '')}"
    try:
        r = httpx.get(url, timeout=timeout, headers={"User-Agent": "openbeat"})
    except httpx.HTTPError as e:
        raise IngestError(url, f"postcodes.io did not answer: {e}", hint="check the network or --online") from e
    if r.status_code == 404:
        return None
    if r.status_code != 200:
        raise IngestError(url, f"postcodes.io answered HTTP {r.status_code}")
    res = r.json().get("result") or {}
    return {
        "postcode": res.get("postcode"),
        "latitude": res.get("latitude"),
        "longitude": res.get("longitude"),
        "codes": res.get("codes") or {},
    }
