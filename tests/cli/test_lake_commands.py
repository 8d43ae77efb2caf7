"""`openbeat ingest`, `status` and `query`: exact output on a tiny lake."""

from __future__ import annotations

import json

from click.testing import CliRunner

from openbeat.cli import main
from tests.ingest.test_police_csv import STREET_HEADER, STREET_ROWS, write


def test_ingest_status_and_query(tmp_path):
    f = write(tmp_path / "src" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
    lake = str(tmp_path / "lake")
    runner = CliRunner()

    result = runner.invoke(main, ["ingest", "--lake", lake, str(f)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "1 files: 1 loaded, 0 unchanged, 0 failed; rows read 5, loaded 5, rejected 0, duplicate Crime IDs 1; "
        f"lake {lake}"
    )

    result = runner.invoke(main, ["query", "--lake", lake, "--format", "csv",
                                  "SELECT crime_type, count(*) AS n FROM crimes GROUP BY 1 ORDER BY 1"])
    assert result.exit_code == 0
    assert result.output == "crime_type,n\nAnti-social behaviour,2\nBurglary,2\nDrugs,1\n"

    result = runner.invoke(main, ["query", "--lake", lake, "--format", "json",
                                  "SELECT force, month, rows_read, rows_rejected FROM manifest"])
    assert json.loads(result.output) == [{"force": "test", "month": "2023-03-01", "rows_read": 5, "rows_rejected": 0}]

    result = runner.invoke(main, ["status", "--lake", lake])
    assert result.exit_code == 0
    row = [line for line in result.output.splitlines() if "test" in line and "crimes" in line][0]
    assert [c.strip() for c in row.strip("│ ").split("│")] == ["test", "crimes", "1", "2023-03", "2023-03", "5", "0", "none"]


def test_query_refuses_writes_and_reports_sql_errors(tmp_path):
    runner = CliRunner()
    lake = str(tmp_path / "lake")
    (tmp_path / "lake").mkdir()  # an empty lake
    result = runner.invoke(main, ["query", "--lake", lake, f"COPY (SELECT 1) TO '{tmp_path}/x.csv'"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: openbeat query only reads the lake's views; files, the network "
                                    "and extensions are out of reach (Permission Error: Cannot access file")
    assert not (tmp_path / "x.csv").exists()
    result = runner.invoke(main, ["query", "--lake", lake, "SELECT nope FROM crimes"])
    assert result.exit_code == 1 and "nope" in result.output


def test_ingest_exits_non_zero_when_a_file_fails(tmp_path):
    bad = write(tmp_path / "2023-03-test-street.csv", STREET_HEADER.replace("Month", "Mon"), STREET_ROWS)
    result = CliRunner().invoke(main, ["ingest", "--lake", str(tmp_path / "lake"), str(bad)])
    assert result.exit_code == 1
    assert "wrong header: column 2 should be 'Month', found 'Mon'" in result.output
    assert "1 failed" in result.output


def test_lake_defaults_to_the_environment_variable(tmp_path, monkeypatch):
    f = write(tmp_path / "src" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
    monkeypatch.setenv("OPENBEAT_LAKE", str(tmp_path / "envlake"))
    result = CliRunner().invoke(main, ["ingest", "-q", str(f)])
    assert result.exit_code == 0
    assert (tmp_path / "envlake" / "crimes" / "force=test" / "month=2023-03" / "part.parquet").exists()


def test_status_warns_about_parquet_no_dataset_owns(tmp_path):
    f = write(tmp_path / "src" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
    lake = tmp_path / "lake"
    CliRunner().invoke(main, ["ingest", "--lake", str(lake), str(f)])
    stray = lake / "x AS SELECT 1; SELECT 2 --" / "part.parquet"
    stray.parent.mkdir()
    stray.write_bytes((lake / "crimes" / "force=test" / "month=2023-03" / "part.parquet").read_bytes())
    result = CliRunner().invoke(main, ["status", "--lake", str(lake)])
    assert result.exit_code == 0
    assert result.output.splitlines()[-2:] == [
        "Warning: 1 Parquet file(s) in the lake belong to no dataset and are never read:",
        "  x AS SELECT 1; SELECT 2 --/part.parquet",
    ]
    result = CliRunner().invoke(main, ["query", "--lake", str(lake), "--format", "csv", "SELECT count(*) AS n FROM crimes"])
    assert result.output == "n\n5\n"


def test_unknown_crime_types_are_loaded_counted_and_reported(tmp_path):
    from openbeat.analytics.harm import CRIME_TYPES as HARM_TYPES
    from openbeat.datasets import CRIME_TYPES

    assert CRIME_TYPES == HARM_TYPES  # one list, kept in two layers
    rows = [STREET_ROWS[0].replace("Drugs", "Time travel"), *STREET_ROWS[1:]]
    f = write(tmp_path / "src" / "2023-03-test-street.csv", STREET_HEADER, rows)
    lake = str(tmp_path / "lake")
    result = CliRunner().invoke(main, ["ingest", "--lake", lake, str(f)])
    assert f"{f}: loaded 5 rows, 1 of a crime type police.uk does not use" in result.output
    result = CliRunner().invoke(main, ["query", "--lake", lake, "--format", "csv",
                                       "SELECT unknown_crime_types FROM manifest"])
    assert result.output == "unknown_crime_types\n1\n"
    result = CliRunner().invoke(main, ["status", "--lake", lake])
    assert result.output.splitlines()[-2:] == [
        "Warning: 1 rows have a crime type police.uk does not use (loaded as published):", "  test 2023-03: 1"]


def test_a_missing_lake_folder_is_an_error_not_an_empty_lake(tmp_path):
    """A mistyped --lake fails (it used to read as an empty lake: 'is empty', count 0); an
    existing empty folder is still an empty lake, and ingest still makes the folder."""
    missing = tmp_path / "nonexist"
    runner = CliRunner()
    expected = (f"Error: no lake at {missing}: the folder does not exist "
                "(make one with openbeat ingest FILES, or openbeat demo)\n")
    for args in (["status"], ["query", "SELECT count(*) FROM crimes"],
                 ["analyse", "profile", "--area", "X05000030"], ["areas", "list"]):
        result = runner.invoke(main, [*args, "--lake", str(missing)])
        assert (result.exit_code, result.output) == (1, expected), args
    assert not missing.exists()

    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(main, ["status", "--lake", str(empty)])
    assert (result.exit_code, " ".join(result.output.split())) == (
        0, f"The lake at {empty} is empty. Try: openbeat ingest FILES or openbeat demo")

    f = write(tmp_path / "src" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
    result = runner.invoke(main, ["ingest", "--lake", str(missing), str(f)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["query", "--lake", str(missing), "--format", "csv", "SELECT count(*) AS n FROM crimes"])
    assert (result.exit_code, result.output) == (0, "n\n5\n")
