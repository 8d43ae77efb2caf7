"""`openbeat serve`, `manage` and `worker`: arguments refused before anything starts, and a real
start of `openbeat serve` on the Testborough lake (gunicorn, one worker, a fresh SQLite app
database), its start-up lines in full. The server's library side is tested in
tests/web/test_server.py; the worker's run in tests/cli/test_worker_command.py."""

from __future__ import annotations

import json
import os
import re
import urllib.request

import pytest
from click.testing import CliRunner

from openbeat.cli import main
from openbeat.web.launch import LaunchError, launch
from tests.web.conftest import ROOT
from tests.web.test_settings import STRONG

STATIC_BUILD = ROOT / "openbeat" / "web" / "static_build"

REFUSED = [
    (["serve", "--port", "0"], "Invalid value for '--port': 0 is not in the range 1<=x<=65535."),
    (["serve", "--workers", "65"], "Invalid value for '--workers': 65 is not in the range 1<=x<=64."),
    (["serve", "--threads", "0"], "Invalid value for '--threads': 0 is not in the range 1<=x<=64."),
    (["serve", "--demo", "--no-such-option"], "No such option '--no-such-option'."),
    (["worker", "--interval", "0"], "Invalid value for '--interval': 0.0 is not in the range 0.1<=x<=60."),
]


@pytest.mark.parametrize(("args", "error"), REFUSED, ids=[" ".join(a) for a, _ in REFUSED])
def test_arguments_are_refused_before_anything_starts(args, error):
    result = CliRunner().invoke(main, args, prog_name="openbeat")
    usage = f"{args[0]} [OPTIONS]"
    assert (result.exit_code, result.output) == (2, (
        f"Usage: openbeat {usage}\nTry 'openbeat {args[0]} --help' for help.\n\nError: {error}\n"))


def test_manage_runs_djangos_commands():
    result = CliRunner().invoke(main, ["manage", "check"])
    assert (result.exit_code, result.output) == (0, "System check identified no issues (0 silenced).\n")


@pytest.mark.slow  # collectstatic and every migration on a fresh SQLite database first
def test_serve_starts_gunicorn_and_says_what_it_serves(web_lake, tmp_path):
    if not (STATIC_BUILD / "vendor" / "vega" / "vega.min.js").exists():
        pytest.skip("the front-end files are not built: run scripts/build_static.sh")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE",
                                                          "OPENBEAT_DEMO", "OPENBEAT_CACHE_URL")}
    env.update(SECRET_KEY=STRONG, OPENBEAT_HTTPS="0", OPENBEAT_DATA_DIR=str(tmp_path / "data"),
               OPENBEAT_CACHE_DIR=str(tmp_path / "answers"), OPENBEAT_STATIC_ROOT=str(tmp_path / "static"))
    (tmp_path / "data").mkdir()
    try:
        server = launch(["--no-demo", "--no-worker", "--workers", "1", "--lake", str(web_lake.root)], env=env,
                        log=tmp_path / "serve.log", cwd=ROOT)
    except LaunchError as exc:
        pytest.fail(str(exc))
    with server:
        with urllib.request.urlopen(server.base + "/healthz", timeout=30) as r:
            health = json.load(r)
        with urllib.request.urlopen(server.base + "/api/areas?level=ward", timeout=30) as r:
            wards = [a["code"] for a in json.load(r)["results"]]
        # what serve said, without gunicorn's own time-stamped lines
        said = [line for line in server.log.read_text().splitlines() if not line.startswith("[")]
    assert health == {"status": "ok", "database": "ok", "lake": "ok"}
    assert wards == ["X05000001", "X05000002"]
    assert said[0] == f"collecting static files into {tmp_path / 'static'}"
    assert re.fullmatch(r"applying \d+ database migrations", said[1])
    assert said[2:] == [
        f"database: sqlite3 {tmp_path / 'data' / 'openbeat.sqlite3'}",
        f"answers kept until the lake changes, shared by the workers, in {tmp_path / 'answers'}",
        f"lake: {web_lake.root}",
        f"{server.base.replace('http://', 'serving at http://')}/ with 1 workers (Ctrl-C to stop)",
    ]
