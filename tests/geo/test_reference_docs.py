"""Every reference dataset and column is documented in docs/data/reference.md."""

from pathlib import Path

from openbeat.geo.neighbourhoods import schema as neighbourhood_wards_schema
from openbeat.geo.overlap import LSOA_LOOKUP_SCHEMA
from openbeat.geo.rollup import CACHE, cache_schema
from openbeat.ingest import census, lookups, pas, postcodes, ward_crime
from openbeat.ingest.boundaries import AREAS_SCHEMA

DOC = Path(__file__).resolve().parents[2] / "docs" / "data" / "reference.md"


def test_every_reference_dataset_and_column_is_documented():
    text = DOC.read_text()
    datasets = {
        "areas": AREAS_SCHEMA, "lsoa_wards": lookups.SCHEMA, "lsoa_lookup": LSOA_LOOKUP_SCHEMA,
        "population": census.POPULATION_SCHEMA, "population_ethnicity": census.ETHNICITY_SCHEMA,
        "population_sex": census.POPULATION_SEX_SCHEMA,
        "pas": pas.SCHEMA, "ward_crime": ward_crime.SCHEMA, "postcodes": postcodes.SCHEMA,
        "neighbourhood_wards": neighbourhood_wards_schema(), CACHE: cache_schema(),
    }
    for name, schema in datasets.items():
        assert f"`{name}`" in text, name
        for col in schema.names:
            assert f"`{col}`" in text, f"{name}.{col} is not in {DOC.name}"
    for view in ("crimes_geo", "outcomes_geo", "stop_searches_geo"):
        assert f"`{view}`" in text
    for status in ("ok", "lsoa11_bestfit", "outside_area", "no_location", "unknown_lsoa"):
        assert f"`{status}`" in text
