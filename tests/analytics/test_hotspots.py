"""Gi* hotspots from the lake: counts match the raw rows and the planted hotspots are found."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from openbeat.analytics.hotspots import hotspots
from openbeat.geo.crs import to_bng
from openbeat.stats.gistar import GiStar


def cell_of(lon, lat, size=250):
    x, y = to_bng(np.array([lon]), np.array([lat]))
    return f"E{int(x[0] // size * size)}N{int(y[0] // size * size)}"


def test_cells_hold_every_mapped_crime_of_the_area(store, northbridge, planted):
    borough = planted["night_time_economy_hotspot"]["borough_code"]
    r = hotspots(store, borough, "2025-01", "2025-12", crime_type="Violence and sexual offences")
    con = northbridge.connect()
    lsoas = [c for (c,) in con.execute("SELECT lsoa21_code FROM lsoa_wards WHERE lad_code = ?", [borough]).fetchall()]
    raw = con.execute(
        f"SELECT count(*) FROM crimes WHERE crime_type = 'Violence and sexual offences' AND longitude IS NOT NULL "
        f"AND month BETWEEN ? AND ? AND lsoa_code IN ({','.join('?' * len(lsoas))})",
        [date(2025, 1, 1), date(2025, 12, 1), *lsoas]).fetchone()[0]
    assert r.summary["crimes_mapped"] == sum(c["count"] for c in r.tables["cells"]) == raw
    assert len(r.geojson["features"]) == r.summary["cells"]


def test_the_planted_night_time_economy_hotspot_is_the_hottest_cell(store, planted):
    spot = planted["night_time_economy_hotspot"]
    r = hotspots(store, spot["borough_code"], "2025-01", "2025-12", crime_type="Violence and sexual offences")
    top = r.tables["cells"][:9]  # the hottest cell and its neighbours
    assert cell_of(spot["longitude"], spot["latitude"]) in {c["cell_id"] for c in top}
    assert r.summary["hot_95"] + r.summary["hot_99"] >= 1
    # Permutation inference is cautious with skewed counts; the normal approximation is not.
    normal = hotspots(store, spot["borough_code"], "2025-01", "2025-12", crime_type="Violence and sexual offences",
                      permutations=0)
    assert normal.tables["cells"][0]["class"] == "hot 99%"


def test_z_scores_are_gi_star_of_the_cell_counts(store, planted):
    ward = planted["drug_market_hotspot"]["ward_code"]
    r = hotspots(store, ward, "2025-01", "2025-12", crime_type="Drugs", permutations=0)
    features = r.geojson["features"]
    counts = np.array([f["properties"]["count"] for f in features], float)
    # Rebuild queen weights from the cells' own corners: neighbours are cells 250 m apart.
    xy = np.array([[int(c[1:].split("N")[0]), int(c.split("N")[1])] for c in (f["properties"]["cell_id"] for f in features)])
    d = np.abs(xy[:, None, :] - xy[None, :, :]).max(axis=2)
    from scipy import sparse
    w = sparse.csr_matrix(((d == 250) & (d > 0)).astype(float))
    expected = GiStar(counts, w, permutations=0).Zs
    got = np.array([f["properties"]["gi_z"] for f in features], float)
    np.testing.assert_allclose(got, np.round(expected, 4), atol=1e-9)


def test_geojson_is_wgs84_near_the_city_and_lsoa_mode_uses_polygons(store, planted):
    r = hotspots(store, planted["drug_market_hotspot"]["borough_code"], by="lsoa")
    ring = r.geojson["features"][0]["geometry"]["coordinates"]
    flat = np.array(ring[0] if r.geojson["features"][0]["geometry"]["type"] == "Polygon" else ring[0][0])
    assert 53 < flat[:, 1].mean() < 55 and -5 < flat[:, 0].mean() < -3
    assert r.summary["unit"] == "LSOAs (2021)"


def test_bad_requests(store):
    with pytest.raises(ValueError, match="unknown crime type 'Arson'"):
        hotspots(store, "northbridge", crime_type="Arson")
    with pytest.raises(ValueError, match="by must be"):
        hotspots(store, "northbridge", by="hexagon")


def test_maps_from_the_points_aggregate_are_the_maps_from_the_partitions(store, northbridge, monkeypatch):
    # a ward's or borough's map reads crime_points (sorted by area, kept on disk only); the
    # same map, byte for byte, as from its forces' partitions of the period
    import json

    from openbeat.analytics.store import Store

    assert store.has("crime_points")
    assert "VIEW" in store.cursor().execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = 'crime_points'").fetchone()[0]
    codes = [a.code for a in store.areas("borough")] + [a.code for a in store.areas("ward")][:6]
    assert len(codes) == 11
    with_points = {c: hotspots(store, c, "2025-01", "2025-12").as_dict(geojson=True) for c in codes}
    plain = Store(northbridge)
    real_has = Store.has
    monkeypatch.setattr(Store, "has", lambda self, r: r != "crime_points" and real_has(self, r))
    for code in codes:
        without = hotspots(plain, code, "2025-01", "2025-12").as_dict(geojson=True)
        assert json.dumps(without, sort_keys=True, default=str) == json.dumps(with_points[code], sort_keys=True,
                                                                              default=str), code
    assert sum(m["summary"]["crimes_mapped"] for m in with_points.values()) > 1000
