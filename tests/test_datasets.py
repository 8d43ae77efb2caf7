"""openbeat/datasets.py: the three police.uk kinds, their headers against real files, file names, lake columns."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import duckdb
import pytest

from openbeat.datasets import (
    BY_DATASET,
    KINDS,
    OUTCOMES,
    POLICE_DATASETS,
    STOP_AND_SEARCH,
    STREET,
    empty_select,
    lake_columns,
    parse_file_name,
)

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _first_file(pattern: str) -> Path:
    found = sorted(DATA.rglob(pattern)) if DATA.is_dir() else []
    if not found:
        pytest.skip(f"real police.uk samples not found at {DATA} (../shared/data is absent on this machine)")
    return found[0]


def _header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
        return next(csv.reader(f))


@pytest.mark.parametrize("kind, pattern", [(STREET, "*-metropolitan-street.csv*"),
                                           (OUTCOMES, "*-metropolitan-outcomes.csv*"),
                                           (STOP_AND_SEARCH, "*-metropolitan-stop-and-search.csv*")])
def test_headers_are_police_uk_s_own(kind, pattern):
    assert kind.header == _header(_first_file(pattern))


def test_one_definition_of_the_datasets():
    assert POLICE_DATASETS == tuple(BY_DATASET) == tuple(k.dataset for k in KINDS.values())
    assert {k: v.dataset for k, v in KINDS.items()} == {
        "street": STREET.dataset, "outcomes": OUTCOMES.dataset, "stop-and-search": STOP_AND_SEARCH.dataset}
    assert len(set(POLICE_DATASETS)) == 3


@pytest.mark.parametrize("name, month, force, kind", [
    ("2023-03-city-of-london-street.csv", "2023-03", "city-of-london", STREET),
    ("data/2024-10-metropolitan-outcomes.csv.gz", "2024-10", "metropolitan", OUTCOMES),
    ("2022-05-metropolitan-stop-and-search.csv.gz", "2022-05", "metropolitan", STOP_AND_SEARCH),
])
def test_file_names(name, month, force, kind):
    parsed = parse_file_name(name)
    assert (parsed.month, parsed.force, parsed.kind) == (month, force, kind)


@pytest.mark.parametrize("name", ["2023-13-metropolitan-street.csv", "2023-03-metropolitan-street.txt",
                                  "metropolitan-street.csv", "2023-03--street.csv", "2023-03-Met-street.csv"])
def test_names_that_are_not_police_uk_s(name):
    assert parse_file_name(name) is None


@pytest.mark.parametrize("dataset", POLICE_DATASETS)
def test_empty_select_has_the_lake_columns_and_no_rows(dataset):
    con = duckdb.connect()
    rel = con.sql(empty_select(dataset))
    columns = lake_columns(BY_DATASET[dataset])
    assert rel.columns == [n for n, _ in columns]
    assert rel.types == [con.sql(f"SELECT CAST(NULL AS {t})").types[0] for _, t in columns]
    assert rel.fetchall() == []
    assert columns[0] == ("row_key", "VARCHAR") and columns[-2:] == [("force", "VARCHAR"), ("month", "DATE")]
