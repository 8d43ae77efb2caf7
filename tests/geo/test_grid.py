"""Binning BNG points to a regular grid, its weights and polygons."""

import numpy as np
import pytest

from openbeat.geo.grid import Grid, bng_to_wgs84, wgs84_to_bng


def test_bins_on_multiples_of_the_cell_size_and_keeps_empty_cells():
    g = Grid.from_points([530010, 530260, 530270, np.nan], [180010, 180010, 180300, 180000])
    assert (g.x0, g.y0, g.nrows, g.ncols, g.dropped) == (530000.0, 180000.0, 2, 2, 1)
    assert g.counts.tolist() == [1, 1, 0, 1]
    assert g.cell_ids.tolist() == ["E530000N180000", "E530250N180000",
                                   "E530000N180250", "E530250N180250"]


def test_extent_and_cell_size_and_weights_per_point():
    g = Grid.from_points([100, 150, 1999], [100, 120, 10], cell_size=500,
                         extent=(0, 0, 2000, 999), weights=[2.0, 3.0, 10.0])
    assert g.shape == (2, 5)
    assert g.counts.tolist() == [5.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="outside the extent"):
        Grid.from_points([5000], [10], cell_size=500, extent=(0, 0, 2000, 999))


def test_queen_and_rook_neighbours_on_a_3x3_grid():
    g = Grid(0.0, 0.0, 250.0, 3, 3, np.zeros(9))
    q, r = g.weights("queen"), g.weights("rook")
    assert sorted(q[4].indices.tolist()) == [0, 1, 2, 3, 5, 6, 7, 8]
    assert sorted(q[0].indices.tolist()) == [1, 3, 4]
    assert sorted(r[4].indices.tolist()) == [1, 3, 5, 7]
    assert (q != q.T).nnz == 0 and q.diagonal().sum() == 0


def test_keep_restricts_weights_and_polygons():
    g = Grid(0.0, 0.0, 250.0, 2, 2, np.zeros(4))
    keep = [True, True, False, True]
    w = g.weights(keep=keep).toarray().astype(int).tolist()
    assert w == [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    assert g.polygons(keep=keep)[2] == [[250.0, 250.0], [500.0, 250.0], [500.0, 500.0],
                                        [250.0, 500.0], [250.0, 250.0]]


def test_polygons_to_wgs84_round_trip():
    # Nelson's Column (51.50775 N, 0.12806 W) stands in OS grid square TQ 30 80.
    to_ll, to_bng = bng_to_wgs84(), wgs84_to_bng()
    x, y = to_bng(-0.12806, 51.50775)
    assert 530000 < x < 530100 and 180400 < y < 180500
    g = Grid(530000.0, 180250.0, 250.0, 1, 1, np.array([3]))
    ring = g.polygons(to_ll)[0]
    x, y = to_bng([p[0] for p in ring], [p[1] for p in ring])
    # Rings are rounded to 6 decimal places of a degree: 0.11 m of latitude.
    np.testing.assert_allclose(x, [530000, 530250, 530250, 530000, 530000], atol=0.12)
    np.testing.assert_allclose(y, [180250, 180250, 180500, 180500, 180250], atol=0.12)
