"""Where a cold ward page's time goes, in one process (no server, no HTTP, nothing kept).

    DATABASE_URL=postgresql://… .venv/bin/python benchmarks/ward_cold.py --lake LAKE \
        [--wards 10] [--seed 15] [--profile] [--queries 15] [--dump answers.json] [--html DIR]

The store is built (or opened from its derived aggregates) once; then ``--wards`` wards,
drawn one per force in turn (so many forces are visited), are each rendered once through
the whole Django stack as an anonymous visitor's first visit (no answer kept:
``OPENBEAT_CACHE_ENTRIES=0``). Printed: wall and CPU per page, the time of each analytics
figure (``openbeat.web.shared_figures``) and of the slowest DuckDB statements summed over
the pages; ``--profile`` adds cProfile's top functions. ``--dump`` writes every figure's
full answer (``Result.as_dict``) and the API profile of each ward, to compare two checkouts;
``--html DIR`` writes each page's HTML as ``DIR/<ward>.html`` (``cmp`` two checkouts' pages).
``--warm-order N`` times instead the first N answers the warm-up computes after a lake change
(a force's ward pages in turn, newest force first) and what every ward page would take.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _Timed:
    """A DuckDB cursor that adds each statement's time (execute to last fetch) to ``spent``."""

    def __init__(self, cur, spent):
        self._cur, self._spent, self._sql, self._t = cur, spent, None, 0.0

    def execute(self, sql, *args, **kwargs):
        self._close()
        key = re.sub(r"read_parquet\(\[[^]]*\]", "read_parquet([…]", " ".join(str(sql).split()))
        self._sql, self._t = key, time.perf_counter()
        self._cur.execute(sql, *args, **kwargs)
        return self

    def _close(self):
        if self._sql is not None:
            self._spent[self._sql].append(time.perf_counter() - self._t)
            self._sql = None

    def __getattr__(self, name):
        attr = getattr(self._cur, name)
        if name.startswith("fetch"):
            def fetch(*a, **k):
                out = attr(*a, **k)
                self._close()
                return out
            return fetch
        return attr


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lake", type=Path, required=True)
    ap.add_argument("--wards", type=int, default=10)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--queries", type=int, default=15, help="slowest statements to print")
    ap.add_argument("--dump", type=Path, help="write every figure's answer here (JSON)")
    ap.add_argument("--html", type=Path, metavar="DIR", help="write each ward page's HTML here")
    ap.add_argument("--warm-order", type=int, metavar="N",
                    help="instead: the first N pages in the order the warm-up computes them "
                         "(openbeat.web.warm.paths: a force's wards in turn), and the time all would take")
    args = ap.parse_args(argv)

    os.environ.update(OPENBEAT_CACHE_ENTRIES="0", OPENBEAT_DEMO="1", OPENBEAT_UNCACHED_PER_MINUTE="0",
                      OPENBEAT_DATA_DIR=tempfile.mkdtemp(prefix="openbeat-ward-cold-"))
    from openbeat.web.server import configure

    configure(lake=args.lake)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    import openbeat
    from openbeat.analytics.store import Store
    from openbeat.web import lake_access, shared_figures, warm

    print(f"code: {Path(openbeat.__file__).parent}")
    t = time.perf_counter()
    store = lake_access.get_store()
    print(f"store opened in {time.perf_counter() - t:.1f} s")

    spent: dict[str, list[float]] = defaultdict(list)
    plain_cursor = Store.cursor
    Store.cursor = lambda self: _Timed(plain_cursor(self), spent)
    figures: dict[str, list[float]] = defaultdict(list)
    answers: dict[str, dict] = {}
    shared_figures.available("profile")
    for name, fn in list(shared_figures.FUNCTIONS.items()):
        def timed(*a, _fn=fn, _name=name, **k):
            t = time.perf_counter()
            try:
                result = _fn(*a, **k)
            finally:
                figures[_name].append(time.perf_counter() - t)
            answers[f"{_name} {a[1:]} {sorted(k.items(), key=str)}"] = result.as_dict(geojson=True)
            return result
        shared_figures.FUNCTIONS[name] = timed

    # one page first, so what is read once per lake state (months, coverage, populations) is not counted
    first = store.areas("ward")[0].code
    handler = warm._handler()
    t = time.perf_counter()
    if args.profile:
        first_prof = cProfile.Profile()
        first_prof.enable()
    handler.get_response(warm._request(f"/areas/{first}/"))
    print(f"first page of the lake state (what is read once per state, then the page): "
          f"{(time.perf_counter() - t) * 1000:.0f} ms")
    if args.profile:
        first_prof.disable()
        pstats.Stats(first_prof).sort_stats("cumulative").print_stats(25)
    for sql, times in sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:args.queries]:
        print(f"  {sum(times) * 1000:8.1f}  ×{len(times):<4d} {sql[:220]}")
    spent.clear()
    figures.clear()
    answers.clear()

    if args.warm_order:
        Store.cursor = plain_cursor
        order = warm.paths()
        pages = [p for p in order if p.startswith("/areas/")]
        wards = {f"/areas/{a.code}/" for a in store.areas("ward")}
        t, c = time.perf_counter(), time.process_time()
        for p in order[:args.warm_order]:
            assert handler.get_response(warm._request(p)).status_code in (200, 404), p
        wall, cpu = (time.perf_counter() - t) / args.warm_order, (time.process_time() - c) / args.warm_order
        share = float(os.environ.get("OPENBEAT_WARM_SHARE") or 0.5)
        print(f"first {args.warm_order} of {len(order)} warm-up answers ({len(pages)} area pages, "
              f"{len(wards)} wards): {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU each; every ward page "
              f"at this rate: {len(wards) * cpu:.0f} CPU s, {len(wards) * cpu / share:.0f} s at a warm share of {share}")
        return 0

    by_force: dict[str, list[str]] = defaultdict(list)
    for ward, force in store.cursor().execute(
            "SELECT ward_code, any_value(force) FROM crime_counts WHERE ward_code IS NOT NULL GROUP BY 1").fetchall():
        by_force[force].append(ward)
    rng = random.Random(args.seed)
    forces = sorted(f for f in by_force if f)
    rng.shuffle(forces)
    sample = [rng.choice(sorted(by_force[forces[i % len(forces)]])) for i in range(args.wards)]
    prof = cProfile.Profile() if args.profile else None
    walls, cpus = [], []
    for code in sample:
        t, c = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        response = handler.get_response(warm._request(f"/areas/{code}/"))
        if prof:
            prof.disable()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        assert response.status_code == 200, (code, response.status_code)
        print(f"  {code}: {walls[-1] * 1000:7.0f} ms wall, {cpus[-1] * 1000:7.0f} ms CPU")
        if args.html:
            args.html.mkdir(parents=True, exist_ok=True)
            (args.html / f"{code}.html").write_bytes(response.content)
        if args.dump:
            api = handler.get_response(warm._request(f"/api/areas/{code}/profile"))
            answers[f"api {code}"] = json.loads(api.content)
    n = len(sample)
    walls.sort()
    print(f"{n} cold ward pages: median {walls[n // 2] * 1000:.0f} ms, max {walls[-1] * 1000:.0f} ms wall; "
          f"CPU {sum(cpus) / n * 1000:.0f} ms per page (DuckDB's threads included)")
    print("figures (ms per page, summed over its calls):")
    for name, times in sorted(figures.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {name:12s} {sum(times) / n * 1000:8.1f}  ({len(times)} calls)")
    print(f"DuckDB statements (ms per page; {sum(map(sum, spent.values())) / n * 1000:.0f} in all):")
    for sql, times in sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:args.queries]:
        print(f"  {sum(times) / n * 1000:8.1f}  ×{len(times):<4d} {sql[:220]}")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
    if args.dump:
        args.dump.write_text(json.dumps(answers, indent=1, sort_keys=True, default=str))
        print(f"{len(answers)} answers written to {args.dump}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
