"""Ingest of police.uk CSVs on small files the tests write: exact outputs and every kind of bad input."""

from __future__ import annotations

import gzip
import hashlib
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from openbeat.datasets import OUTCOMES, STOP_AND_SEARCH, STREET
from openbeat.ingest import IngestError, ingest_paths
from openbeat.ingest.police_csv import Source, ingest_source

STREET_HEADER = ",".join(STREET.header)
SS_HEADER = ",".join(STOP_AND_SEARCH.header)
CID = "a" * 64
CID2 = "b" * 64

STREET_ROWS = [
    f"{CID},2023-03,Test Police,Test Police,-0.106345,51.520463,On or near ,E01000916,Camden 027B,Drugs,Offender given a drugs possession warning,",
    ",2023-03,Test Police,Test Police,-0.107682,51.517786,\"On or near Pettit'S Road, Corner\",E01000917,Camden 027C,Anti-social behaviour,,",
    f"{CID2},2023-03,Test Police,Test Police,,,No Location,,,Burglary,Under investigation,",
    f"{CID2},2023-03,Test Police,Test Police,,,No Location,,,Burglary,Under investigation,",
    ",2023-03,Test Police,Test Police,-0.107682,51.517786,\"On or near Pettit'S Road, Corner\",E01000917,Camden 027C,Anti-social behaviour,,",
]


