"""A national-scale run: 43 synthetic forces, 36 months, generated, ingested and served on one machine.

    DATABASE_URL=postgresql://… nice -n 10 .venv/bin/python benchmarks/national.py \
        [--forces 43] [--months 36] [--scale 1] [--root benchmarks/out/national] \
        [--phases generate,ingest,areas,store,scorecard,gistar,web] [--wards 300] \
        [--connections 32] [--duration 30] [--warmup 15]

The data: `openbeat demo --forces 43 --months 36` (``openbeat.demo.national``), England
and Wales's volumes — about 6 million street rows, 5 million outcomes and 0.6 million
searches a year — shared among 43 fictional forces in the proportions of the real forces'
residents, each with its own boundaries, wards and boroughs, written in police.uk's CSV
layout so that ingest reads them as it reads real files.

Phases, each in its own child process, so that its time and peak memory are its own
(peak RSS from ``os.wait4``'s rusage of the child, and the process tree's RSS sampled
from /proc every 0.2 s for the server):

  generate   write the CSVs and the national boundaries, lookup and populations
  ingest     `openbeat.ingest.ingest_paths` of every CSV into an empty lake: rows/s
  areas      `openbeat.ingest.reference.load_reference` of the boundaries, lookup and populations
  store      the analytics store from a lake with no derived aggregates (what the first
             process after an ingest builds), then opened again from them
  scorecard  `openbeat.analytics.scorecard.scorecard` of every force in turn, one store
  gistar     Gi* of the latest 12 months' crimes (no anti-social behaviour) of the whole
             country on one grid of 1 km cells (its land: cells with crime or beside one;
             queen contiguity, 9,999 permutations as the app's hot spot maps)
  web        `openbeat serve` (benchmarks/web.py's server, settings and wrk), ``--wards``
             wards drawn at random from the whole country: each page once in turn when
             nothing is cached (cold), then wrk with --connections connections (warm,
             after a warm-up); the server's memory (all workers) sampled throughout

and the lake's size on disk. Goals (issue 15): ingest of 36 months <= 15 minutes, peak
memory <= 8 GB in every phase, ward pages p95 <= 150 ms cold and warm. Results are printed
and kept in ``<root>/results.json``; ``--phases`` reruns some phases on what is there.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_ROOT = ROOT / "benchmarks" / "out" / "national"
PHASES = ("generate", "ingest", "areas", "store", "scorecard", "gistar", "web")
GOALS = {"ingest_seconds": 15 * 60, "peak_mb": 8 * 1024, "ward_p95_ms": 150.0}


# ---- phases (each runs in a child: `national.py --phase NAME`) -----------------------


def phase_generate(root: Path, args) -> dict:
    from openbeat.demo.national import generate_national

    t = time.perf_counter()
    demo = generate_national(root / "source", forces=args.forces, months=args.months, scale=args.scale,
                             seed=args.seed)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "rows": demo.totals(), "files": len(demo.files), "forces": len(demo.forces),
            "months": [demo.months[0], demo.months[-1]], "csv_bytes": sum(f.stat().st_size for f in demo.files)}


def phase_ingest(root: Path, args) -> dict:
    from openbeat.ingest import ingest_paths
    from openbeat.lake import Lake

    shutil.rmtree(root / "lake", ignore_errors=True)
    files = sorted((root / "source" / "police_uk").rglob("*.csv"))
    t = time.perf_counter()
    report = ingest_paths(files, lake=Lake(root / "lake"))
    seconds = time.perf_counter() - t
    totals = report.totals()
    return {"seconds": seconds, "files": len(files), "failed": len(report.failed), **totals,
            "rows_per_second": totals["rows_read"] / seconds,
            "errors": [f.error for f in report.failed[:5]]}


def phase_areas(root: Path, args) -> dict:
    from openbeat.ingest.reference import load_reference
    from openbeat.lake import Lake

    src = root / "source"
    t = time.perf_counter()
    report = load_reference([src / "boundaries", src / "lookups", src / "population"], lake=Lake(root / "lake"))
    return {"seconds": time.perf_counter() - t, "loaded": sum(1 for f in report.files if f.status == "loaded"),
            "failed": [f"{f.path}: {f.message}" for f in report.failed]}


def phase_store(root: Path, args) -> dict:
    from openbeat.analytics.store import Store
    from openbeat.lake import Lake

    lake = Lake(root / "lake")
    shutil.rmtree(lake.root / "derived", ignore_errors=True)
    t = time.perf_counter()
    Store(lake).cursor()
    build = time.perf_counter() - t
    t = time.perf_counter()
    store = Store(lake)
    store.cursor()
    reopen = time.perf_counter() - t
    wards = len(store.areas("ward"))
    limit = store.cursor().execute("SELECT current_setting('memory_limit')").fetchone()[0]
    return {"seconds": build, "reopen_seconds": reopen, "wards": wards,
            "derived_bytes": _size(lake.root / "derived"), "memory_limit": limit}


def phase_scorecard(root: Path, args) -> dict:
    from openbeat.analytics.scorecard import scorecard
    from openbeat.analytics.store import Store
    from openbeat.lake import Lake

    store = Store(Lake(root / "lake"))
    t = time.perf_counter()
    store.cursor()
    opened = time.perf_counter() - t
    times = {}
    t0 = time.perf_counter()
    for force in [a.code for a in store.areas("force")]:
        t = time.perf_counter()
        result = scorecard(store, force)
        times[force] = (time.perf_counter() - t, result.summary["wards"])
    total = time.perf_counter() - t0
    slowest = max(times, key=lambda f: times[f][0])
    return {"seconds": total, "open_seconds": opened, "forces": len(times),
            "median_seconds": statistics.median(v[0] for v in times.values()),
            "slowest": {"force": slowest, "seconds": times[slowest][0], "wards": times[slowest][1]}}


def phase_gistar(root: Path, args) -> dict:
    import numpy as np

    from openbeat.geo.crs import to_bng
    from openbeat.geo.grid import Grid
    from openbeat.lake import Lake
    from openbeat.stats.gistar import GiStar, hotspot_table

    lake = Lake(root / "lake")
    con = lake.connect()
    try:
        t = time.perf_counter()
        last = con.execute("SELECT max(month) FROM crimes").fetchone()[0]
        lon, lat = con.execute(
            "SELECT longitude, latitude FROM crimes WHERE month > ? - INTERVAL 12 MONTH "
            "AND crime_type <> 'Anti-social behaviour' AND longitude IS NOT NULL AND latitude IS NOT NULL",
            [last]).fetchnumpy().values()
        read = time.perf_counter() - t
    finally:
        con.close()
    t = time.perf_counter()
    x, y = to_bng(np.asarray(lon, float), np.asarray(lat, float))
    grid = Grid.from_points(x, y, cell_size=1_000.0)
    # The country's land: cells with crime or next to a cell with crime (not the sea between the cities).
    queen = grid.weights("queen")
    land = (grid.counts > 0) | ((queen @ (grid.counts > 0).astype(float)) > 0)
    counts = np.asarray(grid.counts, float)[land]
    gi = GiStar(counts, grid.weights("queen", keep=land), transform="B", permutations=args.permutations,
                seed=20_250_101)
    table = hotspot_table(gi, grid.cell_ids[land], counts)
    seconds = time.perf_counter() - t
    classes = table["class"]
    return {"seconds": seconds, "read_seconds": read, "crimes": int(len(x)), "cells": int(counts.size),
            "grid_cells": int(grid.counts.size), "hot_99": int(np.sum(classes == "hot 99%")),
            "hot_95": int(np.sum(classes == "hot 95%")), "permutations": args.permutations}


def phase_web(root: Path, args) -> dict:
    """Runs in the parent: the server is the child whose memory is sampled."""
    from benchmarks.web import cold, start_server, wrk
    from openbeat.lake import Lake

    lookup = next((root / "source" / "lookups").glob("*.csv"))
    with open(lookup, encoding="utf-8-sig", newline="") as f:
        wards = sorted({row["WD22CD"] for row in csv.DictReader(f)})
    sample = random.Random(2025).sample(wards, min(args.wards, len(wards)))
    paths = [f"/areas/{code}/" for code in sample]
    out: dict = {"wards_in_lake": len(wards), "wards_visited": len(sample)}
    with tempfile.TemporaryDirectory(prefix="openbeat-national-web-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        # a national lake's workers each open the store and /healthz reads every partition: minutes
        # on a loaded machine, more than web.py's 3 for the Met-scale lake
        proc, base = start_server(Lake(root / "lake"), args.workers, 1, tmp, database_url=args.database_url,
                                  ready_within=900)
        out["ready_seconds"] = time.perf_counter() - t
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            first = cold(base, paths)
            out["cold_p50_ms"] = statistics.median(first) * 1000
            out["cold_p95_ms"] = statistics.quantiles(first, n=20)[-1] * 1000
            out["cold_max_ms"] = max(first) * 1000
            wrk(base, paths, args.connections, args.warmup, tmp)
            run = wrk(base, paths, args.connections, args.duration, tmp)
            out.update({f"warm_{k}_ms": run[k] for k in ("p50", "p95", "p99")})
            out["warm_rps"] = run["rps"]
            out["errors"] = run["socket_errors"] + run["status_errors"]
        finally:
            sampler.stop()
            proc.terminate()
            proc.wait(timeout=60)
            shutil.copy(tmp / "serve.log", root / "web-serve.log")
        out["server_peak_mb"] = sampler.peak_total / 2**20
        out["server_peak_process_mb"] = sampler.peak_one / 2**20
    return out


# ---- measuring ----------------------------------------------------------------------


class TreeSampler(threading.Thread):
    """The peak resident memory of a process and its descendants (summed), and of any one."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak_total = self.peak_one = 0
        self._halt = threading.Event()

    def run(self):
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._halt.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for p in procs:
                try:
                    rss = p.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
                total += rss
                self.peak_one = max(self.peak_one, rss)
            self.peak_total = max(self.peak_total, total)
            self._halt.wait(self.every)

    def stop(self):
        self._halt.set()
        self.join()


