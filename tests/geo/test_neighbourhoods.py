import pyarrow as pa
import shapely

from openbeat.geo.crs import BNG, WGS84, transform_geoms
from openbeat.geo.neighbourhoods import link_lake_neighbourhoods, link_neighbourhoods_to_wards
from openbeat.ingest.reference import load_reference
from tests.geo.toycity import square


def test_link_shares_both_ways():
    t = link_neighbourhoods_to_wards(["N1", "N2"], [shapely.box(0, 0, 10, 10), shapely.box(50, 50, 60, 60)],
                                     ["W1", "W2"], [shapely.box(0, 0, 5, 10), shapely.box(5, 0, 40, 10)],
                                     force="toy")
    assert t.to_pylist() == [
        {"force": "toy", "neighbourhood_id": "N1", "ward_code": "W1", "overlap_m2": 50.0,
         "share_of_neighbourhood": 0.5, "share_of_ward": 1.0, "is_best": True},
        {"force": "toy", "neighbourhood_id": "N1", "ward_code": "W2", "overlap_m2": 50.0,
         "share_of_neighbourhood": 0.5, "share_of_ward": 50 / 350, "is_best": False},
    ]


def test_lake_neighbourhoods_are_linked_on_areas_load(toy_city, lake):
    # the shape the neighbourhoods fetcher stores: WKB in WGS84 and in EPSG:27700
    south = square(0, 0, 2, 0.9)  # 90 % of it in the south ward's 2 km², none in the north ward
    whole = square(0, 0, 2, 2)
    wgs = transform_geoms([south, whole], BNG, WGS84)
    lake.write_reference("neighbourhood_boundaries", pa.table({
        "force": ["toy", "toy"], "neighbourhood_id": ["S", "ALL"],
        "geometry": shapely.to_wkb(wgs).tolist(), "geometry_27700": shapely.to_wkb([south, whole]).tolist()}))
    report = load_reference(list(toy_city.values()), lake=lake)
    assert report.neighbourhood_links == 3
    t = link_lake_neighbourhoods(lake)
    got = sorted((r["neighbourhood_id"], r["ward_code"], round(r["share_of_neighbourhood"], 3),
                  round(r["share_of_ward"], 3), r["is_best"]) for r in t.to_pylist())
    assert got == [("ALL", "X05000001", 0.5, 1.0, True), ("ALL", "X05000002", 0.5, 1.0, False),
                   ("S", "X05000001", 1.0, 0.9, True)]
