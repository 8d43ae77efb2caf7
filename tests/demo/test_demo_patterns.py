"""The patterns planted in the demo (openbeat/demo/README.md) are there and detectable."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from scipy.stats import binomtest
from statsmodels.stats import rates

from openbeat.demo import vocab


@pytest.fixture(scope="module")
def con(demo_lake, demo_city):
    """The lake, plus a view mapping every LSOA code (either vintage) to ward and borough."""
    con = demo_lake.connect()
    lookup = demo_city.root / "lookups" / "LSOA_(2021)_to_Ward_(2022)_to_LAD_(2022)_Lookup.csv"
    truth = demo_city.root / "truth" / "LSOA11_to_LSOA21_truth.csv"
    con.execute(f"""CREATE TABLE lsoa_ward AS
        SELECT LSOA21CD AS lsoa, WD22CD AS ward, WD22NM AS ward_name, LAD22NM AS borough
        FROM read_csv('{lookup}')""")
    # 2011 codes reach 2021 LSOAs through the true relation (split parents and merged
    # halves stay inside one ward by construction).
    con.execute(f"""INSERT INTO lsoa_ward SELECT DISTINCT ON (t.LSOA11CD) t.LSOA11CD, w.ward, w.ward_name, w.borough
        FROM read_csv('{truth}') t JOIN lsoa_ward w ON w.lsoa = t.LSOA21CD
        WHERE t.LSOA11CD NOT IN (SELECT lsoa FROM lsoa_ward)""")
    con.execute("CREATE VIEW placed AS SELECT c.*, w.ward, w.ward_name, w.borough FROM crimes c "
                "JOIN lsoa_ward w ON w.lsoa = c.lsoa_code")
    return con


@pytest.fixture(scope="module")
def planted(demo_city):
    return json.loads((demo_city.root / "truth" / "planted.json").read_text())


def _one(con, sql, params=()):
    return con.execute(sql, list(params)).fetchone()


def test_crime_type_proportions_are_realistic(con):
    shares = dict(con.execute("SELECT crime_type, count(*) / sum(count(*)) OVER () FROM crimes GROUP BY 1").fetchall())
    ranked = sorted(shares, key=shares.get, reverse=True)
    assert ranked[:2] == ["Violence and sexual offences", "Anti-social behaviour"]
    for name, planned in vocab.CRIME_TYPES:
        assert 0.8 * planned < shares[name] < 1.25 * planned, name
    assert ranked[-1] == "Possession of weapons"


def test_seasonality_summer_asb_and_winter_burglary(con):
    by = dict(((t, m.strftime("%Y-%m")), n) for t, m, n in con.execute(
        "SELECT crime_type, month, count(*) FROM crimes GROUP BY ALL").fetchall())
    assert by[("Anti-social behaviour", "2025-07")] / by[("Anti-social behaviour", "2025-01")] > 1.35
    assert by[("Burglary", "2024-12")] / by[("Burglary", "2025-06")] > 1.15
    assert by[("Violence and sexual offences", "2025-07")] / by[("Violence and sexual offences", "2025-01")] > 1.1


def test_half_the_crime_is_in_about_five_percent_of_places(con):
    counts = np.array([n for (n,) in con.execute(
        "SELECT count(*) FROM crimes WHERE lsoa_code NOT LIKE 'X018%' AND longitude IS NOT NULL "
        "GROUP BY longitude, latitude ORDER BY 1 DESC").fetchall()])
    top = counts[: round(0.05 * len(counts))].sum() / counts.sum()
    assert 0.40 < top < 0.60, top


def test_burglary_falls_about_forty_percent_after_the_priority(con, planted):
    p = planted["burglary_priority"]
    assert p["ward_name"] == "Larkrise" and p["adopted"] == "2025-08"
    sql = """SELECT count(*) FILTER (WHERE month < DATE '2025-08-01'),
                    count(*) FILTER (WHERE month >= DATE '2025-08-01')
             FROM placed WHERE crime_type = 'Burglary' AND ward {} ?"""
    before, after = _one(con, sql.format("="), [p["ward_code"]])
    rest_before, rest_after = _one(con, sql.format("<>"), [p["ward_code"]])
    # Against the rest of the force (same seasons): is the ward's share after the change smaller?
    test = binomtest(after, before + after, rest_after / (rest_before + rest_after), alternative="less")
    assert test.pvalue < 1e-3
    ratio = (after / before) / (rest_after / rest_before)
    assert 0.45 < ratio < 0.8, ratio  # planted: 0.6
    # The E-test on the ward's monthly rates (Krishnamoorthy & Thomson 2004) agrees.
    e = rates.test_poisson_2indep(after, 5, before, 9, method="etest", alternative="smaller")
    assert e.pvalue < 0.01


def test_the_asb_priority_changed_nothing(con, planted):
    p = planted["asb_priority_without_effect"]
    sql = """SELECT count(*) FILTER (WHERE month < DATE '2025-08-01'),
                    count(*) FILTER (WHERE month >= DATE '2025-08-01')
             FROM placed WHERE crime_type = 'Anti-social behaviour' AND ward {} ?"""
    before, after = _one(con, sql.format("="), [p["ward_code"]])
    rest_before, rest_after = _one(con, sql.format("<>"), [p["ward_code"]])
    ratio = (after / before) / (rest_after / rest_before)
    assert 0.85 < ratio < 1.15, ratio
    assert binomtest(after, before + after, rest_after / (rest_before + rest_after)).pvalue > 0.01


def test_vehicle_crime_rises_in_northbridge_west_only(con, planted):
    assert planted["vehicle_crime_rise"]["borough_name"] == "Northbridge West"
    rows = con.execute("""SELECT borough = 'Northbridge West',
                                 count(*) FILTER (WHERE month <= DATE '2025-03-01'),
                                 count(*) FILTER (WHERE month >= DATE '2025-08-01')
                          FROM placed WHERE crime_type = 'Vehicle crime' GROUP BY 1 ORDER BY 1""").fetchall()
    (_, rest_early, rest_late), (_, west_early, west_late) = rows
    assert 0.85 < rest_late / rest_early < 1.15
    assert west_late / west_early > 1.3  # planted: +70% over the window, about +44% here


def test_violence_concentrates_in_the_night_time_economy_ward(con, planted):
    rows = con.execute("""SELECT ward_name, count(*) FROM placed WHERE crime_type = 'Violence and sexual offences'
                          GROUP BY 1 ORDER BY 2 DESC""").fetchall()
    assert rows[0][0] == planted["night_time_economy_hotspot"]["ward_name"] == "Castlegate"
    assert rows[0][1] > 5 * np.median([n for _, n in rows])


def _census(city):
    """Residents per borough code: (Black, White) from the census ethnicity file."""
    with open(city.root / "population" / "Census_2021_ethnicity.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for r in rows:
        black, white = out.setdefault(r["Upper tier local authorities Code"], [0, 0])
        code, n = r["Ethnic group (8 categories) Code"], int(r["Observation"])
        out[r["Upper tier local authorities Code"]] = [black + n * (code == "2"),
                                                       white + n * (code in ("4", "5", "6"))]
    return out


def test_black_residents_are_searched_at_several_times_the_white_rate(con, demo_city, planted):
    census = _census(demo_city)
    black_pop, white_pop = (sum(v[i] for v in census.values()) for i in (0, 1))
    a, b = _one(con, """SELECT count(*) FILTER (WHERE self_defined_ethnicity LIKE 'Black/%'),
                               count(*) FILTER (WHERE self_defined_ethnicity LIKE 'White - %')
                        FROM stop_searches""")
    rr = (a / black_pop) / (b / white_pop)
    # Katz log interval, as DESIGN.md prescribes for the disproportionality ratio.
    se = math.sqrt(1 / a - 1 / black_pop + 1 / b - 1 / white_pop)
    low, high = rr * math.exp(-1.96 * se), rr * math.exp(1.96 * se)
    expected = planted["stop_search"]["black_white_ratio_force_wide_expected"]
    assert 3.0 < expected < 4.5
    assert low < expected < high, (rr, low, high, expected)


def test_within_boroughs_the_planted_ratio_is_recovered(con, demo_city, planted):
    """Searches placed in boroughs by point-in-polygon; Mantel-Haenszel pooled rate ratio
    (Rothman, Greenland & Lash, Modern Epidemiology, ch. 15) over the boroughs."""
    import geopandas as gpd

    boroughs = gpd.read_file(demo_city.root / "boundaries" / "boroughs.gpkg")
    assert boroughs.crs.to_epsg() == 27700
    rows = con.execute("""SELECT longitude, latitude, coalesce(self_defined_ethnicity LIKE 'Black/%', false),
                                 coalesce(self_defined_ethnicity LIKE 'White - %', false)
                          FROM stop_searches WHERE longitude IS NOT NULL""").fetchall()
    lon, lat, black, white = (np.array(c) for c in zip(*rows))
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326).to_crs(27700)
    joined = gpd.sjoin(pts, boroughs, predicate="within", how="left")
    assert joined["LAD22CD"].notna().all()
    census = _census(demo_city)
    num = den = 0.0
    for code, (nb, nw) in census.items():
        sel = (joined["LAD22CD"] == code).to_numpy()
        a, b = black[sel].sum(), white[sel].sum()
        num += a * nw / (nb + nw)
        den += b * nb / (nb + nw)
    planted_ratio = planted["stop_search"]["rate_ratio_vs_white_within_boroughs"]["Black"]
    assert planted_ratio == 3.6
    assert 3.2 < num / den < 4.0, num / den


def test_find_rates_are_plausible_and_lower_for_black_people_searched(con):
    overall, black, white = _one(con, """SELECT avg(outcome_linked_to_object_of_search::INT),
        avg(outcome_linked_to_object_of_search::INT) FILTER (WHERE officer_defined_ethnicity = 'Black'),
        avg(outcome_linked_to_object_of_search::INT) FILTER (WHERE officer_defined_ethnicity = 'White')
        FROM stop_searches""")
    assert 0.18 < overall < 0.32
    assert black < white
    (nulls,) = _one(con, "SELECT count(*) FROM stop_searches WHERE outcome_linked_to_object_of_search IS NULL")
    assert nulls == 0  # filled with True/False, as the City of London does


def test_summer_time_searches_after_local_midnight_are_dated_the_previous_month(con, demo_lake):
    rows = dict(con.execute("""SELECT strftime(month, '%Y-%m'), count(*) FILTER (WHERE date < month)
                               FROM stop_searches GROUP BY 1""").fetchall())
    bst = ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10"]
    assert sum(rows[m] for m in bst) >= 3
    assert all(rows[m] == 0 for m in rows if m not in bst)
    # … and the ingest, reading them in Europe/London time, finds every row in its month.
    (mismatches,) = _one(con, "SELECT sum(month_mismatches) FROM manifest WHERE dataset = 'stop_searches'")
    assert mismatches == 0


def test_self_defined_ethnicity_uses_the_eighteen_census_strings_plus_not_stated(con):
    seen = {r[0] for r in con.execute("SELECT DISTINCT self_defined_ethnicity FROM stop_searches").fetchall()}
    expected = {s for group in vocab.SELF_DEFINED for s, _ in group} | {vocab.NOT_STATED, None}
    assert seen == expected and len(expected) == 18 + 1 + 1
    officer = {r[0] for r in con.execute("SELECT DISTINCT officer_defined_ethnicity FROM stop_searches").fetchall()}
    assert officer == {"White", "Black", "Asian", "Other", None}


def test_drug_offences_concentrate_in_the_drug_market_ward(con, planted):
    rows = con.execute("""SELECT ward_name, count(*) FROM placed WHERE crime_type = 'Drugs'
                          GROUP BY 1 ORDER BY 2 DESC LIMIT 1""").fetchall()
    assert rows[0][0] == planted["drug_market_hotspot"]["ward_name"] == "Old Quay"
