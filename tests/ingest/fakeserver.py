"""A local HTTP/1.1 server on 127.0.0.1 for tests that must not touch the network.

    with FakeServer() as srv:
        srv.add("/data/archive/2024-04.zip", zip_bytes)              # Range, ETag, 304, 412
        srv.add_json("/api/crimes-street-dates", [{"date": "2024-04", "stop-and-search": []}])
        srv.script("/api/forces", Respond(429, {"Retry-After": "2"}))  # next request only
        srv.script("/data/archive/2024-04.zip", Drop(after=5000, when=lambda r: r.range_start > 0))
        ... srv.url + "/api/" ...
        srv.bytes_sent["/data/archive/2024-04.zip"]                  # body bytes that crossed

Static resources answer GET, HEAD and POST; they honour a single ``Range`` (``a-b``,
``a-``, ``-n``), ``If-None-Match``, ``If-Modified-Since``, ``If-Match`` (412) and
``If-Range``, unless added with ``ranges=False`` (then Range is ignored: 200 and no
``Accept-Ranges``) or ``conditional=False``. A path may be registered with a query string
(``/api/stops-force?date=2024-01&force=x``); query parameters, and POST form fields, are
matched in any order, falling back to the bare path. ``route(path, fn)`` registers a
function ``fn(request) -> (status, headers, body)`` instead.

For a request handler of a test's own (a counter, a tile server), :func:`serving` runs it
on 127.0.0.1 for the length of a ``with`` block.

Scripted faults are consumed in order, each by the first request to its path that its
``when`` accepts: :class:`Respond` answers instead of the resource, :class:`Drop` serves
it but closes the connection after ``after`` body bytes, :class:`Mutate` runs a function
(e.g. replace the resource) before serving. Every request is logged in ``requests``.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit


@dataclass
class Resource:
    body: bytes
    content_type: str = "application/octet-stream"
    etag: str | None = None
    last_modified: str | None = None
    ranges: bool = True
    conditional: bool = True


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    status: int | None = None
    sent: int = 0  # body bytes sent

    @property
    def range(self) -> str | None:
        return self.headers.get("range")

    @property
    def range_start(self) -> int:
        """First byte asked for by a Range header (0 without one)."""
        r = self.range
        if not r or not r.startswith("bytes=") or r.startswith("bytes=-"):
            return 0
        return int(r[6:].split("-", 1)[0])


@dataclass
class Respond:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    when: Callable[[Request], bool] = lambda r: True


@dataclass
class Drop:
    after: int  # body bytes sent before the connection is cut
    when: Callable[[Request], bool] = lambda r: True


@dataclass
class Mutate:
    fn: Callable[[FakeServer], None]
    when: Callable[[Request], bool] = lambda r: True


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


class FakeServer:
    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.routes: dict[str, Callable[[Request], tuple[int, dict, bytes]]] = {}
        self.faults: dict[str, deque] = {}
        self.requests: list[Request] = []
        self.bytes_sent: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # ---- content ----------------------------------------------------------------
    def add(self, path: str, body: bytes, *, content_type: str = "application/octet-stream",
            etag: str | None | bool = True, last_modified: float | None = 1_700_000_000.0,
            ranges: bool = True, conditional: bool = True) -> Resource:
        tag = etag_of(body) if etag is True else (etag or None)
        lm = email.utils.formatdate(last_modified, usegmt=True) if last_modified is not None else None
        res = Resource(body, content_type, tag, lm, ranges, conditional)
        self.resources[_key(path)] = res
        return res

    def add_json(self, path: str, obj, **kw) -> Resource:
        return self.add(path, json.dumps(obj).encode(), content_type="application/json", **kw)

    def replace(self, path: str, body: bytes, *, etag: str | None | bool = True) -> None:
        """New content at ``path`` (a new ETag and Last-Modified unless ``etag`` says otherwise)."""
        old = self.resources[_key(path)]
        tag = etag_of(body) if etag is True else (etag or None)
        lm = email.utils.formatdate(time.time() + 10, usegmt=True)
        self.resources[_key(path)] = Resource(body, old.content_type, tag, lm, old.ranges, old.conditional)

    def route(self, path: str, fn: Callable[[Request], tuple[int, dict, bytes]]) -> None:
        self.routes[_key(path)] = fn

    def script(self, path: str, *faults) -> None:
        with self._lock:
            self.faults.setdefault(urlsplit(path).path, deque()).extend(faults)

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    # ---- lifecycle --------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        server = self

        class Handler(_Handler):
            srv = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- internals ---------------------------------------------------------------
    def _take_fault(self, req: Request):
        with self._lock:
            q = self.faults.get(req.path)
            if not q:
                return None
            for f in list(q):
                if f.when(req):
                    q.remove(f)
                    return f
        return None

    def _lookup(self, req: Request):
        params = dict(req.query)
        if req.method == "POST" and req.body:
            params.update(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
        for key in ([_key(req.path, params)] if params else []) + [req.path]:
            if key in self.routes:
                return self.routes[key]
            if key in self.resources:
                return self.resources[key]
        return None


def _key(path: str, params: dict | None = None) -> str:
    parts = urlsplit(path)
    q = dict(parse_qsl(parts.query, keep_blank_values=True))
    if params:
        q.update(params)
    return parts.path + ("?" + urlencode(sorted(q.items())) if q else "")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    srv: FakeServer

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self):
        self._handle("GET")

    def do_HEAD(self):
        self._handle("HEAD")

    def do_POST(self):
        self._handle("POST")

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(method, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                      {k.lower(): v for k, v in self.headers.items()}, body)
        with self.srv._lock:
            self.srv.requests.append(req)
        fault = self.srv._take_fault(req)
        if isinstance(fault, Mutate):
            fault.fn(self.srv)
            fault = None
        if isinstance(fault, Respond):
            return self._send(req, fault.status, fault.headers, fault.body)
        target = self.srv._lookup(req)
        if target is None:
            return self._send(req, 404, {"Content-Type": "text/plain"}, b"not found")
        if callable(target):
            status, headers, payload = target(req)
            return self._send(req, status, headers, payload)
        status, headers, payload = _serve(target, req)
        self._send(req, status, headers, payload, drop_after=fault.after if isinstance(fault, Drop) else None)

    def _send(self, req: Request, status: int, headers: dict, body: bytes, drop_after: int | None = None) -> None:
        req.status = status
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if req.method == "HEAD" or status == 304:
            return
        out = body if drop_after is None else body[:drop_after]
        try:
            self.wfile.write(out)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            out = b""
        req.sent = len(out)
        with self.srv._lock:
            self.srv.bytes_sent[req.path] += len(out)
        if drop_after is not None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _serve(res: Resource, req: Request) -> tuple[int, dict, bytes]:
    """Status, headers and body for a static resource, honouring ranges and conditionals."""
    h = req.headers
    base = {"Content-Type": res.content_type}
    if res.etag:
        base["ETag"] = res.etag
    if res.last_modified:
        base["Last-Modified"] = res.last_modified
    if res.ranges:
        base["Accept-Ranges"] = "bytes"
    if res.conditional:
        if "if-match" in h and h["if-match"] != "*" and h["if-match"] != res.etag:
            return 412, base, b""
        if "if-none-match" in h:
            if res.etag and h["if-none-match"] == res.etag:
                return 304, base, b""
        elif "if-modified-since" in h and res.last_modified:
            since = email.utils.parsedate_to_datetime(h["if-modified-since"])
            if email.utils.parsedate_to_datetime(res.last_modified) <= since:
                return 304, base, b""
    rng = h.get("range")
    if rng and res.ranges and "if-range" in h and h["if-range"] not in (res.etag, res.last_modified):
        rng = None  # changed since: send it all
    if not rng or not res.ranges:
        return 200, base, res.body
    size = len(res.body)
    spec = rng.removeprefix("bytes=")
    a, _, b = spec.partition("-")
    if a == "":
        start, end = max(0, size - int(b)), size - 1
    else:
        start, end = int(a), (int(b) if b else size - 1)
    end = min(end, size - 1)
    if start >= size or start > end:
        return 416, {**base, "Content-Range": f"bytes */{size}"}, b""
    return 206, {**base, "Content-Range": f"bytes {start}-{end}/{size}"}, res.body[start:end + 1]


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on 127.0.0.1 (a free port) in a thread for the block; yields the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
