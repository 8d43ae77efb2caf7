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


APP = r'''
import sys, time
from gunicorn.app.base import BaseApplication

def app(environ, start_response):
    if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"] == "/slow":
        time.sleep(1)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["REQUEST_METHOD"].encode()]

class App(BaseApplication):
    def load_config(self):
        for k, v in {"bind": "127.0.0.1:" + sys.argv[1], "workers": 1, "threads": 1, "accesslog": None,
                     "worker_class": "openbeat.web.workers.WritesFirstWorker",
                     "control_socket_disable": True}.items():
            self.cfg.set(k, v)
    def load(self):
        return app

App().run()
'''


def test_a_write_is_answered_while_the_only_reads_thread_is_busy(tmp_path):
    """One worker, one reads thread busy with a slow page and another page queued behind it:
    a POST sent after both is answered first, and the reads keep their order."""
    import http.client
    import subprocess
    import sys
    import threading
    import time

    from openbeat.web.launch import answers, free_port

    port = free_port()
    (tmp_path / "app.py").write_text(APP)
    proc = subprocess.Popen([sys.executable, str(tmp_path / "app.py"), str(port)])
    try:
        deadline = time.monotonic() + 30
        while not answers(f"http://127.0.0.1:{port}/", timeout=1):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.1)
        done = []

        def ask(method, path):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(method, path, body=b"x=1" if method == "POST" else None)
            done.append((method, path, conn.getresponse().read()))

        threads = [threading.Thread(target=ask, args=("GET", "/slow")), threading.Thread(target=ask, args=("GET", "/"))]
        threads.append(threading.Thread(target=ask, args=("POST", "/support/")))
        for t in threads:
            t.start()
            time.sleep(0.2)
        for t in threads:
            t.join()
        assert done == [("POST", "/support/", b"POST"), ("GET", "/slow", b"GET"), ("GET", "/", b"GET")]
    finally:
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
