"""Answers computed ahead of visitors: after the lake changes, one worker fills the shared cache.

A ward page's figures take a few hundred milliseconds to compute at Met scale; once kept
(:mod:`openbeat.web.cache`) it costs a look-up. So when a worker first sees a new lake state
(an ingest finished, or the server started), it offers to *warm* it: the first worker of
any host to claim the state in the answer cache (``cache.add``, so one claim per state
across every worker and, with Redis, every host) requests, inside its own process and
through the whole middleware stack as an anonymous visitor would,

1. the pages and API answers this worker has served most since it started (its own
   sample of what people ask for);
2. for each force, newest data first (the force whose partition files were written last):
   its ward pages, its borough pages, the force's page; then the API profile of every ward
   and borough.

The same thread publishes new lake states (:mod:`openbeat.web.lake_access`): it looks at the
lake every ``OPENBEAT_LAKE_CHECK_SECONDS`` (at least a second) and, when the lake holds a
state newer than the one this worker serves, the worker that claims its warm-up builds the
new store first (off the request path), warms the new state on it and then publishes it;
every other worker keeps serving its snapshot of the previous state until the new state is
warmed, then builds its own new store here and publishes it. After
``OPENBEAT_STALE_SECONDS`` since a worker first saw the new state, it publishes it warmed
or not. So the 2 cores are never spent on every worker's rebuild at once while visitors
wait, and a visitor is answered from one whole state (the previous one, marked, or the new
one's kept answer) at every moment.

Each answer is kept exactly as a visitor's would be (same key, same rules: nothing
per-person), so a visitor who comes after it gets a kept answer. Warming is background
work, bounded to ``OPENBEAT_WARM_SHARE`` of one core: after each answer the thread waits
``spent × (1 − share) / share`` (and runs at a lower CPU priority, nice 10), and it stops as soon
as the lake changes again (the next state's warm-up takes over). It starts an answer only
while its own process serves no visitor (:class:`VisitorsFirst`, :func:`_after_visitors`):
both need the process's one GIL, and a thread of low CPU priority that holds it while a
busy machine runs something else keeps the visitor's thread waiting. Warm-up requests are not
counted against the per-client limit of new answers. Nothing is warmed when each process
keeps its own answers (the local-memory cache: it would warm one worker of many).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

log = logging.getLogger("openbeat.web.warm")

#: A request made by the warm-up carries this in its WSGI environ (a client cannot set it:
#: headers arrive as ``HTTP_*``).
WARMING = "openbeat.warming"
#: And a request made by :func:`first_page` this too: its answer is computed even when one is
#: kept already (another worker prepared first), since computing it is what prepares.
PREPARING = "openbeat.preparing"
#: How many of the most-served answers are warmed first.
MOST_VISITED = 200

_visits: Counter[str] = Counter()
_lock = threading.Lock()
#: Visitors' requests being served in this process now (:class:`VisitorsFirst`).
_visitors = 0
_visitors_gone = threading.Condition()
#: The longest the warm-up waits for its process's visitors to be served before its next
#: answer: a process with several threads may never be without one.
VISITORS_WAIT = 5.0
_wake = threading.Event()
_thread: threading.Thread | None = None
_serving: list[int] = []
#: A claim lapses this long after the claiming worker last renewed it (after each answer, and
#: every quarter of this while it builds the new store), so only when the worker died mid-way;
#: the others then take the state over.
CLAIM_SECONDS = 120
#: The warm-up thread's niceness: visitors' requests come first when a core is contended,
#: yet it is not starved by every other process of a busy machine (19 would be).
NICE = 10


def visited(path: str) -> None:
    """Count one visitor's answer (``path`` with its kept query) in this process."""
    _visits[path] += 1  # a lost increment under a race costs nothing


def enabled() -> bool:
    backend = settings.CACHES[settings.OPENBEAT_RESPONSE_CACHE]["BACKEND"]
    return (float(settings.OPENBEAT_WARM_SHARE) > 0 and int(settings.OPENBEAT_CACHE_ENTRIES) > 0
            and not backend.endswith("LocMemCache"))


