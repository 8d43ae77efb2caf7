"""How `openbeat serve` shares requests among its workers: writes are not queued behind reads.

gunicorn's sync worker takes one connection at a time from the listening socket, first
come first served: the kernel's one accept queue shares the requests among the workers
fairly, and a worker serves what it accepted on the thread that accepted it. But when every
worker is busy reading (ward pages, profiles, fragments), a support or comment waits behind
every read already queued: at 32 readers on five workers that was most of its time
(benchmarks/web.py, scenario (h)).

Here the master process (:class:`WritesFirstArbiter`, gunicorn's arbiter, otherwise idle)
takes the connections from the listening socket as they come and looks at the first bytes
of each request without reading them (``MSG_PEEK``). It puts a POST, PUT, PATCH or DELETE
in a queue of writes and everything else in a queue of reads (:class:`Handoff`): two Unix
sockets every worker shares, each connection passed along them as a file descriptor
(``SCM_RIGHTS``), so the kernel keeps both queues in order and any worker can take from
either. A connection that has sent nothing yet waits in the master's poller until it does.

Each worker (:class:`WritesFirstWorker`, gunicorn's sync worker) takes the oldest write when
there is one, else the oldest read, and serves it on its own thread, as the sync worker
serves what it accepts. So requests are shared as fairly as the sync worker shares them,
whatever the mix, and a write waits for the first worker to finish what it is doing, never
behind the reads queued before it. A worker with nothing queued for it takes connections
from the listening socket itself, as the sync worker does, so a quiet server does not wait
for the master's hand-over (one that has sent nothing yet goes to the master to wait).
Nothing else changes: the request is parsed and answered by gunicorn's sync worker as
before, with the same limits; no connection is kept alive.

The server takes no connection until every worker it starts with has prepared
(:class:`Opening`).

Under a plain gunicorn arbiter (no queues to take from) the worker is gunicorn's sync worker.
Writes go first only when TLS ends in front of the server: under gunicorn's own TLS the
first bytes are encrypted, and the master and the workers alike count every request as a
read (``Handoff.tls``).
"""

from __future__ import annotations

import errno
import os
import select
import signal
import socket
import threading
import time
from collections import deque

from gunicorn.arbiter import Arbiter
from gunicorn.workers.sync import SyncWorker

#: Methods that change something: queued with the writes.
WRITE_METHODS = (b"POST ", b"PUT ", b"PATCH ", b"DELETE ")


