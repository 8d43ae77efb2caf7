import json
from http.server import BaseHTTPRequestHandler

import pytest

from openbeat.geo.refdata import read_reference
from openbeat.ingest.errors import IngestError
from openbeat.ingest.postcodes import fetch_postcode, is_postcode_directory, load_postcodes

from .fakeserver import serving

# a slice of ONSPD's layout (real files have ~50 columns in this style)
ONSPD = ("pcd,pcd2,pcds,dointr,doterm,oslaua,osward,lsoa11,lsoa21,lat,long,pfa\n"
         "N13 4PN,N13  4PN,N13 4PN,198001,,E09000010,E05013696,E01001425,E01001425,51.620000,-0.100000,E23000001\n"
         "EC1A1BB,EC1A 1BB,EC1A 1BB,198001,200012,E09000001,E05009300,E01000001,E01000001,51.520000,-0.098000,"
         "E23000034\n"
         "ZZ990ZZ,ZZ99 0ZZ,ZZ99 0ZZ,198001,,,,,,99.999999,0.000000,\n")
# a recent edition's spelling: upper case with vintages
ONSPD_NEW = ("PCDS,DOTERM,LAD25CD,WD25CD,LSOA21CD,LAT,LONG\n"
             "N13 4PN,,E09000010,E05013696,E01001425,51.62,-0.1\n")


def test_onspd_columns_are_read_and_no_grid_reference_is_null(tmp_path, lake):
    p = tmp_path / "ONSPD_FEB_2025_UK.csv"
    p.write_text(ONSPD)
    assert is_postcode_directory(ONSPD.splitlines()[0].split(","))
    assert load_postcodes(lake, p, ONSPD.splitlines()[0].split(",")) == 3
    rows = [(r["postcode"], r["postcode_key"], r["latitude"], r["longitude"], r["lsoa21_code"], r["ward_code"],
             r["lad_code"], r["pfa_code"], r["terminated"]) for r in read_reference(lake, "postcodes").to_pylist()]
    assert rows == [
        ("N13 4PN", "N134PN", 51.62, -0.1, "E01001425", "E05013696", "E09000010", "E23000001", False),
        ("EC1A 1BB", "EC1A1BB", 51.52, -0.098, "E01000001", "E05009300", "E09000001", "E23000034", True),
        ("ZZ99 0ZZ", "ZZ990ZZ", None, None, None, None, None, None, False),
    ]


def test_recent_upper_case_edition(tmp_path, lake):
    p = tmp_path / "pc.csv"
    p.write_text(ONSPD_NEW)
    load_postcodes(lake, p, ONSPD_NEW.splitlines()[0].split(","))
    r = read_reference(lake, "postcodes").to_pylist()[0]
    assert (r["postcode"], r["ward_code"], r["lad_code"], r["lsoa21_code"]) == (
        "N13 4PN", "E05013696", "E09000010", "E01001425")


class _PostcodesIO(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/postcodes/N134PN":
            body = {"status": 200, "result": {"postcode": "N13 4PN", "latitude": 51.62, "longitude": -0.1,
                                              "codes": {"admin_district": "E09000010", "admin_ward": "E05013696",
                                                        "lsoa": "E01001425"}}}
            code = 200
        elif self.path == "/postcodes/N999ZZ":
            code, body = 500, {"status": 500, "error": "boom"}
        else:
            code, body = 404, {"status": 404, "error": "Postcode not found"}
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def postcodes_io():
    with serving(_PostcodesIO) as url:
        yield url


def test_fetch_postcode_from_a_local_postcodes_io(postcodes_io):
    assert fetch_postcode("N13 4PN", base_url=postcodes_io) == {
        "postcode": "N13 4PN", "latitude": 51.62, "longitude": -0.1,
        "codes": {"admin_district": "E09000010", "admin_ward": "E05013696", "lsoa": "E01001425"}}
    assert fetch_postcode("ZZ1 1ZZ", base_url=postcodes_io) is None
    with pytest.raises(IngestError, match="postcodes.io answered HTTP 500"):
        fetch_postcode("N99 9ZZ", base_url=postcodes_io)
