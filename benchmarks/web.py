"""The web app under load: `openbeat serve` (gunicorn) over a Met-scale lake, driven by wrk.

    DATABASE_URL=postgresql://… .venv/bin/python benchmarks/web.py [--lake DIR] [--workers 3]
        [--threads 4] [--connections 32] [--duration 30] [--warmup 15] [--accounts 64]
        [--mix …] [--months 36 --scale 9.5]

Builds (or reuses) the synthetic Northbridge city at Met scale — 36 months, about 3.3
million street rows (`openbeat.demo.build(lake, out, months=36, scale=9.5)`), the lake
`benchmarks/analytics.py` uses too; `--months`/`--scale` build a smaller one, only to check
the script works — then starts `openbeat serve --demo` on 127.0.0.1 with the app database
named by `--database-url` (default `$DATABASE_URL`; without it, SQLite in a temporary
folder; `serve` migrates it and seeds the demo's people and priorities) and measures, for
each mix:

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
  (d) ward page + panels  signed-in residents' page views of every ward in turn: the ward
                        page (a kept answer, the same for everyone) and the three per-person
                        fragments fragments.js then fetches uncached (`data-ob-fragment`):
                        the header's `/accounts/nav/`, the ward's follow button
                        `/notifications/follow-button/?target_kind=ward&target_code=…` and
                        its priorities panel `/wards/<ward>/priorities/panel/`, each with
                        `next=`. wrk times each request; one more client meanwhile makes
                        whole page views as a browser does (page, then its fragments at
                        once) and their p50/p95 are printed below the table;
  (f) API varied period  `/api/areas/<ward>/profile?from=…&to=…` with a period never asked
                        before on every request: every ward and every period of whole
                        months the lake holds, shuffled; the warm-up and the run use
                        different halves, so every answer of the run is computed;
  (g) first visits      every ward page once, --connections at a time, after the lake
                        changes (once the server has warmed the state it started with, as
                        a server that has run a while has; then the manifest is rewritten
                        as it is: every worker builds a new
                        store, the aggregates are built again, every key changes, as after
                        an ingest): "first visits, now" as soon as the server can have seen
                        the change (the check interval, 2 s), "first visits" when the server
                        logs that it has computed the new state's answers ahead of visitors
                        (`openbeat.web.warm`), or --first-visit-delay seconds after the
                        change (for a server without the warm-up: like with like);
  (e) support/comment POST  each signed-in resident in turn POSTs a support of one demo
                        priority, a comment on it, and the support's withdrawal, each with
                        its CSRF token (form field and cookie): three writes a round, each
                        answered with a redirect. All --connections connections POST, in a
                        closed loop (each sends its next POST when its last is answered), so
                        the latency is about connections / throughput (Little's law): a
                        saturation test of the write path, not what a person waits;
  (h) POST in a reading mix  the same POSTs at --post-rate a second (default 20), arriving
                        at random (Poisson, an open loop: they arrive whatever the server's
                        speed, and each is timed from the moment it was due) while wrk's
                        --connections connections read in a closed loop: ward pages, API
                        profiles and (d)'s signed-in page views with their fragments. The
                        POSTs' p50/p95/p99 are the row; the readers' figures and the POSTs'
                        share of all requests are printed below the table;
  (i) POST open loop R/s  the same POSTs alone, open loop, at each rate of --post-rates in
                        turn (a row per rate, --duration s each after one --warmup at the
                        first rate; the sweep stops after a rate whose p95 is over 1 s):
                        the rate at which the p95 crosses 100 ms is printed below the
                        table. In (h) and (i) a POST still unsent 10 s after the run's end
                        is given up, counted as an error with an infinite latency.

The signed-in residents (`--accounts`, 64) are made in the app database for the run
(`resident<N>@bench.example`, verified, reused by later runs) and signed in with Django's
session engine in that database (`Client.force_login`); each takes its CSRF token and
cookie from the priority's page, as a browser does. The server runs with
`benchmarks/web_settings.py`: the app's settings with the write rate limits (proposals,
supports, comments, reports per account and per address) raised out of reach, because
wrk sends every account's writes from one address hundreds of times a second, which the
real limits would refuse (429) or hold for a moderator within a second. The limits are
still counted on every POST. Comments notify the priority's followers, so the demo's
background worker sends (prints) emails during (e), as it would.

The server computes answers ahead of visitors when it starts (`openbeat.web.warm`); the
mixes start once it logs that it has finished. Each mix: first the **cold** cost (one request per URL in turn, when nothing is cached
yet: the analytics run; not for the POSTs), then a **warm-up** (wrk, --warmup seconds,
results dropped: every worker fills its own cache), then **the run**: wrk with
--connections connections for --duration seconds. Printed: p50, p95 and p99 latency,
requests per second, and errors (socket errors and answers of 400 or more: a redirect
after a POST is its success). The server's log, access log included, is kept in
benchmarks/out/web-serve.log.

wrk comes from Debian: if it is missing, install it with `apt-get install wrk`. The
targets on this 2-core machine: ward page p95 <= 150 ms (with its panels too), API
profile p95 <= 80 ms, police.uk street p95 <= 50 ms, support/comment POST p95 <= 100 ms,
0 errors; (h) and (i) are held to the same 100 ms. Say which of (e), (h) or (i) a POST
figure comes from: they measure different things. The POST clients of (h) and (i) are
Python threads on the same cores as the server and wrk. `--mix` runs one mix only. The police.uk API's per-client rate
limit (15 a second, as police.uk's) is turned off for the run (`OPENBEAT_POLICEUK_RATE=0`):
wrk is one client asking hundreds of times a second, which the limit would answer with 429;
so is the limit of new answers per client (`OPENBEAT_UNCACHED_PER_MINUTE=0`), for (f).
Targets of (f) and (g): p95 <= 300 ms and <= 150 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_LAKE = ROOT / "benchmarks" / "out" / "met-scale" / "lake"
SERVE_LOG = ROOT / "benchmarks" / "out" / "web-serve.log"

#: wrk script: the requests in turn from a file (one a line: method, path, Cookie header and
#: form body, tab-separated; a bare path is a GET), and the percentiles we report as JSON.
#: Each of wrk's threads starts at its own place in the list, so two threads do not send
#: the same account's requests at the same moment.
WRK_LUA = r"""
local reqs = {}
for line in io.lines(os.getenv("OPENBEAT_WRK_URLS")) do
  local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
  if method == nil then method, path, cookie, body = "GET", line, "", "" end
  reqs[#reqs + 1] = {method = method, path = path, cookie = cookie, body = body}
end
local threads = 0
setup = function(thread) thread:set("id", threads); threads = threads + 1 end
local i = 0
init = function(args) i = ((id or 0) * math.floor(#reqs / 2)) % #reqs end
local gzip = os.getenv("OPENBEAT_WRK_GZIP") == "1"
request = function()
  i = i % #reqs + 1
  local r = reqs[i]
  local headers = {}
  if gzip then headers["Accept-Encoding"] = "gzip" end
  if r.cookie ~= "" then headers["Cookie"] = r.cookie end
  local body = nil
  if r.method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = r.body
  end
  return wrk.format(r.method, r.path, headers, body)
end
-- no response() callback: wrk would copy every body into Lua (a megabyte for a police.uk
-- answer) only to count statuses, which summary.errors.status counts anyway (any answer
-- of 400 or more: redirects after a POST are the app's success)
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f, "requests": %d, "seconds": %.3f, "socket_errors": %d, "status_errors": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.requests, summary.duration / 1e6, errors, summary.errors.status))
end
"""


def lake_at(path: Path, months: int = 36, scale: float | None = None):
    """The Met-scale lake: reused when it holds at least 2.5 million street rows (or, for a
    smaller city, the same share of them), else built."""
    from openbeat.demo import MET_SCALE, build
    from openbeat.lake import Lake

    scale = MET_SCALE if scale is None else scale
    lake = Lake(path)
    rows = _street_rows(lake)
    if rows >= 2_500_000 * (scale / MET_SCALE) * (months / 36):
        print(f"lake: {path} ({rows:,} street rows, reused)")
        return lake
    print(f"lake: building the demo city ({months} months, scale {scale}) in {path} (Met scale: about 1–2 "
          "minutes) …", flush=True)
    t = time.perf_counter()
    result = build(lake, path.parent / "out", months=months, scale=scale)
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


def server_env(data: Path, database_url: str | None, keep: bool = True) -> dict:
    """The server's environment: the app database named (SQLite in ``data`` when not), the
    benchmark's settings (web_settings.py: write rate limits raised), no answers kept when
    ``keep`` is false."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    env.update(OPENBEAT_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="benchmarks.web_settings", OPENBEAT_DEMO="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def start_server(lake, workers: int | None, threads: int, data: Path, keep: bool = True,
                 database_url: str | None = None, ready_within: float = 180,
                 port: int | None = None) -> tuple[subprocess.Popen, str]:
    from openbeat.web.launch import LaunchError, launch

    env = server_env(data, database_url, keep)
    if not keep:
        env["OPENBEAT_CACHE_ENTRIES"] = "0"
    env["OPENBEAT_LAKE"] = str(Path(lake.root).resolve())
    env["OPENBEAT_POLICEUK_RATE"] = "0"  # one wrk client is far beyond any per-client limit
    env["OPENBEAT_UNCACHED_PER_MINUTE"] = "0"  # nor may one client ask for 120 new answers a minute
    args = ["--demo", "--lake", str(lake.root), "--threads", str(threads)]
    if workers:
        args += ["--workers", str(workers)]
    try:  # gunicorn's access log included in the log, as deployed
        server = launch(args, env=env, log=data / "serve.log", port=port, cwd=ROOT, ready_within=ready_within)
    except LaunchError as exc:
        sys.exit(str(exc))
    return server.proc, server.base


def ward_codes(lake) -> list[str]:
    from openbeat.analytics.store import Store

    return [a.code for a in Store(lake).areas("ward")]


#: The benchmark's residents: made in the app database by :func:`community_accounts`,
#: in their own domain so the demo's list of accounts never shows them.
BENCH_DOMAIN = "bench.example"


def community_accounts_here(n: int) -> dict:
    """In a process set up with the server's environment: ``n`` signed-in residents and the
    priority they support and comment on. Sessions are made by Django's session engine
    (``Client.force_login``) in the server's database, as signing in would make them."""
    from openbeat.web.server import configure

    configure()
    from allauth.account.models import EmailAddress
    from django.test import Client

    from openbeat.accounts.models import User
    from openbeat.priorities.models import Priority

    priority = (Priority.objects.filter(state__in=[Priority.State.PROPOSED, Priority.State.ADOPTED,
                                                   Priority.State.IN_PROGRESS])
                .order_by("pk").first())
    if priority is None or not priority.is_shown:
        raise SystemExit("the demo has no priority open for support (did `serve --demo` seed it?)")
    sessions = []
    for i in range(n):
        email = f"resident{i + 1}@{BENCH_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=None, display_name=f"Bench resident {i + 1}",
                                            home_ward_code=priority.ward_code, notify_frequency="daily")
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        client = Client()
        client.force_login(user)  # the first of AUTHENTICATION_BACKENDS, as a password sign-in
        sessions.append(client.cookies[settings_cookie()].value)
    return {"priority": priority.pk, "priority_url": priority.get_absolute_url(), "ward": priority.ward_code,
            "cookie": settings_cookie(), "sessions": sessions}


def settings_cookie() -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME


def community_accounts(env: dict, n: int) -> dict:
    """:func:`community_accounts_here` in a child process with the server's environment (a
    Django set up here would hold the database and lake the server's workers also open)."""
    code = f"import json, sys; sys.path.insert(0, 'benchmarks'); import web; print(json.dumps(web.community_accounts_here({n})))"
    got = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if got.returncode != 0:
        sys.exit("could not make the benchmark's residents:\n" + got.stderr[-3000:])
    return json.loads(got.stdout.strip().splitlines()[-1])


def _get(base: str, path: str, cookie: str = "", timeout: float = 60) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(req, timeout=timeout) as r:
        return r.status, r.headers, r.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def signed_in(base: str, accounts: dict) -> list[tuple[str, str]]:
    """Each resident's Cookie header and CSRF token, as a browser gets them: from the
    priority's page, which carries the support and comment forms."""
    out = []
    for session in accounts["sessions"]:
        session = f"{accounts['cookie']}={session}"
        status, headers, body = _get(base, accounts["priority_url"], cookie=session)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        csrf = next((c.split(";")[0] for c in headers.get_all("Set-Cookie") or [] if c.startswith("csrftoken=")), None)
        if status != 200 or token is None or csrf is None:
            sys.exit(f"signing in failed: {accounts['priority_url']} answered {status} without a CSRF token and cookie")
        out.append((f"{session}; {csrf}", token.group(1).decode()))
    return out


def page_view_paths(ward: str) -> list[str]:
    """A ward page and the fragments its page asks for (`data-ob-fragment` in base.html and
    areas/area_detail.html, with the `next=` fragments.js adds)."""
    page = f"/areas/{ward}/"
    nxt = "next=" + urllib.parse.quote(page, safe="")
    return [page, f"/accounts/nav/?{nxt}",
            f"/notifications/follow-button/?target_kind=ward&target_code={urllib.parse.quote(ward)}&{nxt}",
            f"/wards/{urllib.parse.quote(ward)}/priorities/panel/?{nxt}"]


def page_views(base: str, wards: list[str], cookie: str, stop: threading.Event) -> list[float]:
    """Page views as a browser makes them, one after another until ``stop``: the page, then
    its fragments at once; each view's time is the page's plus the slowest fragment's."""
    from concurrent.futures import ThreadPoolExecutor

    def one(path: str) -> float:
        t = time.perf_counter()
        status, _, _ = _get(base, path, cookie=cookie)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        return time.perf_counter() - t

    out = []
    with ThreadPoolExecutor(max_workers=3) as pool:
        k = 0
        while not stop.is_set():
            page, *fragments = page_view_paths(wards[k % len(wards)])
            k += 1
            t = time.perf_counter()
            one(page)
            list(pool.map(one, fragments))
            out.append(time.perf_counter() - t)
    return out


def policeuk_street_path(lake) -> tuple[str, int]:
    """The crimes-street URL for the first neighbourhood's published centre and the latest
    month, and how many crimes it answers with."""
    from openbeat.analytics import policeuk_answers as answers

    con = lake.connect()
    try:
        lat, lng = con.execute("SELECT centre_latitude, centre_longitude FROM neighbourhoods "
                               "ORDER BY neighbourhood_id LIMIT 1").fetchone()
        month = answers.latest_month(con)
        n = len(answers.crimes_street(con, category="all-crime", area=answers.SearchArea(point=(lat, lng)), month=month))
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
    """Each URL once, in turn, before anything is cached: what the first visitor waits.
    (A path may be a request line of the wrk file: GET, path, Cookie header.)"""
    out = []
    for p in paths:
        _, p, cookie, _ = p.split("\t") if "\t" in p else ("GET", p, "", "")
        t = time.perf_counter()
        status, _, _ = _get(base, p, cookie=cookie)
        assert status == 200, (p, status)
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


def community_mixes(base: str, env: dict, wards: list[str], n: int) -> dict[str, list[str]]:
    """The signed-in mixes' wrk request lines: (d) each ward's page view, its page and
    fragments, by the residents in turn; (e) each resident supporting the priority,
    commenting on it and withdrawing the support, with their CSRF token."""
    accounts = community_accounts(env, n)
    people = signed_in(base, accounts)
    views = []
    for k, ward in enumerate(wards * max(1, -(-n // len(wards)))):
        cookie = people[k % n][0]
        views += [f"GET\t{path}\t{cookie}\t" for path in page_view_paths(ward)]
    pk = accounts["priority"]
    posts = []
    for i, (cookie, token) in enumerate(people):
        csrf = "csrfmiddlewaretoken=" + urllib.parse.quote(token)
        comment = urllib.parse.urlencode({"body": f"Benchmark comment from resident {i + 1} (synthetic)."})
        posts += [f"POST\t/priorities/{pk}/support/\t{cookie}\t{csrf}",
                  f"POST\t/priorities/{pk}/comments/\t{cookie}\t{csrf}&{comment}",
                  f"POST\t/priorities/{pk}/support/withdraw/\t{cookie}\t{csrf}"]
    # one of each by hand first: a redirect back to the priority, not to sign-in or a 403
    for line in posts[:3]:
        method, path, cookie, body = line.split("\t")
        req = urllib.request.Request(base + path, data=body.encode(), method=method,
                                     headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.build_opener(_NoRedirect).open(req, timeout=60) as r:
                status, where = r.status, r.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            status, where = exc.code, exc.headers.get("Location", "")
        if status != 302 or "/accounts/" in where:
            sys.exit(f"POST {path} answered {status} {where}: the signed-in residents cannot write")
    print(f"community: {n} signed-in residents; priority {pk} in ward {accounts['ward']}")
    return {"ward page + panels": views, "support/comment POST": posts}


#: Open loop: POSTs not sent within this many seconds after the run's end are given up
#: (counted as errors, their latency as infinite): a server slower than the rate would
#: otherwise take minutes to drain the backlog.
GRACE_SECONDS = 10.0


def open_loop_posts(base: str, lines: list[str], rate: float, seconds: float, seed: int = 11,
                    threads: int = 64) -> dict:
    """POSTs arriving at ``rate`` a second for ``seconds`` (Poisson arrivals, whatever the
    server's speed: an open loop), each sent by one of ``threads`` clients with its own
    connection, in turn through ``lines`` (wrk request lines). Each POST is timed from the
    moment it was due, not from when a client was free to send it, so a server that falls
    behind shows it in the latency (no coordinated omission). Those still unsent
    ``GRACE_SECONDS`` after the end are given up: errors, with an infinite latency."""
    import http.client
    import random
    from concurrent.futures import ThreadPoolExecutor

    host = urllib.parse.urlsplit(base)
    local = threading.local()
    errors: list[str] = []

    def one(line: str, due: float) -> float:
        if time.perf_counter() > give_up:
            errors.append("not sent within the grace period")
            return float("inf")
        _, path, cookie, body = line.split("\t")
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        try:
            conn.request("POST", path, body=body.encode(), headers={
                "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
            r = conn.getresponse()
            r.read()
            if r.status >= 400:
                errors.append(f"{path}: {r.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{path}: {exc}")
            conn.close()
        return time.perf_counter() - due

    arrivals = random.Random(seed)
    futures = []
    with ThreadPoolExecutor(max_workers=threads) as pool:
        start = due = time.perf_counter()
        give_up = start + seconds + GRACE_SECONDS
        k = 0
        while True:
            due += arrivals.expovariate(rate)
            if due - start > seconds:
                break
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            futures.append(pool.submit(one, lines[k % len(lines)], due))
            k += 1
        took = sorted(f.result() for f in futures)
        wall = time.perf_counter() - start
    cut = [took[min(len(took) - 1, int(len(took) * q / 100))] for q in range(1, 100)]  # nearest rank: inf-safe
    return {"p50": cut[49] * 1000, "p95": cut[94] * 1000, "p99": cut[98] * 1000,
            "max": took[-1] * 1000, "requests": len(took), "seconds": wall, "rps": len(took) / wall,
            "socket_errors": 0, "status_errors": len(errors), "cold_p50": None, "cold_p95": None,
            "offered": rate, "error_examples": errors[:3]}


def post_in_reading_mix(base: str, readers: list[str], posts: list[str], connections: int, warmup: int,
                        seconds: int, rate: float, tmp: Path) -> dict:
    """(h) Support/comment POSTs at ``rate`` a second (open loop, :func:`open_loop_posts`)
    while wrk keeps ``connections`` readers busy (closed loop) with ward pages, API
    profiles and signed-in page views with their fragments. The POSTs' latency is the
    figure; the readers' own p95 and the POSTs' share of all requests are kept beside it."""
    wrk(base, readers, connections, warmup, tmp)
    got: dict = {}
    reader = threading.Thread(target=lambda: got.update(wrk(base, readers, connections, seconds, tmp)))
    reader.start()
    try:
        time.sleep(0.5)  # wrk's connections are up
        out = open_loop_posts(base, posts, rate, seconds - 1.0)
    finally:
        reader.join()
    out["readers"] = got
    out["share"] = out["requests"] / (out["requests"] + got["requests"])
    return out


def post_rate_sweep(base: str, posts: list[str], rates: list[float], warmup: int, seconds: int) -> dict[str, dict]:
    """(i) POSTs alone, open loop (:func:`open_loop_posts`), at each arrival rate in turn."""
    open_loop_posts(base, posts, rates[0], warmup)
    out = {}
    for r in rates:
        out[f"POST open loop {r:g}/s"] = got = open_loop_posts(base, posts, r, seconds)
        if got["p95"] > 1000:  # far past the target: higher rates only queue longer
            print(f"POST open loop: p95 over 1 s at {r:g}/s; the higher rates are not run", flush=True)
            break
    return out


def change_lake(lake) -> None:
    """A new lake state with the same data: the manifest rewritten as it is (a new file, as an
    ingest's append makes one), so every worker builds a new store, the aggregates in
    <lake>/derived are built again and every key and ETag changes, as after an ingest."""
    manifest = Path(lake.root) / "manifest" / "manifest.jsonl"
    copy = manifest.with_name(".manifest.bench")
    shutil.copyfile(manifest, copy)
    os.replace(copy, manifest)


WARMED = re.compile(r"warmed (\d+) answers for lake state (\w+) in ([\d.]+) s")


def warmed_lines(log: Path) -> list[re.Match]:
    return list(WARMED.finditer(log.read_text(errors="replace"))) if log.exists() else []


def wait_warmed(log: Path, seen: int, timeout: float) -> re.Match | None:
    """The server's next "warmed N answers" line after the first ``seen``, or None after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = warmed_lines(log)
        if len(lines) > seen:
            return lines[seen]
        time.sleep(0.5)
    return None


def first_visits(base: str, lake, paths: list[str], connections: int, log: Path, delay: float | None,
                 check_seconds: float = 2.0) -> dict:
    """Each URL once, ``connections`` at a time, after the lake changes: as soon as the
    server can have seen the change (``delay`` 0), ``delay`` seconds after it, or (None)
    when the server says it has warmed the new state."""
    from concurrent.futures import ThreadPoolExecutor

    # as on a server that has run a while: the state before the change was warmed (the
    # server's own start-up warm-up), so its kept pages can stand in, marked, meanwhile
    if not warmed_lines(log) and wait_warmed(log, 0, 900) is None:
        sys.exit("the server did not say it had warmed its first lake state within 15 minutes")
    seen = len(warmed_lines(log))
    change_lake(lake)
    changed = time.monotonic()
    warm = None
    if delay is None:
        warm = wait_warmed(log, seen, 900)
        if warm is None:
            sys.exit("the server did not say it had warmed the new lake state within 15 minutes")
    else:
        time.sleep(max(delay, check_seconds + 0.5))
    waited = time.monotonic() - changed

    errors, earlier = [], []

    def one(path: str) -> float:
        t = time.perf_counter()
        try:
            status, headers, _ = _get(base, path, timeout=120)
            if "stale" in (headers.get("X-OpenBeat-Lake-State") or ""):
                earlier.append(path)  # answered, whole, from the state before the change
        except (OSError, urllib.error.HTTPError) as exc:  # e.g. a worker killed at its timeout: a 500
            status = getattr(exc, "code", str(exc))
        if status != 200:
            errors.append(f"{path}: {status}")
        return time.perf_counter() - t

    wall = time.perf_counter()
    with ThreadPoolExecutor(max_workers=connections) as pool:
        took = list(pool.map(one, paths))
    wall = time.perf_counter() - wall
    if errors:
        print(f"first visits: {len(errors)} failed, e.g. {errors[:3]} (see {SERVE_LOG})", flush=True)
    took.sort()
    return {"p50": statistics.median(took) * 1000, "p95": statistics.quantiles(took, n=20)[-1] * 1000,
            "p99": statistics.quantiles(took, n=100)[-1] * 1000, "max": took[-1] * 1000,
            "requests": len(took), "seconds": wall, "rps": len(took) / wall, "socket_errors": 0,
            "status_errors": len(errors), "cold_p50": None, "cold_p95": None, "waited": waited,
            "warm": warm.group(0) if warm else None, "earlier": len(earlier)}


def period_paths(wards: list[str], months: list[str], seed: int = 15) -> tuple[list[str], list[str]]:
    """`/api/areas/<ward>/profile?from=…&to=…` for every ward and every period of whole months
    the lake holds, shuffled: one half for the warm-up, the other for the run, so no request
    of the run asks for an answer already kept."""
    import random

    pairs = [(a, b) for i, a in enumerate(months) for b in months[i:]]
    paths = [f"/api/areas/{w}/profile?from={a}&to={b}" for w in wards for a, b in pairs]
    random.Random(seed).shuffle(paths)
    half = len(paths) // 2
    return paths[:half], paths[half:]


def lake_month_list(lake) -> list[str]:
    from openbeat.analytics.store import Store

    return [f"{m:%Y-%m}" for m in Store(lake).months()]


def main(argv=None) -> int:
    from openbeat.demo import MET_SCALE

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lake", type=Path, default=DEFAULT_LAKE)
    ap.add_argument("--months", type=int, default=36, help="months of the demo city, when it is built")
    ap.add_argument("--scale", type=float, default=MET_SCALE,
                    help="its size, when it is built [default: Met scale]; smaller only to check the script works")
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                    help="the app database [default: $DATABASE_URL; without it, SQLite in a temporary folder]")
    ap.add_argument("--accounts", type=int, default=64, help="signed-in residents for the community mixes")
    ap.add_argument("--workers", type=int, help="gunicorn workers [default: openbeat serve's, 2 × cores + 1]")
    ap.add_argument("--threads", type=int, default=1, help="threads per worker (more than 1: gthread)")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--duration", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=15)
    ap.add_argument("--no-answer-cache", action="store_true",
                    help="keep no answers (OPENBEAT_CACHE_ENTRIES=0): every request renders its page from the "
                         "figures each worker keeps per lake state")
    ap.add_argument("--mix", choices=["ward-pages", "api-profile", "api-periods", "first-visits", "police-uk",
                                      "community-page", "community-post", "post-mixed", "post-rate"],
                    action="append", help="run only this mix (repeatable) [default: all]")
    ap.add_argument("--first-visit-delay", type=float,
                    help="first visits: visit this many seconds after the lake changes [default: when the server "
                         "says it has warmed the new state]; give the same delay to a server without a warm-up")
    ap.add_argument("--post-rate", type=float, default=20.0,
                    help="post-mixed: support/comment POSTs a second arriving among the readers [default: 20]")
    ap.add_argument("--post-rates", default="25,50,100,150,200,300",
                    help="post-rate: the POST arrival rates a second, each for --duration s [default: %(default)s]")
    ap.add_argument("--port", type=int, help="the server's port on 127.0.0.1 [default: a free one]")
    ap.add_argument("--start-timeout", type=float, default=180,
                    help="seconds the server may take to start (migrations, the demo's seeding) [default: 180]")
    args = ap.parse_args(argv)
    post_mixes = [m for m in (args.mix or ["post-mixed", "post-rate"]) if m in ("post-mixed", "post-rate")]
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: on Debian, `apt-get install wrk`")
    lake = lake_at(args.lake, args.months, args.scale)
    wards = ward_codes(lake)
    street, crimes = policeuk_street_path(lake)
    print(f"police.uk street: {street} answers {crimes:,} crimes")
    periods_warmup, periods_run = period_paths(wards, lake_month_list(lake))
    mixes = {"ward pages": [f"/areas/{c}/" for c in wards],
             "API profile": [f"/api/areas/{c}/profile" for c in wards],
             "API varied period": periods_run,
             "first visits, now": [f"/areas/{c}/" for c in wards],
             "first visits": [f"/areas/{c}/" for c in wards],
             "police.uk street": [street], "police.uk gzip": [street],
             "ward page + panels": None, "support/comment POST": None}
    chosen = {"ward-pages": {"ward pages"}, "api-profile": {"API profile"}, "api-periods": {"API varied period"},
              "first-visits": {"first visits, now", "first visits"},
              "police-uk": {"police.uk street", "police.uk gzip"},
              "community-page": {"ward page + panels"}, "community-post": {"support/comment POST"}}
    if args.mix:
        mixes = {name: paths for name, paths in mixes.items()
                 if any(name in chosen[m] for m in args.mix if m in chosen)}
    targets = {"ward pages": 150.0, "API profile": 80.0, "API varied period": 300.0, "first visits, now": 150.0,
               "first visits": 150.0, "police.uk street": 50.0, "police.uk gzip": 50.0,
               "ward page + panels": 150.0, "support/comment POST": 100.0}
    db = (args.database_url or "sqlite (temporary)").split("@")[-1]
    views = []
    with tempfile.TemporaryDirectory(prefix="openbeat-web-bench-") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        keep = not args.no_answer_cache
        proc, base = start_server(lake, args.workers, args.threads, tmp, keep=keep, database_url=args.database_url,
                                  ready_within=args.start_timeout, port=args.port)
        from openbeat.web.server import default_workers

        workers = args.workers or default_workers()
        print(f"server: {base}, {workers} workers × {args.threads} thread(s)"
              + (", keeping no answers" if args.no_answer_cache else "") + ", ready in "
              f"{time.perf_counter() - t:.1f} s (stores opened from <lake>/derived); database {db}")
        results = {}
        try:
            community = None
            if any(paths is None for paths in mixes.values()) or post_mixes:
                community = community_mixes(base, server_env(tmp, args.database_url, keep), wards, args.accounts)
                mixes = {name: paths if paths is not None else community[name] for name, paths in mixes.items()}
            # the server computes answers ahead of visitors when it starts: measure after that
            # (the first visits, measured first, wait for it on their own)
            warming = (ROOT / "openbeat" / "web" / "warm.py").exists() and not args.no_answer_cache
            for name, paths in sorted(mixes.items(), key=lambda kv: not kv[0].startswith("first visits")):
                if warming and not name.startswith("first visits"):
                    t = time.perf_counter()
                    warm = wait_warmed(tmp / "serve.log", 0, 900)
                    print(f"server: {warm.group(0) if warm else 'did not finish warming'} "
                          f"(waited {time.perf_counter() - t:.0f} s)", flush=True)
                    warming = False
                if name.startswith("first visits"):
                    warming = False  # "first visits" waits for the warm-up of its own lake state
                    delay = 0.0 if name.endswith("now") else args.first_visit_delay
                    results[name] = first_visits(base, lake, paths, args.connections, tmp / "serve.log", delay)
                    print(f"{name}: visited {results[name]['waited']:.1f} s after the lake changed"
                          + (f" ({results[name]['warm']})" if results[name]["warm"] else "")
                          + f"; {results[name]['earlier']} of {len(paths)} answered from the state before it",
                          flush=True)
                    continue
                gz = name.endswith("gzip")
                posts = name == "support/comment POST"
                varied = name == "API varied period"  # every request a new answer: no cold pass
                first = [] if posts or varied else cold(base, paths)
                wrk(base, periods_warmup if varied else paths, args.connections, args.warmup, tmp, gzip=gz)
                stop = threading.Event()
                sampler = None
                if name == "ward page + panels":
                    cookie = paths[0].split("\t")[2]
                    sampler = threading.Thread(target=lambda: views.extend(page_views(base, wards, cookie, stop)))
                    sampler.start()
                try:
                    run = wrk(base, paths, args.connections, args.duration, tmp, gzip=gz)
                finally:
                    stop.set()
                    if sampler is not None:
                        sampler.join()
                run["cold_p50"] = statistics.median(first) * 1000 if first else None
                run["cold_p95"] = ((statistics.quantiles(first, n=20)[-1] if len(first) > 1 else first[0]) * 1000
                                   if first else None)
                results[name] = run
            if post_mixes:
                if warming:
                    warm = wait_warmed(tmp / "serve.log", 0, 900)
                    print(f"server: {warm.group(0) if warm else 'did not finish warming'}", flush=True)
                results.update(post_scenarios(args, post_mixes, base, wards, community, tmp))
            rss = memory_mb(proc)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            # the access log says which requests failed (kept after the temporary folder goes)
            SERVE_LOG.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp / "serve.log", SERVE_LOG)
    print(f"\n{args.connections} connections for {args.duration} s after a {args.warmup} s warm-up, "
          f"{len(wards)} wards in turn" + (f"; server memory {rss:,.0f} MB" if rss else "") + ":\n")
    print(f"{'mix':<20} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}  "
          f"{'target p95':>10}  {'cold p50/p95 ms (first visit, nothing cached)':>45}")
    ok = True
    for name, r in results.items():
        errors = r["socket_errors"] + r["status_errors"]
        good = r["p95"] <= targets.get(name, 100.0) and errors == 0
        ok &= good
        first = f"{r['cold_p50']:>20.0f} / {r['cold_p95']:.0f}" if r["cold_p50"] is not None else f"{'—':>20}"
        print(f"{name:<20} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} {r['rps']:8.0f} {errors:7d}  "
              f"{'<= ' + str(int(targets.get(name, 100.0))):>10} {'met' if good else 'MISSED':>6}  {first}")
    if len(views) > 1:
        cut = statistics.quantiles(views, n=20)
        print(f"\nward page + panels, whole page views (page, then its 3 fragments at once) by one more client "
              f"during the run: {len(views)} views, p50 {statistics.median(views) * 1000:.1f} ms, "
              f"p95 {cut[-1] * 1000:.1f} ms")
    print_post_scenarios(results)
    return 0 if ok else 1


def post_scenarios(args, which: list[str], base: str, wards: list[str], community: dict, tmp: Path) -> dict:
    """(h) and (i): the support/comment POSTs of (e) in the two other scenarios."""
    out = {}
    posts = community["support/comment POST"]
    if "post-mixed" in which:
        readers = ([f"/areas/{c}/" for c in wards] + [f"/api/areas/{c}/profile" for c in wards]
                   + community["ward page + panels"])
        out["POST in a reading mix"] = post_in_reading_mix(base, readers, posts, args.connections, args.warmup,
                                                           args.duration, args.post_rate, tmp)
    if "post-rate" in which:
        rates = [float(r) for r in args.post_rates.split(",") if r.strip()]
        out.update(post_rate_sweep(base, posts, rates, args.warmup, args.duration))
    return out


def print_post_scenarios(results: dict) -> None:
    mixed = results.get("POST in a reading mix")
    if mixed:
        r = mixed["readers"]
        print(f"\nPOST in a reading mix: {mixed['offered']:g} POSTs a second offered (open loop) while "
              f"wrk's readers (closed loop) made {r['rps']:.0f} requests a second, p50 {r['p50']:.1f} ms, "
              f"p95 {r['p95']:.1f} ms, {r['socket_errors'] + r['status_errors']} errors; "
              f"the POSTs were {100 * mixed['share']:.1f}% of all requests")
    sweep = [(r["offered"], r) for name, r in results.items() if name.startswith("POST open loop")]
    if sweep:
        under = [rate for rate, r in sweep if r["p95"] <= 100.0]
        over = [rate for rate, r in sweep if r["p95"] > 100.0]
        print(f"\nPOST open loop: p95 <= 100 ms up to {max(under) if under else 0:g} POSTs a second offered"
              + (f"; above 100 ms from {min(over):g} a second" if over else "; never above in this sweep"))
    for name, r in results.items():
        if r.get("error_examples"):
            print(f"{name}: errors, e.g. {r['error_examples']}")


if __name__ == "__main__":
    sys.exit(main())