def request_kind(sock: socket.socket, *, tls: bool = False) -> str | None:
    """``"write"`` or ``"read"`` from the first bytes the client sent on ``sock`` (left
    unread), or None when it has sent nothing yet."""
    if tls:  # encrypted bytes say nothing
        return "read"
    try:
        head = sock.recv(8, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except (BlockingIOError, InterruptedError):
        return None
    except OSError:
        return "read"  # let a worker meet the error as gunicorn would
    if not head:
        return "read"  # closed: the worker closes it
    return "write" if head.startswith(WRITE_METHODS) else "read"


def accept_ready(listener: socket.socket) -> socket.socket | None:
    """The next connection waiting on the non-blocking ``listener``, or None when there is
    none. A connection the client dropped while it waited (``ECONNABORTED``) is skipped;
    any other error is the caller's to handle (the master logs it, a worker raises it)."""
    while True:
        try:
            conn, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as e:
            if e.errno == errno.ECONNABORTED:
                continue
            raise
        return conn


class ConnectionQueue:
    """Accepted connections waiting for a worker, in order, kept by the kernel: a Unix
    socket pair, one byte per connection (the index of the listener it came from) with the
    connection's descriptor attached. The master puts, any worker takes."""

    def __init__(self):
        self.put_end, self.take_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.put_end.setblocking(False)
        self.take_end.setblocking(False)

    def put(self, conn: socket.socket, listener: int = 0) -> bool:
        """Queue ``conn`` (this process's descriptor stays open); False when the queue is full."""
        try:
            return socket.send_fds(self.put_end, [bytes([listener])], [conn.fileno()]) == 1
        except BlockingIOError:
            return False

    def take(self) -> tuple[socket.socket, int] | None:
        """The oldest connection and its listener's index, or None when there is none."""
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(self.take_end, 1, 1, socket.MSG_DONTWAIT | socket.MSG_CMSG_CLOEXEC)
            except (BlockingIOError, InterruptedError):
                return None
            if fds:
                return socket.socket(fileno=fds[0]), data[0]
            if not data:
                return None  # the master's end is closed

    def close(self) -> None:
        self.put_end.close()
        self.take_end.close()


class Handoff:
    """The master's side: takes connections from the listeners and queues each as a write
    or a read once its first bytes have come (see the module's docstring)."""

    def __init__(self, *, log=None, first_bytes_timeout: float = 30.0, most_held: int = 1000, tls: bool = False):
        self.tls = tls  # gunicorn ends TLS itself: the first bytes say nothing (all are reads)
        self.writes = ConnectionQueue()
        self.reads = ConnectionQueue()
        self.unsorted = ConnectionQueue()  # accepted by an idle worker before its first bytes came
        self.master_pid = os.getpid()
        self.log = log
        self.first_bytes_timeout = first_bytes_timeout
        self.most_held = most_held
        self.poller = select.epoll()
        self.waiting: dict[int, tuple[socket.socket, int, float]] = {}  # fd -> (conn, listener, deadline)
        self.overflow: deque[tuple[ConnectionQueue, socket.socket, int]] = deque()  # a queue was full
        self.listeners: list[socket.socket] = []
        self.accepting = False
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        self.poller.register(self.wake_r, select.EPOLLIN)
        self.poller.register(self.unsorted.take_end, select.EPOLLIN)
        self.next_sweep = time.monotonic() + 1.0

    # -- the master

    def listen(self, listeners: list) -> None:
        """Take connections from these listeners (gunicorn's, which may change on a reload)."""
        if [s.fileno() for s in listeners] == [s.fileno() for s in self.listeners]:
            return
        for s in self.listeners:
            try:
                self.poller.unregister(s)
            except (KeyError, ValueError, OSError):
                pass
        self.listeners = list(listeners)
        self.accepting = False
        self._accept_while_room()

    def _accept_while_room(self) -> None:
        room = len(self.waiting) + len(self.overflow) < self.most_held
        if room == self.accepting:
            return
        for s in self.listeners:
            if room:
                s.setblocking(False)
                self.poller.register(s, select.EPOLLIN)
            else:
                self.poller.unregister(s)
        self.accepting = room

    def serve(self, timeout: float, *, stop=lambda: False) -> None:
        """Queue connections as they come, for ``timeout`` seconds or until a signal comes
        and ``stop()`` says so."""
        deadline = time.monotonic() + timeout
        by_fd = {s.fileno(): i for i, s in enumerate(self.listeners)}
        while not stop():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                events = self.poller.poll(left)
            except InterruptedError:
                continue
            for fd, _ in events:
                if fd == self.wake_r:
                    try:
                        while os.read(self.wake_r, 512):
                            pass
                    except BlockingIOError:
                        pass
                elif fd in by_fd:
                    self._accept(by_fd[fd])
                elif fd == self.unsorted.take_end.fileno():
                    while (taken := self.unsorted.take()) is not None:
                        self._wait_for_first_bytes(*taken)
                elif fd in self.waiting:
                    conn, listener, _ = self.waiting.pop(fd)
                    self.poller.unregister(fd)
                    self._queue(conn, listener, request_kind(conn, tls=self.tls) or "read")
                elif self.overflow:  # a full queue has room again
                    self._flush_overflow()
            if time.monotonic() >= self.next_sweep:
                self._sweep()
            self._accept_while_room()

    def _accept(self, index: int) -> None:
        listener = self.listeners[index]
        while len(self.waiting) + len(self.overflow) < self.most_held:
            try:
                conn = accept_ready(listener)
            except OSError as e:  # out of descriptors or memory: the master keeps running
                if e.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM) and self.log:
                    self.log.error("cannot accept a connection: %s", e)
                return
            if conn is None:
                return
            kind = request_kind(conn, tls=self.tls)
            if kind is None:  # nothing sent yet: wait for it here, not in a worker
                self._wait_for_first_bytes(conn, index)
            else:
                self._queue(conn, index, kind)

    def _wait_for_first_bytes(self, conn: socket.socket, index: int) -> None:
        self.waiting[conn.fileno()] = (conn, index, time.monotonic() + self.first_bytes_timeout)
        self.poller.register(conn, select.EPOLLIN)

    def _queue(self, conn: socket.socket, listener: int, kind: str) -> None:
        queue = self.writes if kind == "write" else self.reads
        if self.overflow or not queue.put(conn, listener):
            if not self.overflow:
                self._watch_room(True)
            self.overflow.append((queue, conn, listener))
            return
        conn.close()  # the worker that takes it holds it now

    def _flush_overflow(self) -> None:
        while self.overflow:
            queue, conn, listener = self.overflow[0]
            if not queue.put(conn, listener):
                return
            self.overflow.popleft()
            conn.close()
        self._watch_room(False)

    def _watch_room(self, on: bool) -> None:
        for q in (self.writes, self.reads):
            if on:
                self.poller.register(q.put_end, select.EPOLLOUT)
            else:
                self.poller.unregister(q.put_end)

    def _sweep(self) -> None:
        """Close the connections that have sent nothing within the timeout."""
        now = time.monotonic()
        self.next_sweep = now + 1.0
        for fd, (conn, _, deadline) in list(self.waiting.items()):
            if deadline <= now:
                del self.waiting[fd]
                self.poller.unregister(fd)
                conn.close()

    def close(self) -> None:
        """Close the connections held here (the master stops)."""
        for conn, _, _ in self.waiting.values():
            conn.close()
        for _, conn, _ in self.overflow:
            conn.close()
        self.waiting.clear()
        self.overflow.clear()

    # -- a worker, just forked from the master

    def forget_master_side(self) -> None:
        """Close, in a worker, what only the master uses (inherited by the fork)."""
        for conn, _, _ in self.waiting.values():
            conn.close()
        for _, conn, _ in self.overflow:
            conn.close()
        self.waiting, self.overflow = {}, deque()
        self.poller.close()
        os.close(self.wake_r)
        os.close(self.wake_w)
        self.writes.put_end.close()
        self.reads.put_end.close()
        self.unsorted.take_end.close()

    def take(self) -> tuple[socket.socket, int] | None:
        """A worker's next connection: the oldest write, else the oldest read."""
        return self.writes.take() or self.reads.take()


