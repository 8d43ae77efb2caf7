"""Bad inputs against the CLI's query, the lake, ingest and the web app: tried / handled cleanly / mishandled.

    DATABASE_URL=... .venv/bin/python benchmarks/probe.py   # about a minute; writes under benchmarks/out/probe

Issue 9's probe, made repeatable. Each input is tried on a fresh copy of what it attacks
and judged by what it must never do:

* **query** — every statement kind DuckDB has (tests/test_lake.py's list), plain, under
  ``EXPLAIN`` and under ``EXPLAIN ANALYZE``: clean when no file outside or inside the lake
  changed, no request reached a local HTTP server, the secret file beside the lake never
  appears in the output, and any failure is ``ReadOnlyError`` or a DuckDB error;
* **ingest** — hostile files (bombs, line endings, headers, duplicates …): clean when the
  run ends in a report (no exception), a failure names the file in under 400 characters
  of message, every partition still reads, and the rows reported loaded are in the lake;
* **lake** — stray folders and a tampered partition: clean when queries still work, the
  stray is listed by ``status`` and a re-ingest repairs the partition;
* **web** — bad URLs and methods through the Django test client over a small synthetic
  city: clean when there is no 5xx, an API answer is JSON in the one error shape, no
  ``<script>`` comes back unescaped in HTML (JSON may quote it: it is served as
  ``application/json`` with ``nosniff``), and the status is the documented one.

Prints one line per input that was mishandled, then the table.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import http.server
import io
import os
import shutil
import sys
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))  # after PYTHONPATH, so another checkout's openbeat can be probed
OUT = ROOT / "benchmarks" / "out" / "probe"

RESULTS: list[tuple[str, str, bool, str]] = []  # (area, input, clean, why not)


def record(area: str, name: str, check: Callable[[], str | None]) -> None:
    try:
        problem = check()
    except Exception:  # an uncaught exception is itself mishandling
        problem = "raised " + traceback.format_exc().strip().splitlines()[-1]
    RESULTS.append((area, name, problem is None, problem or ""))


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


# ---- query ---------------------------------------------------------------------------


class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802
        _Counter.hits += 1
        self.send_response(200)
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, *a):
        pass


def probe_query(base: Path) -> None:
    import duckdb

    from openbeat.ingest import ingest_paths
    from openbeat.lake import Lake, ReadOnlyError, query
    from tests.ingest.fakeserver import serving
    from tests.ingest.test_police_csv import STREET_HEADER, STREET_ROWS, write
    from tests.test_lake import statements

    root = base / "query"
    lake = Lake(root / "lake")
    ingest_paths([write(root / "src" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)], lake=lake)
    (root / "secret.txt").write_text("SECRET-KEY-VALUE\n")
    (root / "out").mkdir()
    with serving(_Counter) as web:
        for kind, sqls in statements(root, lake.root, web).items():
            for sql in sqls:
                for prefix in ("", "EXPLAIN ", "EXPLAIN ANALYZE "):
                    text = ";".join(prefix + s.strip() for s in sql.split(";"))

                    def check(text=text):
                        before, hits = digest(root), _Counter.hits
                        try:
                            out = repr(query(lake, text))
                        except (ReadOnlyError, duckdb.Error) as e:
                            out = str(e)
                        if digest(root) != before:
                            return "changed a file"
                        if _Counter.hits != hits:
                            return "reached the network"
                        if "SECRET-KEY-VALUE" in out:
                            return "read the secret file"
                        return None

                    record("query", f"{kind}: {text[:70]}", check)


# ---- ingest --------------------------------------------------------------------------


def probe_ingest(base: Path) -> None:
    from openbeat.ingest import ingest_paths
    from openbeat.lake import Lake, query
    from tests.ingest.test_police_csv import STREET_HEADER, STREET_ROWS

    rows = [r.replace("2023-03", "2024-03") for r in STREET_ROWS]
    good = (STREET_HEADER + "\r\n" + "\r\n".join(rows) + "\r\n").encode()
    bomb = (STREET_HEADER + "\n").encode() + (rows[0] + "\n").encode() * 400_000  # ~ 60 MB of one row

    def zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=method) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
        return buf.getvalue()

    name = "2024-03-test-street.csv"
    cases: dict[str, tuple[str, bytes]] = {
        "zip bomb (~60 MB of one row)": ("a.zip", zip_of({f"2024-03/{name}": bomb})),
        "gzip bomb": (name + ".gz", gzip.compress(bomb, mtime=0)),
        "huge member with a wrong header": ("b.zip", zip_of({f"x/{name}": bomb.replace(b"Month", b"Mon", 1)})),
        "header of 200,000 characters": (name, ("Crime ID,Mon" + "x" * 200_000 + "\n").encode() + good),
        "CR inside the header": (name, good.replace(b"Month", b"Mo\rnth", 1)),
        "CR-only line endings": (name, good.replace(b"\r\n", b"\r")),
        "stray CR in a field": (name, good.replace(b"No Location", b"No\rLocation", 1)),
        "quoted LF in a CRLF file": (name, good.replace(b"On or near ,", b'"On or near\nSomewhere",', 1)),
        "two members, one partition": ("c.zip", zip_of({f"2024-03/{name}": good, f"copy/{name}": good[:400]})),
        "truncated gzip": (name + ".gz", gzip.compress(good, mtime=0)[:-20]),
        "not gzip at all": (name + ".gz", good),
        "empty file": (name, b""),
        "header only": (name, good.split(b"\r\n")[0] + b"\r\n"),
        "BOM and LF endings": (name, b"\xef\xbb\xbf" + good.replace(b"\r\n", b"\n")),
        "binary garbage": (name, os.urandom(5000)),
        "not UTF-8 in a row": (name, good.replace(b"Drugs", b"Dr\xffugs", 1)),
        "a field of 10 MB": (name, good.replace(b"On or near ,", b"On or near " + b"y" * (10 << 20) + b",", 1)),
        "unknown crime type": (name, good.replace(b"Drugs", b"Time travel", 1)),
        "month that disagrees": (name, good.replace(b"2024-03,Test", b"2024-02,Test", 1)),
        "every month wrong": (name, good.replace(b"2024-03", b"2024-02")),
        "coordinates out of range": (name, good.replace(b"51.520463", b"951.5", 1)),
        "NaN coordinates": (name, good.replace(b"-0.106345,51.520463", b"nan,nan", 1)),
        "too many columns": (name, good.replace(b"Drugs,", b"Drugs,extra,", 1)),
        "unbalanced quote": (name, good.replace(b"On or near ,", b'"On or near ,', 1)),
        "corrupt zip": ("d.zip", zip_of({f"2024-03/{name}": good})[:-30]),
        "not a police.uk name": ("crimes.csv", good),
        "zip with a path-traversal member name": ("e.zip", zip_of({f"../../{name}": good})),
    }
    for label, (fname, data) in cases.items():
        def check(label=label, fname=fname, data=data):
            folder = base / "ingest" / hashlib.md5(label.encode()).hexdigest()[:8]
            src = folder / "src" / fname
            src.parent.mkdir(parents=True)
            src.write_bytes(data)
            lake = Lake(folder / "lake")
            report = ingest_paths([src], lake=lake)
            for fr in report.failed:
                message = fr.error.replace(str(src), "")
                if str(src.name) not in fr.error and fname not in fr.error:
                    return f"error names no file: {fr.error[:120]}"
                if len(message) > 400:
                    return f"error of {len(fr.error):,} characters"
            loaded = sum(f.rows_loaded for f in report.files)
            in_lake = query(lake, "SELECT count(*) FROM crimes")[1][0][0]
            if loaded != in_lake:
                return f"reported {loaded} rows loaded, the lake holds {in_lake}"
            if not (folder / "src").exists() or (folder.parent.parent / name).exists():
                return "wrote outside its folder"
            return None

        record("ingest", label, check)


# ---- lake layout ---------------------------------------------------------------------


def probe_lake(base: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from openbeat.ingest import ingest_paths
    from openbeat.lake import Lake, query
    from tests.ingest.test_police_csv import STREET_HEADER, STREET_ROWS, write

    def fresh(tag: str) -> tuple[Lake, Path]:
        root = base / "lake" / tag
        lake = Lake(root / "lake")
        f = write(root / "src" / "2023-03-test-street.csv", STREET_HEADER, STREET_ROWS)
        ingest_paths([f], lake=lake)
        return lake, f

    for stray in ("old-copy", "x AS SELECT 1; SELECT 2 --", "Areas", "crimes/force=test/month=2023-13"):
        def check(stray=stray):
            lake, _ = fresh(hashlib.md5(stray.encode()).hexdigest()[:8])
            target = lake.root / stray / "part.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(lake.partition_path(lake.partitions("crimes")[0]), target)
            if query(lake, "SELECT count(*) FROM crimes")[1] != [(5,)]:
                return "the stray changed what crimes holds"
            if target not in lake.strays():
                return "status does not list it"
            return None

        record("lake", f"stray folder {stray!r}", check)

    def tampered():
        lake, f = fresh("tampered")
        path = lake.partition_path(lake.partitions("crimes")[0])
        t = pq.read_table(path)
        forged = t.set_column(t.schema.get_field_index("crime_type"), "crime_type", pa.array(["Forged"] * t.num_rows))
        pq.write_table(forged.replace_schema_metadata(pq.read_metadata(path).metadata), path)
        if ingest_paths([f], lake=lake).files[0].status != "loaded":
            return "re-ingest said unchanged"
        if query(lake, "SELECT count(*) FROM crimes WHERE crime_type = 'Forged'")[1] != [(0,)]:
            return "forged rows stayed"
        return None

    record("lake", "partition rewritten keeping its source_sha256", tampered)


# ---- web -----------------------------------------------------------------------------


def probe_web(base: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.web.settings_test")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from openbeat.demo import build
    from openbeat.lake import Lake
    from openbeat.web import lake_access, shared_figures

    setup_test_environment()
    lake = Lake(OUT / "city" / "lake")
    if not (lake.root / "manifest").exists():
        build(lake, OUT / "city" / "out", seed=11, months=27, end="2025-12", scale=0.5)
    settings.OPENBEAT_LAKE = str(lake.root)
    settings.ALLOWED_HOSTS = ["testserver"]
    lake_access.reset()
    shared_figures.clear()
    ward = "X05000001"
    cases = [
        ("GET", f"/api/areas/{ward}/profile?to=9998-12", 422),
        ("GET", f"/api/areas/{ward}/profile?from=0000-01", 422),
        ("GET", f"/api/areas/{ward}/trends?to=4040-12", 422),
        ("GET", f"/api/areas/{ward}/profile?from=2025-06&to=2025-01", 400),
        ("GET", f"/api/areas/{ward}/hotspots?cell_size=100", 200),
        ("GET", f"/api/areas/{ward}/hotspots?cell_size=7", 422),
        ("GET", f"/api/areas/{ward}/hotspots?crime_type=<script>alert(1)</script>", 400),
        ("GET", f"/api/areas/{ward}/profile?crime_type=<script>alert(1)</script>", 200),  # not its parameter
        ("GET", "/api/areas/X05000001'%20OR%201=1--/profile", 422),  # not an area code's pattern
        ("GET", "/api/areas/%3Cscript%3E", 422),
        ("GET", "/api/areas/X05999999/profile", 404),
        ("GET", f"/api/areas/{ward}/profile?table=nope", 400),
        ("GET", "/api/areas?limit=0", 422),
        ("GET", "/api/areas?limit=100000000000000000000", 422),
        ("GET", "/api/locate?q=" + "%00" * 20, 400),
        ("GET", "/api/areas?q=" + "a" * 5000, 414),
        ("POST", "/api/areas", 405),
        ("DELETE", f"/api/areas/{ward}", 405),
        ("HEAD", f"/api/areas/{ward}/profile", 200),
        ("HEAD", f"/areas/{ward}/", 200),
        ("GET", "/areas/?q=<script>alert(1)</script>", 200),
        ("GET", f"/areas/{ward}/?from=9998-12", 200),
        ("GET", f"/areas/{ward}/?to=0000-01", 200),
        ("GET", "/no-such-page/<script>", 404),
        ("POST_CSRF", "/areas/", 403),
    ]
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for method, url, expected in cases:
            def check(method=method, url=url, expected=expected):
                if method == "POST_CSRF":
                    r = Client(enforce_csrf_checks=True).post(url, {"q": "x"})
                    page = r.content.decode()
                    if r.status_code != 403 or "CSRF verification failed" in page or "govuk-heading-l" not in page:
                        return f"{r.status_code}: not the site's own refusal page"
                    return None
                r = getattr(Client(), method.lower())(url)
                if r.status_code >= 500:
                    return f"{r.status_code}"
                if r.status_code != expected:
                    return f"{r.status_code}, expected {expected}"
                body = r.content.decode("utf-8", "replace")
                # JSON may quote what was sent (served as application/json with nosniff, never run)
                if "<script>alert(1)</script>" in body and not r["Content-Type"].startswith("application/json"):
                    return "reflected a script unescaped in HTML"
                if r.get("X-Content-Type-Options") != "nosniff":
                    return "no X-Content-Type-Options: nosniff"
                if url.startswith("/api/") and method != "HEAD" and r.status_code >= 400:
                    shape = set(r.json())
                    if shape != {"status", "code", "message", "hint", "errors"}:
                        return f"error in another shape: {sorted(shape)}"
                return None

            record("web", f"{method} {url[:70]}", check)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)

    def weak_key():
        import runpy

        from django.core.exceptions import ImproperlyConfigured

        env = dict(os.environ)
        try:
            for name in ("DEBUG", "OPENBEAT_DEMO"):
                os.environ.pop(name, None)
            os.environ["SECRET_KEY"] = "changeme"
            runpy.run_path(str(ROOT / "openbeat" / "web" / "settings.py"))
        except ImproperlyConfigured as e:
            return None if "too weak" in str(e) else str(e)
        finally:
            os.environ.clear()
            os.environ.update(env)
        return "SECRET_KEY=changeme was accepted"

    record("web", "SECRET_KEY=changeme outside demo mode", weak_key)


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    shutil.rmtree(OUT / "runs", ignore_errors=True)
    base = OUT / "runs"
    base.mkdir(parents=True)
    probe_query(base)
    probe_ingest(base)
    probe_lake(base)
    probe_web(base)
    for area, name, clean, why in RESULTS:
        if not clean:
            print(f"MISHANDLED [{area}] {name}: {why}")
    print()
    print("| area | tried | handled cleanly | mishandled |")
    print("|---|---:|---:|---:|")
    for area in ("query", "ingest", "lake", "web"):
        rows = [r for r in RESULTS if r[0] == area]
        print(f"| {area} | {len(rows)} | {sum(r[2] for r in rows)} | {sum(not r[2] for r in rows)} |")
    print(f"| **all** | {len(RESULTS)} | {sum(r[2] for r in RESULTS)} | {sum(not r[2] for r in RESULTS)} |")


if __name__ == "__main__":
    main()
