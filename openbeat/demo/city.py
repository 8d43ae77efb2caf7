"""Generate the demo city's files and ingest them: :func:`generate` and :func:`build`."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import date
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from openbeat.demo import vocab
from openbeat.demo.crimes import (
    ASB_WARD_LEVEL, BURGLARY_PRIORITY_EFFECT, BURGLARY_WARD_LEVEL, FORCE_TRENDS, VEHICLE_GROWTH,
    CrimeModel, CrimeWriter, change_month,
)
from openbeat.demo.geography import City, build_city, to_wgs84
from openbeat.demo.policeuk_responses import write_api
from openbeat.demo.reference import (
    EXAMPLE_POSTCODE, write_boundaries, write_lookup, write_pas, write_population, write_postcodes,
    write_text, write_truth_lookup,
)
from openbeat.demo.stopsearch import DECLINE, SearchWriter
from openbeat.ingest import FileReport, IngestReport, ingest_paths
from openbeat.lake import Lake, month_range

DEFAULT_SEED = 2025
DEFAULT_END = "2025-12"
DEFAULT_MONTHS = 36
#: ``scale`` giving a Metropolitan-Police-sized lake: about 90,000 street rows a month,
#: over 2.5 million crimes (not counting anti-social behaviour) in 36 months.
MET_SCALE = 9.5


@dataclass
class DemoCity:
    """What :func:`generate` wrote, and what it planted."""

    root: Path
    seed: int
    scale: float
    months: list[str]
    street: list[Path]
    outcomes: list[Path]
    stop_and_search: list[Path]
    rows: dict[str, int]  # rows written per police.uk file kind
    crime_types: dict[str, int]  # street rows per crime type
    planted: dict
    reference: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def police_files(self) -> list[Path]:
        return [*self.street, *self.outcomes, *self.stop_and_search]


@dataclass
class DemoBuild:
    city: DemoCity
    report: IngestReport
    seconds: float = 0.0
    reference: object | None = None  # openbeat.ingest.reference.LoadReport
    neighbourhoods: object | None = None  # openbeat.ingest.neighbourhoods.NeighbourhoodReport

    @property
    def ok(self) -> bool:
        return (self.report.ok and (self.reference is None or not self.reference.failed)
                and (self.neighbourhoods is None or not self.neighbourhoods.failed))


def generate(out_dir: str | Path, *, seed: int = DEFAULT_SEED, months: int = DEFAULT_MONTHS,
             end: str = DEFAULT_END, scale: float = 1.0, reference: bool = True,
             on_month: Callable[[str], None] | None = None, today: date | None = None) -> DemoCity:
    """Write the synthetic force ``northbridge`` in police.uk's formats under ``out_dir``.

    ``<out>/police_uk/YYYY-MM/YYYY-MM-northbridge-{street,outcomes,stop-and-search}.csv``
    for ``months`` months ending with ``end``, and (``reference=True``) the boundaries,
    lookups, population, trust survey, postcodes and police.uk API responses a later
    loader reads, plus ``SYNTHETIC.txt`` and ``truth/`` (what was planted). The same
    arguments always give byte-identical files. The neighbourhood teams' events and their
    everyday priorities are dated around ``today`` (default: the day it runs), so a newcomer
    sees a living neighbourhood whatever the data's months. ``scale`` multiplies crime and search
    volumes (not the city): ``MET_SCALE`` gives a Met-sized force.

    >>> city = generate("demo", months=12)  # doctest: +SKIP
    >>> city.rows["street"]  # doctest: +SKIP
    """
    started = time.perf_counter()
    window = _window(months, end)
    if not scale > 0:
        raise ValueError(f"scale must be positive, not {scale!r}")
    root = Path(out_dir)
    police = root / "police_uk"
    police.mkdir(parents=True, exist_ok=True)
    write_text(root / "SYNTHETIC.txt", _synthetic_note(seed, window, scale))
    _remove_stale(police, window)

    city = build_city(seed)
    model = CrimeModel(city, seed, window, scale)
    crimes = CrimeWriter(city, model, police)
    searches = SearchWriter(city, seed, window, scale, police)
    street, outcomes, stops = [], [], []
    for i, month in enumerate(window):
        s, o = crimes.write_month(i)
        street.append(s)
        outcomes.append(o)
        stops.append(searches.write_month(i))
        if on_month:
            on_month(month)

    planted = _planted(city, searches, window, scale, seed)
    refs: dict[str, Path] = {}
    if reference:
        refs = _write_reference(city, model, root, window, planted, seed, today or date.today())
    stats = crimes.stats
    return DemoCity(
        root=root, seed=seed, scale=scale, months=window, street=street, outcomes=outcomes,
        stop_and_search=stops,
        rows={"street": stats.street_rows, "outcomes": stats.outcome_rows, "stop-and-search": searches.rows},
        crime_types=dict(sorted(stats.by_type.items(), key=lambda kv: -kv[1])),
        planted=planted, reference=refs, seconds=time.perf_counter() - started,
    )


def build(lake: Lake, out_dir: str | Path, *, seed: int = DEFAULT_SEED, months: int = DEFAULT_MONTHS,
          end: str = DEFAULT_END, scale: float = 1.0,
          on_month: Callable[[str], None] | None = None,
          on_file: Callable[[FileReport], None] | None = None, today: date | None = None) -> DemoBuild:
    """:func:`generate` the demo city, then ingest its police.uk files into ``lake``.

    The files go through :func:`openbeat.ingest.ingest_paths`, the same pipeline as
    real data; files already in the lake unchanged are skipped. ``on_month`` is called
    after each month is written, ``on_file`` after each file is ingested.
    """
    started = time.perf_counter()
    city = generate(out_dir, seed=seed, months=months, end=end, scale=scale, on_month=on_month, today=today)
    report = ingest_paths(city.police_files, lake=lake, on_file=on_file)
    # The same loaders as real data: areas, lookups, population, trust survey, postcodes,
    # then the neighbourhood teams from the API-shaped files (offline, via file://).
    from openbeat.ingest.neighbourhoods import fetch_neighbourhoods
    from openbeat.ingest.reference import load_reference

    out = Path(out_dir)
    reference = load_reference(
        [out / name for name in ("boundaries", "lookups", "population", "mopac_pas", "postcodes",
                                         "london_datastore")], lake=lake)
    teams = fetch_neighbourhoods(lake, force=vocab.FORCE, base_url=(out / "police_uk_api").resolve().as_uri())
    return DemoBuild(city, report, time.perf_counter() - started, reference, teams)


@dataclass
class LakeSummary:
    force: str
    rows: dict[str, int]  # per dataset
    months: list[str]
    top_crime_types: list[tuple[str, int]]
    rejected: int
    asb: int


def lake_summary(lake: Lake, force: str = vocab.FORCE, top: int = 5) -> LakeSummary:
    """Rows per dataset, months, top crime types and rejects of one force in the lake."""
    con = lake.connect()
    try:
        rows = {}
        for dataset in ("crimes", "outcomes", "stop_searches"):
            rows[dataset] = con.execute(f"SELECT count(*) FROM {dataset} WHERE force = ?", [force]).fetchone()[0]
        months = [r[0].strftime("%Y-%m") for r in con.execute(
            "SELECT DISTINCT month FROM crimes WHERE force = ? ORDER BY 1", [force]).fetchall()]
        types = con.execute(
            "SELECT crime_type, count(*) FROM crimes WHERE force = ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
            [force, top]).fetchall()
        rejected = con.execute("SELECT count(*) FROM rejects WHERE force = ?", [force]).fetchone()[0]
        asb = con.execute("SELECT count(*) FROM crimes WHERE force = ? AND crime_type = 'Anti-social behaviour'",
                          [force]).fetchone()[0]
    finally:
        con.close()
    return LakeSummary(force, rows, months, [(t, n) for t, n in types], rejected, asb)


# ---- helpers ------------------------------------------------------------------------


def _window(months: int, end: str) -> list[str]:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", end or ""):
        raise ValueError(f"end must be a month YYYY-MM, not {end!r}")
    if not 1 <= months <= 120:
        raise ValueError(f"months must be between 1 and 120, not {months!r}")
    y, m = int(end[:4]), int(end[5:7])
    n = y * 12 + m - 1 - (months - 1)
    return month_range(f"{n // 12:04d}-{n % 12 + 1:02d}", end)


def _remove_stale(police: Path, window: list[str]) -> None:
    """Remove demo files of months outside the window (from an earlier, longer run)."""
    for f in police.glob(f"*/*-{vocab.FORCE}-*.csv"):
        if f.parent.name not in window:
            f.unlink()
            if not any(f.parent.iterdir()):
                f.parent.rmdir()


def _planted(city: City, searches: SearchWriter, window: list[str], scale: float, seed: int) -> dict:
    """The patterns planted in the data, for the README, tests and analytics checks."""
    W, B, roles = city.wards, city.boroughs, city.roles

    def ward(key):
        w = roles[key]
        return {"ward_code": W.code[w], "ward_name": W.name[w], "neighbourhood_id": str(W.extra["nbhd"][w]),
                "borough_code": B.code[W.borough[w]], "borough_name": B.name[W.borough[w]]}

    hx, hy = city.hotspots["nte"]
    lon, lat = to_wgs84([hx], [hy])
    change = window[change_month(len(window))] if len(window) > 1 else window[0]
    return {
        "seed": seed, "scale": scale, "first_month": window[0], "last_month": window[-1],
        "burglary_priority": {**ward("burglary_ward"), "adopted": change,
                              "level_before": BURGLARY_WARD_LEVEL, "kept_after": BURGLARY_PRIORITY_EFFECT},
        "asb_priority_without_effect": {**ward("asb_ward"), "adopted": change, "level": ASB_WARD_LEVEL},
        "night_time_economy_hotspot": {**ward("nte_ward"), "latitude": round(float(lat[0]), 6),
                                       "longitude": round(float(lon[0]), 6)},
        "drug_market_hotspot": ward("drugs_ward"),
        "vehicle_crime_rise": {"borough_code": B.code[roles["vehicle_borough"]],
                               "borough_name": B.name[roles["vehicle_borough"]],
                               "growth_over_window": VEHICLE_GROWTH},
        "force_trends_over_window": FORCE_TRENDS,
        "stop_search": {
            "rate_ratio_vs_white_within_boroughs": dict(zip(
                ["Asian", "Black", "Mixed", "White British", "White Irish", "White Other", "Other"],
                vocab.SEARCH_RATE_RATIO)),
            "black_white_ratio_force_wide_expected": round(searches.expected_crude_ratio("Black"), 3),
            "black_find_rate_ratio": vocab.BLACK_FIND_RATE_RATIO, "decline_over_window": DECLINE},
        "lsoa_changes_2011_2021": {"splits": sum(1 for c in city.changes if c[2] == "S") // 2,
                                   "merges": sum(1 for c in city.changes if c[2] == "M") // 2},
        "example_postcode": EXAMPLE_POSTCODE,
    }


def _write_reference(city: City, model: CrimeModel, root: Path, window: list[str], planted: dict,
                     seed: int, today: date) -> dict[str, Path]:
    refs: dict[str, Path] = {}
    for name, path in write_boundaries(city, root / "boundaries").items():
        refs[f"boundaries/{name}"] = path
    refs["lookup"] = write_lookup(city, root / "lookups")
    for name, path in write_population(city, root / "population").items():
        refs[f"population/{name}"] = path
    expected = sum(model.expected(i).sum(axis=0) for i in range(len(window)))
    borough = model.borough
    pop = np.array([city.lsoas.extra["pop"][city.lsoas.borough == b].sum() for b in range(len(city.boroughs))])
    rate = np.array([expected[borough == b].sum() for b in range(len(city.boroughs))]) / pop
    for name, path in write_pas(city, root / "mopac_pas", window, rate, seed).items():
        refs[f"pas/{name}"] = path
    refs["postcodes"] = write_postcodes(city, root / "postcodes", seed)
    from openbeat.demo.wardcrime import write_ward_crime

    refs["ward_crime"] = write_ward_crime(city, model, root / "london_datastore", window, seed)
    change = window[change_month(len(window))] if len(window) > 1 else window[0]
    api = write_api(city, root / "police_uk_api", window, change, seed, today)
    refs["api"] = root / "police_uk_api"
    refs["api/forces"] = api["forces"]
    refs["truth/lsoa11_to_lsoa21"] = write_truth_lookup(city, root / "truth")
    refs["truth/planted"] = write_text(root / "truth" / "planted.json", json.dumps(planted, indent=2) + "\n")
    refs["synthetic_note"] = root / "SYNTHETIC.txt"
    return refs


def _synthetic_note(seed: int, window: list[str], scale: float) -> str:
    return f"""SYNTHETIC DATA — NOT REAL

Everything in this folder was generated by `openbeat demo` (openbeat.demo.generate)
with seed {seed}, months {window[0]} to {window[-1]}, scale {scale}.

"{vocab.FORCE_NAME}" (force slug `{vocab.FORCE}`) is a fictional police force. Its
city lies in the Irish Sea, so no coordinate is a real place; every area code starts
with X (X09 boroughs, X05 wards, X02 MSOAs, X01 LSOAs 2021, X019 LSOAs 2011 only,
X018 a fictional neighbouring district), and its officers, postcodes (NB…),
e-mail addresses (.example) and telephone numbers (Ofcom's drama range) are invented.

How it was made: LSOAs are a Voronoi tessellation of seeded points clipped to an
invented coastline; wards, MSOAs and boroughs are groups of LSOAs. Crimes, outcomes
and searches are drawn month by month from Poisson models with seasonality, trends,
hotspots and a few planted patterns, and written in police.uk's exact CSV formats.
The planted patterns are listed in truth/planted.json and explained in
openbeat/demo/README.md. The same seed always gives the same bytes.
"""
