"""`openbeat serve`'s master tells a write from a read by the request's first bytes, unread, and
queues it for the workers, who take the oldest write before any read."""

from __future__ import annotations

import select
import socket
from types import SimpleNamespace

import pytest

from openbeat.web.workers import request_kind


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
    assert request_kind(server) == kind
    assert server.recv(100) == sent  # peeked, not read: gunicorn parses the whole request


def test_nothing_sent_yet_is_neither(pair):
    server, _ = pair
    server.setblocking(True)  # the peek must not wait, whatever the socket's mode
    assert request_kind(server) is None


def test_a_closed_connection_goes_to_the_reads(pair):
    server, client = pair
    client.close()
    assert request_kind(server) == "read"


def test_tls_is_not_peeked(pair):
    server, client = pair
    client.sendall(b"\x16\x03\x01")
    assert request_kind(server, tls=True) == "read"


class _Listener:
    """A listener whose ``accept`` gives what it is told to, in turn."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)

    def accept(self):
        got = self.outcomes.pop(0)
        if isinstance(got, BaseException):
            raise got
        return got, ("127.0.0.1", 1)


def test_accept_ready_skips_an_aborted_connection_and_says_when_none_waits():
    import errno

    from openbeat.web.workers import accept_ready

    conn = object()
    listener = _Listener(OSError(errno.ECONNABORTED, "aborted"), conn, BlockingIOError(), InterruptedError())
    assert accept_ready(listener) is conn
    assert accept_ready(listener) is None
    assert accept_ready(listener) is None
    assert listener.outcomes == []


def test_accept_ready_leaves_other_errors_to_the_caller():
    import errno

    from openbeat.web.workers import accept_ready

    with pytest.raises(OSError) as raised:
        accept_ready(_Listener(OSError(errno.EMFILE, "too many open files")))
    assert raised.value.errno == errno.EMFILE


def test_the_master_logs_running_out_of_descriptors_and_goes_on():
    import errno

    from openbeat.web.workers import Handoff

    logged = []
    handoff = Handoff(log=SimpleNamespace(error=lambda msg, e: logged.append(msg % e)))
    try:
        handoff.listeners = [_Listener(OSError(errno.EMFILE, "too many open files"))]
        handoff._accept(0)
        assert logged == ["cannot accept a connection: [Errno 24] too many open files"]
    finally:
        handoff.forget_master_side()
        for q in (handoff.writes, handoff.reads, handoff.unsorted):
            q.close()


def test_the_queue_passes_connections_in_order_with_their_listener():
    from openbeat.web.workers import ConnectionQueue

    queue = ConnectionQueue()
    pairs = [socket.socketpair() for _ in range(2)]
    try:
        assert queue.take() is None
        for n, (server, _) in enumerate(pairs):
            assert queue.put(server, listener=n + 3)
            server.close()  # the queue holds the connection, not this descriptor
        for n, (_, client) in enumerate(pairs):
            taken, listener = queue.take()
            assert listener == n + 3
            client.sendall(b"GET / HTTP/1.1\r\n")
            assert taken.recv(100) == b"GET / HTTP/1.1\r\n"  # the same connection
            taken.close()
        assert queue.take() is None
    finally:
        queue.close()
        for _, client in pairs:
            client.close()


def test_a_worker_takes_the_oldest_write_before_any_read():
    from openbeat.web.workers import Handoff

    handoff = Handoff()
    pairs = {name: socket.socketpair() for name in ("read 1", "write 1", "read 2", "write 2")}
    try:
        for name, (server, client) in pairs.items():
            client.sendall(name.encode())
            (handoff.writes if name.startswith("write") else handoff.reads).put(server)
        order = []
        while (taken := handoff.take()) is not None:
            order.append(taken[0].recv(100).decode())
            taken[0].close()
        assert order == ["write 1", "write 2", "read 1", "read 2"]
    finally:
        handoff.forget_master_side()
        handoff.writes.close()
        handoff.reads.close()
        handoff.unsorted.close()
        for server, client in pairs.values():
            server.close()
            client.close()


APP = r"""
import os, select, sys, time
from gunicorn.app.base import BaseApplication

HERE = os.path.dirname(os.path.abspath(__file__))

