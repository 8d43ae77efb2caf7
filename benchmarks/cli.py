"""How long people wait for the ``openbeat`` command: start-up to exit, in a new process each run.

Four things a user does on the demo lake (issue 15's goals beside them): ``openbeat
--help`` (≤ 0.3 s), ``openbeat locate`` with coordinates and with a postcode (≤ 0.5 s),
one ward's profile (≤ 1 s) and ``openbeat status`` (≤ 0.5 s). Beside them, floors no
Python command can beat: ``python -c pass`` and ``python -c "import duckdb"`` (every
command that reads the lake needs DuckDB).

Each command runs ``--runs`` times after one unmeasured run (which fills the page cache
and, for the profile, writes the lake's aggregate files as any first reader would);
wall time is from spawn to exit, peak RSS is the child's own (``wait4``).

``--compare REV`` also times the same commands with the ``openbeat`` package as it was at
git revision REV (``git archive`` into benchmarks/out/, put first on PYTHONPATH), back to
back, one command at a time, so load on the machine hits both alike.

``--cold-bytecode`` runs with an empty bytecode cache (``PYTHONPYCACHEPREFIX`` pointed
at a new folder) and, as the environment may also set, ``PYTHONDONTWRITEBYTECODE=1``:
every module is compiled from source in every run — what a fresh install without
precompiled bytecode costs (see README.md). Without it, the measured packages are
compiled once first, as a Python that may write its cache has them after a first run.

Run:  .venv/bin/python benchmarks/cli.py  [--runs 10] [--lake DIR] [--compare REV] [--cold-bytecode]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
PY = sys.executable
OPENBEAT = [PY, "-m", "openbeat"]

#: (label, argv after ``openbeat`` or None for a floor, goal in seconds)
COMMANDS = [
    ("python -c pass", [PY, "-c", "pass"], None),
    ('python -c "import duckdb"', [PY, "-c", "import duckdb"], None),
    ("openbeat --help", [*OPENBEAT, "--help"], 0.3),
    ("openbeat locate 53.0,-1.5", [*OPENBEAT, "locate", "53.0,-1.5"], 0.5),
    ('openbeat locate "NB10 0DD"', [*OPENBEAT, "locate", "NB10 0DD"], 0.5),
    ("openbeat analyse profile --area X05000005", [*OPENBEAT, "analyse", "profile", "--area", "X05000005"], 1.0),
    ("openbeat status", [*OPENBEAT, "status"], 0.5),
]


def run_once(argv: list[str], env: dict) -> tuple[float, float, float]:
    """(seconds, peak RSS in MB, CPU seconds) of one run in a new process; fails loudly if the command does."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=OUT)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.strip()[-500:]}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # Linux reports KiB


def measure(argv: list[str], env: dict, runs: int) -> dict:
    run_once(argv, env)  # warm-up, not counted
    times, rss, cpu = zip(*(run_once(argv, env) for _ in range(runs)))
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "peak_rss_mb": max(rss), "median_cpu_s": statistics.median(cpu), "runs": runs}


def ensure_lake(lake: Path, env: dict) -> None:
    if (lake / "manifest" / "manifest.jsonl").exists():
        return
    print(f"building the demo lake in {lake} (openbeat demo, about a minute) …", flush=True)
    subprocess.run([*OPENBEAT, "demo", "--lake", str(lake)], env=env, check=True, stdout=subprocess.DEVNULL)


def source_of(rev: str) -> Path:
    """The openbeat package as of git revision ``rev``, extracted under benchmarks/out/."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout.strip()
    dest = OUT / f"openbeat-{sha}"
    if not (dest / "openbeat" / "__init__.py").exists():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha, "openbeat"], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--lake", type=Path, default=OUT / "cli-lake")
    ap.add_argument("--compare", metavar="REV", help="Also time the package as of this git revision.")
    ap.add_argument("--cold-bytecode", action="store_true", help="No bytecode cache: compile every module each run.")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "OPENBEAT_LAKE")}
    env["OPENBEAT_LAKE"] = str(args.lake.resolve())
    ensure_lake(args.lake, env)
    if args.cold_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="no-pycache-")
    variants = {"now": env}
    sources = [ROOT / "openbeat"]
    if args.compare:
        source = source_of(args.compare)
        variants[args.compare] = env | {"PYTHONPATH": str(source)}
        sources.append(source / "openbeat")
    if not args.cold_bytecode:  # as a Python that may write its cache has it after a first run
        subprocess.run([PY, "-m", "compileall", "-q", *map(str, sources)], check=True)

    results = []
    print(f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"{args.runs} runs each; bytecode cache {'off' if args.cold_bytecode else 'as installed'}")
    print(f"{'command':<45} {'version':>8} {'median s':>9} {'max s':>7} {'CPU s':>6} {'peak MB':>8} {'goal s':>7}")
    for label, argv, goal in COMMANDS:
        for name, venv in variants.items():
            if goal is None and name != "now":
                continue  # floors do not depend on the package
            r = measure(argv, venv, args.runs) | {"command": label, "version": name, "goal_s": goal}
            results.append(r)
            verdict = "" if goal is None else ("met" if r["median_s"] <= goal else "MISSED")
            print(f"{label:<45} {name:>8} {r['median_s']:>9.3f} {r['max_s']:>7.3f} {r['median_cpu_s']:>6.3f} "
                  f"{r['peak_rss_mb']:>8.0f} "
                  f"{'' if goal is None else f'{goal:.1f}':>7} {verdict}", flush=True)
    meta = {"machine": platform.machine(), "cores": os.cpu_count(), "load_average": os.getloadavg(),
            "cold_bytecode": args.cold_bytecode, "python": platform.python_version()}
    out = OUT / ("cli-cold.json" if args.cold_bytecode else "cli.json")
    out.write_text(json.dumps({"meta": meta, "results": results}, indent=2))
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
