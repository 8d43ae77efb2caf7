"""Serve the web app: static files collected, database migrated, gunicorn started.

    >>> from openbeat.web.server import serve
    >>> serve(host="127.0.0.1", port=8000, lake="data/lake", demo=True)  # doctest: +SKIP

:func:`prepare` does the one-off work and is safe to run on every start: it collects
static files only when their sources changed (whitenoise then serves them hashed and
gzipped) and migrates only when a migration is pending. :func:`serve` runs gunicorn with
that app; workers import the app after the fork, so each opens its own database and lake
connections.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SETTINGS = "openbeat.web.settings"

#: Files scripts/build_static.sh makes; without them pages would lack style and charts.
REQUIRED_BUILD_FILES = ("openbeat/css/openbeat.css", "vendor/vega/vega.min.js",
                        "vendor/vega-lite/vega-lite.min.js", "vendor/vega-embed/vega-embed.min.js",
                        "vendor/govuk-frontend/all.bundle.js")


class ServeError(RuntimeError):
    """The app cannot be served as things stand; the message says what to do."""


@dataclass
class Prepared:
    collected_static: bool = False
    migrations_applied: list[str] = field(default_factory=list)
    static_root: Path | None = None
    database: str = ""


def configure(*, lake: str | os.PathLike | None = None, demo: bool | None = None) -> None:
    """Set the environment the settings read, then set Django up (once per process)."""
    if lake is not None:
        os.environ["OPENBEAT_LAKE"] = str(Path(lake).expanduser().resolve())
    if demo is not None:
        os.environ["OPENBEAT_DEMO"] = "1" if demo else "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise ServeError(str(exc)) from None


def _static_fingerprint() -> str:
    from django.contrib.staticfiles import finders

    h = hashlib.sha256()
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            st = os.stat(storage.path(path))
            h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _collect_static(say: Callable[[str], None]) -> bool:
    from django.conf import settings
    from django.core.management import call_command

    build = Path(settings.STATIC_BUILD_DIR)
    missing = [f for f in REQUIRED_BUILD_FILES if not (build / f).is_file()]
    if missing:
        raise ServeError(
            f"the front-end files are not built ({', '.join(missing)} missing in {build}); "
            "run scripts/build_static.sh (needs Node.js and npm) and try again"
        )
    root = Path(settings.STATIC_ROOT)
    stamp = root / ".openbeat-static-fingerprint"
    fingerprint = _static_fingerprint()
    if stamp.exists() and stamp.read_text() == fingerprint and (root / "staticfiles.json").exists():
        return False
    say(f"collecting static files into {root}")
    root.mkdir(parents=True, exist_ok=True)
    call_command("collectstatic", interactive=False, clear=True, verbosity=0)
    stamp.write_text(fingerprint)
    return True


def _migrate(say: Callable[[str], None]) -> list[str]:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return []
    names = [f"{m.app_label}.{m.name}" for m, backwards in plan if not backwards]
    say(f"applying {len(names)} database migrations")
    call_command("migrate", interactive=False, verbosity=0)
    return names


def prepare(*, say: Callable[[str], None] = lambda s: None) -> Prepared:
    """Collect static files and migrate the database, each only when needed."""
    from django.conf import settings
    from django.db import connections

    out = Prepared(static_root=Path(settings.STATIC_ROOT))
    db = settings.DATABASES["default"]
    out.database = f"{db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}"
    out.collected_static = _collect_static(say)
    try:
        out.migrations_applied = _migrate(say)
    finally:
        connections.close_all()  # never hand an open connection to forked workers
    return out


def _answers_folder() -> Path:
    """The folder workers share kept answers in (``OPENBEAT_CACHE_DIR``), emptied now.

    Emptied at every start: answers are keyed to the lake's state, not to the code, so
    answers an older version of the app kept must not be served by this one.
    """
    import shutil

    from platformdirs import user_data_dir

    # the settings' DATA_DIR, worked out before the settings are read (they read this too)
    default = Path(os.environ.get("OPENBEAT_DATA_DIR") or user_data_dir("openbeat")).expanduser() / "answers"
    folder = Path(os.environ.get("OPENBEAT_CACHE_DIR") or default)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["OPENBEAT_CACHE_DIR"] = str(folder)
    return folder


#: What the demo puts in the app database, in order, after migrating: each a dotted path
#: to a function taking no arguments, safe to run again, returning a line to print.
DEMO_SEEDERS = ["openbeat.accounts.demo.demo_accounts_seed", "openbeat.priorities.demo.demo_priorities_seed",
                "openbeat.events.demo.demo_events_seed", "openbeat.reviews.demo.demo_reviews_seed"]


def seed_demo(*, say: Callable[[str], None] = lambda s: None) -> None:
    """Run :data:`DEMO_SEEDERS` in a child process: they read the lake, and a DuckDB
    connection opened here would be inherited by gunicorn's forked workers (which then crash)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from openbeat.web.server import seed_demo_here; seed_demo_here()"],
                          capture_output=True, text=True)
    for line in done.stdout.splitlines():
        say(line)
    if done.returncode != 0:
        raise ServeError(f"could not seed the demo's accounts:\n{done.stderr.strip()}")


def seed_demo_here() -> None:
    from django.utils.module_loading import import_string

    configure()
    for path in DEMO_SEEDERS:
        print(import_string(path)(), flush=True)


