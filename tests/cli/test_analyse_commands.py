"""`openbeat analyse …` on the synthetic city: each method runs, its JSON is the library's Result."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from openbeat.analytics.profiles import area_profile
from openbeat.analytics.store import Store
from openbeat.cli import main

METHODS = [
    ["profile", "--area", "northbridge"],
    ["hotspots", "--area", "X09000001", "--permutations", "999"],
    ["compare", "--level", "borough"],
    ["stop-search", "--area", "northbridge"],
    ["trust", "--area", "X09000001", "--measure", "Trust MPS"],
    ["targeting", "--level", "borough"],
    ["allocate", "--within", "X09000001", "--officers", "60", "--pcsos", "30"],
    ["did-it-work", "--area", "X05000030", "--start", "2025-01", "--crime-type", "Burglary"],
    ["scorecard", "--area", "northbridge"],
    ["vawg", "--area", "northbridge"],
]


@pytest.mark.parametrize("args", METHODS, ids=[m[0] for m in METHODS])
def test_every_method_runs_in_every_format(northbridge, args):
    runner = CliRunner()
    lake = ["--lake", str(northbridge.root)]
    as_json = runner.invoke(main, ["analyse", *args, *lake, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data["method"] and data["title"] and data["sources"] and data["licence"].startswith("Contains public")
    first_table = next(iter(data["tables"]))
    as_csv = runner.invoke(main, ["analyse", *args, *lake, "--format", "csv"])
    assert as_csv.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == len(data["tables"][first_table]) > 0
    as_table = runner.invoke(main, ["analyse", *args, *lake])
    assert as_table.exit_code == 0 and data["title"] in as_table.stdout.replace("\n", " ")


def test_profile_json_is_the_library_result(northbridge):
    result = CliRunner().invoke(main, ["analyse", "profile", "--area", "X05000030", "--from", "2025-01",
                                       "--to", "2025-12", "--lake", str(northbridge.root), "--format", "json"])
    expected = area_profile(Store(northbridge), "X05000030", "2025-01", "2025-12").as_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected))


def test_errors_are_plain(northbridge):
    runner = CliRunner()
    lake = ["--lake", str(northbridge.root)]
    cases = {
        ("profile", "--area", "X05999999"): "no area with code 'X05999999' is loaded",
        ("profile", "--area", "northbridge", "--from", "2025-13"): "'2025-13' is not a month",
        ("scorecard", "--area", "northbridge", "--format", "csv", "--table", "nope"): "no table 'nope'",
        ("hotspots", "--area", "northbridge", "--crime-type", "Arson"): "unknown crime type 'Arson'",
        # a loaded MSOA is named as one, not called unloaded
        ("profile", "--area", "X02000013"): "Northbridge Central 013 (X02000013) is a middle layer super output area "
                                            "(MSOA); these figures are given for: police force, borough, ward, "
                                            "neighbourhood statistical area (LSOA 2021)\n",
        ("compare", "--level", "ward", "--within", "X02000013"): "(X02000013) is a middle layer super output area",
        # an unknown --force is called a force, not an area
        ("profile", "--area", "northbridge", "--force", "nosuch"): "Error: no force 'nosuch' in the lake; its forces "
                                                                   "are: northbridge\n",
        ("scorecard", "--area", "northbridge", "--force", "nosuch"): "Error: no force 'nosuch' in the lake",
    }
    for args, message in cases.items():
        result = runner.invoke(main, ["analyse", *args, *lake])
        assert result.exit_code == 1 and message in result.output, (args, result.output)


def test_evaluate_is_the_hidden_old_name_of_did_it_work(northbridge):
    runner = CliRunner()
    args = ["--area", "X05000030", "--start", "2025-01", "--crime-type", "Burglary", "--lake", str(northbridge.root),
            "--format", "json"]
    new = runner.invoke(main, ["analyse", "did-it-work", *args])
    old = runner.invoke(main, ["analyse", "evaluate", *args])
    assert new.exit_code == old.exit_code == 0, old.output
    assert json.loads(old.stdout) == json.loads(new.stdout)
    assert json.loads(new.stdout)["method"] == "did_it_work"
    assert "deprecated" in old.stderr.lower()
    listed = runner.invoke(main, ["analyse", "--help"]).stdout
    assert "did-it-work" in listed and "evaluate" not in listed


def test_hotspots_checks_the_geojson_path_before_computing(northbridge, tmp_path, monkeypatch):
    import openbeat.analytics.hotspots

    def never(*args, **kwargs):
        raise AssertionError("computed before finding the GeoJSON path cannot be written")

    monkeypatch.setattr(openbeat.analytics.hotspots, "hotspots", never)
    path = tmp_path / "nonexistent" / "x.geojson"
    result = CliRunner().invoke(main, ["analyse", "hotspots", "--area", "X05000030", "--geojson", str(path),
                                       "--permutations", "249", "--lake", str(northbridge.root)])
    assert (result.exit_code, result.output) == (
        1, f"Error: cannot write {path}: the folder {path.parent} does not exist\n")


def test_help_says_the_real_rules_and_defaults():
    runner = CliRunner()
    hotspots = " ".join(runner.invoke(main, ["analyse", "hotspots", "--help"]).output.split())
    assert ("--permutations INTEGER Conditional permutations behind each p-value: 0 (the analytical z-scores "
            "alone), or 249 to 99,999. [default: 9999]") in hotspots
    assert "x>=0" not in hotspots
    trust = " ".join(runner.invoke(main, ["analyse", "trust", "--help"]).output.split())
    assert ("--measure TEXT The PAS measure of the headline and the ward estimates; the tables show every measure "
            "[default: Trust MPS, or the first the PAS loaded has].") in trust
    assert "[default: all]" not in trust


def test_permutations_outside_the_rule_are_refused_before_computing(northbridge):
    result = CliRunner().invoke(main, ["analyse", "hotspots", "--area", "X05000030", "--permutations", "99",
                                       "--lake", str(northbridge.root)])
    assert result.exit_code == 2
    assert result.output.endswith("Error: Invalid value for '--permutations': 99 is neither 0 nor between 249 "
                                  "and 99,999\n")


def test_a_seed_is_printed_as_a_name_and_one_point_is_singular(northbridge):
    runner = CliRunner()
    lake = ["--lake", str(northbridge.root)]
    hot = runner.invoke(main, ["analyse", "hotspots", "--area", "X05000030", "--permutations", "249", *lake])
    assert hot.exit_code == 0 and "\n  seed: 20250101\n" in hot.output
    trust = runner.invoke(main, ["analyse", "trust", "--area", "X09000003", *lake])
    assert trust.exit_code == 0
    assert ("Trust MPS in Northbridge Docks: 81% in 2025-Q4 (indicative 95% interval 77% to 85%). 1 point lower "
            "than a year earlier") in " ".join(trust.output.split())


def test_a_table_too_wide_for_the_terminal_prints_one_block_per_row(northbridge):
    """The scorecard's 38 columns in 120 characters used to print as a table of blank and "…" cells."""
    result = CliRunner(env={"COLUMNS": "120"}).invoke(main, ["analyse", "scorecard", "--area", "northbridge",
                                                             "--lake", str(northbridge.root)])
    assert result.exit_code == 0
    assert "…" not in result.output
    start = result.output.index("  38 columns")
    assert result.output[start:].startswith("""\
  38 columns do not fit in 120 characters: one block per row (--format csv gives the table).

  row 1 of 5
    code                    X09000001
    name                    Northbridge Central
    borough code            X09000001
    trust                   0.71
""")
    assert result.output.count("\n  row ") == 5 and "\n    arrest rate             " in result.output
    narrow = CliRunner(env={"COLUMNS": "120"}).invoke(main, ["analyse", "trust", "--area", "X09000003",
                                                             "--lake", str(northbridge.root)])
    assert "┃ measure" in narrow.output and "columns do not fit" not in narrow.output  # a table that fits stays one
