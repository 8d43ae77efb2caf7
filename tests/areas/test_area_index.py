"""The areas index (one read of the ``areas`` list per lake state) answers as the queries it replaced."""

from __future__ import annotations


from openbeat.analytics import hotspots
from openbeat.areas import lookup
from openbeat.areas.lake_reads import rows
from openbeat.web.lake_access import get_store
from tests.web.conftest import point_at


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


def test_the_index_answers_as_the_queries_on_real_london_boundaries(real_london, settings):
    # the same questions as above on the real London boundaries (2011 and 2021 LSOAs, MSOAs,
    # boroughs, May 2022 and approximate wards), each asked of the whole file in one query
    lake, _, _ = real_london
    point_at(settings, lake.root)
    try:
        index = lookup.area_index(get_store())
        first = {r["code"]: lookup.area_from_row(r) for r in rows(
            f"SELECT {lookup.area_columns_sql()} FROM areas "
            f"QUALIFY row_number() OVER (PARTITION BY code ORDER BY {lookup._level_order()}) = 1")}
        # 11,548 rows: 4,835 + 4,994 LSOAs (4,659 codes in both years), 1,002 MSOAs, 33 boroughs, 684 wards
        assert len(first) == 6889 and index["code"] == first
        parents = rows("SELECT code, level FROM areas WHERE level IN ('borough', 'ward', 'msoa21')")
        assert len(parents) == 33 + 684 + 1002
        children = {}
        for level, column in {lookup.CHILDREN[p["level"]] for p in parents}:
            for r in rows(f"SELECT {lookup.area_columns_sql()}, {column} AS parent FROM areas "
                          f"WHERE level = ? AND {column} IS NOT NULL ORDER BY name, code", [level]):
                children.setdefault((level, r["parent"]), []).append(lookup.area_from_row(r))
        assert sum(map(len, children.values())) > 10_000  # every LSOA under its MSOA and ward, wards under boroughs
        for parent in parents:
            level, _ = lookup.CHILDREN[parent["level"]]
            expected = children.get((level, parent["code"]), [])
            assert lookup.area_children(area=index["code"][parent["code"]]) == expected, parent
        shapes = hotspots.boundaries(get_store())
        expected = {(r["code"], r["level"]): r["geometry_bng"] for r in rows(
            "SELECT code, level, geometry_bng FROM areas WHERE level IN ('ward', 'borough')")}
        assert len(shapes) == 33 + 684 and shapes == expected
    finally:
        point_at(settings, settings.OPENBEAT_LAKE)
