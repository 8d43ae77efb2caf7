"""`openbeat fetch` and `openbeat fetch neighbourhoods` against a fake police.uk on 127.0.0.1: whole outputs.

The archive holds one small street file written here (tests/ingest/test_police_csv.py's
five rows), so every count is known; the neighbourhood API answers one team.
"""

from __future__ import annotations

import io
import zipfile

from click.testing import CliRunner

from openbeat.cli import main
from openbeat.lake import Lake
from tests.ingest.fakeserver import FakeServer
from tests.ingest.test_police_csv import STREET_HEADER, STREET_ROWS

STREET = (STREET_HEADER + "\n" + "\n".join(STREET_ROWS) + "\n").encode()


def _archive() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("2023-03/2023-03-test-street.csv", STREET)
        z.writestr("2023-03/2023-03-other-street.csv", STREET)
    return buf.getvalue()


def _police_uk(srv: FakeServer) -> None:
    srv.add("/data/archive/2023-03.zip", _archive())
    srv.add_json("/api/crimes-street-dates", [{"date": "2023-03", "stop-and-search": []},
                                              {"date": "2023-02", "stop-and-search": []}])


def test_fetch_loads_a_month_then_finds_it_unchanged(tmp_path):
    lake = tmp_path / "lake"
    runner = CliRunner()
    with FakeServer() as srv:
        _police_uk(srv)
        args = ["fetch", "--force", "test", "--from", "2023-03", "--kinds", "street", "--lake", str(lake),
                "--cache", str(tmp_path / "cache"), "--base-url", srv.url + "/"]
        first = runner.invoke(main, args)
        again = runner.invoke(main, args)
    assert (first.exit_code, first.stderr) == (0, "")
    assert first.stdout == ("test 2023-03 to 2023-03: 1 files: 1 loaded, 0 unchanged, 0 failed; rows loaded 5, "
                            f"rejected 0; 0.0 MB transferred from 1 archive(s); lake {lake}\n")
    assert (again.exit_code, again.stderr) == (0, "")
    assert again.stdout == ("test 2023-03 to 2023-03: 1 files: 0 loaded, 1 unchanged, 0 failed; rows loaded 0, "
                            f"rejected 0; 0.0 MB transferred from 1 archive(s); lake {lake}\n")


def test_fetch_names_the_months_police_uk_has_not_published(tmp_path):
    lake = tmp_path / "lake"
    with FakeServer() as srv:
        _police_uk(srv)
        result = CliRunner().invoke(main, [
            "fetch", "--force", "test", "--from", "2023-03", "--to", "2023-05", "--kinds", "street", "--lake",
            str(lake), "--no-cache", "--base-url", srv.url + "/"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "test 2023-03 to 2023-05: 1 files: 1 loaded, 0 unchanged, 0 failed; rows loaded 5, rejected 0; 0.0 MB "
        f"transferred from 1 archive(s); lake {lake}\n"
        "not published by police.uk (newest is 2023-03): 2023-04, 2023-05\n")


def test_fetch_refuses_unknown_kinds_and_missing_options(tmp_path):
    runner = CliRunner()
    lake = ["--lake", str(tmp_path / "lake")]
    bad = runner.invoke(main, ["fetch", "--force", "test", "--from", "2023-03", "--kinds", "street,crimes", *lake],
                        prog_name="openbeat")
    assert (bad.exit_code, bad.output) == (2, (
        "Usage: openbeat fetch [OPTIONS] [COMMAND] [ARGS]...\nTry 'openbeat fetch --help' for help.\n\n"
        "Error: Invalid value for --kinds: crimes: choose from street, outcomes, stop-and-search\n"))
    missing = runner.invoke(main, ["fetch", "--force", "test", *lake], prog_name="openbeat")
    assert (missing.exit_code, missing.output) == (2, (
        "Usage: openbeat fetch [OPTIONS] [COMMAND] [ARGS]...\nTry 'openbeat fetch --help' for help.\n\n"
        "Error: --force and --from are required (or run: openbeat fetch neighbourhoods --force SLUG)\n"))
    no_force = runner.invoke(main, ["fetch", "neighbourhoods", *lake], prog_name="openbeat")
    assert (no_force.exit_code, no_force.output) == (2, (
        "Usage: openbeat fetch neighbourhoods [OPTIONS]\nTry 'openbeat fetch neighbourhoods --help' for help.\n\n"
        "Error: --force is required, e.g. --force metropolitan\n"))
    assert not (tmp_path / "lake").exists()


TEAM = {
    "testforce/neighbourhoods": [{"id": "N1", "name": "North Team"}],
    "testforce/N1": {"id": "N1", "name": "North Team", "description": "<p>The <b>north</b>.</p>",
                     "url_force": "https://police.example/n1", "contact_details": {"email": "north@police.example"},
                     "links": [], "locations": [], "centre": {"latitude": "51.5", "longitude": "-0.1"}},
    "testforce/N1/people": [{"name": "Sam Sergeant", "rank": "Sergeant", "bio": None, "contact_details": {}}],
    "testforce/N1/events": [],
    "testforce/N1/priorities": [{"issue": "<p>Parking</p>", "issue-date": "2024-02-01T00:00:00",
                                 "action": None, "action-date": None}],
    "testforce/N1/boundary": [{"latitude": "51.50", "longitude": "-0.10"}, {"latitude": "51.50", "longitude": "-0.11"},
                              {"latitude": "51.51", "longitude": "-0.11"}],
}


def test_fetch_neighbourhoods_over_http(tmp_path):
    lake = tmp_path / "lake"
    with FakeServer() as srv:
        for path, body in TEAM.items():
            srv.add_json(f"/api/{path}", body)
        result = CliRunner().invoke(main, ["fetch", "neighbourhoods", "--force", "testforce", "--lake", str(lake),
                                           "--base-url", srv.url + "/api/"])
        gone = CliRunner().invoke(main, ["fetch", "neighbourhoods", "--force", "nowhere", "--lake", str(lake),
                                         "--base-url", srv.url + "/api/"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "testforce: 1 of 1 neighbourhoods loaded, 0 failed; rows: neighbourhoods 1, neighbourhood_people 1, "
        "neighbourhood_events 0, neighbourhood_priorities 1, neighbourhood_boundaries 1; 6 API requests; "
        f"lake {lake}\n")
    team = Lake(lake).connect().execute(
        "SELECT n.name, n.description_text, p.name, p.rank, q.issue_text FROM neighbourhoods n "
        "JOIN neighbourhood_people p USING (force, neighbourhood_id) "
        "JOIN neighbourhood_priorities q USING (force, neighbourhood_id)").fetchall()
    assert team == [("North Team", "The north.", "Sam Sergeant", "Sergeant", "Parking")]
    assert (gone.exit_code, gone.stdout) == (1, "")
    assert gone.stderr == (f"error: cannot list nowhere's neighbourhoods: {srv.url}/api/nowhere/neighbourhoods: "
                           "not found (HTTP 404) (check the force and neighbourhood ids (openbeat fetch "
                           "neighbourhoods lists them))\n")
