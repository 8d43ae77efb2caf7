import pytest

from openbeat.geo.refdata import read_reference
from openbeat.geo.rollup import current_ward_vintage
from openbeat.ingest.errors import IngestError
from openbeat.ingest.lookups import load_lsoa_ward_lookup, read_lsoa_ward_lookup

HEADER = "LSOA21CD,LSOA21NM,LSOA21NMW,WD22CD,WD22NM,WD22NMW,LAD22CD,LAD22NM,LAD22NMW,ObjectId"


def _write(path, header, rows):
    # as ONS publish: UTF-8 BOM, CRLF, empty Welsh names for English areas
    path.write_bytes(("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8"))
    return path


def test_ons_lookup_loads_as_published(tmp_path):
    p = _write(tmp_path / "LSOA_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup_in_England_and_Wales_v3.csv", HEADER, [
        "E01000001,City of London 001A,,E05009308,Bishopsgate,,E09000001,City of London,,1",
        "W01000001,Isle of Anglesey 001A,Ynys Môn 001A,W05000001,Aberffraw,Aberffraw,W06000001,"
        "Isle of Anglesey,Ynys Môn,2",
    ])
    assert read_lsoa_ward_lookup(p).to_pylist() == [
        {"lsoa21_code": "E01000001", "lsoa21_name": "City of London 001A", "ward_code": "E05009308",
         "ward_name": "Bishopsgate", "lad_code": "E09000001", "lad_name": "City of London",
         "ward_vintage": "WD22", "lad_vintage": "LAD22", "best_fit": False, "object_id": 1, "source": p.name},
        {"lsoa21_code": "W01000001", "lsoa21_name": "Isle of Anglesey 001A", "ward_code": "W05000001",
         "ward_name": "Aberffraw", "lad_code": "W06000001", "lad_name": "Isle of Anglesey",
         "ward_vintage": "WD22", "lad_vintage": "LAD22", "best_fit": False, "object_id": 2, "source": p.name},
    ]


def test_best_fit_vintage_and_merge_by_vintage(tmp_path, lake):
    p22 = _write(tmp_path / "a.csv", HEADER, ["E01000001,A,,E05000001,W,,E09000001,L,,1"])
    p25 = _write(tmp_path / "LSOA_(2021)_to_Electoral_Ward_(2025)_to_LAD_(2025)_Best_Fit_Lookup_in_EW_v2.csv",
                 HEADER.replace("WD22", "WD25").replace("LAD22", "LAD25"),
                 ["E01000001,A,,E05000009,W9,,E09000001,L,,1"])
    load_lsoa_ward_lookup(lake, p22)
    load_lsoa_ward_lookup(lake, p25)
    load_lsoa_ward_lookup(lake, p22)  # reloading replaces, never duplicates
    t = read_reference(lake, "lsoa_wards")
    assert sorted(zip(t["ward_vintage"].to_pylist(), t["ward_code"].to_pylist(), t["best_fit"].to_pylist())) == [
        ("WD22", "E05000001", False), ("WD25", "E05000009", True)]
    assert current_ward_vintage(t["ward_vintage"].to_pylist()) == "WD22"
    assert current_ward_vintage(["WD25", "WD24"]) == "WD25"


def test_duplicate_lsoa_is_an_error_with_its_line(tmp_path):
    p = _write(tmp_path / "l.csv", HEADER, ["E01000001,A,,E05000001,W,,E09000001,L,,1",
                                            "E01000001,A,,E05000002,W,,E09000001,L,,2"])
    with pytest.raises(IngestError, match=r"l.csv, line 3: LSOA E01000001 appears twice \(also line 2\)"):
        read_lsoa_ward_lookup(p)
