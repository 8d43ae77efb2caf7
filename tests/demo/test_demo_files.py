"""The police.uk CSVs of the demo: exact formats, quirks, labels, determinism."""

from __future__ import annotations

import csv
import hashlib

import duckdb
import pytest

from openbeat.datasets import KINDS, parse_file_name
from openbeat.demo import FORCE_NAME, generate
from openbeat.demo.vocab import CRIME_TYPE_NAMES
from tests.conftest import SHARED_DATA, needs_shared_data


def _read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _sql(sql):
    return duckdb.connect().execute(sql).fetchall()


def _csvs(city, kind):
    return "[" + ", ".join(f"'{p}'" for p in getattr(city, kind)) + "]"


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    def digests(root):
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    a = generate(tmp_path / "a", seed=11, months=3, scale=0.1)
    b = generate(tmp_path / "b", seed=11, months=3, scale=0.1)
    c = generate(tmp_path / "c", seed=12, months=3, scale=0.1, reference=False)
    da, db = digests(a.root), digests(b.root)
    assert len(da) > 350  # 9 CSVs, 5 GeoPackages, population, PAS, postcodes, ~290 API files …
    assert da == db
    assert any(p.endswith(".gpkg") for p in da)
    street = "police_uk/2025-12/2025-12-northbridge-street.csv"
    assert digests(c.root)[street] != da[street]


def test_files_are_named_and_laid_out_as_police_uk_archives(demo_city):
    assert len(demo_city.months) == 14
    for kind, paths in (("street", demo_city.street), ("outcomes", demo_city.outcomes),
                        ("stop-and-search", demo_city.stop_and_search)):
        assert len(paths) == 14
        for path, month in zip(paths, demo_city.months):
            assert path.parent.name == month
            name = parse_file_name(path.name)
            assert (name.month, name.force, name.kind.file_kind) == (month, "northbridge", kind)


def test_headers_and_line_endings_are_police_uks(demo_city):
    for paths in (demo_city.street, demo_city.outcomes, demo_city.stop_and_search):
        data = paths[0].read_bytes()
        kind = parse_file_name(paths[0].name).kind
        assert data.startswith((",".join(kind.header) + "\r\n").encode())
        assert data.count(b"\r\n") == data.count(b"\n")  # CRLF throughout, as data.police.uk
        assert not data.startswith(b"\xef\xbb\xbf")


@needs_shared_data
def test_headers_are_byte_for_byte_those_of_the_real_city_of_london_files(demo_city):
    real = SHARED_DATA / "police_uk" / "archive" / "2023-03"
    for kind, paths in (("street", demo_city.street), ("outcomes", demo_city.outcomes),
                        ("stop-and-search", demo_city.stop_and_search)):
        with open(real / f"2023-03-city-of-london-{kind}.csv", "rb") as fh:
            expected = fh.readline()
        with open(paths[5], "rb") as fh:
            assert fh.readline() == expected


def test_every_row_is_labelled_synthetic(demo_city):
    street = _sql(f"""SELECT DISTINCT "Reported by", "Falls within", "Context" IS NULL
                      FROM read_csv({_csvs(demo_city, 'street')}, all_varchar=true)""")
    assert street == [(FORCE_NAME, FORCE_NAME, True)]  # Context is always empty, as published
    outcomes = _sql(f"""SELECT DISTINCT "Reported by", "Falls within"
                        FROM read_csv({_csvs(demo_city, 'outcomes')}, all_varchar=true)""")
    assert outcomes == [(FORCE_NAME, FORCE_NAME)]
    assert "synthetic" in FORCE_NAME
    assert (demo_city.root / "SYNTHETIC.txt").read_text().startswith("SYNTHETIC DATA")


def test_anti_social_behaviour_has_no_crime_id_and_no_outcome_and_crimes_all_have_ids(demo_city):
    rows = _sql(f"""SELECT "Crime type" = 'Anti-social behaviour' AS asb,
                           count(*), count("Crime ID"), count("Last outcome category")
                    FROM read_csv({_csvs(demo_city, 'street')}, all_varchar=true) GROUP BY 1 ORDER BY 1""")
    (_, crimes, crime_ids, crime_outcomes), (_, asb, asb_ids, asb_outcomes) = rows
    assert crimes == crime_ids == crime_outcomes and crimes > 80_000
    assert asb > 20_000 and asb_ids == 0 and asb_outcomes == 0
    ids = _sql(f"""SELECT DISTINCT length("Crime ID") FROM read_csv({_csvs(demo_city, 'street')},
                   all_varchar=true) WHERE "Crime ID" IS NOT NULL""")
    assert ids == [(64,)]


