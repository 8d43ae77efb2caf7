"""Population denominators: Census 2021 TS007A, ethnic group by LA, mid-year LSOA estimates.

Three published shapes, recognised by their headers:

* **TS007A** (Nomis bulk ``census2021-ts007a-<level>.csv``): ``date, geography,
  geography code, Age: Total, …``. ``Age: Total`` is the usual-resident population.
  The level comes from the GSS code (E01 LSOA, E02 MSOA, E06–E09/W06 local authority,
  E10 county, E12 region, E92/W92 country), so the ltla and utla files, which both
  hold the London boroughs, load into the same rows.
* **Ethnic group (8 categories)** by local authority: ``<geography> Code, <geography>,
  Ethnic group (8 categories) Code, Ethnic group…, Observation``. The copy in
  ``../shared/data`` labels both code 5 and code 6 "White Other"; the code is what
  counts, so labels are replaced by ONS's official ones for codes -8…7.
* **Mid-year estimates** by 2011 LSOA: ``LSOA11CD, …, LAD11CD, …, Persons_All-Ages``.
  The year is not in the file; it is taken from the file name (``mid2019``).

Datasets: ``population`` (one row per source × area × period), ``population_sex``
(mid-year females and males per LSOA, where the file splits by sex) and
``population_ethnicity``. :func:`openbeat.analytics.population.denominators` reads them:
for a level and period, the source whose geography vintage matches and whose date is
nearest, and says which.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pyarrow as pa

from openbeat.geo.refdata import first_line, merge_reference, read_csv_rows
from openbeat.ingest.errors import IngestError
from openbeat.lake import Lake

CENSUS_DAY = date(2021, 3, 21)

POPULATION_SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("area_name", pa.string()),
        ("level", pa.string()),  # lsoa21, msoa21, lsoa11, borough, county, region, country
        ("geography_vintage", pa.string()),  # '2021' or '2011' (the LSOA/MSOA generation)
        ("borough_code", pa.string()),  # parent local authority when the file gives it
        ("source", pa.string()),  # census2021_ts007a, mid_year_estimate
        ("period", pa.date32()),  # census day, or 30 June of the estimate year
        ("population", pa.int64()),
        ("file", pa.string()),
    ]
)

#: Mid-year estimates by sex (``Females_All-Ages``, ``Males_All-Ages``): the denominator
#: for offences whose victims are mostly women and girls. Census 2021 TS007A has no sex.
POPULATION_SEX_SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("level", pa.string()),  # lsoa11
        ("borough_code", pa.string()),
        ("sex", pa.string()),  # 'female' or 'male'
        ("source", pa.string()),  # mid_year_estimate
        ("period", pa.date32()),  # 30 June of the estimate year
        ("population", pa.int64()),
        ("file", pa.string()),
    ]
)

ETHNICITY_SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("area_name", pa.string()),
        ("level", pa.string()),
        ("ethnic_group_code", pa.int32()),
        ("ethnic_group", pa.string()),  # ONS's official label for the code
        ("broad_group", pa.string()),  # Asian, Black, Mixed, White, Other (None for -8)
        ("label_as_published", pa.string()),
        ("population", pa.int64()),
        ("period", pa.date32()),
        ("file", pa.string()),
    ]
)

#: Census 2021 "Ethnic group (8 categories)" (TS021 classification), ONS labels.
ETHNIC_GROUPS_8 = {
    -8: ("Does not apply", None),
    1: ("Asian, Asian British or Asian Welsh", "Asian"),
    2: ("Black, Black British, Black Welsh, Caribbean or African", "Black"),
    3: ("Mixed or Multiple ethnic groups", "Mixed"),
    4: ("White: English, Welsh, Scottish, Northern Irish or British", "White"),
    5: ("White: Irish", "White"),
    6: ("White: Gypsy or Irish Traveller, Roma or Other White", "White"),
    7: ("Other ethnic group", "Other"),
}

_LEVEL_BY_TYPE = {
    "01": ("lsoa21", "2021"), "02": ("msoa21", "2021"),
    "06": ("borough", None), "07": ("borough", None), "08": ("borough", None), "09": ("borough", None),
    "10": ("county", None), "11": ("county", None), "12": ("region", None), "92": ("country", None),
}


def _level(code: str) -> tuple[str, str | None]:
    t = code[1:3] if len(code) == 9 else ""
    return _LEVEL_BY_TYPE.get(t, ("other", None))


def kind_of(header: list[str]) -> str | None:
    """'ts007a', 'ethnicity', 'mid_year' or None."""
    low = [h.strip().lower() for h in header]
    if "geography code" in low and "age: total" in low:
        return "ts007a"
    if "observation" in low and any("ethnic group" in h and h.endswith("code") for h in low):
        return "ethnicity"
    if "lsoa11cd" in low and any(h in ("persons_all-ages", "all ages", "all_ages") for h in low):
        return "mid_year"
    return None


def _int(v: str, path: Path, line: int, column: str) -> int:
    try:
        return int(v.replace(",", "").strip())
    except ValueError:
        raise IngestError(str(path), f"{v!r} is not a whole number", line=line, column=column) from None


def read_ts007a(path: Path) -> pa.Table:
    header, rows = read_csv_rows(path)
    low = [h.strip().lower() for h in header]
    i_code, i_name, i_tot = low.index("geography code"), low.index("geography"), low.index("age: total")
    i_date = low.index("date") if "date" in low else None
    out = []
    for n, r in enumerate(rows, start=2):
        code = r[i_code].strip()
        level, vintage = _level(code)
        year = r[i_date].strip() if i_date is not None else "2021"
        if year != "2021":
            raise IngestError(str(path), f"date {year!r}: only Census 2021 TS007A is known", line=n, column="date")
        out.append(dict(area_code=code, area_name=r[i_name].strip(), level=level, geography_vintage=vintage,
                        borough_code=code if level == "borough" else None, source="census2021_ts007a",
                        period=CENSUS_DAY, population=_int(r[i_tot], path, n, "Age: Total"), file=path.name))
    return pa.Table.from_pylist(out, schema=POPULATION_SCHEMA)


def read_mid_year(path: Path) -> pa.Table:
    m = re.search(r"mid[-_ ]?(\d{4})", path.name, re.I) or re.search(r"(?<!\d)(20\d\d)(?!\d)", path.name)
    if not m:
        raise IngestError(str(path), "cannot tell which mid-year this estimate is for",
                          hint="keep the year in the file name, e.g. london-mid2020-pop.csv")
    header, rows = read_csv_rows(path)
    low = [h.strip().lower() for h in header]
    i_code = low.index("lsoa11cd")
    i_name = low.index("lsoa11nm") if "lsoa11nm" in low else None
    i_lad = next((i for i, h in enumerate(low) if re.match(r"^lad\d\dcd$", h)), None)
    i_tot = next(i for i, h in enumerate(low) if h in ("persons_all-ages", "all ages", "all_ages"))
    period = date(int(m[1]), 6, 30)
    out = []
    for n, r in enumerate(rows, start=2):
        out.append(dict(area_code=r[i_code].strip(), area_name=r[i_name].strip() if i_name is not None else None,
                        level="lsoa11", geography_vintage="2011",
                        borough_code=r[i_lad].strip() if i_lad is not None else None,
                        source="mid_year_estimate", period=period,
                        population=_int(r[i_tot], path, n, header[i_tot]), file=path.name))
    return pa.Table.from_pylist(out, schema=POPULATION_SCHEMA)


def read_mid_year_by_sex(path: Path) -> pa.Table | None:
    """Females and males of all ages per 2011 LSOA, or None when the file has no split by sex."""
    table = read_mid_year(path)  # the same checks, year and codes as the persons total
    header, rows = read_csv_rows(path)
    low = [h.strip().lower() for h in header]
    cols = {sex: next((i for i, h in enumerate(low) if h == f"{word}_all-ages"), None)
            for sex, word in (("female", "females"), ("male", "males"))}
    if None in cols.values():
        return None
    out = []
    for n, (r, base) in enumerate(zip(rows, table.to_pylist()), start=2):
        for sex, i in cols.items():
            out.append(dict(area_code=base["area_code"], level="lsoa11", borough_code=base["borough_code"], sex=sex,
                            source="mid_year_estimate", period=base["period"],
                            population=_int(r[i], path, n, header[i]), file=path.name))
    return pa.Table.from_pylist(out, schema=POPULATION_SEX_SCHEMA)


def read_ethnicity(path: Path) -> pa.Table:
    header, rows = read_csv_rows(path)
    low = [h.strip().lower() for h in header]
    i_gcode = next(i for i, h in enumerate(low) if "ethnic group" in h and h.endswith("code"))
    i_glabel = next((i for i, h in enumerate(low) if "ethnic group" in h and not h.endswith("code")), None)
    i_obs = low.index("observation")
    i_code = next(i for i, h in enumerate(low) if h.endswith(" code") and "ethnic" not in h)
    i_name = next((i for i, h in enumerate(low) if i != i_code and "ethnic" not in h and h != "observation"), None)
    out = []
    for n, r in enumerate(rows, start=2):
        gc = _int(r[i_gcode], path, n, header[i_gcode])
        if gc not in ETHNIC_GROUPS_8:
            raise IngestError(str(path), f"ethnic group code {gc} is not one of the 8 categories", line=n,
                              column=header[i_gcode], hint="expected the Census 2021 8-category classification")
        label, broad = ETHNIC_GROUPS_8[gc]
        code = r[i_code].strip()
        out.append(dict(area_code=code, area_name=r[i_name].strip() if i_name is not None else None,
                        level=_level(code)[0], ethnic_group_code=gc, ethnic_group=label, broad_group=broad,
                        label_as_published=r[i_glabel].strip() if i_glabel is not None else None,
                        population=_int(r[i_obs], path, n, "Observation"), period=CENSUS_DAY, file=path.name))
    return pa.Table.from_pylist(out, schema=ETHNICITY_SCHEMA)


def load_census_file(lake: Lake, path: str | Path) -> tuple[str, int]:
    """Load one population file; returns (dataset, rows)."""
    path = Path(path)
    header = next(csv.reader([first_line(path)]))
    kind = kind_of(header)
    if kind == "ts007a":
        t = read_ts007a(path)
    elif kind == "mid_year":
        t = read_mid_year(path)
        by_sex = read_mid_year_by_sex(path)
        if by_sex is not None:
            merge_reference(lake, "population_sex", by_sex, ["source", "area_code", "period", "sex"])
    elif kind == "ethnicity":
        t = read_ethnicity(path)
        merge_reference(lake, "population_ethnicity", t, ["area_code", "ethnic_group_code", "period"])
        return "population_ethnicity", t.num_rows
    else:
        raise IngestError(str(path), "not a recognised population file")
    merge_reference(lake, "population", t, ["source", "area_code", "period"])
    return "population", t.num_rows
