import json

import numpy as np
import shapely

from openbeat.geo.simplify import feature_collection, simplify_coverage, to_web, web_layer


def _wiggly_pair():
    """Two polygons sharing a wiggly edge of 200 vertices (BNG metres)."""
    ys = np.linspace(0, 1000, 200)
    xs = 500 + 3 * np.sin(ys / 7.0)
    edge = list(zip(xs, ys))
    left = shapely.Polygon([(0, 0), *edge, (0, 1000)])
    right = shapely.Polygon([(1000, 0), (1000, 1000), *edge[::-1]])
    off = np.array([530_000, 180_000])
    return shapely.transform(np.array([left, right], dtype=object), lambda c: c + off)


def test_coverage_simplification_keeps_neighbours_edge_matched():
    pair = _wiggly_pair()
    simple = simplify_coverage(pair, 20.0)
    assert shapely.get_num_coordinates(simple).sum() < shapely.get_num_coordinates(pair).sum() / 5
    # no overlap and no gap: the two areas add up to their union, which is the 1 km square
    union = shapely.union_all(simple)
    assert abs(shapely.area(simple).sum() - union.area) < 1e-6
    assert abs(union.area - 1_000_000) < 1e-6
    assert shapely.coverage_is_valid(simple)


def test_web_layer_meets_its_budget_with_the_least_simplification():
    pair = _wiggly_pair()
    full = len(feature_collection(["L", "R"], ["left", "right"], to_web(pair, 0)).encode())
    layer = web_layer(["L", "R"], ["left", "right"], pair, budget=full // 3)
    assert layer.bytes <= full // 3 and layer.tolerance_m > 0
    fc = json.loads(feature_collection(["L", "R"], ["left", "right"], layer.geometries))
    assert [f["properties"] for f in fc["features"]] == [{"code": "L", "name": "left"},
                                                         {"code": "R", "name": "right"}]
    lon, lat = fc["features"][0]["geometry"]["coordinates"][0][0]
    assert -0.2 < lon < 0 and 51.4 < lat < 51.6  # WGS84, lon first
    assert all(len(str(v).split(".")[1]) <= 5 for v in (lon, lat))
    roomy = web_layer(["L", "R"], ["left", "right"], pair, budget=full)
    assert roomy.tolerance_m == 0 and roomy.bytes == full
