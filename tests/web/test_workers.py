"""`openbeat serve`'s worker tells a write from a read by the request's first bytes, unread."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest

from openbeat.web.workers import request_kind


def _conn(sock, *, parser=None, ssl=False):
    return SimpleNamespace(sock=sock, parser=parser, cfg=SimpleNamespace(is_ssl=ssl))


@pytest.fixture
def pair():
    a, b = socket.socketpair()
    yield a, b
    a.close()
    b.close()


@pytest.mark.parametrize(("sent", "kind"), [
    (b"POST /priorities/2/support/ HTTP/1.1\r\n", "write"),
    (b"PUT /x HTTP/1.1\r\n", "write"),
    (b"PATCH /x HTTP/1.1\r\n", "write"),
    (b"DELETE /x HTTP/1.1\r\n", "write"),
    (b"GET /areas/X05000005/ HTTP/1.1\r\n", "read"),
    (b"HEAD / HTTP/1.1\r\n", "read"),
    (b"OPTIONS * HTTP/1.1\r\n", "read"),
    (b"POSTAL /x HTTP/1.1\r\n", "read"),  # not a method we write with
])
def test_kind_from_the_first_bytes_which_stay_unread(pair, sent, kind):
    server, client = pair
    client.sendall(sent)
    assert request_kind(_conn(server)) == kind
    assert server.recv(100) == sent  # peeked, not read: gunicorn parses the whole request


def test_nothing_sent_yet_is_neither(pair):
    server, _ = pair
    server.setblocking(True)  # the peek must not wait, whatever the socket's mode
    assert request_kind(_conn(server)) is None


def test_a_closed_connection_goes_to_the_reads(pair):
    server, client = pair
    client.close()
    assert request_kind(_conn(server)) == "read"


def test_bytes_gunicorn_already_read_ahead_decide(pair):
    import io

    server, client = pair
    client.sendall(b"GET / HTTP/1.1\r\n")  # on the socket, but the held bytes come first
    held = SimpleNamespace(unreader=SimpleNamespace(buf=io.BytesIO(b"POST /x HTTP/1.1\r\n")))
    assert request_kind(_conn(server, parser=held)) == "write"


def test_tls_is_not_peeked(pair):
    server, client = pair
    client.sendall(b"\x16\x03\x01")
    assert request_kind(_conn(server, ssl=True)) == "read"


APP = r"""
import os, sys
from gunicorn.app.base import BaseApplication

HERE = os.path.dirname(os.path.abspath(__file__))

def app(environ, start_response):
    method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
    if path == "/slow":  # holds the only reads thread until the test lets it go
        open(os.path.join(HERE, "started"), "w").close()
        with open(os.path.join(HERE, "release")) as fifo:  # a FIFO: blocks until the test writes
            fifo.read()
    if path != "/ready":
        with open(os.path.join(HERE, "order"), "a") as f:
            f.write(f"{method} {path}\n")
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(method)))])
    return [method.encode()]

class App(BaseApplication):
    def load_config(self):
        for k, v in {"bind": "127.0.0.1:" + sys.argv[1], "workers": 1, "threads": 1, "accesslog": None,
                     "worker_class": "openbeat.web.workers.WritesFirstWorker", "keepalive": 0,
                     "control_socket_disable": True}.items():
            self.cfg.set(k, v)
    def load(self):
        return app

App().run()
"""


def test_a_write_is_answered_while_the_only_reads_thread_is_busy(tmp_path):
    """One worker, its one reads thread held by a page and another page queued behind it: a
    POST sent after both is answered while the first page is still held, and the reads keep
    their order."""
    import os
    import subprocess
    import sys

    from openbeat.web.launch import answers, free_port
    from tests.waiting import wait_until

    port = free_port()
    (tmp_path / "app.py").write_text(APP)
    os.mkfifo(tmp_path / "release")
    proc = subprocess.Popen([sys.executable, str(tmp_path / "app.py"), str(port)])
    socks = []

    def release() -> bool:
        """Let /slow go on: True once it had the FIFO open (closing our end ends its read)."""
        try:
            os.close(os.open(tmp_path / "release", os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # ENXIO: /slow has not opened it yet
            return False
        return True

    def send(raw: bytes) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(raw)
        socks.append(s)
        return s

    def reply(s: socket.socket) -> bytes:
        got = b""
        while chunk := s.recv(4096):
            got += chunk
        return got

    try:
        wait_until(lambda: proc.poll() is not None or answers(f"http://127.0.0.1:{port}/ready", timeout=1),
                   30, "the server to answer")
        assert proc.poll() is None
        slow = send(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        wait_until(lambda: (tmp_path / "started").exists(), 30, "/slow to hold the reads thread")
        page = send(b"GET /page HTTP/1.1\r\nHost: t\r\n\r\n")  # queued behind /slow
        post = send(b"POST /support/ HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nx=1")
        assert reply(post).endswith(b"POST")  # while /slow still holds the reads thread
        wait_until(release, 30, "/slow to open its FIFO")
        assert reply(slow).endswith(b"GET") and reply(page).endswith(b"GET")
        assert (tmp_path / "order").read_text().split("\n") == ["POST /support/", "GET /slow", "GET /page", ""]
    finally:
        release()
        for s in socks:
            s.close()
        proc.terminate()
        proc.wait(timeout=15)


def test_a_worker_with_requests_waiting_leaves_new_connections_to_the_others():
    from collections import deque

    from openbeat.web.workers import WAITING, WritesFirstWorker

    worker = object.__new__(WritesFirstWorker)  # the accounting only, no process
    worker.worker_connections = 1000
    worker.waiting = deque([None] * (WAITING - 1))
    assert worker.worker_connections == 1000
    worker.waiting.append(None)
    assert worker.worker_connections == 0
