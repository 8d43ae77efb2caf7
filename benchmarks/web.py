"""The web app under load: `openbeat serve` (gunicorn) over a Met-scale lake, driven by wrk.

    .venv/bin/python benchmarks/web.py [--lake DIR] [--workers 3] [--threads 4]
                                       [--connections 32] [--duration 30] [--warmup 15]

Builds (or reuses) the synthetic Northbridge city at Met scale — 36 months, about 3.3
million street rows (`openbeat.demo.build(lake, out, months=36, scale=9.5)`), the lake
`benchmarks/analytics.py` uses too — then starts `openbeat serve --demo` on 127.0.0.1
and measures, for each of two mixes:

  (a) ward pages        `/areas/<ward>/` for every ward of the city (about 70), in turn:
                        the neighbourhood page with its team, trend, harm, outcomes, hot
                        spots, stop and search and trust;
  (b) API profile       `/api/areas/<ward>/profile` for every ward;
  (c) police.uk street  `/police-uk/api/crimes-street/all-crime?lat=…&lng=…&date=…`: the
                        police.uk-compatible API's crimes within a mile of one point (the
                        centre police.uk publishes for the first neighbourhood) in the
                        latest month, as a police.uk client asks it; and the same
                        asked with `Accept-Encoding: gzip`, as `requests`, `httr` and
                        browsers ask (`police.uk gzip`);

first the **cold** cost (one request per URL in turn, when nothing is cached yet: the
analytics run), then a **warm-up** (wrk, --warmup seconds, results dropped: every worker
fills its own cache), then **the run**: wrk with --connections connections for
--duration seconds. Printed: p50, p95 and p99 latency, requests per second, and errors
(socket errors and answers that are not 2xx).

wrk comes from Debian: if it is missing, install it with `apt-get install wrk`. The
targets on this 2-core machine: ward page p95 <= 150 ms, API profile p95 <= 80 ms, police.uk
street p95 <= 50 ms, 0 errors. `--mix` runs one mix only. The police.uk API's per-client rate
limit (15 a second, as police.uk's) is turned off for the run (`OPENBEAT_POLICEUK_RATE=0`):
wrk is one client asking hundreds of times a second, which the limit would answer with 429.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_LAKE = ROOT / "benchmarks" / "out" / "met-scale" / "lake"

#: wrk script: the URLs in turn from a file, and the percentiles we report as JSON.
WRK_LUA = r"""
local paths = {}
for line in io.lines(os.getenv("OPENBEAT_WRK_URLS")) do paths[#paths + 1] = line end
local i = 0
local headers = {}
if os.getenv("OPENBEAT_WRK_GZIP") == "1" then headers["Accept-Encoding"] = "gzip" end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end
-- no response() callback: wrk would copy every body into Lua (a megabyte for a police.uk
-- answer) only to count statuses, which summary.errors.status counts anyway
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f, "requests": %d, "seconds": %.3f, "socket_errors": %d, "status_errors": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, summary.duration / 1e6, errors, summary.errors.status))
end
"""


def lake_at(path: Path):
    """The Met-scale lake: reused when it holds at least 2.5 million street rows, else built."""
    from openbeat.lake import Lake

    lake = Lake(path)
    rows = _street_rows(lake)
    if rows >= 2_500_000:
        print(f"lake: {path} ({rows:,} street rows, reused)")
        return lake
    from openbeat.demo import MET_SCALE, build

    print(f"lake: building the Met-scale demo city in {path} (about 1–2 minutes) …", flush=True)
    t = time.perf_counter()
    result = build(lake, path.parent / "out", months=36, scale=MET_SCALE)
    if not result.ok:
        sys.exit("the demo city could not be built")
    print(f"lake: built in {time.perf_counter() - t:.0f} s, {_street_rows(lake):,} street rows")
    return lake


def _street_rows(lake) -> int:
    if not (lake.root / "crimes").exists():
        return 0
    con = lake.connect()
    try:
        return con.execute("SELECT count(*) FROM crimes").fetchone()[0]
    finally:
        con.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(lake, workers: int | None, threads: int, data: Path, keep: bool = True) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env.update(OPENBEAT_DATA_DIR=str(data))
    if not keep:
        env["OPENBEAT_CACHE_ENTRIES"] = "0"
    env["OPENBEAT_POLICEUK_RATE"] = "0"  # one wrk client is far beyond any per-client limit
    cmd = [sys.executable, "-c", "from openbeat.cli.web_commands import serve; serve(prog_name='openbeat serve')",
           "--demo", "--lake", str(lake.root), "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)]
    if workers:
        cmd += ["--workers", str(workers)]
    log = open(data / "serve.log", "w")  # gunicorn's access log included, as deployed
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            sys.exit("openbeat serve did not start:\n" + (data / "serve.log").read_text()[-3000:])
        time.sleep(0.3)


def ward_codes(lake) -> list[str]:
    from openbeat.analytics.store import Store

    return [a.code for a in Store(lake).areas("ward")]


def policeuk_street_path(lake) -> tuple[str, int]:
    """The crimes-street URL for the first neighbourhood's published centre and the latest
    month, and how many crimes it answers with."""
    from openbeat.analytics import policeuk_answers as answers

    con = lake.connect()
    try:
        lat, lng = con.execute("SELECT centre_latitude, centre_longitude FROM neighbourhoods "
                               "ORDER BY neighbourhood_id LIMIT 1").fetchone()
        month = answers.latest_month(con)
        n = len(answers.crimes_street(con, category="all-crime", area=answers.Area(point=(lat, lng)), month=month))
    finally:
        con.close()
    return f"/police-uk/api/crimes-street/all-crime?lat={lat}&lng={lng}&date={month:%Y-%m}", n


def memory_mb(proc: subprocess.Popen) -> float | None:
    """Resident memory of the server: gunicorn's master and its workers."""
    try:
        import psutil
    except ImportError:
        return None
    p = psutil.Process(proc.pid)
    return sum(x.memory_info().rss for x in [p, *p.children(recursive=True)]) / 2**20


