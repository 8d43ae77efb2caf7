"""`openbeat serve`'s library side: static files collected once, clear errors, gunicorn options."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from openbeat.web import server


@pytest.fixture
def fake_build(settings, tmp_path):
    """A static build folder holding tiny stand-ins for the files build_static.sh makes."""
    build = tmp_path / "static_build"
    for name in server.REQUIRED_BUILD_FILES:
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        (build / name).write_text("/* stand-in */\n")
    settings.STATIC_BUILD_DIR = build
    settings.STATICFILES_DIRS = [build]
    settings.STATIC_ROOT = tmp_path / "collected"
    return build


def test_static_files_are_collected_only_when_their_sources_change(fake_build, settings):
    said = []
    assert server._collect_static(said.append) is True
    assert (settings.STATIC_ROOT / "vendor" / "vega" / "vega.min.js").read_text() == "/* stand-in */\n"
    assert said == [f"collecting static files into {settings.STATIC_ROOT}"]
    (settings.STATIC_ROOT / "staticfiles.json").write_text("{}")  # as the hashed storage leaves it
    assert server._collect_static(said.append) is False
    (fake_build / "openbeat" / "css" / "openbeat.css").write_text("body { color: black }\n")
    assert server._collect_static(said.append) is True


def test_missing_front_end_build_says_what_to_run(fake_build):
    (fake_build / "vendor" / "vega" / "vega.min.js").unlink()
    with pytest.raises(server.ServeError, match=r"vendor/vega/vega.min.js missing .* run scripts/build_static.sh"):
        server._collect_static(lambda s: None)


def test_gunicorn_options():
    opts = server.gunicorn_options(host="127.0.0.1", port=8000, workers=3, threads=1, timeout=30)
    writes_first = "openbeat.web.workers.WritesFirstWorker"
    assert (opts["bind"], opts["workers"], opts["worker_class"], opts["threads"]) == ("127.0.0.1:8000", 3, writes_first, 1)
    opts = server.gunicorn_options(host="::1", port=9000, workers=2, threads=4, timeout=30)
    assert (opts["bind"], opts["worker_class"], opts["threads"]) == ("[::1]:9000", writes_first, 4)
    assert opts["keepalive"] == 0  # each request through the queues the workers share
    assert opts["control_socket_disable"] is True
    assert 3 <= server.default_workers() <= 9


def test_the_access_log_keeps_no_personal_data():
    """A postcode search, as gunicorn would log it: path and status, never the query, the
    client's address, the referrer or the user agent."""
    import datetime as dt
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    cfg = Config()
    cfg.set("access_log_format", server.gunicorn_options(host="127.0.0.1", port=8000, workers=1, threads=1,
                                                         timeout=30)["access_log_format"])
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/accounts/home-ward/", "QUERY_STRING": "q=TE1+1ST",
               "REMOTE_ADDR": "203.0.113.9", "HTTP_REFERER": "http://x/find/?q=TE1+1ST",
               "HTTP_USER_AGENT": "Browser", "SERVER_PROTOCOL": "HTTP/1.1", "RAW_URI": "/accounts/home-ward/?q=TE1+1ST"}
    req = SimpleNamespace(headers=[], method="GET", path="/accounts/home-ward/", query="q=TE1+1ST",
                          version=(1, 1), uri="/accounts/home-ward/?q=TE1+1ST")
    resp = SimpleNamespace(status="200 OK", response_length=1234, sent=1234, headers=[])
    atoms = Logger(cfg).atoms(resp, req, environ, dt.timedelta(milliseconds=12))
    line = cfg.access_log_format % atoms
    assert line.endswith('"GET /accounts/home-ward/" 200 1234 12ms'), line
    assert "TE1" not in line and "203.0.113" not in line and "Browser" not in line


def test_serve_and_manage_commands_have_help_with_an_example():
    from openbeat.cli.web_commands import COMMANDS

    for command in COMMANDS:
        result = CliRunner().invoke(command, ["--help"], prog_name=f"openbeat {command.name}")
        assert result.exit_code == 0
        assert "Example:" in result.output and f"openbeat {command.name}" in result.output


