"""The gunicorn worker `openbeat serve` runs: writes are not queued behind reads.

gunicorn's sync worker takes one connection at a time from the listening socket, first
come first served. When every worker is busy reading (ward pages, profiles, fragments),
a support or comment waits behind every read already queued: at 32 readers on five
workers that is most of its time (benchmarks/web.py, scenario (h)).

:class:`WritesFirstWorker` is gunicorn's threaded worker (gthread) with a second pool
kept for writes. Its main thread accepts connections as they come and looks at the first
bytes of each request without reading them (``MSG_PEEK``): a POST, PUT, PATCH or DELETE
goes to the writes pool, which reads never use, so it starts at once; everything else
goes to the reads pool, in the order it came. A connection that has sent nothing yet
waits in the poller, not in a thread, until it does. Nothing else changes: the request is
parsed and answered by gunicorn as before, with the same limits and timeouts.

Requests stay shared out among the workers as the sync worker shares them, so that one
worker's queue is not much longer than another's: a worker stops accepting while
:data:`WAITING` of its requests wait for a thread (the next connection goes to another
worker), and `openbeat serve` keeps no connection alive (``keepalive`` 0), so each request
comes through the shared accept queue again instead of staying with one worker.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections import deque
from concurrent import futures
from functools import partial

from gunicorn.workers.gthread import ThreadWorker

#: Methods that change something: served by the writes pool.
WRITE_METHODS = (b"POST ", b"PUT ", b"PATCH ", b"DELETE ")
#: Threads kept for writes in each worker.
WRITE_THREADS = 1
#: Requests a worker takes ahead of its threads before it leaves new connections to the
#: others: enough that, with five workers and 32 busy readers, a write is accepted at once
#: (5 × (1 + 6) ≥ 32), few enough that no worker holds a long queue.
WAITING = 6


def request_kind(conn) -> str | None:
    """``"write"`` or ``"read"`` from the first bytes the client sent on ``conn`` (left
    unread), or None when it has sent nothing yet."""
    if conn.parser is not None:  # a kept-alive connection may hold the next request's start
        held = conn.parser.unreader.buf.getvalue()
        if held:
            return "write" if held.startswith(WRITE_METHODS) else "read"
    if conn.cfg.is_ssl:  # encrypted bytes say nothing: read-ahead of TLS is gunicorn's
        return "read"
    try:
        head = conn.sock.recv(8, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return "read"  # let the reads pool meet the error as gunicorn would
    if not head:
        return "read"  # closed: gunicorn closes it
    return "write" if head.startswith(WRITE_METHODS) else "read"


class WritesFirstWorker(ThreadWorker):
    """gthread with a pool kept for writes (see the module's docstring)."""

    def init_process(self):
        self.writes = futures.ThreadPoolExecutor(max_workers=WRITE_THREADS, thread_name_prefix="writes")
        self.waiting = deque()  # one item per request accepted and not yet started (append, pop: atomic)
        super().init_process()

    @property
    def worker_connections(self) -> int:
        """gunicorn accepts while it holds fewer connections than this: none more while
        :data:`WAITING` requests wait here."""
        if len(getattr(self, "waiting", ())) >= WAITING:
            return 0
        return self._connections

    @worker_connections.setter
    def worker_connections(self, n: int) -> None:
        self._connections = n

    def _started(self, conn):
        self.waiting.pop()
        if len(self.waiting) == WAITING - 1:  # room again: the main thread may accept
            self.method_queue.defer(lambda: None)
        return self.handle(conn)

    def enqueue_req(self, conn):
        kind = request_kind(conn)
        if kind is None and not conn.data_ready:
            # nothing sent yet: wait in the poller (a thread would sit in wait_for_data)
            conn.sock.setblocking(False)
            conn.timeout = time.monotonic() + (self.cfg.keepalive or 5)
            self.pending_conns.append(conn)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn))
            return
        self.waiting.append(None)
        fs = (self.writes if kind == "write" else self.tpool).submit(self._started, conn)
        fs.add_done_callback(lambda fut: self.method_queue.defer(self.finish_request, conn, fut))

    def handle_quit(self, sig, frame):
        self.writes.shutdown(wait=False)
        super().handle_quit(sig, frame)
