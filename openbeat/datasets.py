"""The police datasets: the three police.uk CSV kinds, their exact headers, and the lake datasets they become.

The bottom of the package (docs/architecture.md): the lake, the loaders, the demo city and
the docs all take the datasets' names, columns and types from here, so there is one
definition of each. police.uk publishes, per force and month, ``YYYY-MM-<force>-street.csv``,
``-outcomes.csv`` and ``-stop-and-search.csv``. Lake columns keep police.uk's header
names in snake_case; ``force`` (the slug from the file name) and ``month`` are added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Column:
    header: str  # as police.uk writes it
    name: str  # in the lake
    sql_type: str  # DuckDB type used when reading the CSV
    required: bool = False  # empty means the row is unusable


@dataclass(frozen=True)
class Kind:
    file_kind: str  # the suffix in the file name
    dataset: str  # the lake dataset
    columns: tuple[Column, ...]
    #: Columns hashed into the stable row key: what identifies the record itself,
    #: not what police.uk later updates (outcome categories change on re-publication).
    identity: tuple[str, ...]

    @property
    def header(self) -> list[str]:
        return [c.header for c in self.columns]


def _c(header: str, sql_type: str = "VARCHAR", required: bool = False) -> Column:
    name = re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")
    return Column(header, name, sql_type, required)


_PLACE = (
    _c("Reported by"),
    _c("Falls within"),
    _c("Longitude", "DOUBLE"),
    _c("Latitude", "DOUBLE"),
    _c("Location"),
    _c("LSOA code"),
    _c("LSOA name"),
)

STREET = Kind(
    "street",
    "crimes",
    (
        _c("Crime ID"),
        _c("Month", required=True),
        *_PLACE,
        _c("Crime type", required=True),
        _c("Last outcome category"),
        _c("Context"),
    ),
    identity=(
        "crime_id", "month", "falls_within", "longitude", "latitude", "location",
        "lsoa_code", "crime_type",
    ),
)

OUTCOMES = Kind(
    "outcomes",
    "outcomes",
    (_c("Crime ID", required=True), _c("Month", required=True), *_PLACE, _c("Outcome type", required=True)),
    identity=(
        "crime_id", "month", "falls_within", "longitude", "latitude", "location",
        "lsoa_code", "outcome_type",
    ),
)

STOP_AND_SEARCH = Kind(
    "stop-and-search",
    "stop_searches",
    (
        _c("Type", required=True),
        _c("Date", "TIMESTAMPTZ", required=True),
        _c("Part of a policing operation", "BOOLEAN"),
        _c("Policing operation"),
        _c("Latitude", "DOUBLE"),
        _c("Longitude", "DOUBLE"),
        _c("Gender"),
        _c("Age range"),
        _c("Self-defined ethnicity"),
        _c("Officer-defined ethnicity"),
        _c("Legislation"),
        _c("Object of search"),
        _c("Outcome"),
        _c("Outcome linked to object of search", "BOOLEAN"),
        _c("Removal of more than just outer clothing", "BOOLEAN"),
    ),
    identity=(
        "type", "date", "latitude", "longitude", "gender", "age_range",
        "self_defined_ethnicity", "officer_defined_ethnicity", "legislation",
        "object_of_search", "outcome",
    ),
)

#: The 14 crime types police.uk publishes (``Crime type``); the same list as
#: ``openbeat.analytics.harm.CRIME_TYPES`` (a test keeps them equal). Rows of another type
#: are loaded, and counted as ``unknown_crime_types`` in the manifest and by ``status``.
CRIME_TYPES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting",
    "Theft from the person", "Vehicle crime", "Violence and sexual offences",
)

KINDS = {k.file_kind: k for k in (STREET, OUTCOMES, STOP_AND_SEARCH)}
BY_DATASET = {k.dataset: k for k in KINDS.values()}
#: The lake datasets ingest writes by force and month: crimes, outcomes, stop_searches.
POLICE_DATASETS = tuple(BY_DATASET)

# 2024-03-metropolitan-stop-and-search.csv(.gz); the force slug may contain hyphens.
FILE_NAME = re.compile(
    r"^(?P<month>\d{4}-(?:0[1-9]|1[0-2]))-(?P<force>[a-z0-9][a-z0-9-]*?)-"
    r"(?P<kind>street|outcomes|stop-and-search)\.csv(?:\.gz)?$"
)


@dataclass(frozen=True)
class FileName:
    month: str
    force: str
    kind: Kind


def parse_file_name(name: str) -> FileName | None:
    """``2023-03-city-of-london-street.csv`` → month, force and kind; None if not police.uk's."""
    m = FILE_NAME.match(PurePath(name).name)
    if not m:
        return None
    return FileName(m["month"], m["force"], KINDS[m["kind"]])


def lake_columns(kind: Kind) -> list[tuple[str, str]]:
    """(name, DuckDB type) of the dataset as stored, in order."""
    cols = [("row_key", "VARCHAR")]
    for c in kind.columns:
        if c.name == "month":
            continue  # stored as a DATE below
        cols.append((c.name, c.sql_type))
    cols += [("force", "VARCHAR"), ("month", "DATE")]
    return cols


def empty_select(dataset: str) -> str:
    """A typed, empty SELECT with the dataset's columns, for views over an empty lake."""
    cols = ", ".join(f"CAST(NULL AS {t}) AS {n}" for n, t in lake_columns(BY_DATASET[dataset]))
    return f"SELECT {cols} WHERE false"
