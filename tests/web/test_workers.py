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
