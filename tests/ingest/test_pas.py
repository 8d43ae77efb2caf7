import csv
from datetime import date

import pytest

from openbeat.geo.refdata import read_reference
from openbeat.ingest.errors import IngestError
from openbeat.ingest.pas import borough_resolver, load_pas, normalise_name, read_pas
from tests.conftest import SHARED_DATA, needs_shared_data

BOROUGHS = ("Date;Survey;Borough;Measure;Proportion;MPS\r\n"
            '31/12/2014;PAS;Richmond Upon Thames;"""Good Job"" local";0,56;0,67\r\n'
            '31/03/2015;PAS;Richmond upon Thames;"""Good Job"" local";0,6;0,68\r\n'
            "31/03/2015;PAS;City of Westminster;Trust MPS;0,81;0,75\r\n")
TOTAL = ("Date;Survey;Borough;Measure;Proportion\r\n"
         '31/12/2014;PAS;MPS;"""Good Job"" local";0,67\r\n'
         '31/03/2015;PAS;MPS;"""Good Job"" local";0,68\r\n'
         "31/03/2015;PAS;MPS;Trust MPS;0,75\r\n")


def test_names_resolve_to_one_gss_code():
    r = borough_resolver(None)
    assert r[normalise_name("Richmond Upon Thames")] == r[normalise_name("Richmond upon Thames")] == (
        "E09000027", "Richmond upon Thames")
    assert r[normalise_name("City of Westminster")] == ("E09000033", "Westminster")
    assert r[normalise_name("City of London")] == ("E09000001", "City of London")
    assert r[normalise_name("Barking & Dagenham")] == ("E09000002", "Barking and Dagenham")


def test_borough_then_total_file_give_tidy_rows(tmp_path, lake):
    (tmp_path / "PAS_buroughs.csv").write_bytes(BOROUGHS.encode())
    (tmp_path / "PAS_Total.csv").write_bytes(TOTAL.encode())
    load_pas(lake, tmp_path / "PAS_buroughs.csv")
    load_pas(lake, tmp_path / "PAS_Total.csv")
    load_pas(lake, tmp_path / "PAS_buroughs.csv")  # its MPS column never replaces the MPS-wide file
    rows = sorted((r["area_code"], r["level"], r["measure"], r["quarter"], str(r["quarter_end"]),
                   r["proportion"], r["file"]) for r in read_reference(lake, "pas").to_pylist())
    assert rows == [
        ("E09000027", "borough", '"Good Job" local', "2014-Q4", "2014-12-31", 0.56, "PAS_buroughs.csv"),
        ("E09000027", "borough", '"Good Job" local', "2015-Q1", "2015-03-31", 0.6, "PAS_buroughs.csv"),
        ("E09000033", "borough", "Trust MPS", "2015-Q1", "2015-03-31", 0.81, "PAS_buroughs.csv"),
        ("MPS", "force", '"Good Job" local', "2014-Q4", "2014-12-31", 0.67, "PAS_Total.csv"),
        ("MPS", "force", '"Good Job" local', "2015-Q1", "2015-03-31", 0.68, "PAS_Total.csv"),
        ("MPS", "force", "Trust MPS", "2015-Q1", "2015-03-31", 0.75, "PAS_Total.csv"),
    ]


def test_unknown_borough_and_bad_number_are_errors(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("Date;Survey;Borough;Measure;Proportion\n31/12/2014;PAS;Atlantis;Trust MPS;0,5\n")
    with pytest.raises(IngestError, match=r"borough names not recognised: 'Atlantis' \(line 2\)"):
        read_pas(p, borough_resolver(None))
    p.write_text("Date;Survey;Borough;Measure;Proportion\n31/12/2014;PAS;Barnet;Trust MPS;67%\n")
    with pytest.raises(IngestError, match=r"line 2, column 'Proportion': '67%' is not a number"):
        read_pas(p, borough_resolver(None))


@needs_shared_data
def test_real_pas_matches_the_raw_file_cell_for_cell(lake):
    path = SHARED_DATA / "mopac_pas" / "PAS_buroughs.csv"
    load_pas(lake, path)
    load_pas(lake, SHARED_DATA / "mopac_pas" / "PAS_Total.csv")
    t = read_reference(lake, "pas").to_pylist()
    got = {(r["measure"], r["quarter_end"]): r["proportion"] for r in t if r["area_code"] == "E09000027"}
    want = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            if row["Borough"].lower() == "richmond upon thames":
                d, m, y = map(int, row["Date"].split("/"))
                want[(row["Measure"], date(y, m, d))] = float(row["Proportion"].replace(",", "."))
    assert got == want and len(want) == 291  # both spellings, 37 quarters (Trust MPS: 32)
    quarters = {q for (m, q) in got if m == "Trust MPS"}
    assert len(quarters) == 32 and len({q for (_, q) in got}) == 37
    mps = [r for r in t if r["area_code"] == "MPS"]
    assert len(mps) == 291 and {r["file"] for r in mps} == {"PAS_Total.csv"}
    assert len({r["area_code"] for r in t}) == 33  # 32 Met boroughs and the MPS