class VisitorsFirst:
    """Middleware: counts the visitors' requests this process is serving (not the warm-up's
    own), so the warm-up starts its next answer only once they are answered (see the
    module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get(WARMING):
            return self.get_response(request)
        global _visitors
        with _visitors_gone:
            _visitors += 1
        try:
            return self.get_response(request)
        finally:
            with _visitors_gone:
                _visitors -= 1
                if not _visitors:
                    _visitors_gone.notify_all()


def _after_visitors(timeout: float | None = None) -> bool:
    """Wait until this process serves no visitor (at most ``timeout`` seconds, default
    :data:`VISITORS_WAIT`); False when it still does."""
    with _visitors_gone:
        return _visitors_gone.wait_for(lambda: _visitors == 0, VISITORS_WAIT if timeout is None else timeout)


def serving() -> None:
    """This process serves requests (a gunicorn worker): it may warm, and its thread publishes
    new lake states. Other processes that read the lake with the web's settings (the demo's
    seeder, a management command) never claim a state they would not live to warm."""
    from openbeat.web import lake_access

    _serving.append(os.getpid())
    if first_page not in lake_access.preparers:
        lake_access.preparers.append(first_page)
    if lake_changed not in lake_access.on_new_state:
        lake_access.on_new_state.append(lake_changed)
    if _running not in lake_access.background:
        lake_access.background.append(_running)


def first_page(snap) -> None:
    """Render one ward's page on a new store before this process serves it (at start, before
    the worker takes a request; after a lake change, in the background): what a process's
    first page of a lake state costs and later ones do not (the state's look-ups, memos
    read on first use, templates compiled, modules imported on first use: 0.9-4.6 s on a
    national lake while a loaded machine's workers started) is then paid here, and what the
    first page of each force would (:func:`openbeat.analytics.stopsearch.prepare_forces`) and of
    each borough (:func:`~openbeat.analytics.stopsearch.prepare_borough_ratios`), and what the
    first health check would (every partition's two ends).
    The page is computed even when its answer is kept already (:data:`PREPARING`): the workers
    of a server prepare the same ward, and a worker that found the answer another had kept
    would have prepared nothing (its first visitor then paid about 0.15 s of CPU more: the
    templates compiled, the URL patterns read, the map's transformer made, the figures' first
    reads). The answer is kept like the warm-up's. Never raises: a visitor's request will say
    what is wrong."""
    from openbeat.web import lake_access

    if os.getpid() not in _serving or snap.state.empty:
        return
    try:
        from openbeat.analytics.coverage import Coverage
        from openbeat.analytics.stopsearch import prepare_borough_ratios, prepare_forces

        prepare_forces(snap.store)  # each force's, read by the first page of each force
        prepare_borough_ratios(snap.store)  # each borough's ratio, shown on its wards' pages
        Coverage(snap.store).read_forces_of("ward")  # every ward's forces, read by each ward page
        wards = snap.store.areas("ward")
        path = f"/areas/{wards[0].code}/" if wards else "/"
        with lake_access.preparing(snap):
            _handler().get_response(_request(path, preparing=True))
            # and the health check's reading of every partition's two ends (about 0.5 s a
            # worker on a national lake), so that a load balancer's first check of a worker
            # does not take a core from the first visitors
            _handler().get_response(_request("/healthz"))
    except Exception:
        log.warning("could not render a first page of lake state %s", snap.state.signature[:12], exc_info=True)


def _running() -> bool:
    """Is this process's thread alive (it publishes new lake states: :func:`_look`)?"""
    thread = _thread
    return thread is not None and thread.pid == os.getpid() and thread.is_alive()


def lake_changed(signature: str) -> None:
    """This process has built a store for a lake state: start the thread (warm it, publish the next)."""
    global _thread
    if not enabled() or os.getpid() not in _serving:
        return
    with _lock:
        _wake.set()
        if not _running():
            _thread = threading.Thread(target=_run, name="openbeat-warm", daemon=True)
            _thread.pid = os.getpid()
            _thread.start()


def _run() -> None:
    from openbeat.web import lake_access

    lake_access.scans_here()
    try:  # Linux: a lower CPU priority for this thread only (the request threads keep theirs)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):
        pass
    while True:
        _wake.wait(max(float(settings.OPENBEAT_LAKE_CHECK_SECONDS), 1.0))
        _wake.clear()
        try:
            _look()
        except Exception:  # never take the worker down; visitors compute what was not warmed
            log.exception("warming or publishing a lake state failed")
        finally:
            from django.db import close_old_connections

            close_old_connections()


def _look() -> None:
    """Look at the lake now, not at the next visitor's request: warm the state this process
    serves if nobody has, and prepare and publish a newer one (see the module docstring)."""
    from openbeat.web import lake_access

    newest = lake_access.peek_state()
    served = lake_access.published()
    if served is None:  # nothing served yet: there is no earlier state to keep serving
        try:
            lake_access.get_store()
        except Exception:  # a lake being replaced; a visitor's request will say what is wrong
            log.debug("could not look at the lake", exc_info=True)
        return
    signature = newest.signature
    if served.state.signature == signature:
        if not warmed(signature):
            warm(signature)  # None: another worker holds the claim; looked at again next time
        return

    def late() -> bool:  # published warmed or not, this long after this process first saw it
        return lake_access.waited(newest) >= float(settings.OPENBEAT_STALE_SECONDS)

    if warmed(signature) or late():
        lake_access.publish(lake_access.build(background=True))
        _settle()
    elif _claim(_cache(), f"openbeat-warm:{signature}"):
        with _renewed(f"openbeat-warm:{signature}"):  # a national store's build may outlast a claim
            upcoming = lake_access.build(background=True)
        if upcoming.state.signature != signature:
            return  # the lake changed again while building: the next look starts over
        with lake_access.preparing(upcoming):
            warm(signature, until=late)
        lake_access.publish(upcoming)  # warmed, or late: the rest is warmed on the published store
        _settle()


def _settle() -> None:
    """A new state published in a serving process: the previous state's objects collected, the
    new state's frozen (:mod:`openbeat.web.heap`)."""
    from openbeat.web import heap

    if os.getpid() in _serving:
        heap.settle()


def _claim(cache, key: str) -> bool:
    """``cache.add``, made atomic across the processes of a host for the file-based cache (whose
    add looks, then writes: workers noticing a change at the same moment would all claim it);
    Redis's add (SET NX) is atomic across hosts on its own."""
    folder = getattr(cache, "_dir", None)
    mine = f"{socket.gethostname()}:{os.getpid()}"  # a worker's claim is its own (pids repeat across hosts)
    with contextlib.ExitStack() as held:
        if folder is not None:
            import fcntl

            os.makedirs(folder, exist_ok=True)
            fcntl.flock(held.enter_context(open(os.path.join(folder, ".warm-claims"), "a")), fcntl.LOCK_EX)
        return cache.add(key, mine, timeout=CLAIM_SECONDS) or cache.get(key) == mine


@contextlib.contextmanager
def _renewed(key: str) -> Iterator[None]:
    """This worker's claim ``key`` kept from lapsing while the body runs (every quarter of
    :data:`CLAIM_SECONDS`, from a thread of its own: the body may be one long DuckDB call)."""
    done = threading.Event()

    def renew() -> None:
        while not done.wait(CLAIM_SECONDS / 4):
            _renew(_cache(), key)

    threading.Thread(target=renew, name="openbeat-warm-claim", daemon=True).start()
    try:
        yield
    finally:
        done.set()


def _renew(cache, key: str) -> bool:
    """Push claim ``key``'s lapse CLAIM_SECONDS on; False when it had lapsed already.

    Django's file cache raises ValueError ("I/O operation on closed file") when it touches a
    key that has just expired (Django ticket #37191, fixed after 5.2): that is a lapsed
    claim too, not a reason for the renewing thread to die."""
    try:
        return bool(cache.touch(key, CLAIM_SECONDS))
    except ValueError:
        return False


def _cache():
    from django.core.cache import caches

    return caches[settings.OPENBEAT_RESPONSE_CACHE]


def warm(signature: str, until=None) -> int | None:
    """Warm the answers of lake state ``signature``: how many were asked for; 0 when it is
    warmed already or no longer current, None while another worker holds the claim (a
    worker's claim is its own: it may go on). Stops early, without saying the state is
    warmed, once ``until()`` is true."""
    from openbeat.web.lake_access import peek_state

    cache = _cache()
    claim, done_key = f"openbeat-warm:{signature}", f"openbeat-warmed:{signature}"
    if cache.get(done_key) or peek_state().signature != signature:
        return 0
    if not _claim(cache, claim):
        return None
    share = min(float(settings.OPENBEAT_WARM_SHARE), 1.0)
    started = time.monotonic()
    handler = _handler()
    done = 0
    _after_visitors()
    for path in paths():
        if peek_state().signature != signature:
            log.info("stopped warming lake state %s after %d answers: the lake changed", signature[:12], done)
            return done
        if until is not None and until():
            log.info("published lake state %s after warming %d answers (OPENBEAT_STALE_SECONDS)",
                     signature[:12], done)
            return done
        _after_visitors()  # this process's visitors first: they share its GIL
        t = time.monotonic()
        response = handler.get_response(_request(path))
        done += response.status_code == 200
        _renew(cache, claim)
        spent = time.monotonic() - t
        if share < 1:
            time.sleep(spent * (1 - share) / share)
    cache.set(done_key, done, timeout=26 * 3600)
    log.info("warmed %d answers for lake state %s in %.1f s", done, signature[:12], time.monotonic() - started)
    return done


_warmed: set[str] = set()


def warmed(signature: str) -> bool:
    """Has any worker (of any host sharing the cache) finished warming lake state ``signature``?"""
    if signature in _warmed:
        return True
    if not enabled() or _cache().get(f"openbeat-warmed:{signature}"):
        _warmed.add(signature)  # not warmed at all, or warmed: either way, for good
        return True
    return False


def paths() -> list[str]:
    """What to warm, in order (see the module docstring); each path once."""
    from openbeat.web.lake_access import get_store

    store = get_store()
    out = [p for p, _ in _visits.most_common(MOST_VISITED)]
    wards = store.areas("ward")
    boroughs = store.areas("borough")
    placed: set[str] = set()
    for force in _newest_first([a.code for a in store.areas("force")], store.root):
        force_wards = [a.code for a in store.areas("ward", within=force)]
        force_boroughs = [a.code for a in store.areas("borough", within=force)]
        out += [f"/areas/{code}/" for code in force_wards + force_boroughs + [force]]
        placed.update(force_wards + force_boroughs)
    out += [f"/areas/{a.code}/" for a in wards + boroughs if a.code not in placed]
    out += [f"/api/areas/{a.code}/profile" for a in wards + boroughs]
    return list(dict.fromkeys(out))


def _newest_first(forces: list[str], root: Path) -> list[str]:
    def newest(force: str) -> int:
        stamps = [0]
        for dataset in ("crimes", "outcomes", "stop_searches"):
            for part in (root / dataset / f"force={force}").glob("month=*/part.parquet"):
                try:
                    stamps.append(part.stat().st_mtime_ns)
                except OSError:
                    pass
        return max(stamps)

    return sorted(forces, key=lambda f: (-newest(f), f))


_handlers: list = []


def _handler():
    if not _handlers:
        from django.core.handlers.wsgi import WSGIHandler

        _handlers.append(WSGIHandler())
    return _handlers[0]


def _request(path: str, *, preparing: bool = False):
    """A GET of ``path`` as an anonymous visitor's, over HTTPS when the site asks for it;
    ``preparing``: its answer computed even when one is kept (:data:`PREPARING`)."""
    from django.core.handlers.wsgi import WSGIRequest

    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "localhost")
    https = bool(settings.SECURE_SSL_REDIRECT or getattr(settings, "OPENBEAT_HTTPS", False))
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SCRIPT_NAME": "",
        "SERVER_NAME": host, "SERVER_PORT": "443" if https else "80", "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https" if https else "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(), "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.version": (1, 0), WARMING: True,
    }
    if preparing:
        environ[PREPARING] = True
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if https and proxy:
        environ[proxy[0]] = proxy[1]
    return WSGIRequest(environ)