def start_worker(*, say: Callable[[str], None] = lambda s: None):
    """``openbeat worker`` in a child process, with this process's environment."""
    import subprocess
    import sys

    say("starting the background worker (notification emails)")
    return subprocess.Popen([sys.executable, "-m", "openbeat", "worker", "--exit-with-parent", str(os.getpid())])


def default_workers() -> int:
    """gunicorn's rule of thumb, 2 × cores + 1, capped so small hosts keep memory for DuckDB."""
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def gunicorn_options(*, host: str, port: int, workers: int, threads: int, timeout: int) -> dict:
    bind = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
    return {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        # the master queues each connection as a write or a read, and each worker takes the
        # oldest write first: a support or comment is not queued behind reads, and requests
        # are shared among the workers as fairly as the sync worker shares them
        # (openbeat.web.workers; the arbiter is WritesFirstArbiter, see serve())
        "worker_class": "openbeat.web.workers.WritesFirstWorker",
        "timeout": timeout,
        "graceful_timeout": 10,
        # no connection kept alive (the sync worker's way): each request comes through the
        # queues the workers share; a proxy in front keeps the browsers' connections alive
        "keepalive": 0,
        # gunicorn's own 414 is an HTML page; let URLs up to its maximum reach the app, which
        # answers API URLs over 4,094 characters with a JSON 414 (ApiMiddleware)
        "limit_request_line": 8190,
        # recycle workers now and then so a slow leak can never grow without bound; not
        # often, as a new worker starts with an empty cache (at 600 requests a second a
        # worker would be replaced every few seconds with 10,000)
        "max_requests": 200_000,
        "max_requests_jitter": 20_000,
        "accesslog": "-",
        # no personal data in logs: no address, no query string (postcodes are searched
        # with GET), no referrer or user agent; the path, status, size and time only
        "access_log_format": '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
        "errorlog": "-",
        "proc_name": "openbeat",
        # gunicorn's runtime control socket lives at one path per user; two servers
        # (or a test run beside a real one) would fight over it, and we do not use it
        "control_socket_disable": True,
    }


def open_store() -> None:
    """Build the store and import the analytics now (a worker does this when it starts), then
    keep what it holds out of the garbage collector's full collections (:mod:`openbeat.web.heap`)."""
    from openbeat.web import heap, warm
    from openbeat.web.lake_access import get_store, lake_state
    from openbeat.web.shared_figures import available

    warm.serving()  # this process serves: it may compute answers ahead of visitors
    available("profile")  # imports every analytics module (statsmodels, scipy: seconds, once)
    if lake_state().datasets:
        get_store().cursor()
    heap.settle()


def run_gunicorn(app) -> None:
    """Run gunicorn with ``app`` (a gunicorn application) until it stops, its master
    queueing connections for the workers (:class:`openbeat.web.workers.WritesFirstArbiter`)."""
    from openbeat.web.workers import WritesFirstArbiter

    WritesFirstArbiter(app).run()


def serve(*, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None, threads: int = 1,
          lake: str | os.PathLike | None = None, demo: bool | None = None, timeout: int = 30,
          worker: bool | None = None, say: Callable[[str], None] = print) -> None:
    """Prepare the app and serve it with gunicorn until interrupted (Ctrl-C or SIGTERM).

    The demo also seeds its synthetic people and runs the background worker beside the
    server (``worker``, default: on for the demo)."""
    cache_dir = _answers_folder()
    configure(lake=lake, demo=demo)
    prepared = prepare(say=say)
    from django.conf import settings

    from openbeat.web.lake_access import peek_state

    state = peek_state()  # the master forks the workers: it must not open DuckDB
    say(f"database: {prepared.database}")
    if settings.OPENBEAT_CACHE_URL:  # the password, if the URL holds one, is not printed
        where = settings.OPENBEAT_CACHE_URL.split("@")[-1].split("://")[-1]
        say(f"answers and rate limits kept in Redis at {where}, shared with every host using it")
    else:
        say(f"answers kept until the lake changes, shared by the workers, in {cache_dir}")
    say(f"lake: {state.root}" + (" (empty: try 'openbeat demo')" if state.empty else ""))
    if settings.OPENBEAT_DEMO:
        say("demo mode: every page says the data is synthetic")
        seed_demo(say=say)
    options = gunicorn_options(host=host, port=port, workers=workers or default_workers(), threads=threads,
                               timeout=timeout)
    say(f"serving at http://{options['bind']}/ with {options['workers']} workers (Ctrl-C to stop)")
    from openbeat.lake import store_memory

    # each worker holds a store: the host's share of memory for them is divided among them
    os.environ["OPENBEAT_STORE_MEMORY"] = store_memory(processes=options["workers"])

    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from openbeat.web.wsgi import application

            return application


    def post_worker_init(worker):
        # each worker opens its own store (the aggregates load from <lake>/derived in a
        # second or two) before it takes a request, so no visitor waits for it
        try:
            open_store()
        except Exception:  # the first request will try again and show what is wrong
            worker.log.exception("could not open the lake at %s", state.root)

    options["post_worker_init"] = post_worker_init

    child = start_worker(say=say) if (settings.OPENBEAT_DEMO if worker is None else worker) else None
    try:
        run_gunicorn(_App())
    finally:
        if child is not None:
            child.terminate()
            try:
                child.wait(timeout=15)
            except Exception:
                child.kill()
