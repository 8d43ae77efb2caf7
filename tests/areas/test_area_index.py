"""The areas index (one read of the ``areas`` list per lake state) answers as the queries it replaced."""

from __future__ import annotations

from openbeat.analytics import hotspots
from openbeat.areas import lookup
from openbeat.areas.lake_reads import rows
from openbeat.web.lake_access import get_store


def _by_sql_get(code):
    found = rows(f"SELECT {lookup.area_columns_sql()} FROM areas WHERE code = ? "
                 f"ORDER BY {lookup._level_order()} LIMIT 1", [code])
    return lookup.area_from_row(found[0]) if found else None


def _by_sql_children(level, column, code):
    return [lookup.area_from_row(r) for r in rows(
        f"SELECT {lookup.area_columns_sql()} FROM areas WHERE level = ? AND {column} = ? ORDER BY name, code",
        [level, code])]


def test_every_area_and_its_children_are_the_queries_answers(demo_lake):
    codes = [r["code"] for r in rows("SELECT DISTINCT code FROM areas ORDER BY code")]
    index = lookup.area_index(get_store())
    assert len(codes) == len(index["code"]) == 731
    for code in codes:
        assert index["code"][code] == _by_sql_get(code), code
    # an LSOA code repeated as 2011 and 2021 is the 2021 one (the larger level wins)
    both = rows("SELECT code FROM areas GROUP BY code HAVING count(DISTINCT level) > 1 ORDER BY code LIMIT 1")
    assert both and index["code"][both[0]["code"]].level == "lsoa21"
    parents = rows("SELECT code, level FROM areas WHERE level IN ('borough', 'ward', 'msoa21') ORDER BY code")
    assert len(parents) == 187
    for parent in parents:
        level, column = lookup.CHILDREN[parent["level"]]
        expected = _by_sql_children(level, column, parent["code"])
        assert expected, parent
        assert lookup.area_children(area=lookup.area_get(code=parent["code"])) == expected
    ward = index["code"][parents[-1]["code"]]
    assert lookup.area_get(code="X99999999") is None and ward.code == parents[-1]["code"]


def test_a_ward_or_borough_boundary_is_the_areas_file_s(demo_lake):
    store = get_store()
    shapes = hotspots.boundaries(store)
    assert len(shapes) == len(rows("SELECT code FROM areas WHERE level IN ('ward', 'borough')"))
    for (code, level), wkb in shapes.items():
        (row,) = rows("SELECT geometry_bng FROM areas WHERE code = ? AND level = ?", [code, level])
        assert wkb == row["geometry_bng"]
        area = store.area(code)
        assert hotspots._area_geometry(store, area).equals_exact(
            hotspots.shapely.from_wkb(row["geometry_bng"]), 0)
