"""Population denominators: the population of an area at a date, from the best-matching source.

Reads what :mod:`openbeat.ingest.census` loaded (``population``) and the ward lookup
(``lsoa_wards``); says which source, date and geography vintage each figure comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from openbeat.geo.rollup import current_ward_vintage


@dataclass(frozen=True)
class Denominator:
    area_code: str
    level: str
    population: int
    source: str  # e.g. 'census2021_ts007a', 'mid_year_estimate', '… summed over lsoa21 via WD22'
    period: date  # date of the population figure used
    geography_vintage: str | None


def denominators(con: duckdb.DuckDBPyConnection, level: str, period: date | str,
                 codes: list[str] | None = None) -> list[Denominator]:
    """Population for every area of ``level`` at ``period``, from the best-matching source.

    * ``lsoa11``: mid-year estimates on 2011 LSOAs, the year nearest ``period``.
    * ``lsoa21``, ``msoa21``: Census 2021 (the only source on 2021 geography).
    * ``ward``: Census 2021 LSOA populations summed through the current ward lookup.
    * ``borough``: Census 2021, or the sum of the 2011-LSOA mid-year estimates for the
      borough when that estimate's date is nearer to ``period``.

    ``con`` is a lake connection (views ``population``, ``lsoa_wards``).
    """
    if isinstance(period, str):
        period = date.fromisoformat(period if len(period) > 7 else period + "-01")
    views = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "population" not in views:
        return []
    cands = []
    if level == "lsoa11":
        cands.append(("SELECT area_code, population, source, period, geography_vintage FROM population "
                      "WHERE level = 'lsoa11'"))
    elif level in ("lsoa21", "msoa21"):
        cands.append(f"SELECT area_code, population, source, period, geography_vintage FROM population "
                     f"WHERE level = '{level}' AND source = 'census2021_ts007a'")
    elif level == "ward":
        if "lsoa_wards" not in views:
            return []
        vs = [r[0] for r in con.execute("SELECT DISTINCT ward_vintage FROM lsoa_wards").fetchall()]
        wv = current_ward_vintage(vs)
        cands.append(
            "SELECT w.ward_code AS area_code, sum(p.population)::BIGINT AS population, "
            f"'census2021_ts007a summed over lsoa21 via {wv}' AS source, p.period, '2021' AS geography_vintage "
            "FROM population p JOIN lsoa_wards w ON w.lsoa21_code = p.area_code "
            f"WHERE p.level = 'lsoa21' AND p.source = 'census2021_ts007a' AND w.ward_vintage = '{wv}' "
            "GROUP BY w.ward_code, p.period"
        )
    elif level == "borough":
        cands.append("SELECT area_code, population, source, period, geography_vintage FROM population "
                     "WHERE level = 'borough' AND source = 'census2021_ts007a'")
        cands.append("SELECT borough_code AS area_code, sum(population)::BIGINT, "
                      "'mid_year_estimate summed over lsoa11', period, '2011' FROM population "
                      "WHERE level = 'lsoa11' AND source = 'mid_year_estimate' AND borough_code IS NOT NULL "
                      "GROUP BY borough_code, period")
    else:
        cands.append(f"SELECT area_code, population, source, period, geography_vintage FROM population "
                     f"WHERE level = '{level}'")
    union = " UNION ALL ".join(f"({c})" for c in cands)
    where = ""
    params: list = [period]
    if codes is not None:
        where = "WHERE area_code IN (SELECT unnest(?::VARCHAR[]))"
        params.append(list(codes))
    sql = (
        f"SELECT area_code, population, source, period, geography_vintage FROM ({union}) c {where} "
        "QUALIFY row_number() OVER (PARTITION BY area_code ORDER BY abs(date_diff('day', period, ?::DATE)), "
        "source = 'census2021_ts007a' DESC) = 1 ORDER BY area_code"
    )
    # the QUALIFY parameter comes after the optional IN list
    params = params[1:] + [period]
    return [Denominator(r[0], level, int(r[1]), r[2], r[3], r[4]) for r in con.execute(sql, params).fetchall()]


def denominator(con: duckdb.DuckDBPyConnection, area_code: str, level: str,
                period: date | str) -> Denominator | None:
    """The population of one area at ``period`` (see :func:`denominators`), or None."""
    got = denominators(con, level, period, codes=[area_code])
    return got[0] if got else None