def test_the_openbeat_command_has_serve_and_manage():
    from openbeat.cli import main

    assert {"serve", "manage"} <= set(main.commands), "register openbeat.cli.web_commands in openbeat/cli/__init__.py"


def test_serve_refuses_to_start_without_a_secret_key(tmp_path):
    import os
    import subprocess
    import sys

    from tests.web.conftest import ROOT

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "OPENBEAT_DEMO",
                                                          "DJANGO_SETTINGS_MODULE")}
    env["OPENBEAT_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "from openbeat.cli.web_commands import serve; serve(prog_name='openbeat serve')",
         "--no-demo", "--lake", str(tmp_path / "lake")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: SECRET_KEY is not set.")
    assert "OPENBEAT_DEMO=1" in result.stderr


def test_workers_share_kept_answers_in_a_folder_emptied_at_each_start(tmp_path, monkeypatch):
    folder = tmp_path / "answers"
    (folder / "stale").mkdir(parents=True)
    (folder / "stale" / "old.djcache").write_text("an answer of an older version of the app")
    monkeypatch.setenv("OPENBEAT_CACHE_DIR", str(folder))
    assert server._answers_folder() == folder
    assert list(folder.iterdir()) == []
    monkeypatch.delenv("OPENBEAT_CACHE_DIR")
    monkeypatch.setenv("OPENBEAT_DATA_DIR", str(tmp_path / "data"))
    assert server._answers_folder() == tmp_path / "data" / "answers"
    import os

    assert os.environ["OPENBEAT_CACHE_DIR"] == str(tmp_path / "data" / "answers")  # for the workers to read


def test_kept_answers_in_a_shared_folder(settings, tmp_path, client, use_lake):
    """The file-based cache (what `openbeat serve` uses) keeps and serves whole answers too."""
    from django.core.cache import caches

    settings.CACHES = {**settings.CACHES, "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / "answers"),
        "TIMEOUT": None}}
    settings.OPENBEAT_RESPONSE_CACHE = "shared"
    first = client.get("/api/areas?level=ward")
    assert len(list((tmp_path / "answers").glob("*.djcache"))) == 1
    again = client.get("/api/areas?level=ward")
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
    caches["shared"].clear()


def test_serve_opens_no_store_before_gunicorn_forks_its_workers(use_lake, monkeypatch, tmp_path):
    """DuckDB's threads do not survive a fork: a store built in the master deadlocked every worker."""
    from openbeat.web import lake_access

    lake_access.reset()
    monkeypatch.setenv("OPENBEAT_LAKE", str(use_lake.root))  # serve() sets it; put it back afterwards
    forked_with = []
    monkeypatch.setattr(server, "_answers_folder", lambda: tmp_path / "answers")
    monkeypatch.setattr(server, "prepare", lambda say: server.Prepared(static_root=tmp_path, database="sqlite x"))
    monkeypatch.setattr(server, "run_gunicorn", lambda app: forked_with.append(dict(lake_access._snapshots)))
    monkeypatch.delenv("OPENBEAT_STORE_MEMORY", raising=False)  # serve() sets it for its workers
    server.serve(lake=use_lake.root, workers=1, say=lambda s: None)
    assert forked_with == [{}]


def test_serve_divides_the_stores_memory_among_its_workers(use_lake, monkeypatch, tmp_path):
    from openbeat.lake import store_memory

    monkeypatch.setenv("OPENBEAT_LAKE", str(use_lake.root))
    monkeypatch.delenv("OPENBEAT_STORE_MEMORY", raising=False)
    share = store_memory(processes=4)
    assert share != store_memory(processes=1)
    seen = []
    monkeypatch.setattr(server, "_answers_folder", lambda: tmp_path / "answers")
    monkeypatch.setattr(server, "prepare", lambda say: server.Prepared(static_root=tmp_path, database="sqlite x"))
    monkeypatch.setattr(server, "run_gunicorn", lambda app: seen.append(os.environ["OPENBEAT_STORE_MEMORY"]))
    server.serve(lake=use_lake.root, workers=4, say=lambda s: None)
    assert seen == [share]
