"""The demo goes through the real ingest pipeline with nothing rejected, and the CLI."""

from __future__ import annotations

from click.testing import CliRunner

from openbeat.cli.demo_commands import demo
from openbeat.demo import SYNTHETIC_LINE, build, lake_summary
from openbeat.lake import Lake
from tests.demo.conftest import SMALL


def test_ingest_loads_every_row_and_rejects_none(demo_build):
    report, city = demo_build.report, demo_build.city
    assert report.ok and len(report.files) == 3 * 14
    for f in report.files:
        assert f.status == "loaded" and f.rows_rejected == 0
        assert f.rows_read == f.rows_loaded + f.rows_rejected
    totals = report.totals()
    assert totals["rows_read"] == totals["rows_loaded"] == sum(city.rows.values())
    street_dups = sum(f.duplicates for f in report.files if f.dataset == "crimes")
    assert street_dups > 50  # the planted repeated Crime IDs, counted, not dropped


def test_lake_holds_what_was_written(demo_lake, demo_city):
    s = lake_summary(demo_lake)
    assert s.rows == {"crimes": demo_city.rows["street"], "outcomes": demo_city.rows["outcomes"],
                      "stop_searches": demo_city.rows["stop-and-search"]}
    assert s.months == demo_city.months and s.rejected == 0
    assert s.top_crime_types[0][0] == "Violence and sexual offences"
    assert list(demo_city.crime_types.items())[:5] == s.top_crime_types
    con = demo_lake.connect()
    early = con.execute("""SELECT count(*) FILTER (WHERE lsoa_code LIKE 'X019%'), count(*) FILTER (WHERE lsoa_code
                           LIKE 'X01%' AND lsoa_code NOT LIKE 'X019%') FROM crimes WHERE month = DATE '2025-01-01'""")
    assert all(n > 0 for n in early.fetchone())  # both vintages in one month, kept as published
    (keys,) = con.execute("SELECT count(DISTINCT row_key) = count(*) FROM crimes").fetchone()
    assert keys


def test_building_again_changes_nothing(demo_build, tmp_path):
    city = demo_build.city
    lake = Lake(city.root.parent / "lake")
    again = build(lake, city.root, seed=city.seed, months=len(city.months), end=city.months[-1], scale=city.scale,
                  today=SMALL["today"])  # the same arguments, the same files
    assert {f.status for f in again.report.files} == {"unchanged"}


def test_cli_builds_a_small_demo_and_says_it_is_synthetic(tmp_path):
    result = CliRunner().invoke(demo, ["--lake", str(tmp_path / "lake"), "--months", "2", "--scale", "0.05"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == SYNTHETIC_LINE and "SYNTHETIC" in lines[-1]
    assert lines[0] == "Northbridge demo: 2 months (2025-11 to 2025-12), seed 2025, scale 0.05"
    assert any(line.split() == ["rejected", "0", "rows"] for line in lines)
    assert (tmp_path / "northbridge-demo" / "SYNTHETIC.txt").exists()
    assert "Example:" in demo.__doc__


def test_cli_refuses_a_bad_month(tmp_path):
    result = CliRunner().invoke(demo, ["--lake", str(tmp_path), "--end", "2025-13"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