def write(path: Path, header: str, rows: list[str], *, eol: str = "\n", bom: bool = False, gz: bool = False) -> Path:
    data = ((b"\xef\xbb\xbf" if bom else b"") + (header + eol + eol.join(rows) + eol).encode("utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    return path


def rows(lake, sql: str) -> list[tuple]:
    con = lake.connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


def test_street_file_loads_exactly_as_published(tmp_path, lake):
    f = write(tmp_path / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS, eol="\r\n")
    report = ingest_paths([f], lake=lake)
    assert report.ok
    fr = report.files[0]
    assert (fr.status, fr.dataset, fr.force, fr.month) == ("loaded", "crimes", "test", "2023-03")
    assert (fr.rows_read, fr.rows_loaded, fr.rows_rejected, fr.duplicates) == (5, 5, 0, 1)

    got = rows(lake, "SELECT crime_id, month, reported_by, falls_within, longitude, latitude, location, lsoa_code, "
                     "lsoa_name, crime_type, last_outcome_category, context, force FROM crimes")
    march = date(2023, 3, 1)
    assert got == [
        (CID, march, "Test Police", "Test Police", -0.106345, 51.520463, "On or near ", "E01000916", "Camden 027B",
         "Drugs", "Offender given a drugs possession warning", None, "test"),
        (None, march, "Test Police", "Test Police", -0.107682, 51.517786, "On or near Pettit'S Road, Corner",
         "E01000917", "Camden 027C", "Anti-social behaviour", None, None, "test"),
        (CID2, march, "Test Police", "Test Police", None, None, "No Location", None, None, "Burglary",
         "Under investigation", None, "test"),
        (CID2, march, "Test Police", "Test Police", None, None, "No Location", None, None, "Burglary",
         "Under investigation", None, "test"),
        (None, march, "Test Police", "Test Police", -0.107682, 51.517786, "On or near Pettit'S Road, Corner",
         "E01000917", "Camden 027C", "Anti-social behaviour", None, None, "test"),
    ]
    keys = [k for (k,) in rows(lake, "SELECT row_key FROM crimes")]
    assert len(set(keys)) == 5  # identical rows (ASB twice, the repeated Crime ID) still get distinct keys
    assert [k.rsplit("-", 1)[1] for k in keys] == ["1", "1", "1", "2", "2"]

    m = lake.manifest_rows()
    assert len(m) == 1
    assert {k: m[0][k] for k in ("source_name", "dataset", "force", "rows_read", "rows_loaded", "rows_rejected",
                                 "duplicates", "bytes", "sha256")} == {
        "source_name": "2023-03-test-street.csv", "dataset": "crimes", "force": "test", "rows_read": 5,
        "rows_loaded": 5, "rows_rejected": 0, "duplicates": 1, "bytes": f.stat().st_size,
        "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
    }


@pytest.mark.parametrize("variant", [
    dict(eol="\n"), dict(eol="\r\n"), dict(eol="\r\n", bom=True), dict(eol="\n", gz=True), dict(eol="\r\n", bom=True, gz=True),
])
def test_line_endings_bom_and_gzip_give_the_same_rows(tmp_path, lake, variant):
    name = "2023-03-test-street.csv" + (".gz" if variant.get("gz") else "")
    f = write(tmp_path / name, STREET_HEADER, STREET_ROWS, **variant)
    assert ingest_paths([f], lake=lake).ok
    reference = lake.__class__(tmp_path / "ref")
    ingest_paths([write(tmp_path / "ref-src" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)], lake=reference)
    q = "SELECT * FROM crimes"
    assert rows(lake, q) == rows(reference, q)


def test_row_keys_survive_reordering_and_outcome_updates(tmp_path, lake):
    ingest_paths([write(tmp_path / "a" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)], lake=lake)
    before = dict(rows(lake, "SELECT row_key, crime_type FROM crimes"))
    republished = [r.replace("Under investigation", "Unable to prosecute suspect") for r in reversed(STREET_ROWS)]
    ingest_paths([write(tmp_path / "b" / "2023-03-test-street.csv", STREET_HEADER, republished)], lake=lake)
    after = dict(rows(lake, "SELECT row_key, crime_type FROM crimes"))
    assert after == before
    assert rows(lake, "SELECT count(*), count(*) FILTER (WHERE last_outcome_category = 'Unable to prosecute suspect') "
                      "FROM crimes") == [(5, 2)]


def test_same_file_twice_changes_nothing_and_a_corrected_file_replaces_its_month(tmp_path, lake):
    f = write(tmp_path / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
    ingest_paths([f], lake=lake)
    before = tree_digest(lake.root)
    second = ingest_paths([f], lake=lake)
    assert [x.status for x in second.files] == ["unchanged"]
    assert tree_digest(lake.root) == before

    corrected = write(tmp_path / "fix" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS[:2])
    ingest_paths([corrected], lake=lake)
    assert rows(lake, "SELECT count(*) FROM crimes") == [(2,)]
    assert [r["rows_loaded"] for r in lake.manifest_rows()] == [5, 2]


def test_bad_rows_are_rejected_with_line_column_reason_and_raw_text(tmp_path, lake):
    bad = [
        STREET_ROWS[0],                                                                         # line 2: fine
        f"{CID2},2023-03,T,T,not-a-number,51.5,On or near A,E01000001,City 001A,Burglary,,",      # line 3
        f"{CID2},2023-03,T,T,-0.1,51.5,On or near A,E01000001,City 001A,Burglary",                # line 4: 10 fields
        f"{CID2},2023-02,T,T,-0.1,51.5,On or near A,E01000001,City 001A,Burglary,,",             # line 5: other month
        f"{CID2},2023-03,T,T,-0.1,,On or near A,E01000001,City 001A,Burglary,,",                  # line 6: half a point
        f"{CID2},2023-03,T,T,-0.1,951.5,On or near A,E01000001,City 001A,Burglary,,",             # line 7: latitude 951
        f"{CID2},2023-03,T,T,-0.1,51.5,On or near A,E01000001,City 001A,,,",                      # line 8: no crime type
        "",                                                                                      # line 9: blank
        STREET_ROWS[1],                                                                          # line 10: fine
    ]
    f = tmp_path / "2023-03-test-street.csv"
    body = (STREET_HEADER + "\n" + "\n".join(bad) + "\n").encode()
    body += f"{CID},2023-03,T,T,-0.1,51.5,On or near Caf\xe9,E01000001,City 001A,Burglary,,\n".encode("latin-1")  # line 11
    f.write_bytes(body)

    report = ingest_paths([f], lake=lake)
    fr = report.files[0]
    assert report.ok
    assert (fr.rows_read, fr.rows_loaded, fr.rows_rejected) == (9, 2, 7)
    got = rows(lake, "SELECT line, \"column\", reason, raw FROM rejects ORDER BY line")
    assert [(line, col) for line, col, _, _ in got] == [
        (3, "Longitude"), (4, "Last outcome category"), (5, "Month"), (6, "Latitude"), (7, "Latitude"), (8, "Crime type"),
        (11, "Location"),
    ]
    reasons = {line: reason for line, _, reason, _ in got}
    assert "not-a-number" in reasons[3] and "DOUBLE" in reasons[3]
    assert "Expected Number of Columns: 12 Found: 10" in reasons[4]
    assert reasons[5] == "Month 2023-02 disagrees with the file name month 2023-03"
    assert reasons[6] == "only one of Latitude and Longitude is given"
    assert reasons[7] == "Latitude 951.5 is outside -90..90"
    assert reasons[8] == "Crime type is empty"
    assert "not utf-8" in reasons[11]
    assert got[2][3] == bad[3]  # raw line kept exactly
    assert rows(lake, "SELECT dataset, force, month, source_name FROM rejects LIMIT 1") == [
        ("crimes", "test", date(2023, 3, 1), "2023-03-test-street.csv")]


def test_whole_file_errors_leave_the_lake_as_it_was(tmp_path, lake):
    good = write(tmp_path / "ok" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
    ingest_paths([good], lake=lake)
    before = tree_digest(lake.root)

    wrong_header = write(tmp_path / "h" / "2023-03-test-street.csv", STREET_HEADER.replace("Longitude", "Lon"), STREET_ROWS)
    other_kind = write(tmp_path / "k" / "2023-03-test-street.csv", ",".join(OUTCOMES.header), ["x"])
    misnamed = write(tmp_path / "m" / "2023-03-test-street.csv", STREET_HEADER,
                     [r.replace("2023-03", "2023-04") for r in STREET_ROWS])
    truncated = tmp_path / "t" / "2023-03-test-street.csv.gz"
    truncated.parent.mkdir()
    truncated.write_bytes(gzip.compress((STREET_HEADER + "\n" + "\n".join(STREET_ROWS * 200)).encode())[:300])
    empty = tmp_path / "e" / "2023-03-test-street.csv"
    empty.parent.mkdir()
    empty.write_bytes(b"")

    expected = {
        wrong_header: "line 1, column 'Longitude': wrong header: column 5 should be 'Longitude', found 'Lon'",
        other_kind: "the file name says street but the header is that of a outcomes file",
        misnamed: "the Month column never says 2023-03, the month in the file name",
        truncated: "truncated gzip",
        empty: "the file is empty",
    }
    for path, message in expected.items():
        with pytest.raises(IngestError) as exc:
            ingest_source(lake, Source.from_path(path))
        assert message in str(exc.value)
        assert str(path) in str(exc.value)
        report = ingest_paths([path], lake=lake)
        assert not report.ok and message in report.files[0].error
    assert tree_digest(lake.root) == before


def test_not_a_police_uk_file_name(tmp_path, lake):
    f = write(tmp_path / "crimes.csv", STREET_HEADER, STREET_ROWS)
    report = ingest_paths([f], lake=lake)
    assert not report.ok
    assert "not a police.uk file name" in report.files[0].error


SS_ROWS = [
    "Person search,2024-03-31T23:15:00+00:00,False,,51.512635,-0.143204,Male,over 34,"
    "Black/African/Caribbean/Black British - African,Black,Misuse of Drugs Act 1971 (section 23),Controlled drugs,"
    "A no further action disposal,,",
    "Person and Vehicle search,2024-04-02T10:26:00+00:00,,,,,Female,18-24,,,"
    "Police and Criminal Evidence Act 1984 (section 1),Stolen goods,Arrest,True,False",
    "Person search,2024-04-03T00:00:00+00:00,True,Op Test,51.5,-0.1,Male,10-17,"
    "White - English/Welsh/Scottish/Northern Irish/British,White,Misuse of Drugs Act 1971 (section 23),"
    "Controlled drugs,Community resolution,False,True",
    "Person search,2024-04-31T00:00:00+00:00,,,51.5,-0.1,Male,10-17,,,,,,,",
]


def test_stop_and_search_types_and_month(tmp_path, lake):
    f = write(tmp_path / "2024-04-test-stop-and-search.csv", SS_HEADER, SS_ROWS)
    fr = ingest_paths([f], lake=lake).files[0]
    assert (fr.rows_read, fr.rows_loaded, fr.rows_rejected, fr.month_mismatches) == (4, 3, 1, 0)
    got = rows(lake, "SELECT type, date, part_of_a_policing_operation, policing_operation, latitude, "
                     "outcome_linked_to_object_of_search, removal_of_more_than_just_outer_clothing, month "
                     "FROM stop_searches")
    april = date(2024, 4, 1)
    utc = timezone.utc
    assert [(r[0], r[1].astimezone(utc), *r[2:]) for r in got] == [
        # 23:15 UTC on 31 March is 00:15 BST on 1 April: it counts in April, as police.uk files it.
        ("Person search", datetime(2024, 3, 31, 23, 15, tzinfo=utc), False, None, 51.512635, None, None, april),
        ("Person and Vehicle search", datetime(2024, 4, 2, 10, 26, tzinfo=utc), None, None, None, True, False, april),
        ("Person search", datetime(2024, 4, 3, 0, 0, tzinfo=utc), True, "Op Test", 51.5, False, True, april),
    ]
    assert rows(lake, "SELECT line, \"column\" FROM rejects") == [(5, "Date")]


def test_archive_zip_members_are_streamed_and_force_selects(tmp_path, lake):
    z = tmp_path / "2023-03.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2023-03/2023-03-test-street.csv", STREET_HEADER + "\r\n" + "\r\n".join(STREET_ROWS) + "\r\n")
        zf.writestr("2023-03/2023-03-other-force-street.csv", STREET_HEADER + "\n" + STREET_ROWS[0] + "\n")
        zf.writestr("2023-03/2023-03-test-stop-and-search.csv", SS_HEADER + "\n" + SS_ROWS[2].replace("2024-04", "2023-03") + "\n")
        zf.writestr("2023-03/README.txt", "not data")
    report = ingest_paths([z], lake=lake, force="test")
    assert report.ok
    assert sorted((f.source.split("!")[1], f.rows_loaded) for f in report.files) == [
        ("2023-03/2023-03-test-stop-and-search.csv", 1), ("2023-03/2023-03-test-street.csv", 5)]
    assert rows(lake, "SELECT DISTINCT force FROM crimes") == [("test",)]

    everything = ingest_paths([z], lake=lake)
    assert sorted(f.status for f in everything.files) == ["loaded", "unchanged", "unchanged"]

    truncated = tmp_path / "cut" / "2023-04.zip"
    truncated.parent.mkdir()
    truncated.write_bytes(z.read_bytes()[: z.stat().st_size // 2])
    report = ingest_paths([truncated], lake=lake)
    assert not report.ok and "not a readable zip archive" in report.files[0].error


def test_empty_lake_has_typed_empty_views(lake):
    con = lake.connect()
    assert con.execute("SELECT count(*) FROM crimes").fetchall() == [(0,)]
    types = dict((n, t) for n, t, *_ in con.execute("DESCRIBE stop_searches").fetchall())
    assert types["date"] == "TIMESTAMP WITH TIME ZONE" and types["month"] == "DATE"
    assert types["outcome_linked_to_object_of_search"] == "BOOLEAN"


def test_a_corrupt_zip_member_fails_alone(tmp_path, lake):
    z = tmp_path / "2023-03.zip"
    big = STREET_HEADER + "\n" + "\n".join(STREET_ROWS * 400) + "\n"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("2023-03/2023-03-test-street.csv", big)
        zf.writestr("2023-03/2023-03-test-stop-and-search.csv", SS_HEADER + "\n" + SS_ROWS[2].replace("2024-04", "2023-03") + "\n")
    data = bytearray(z.read_bytes())
    at = data.index(b"Camden 027B", len(data) // 4)  # inside the stored street member
    data[at] = ord("X")  # same length, wrong CRC
    z.write_bytes(bytes(data))
    report = ingest_paths([z], lake=lake)
    by_name = {f.source.split("!")[1]: f for f in report.files}
    assert by_name["2023-03/2023-03-test-stop-and-search.csv"].status == "loaded"
    street = by_name["2023-03/2023-03-test-street.csv"]
    assert street.status == "failed" and "Bad CRC-32" in street.error and "fetch it again" in street.error
    assert not lake.partitions("crimes")


def test_parallel_ingest_reports_in_order_and_loads_one_file_per_partition(tmp_path, lake):
    first = [write(tmp_path / f"a{i}" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS[: i + 1]) for i in range(4)]
    others = [write(tmp_path / f"b{m}" / f"2023-{m:02d}-test-street.csv", STREET_HEADER,
                    [r.replace("2023-03", f"2023-{m:02d}") for r in STREET_ROWS]) for m in (4, 5, 6)]
    paths = [first[0], others[0], first[1], others[1], first[2], others[2], first[3]]
    report = ingest_paths(paths, lake=lake)
    assert [f.source for f in report.files] == [str(p) for p in paths]  # reported in the order given
    assert [f.status for f in report.files] == ["loaded", "loaded", "failed", "loaded", "failed", "loaded", "failed"]
    assert report.files[2].error == (
        f"{first[1]}: the same crimes partition (test, 2023-03) as {first[0]}, given earlier in this run; "
        "one run loads one file per partition (ingest the one you want on its own)")
    assert rows(lake, "SELECT month, count(*) FROM crimes GROUP BY 1 ORDER BY 1") == [
        (date(2023, 3, 1), 1), (date(2023, 4, 1), 5), (date(2023, 5, 1), 5), (date(2023, 6, 1), 5)]
    # every row reported loaded is in the lake
    assert report.totals()["rows_loaded"] == rows(lake, "SELECT count(*) FROM crimes")[0][0] == 16


def test_two_zip_members_for_one_partition_load_the_first_and_refuse_the_second(tmp_path, lake):
    archive = tmp_path / "2024-03.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("2024-03/2024-03-test-street.csv", "\n".join([STREET_HEADER, *[r.replace("2023-03", "2024-03")
                                                                                  for r in STREET_ROWS]]) + "\n")
        zf.writestr("copy/2024-03-test-street.csv", "\n".join([STREET_HEADER, STREET_ROWS[0].replace("2023-03", "2024-03")]))
    report = ingest_paths([archive], lake=lake)
    assert [(f.status, f.rows_loaded) for f in report.files] == [("loaded", 5), ("failed", 0)]
    assert report.files[1].error.startswith(f"{archive}!copy/2024-03-test-street.csv: the same crimes partition "
                                            f"(test, 2024-03) as {archive}!2024-03/2024-03-test-street.csv")
    assert rows(lake, "SELECT count(*) FROM crimes") == [(5,)]


def test_a_quoted_line_break_is_part_of_its_field(tmp_path, lake):
    quoted = STREET_ROWS[0].replace("On or near ,", '"On or near\nSomewhere",')
    f = write(tmp_path / "2023-03-test-street.csv", STREET_HEADER, [quoted, STREET_ROWS[1], "", "x,2023-13"],
              eol="\r\n")
    fr = ingest_paths([f], lake=lake).files[0]
    assert (fr.status, fr.rows_read, fr.rows_loaded, fr.rows_rejected) == ("loaded", 3, 2, 1)
    assert rows(lake, "SELECT location FROM crimes WHERE crime_id IS NOT NULL") == [("On or near\nSomewhere",)]
    # the reject after the two-line record has its physical line number
    assert rows(lake, "SELECT line FROM rejects") == [(6,)]


def test_line_endings_as_csv_reads_them(tmp_path, lake):
    good = [r.replace("2023-03", "2024-03") for r in STREET_ROWS]
    # a stray CR inside an unquoted field (CRLF file): that line is rejected, the rest load
    stray = good[2].replace("No Location", "No\rLocation")
    f = write(tmp_path / "2024-03-test-street.csv", STREET_HEADER, [good[0], stray, good[1]], eol="\r\n")
    fr = ingest_paths([f], lake=lake).files[0]
    assert (fr.status, fr.rows_read, fr.rows_loaded, fr.rows_rejected) == ("loaded", 3, 2, 1), fr.error
    assert rows(lake, 'SELECT line, "column", reason FROM rejects') == [
        (3, "Location", "a carriage return (CR) inside an unquoted field; police.uk lines end with CRLF")]
    # a CR inside the header of a CRLF file: a clear error, no traceback
    name = "2024-04-test-street.csv"
    (tmp_path / name).write_text(STREET_HEADER.replace("Month", "Mo\rnth") + "\r\n" + good[0], newline="")
    fr = ingest_paths([tmp_path / name], lake=lake).files[0]
    assert fr.status == "failed"
    assert fr.error.startswith(f"{tmp_path / name}, line 1, column ")
    assert "the header holds a carriage return (CR) that ends no line" in fr.error


@pytest.mark.parametrize("gz", [False, True])
def test_a_file_whose_lines_end_with_cr_alone_is_read_as_csv_reads_it(tmp_path, lake, gz):
    import csv
    import io

    good = [r.replace("2023-03", "2024-05") for r in STREET_ROWS]
    quoted = good[0].replace("On or near ,", '"On or near\rSomewhere",')  # a quoted CR stays in its field
    data = "\r".join([STREET_HEADER, quoted, *good[1:], "x,2024-13"]) + "\r"
    expected = list(csv.reader(io.StringIO(data, newline="")))[1:]
    name = "2024-05-test-street.csv" + (".gz" if gz else "")
    (tmp_path / name).write_bytes(gzip.compress(data.encode()) if gz else data.encode())
    report = ingest_paths([tmp_path / name], lake=lake)
    fr = report.files[0]
    assert (fr.status, fr.rows_read, fr.rows_loaded, fr.rows_rejected) == ("loaded", len(expected), 5, 1), fr.error
    assert rows(lake, "SELECT location FROM crimes ORDER BY location") == sorted(
        [(r[6],) for r in expected if len(r) > 6])
    assert rows(lake, "SELECT line FROM rejects") == [(7,)]  # the short row, on its own line
    # the same file again is unchanged, not loaded twice
    assert ingest_paths([tmp_path / name], lake=lake).files[0].status == "unchanged"


def test_one_lf_line_in_a_crlf_file_loads_and_a_short_row_is_named_once(tmp_path, lake):
    good = [r.replace("2023-03", "2024-06") for r in STREET_ROWS]
    # issue 8: one LF-ended line in a CRLF file once failed the whole file with no line number
    data = STREET_HEADER + "\r\n" + good[0] + "\r\n" + good[1] + "\n" + good[2] + "\r\n"
    short = ",".join(good[3].split(",")[:5])  # 5 fields of 12: Latitude is the first missing
    data += short + "\r\n" + good[4] + "\r\n"
    f = tmp_path / "2024-06-test-street.csv"
    f.write_text(data, newline="")
    fr = ingest_paths([f], lake=lake).files[0]
    assert (fr.status, fr.rows_read, fr.rows_loaded, fr.rows_rejected) == ("loaded", 5, 4, 1), fr.error
    assert fr.reject_examples == ["line 5, column Latitude: Expected Number of Columns: 12 Found: 5"]
    assert rows(lake, 'SELECT line, "column", reason, raw FROM rejects') == [
        (5, "Latitude", "Expected Number of Columns: 12 Found: 5", short)]



@pytest.mark.parametrize("kind", [STREET, OUTCOMES, STOP_AND_SEARCH], ids=lambda k: k.file_kind)
def test_the_identity_hash_is_what_it_always_was(kind):
    """Row keys must not change between versions: the identity is the md5 of the identity
    columns as text (NULL as ''), joined by chr(31); a street row with a Crime ID is
    that ID. Pinned here against hashlib, for text, numbers, NULLs and non-ASCII."""
    import duckdb

    from openbeat.ingest.police_csv import _identity_sql, _q

    text = {"DOUBLE": ("-0.120975", "-0.120975"), "VARCHAR": ("'Ünïcode – ½'", "Ünïcode – ½")}
    rows = []
    for null_every in (1, 2, 3):  # which columns are NULL: all, every other one, every third
        rows.append([None if i % null_every == 0 else text.get(c.sql_type) for i, c in enumerate(kind.columns)])
    con = duckdb.connect()
    con.execute("CREATE TABLE t (" + ", ".join(f"{_q(c.header)} {c.sql_type}" for c in kind.columns) + ")")
    for row in rows:
        con.execute("INSERT INTO t VALUES (" + ", ".join(
            "NULL" if v is None else f"CAST({v[0]} AS {c.sql_type})" for v, c in zip(row, kind.columns)) + ")")
    got = [h for (h,) in con.execute(f"SELECT {_identity_sql(kind)} FROM t").fetchall()]
    want = []
    for row in rows:
        values = {c.header: ("" if v is None else v[1]) for v, c in zip(row, kind.columns)}
        if kind.dataset == "crimes" and values["Crime ID"]:
            want.append(values["Crime ID"])
        else:
            want.append(hashlib.md5("\x1f".join(values[c.header] for c in kind.columns if c.name in kind.identity)
                                    .encode()).hexdigest())
    assert got == want
