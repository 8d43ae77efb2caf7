"""The national-scale demo (``openbeat demo --forces N``), at a small size: 3 forces, 2 months, scale 0.05."""

from __future__ import annotations

import csv
import hashlib

import numpy as np
import pytest
from click.testing import CliRunner

from openbeat.cli.demo_commands import demo
from openbeat.datasets import OUTCOMES, STOP_AND_SEARCH, STREET
from openbeat.demo.crimes import DUPLICATE_ID_SHARE, CrimeModel
from openbeat.demo.geography import build_city
from openbeat.demo.national import (
    FORCE_RESIDENTS, STREET_ROWS_PER_YEAR, _half_width, build_national, generate_national, national_forces,
)
from openbeat.demo.vocab import ASB
from openbeat.lake import Lake

SMALL = {"forces": 3, "months": 2, "end": "2025-12", "scale": 0.05, "seed": 11}


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    root = tmp_path_factory.mktemp("national")
    return build_national(Lake(root / "lake"), root / "out", **SMALL)


def _rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_43_forces_are_england_and_wales():
    specs = national_forces(43)
    assert len({s.slug for s in specs}) == 43 and "northbridge" not in {s.slug for s in specs}
    assert [s.residents for s in specs] == [r * 1_000 for r in FORCE_RESIDENTS]
    assert sum(s.street_rows_per_month for s in specs) * 12 == pytest.approx(STREET_ROWS_PER_YEAR)
    met = specs[0]
    assert met.place.n_lsoa == 4_795 and met.street_rows_per_month == pytest.approx(74_325.5, abs=0.1)
    assert specs[-1].place.n_lsoa == 40  # the City of London's 10,000 residents: the smallest city there is
    # every city's square (coast and neighbouring district included) apart from every other, in the North Sea
    boxes = [(s.place.centre, _half_width(s.place)) for s in specs]
    for i, ((xi, yi), hi) in enumerate(boxes):
        assert 470_000 - 1 <= xi - hi and xi + hi <= 690_000 + 1 and yi + hi <= 1_150_000 + 1
        for (xj, yj), hj in boxes[i + 1:]:
            assert abs(xi - xj) >= hi + hj - 1 or abs(yi - yj) >= hi + hj - 1


def test_fewer_forces_span_the_sizes_and_more_share_the_country():
    three = national_forces(3)
    assert [s.residents for s in three] == [8_870_000, 1_100_000, 10_000]
    sixty = national_forces(60)
    assert sum(s.street_rows_per_month for s in sixty) * 12 == pytest.approx(STREET_ROWS_PER_YEAR)
    with pytest.raises(ValueError, match="between 1 and 79"):
        national_forces(80)
    with pytest.raises(ValueError, match="9,999"):
        national_forces(1, scale=10)


def test_each_force_writes_its_own_police_uk_files_at_its_size(national):
    demo = national.demo
    assert [s.slug for s in demo.forces] == ["ashmoor", "bramwick", "brackdale"]
    assert len(demo.files) == 3 * 3 * 2
    for spec in demo.forces:
        street = [_rows(demo.root / "police_uk" / m / f"{m}-{spec.slug}-street.csv") for m in demo.months]
        outcomes = [_rows(demo.root / "police_uk" / m / f"{m}-{spec.slug}-outcomes.csv") for m in demo.months]
        searches = [_rows(demo.root / "police_uk" / m / f"{m}-{spec.slug}-stop-and-search.csv") for m in demo.months]
        assert all(f[0] == STREET.header for f in street) and all(f[0] == OUTCOMES.header for f in outcomes)
        assert all(f[0] == STOP_AND_SEARCH.header for f in searches)
        n = [len(f) - 1 for f in street]
        assert demo.rows[spec.slug] == {"street": sum(n), "outcomes": sum(len(f) - 1 for f in outcomes),
                                        "stop-and-search": sum(len(f) - 1 for f in searches)}
        assert {r[3] for f in street for r in f[1:]} <= {spec.place.force_name}
        # Counts as configured: the crime model's expectation for this force (its residents'
        # share of England and Wales's volume), plus the planted repeated Crime IDs.
        city = build_city(spec.seed, spec.place)
        model = CrimeModel(city, spec.seed, demo.months, spec.scale)
        for i, observed in enumerate(n):
            lam = model.expected(i)
            expected = lam.sum() + DUPLICATE_ID_SHARE * (lam.sum() - lam[ASB].sum())
            assert abs(observed - expected) <= 5 * np.sqrt(expected) + 2, (spec.slug, i, observed, expected)
        assert model.expected(0).sum() == pytest.approx(spec.street_rows_per_month, rel=0.2)
    big, mid, small = (sum(demo.rows[s.slug].values()) for s in demo.forces)
    assert big > 5 * mid > 5 * small


def test_the_same_seed_gives_the_same_bytes(national, tmp_path):
    def digests(root):
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    again = generate_national(tmp_path / "again", **SMALL)
    assert digests(again.root) == digests(national.demo.root)
    other = generate_national(tmp_path / "other", **{**SMALL, "seed": 12, "forces": 1}, reference=False)
    first = other.files[0]
    assert first.read_bytes() != (national.demo.root / first.relative_to(other.root)).read_bytes()


def test_ingest_loads_every_row_and_the_areas_of_every_force(national):
    report, demo = national.report, national.demo
    assert national.ok and len(report.files) == 18
    for f in report.files:
        assert f.status == "loaded" and f.rows_rejected == 0 and f.rows_read == f.rows_loaded
    totals = demo.totals()
    assert report.totals()["rows_loaded"] == sum(totals.values())
    con = Lake(demo.root.parent / "lake").connect()
    try:
        per_force = dict(con.execute("SELECT force, count(*) FROM crimes GROUP BY 1").fetchall())
        assert per_force == {slug: rows["street"] for slug, rows in demo.rows.items() if rows["street"]}
        assert con.execute("SELECT count(*) FROM rejects").fetchone()[0] == 0
        wards = con.execute("SELECT substr(code, 4, 2), count(*) FROM areas WHERE level = 'ward' GROUP BY 1 "
                            "ORDER BY 1").fetchall()
        boroughs = con.execute("SELECT name FROM areas WHERE level = 'borough' ORDER BY code").fetchall()
        located = con.execute("SELECT count(*) FILTER (WHERE lsoa_code LIKE 'X0101%'), count(*) FILTER "
                              "(WHERE lsoa_code LIKE 'X0102%') FROM crimes WHERE force = 'bramwick'").fetchone()
    finally:
        con.close()
    assert [w[0] for w in wards] == ["01", "02", "03"] and all(n >= 5 for _, n in wards)
    assert [b[0] for b in boroughs][:6] == ["Ashmoor Central", "Ashmoor Heath", "Ashmoor Docks", "Ashmoor upon Mere",
                                            "Ashmoor West", "Bramwick Central"]
    assert located[0] == 0 and located[1] > 0  # a force's crimes lie in its own LSOAs


def test_cli_writes_the_forces_and_leaves_northbridge_alone(tmp_path):
    result = CliRunner().invoke(demo, ["--lake", str(tmp_path / "lake"), "--forces", "2", "--months", "1",
                                       "--scale", "0.02"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "National demo: 2 forces (ashmoor … bramwick), 1 months (2025-12 to 2025-12), seed 2025, scale 0.02"
    assert lines[-1].startswith("These data are SYNTHETIC")
    loaded = next(line for line in lines if line.strip().startswith("loaded")).split()
    assert loaded[-2:] == ["0", "rejected"]
    assert (tmp_path / "national-demo" / "forces.json").exists()
    assert not (tmp_path / "northbridge-demo").exists()
