"""The lake's read side under hostile SQL and a hostile folder: ``openbeat query`` cannot write,
fetch or read outside the lake whatever the statement, a tampered partition is re-ingested,
and only the lake's own dataset names become views."""

from __future__ import annotations

import hashlib
import http.server
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from openbeat.ingest import ingest_paths
from openbeat.lake import ReadOnlyError, query, status
from tests.ingest.fakeserver import serving
from tests.ingest.test_police_csv import STREET_HEADER, STREET_ROWS, tree_digest, write


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Counting.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(b"a\n1\n")

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def web():
    """A local HTTP server that counts requests: proof that nothing was fetched."""
    with serving(_Counting) as url:
        yield url


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A lake with one crimes partition, its rejects and a reference dataset, plus a secret beside it."""
    from openbeat.lake import Lake

    root = tmp_path_factory.mktemp("q")
    lake = Lake(root / "lake")
    rows = [*STREET_ROWS, "x,2023-03,Test Police,Test Police,-0.1,51.5,On or near,E01000916,Camden,,,"]
    assert ingest_paths([write(root / "src" / "2023-03-test-street.csv", STREET_HEADER, rows)], lake=lake).ok
    lake.write_reference("areas", pa.table({"code": ["E01000916"], "name": ["Camden 027B"]}))
    (root / "secret.txt").write_text("SECRET-KEY-VALUE\n")
    (root / "out").mkdir()
    return lake, root


def statements(root: Path, lake_root: Path, web: str) -> dict[str, list[str]]:
    """Statements of every kind DuckDB has (its ``StatementType``), each aimed at a file, the network or a setting."""
    part = lake_root / "crimes" / "force=test" / "month=2023-03" / "part.parquet"
    out, secret = root / "out", root / "secret.txt"
    return {
        "SELECT": ["SELECT count(*) FROM crimes", f"SELECT * FROM read_text('{secret}')",
                   f"SELECT * FROM read_csv('{web}/x.csv')", f"SELECT * FROM read_parquet('{part}')",
                   f"SELECT * FROM glob('{root}/*')", f"SELECT * FROM sniff_csv('{secret}')",
                   f"SUMMARIZE SELECT * FROM read_text('{secret}')"],
        "INSERT": ["INSERT INTO crimes SELECT * FROM crimes"],
        "UPDATE": ["UPDATE crimes SET force = 'x'"],
        "CREATE": [f"CREATE TABLE t AS SELECT * FROM read_csv('{secret}')",
                   f"CREATE SECRET s (TYPE http, BEARER_TOKEN 'x')"],
        "DELETE": ["DELETE FROM crimes"],
        "PREPARE": [f"PREPARE p AS COPY (SELECT 1) TO '{out}/p.csv'"],
        "EXECUTE": [f"PREPARE p AS COPY (SELECT 1) TO '{out}/p.csv'; EXECUTE p"],
        "ALTER": ["ALTER VIEW crimes RENAME TO gone"],
        "TRANSACTION": ["BEGIN TRANSACTION"],
        "COPY": [f"COPY (SELECT 42) TO '{out}/x.csv'",
                 f"COPY (SELECT * FROM crimes LIMIT 1) TO '{part}' (FORMAT parquet)",
                 f"COPY manifest FROM '{secret}'"],
        "ANALYZE": ["ANALYZE"],
        "VARIABLE_SET": ["SET VARIABLE v = 1"],
        "CREATE_FUNC": [f"CREATE MACRO leak() AS TABLE SELECT * FROM read_text('{secret}')"],
        "EXPLAIN": [f"EXPLAIN ANALYZE COPY (SELECT 42) TO '{out}/e.csv'"],
        "DROP": ["DROP VIEW crimes"],
        "EXPORT": [f"EXPORT DATABASE '{out}/export'"],
        "PRAGMA": ["PRAGMA enable_profiling = 'json'", f"PRAGMA profiling_output = '{out}/profile.json'",
                   f"IMPORT DATABASE '{out}'"],
        "VACUUM": ["VACUUM"],
        "CALL": ["CALL pragma_version()", "CHECKPOINT"],
        "SET": ["SET enable_external_access = true", f"SET allowed_directories = ['{root}']",
                f"SET temp_directory = '{out}'", "RESET lock_configuration"],
        "LOAD": ["LOAD httpfs", f"LOAD '{out}/evil.duckdb_extension'"],
        "EXTENSION": ["INSTALL httpfs", f"INSTALL httpfs FROM '{web}'", "FORCE INSTALL json"],
        "ATTACH": [f"ATTACH '{out}/db.duckdb' AS d", f"ATTACH '{web}/db.duckdb' AS w"],
        "DETACH": ["DETACH memory"],
        "MULTI": ["PIVOT crimes ON crime_type USING count(*)"],
        "COPY_DATABASE": [f"ATTACH '{out}/db.duckdb' AS d; COPY FROM DATABASE memory TO d"],
        "UPDATE_EXTENSIONS": ["UPDATE EXTENSIONS"],  # its own kind in DuckDB, not yet in the Python enum
        "MERGE_INTO": ["MERGE INTO crimes USING crimes AS s ON false WHEN NOT MATCHED THEN INSERT *"],
    }


#: Statement kinds no SQL text produces (the Python relational API and the planner make them).
INTERNAL = {"INVALID", "LOGICAL_PLAN", "RELATION"}


def test_the_probe_covers_every_statement_kind_duckdb_has(tmp_path):
    probed = set(statements(tmp_path, tmp_path / "lake", "http://127.0.0.1:9"))
    assert set(duckdb.StatementType.__members__) - INTERNAL - probed == set(), "a statement kind is not probed"


@pytest.mark.parametrize("explain", ["", "EXPLAIN ANALYZE ", "EXPLAIN "])
def test_no_statement_writes_fetches_or_reads_outside_the_lake(loaded, web, explain):
    lake, root = loaded
    before = tree_digest(root)
    _Counting.hits.clear()
    outcomes = {}
    for sql in (sql for kind in statements(root, lake.root, web).values() for sql in kind):
        sql = ";".join(explain + s.strip() for s in sql.split(";"))
        try:
            columns, rows = query(lake, sql)
            outcomes[sql] = repr(rows)
        except (ReadOnlyError, duckdb.Error) as e:  # refused, or not valid over views: both fine
            outcomes[sql] = str(e)
    assert tree_digest(root) == before, "a statement changed a file"
    assert _Counting.hits == [], "a statement reached the network"
    leaked = [sql for sql, text in outcomes.items() if "SECRET-KEY-VALUE" in text]
    assert leaked == []
    # the same connection kind still answers honest questions
    assert query(lake, "SELECT count(*) FROM crimes") == (["count_star()"], [(5,)])


def test_refusals_say_what_was_out_of_reach(loaded):
    lake, root = loaded
    with pytest.raises(ReadOnlyError, match=r"^openbeat query only reads the lake's views; files, the network "
                                            r"and extensions are out of reach \(Permission Error: Cannot access file"):
        query(lake, f"EXPLAIN ANALYZE COPY (SELECT 42) TO '{root}/out/x.csv'")
    with pytest.raises(ReadOnlyError, match="^openbeat query cannot change DuckDB's settings$"):
        query(lake, "SET enable_external_access = true")


def test_sealed_connection_reads_every_view(loaded):
    lake, _ = loaded
    assert query(lake, "SELECT crime_type, count(*) FROM crimes GROUP BY 1 ORDER BY 1") == (
        ["crime_type", "count_star()"], [("Anti-social behaviour", 2), ("Burglary", 2), ("Drugs", 1)])
    assert query(lake, "SELECT line, \"column\", reason FROM rejects") == (
        ["line", "column", "reason"], [(7, "Crime type", "Crime type is empty")])
    assert query(lake, "SELECT rows_read, rows_loaded FROM manifest") == (["rows_read", "rows_loaded"], [(6, 5)])
    assert query(lake, "SELECT * FROM areas") == (["code", "name"], [("E01000916", "Camden 027B")])
    assert query(lake, "CREATE TABLE t AS SELECT 1 AS one; SELECT one FROM t") == (["one"], [(1,)])


def test_a_tampered_partition_is_repaired_by_reingesting_its_file(tmp_path, lake):
    f = write(tmp_path / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
    assert ingest_paths([f], lake=lake).files[0].status == "loaded"
    part = lake.partitions("crimes")[0]
    path = lake.partition_path(part)
    meta = pq.read_metadata(path).metadata
    # the attack: rewrite the partition keeping its source_sha256 (and even its row count)
    table = pq.read_table(path)
    forged = table.set_column(table.schema.get_field_index("crime_type"), "crime_type",
                              pa.array(["Forged"] * table.num_rows))
    pq.write_table(forged.replace_schema_metadata(meta), path)
    assert lake.current_sha256(part) == hashlib.sha256(f.read_bytes()).hexdigest()

    report = ingest_paths([f], lake=lake)
    assert report.files[0].status == "loaded"
    assert query(lake, "SELECT DISTINCT crime_type FROM crimes ORDER BY 1")[1] == [
        ("Anti-social behaviour",), ("Burglary",), ("Drugs",)]
    assert ingest_paths([f], lake=lake).files[0].status == "unchanged"


def test_an_older_manifest_entry_without_the_partition_hash_is_checked_by_row_count(tmp_path, lake):
    f = write(tmp_path / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
    ingest_paths([f], lake=lake)
    text = lake.manifest_path.read_text()
    lake.manifest_path.write_text(text.replace('"partition_sha256": "', '"partition_sha256": null, "x": "'))
    assert ingest_paths([f], lake=lake).files[0].status == "unchanged"
    path = lake.partition_path(lake.partitions("crimes")[0])
    table = pq.read_table(path)
    pq.write_table(table.slice(0, 2).replace_schema_metadata(pq.read_metadata(path).metadata), path)
    assert ingest_paths([f], lake=lake).files[0].status == "loaded"
    assert query(lake, "SELECT count(*) FROM crimes")[1] == [(5,)]


@pytest.mark.parametrize("stray", ["old-copy", "x AS SELECT 1; SELECT 2 --", "Areas", "derived"])
def test_folders_the_lake_did_not_write_are_ignored_and_reported(tmp_path, lake, stray):
    f = write(tmp_path / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
    ingest_paths([f], lake=lake)
    copy = lake.root / stray / "part.parquet"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(lake.partition_path(lake.partitions("crimes")[0]).read_bytes())
    bad_month = lake.root / "crimes" / "force=test" / "month=2023-13" / "part.parquet"
    bad_month.parent.mkdir(parents=True)
    bad_month.write_bytes(copy.read_bytes())

    assert query(lake, "SELECT count(*) FROM crimes")[1] == [(5,)]
    views = {r[0] for r in query(lake, "SELECT table_name FROM information_schema.tables")[1]}
    assert views == {"crimes", "outcomes", "stop_searches", "rejects", "manifest", "lake_partitions"}
    parts, _ = status(lake)
    assert [(p.dataset, p.month) for p in parts] == [("crimes", "2023-03")]
    expected = [bad_month] if stray == "derived" else sorted([copy, bad_month])
    assert lake.strays() == expected


def test_small_tables_are_the_manifest_and_partitions_as_arrow_would_give_them(loaded):
    """The manifest and partition tables are made in DuckDB from Python lists (no Arrow): same types, same rows."""
    lake, _ = loaded
    con = lake.connect()
    arrow = duckdb.connect()
    arrow.execute("SET TimeZone = 'UTC'")
    arrow.register("m", lake.read_manifest())
    assert con.execute("DESCRIBE manifest").fetchall() == arrow.execute("DESCRIBE m").fetchall()
    assert con.execute("SELECT * FROM manifest").fetchall() == arrow.execute("SELECT * FROM m").fetchall()
    assert con.execute("SELECT dataset, force, strftime(month, '%Y-%m') FROM lake_partitions").fetchall() == [
        ("crimes", "test", "2023-03")]
    assert [r[:2] for r in con.execute("DESCRIBE lake_partitions").fetchall()] == [
        ("dataset", "VARCHAR"), ("force", "VARCHAR"), ("month", "DATE")]


def test_a_connection_for_some_datasets_opens_only_those(loaded):
    lake, _ = loaded
    con = lake.connect(only={"areas", "postcodes"})  # postcodes: not in this lake
    assert {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()} == {"areas"}
    assert con.execute("SELECT * FROM areas").fetchall() == [("E01000916", "Camden 027B")]
