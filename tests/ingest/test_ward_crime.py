from datetime import date

import pytest

from openbeat.geo.refdata import read_reference
from openbeat.ingest.errors import IngestError
from openbeat.ingest.ward_crime import HO_TO_POLICE_UK, load_ward_crime, police_uk_type, read_ward_crime
from tests.conftest import SHARED_DATA, needs_shared_data

WIDE = ("MajorText,MinorText,WardName,WardCode,LookUp_BoroughName,202403,202404\n"
        "ARSON AND CRIMINAL DAMAGE,ARSON,Heathrow Villages,E05013570,Aviation Security (SO18),0,2\n"
        "THEFT,BICYCLE THEFT,Belsize,E05013660,Camden,7,\n")


def test_wide_file_becomes_long_rows(tmp_path):
    p = tmp_path / "MPS Ward Level Crime (most recent 24 months).csv"
    p.write_text(WIDE)
    t = read_ward_crime(p, {"E05013570": "E09000017", "E05013660": "E09000007"})
    rows = [(r["ward_code"], r["borough_code"], r["aviation_security"], r["month"], r["minor_text"],
             r["police_uk_crime_type"], r["count"]) for r in t.to_pylist()]
    assert rows == [
        ("E05013570", "E09000017", True, date(2024, 3, 1), "ARSON", "Criminal damage and arson", 0),
        ("E05013570", "E09000017", True, date(2024, 4, 1), "ARSON", "Criminal damage and arson", 2),
        ("E05013660", "E09000007", False, date(2024, 3, 1), "BICYCLE THEFT", "Bicycle theft", 7),
    ]  # an empty cell is "not published", not zero


def test_mapping_to_police_uk_types():
    assert police_uk_type("THEFT", "SHOPLIFTING") == "Shoplifting"
    assert police_uk_type("THEFT", "OTHER THEFT") == "Other theft"
    assert police_uk_type("VEHICLE OFFENCES", "THEFT FROM A VEHICLE") == "Vehicle crime"
    assert police_uk_type("SEXUAL OFFENCES", "RAPE") == "Violence and sexual offences"
    assert police_uk_type("NFIB FRAUD", "NFIB") is None
    assert police_uk_type("SOMETHING NEW", "X") is None
    assert len({v for v in HO_TO_POLICE_UK.values() if v}) == 13


def test_a_bad_count_is_an_error(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text(WIDE.replace(",7,", ",seven,"))
    with pytest.raises(IngestError, match=r"w.csv, line 3, column '202403': 'seven' is not a count"):
        read_ward_crime(p)


@needs_shared_data
def test_real_ward_crime_file(lake):
    n = load_ward_crime(lake, SHARED_DATA / "london_datastore" / "mps_recorded_crime" /
                        "MPS Ward Level Crime (most recent 24 months).csv")
    assert n == 18669 * 25  # every cell of the published file is filled
    con = lake.connect()
    assert con.sql("SELECT count(DISTINCT ward_code), min(month), max(month) FROM ward_crime").fetchall() == [
        (679, date(2024, 3, 1), date(2026, 3, 1))]
    assert con.sql("SELECT DISTINCT ward_code FROM ward_crime WHERE aviation_security").fetchall() == [
        ("E05013570",)]
    unmapped = con.sql("SELECT DISTINCT major_text FROM ward_crime WHERE police_uk_crime_type IS NULL "
                       "ORDER BY 1").fetchall()
    assert unmapped == [("FRAUD AND FORGERY",), ("NFIB FRAUD",)]
    assert read_reference(lake, "ward_crime").num_rows == n
