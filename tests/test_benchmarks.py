"""The benchmarks still run: each script parses its arguments, and the national run's set-up
works end to end on a tiny city.

Nothing here is timed (the figures are the benchmarks' own, in benchmarks/README.md); these
tests only make sure a benchmark someone wants to re-run has not rotted since it was last
measured: an import that moved, a phase whose child process fails, a result that no longer
adds up.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SHARED_DATA, needs_shared_data

BENCHMARKS = ROOT / "benchmarks"
#: Modules of benchmarks/ that are not scripts (imported by one).
NOT_SCRIPTS = {"web_settings": "the Django settings benchmarks/web.py serves with"}


def scripts() -> list[str]:
    return sorted(p.stem for p in BENCHMARKS.glob("*.py") if p.stem not in NOT_SCRIPTS)


@pytest.mark.parametrize("name", scripts())
def test_every_benchmark_script_parses_its_arguments(name):
    got = subprocess.run([sys.executable, str(BENCHMARKS / f"{name}.py"), "--help"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert got.returncode == 0, got.stderr
    assert got.stdout.startswith("usage: "), got.stdout[:200]


@pytest.mark.slow
def test_the_national_run_generates_ingests_and_analyses_a_tiny_country(tmp_path):
    """Two synthetic forces, two months, a twentieth of their residents: every phase but the
    web one (that needs wrk and a server), each in its own child process as in the full run."""
    root = tmp_path / "national"
    got = subprocess.run(
        [sys.executable, str(BENCHMARKS / "national.py"), "--root", str(root), "--forces", "2", "--months", "2",
         "--scale", "0.05", "--permutations", "99", "--phases", "generate,ingest,areas,store,scorecard,gistar"],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert got.returncode == 0, got.stdout[-2000:] + got.stderr[-2000:]
    results = json.loads((root / "results.json").read_text())

    generated = results["generate"]
    assert generated["forces"] == 2 and generated["files"] == 12  # 2 forces x 2 months x 3 kinds
    assert generated["rows"] == {"street": 7339, "outcomes": 3727, "stop-and-search": 660}

    ingested = results["ingest"]
    assert (ingested["files"], ingested["failed"], ingested["rows_rejected"], ingested["errors"]) == (12, 0, 0, [])
    assert ingested["rows_read"] == ingested["rows_loaded"] == sum(generated["rows"].values()) == 11_726

    assert results["areas"]["loaded"] == 11 and results["areas"]["failed"] == []
    assert results["store"]["wards"] == 47
    assert results["scorecard"]["forces"] == 2
    gistar = results["gistar"]
    assert (gistar["crimes"], gistar["cells"], gistar["grid_cells"], gistar["permutations"]) == (6027, 200, 432, 99)
    for phase in ("generate", "ingest", "areas", "store", "scorecard", "gistar"):
        assert results[phase]["peak_mb"] > 0, phase
    assert "ingest 0.0 min (goal <= 15): met" in got.stdout


@needs_shared_data
@pytest.mark.parametrize("contender", ["openbeat", "pyarrow"])
def test_the_ingest_benchmark_loads_every_row_of_a_real_file_with_openbeat_and_its_floor(tmp_path, contender):
    """`pyarrow`, the floor of openbeat's Arrow path (its parse and write, none of its checks),
    must load the very rows openbeat does, or the two would not be compared like with like."""
    path = SHARED_DATA / "police_uk" / "archive" / "2021-09" / "2021-09-city-of-london-street.csv"
    got = subprocess.run([sys.executable, str(BENCHMARKS / "ingest.py"), "--child", contender, "--work",
                          str(tmp_path), str(path)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert got.returncode == 0, got.stderr
    records = path.read_bytes().count(b"\n") - 1
    assert json.loads(got.stdout.strip().splitlines()[-1])["rows"] == records == 765
    if contender == "pyarrow":
        import pyarrow.parquet as pq

        written = pq.read_table(tmp_path / "0.parquet")
        assert written.num_rows == records
        assert written.schema.field("Longitude").type == "double" and written.schema.field("Context").type == "string"