#: The master's :class:`Handoff`, set before the workers are forked (they inherit it).
HANDOFF: Handoff | None = None


class Opening:
    """The server takes no connection until every worker it starts with has prepared.

    A worker prepares before its first request (``post_worker_init``: its store, the lake
    state's look-ups, a first page rendered: :func:`openbeat.web.server.open_store`), several
    CPU seconds each on a national lake. Were the server to answer as soon as one worker had,
    its first visitors' pages would share the two cores with the others' preparing, and a
    load balancer would send them there. So each worker, once prepared, writes a byte to the
    master and waits; when every one has, the master starts taking connections and lets them
    all go at once (it closes the pipe they wait on). Until then connections wait in the
    listening socket's backlog. A worker started later (one replaced after ``max_requests``)
    finds the server open and does not wait."""

    def __init__(self, workers: int):
        self.expected = workers
        self.prepared = 0
        self.ready_r, self.ready_w = os.pipe()  # a byte from each worker that has prepared
        self.go_r, self.go_w = os.pipe()  # closed by the master: every worker reads its end
        os.set_blocking(self.ready_r, False)
        self.is_open = False

    # -- the master

    def opened(self, timeout: float, *, wake_fd: int | None = None) -> bool:
        """Has every worker prepared? Waits up to ``timeout`` seconds for the next to say so,
        or for a byte on ``wake_fd`` (a signal), which it reads."""
        if self.is_open:
            return True
        ready, _, _ = select.select([self.ready_r] + ([wake_fd] if wake_fd is not None else []), [], [], timeout)
        for fd in ready:
            try:
                while got := os.read(fd, 512):
                    if fd == self.ready_r:
                        self.prepared += len(got)
            except BlockingIOError:
                pass
        if self.prepared >= self.expected:
            self.is_open = True
            os.close(self.go_w)  # every waiting worker reads the end of the pipe
            os.close(self.ready_r)
            os.close(self.ready_w)
            self.go_w = self.ready_r = self.ready_w = None  # what a worker forked later inherits
        return self.is_open

    # -- a worker, just forked from the master

    def wait(self, *, alive=lambda: True, notify=lambda: None) -> None:
        """Say this worker has prepared, then wait until the master opens (every second
        telling the master this worker is alive, as gunicorn's workers do)."""
        if self.is_open:
            if self.go_r is not None:
                os.close(self.go_r)
            return
        os.close(self.go_w)  # the worker's copy: the pipe ends when the master closes its own
        os.close(self.ready_r)
        try:
            os.write(self.ready_w, b"1")
        finally:
            os.close(self.ready_w)
        try:
            while alive():
                notify()
                if select.select([self.go_r], [], [], 1.0)[0] and not os.read(self.go_r, 1):
                    return
        finally:
            os.close(self.go_r)


#: The master's :class:`Opening`, set before the workers are forked (they inherit it).
OPENING: Opening | None = None


