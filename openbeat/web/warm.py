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

The warm-up thread also looks at the lake every ``OPENBEAT_LAKE_CHECK_SECONDS`` (at least
a second), so each worker builds the new state's store, and the warm-up starts, as soon as
an ingest ends, not when the next visitor comes.

Each answer is kept exactly as a visitor's would be (same key, same rules: nothing
per-person), so a visitor who comes after it gets a kept answer. Warming is background
work, bounded to ``OPENBEAT_WARM_SHARE`` of one core: after each answer the thread waits
``spent × (1 − share) / share`` (and runs at a lower CPU priority, nice 10), and it stops as soon
as the lake changes again (the next state's warm-up takes over). Warm-up requests are not
counted against the per-client limit of new answers. Nothing is warmed when each process
keeps its own answers (the local-memory cache: it would warm one worker of many).
"""

from __future__ import annotations

import io
import logging
import os
import threading
import time
from collections import Counter
from pathlib import Path

from django.conf import settings

log = logging.getLogger("openbeat.web.warm")

#: A request made by the warm-up carries this in its WSGI environ (a client cannot set it:
#: headers arrive as ``HTTP_*``).
WARMING = "openbeat.warming"
#: How many of the most-served answers are warmed first.
MOST_VISITED = 200

_visits: Counter[str] = Counter()
_lock = threading.Lock()
_wake = threading.Event()
_wanted: list[str] = []  # the newest state's signature, once one is offered
_thread: threading.Thread | None = None
_serving: list[int] = []
#: A claim lapses this long after the claiming worker's last answer (a worker that died
#: mid-way); the others then take the state over.
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


def serving() -> None:
    """This process serves requests (a gunicorn worker): it may warm. Other processes that
    read the lake with the web's settings (the demo's seeder, a management command) never
    claim a state they would not live to warm."""
    from openbeat.web.lake_access import on_new_state

    _serving.append(os.getpid())
    if lake_changed not in on_new_state:
        on_new_state.append(lake_changed)


def lake_changed(signature: str) -> None:
    """This process has built a store for a new lake state: warm it in the background."""
    global _thread
    if not enabled() or os.getpid() not in _serving:
        return
    with _lock:
        _wanted[:] = [signature]
        _wake.set()
        if _thread is None or not _thread.is_alive() or _thread.pid != os.getpid():
            _thread = threading.Thread(target=_run, name="openbeat-warm", daemon=True)
            _thread.pid = os.getpid()
            _thread.start()


def _run() -> None:
    try:  # Linux: a lower CPU priority for this thread only (the request threads keep theirs)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):
        pass
    while True:
        if not _wake.wait(max(float(settings.OPENBEAT_LAKE_CHECK_SECONDS), 1.0)):
            _look()
            continue
        with _lock:
            _wake.clear()
            signature = _wanted[0]
        try:
            # until this state is warmed (by whichever worker), or the lake changes again
            while warm(signature) is None and not _wake.wait(CLAIM_SECONDS / 2):
                pass
        except Exception:  # never take the worker down; visitors compute what was not warmed
            log.exception("warming the answers for lake state %s failed", signature[:12])
        finally:
            from django.db import close_old_connections

            close_old_connections()


def _look() -> None:
    """Look at the lake now, not at the next visitor's request: a new state gets its store
    (and is offered for warming, :func:`lake_changed`) with nobody waiting for it."""
    from openbeat.web.lake_access import get_store

    try:
        get_store()
    except Exception:  # a lake being replaced; a visitor's request will say what is wrong
        log.debug("could not look at the lake", exc_info=True)


def _claim(cache, key: str) -> bool:
    """``cache.add``, made atomic across the processes of a host for the file-based cache (whose
    add looks, then writes: workers noticing a change at the same moment would all claim it)."""
    folder = getattr(cache, "_dir", None)
    if folder is None:  # Redis: SET NX, atomic across hosts
        return cache.add(key, os.getpid(), timeout=CLAIM_SECONDS)
    import fcntl

    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, ".warm-claims"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return cache.add(key, os.getpid(), timeout=CLAIM_SECONDS)


def _cache():
    from django.core.cache import caches

    return caches[settings.OPENBEAT_RESPONSE_CACHE]


def warm(signature: str) -> int | None:
    """Warm the answers of lake state ``signature``: how many were asked for; 0 when it is
    warmed already or no longer current, None while another worker holds the claim."""
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
    for path in paths():
        if peek_state().signature != signature or _wake.is_set():
            log.info("stopped warming lake state %s after %d answers: the lake changed", signature[:12], done)
            return done
        t = time.monotonic()
        response = handler.get_response(_request(path))
        done += response.status_code == 200
        cache.touch(claim, CLAIM_SECONDS)
        spent = time.monotonic() - t
        if share < 1:
            _wake.wait(spent * (1 - share) / share)
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


def _request(path: str):
    """A GET of ``path`` as an anonymous visitor's, over HTTPS when the site asks for it."""
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
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if https and proxy:
        environ[proxy[0]] = proxy[1]
    return WSGIRequest(environ)
