"""WGS84 → British National Grid: the quick Helmert pipeline gives what PROJ's own choice gives."""

from __future__ import annotations

import numpy as np
import pyproj

from openbeat.geo import crs


def _reference(lon, lat):
    tr = pyproj.Transformer.from_crs(crs.WGS84, crs.BNG, always_xy=True)
    return tr.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


def test_pipeline_matches_proj_bit_for_bit_inside_its_box():
    w, s, e, n = crs._HELMERT_BOX
    rng = np.random.default_rng(15)
    lon = np.r_[rng.uniform(w, e, 200_000), w, e, w, e, -1.5, -0.1278]
    lat = np.r_[rng.uniform(s, n, 200_000), s, s, n, n, 53.0, 51.5074]
    assert crs._in_helmert_box(lon, lat)
    x, y = crs.to_bng(lon, lat)
    ref_x, ref_y = _reference(lon, lat)
    assert np.array_equal(x, ref_x) and np.array_equal(y, ref_y)
    # the look-up's own point: E 433653, N 344859 as `openbeat locate 53.0,-1.5` prints
    assert (round(float(x[-2])), round(float(y[-2]))) == (433653, 344859)


def test_points_outside_the_box_go_through_proj_choice():
    # Near the edges of the Helmert's area of use PROJ sometimes picks another operation;
    # anywhere outside the box, and for missing coordinates, the database's choice is used.
    lon = np.array([-9.0, 1.99, -6.69584402, 10.0, np.nan])
    lat = np.array([56.1, 54.8, 49.75049751, 45.0, 52.0])
    for i in range(len(lon)):
        assert not crs._in_helmert_box(lon[i : i + 1], lat[i : i + 1])
        x, y = crs.to_bng(lon[i : i + 1], lat[i : i + 1])
        ref_x, ref_y = _reference(lon[i : i + 1], lat[i : i + 1])
        np.testing.assert_array_equal(x, ref_x)
        np.testing.assert_array_equal(y, ref_y)
    assert crs.to_bng([], [])[0].shape == (0,)
