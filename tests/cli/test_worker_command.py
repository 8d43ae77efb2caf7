"""`openbeat worker` in its own process, on a fresh SQLite app database."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.web.conftest import ROOT


def _openbeat(*args, data_dir):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(OPENBEAT_DATA_DIR=str(data_dir), SECRET_KEY="k" * 60)
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
