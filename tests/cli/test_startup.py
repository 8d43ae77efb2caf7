"""Start-up: help and one-shot commands load only what they use.

Each check runs the command in a fresh interpreter (this test process has every library
loaded already) and reads ``sys.modules`` afterwards. How fast they start is measured in
benchmarks/cli.py, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Never loaded to print help: seconds of imports between them (issue 15).
HEAVY = ("pandas", "scipy", "statsmodels", "django", "shapely", "pyogrio", "openbeat.demo")

_RUN = """
import json, sys
from openbeat.cli import main
for args in json.loads(sys.argv[1]):
    try:
        main(args, prog_name="openbeat", standalone_mode=False)
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def loaded(*commands: list[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """``heavy`` modules loaded after running ``commands`` one after another in a new interpreter."""
    out = subprocess.run([sys.executable, "-c", _RUN, json.dumps(commands)], capture_output=True, text=True,
                         check=True, timeout=300)
    modules = json.loads(out.stdout.splitlines()[-1])
    return sorted({m.split(".")[0] if not m.startswith("openbeat.") else "openbeat.demo"
                   for m in modules if any(m == h or m.startswith(h + ".") for h in heavy)})


def every_help() -> list[list[str]]:
    """``--help`` of every group and command, except ``demo``'s, which shows the generator's own defaults."""
    from openbeat.cli import main

    out = []

    def walk(command, path):
        out.append([*path, "--help"])
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            if name != "demo":
                walk(sub, [*path, name])
    walk(main, [])
    return out


def test_openbeat_help_loads_no_heavy_module():
    assert loaded(["--help"]) == []


def test_no_group_or_command_help_loads_a_heavy_module():
    pages = every_help()
    assert ["analyse", "profile", "--help"] in pages and ["fetch", "neighbourhoods", "--help"] in pages
    assert loaded(*pages) == []


@pytest.mark.parametrize("command, allowed", [
    (["analyse", "profile", "--area", "X05000030"], ["scipy"]),  # scipy.special for the E-test
    (["status"], []),
    (["locate", "53.0,-1.5"], ["shapely"]),  # point in polygon
    (["locate", "NB1 2AB"], ["shapely"]),  # a postcode of the directory
])
def test_one_shot_commands_load_only_what_they_use(northbridge, command, allowed):
    assert loaded([*command, "--lake", str(northbridge.root)]) == allowed


@pytest.mark.parametrize("command", [
    ["locate", "53.0,-1.5"],
    ["locate", "NB1 2AB"],  # in a ward and a neighbourhood: every look-up runs
    ["analyse", "profile", "--area", "X05000030"],
])
def test_lookups_and_a_profile_query_through_duckdb_without_pyarrow(northbridge, command):
    """The lake's schemas, the neighbourhood look-up and the store's stop-search check need no Arrow."""
    assert loaded([*command, "--lake", str(northbridge.root)], heavy=("pyarrow",)) == []


def test_status_reads_parquet_footers_without_duckdb(northbridge):
    assert loaded(["status", "--lake", str(northbridge.root)], heavy=(*HEAVY, "duckdb")) == []


def test_a_postcode_is_located_without_the_csv_loaders(northbridge):
    """The postcode's shape is checked by openbeat.geo.postcode; no module of the ingest package loads."""
    command = ["locate", "NB1 2AB", "--lake", str(northbridge.root)]
    out = subprocess.run([sys.executable, "-c", _RUN, json.dumps([command])], capture_output=True, text=True,
                         check=True, timeout=300)
    modules = set(json.loads(out.stdout.splitlines()[-1]))
    assert "openbeat.geo.postcode" in modules
    assert not {m for m in modules if m == "openbeat.ingest" or m.startswith("openbeat.ingest.")}
    assert not modules & {"openbeat.ingest.police_csv", "openbeat.ingest.sources", "pyarrow.csv"}
    assert "X05000001" in out.stdout  # NB1 2AB's ward in the test city
