"""What one uncached web figure costs, in one process (no server, no HTTP).

    .venv/bin/python benchmarks/uncached.py --lake LAKE [--profiles 300] [--maps 20]

* **profiles of new periods**: ``area_profile(store, ward, from, to)`` for ``--profiles``
  (ward, period) pairs never asked before, after as many others (as the API's
  `--mix api-periods` in benchmarks/web.py): wall and CPU time (process time, DuckDB's
  threads included) per profile;
* **hot spot maps**: ``hotspots(store, ward)`` for the first ``--maps`` wards: wall per map;
* **partition check**: what ``/healthz`` does once per lake state, every partition's two
  ends read (openbeat.web.views), beside a ``count(*)`` over every police dataset.

To compare with another checkout, run it with that checkout first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lake", type=Path, required=True)
    ap.add_argument("--profiles", type=int, default=300)
    ap.add_argument("--maps", type=int, default=20)
    args = ap.parse_args(argv)

    import openbeat
    from openbeat.analytics.hotspots import hotspots
    from openbeat.analytics.profiles import area_profile
    from openbeat.analytics.store import Store
    from openbeat.lake import POLICE_DATASETS, Lake

    print(f"code: {Path(openbeat.__file__).parent}")
    store = Store(Lake(args.lake))
    store.cursor()
    wards = [a.code for a in store.areas("ward")]
    months = [f"{m:%Y-%m}" for m in store.months()]

    if args.profiles:
        pairs = [(w, a, b) for w in wards for i, a in enumerate(months) for b in months[i:]]
        random.Random(15).shuffle(pairs)
        n = args.profiles

        def run(jobs):
            for w, a, b in jobs:
                try:
                    area_profile(store, w, a, b)
                except ValueError:  # a period the ward's force did not publish: declined, as the API does
                    pass

        run(pairs[:n])
        t, c = time.perf_counter(), time.process_time()
        run(pairs[n:2 * n])
        print(f"{n} profiles of new periods: {(time.perf_counter() - t) / n * 1000:.1f} ms wall, "
              f"{(time.process_time() - c) / n * 1000:.1f} ms CPU each")

    if args.maps:
        sample = wards[:args.maps]
        t = time.perf_counter()
        for w in sample:
            try:
                hotspots(store, w)
            except ValueError:
                pass
        print(f"{len(sample)} ward hot spot maps: {(time.perf_counter() - t) / len(sample) * 1000:.0f} ms each")

    lake = store.lake
    files = [lake.partition_path(p) for d in POLICE_DATASETS for p in lake.partitions(d)]
    cur = store.cursor()
    t = time.perf_counter()
    for d in POLICE_DATASETS:
        cur.execute(f"SELECT count(*) FROM {d}").fetchall()
    counted = time.perf_counter() - t
    t = time.perf_counter()
    for path in files:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            fh.read(4)
            fh.seek(max(size - 8, 0))
            fh.read(8)
    ends = time.perf_counter() - t
    print(f"{len(files)} partitions: count(*) over every dataset {counted * 1000:.0f} ms; "
          f"two ends of every file {ends * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
