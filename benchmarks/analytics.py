"""Analytics on a Met-scale lake against the same figures from SQLite with sensible indexes.

    .venv/bin/python benchmarks/analytics.py [--lake DIR] [--scale 9.5] [--wards 20]

Builds (or reuses) the synthetic Northbridge city at Met scale — 36 months, about 3.3
million street rows of which about 2.7 million are crimes other than anti-social
behaviour — through the real pipeline (`openbeat.demo.build`), then measures:

  ward profile, 24 months   `openbeat.analytics.profiles.area_profile` for --wards wards:
                            first call per ward, then warm (repeat) calls; p50 and p95;
  force scorecard           `openbeat.analytics.scorecard.scorecard` for the whole force
                            (every borough and ward), first and warm;
  the SQLite route          what a datasette user would run: the same rows loaded into
                            SQLite with indexes on (lsoa_code, month), (force, month),
                            outcomes (crime_id, month) and the lookups; each figure
                            computed with SQL there and then the *same* Python statistics
                            (`profile_from`, `scorecard_from`), and checked to give the
                            same numbers.

Opening the store (building its aggregates) is reported separately, cold (no derived
files) and warm (another process reading them).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openbeat.analytics.outcomes import CONCLUSIVENESS, outcome_group_sql  # noqa: E402
from openbeat.analytics.profiles import Window, area_profile, previous_like, profile_from  # noqa: E402
from openbeat.analytics.store import Store  # noqa: E402
from openbeat.lake import Lake  # noqa: E402

DEFAULT_DIR = ROOT / "benchmarks" / "out" / "met-scale"


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def ensure_lake(folder: Path, scale: float, months: int) -> Lake:
    lake = Lake(folder / "lake")
    if not (lake.root / "crimes").exists():
        from openbeat.demo import build

        print(f"building the Met-scale demo lake in {folder} (scale {scale}, {months} months) …", flush=True)
        result, seconds = timed(build, lake, folder / "out", months=months, scale=scale)
        assert result.ok
        print(f"  built in {seconds:.0f} s")
    return lake


# ---- the SQLite route -------------------------------------------------------------


def build_sqlite(lake: Lake, path: Path) -> sqlite3.Connection:
    if path.exists():
        return _sqlite(path)
    print(f"loading the same rows into SQLite at {path} …", flush=True)
    t = time.perf_counter()
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    db.executescript("""
        PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
        CREATE TABLE crimes (crime_id TEXT, month TEXT, force TEXT, lsoa_code TEXT, crime_type TEXT,
                             last_outcome_category TEXT);
        CREATE TABLE outcomes (crime_id TEXT, month TEXT, outcome_type TEXT);
        CREATE TABLE lsoa_wards (lsoa21_code TEXT, ward_code TEXT, lad_code TEXT);
        CREATE TABLE lsoa_lookup (lsoa11_code TEXT, lsoa21_code TEXT, is_best INTEGER);
        CREATE TABLE population (area_code TEXT, level TEXT, population INTEGER);
        CREATE TABLE stop_searches (month TEXT, lsoa21_code TEXT, self_defined_ethnicity TEXT, outcome TEXT,
                                    linked INTEGER);
        CREATE TABLE population_ethnicity (area_code TEXT, broad_group TEXT, observation INTEGER);
    """)
    con = lake.connect()
    copies = {
        "crimes": "SELECT crime_id, strftime(month, '%Y-%m-%d'), force, lsoa_code, crime_type, last_outcome_category FROM crimes",
        "outcomes": "SELECT crime_id, strftime(month, '%Y-%m-%d'), outcome_type FROM outcomes",
        "lsoa_wards": "SELECT lsoa21_code, ward_code, lad_code FROM lsoa_wards",
        "lsoa_lookup": "SELECT lsoa11_code, lsoa21_code, is_best::INTEGER FROM lsoa_lookup",
        "population": "SELECT area_code, level, population FROM population WHERE source = 'census2021_ts007a'",
        # The point-in-polygon result travels as a column, as a datasette user would have it.
        "stop_searches": "SELECT strftime(s.month, '%Y-%m-%d'), a.lsoa21_code, s.self_defined_ethnicity, s.outcome, "
                         "s.outcome_linked_to_object_of_search::INTEGER FROM stop_searches s "
                         "LEFT JOIN stop_search_areas a USING (row_key)",
        "population_ethnicity": "SELECT area_code, broad_group, population FROM population_ethnicity",
    }
    for table, sql in copies.items():
        reader = con.sql(sql).to_arrow_reader(100_000)
        for batch in reader:
            cols = batch.to_pydict()
            rows = list(zip(*cols.values()))
            db.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(cols))})", rows)
    db.executescript("""
        CREATE INDEX crimes_lsoa_month ON crimes (lsoa_code, month);
        CREATE INDEX crimes_force_month ON crimes (force, month);
        CREATE INDEX outcomes_crime ON outcomes (crime_id, month);
        CREATE INDEX lsoa_wards_ward ON lsoa_wards (ward_code);
        CREATE INDEX lsoa_wards_lsoa ON lsoa_wards (lsoa21_code);
        CREATE INDEX lsoa_lookup_21 ON lsoa_lookup (lsoa21_code);
        CREATE INDEX population_area ON population (area_code, level);
        CREATE INDEX stop_searches_lsoa ON stop_searches (lsoa21_code, month);
        ANALYZE;
    """)
    db.commit()
    db.close()
    tmp.rename(path)
    print(f"  loaded and indexed in {time.perf_counter() - t:.0f} s")
    return _sqlite(path)


def _sqlite(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False)
    db.create_function("starts_with", 2, lambda a, b: a is not None and a.startswith(b), deterministic=True)
    return db


class SqliteRoute:
    """The ward profile with SQL in SQLite, then the same Python as the lake route."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db
        self._published: dict[str, set] = {}
        rank = "CASE " + " ".join(f"WHEN {outcome_group_sql('o.outcome_type')} = '{g}' THEN {r}"
                                  for g, r in CONCLUSIVENESS.items()) + " END"
        group = outcome_group_sql(
            "coalesce((SELECT o.outcome_type FROM outcomes o WHERE o.crime_id = c.crime_id "
            f"ORDER BY o.month DESC, {rank} DESC, o.outcome_type DESC LIMIT 1), c.last_outcome_category)")
        self.window_sql = f"""
            WITH lsoas AS (
              SELECT lsoa21_code AS code FROM lsoa_wards WHERE ward_code = :w
              UNION SELECT l.lsoa11_code FROM lsoa_lookup l JOIN lsoa_wards w ON l.lsoa21_code = w.lsoa21_code
                    WHERE l.is_best AND w.ward_code = :w
                      AND l.lsoa11_code NOT IN (SELECT lsoa21_code FROM lsoa_wards))
            SELECT c.force, c.month, c.crime_type, {group} AS g, count(*)
            FROM crimes c WHERE c.lsoa_code IN (SELECT code FROM lsoas) AND c.month BETWEEN :a AND :b
            GROUP BY 1, 2, 3, 4"""

    def published(self, force: str) -> set:
        # A lake-level fact; cached per process exactly as the lake route caches it.
        if force not in self._published:
            from datetime import date
            self._published[force] = {date.fromisoformat(m) for (m,) in self.db.execute(
                "SELECT DISTINCT month FROM crimes WHERE force = ?", [force])}
        return self._published[force]

    def profile(self, area, period, srcs):
        from datetime import date
        before = previous_like(period)
        start = min(before.first, period.shift(-23).first)
        rows = self.db.execute(self.window_sql, {"w": area.code, "a": start.isoformat(),
                                                 "b": period.last.isoformat()}).fetchall()
        forces = sorted({r[0] for r in rows})
        window = Window([(f, date.fromisoformat(m), ct, g, n) for f, m, ct, g, n in rows],
                        {f: self.published(f) for f in forces})
        (pop,) = self.db.execute(
            "SELECT sum(p.population) FROM population p JOIN lsoa_wards w ON p.area_code = w.lsoa21_code "
            "WHERE p.level = 'lsoa21' AND w.ward_code = ?", [area.code]).fetchone()
        return profile_from(area, period, window, float(pop), "Census 2021", srcs)


