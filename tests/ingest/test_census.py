from datetime import date

import pytest

from openbeat.analytics.population import denominator, denominators
from openbeat.geo.refdata import read_reference
from openbeat.ingest.census import load_census_file

TS007A = ("date,geography,geography code,Age: Total,Age: Aged 4 years and under\n"
          "2021,City of London 001A,E01000001,1473,52\n"
          "2021,City of London 001B,E01000002,1384,40\n"
          "2021,City of London,E09000001,8583,100\n")
MID = ("LSOA11CD,LSOA11NM,MSOA11CD,MSOA11NM,LAD11CD,LAD11NM,Persons_All-Ages,Persons_0-15\n"
       "E01000001,City of London 001A,E02000001,City of London 001,E09000001,City of London,{a},1\n"
       "E01000003,City of London 001C,E02000001,City of London 001,E09000001,City of London,{b},1\n")
ETH = ("Upper tier local authorities Code,Upper tier local authorities,Ethnic group (8 categories) Code,"
       "Ethnic group,Observation\n"
       "E09000033,Westminster,-8,Does not apply,0\nE09000033,Westminster,1,Asian,34242\n"
       "E09000033,Westminster,4,White British,57162\nE09000033,Westminster,5,White Other,3742\n"
       "E09000033,Westminster,6,White Other,51828\n")
LOOKUP = ("\ufeffLSOA21CD,LSOA21NM,LSOA21NMW,WD22CD,WD22NM,WD22NMW,LAD22CD,LAD22NM,LAD22NMW,ObjectId\n"
          "E01000001,a,,E05009308,W,,E09000001,City of London,,1\n"
          "E01000002,b,,E05009308,W,,E09000001,City of London,,2\n")


@pytest.fixture
def pop_lake(tmp_path, lake):
    files = {"census2021-ts007a-lsoa.csv": TS007A, "london-mid2019-pop.csv": MID.format(a=1600, b=1400),
             "london-mid2020-pop.csv": MID.format(a=1700, b=1500), "Census_2021_ethnicity.csv": ETH,
             "lookup.csv": LOOKUP}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for name in files:
        if name != "lookup.csv":
            load_census_file(lake, tmp_path / name)
    from openbeat.ingest.lookups import load_lsoa_ward_lookup

    load_lsoa_ward_lookup(lake, tmp_path / "lookup.csv")
    return lake


def test_ts007a_levels_from_codes_and_mid_year_from_file_name(pop_lake):
    t = read_reference(pop_lake, "population")
    got = sorted((r["source"], r["level"], r["area_code"], str(r["period"]), r["population"]) for r in t.to_pylist())
    assert got == [
        ("census2021_ts007a", "borough", "E09000001", "2021-03-21", 8583),
        ("census2021_ts007a", "lsoa21", "E01000001", "2021-03-21", 1473),
        ("census2021_ts007a", "lsoa21", "E01000002", "2021-03-21", 1384),
        ("mid_year_estimate", "lsoa11", "E01000001", "2019-06-30", 1600),
        ("mid_year_estimate", "lsoa11", "E01000001", "2020-06-30", 1700),
        ("mid_year_estimate", "lsoa11", "E01000003", "2019-06-30", 1400),
        ("mid_year_estimate", "lsoa11", "E01000003", "2020-06-30", 1500),
    ]


def test_ethnicity_codes_5_and_6_get_their_own_labels(pop_lake):
    t = read_reference(pop_lake, "population_ethnicity")
    got = [(r["ethnic_group_code"], r["ethnic_group"], r["broad_group"], r["label_as_published"], r["population"])
           for r in t.to_pylist()]
    assert got == [
        (-8, "Does not apply", None, "Does not apply", 0),
        (1, "Asian, Asian British or Asian Welsh", "Asian", "Asian", 34242),
        (4, "White: English, Welsh, Scottish, Northern Irish or British", "White", "White British", 57162),
        (5, "White: Irish", "White", "White Other", 3742),
        (6, "White: Gypsy or Irish Traveller, Roma or Other White", "White", "White Other", 51828),
    ]


def test_denominator_picks_the_matching_vintage_and_nearest_date(pop_lake):
    con = pop_lake.connect()
    d = denominator(con, "E01000001", "lsoa11", "2019-11")
    assert (d.population, d.source, d.period, d.geography_vintage) == (1600, "mid_year_estimate",
                                                                       date(2019, 6, 30), "2011")
    assert denominator(con, "E01000001", "lsoa11", date(2024, 1, 1)).period == date(2020, 6, 30)
    d = denominator(con, "E01000001", "lsoa21", "2019-01")  # only the census is on 2021 LSOAs
    assert (d.population, d.source, d.period) == (1473, "census2021_ts007a", date(2021, 3, 21))
    # a borough in 2019: the 2011-LSOA mid-year sum is nearer than the census
    d = denominator(con, "E09000001", "borough", "2019-07")
    assert (d.population, d.source, d.period) == (3000, "mid_year_estimate summed over lsoa11", date(2019, 6, 30))
    assert denominator(con, "E09000001", "borough", "2022-01").population == 8583
    d = denominator(con, "E05009308", "ward", "2023-01")
    assert (d.population, d.source) == (1473 + 1384, "census2021_ts007a summed over lsoa21 via WD22")
    assert denominator(con, "E01999999", "lsoa21", "2022-01") is None
    assert [x.area_code for x in denominators(con, "lsoa21", "2022-01")] == ["E01000001", "E01000002"]
