"""The library and the non-web commands work without the ``web`` extra (Django, gunicorn,
psycopg …), and the web commands say how to install it.

Each check runs in a fresh Python whose import system refuses every package of the extra,
as on a machine where only ``pip install openbeat`` was run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from openbeat.cli.options import WEB_MISSING
from tests.conftest import ROOT
from tests.ingest.test_police_csv import STREET_HEADER, STREET_ROWS, write

#: The top-level import names of the ``web`` extra's packages (pyproject.toml).
WEB = ("django", "ninja", "dj_database_url", "whitenoise", "gunicorn", "psycopg", "allauth", "django_tasks",
       "django_tasks_db", "icalendar", "weasyprint", "redis")

BLOCKER = f"""
import sys
from importlib.abc import MetaPathFinder

class NoWebExtra(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {WEB!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, NoWebExtra())
"""


def _python(code: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "OPENBEAT_LAKE")}
    return subprocess.run([sys.executable, "-c", BLOCKER + code, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def _openbeat(*args: str) -> subprocess.CompletedProcess:
    return _python("from openbeat.cli import main; main(prog_name='openbeat')", *args)


def test_the_blocker_blocks():
    done = _python("import django")
    assert done.returncode == 1 and "ModuleNotFoundError: No module named 'django'" in done.stderr


def test_every_library_module_imports_without_the_web_extra():
    """Every module of every package that is not a Django app (no apps.py), and the top-level ones."""
    done = _python("""
import importlib, json, pkgutil
from pathlib import Path
import openbeat

root = Path(openbeat.__file__).parent
names = sorted(f"openbeat.{p.stem}" for p in root.glob("*.py") if p.stem != "__main__")
for pkg in sorted(p for p in root.iterdir() if (p / "__init__.py").exists() and not (p / "apps.py").exists()):
    names.append(f"openbeat.{pkg.name}")
    names += [m.name for m in pkgutil.walk_packages([str(pkg)], f"openbeat.{pkg.name}.")]
for name in names:
    importlib.import_module(name)
print(json.dumps(names))
""")
    assert done.returncode == 0, done.stderr
    names = json.loads(done.stdout)
    packages = {n.split(".")[1] for n in names}
    assert {"analytics", "cli", "demo", "geo", "ingest", "lake", "locate", "stats"} <= packages
    assert not packages & {"web", "api", "areas", "accounts", "policeuk", "reviews"}
    assert {"openbeat.analytics.profiles", "openbeat.ingest.fetch", "openbeat.cli.web_commands"} <= set(names)


def test_the_non_web_commands_work_without_the_web_extra(tmp_path, northbridge):
    src = write(tmp_path / "src" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
    lake = str(tmp_path / "lake")
    ingested = _openbeat("ingest", "--lake", lake, str(src))
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stdout.splitlines()[-1].startswith("1 files: 1 loaded, 0 unchanged, 0 failed; rows read 5")
    queried = _openbeat("query", "--lake", lake, "--format", "csv", "SELECT count(*) AS n FROM crimes")
    assert (queried.returncode, queried.stdout) == (0, "n\n5\n")
    profile = _openbeat("analyse", "profile", "--area", "northbridge", "--lake", str(northbridge.root),
                        "--format", "json")
    assert profile.returncode == 0, profile.stderr
    assert json.loads(profile.stdout)["method"] == "profile"


def test_the_web_commands_say_how_to_install_the_web_extra(tmp_path):
    for args in (["serve", "--demo"], ["worker", "--batch"], ["manage", "check"],
                 ["review", "publish", "--area", "northbridge", "--quarter", "2025-Q4"]):
        done = _openbeat(*args, "--lake", str(tmp_path / "lake")) if args[0] in ("serve", "review") else \
            _openbeat(*args)
        assert (done.returncode, done.stdout, done.stderr) == (1, "", f"Error: {WEB_MISSING}\n"), args
