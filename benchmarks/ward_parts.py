"""The CPU of a cold ward page's analytics, part by part, in one process (no Django, no HTTP).

    .venv/bin/python benchmarks/ward_parts.py --lake LAKE [--wards 20] [--seed 7] \
        [--parts profile,hotspots,stop_search] [--profile OUT.prof]

The wards are those ``benchmarks/ward_cold.py`` draws for the same ``--wards`` and ``--seed``
(one per force in turn). One ward's figures are computed first, so what is read once per
state of the lake is not counted; then each ward's ``profile`` (the latest 12 months and
every month, as an area page asks), ``hotspots`` and ``stop_search`` are computed once, in
turn, nothing else kept between wards but what the store keeps per lake state. DuckDB runs on
one thread, so the CPU seconds (``time.process_time``) are the part's own and less disturbed
by a loaded machine than wall time. ``--profile`` writes cProfile's statistics of the parts.
"""

from __future__ import annotations

import argparse
import cProfile
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lake", type=Path, required=True)
    ap.add_argument("--wards", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--parts", default="profile,hotspots,stop_search")
    ap.add_argument("--profile", type=Path, help="write cProfile statistics of the parts here")
    args = ap.parse_args(argv)

    from openbeat.analytics.hotspots import hotspots
    from openbeat.analytics.profiles import area_profile
    from openbeat.analytics.stopsearch import stop_search
    from openbeat.analytics.store import Store
    from openbeat.lake import Lake

    store = Store(Lake(args.lake), threads=1)
    by_force: dict[str, list[str]] = defaultdict(list)
    for ward, force in store.cursor().execute(
            "SELECT ward_code, any_value(force) FROM crime_counts WHERE ward_code IS NOT NULL GROUP BY 1").fetchall():
        by_force[force].append(ward)
    rng = random.Random(args.seed)  # the same draw as ward_cold.py
    forces = sorted(f for f in by_force if f)
    rng.shuffle(forces)
    sample = [rng.choice(sorted(by_force[forces[i % len(forces)]])) for i in range(args.wards)]
    months = store.months()
    first, last = f"{months[0]:%Y-%m}", f"{months[-1]:%Y-%m}"
    every = {
        "profile": lambda c: (area_profile(store, c), area_profile(store, c, first, last)),
        "hotspots": lambda c: hotspots(store, c),
        "stop_search": lambda c: stop_search(store, c),
    }
    parts = {name: every[name] for name in args.parts.split(",")}
    for fn in parts.values():
        fn(sample[-1])  # what every page reads once per lake state
    prof = cProfile.Profile() if args.profile else None
    spent: dict[str, float] = defaultdict(float)
    for code in sample:
        for name, fn in parts.items():
            if prof:
                prof.enable()
            c = time.process_time()
            fn(code)
            spent[name] += time.process_time() - c
            if prof:
                prof.disable()
    n = len(sample)
    print(f"{n} wards, CPU ms per ward page (DuckDB on 1 thread): "
          + ", ".join(f"{k} {v / n * 1000:.1f}" for k, v in spent.items())
          + f"; all {sum(spent.values()) / n * 1000:.1f}")
    if prof:
        prof.dump_stats(args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
