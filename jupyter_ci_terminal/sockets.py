"""Socket options shared by both ends of a terminal: keep unsent output where it can be seen."""

from __future__ import annotations

import contextlib
import socket
from typing import Any

#: Unsent bytes a terminal socket may hold in the kernel (``TCP_NOTSENT_LOWAT``).
NOTSENT_LOWAT = 64 * 1024


def limit_unsent(stream: Any, limit: int = NOTSENT_LOWAT) -> None:
    """Let the kernel hold at most ``limit`` unsent bytes on ``stream``'s TCP socket.

    A TCP send buffer autotunes to megabytes (on loopback, from a 64 KiB segment size). Output
    parked there is out of reach of the flow control above it: the runner pauses the pty only
    while its own queue is not empty, and Ctrl-C flushes only the pty's queue, so megabytes of
    ``yes`` would still arrive after the interrupt. With the limit, the writer's queue fills
    instead, and the back-pressure reaches the pty. Linux only; elsewhere (or on a Unix socket)
    nothing changes.
    """
    option = getattr(socket, "TCP_NOTSENT_LOWAT", None)
    sock = getattr(stream, "socket", None)
    if option is None or sock is None or limit <= 0:
        return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, option, limit)