def run_phase(name: str, args) -> dict:
    """``name`` in a child process: its result, wall time and peak memory."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name, "--root", str(args.root),
           "--forces", str(args.forces), "--months", str(args.months), "--scale", str(args.scale),
           "--seed", str(args.seed), "--permutations", str(args.permutations)]
    print(f"[{time.strftime('%H:%M:%S')}] {name} …", flush=True)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop()
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"phase {name} failed (exit {proc.returncode}):\n{stdout[-3000:]}")
    result = json.loads(next(line for line in stdout.splitlines() if line.startswith("{")))
    result["wall_seconds"] = wall  # with the child's imports
    result["peak_mb"] = usage.ru_maxrss / 1024  # kB on Linux
    result["peak_sampled_mb"] = sampler.peak_total / 2**20
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    print(f"[{time.strftime('%H:%M:%S')}] {name}: {_line(name, result)}", flush=True)
    return result


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


def _line(name: str, r: dict) -> str:
    mem = f"peak {r['peak_mb']:,.0f} MB" if "peak_mb" in r else ""
    if name == "generate":
        rows = r["rows"]
        return (f"{r['seconds']:.0f} s, {rows['street']:,} street, {rows['outcomes']:,} outcomes, "
                f"{rows['stop-and-search']:,} searches in {r['files']:,} files ({r['csv_bytes'] / 1e9:.2f} GB); {mem}")
    if name == "ingest":
        return (f"{r['seconds']:.0f} s, {r['rows_read']:,} rows read, {r['rows_loaded']:,} loaded, "
                f"{r['rows_rejected']:,} rejected, {r['failed']} files failed, {r['rows_per_second']:,.0f} rows/s; {mem}")
    if name == "areas":
        return f"{r['seconds']:.0f} s, {r['loaded']} files loaded, {len(r['failed'])} failed; {mem}"
    if name == "store":
        return (f"built in {r['seconds']:.1f} s, reopened in {r['reopen_seconds']:.1f} s, {r['wards']:,} wards, "
                f"derived {r['derived_bytes'] / 1e6:,.0f} MB; {mem}"
                + (f" (DuckDB memory_limit {r['memory_limit']})" if r.get("memory_limit") else ""))
    if name == "scorecard":
        s = r["slowest"]
        return (f"{r['forces']} forces in {r['seconds']:.1f} s (store opened in {r['open_seconds']:.1f} s; median "
                f"{r['median_seconds']:.2f} s, slowest {s['force']} {s['seconds']:.1f} s with {s['wards']} wards); {mem}")
    if name == "gistar":
        return (f"{r['cells']:,} land cells of {r['grid_cells']:,}, {r['crimes']:,} crimes, Gi* ({r['permutations']:,} "
                f"permutations) in {r['seconds']:.1f} s (read {r['read_seconds']:.1f} s), {r['hot_99']:,} hot 99% "
                f"and {r['hot_95']:,} hot 95% cells; {mem}")
    if name == "web":
        return (f"{r['wards_visited']} of {r['wards_in_lake']:,} wards: cold p50 {r['cold_p50_ms']:.0f} / p95 "
                f"{r['cold_p95_ms']:.0f} ms; warm p50 {r['warm_p50_ms']:.0f} / p95 {r['warm_p95_ms']:.0f} ms, "
                f"{r['warm_rps']:.0f} req/s, {r['errors']} errors; server peak {r['server_peak_mb']:,.0f} MB "
                f"(largest process {r['server_peak_process_mb']:,.0f} MB), ready in {r['ready_seconds']:.0f} s")
    return json.dumps(r)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="folder for the source files and the lake")
    ap.add_argument("--forces", type=int, default=43)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies residents and volumes (1: England and Wales)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, of {', '.join(PHASES)}")
    ap.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)  # a child's one phase
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                    help="the app database for the web phase [default: $DATABASE_URL; else SQLite]")
    ap.add_argument("--workers", type=int, help="gunicorn workers [default: openbeat serve's]")
    ap.add_argument("--wards", type=int, default=300, help="wards visited in the web phase")
    ap.add_argument("--permutations", type=int, default=9_999, help="Gi* permutations in the gistar phase")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=15)
    args = ap.parse_args(argv)
    args.root = args.root.resolve()
    if args.phase:
        print(json.dumps(globals()[f"phase_{args.phase}"](args.root, args)))
        return 0

    args.root.mkdir(parents=True, exist_ok=True)
    results_path = args.root / "results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results["run"] = {"forces": args.forces, "months": args.months, "scale": args.scale, "seed": args.seed,
                      "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "load_average_start": os.getloadavg()}
    for name in [p.strip() for p in args.phases.split(",") if p.strip()]:
        if name not in PHASES:
            sys.exit(f"unknown phase {name!r}; choose from {', '.join(PHASES)}")
        if name == "web":
            if shutil.which("wrk") is None:
                sys.exit("wrk is not installed: on Debian, `apt-get install wrk`")
            print(f"[{time.strftime('%H:%M:%S')}] web …", flush=True)
            results["web"] = phase_web(args.root, args)
            print(f"[{time.strftime('%H:%M:%S')}] web: {_line('web', results['web'])}", flush=True)
        else:
            results[name] = run_phase(name, args)
        results["run"]["load_average_end"] = os.getloadavg()
        results["lake_bytes"] = _size(args.root / "lake")
        results_path.write_text(json.dumps(results, indent=2) + "\n")
    return report(results)


def report(results: dict) -> int:
    print(f"\nlake on disk: {results.get('lake_bytes', 0) / 1e9:.2f} GB "
          f"(derived aggregates {results.get('store', {}).get('derived_bytes', 0) / 1e9:.2f} GB)")
    ok = True
    ingest = results.get("ingest")
    if ingest:
        good = ingest["seconds"] <= GOALS["ingest_seconds"] and not ingest["failed"] and not ingest["rows_rejected"]
        ok &= good
        print(f"ingest {ingest['seconds'] / 60:.1f} min (goal <= 15): {'met' if good else 'MISSED'}")
    peaks = {name: r["peak_mb"] for name, r in results.items() if isinstance(r, dict) and "peak_mb" in r}
    if "web" in results:
        peaks["web (server, all workers)"] = results["web"]["server_peak_mb"]
    for name, mb in peaks.items():
        good = mb <= GOALS["peak_mb"]
        ok &= good
        print(f"peak memory {name}: {mb:,.0f} MB (goal <= 8,192): {'met' if good else 'MISSED'}")
    web = results.get("web")
    if web:
        for which in ("cold", "warm"):
            p95 = web[f"{which}_p95_ms"]
            good = p95 <= GOALS["ward_p95_ms"]
            ok &= good
            print(f"ward pages {which} p95 {p95:.0f} ms (goal <= 150): {'met' if good else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