class WritesFirstArbiter(Arbiter):
    """gunicorn's arbiter whose main loop, while it waits for signals, takes the
    connections and queues them for :class:`WritesFirstWorker`."""

    handoff: Handoff | None = None
    opening: Opening | None = None

    def start(self):
        global HANDOFF, OPENING
        super().start()
        if issubclass(self.worker_class, WritesFirstWorker):
            self.handoff = HANDOFF = Handoff(log=self.log, first_bytes_timeout=self.cfg.timeout or 30,
                                             most_held=self.cfg.worker_connections, tls=self.cfg.is_ssl)
            self.opening = OPENING = Opening(self.num_workers)
            signal.set_wakeup_fd(self.handoff.wake_w)  # a signal ends the handoff's wait

    def wait_for_signals(self, timeout=1.0):
        if self.handoff is not None and self.LISTENERS:
            if self.opening.opened(timeout, wake_fd=self.handoff.wake_r):
                self.handoff.listen(self.LISTENERS)
                self.handoff.serve(timeout, stop=lambda: not self.SIG_QUEUE.empty())
            timeout = 0
        return super().wait_for_signals(timeout=timeout)

    def stop(self, graceful=True):
        if self.handoff is not None:
            self.handoff.listen([])
            self.handoff.close()
        super().stop(graceful)


class WritesFirstWorker(SyncWorker):
    """gunicorn's sync worker taking its connections from the master's queues, writes
    first (see the module's docstring). With ``threads`` above 1, each thread does so."""

    def run(self):
        handoff = HANDOFF
        if handoff is None or handoff.master_pid != self.ppid:
            return super().run()  # a plain arbiter: accept as the sync worker does
        handoff.forget_master_side()
        if OPENING is not None:
            OPENING.wait(alive=lambda: self.alive, notify=self.notify)  # every worker prepared
            if not self.alive:
                return
        # the other threads wake on this pipe, written once when the main thread stops and
        # never read (the signals' pipe is the main thread's: a byte another thread read
        # would leave the main thread asleep)
        stop_r, stop_w = os.pipe()
        others = [threading.Thread(target=self._serve, args=(handoff, stop_r), daemon=True, name=f"serve-{n}")
                  for n in range(1, max(1, self.cfg.threads))]
        for t in others:
            t.start()
        try:
            self._serve(handoff, self.PIPE[0])
        finally:
            os.write(stop_w, b"1")
        for t in others:
            t.join(self.cfg.graceful_timeout)

    def _serve(self, handoff: Handoff, wake_fd: int) -> None:
        poller = select.epoll()
        # one waiting worker (or thread) is woken per connection queued, not all of them
        poller.register(handoff.writes.take_end, select.EPOLLIN | select.EPOLLEXCLUSIVE)
        poller.register(handoff.reads.take_end, select.EPOLLIN | select.EPOLLEXCLUSIVE)
        poller.register(wake_fd, select.EPOLLIN)
        drain = wake_fd == self.PIPE[0]
        # an idle worker also takes connections from the listeners itself, as the sync worker
        # does: when nothing is queued, the master's hand-over would only add a wait
        for listener in self.sockets:
            poller.register(listener, select.EPOLLIN | select.EPOLLEXCLUSIVE)
        timeout = self.timeout or 0.5
        try:
            while self.alive:
                self.notify()
                taken = handoff.take() or self._accept(handoff)
                if taken is not None:
                    self._handle(*taken)
                    continue
                if not self.is_parent_alive():
                    self.alive = False
                    return
                try:
                    poller.poll(timeout)
                except InterruptedError:
                    pass
                if drain:
                    try:
                        os.read(self.PIPE[0], 64)
                    except (BlockingIOError, OSError):
                        pass
        finally:
            poller.close()

    def _accept(self, handoff: Handoff) -> tuple[socket.socket, int] | None:
        """A connection from a listener, when its first bytes have come; one that has sent
        nothing yet goes to the master to wait for them (not in a worker)."""
        for index, listener in enumerate(self.sockets):
            # an error other than "none waiting" is raised, as the sync worker's accept raises it
            while (conn := accept_ready(listener)) is not None:
                if request_kind(conn, tls=handoff.tls) is not None:
                    return conn, index
                if not handoff.unsorted.put(conn, index):
                    return conn, index  # the master's queue is full: serve it as sync would
                conn.close()
        return None

    def _handle(self, client: socket.socket, listener: int) -> None:
        try:
            client.setblocking(True)
            addr = client.getpeername()
        except OSError:  # gone while it waited
            client.close()
            return
        self.handle(self.sockets[listener], client, addr)