def app(environ, start_response):
    method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
    if path == "/slow":  # holds the only worker until a write and a read are queued behind it
        from openbeat.web.workers import HANDOFF
        open(os.path.join(HERE, "started"), "w").close()
        deadline = time.monotonic() + 30
        waiting = [HANDOFF.writes.take_end, HANDOFF.reads.take_end]  # readable once a connection is queued
        while waiting and time.monotonic() < deadline:
            ready, _, _ = select.select(waiting, [], [], deadline - time.monotonic())
            waiting = [s for s in waiting if s not in ready]
    if path != "/ready":
        with open(os.path.join(HERE, "order"), "a") as f:
            f.write(f"{method} {path}\n")
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(method)))])
    return [method.encode()]

def hold_the_second(worker):  # the second worker to start prepares until the test lets it go
    try:
        os.close(os.open(os.path.join(HERE, "first"), os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        open(os.path.join(HERE, "holding"), "w").close()
        with open(os.path.join(HERE, "release")) as fifo:  # blocks until the test opens it
            fifo.read()

class App(BaseApplication):
    def load_config(self):
        workers = int(sys.argv[4])
        for k, v in {"bind": "127.0.0.1:" + sys.argv[1], "workers": workers, "threads": int(sys.argv[3]),
                     "accesslog": None, "worker_class": "openbeat.web.workers.WritesFirstWorker", "keepalive": 0,
                     "control_socket_disable": True}.items():
            self.cfg.set(k, v)
        if workers > 1:
            self.cfg.set("post_worker_init", hold_the_second)
    def load(self):
        return app
    def run(self):
        if sys.argv[2] == "handoff":
            from openbeat.web.workers import WritesFirstArbiter
            WritesFirstArbiter(self).run()
        else:
            super().run()

App().run()
"""


@pytest.fixture
def served(tmp_path):
    """Start the app above with one worker; yields send(raw) and reply(sock)."""
    import os
    import subprocess
    import sys

    from openbeat.web.launch import answers, free_port
    from tests.waiting import wait_until

    procs, socks = [], []
    (tmp_path / "app.py").write_text(APP)

    def start(arbiter: str, threads: int = 1, workers: int = 1) -> None:
        port = free_port()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        proc = subprocess.Popen([sys.executable, str(tmp_path / "app.py"), str(port), arbiter, str(threads),
                                 str(workers)], env=env)
        procs.append((proc, port))
        if workers > 1:  # the second holds the server closed (the test waits for it)
            return
        wait_until(lambda: proc.poll() is not None or answers(f"http://127.0.0.1:{port}/ready", timeout=1),
                   30, "the server to answer")
        assert proc.poll() is None

    def send(raw: bytes) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", procs[-1][1]), timeout=10)
        s.sendall(raw)
        socks.append(s)
        return s

    def reply(s: socket.socket) -> bytes:
        got = b""
        while chunk := s.recv(4096):
            got += chunk
        return got

    os.mkfifo(tmp_path / "release")
    yield SimpleNamespace(start=start, send=send, reply=reply, order=tmp_path / "order", started=tmp_path / "started",
                          holding=tmp_path / "holding", release=tmp_path / "release")
    for s in socks:
        s.close()
    for proc, _ in procs:
        proc.terminate()
        proc.wait(timeout=15)


def test_a_write_is_served_before_the_reads_queued_ahead_of_it(served):
    """One worker, held by a page; another page and then a POST queued behind it: the POST
    is served next, then the page."""
    from tests.waiting import wait_until

    served.start("handoff")
    slow = served.send(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
    wait_until(served.started.exists, 30, "/slow to hold the worker")
    page = served.send(b"GET /page HTTP/1.1\r\nHost: t\r\n\r\n")
    post = served.send(b"POST /support/ HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nx=1")
    assert served.reply(post).endswith(b"POST")
    assert served.reply(slow).endswith(b"GET") and served.reply(page).endswith(b"GET")
    assert served.order.read_text().split("\n") == ["GET /slow", "POST /support/", "GET /page", ""]


def test_a_connection_that_has_sent_nothing_does_not_hold_the_worker(served):
    served.start("handoff")
    silent = served.send(b"")
    assert served.reply(served.send(b"GET /page HTTP/1.1\r\nHost: t\r\n\r\n")).endswith(b"GET")
    silent.sendall(b"POST /late/ HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
    assert served.reply(silent).endswith(b"POST")
    assert served.order.read_text().split("\n") == ["GET /page", "POST /late/", ""]


def test_under_a_plain_arbiter_the_worker_is_gunicorns_sync_worker(served):
    served.start("plain")
    assert served.reply(served.send(b"POST /x/ HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")).endswith(b"POST")
    assert served.order.read_text() == "POST /x/\n"


def test_an_idle_worker_accepts_itself_and_leaves_a_silent_connection_to_the_master():
    from openbeat.web.workers import Handoff, WritesFirstWorker

    handoff = Handoff()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    worker = object.__new__(WritesFirstWorker)  # the accepting only, no process
    worker.sockets, worker.cfg = [listener], SimpleNamespace(is_ssl=False)
    silent = socket.create_connection(listener.getsockname())
    talking = None
    try:
        assert worker._accept(handoff) is None  # nothing sent yet: not for a worker to wait on
        held, index = handoff.unsorted.take()  # the master's, to wait for its first bytes
        assert index == 0
        talking = socket.create_connection(listener.getsockname())
        talking.sendall(b"GET / HTTP/1.1\r\n")
        conn, index = worker._accept(handoff)
        assert (index, conn.recv(100)) == (0, b"GET / HTTP/1.1\r\n")
        silent.sendall(b"POST")
        assert held.recv(100) == b"POST"  # the same connection the worker passed on
        conn.close()
        held.close()
    finally:
        for s in (silent, talking, listener):
            if s is not None:
                s.close()
        handoff.forget_master_side()
        for q in (handoff.writes, handoff.reads, handoff.unsorted):
            q.close()


def test_under_tls_the_master_and_an_idle_worker_alike_queue_every_connection_as_a_read():
    from openbeat.web.workers import Handoff, WritesFirstWorker

    handoff = Handoff(tls=True)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    handoff.listeners = [listener]
    worker = object.__new__(WritesFirstWorker)
    worker.sockets, worker.cfg = [listener], SimpleNamespace(is_ssl=True)
    clients = [socket.create_connection(listener.getsockname()) for _ in range(2)]
    try:
        for c in clients:
            c.sendall(b"POST ")  # plain bytes would be a write; under TLS they say nothing
        select.select([listener], [], [], 10)
        handoff._accept(0)  # the master: both go to the reads, not the writes
        assert handoff.writes.take() is None
        taken = [handoff.reads.take(), handoff.reads.take()]
        assert [index for _, index in taken] == [0, 0]
        silent = socket.create_connection(listener.getsockname())
        clients.append(silent)
        select.select([listener], [], [], 10)
        conn, index = worker._accept(handoff)  # nothing sent, yet served: the handshake is the worker's
        assert index == 0 and handoff.unsorted.take() is None
        for c, _ in [*taken, (conn, 0)]:
            c.close()
    finally:
        for s in (*clients, listener):
            s.close()
        handoff.forget_master_side()
        for q in (handoff.writes, handoff.reads, handoff.unsorted):
            q.close()


def test_each_of_a_workers_threads_takes_from_the_queues(served):
    served.start("handoff", threads=2)
    post = served.send(b"POST /x/ HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
    page = served.send(b"GET /page HTTP/1.1\r\nHost: t\r\n\r\n")
    assert served.reply(post).endswith(b"POST") and served.reply(page).endswith(b"GET")
    assert sorted(served.order.read_text().split("\n")) == ["", "GET /page", "POST /x/"]


def test_no_connection_is_taken_until_every_worker_has_prepared(served):
    """Two workers, the second still preparing (post_worker_init): a request waits, unanswered,
    until it has prepared, then is served."""
    import select

    from tests.waiting import wait_until

    served.start("handoff", workers=2)
    wait_until(served.holding.exists, 60, "the second worker to be preparing")
    page = served.send(b"GET /page HTTP/1.1\r\nHost: t\r\n\r\n")
    assert select.select([page], [], [], 2.0)[0] == []  # one worker is ready, but the server is not open
    with open(served.release, "w") as fifo:
        fifo.write("go")
    assert served.reply(page).endswith(b"GET")
    assert served.order.read_text() == "GET /page\n"