def cold(base: str, paths: list[str]) -> list[float]:
    """Each URL once, in turn, before anything is cached: what the first visitor waits."""
    out = []
    for p in paths:
        t = time.perf_counter()
        with urllib.request.urlopen(base + p, timeout=60) as r:
            r.read()
            assert r.status == 200, p
        out.append(time.perf_counter() - t)
    return out


def wrk(base: str, paths: list[str], connections: int, seconds: int, tmp: Path, gzip: bool = False) -> dict:
    urls = tmp / "urls.txt"
    urls.write_text("\n".join(paths) + "\n")
    script = tmp / "mix.lua"
    script.write_text(WRK_LUA)
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script), base]
    got = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OPENBEAT_WRK_URLS": str(urls), "OPENBEAT_WRK_GZIP": "1" if gzip else "0"},
                         check=True)
    line = next(x for x in got.stdout.splitlines() if x.startswith("{"))
    out = json.loads(line)
    out["rps"] = out["requests"] / out["seconds"]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lake", type=Path, default=DEFAULT_LAKE)
    ap.add_argument("--workers", type=int, help="gunicorn workers [default: openbeat serve's, 2 × cores + 1]")
    ap.add_argument("--threads", type=int, default=1, help="threads per worker (more than 1: gthread)")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=15)
    ap.add_argument("--no-answer-cache", action="store_true",
                    help="keep no answers (OPENBEAT_CACHE_ENTRIES=0): every request renders its page from the "
                         "figures each worker keeps per lake state")
    ap.add_argument("--mix", choices=["ward-pages", "api-profile", "police-uk"], action="append",
                    help="run only this mix (repeatable) [default: all]")
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: on Debian, `apt-get install wrk`")
    lake = lake_at(args.lake)
    wards = ward_codes(lake)
    street, crimes = policeuk_street_path(lake)
    print(f"police.uk street: {street} answers {crimes:,} crimes")
    mixes = {"ward pages": [f"/areas/{c}/" for c in wards],
             "API profile": [f"/api/areas/{c}/profile" for c in wards],
             "police.uk street": [street], "police.uk gzip": [street]}
    chosen = {"ward-pages": {"ward pages"}, "api-profile": {"API profile"},
              "police-uk": {"police.uk street", "police.uk gzip"}}
    if args.mix:
        mixes = {name: paths for name, paths in mixes.items() if any(name in chosen[m] for m in args.mix)}
    targets = {"ward pages": 150.0, "API profile": 80.0, "police.uk street": 50.0, "police.uk gzip": 50.0}
    with tempfile.TemporaryDirectory(prefix="openbeat-web-bench-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        proc, base = start_server(lake, args.workers, args.threads, tmp, keep=not args.no_answer_cache)
        from openbeat.web.server import default_workers

        workers = args.workers or default_workers()
        print(f"server: {base}, {workers} workers × {args.threads} thread(s)"
              + (", keeping no answers" if args.no_answer_cache else "") + ", ready in "
              f"{time.perf_counter() - t:.1f} s (stores opened from <lake>/derived)")
        results = {}
        try:
            for name, paths in mixes.items():
                gz = name.endswith("gzip")
                first = cold(base, paths)
                wrk(base, paths, args.connections, args.warmup, tmp, gzip=gz)
                run = wrk(base, paths, args.connections, args.duration, tmp, gzip=gz)
                run["cold_p50"] = statistics.median(first) * 1000
                run["cold_p95"] = (statistics.quantiles(first, n=20)[-1] if len(first) > 1 else first[0]) * 1000
                results[name] = run
            rss = memory_mb(proc)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"\n{args.connections} connections for {args.duration} s after a {args.warmup} s warm-up, "
          f"{len(wards)} wards in turn" + (f"; server memory {rss:,.0f} MB" if rss else "") + ":\n")
    print(f"{'mix':<16} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}  "
          f"{'target p95':>10}  {'cold p50/p95 ms (first visit, nothing cached)':>45}")
    ok = True
    for name, r in results.items():
        errors = r["socket_errors"] + r["status_errors"]
        good = r["p95"] <= targets[name] and errors == 0
        ok &= good
        print(f"{name:<16} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} {r['rps']:8.0f} {errors:7d}  "
              f"{'<= ' + str(int(targets[name])):>10} {'met' if good else 'MISSED':>6}  "
              f"{r['cold_p50']:>20.0f} / {r['cold_p95']:.0f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