def test_every_outcome_references_a_crime_of_the_same_or_an_earlier_month(demo_city):
    street, outcomes = _csvs(demo_city, "street"), _csvs(demo_city, "outcomes")
    (n, orphans, too_early, multi), = _sql(f"""
        WITH s AS (SELECT "Crime ID" AS id, min("Month") AS month FROM read_csv({street}, all_varchar=true)
                   WHERE "Crime ID" IS NOT NULL GROUP BY 1),
             o AS (SELECT "Crime ID" AS id, "Month" AS month FROM read_csv({outcomes}, all_varchar=true))
        SELECT count(*), count(*) FILTER (WHERE s.id IS NULL), count(*) FILTER (WHERE o.month < s.month),
               (SELECT count(*) FROM (SELECT id FROM o GROUP BY id HAVING count(DISTINCT month) > 1))
        FROM o LEFT JOIN s USING (id)""")
    assert n > 80_000 and orphans == 0 and too_early == 0
    assert multi > 200  # some crimes have outcome rows in several months


def test_outcome_and_last_outcome_strings_are_police_uks(demo_city):
    seen_outcomes = {r[0] for r in _sql(f"""SELECT DISTINCT "Outcome type"
                                         FROM read_csv({_csvs(demo_city, 'outcomes')}, all_varchar=true)""")}
    assert seen_outcomes == {
        "Investigation complete; no suspect identified", "Unable to prosecute suspect", "Suspect charged",
        "Offender given a caution", "Local resolution", "Offender given a drugs possession warning",
        "Formal action is not in the public interest", "Further investigation is not in the public interest",
        "Action to be taken by another organisation", "Offender given penalty notice",
        "Suspect charged as part of another case",
    }
    seen_last = {r[0] for r in _sql(f"""SELECT DISTINCT "Last outcome category"
                                     FROM read_csv({_csvs(demo_city, 'street')}, all_varchar=true)""")}
    assert {"Under investigation", "Status update unavailable", "Court result unavailable",
            "Awaiting court outcome", None} <= seen_last
    assert "Suspect charged" not in seen_last  # street files never say it


def test_quirks_no_location_duplicate_ids_outside_rows_and_mixed_vintages(demo_city):
    street = _csvs(demo_city, "street")
    (no_loc, no_loc_coords), = _sql(f"""SELECT count(*), count("Longitude") + count("LSOA code")
        FROM read_csv({street}, all_varchar=true) WHERE "Location" = 'No Location'""")
    assert 100 < no_loc and no_loc_coords == 0
    (dup,), = _sql(f"""SELECT count(*) FROM (SELECT "Month", "Crime ID" FROM read_csv({street}, all_varchar=true)
                    WHERE "Crime ID" IS NOT NULL GROUP BY ALL HAVING count(*) > 1)""")
    assert dup > 50
    (outside, quoted), = _sql(f"""SELECT count(*), count(*) FILTER (WHERE "LSOA name" LIKE '%,%')
        FROM read_csv({street}, all_varchar=true) WHERE "LSOA code" LIKE 'X018%'""")
    assert outside > 20 and quoted > 0  # "Westhaven, Coldwater and Mere 012C" is quoted in the file
    vintages = dict(_sql(f"""SELECT "Month", count(*) FILTER (WHERE "LSOA code" LIKE 'X019%')
                           FROM read_csv({street}, all_varchar=true) GROUP BY 1"""))
    months = demo_city.months
    assert vintages[months[0]] > 0 and vintages[months[3]] > 0  # 2011-only codes early on …
    assert all(vintages[m] == 0 for m in months[4:])  # … and none later, as in the Met's files


def test_street_names_look_like_police_uks_snap_points(demo_city):
    locations = {r["Location"] for r in _read(demo_city.street[-1])}
    assert "On or near Shopping Area" in locations and "On or near " in locations
    assert all(loc.startswith("On or near ") or loc == "No Location" for loc in locations)
    assert any("'S " in loc for loc in locations)  # "Pettit'S Road": police.uk's odd capitals
    coords = {r["Longitude"] for r in _read(demo_city.street[-1]) if r["Longitude"]}
    assert all(len(c.split(".")[1]) == 6 for c in coords)
    assert len(coords) < 7_000  # snapped to a finite set of map points


def test_all_fourteen_crime_types_appear_every_month(demo_city):
    rows = _sql(f"""SELECT "Month", count(DISTINCT "Crime type")
                    FROM read_csv({_csvs(demo_city, 'street')}, all_varchar=true) GROUP BY 1""")
    assert len(rows) == 14 and {n for _, n in rows} == {14}
    types = {r[0] for r in _sql(f"""SELECT DISTINCT "Crime type"
                                  FROM read_csv({_csvs(demo_city, 'street')}, all_varchar=true)""")}
    assert types == set(CRIME_TYPE_NAMES) and len(types) == 14


def test_generate_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="YYYY-MM"):
        generate(tmp_path, end="2025-13")
    with pytest.raises(ValueError, match="months"):
        generate(tmp_path, months=0)
    with pytest.raises(ValueError, match="scale"):
        generate(tmp_path, scale=0)


def test_a_shorter_rerun_removes_stale_months(tmp_path):
    generate(tmp_path, months=3, scale=0.05, reference=False)
    city = generate(tmp_path, months=2, scale=0.05, reference=False)
    assert sorted(p.name for p in (tmp_path / "police_uk").iterdir()) == city.months == ["2025-11", "2025-12"]


def test_known_kinds_cover_the_three_files():
    assert set(KINDS) == {"street", "outcomes", "stop-and-search"}
