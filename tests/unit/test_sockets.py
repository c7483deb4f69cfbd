"""The kernel may hold only a little unsent terminal output: the rest waits where it is seen."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest

from jupyter_ci_terminal.sockets import NOTSENT_LOWAT, limit_unsent

NOTSENT = getattr(socket, "TCP_NOTSENT_LOWAT", None)


@pytest.mark.skipif(NOTSENT is None, reason="TCP_NOTSENT_LOWAT is a Linux (and macOS) option")
def test_a_tcp_stream_gets_the_unsent_limit() -> None:
    assert NOTSENT is not None
    server = socket.create_server(("127.0.0.1", 0))
    with server, socket.create_connection(server.getsockname()) as client:
        before = client.getsockopt(socket.IPPROTO_TCP, NOTSENT)
        limit_unsent(SimpleNamespace(socket=client))
        assert before != NOTSENT_LOWAT
        assert client.getsockopt(socket.IPPROTO_TCP, NOTSENT) == NOTSENT_LOWAT


@pytest.mark.parametrize(
    "stream",
    [None, SimpleNamespace(socket=None), SimpleNamespace()],
    ids=["no stream", "closed stream", "not a socket stream"],
)
def test_anything_but_a_tcp_stream_is_left_alone(stream: object) -> None:
    limit_unsent(stream)  # nothing to limit, nothing raised


def test_a_unix_socket_is_left_alone() -> None:
    a, b = socket.socketpair()
    with a, b:
        limit_unsent(SimpleNamespace(socket=a))
        a.sendall(b"still works")
        assert b.recv(64) == b"still works"
