"""`openbeat worker` in its own process, on a fresh SQLite app database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.waiting import wait_until
from tests.web.conftest import ROOT


def _env(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(OPENBEAT_DATA_DIR=str(data_dir), SECRET_KEY="k" * 60)
    return env


def _openbeat(*args, data_dir):
    env = _env(data_dir)
    return subprocess.run([sys.executable, "-m", "openbeat", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_worker_refuses_an_unmigrated_database_then_runs_the_queue(tmp_path):
    refused = _openbeat("worker", "--batch", data_dir=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: the app database needs ")
    assert "migrations first (" in refused.stderr
    assert refused.stderr.rstrip().endswith(
        "run 'openbeat manage migrate' or start 'openbeat serve', which applies them")
    assert _openbeat("manage", "migrate", "--verbosity", "0", data_dir=tmp_path).returncode == 0
    ran = _openbeat("worker", "--batch", data_dir=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr.splitlines()[0] == (
        f"worker: running queued tasks from sqlite3 {tmp_path / 'openbeat.sqlite3'} "
        "(email: console; daily digests after 7:00)")


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has stopped; nobody may be left to reap it


def test_a_worker_started_by_the_server_stops_when_the_server_is_gone(tmp_path):
    """`openbeat serve` starts the worker with --exit-with-parent: kill the server outright
    and the worker still stops, rather than sending email for a site that is gone."""
    assert _openbeat("manage", "migrate", "--verbosity", "0", data_dir=tmp_path).returncode == 0
    log = tmp_path / "worker.log"
    # a stand-in for the server: starts the worker as serve does, then is gone at once
    parent = subprocess.run([sys.executable, "-c", (
        "import os, subprocess, sys\n"
        f"log = open({str(log)!r}, 'w')\n"
        "p = subprocess.Popen([sys.executable, '-m', 'openbeat', 'worker', '--exit-with-parent', str(os.getpid())],"
        " stdout=log, stderr=log)\n"
        "print(p.pid)\n")], cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    pid = int(parent.stdout)
    wait_until(lambda: "worker: running queued tasks" in log.read_text(), 120, "the worker to start")
    wait_until(lambda: not _running(pid), 60, "the orphaned worker to stop")
    assert "has gone; stopping" in log.read_text()