def sqlite_scorecard(db: sqlite3.Connection, period) -> dict:
    """The scorecard's crime and stop-search figures for every ward and borough, from SQLite."""
    from openbeat.analytics import harm as harm_lib
    from openbeat.analytics.profiles import _compare
    from openbeat.stats.disproportionality import broad_group, katz_interval

    before = previous_like(period)
    lsoa_map = """(SELECT lsoa21_code AS code, ward_code, lad_code FROM lsoa_wards
                   UNION ALL SELECT l.lsoa11_code, w.ward_code, w.lad_code FROM lsoa_lookup l
                   JOIN lsoa_wards w ON l.lsoa21_code = w.lsoa21_code
                   WHERE l.is_best AND l.lsoa11_code NOT IN (SELECT lsoa21_code FROM lsoa_wards))"""
    rows = db.execute(f"""
        SELECT m.ward_code, m.lad_code, c.crime_type, c.month >= :p0 AS now, count(*)
        FROM crimes c JOIN {lsoa_map} m ON m.code = c.lsoa_code
        WHERE c.month BETWEEN :b0 AND :p1 AND c.crime_type <> 'Anti-social behaviour'
        GROUP BY 1, 2, 3, 4""", {"p0": period.first.isoformat(), "b0": before.first.isoformat(),
                                  "p1": period.last.isoformat()}).fetchall()
    by_area: dict[tuple[str, bool], dict[str, int]] = {}
    for ward, lad, ct, now, n in rows:
        for code in (ward, lad):
            d = by_area.setdefault((code, bool(now)), {})
            d[ct] = d.get(ct, 0) + n
    out = {}
    for (code, now), counts in by_area.items():
        if not now:
            continue
        then = by_area.get((code, False), {})
        h = harm_lib.harm_of_counts(counts)
        ch = _compare(sum(then.values()), h.crimes, before.label(), period.label())
        out[code] = {"crimes": h.crimes, "harm_days": h.harm_days, "crime_change": ch.direction}
    searches = db.execute(f"""
        SELECT m.lad_code, s.self_defined_ethnicity, count(*) FROM stop_searches s
        JOIN lsoa_wards m ON m.lsoa21_code = s.lsoa21_code
        WHERE s.month BETWEEN ? AND ? GROUP BY 1, 2""", [period.first.isoformat(), period.last.isoformat()]).fetchall()
    groups: dict[str, dict[str, int]] = {}
    for lad, eth, n in searches:
        g = broad_group(eth) if eth else None
        if g:
            groups.setdefault(lad, {}).setdefault(g, 0)
            groups[lad][g] += n
    pops: dict[str, dict[str, float]] = {}
    for area, group, obs in db.execute("SELECT area_code, broad_group, sum(observation) FROM population_ethnicity "
                                       "WHERE broad_group IS NOT NULL GROUP BY 1, 2"):
        pops.setdefault(area, {})[group] = obs
    for lad, g in groups.items():
        if lad in out and lad in pops and g.get("Black") and g.get("White"):
            out[lad]["ratio"] = katz_interval(g["Black"], pops[lad]["Black"], g["White"], pops[lad]["White"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="Where the lake and SQLite file live.")
    ap.add_argument("--scale", type=float, default=9.5)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--wards", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    lake = ensure_lake(args.dir, args.scale, args.months)
    shutil.rmtree(lake.root / "derived", ignore_errors=True)
    store = Store(lake)
    _, cold_open = timed(store.cursor)
    _, warm_open = timed(Store(lake).cursor)
    cur = store.cursor()
    crimes, asb = cur.execute("SELECT count(*), count(*) FILTER (WHERE crime_type = 'Anti-social behaviour') "
                              "FROM crimes").fetchone()
    print(f"lake: {crimes:,} street rows ({crimes - asb:,} crimes other than ASB), "
          f"{cur.execute('SELECT count(*) FROM outcomes').fetchone()[0]:,} outcome rows")
    print(f"open the store: cold {cold_open:.2f} s (builds the aggregates), warm {warm_open:.2f} s (another process)")

    wards = store.areas("ward")
    wards = wards[:: max(1, len(wards) // args.wards)][: args.wards]
    period = store.period(None, None, default_months=24)
    first_calls, warm_calls = [], []
    for w in wards:
        _, t = timed(area_profile, store, w.code, f"{period.first:%Y-%m}", f"{period.last:%Y-%m}")
        first_calls.append(t)
        for _ in range(args.repeat):
            warm_calls.append(timed(area_profile, store, w.code, f"{period.first:%Y-%m}", f"{period.last:%Y-%m}")[1])

    db = build_sqlite(lake, args.dir / "lake.sqlite")
    route = SqliteRoute(db)
    srcs = []
    sq_first, sq_warm = [], []
    for w in wards:
        ours = area_profile(store, w.code, f"{period.first:%Y-%m}", f"{period.last:%Y-%m}")
        theirs, t = timed(route.profile, w, period, srcs)
        sq_first.append(t)
        for key in ("crimes", "anti_social_behaviour", "harm_days"):
            assert ours.summary[key] == theirs.summary[key], (w.code, key, ours.summary[key], theirs.summary[key])
        assert ours.tables["outcomes"] == theirs.tables["outcomes"], w.code
        for _ in range(args.repeat):
            sq_warm.append(timed(route.profile, w, period, srcs)[1])

    print(f"\nward profile over 24 months ({period.label()}), {len(wards)} wards × {args.repeat} warm calls")
    print(f"{'route':<22} {'first p50':>10} {'warm p50':>10} {'warm p95':>10}")
    print(f"{'lake (DuckDB)':<22} {1000 * statistics.median(first_calls):>8.1f}ms "
          f"{1000 * statistics.median(warm_calls):>8.1f}ms {1000 * pct(warm_calls, 0.95):>8.1f}ms")
    print(f"{'SQLite with indexes':<22} {1000 * statistics.median(sq_first):>8.1f}ms "
          f"{1000 * statistics.median(sq_warm):>8.1f}ms {1000 * pct(sq_warm, 0.95):>8.1f}ms")
    print(f"ratio (SQLite / lake), warm p50: {statistics.median(sq_warm) / statistics.median(warm_calls):.1f}×; "
          f"warm p95: {pct(sq_warm, 0.95) / pct(warm_calls, 0.95):.1f}×")

    try:
        from openbeat.analytics import scorecard as sc
    except ImportError:
        print("\n(scorecard not available yet)")
        return
    force = store.areas("force")[0].code
    year = store.period(None, None)
    ours, first = timed(sc.scorecard, store, force)
    _, warm = timed(sc.scorecard, store, force)
    theirs, sq = timed(sqlite_scorecard, db, year)
    _, sq_warm = timed(sqlite_scorecard, db, year)
    for row in ours.tables["wards"] + ours.tables["boroughs"]:
        assert row["crimes"] == theirs[row["code"]]["crimes"], row["code"]
        assert row["crime_change"] == theirs[row["code"]]["crime_change"], row["code"]
    print(f"\nforce scorecard ({force}: {len(ours.tables['boroughs'])} boroughs, {len(ours.tables['wards'])} wards, "
          f"{year.label()})")
    print(f"lake (DuckDB), whole scorecard: first {first:.2f} s, warm {warm:.2f} s")
    print(f"SQLite with indexes, its crime and stop-search figures only: {sq:.2f} s, again {sq_warm:.2f} s")
    print(f"ratio (SQLite / lake, warm): {sq_warm / warm:.1f}×")


if __name__ == "__main__":
    main()
