import pytest
import shapely

from openbeat.geo.dissolve import dissolve
from openbeat.geo.overlap import bestfit_lsoa_lookup, overlap_shares


def test_bestfit_shares_are_area_fractions_and_slivers_are_dropped():
    old = [shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)]
    new = [shapely.box(0, 0, 60, 100), shapely.box(60, 0, 199.5, 100), shapely.box(199.5, 0, 300, 100)]
    t = bestfit_lsoa_lookup(["O1", "O2"], old, ["N1", "N2", "N3"], new)
    rows = [(r["lsoa11_code"], r["lsoa21_code"], round(r["share"], 4), r["is_best"]) for r in t.to_pylist()]
    # O2 overlaps N3 by 0.5 %: below the 1 % sliver threshold
    assert rows == [("O1", "N1", 0.6, True), ("O1", "N2", 0.4, False), ("O2", "N2", 0.995, True)]
    assert t["method"].to_pylist() == ["area_overlap"] * 3


def test_overlap_shares_of_target_and_no_overlap():
    t = overlap_shares(["S"], [shapely.box(0, 0, 10, 10)], ["T", "far"],
                       [shapely.box(5, 0, 25, 10), shapely.box(100, 100, 101, 101)])
    assert t.to_pylist() == [{"source_code": "S", "target_code": "T", "overlap_m2": 50.0,
                              "share_of_source": 0.5, "share_of_target": 0.25, "is_best": True}]


def test_dissolve_unions_members_per_parent():
    codes, geoms = dissolve([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(5, 5, 6, 6)],
                            ["W1", "W1", None])
    assert codes == ["W1"]
    assert geoms[0].equals(shapely.box(0, 0, 2, 1))
    assert geoms[0].area == pytest.approx(2.0)
