"""A small terminal client over the ``websockets`` package (independent of our own dialer)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from .conftest import ssl_context


def dial(
    channel: dict[str, Any],
    subprotocol: str | None = "terminal.gitlab.com",
    token: str | None = None,
    close_timeout: float = 10,
) -> Any:
    """Return a ``connect()`` context for a Channel."""
    auth = channel["Header"]["Authorization"][0] if token is None else token
    return connect(
        channel["Url"],
        ssl=ssl_context(channel["CAPem"]),
        additional_headers={"Authorization": auth},
        subprotocols=[subprotocol] if subprotocol else None,  # type: ignore[list-item]
        ping_interval=None,
        max_size=None,
        close_timeout=close_timeout,
    )


async def status_of(channel: dict[str, Any], **kw: Any) -> int:
    """Dial and return the HTTP status of a refused handshake (101 when accepted)."""
    try:
        async with dial(channel, **kw):
            return 101
    except InvalidStatus as e:
        return int(e.response.status_code)


def encode(ws: ClientConnection, data: bytes) -> bytes | str:
    """Encode input for the connection's subprotocol."""
    if ws.subprotocol == "base64.terminal.gitlab.com":
        return base64.b64encode(data).decode()
    if ws.subprotocol == "channel.k8s.io":
        return b"\x00" + data
    return data


def decode(ws: ClientConnection, frame: bytes | str) -> bytes:
    """Decode one output frame."""
    if ws.subprotocol == "base64.terminal.gitlab.com":
        assert isinstance(frame, str)
        return base64.b64decode(frame)
    assert isinstance(frame, bytes)
    if ws.subprotocol == "channel.k8s.io":
        assert frame[0] == 1
        return frame[1:]
    return frame


async def send(ws: ClientConnection, data: bytes) -> None:
    """Send keystrokes."""
    await ws.send(encode(ws, data))


async def resize(ws: ClientConnection, rows: int, cols: int) -> None:
    """Resize over channel.k8s.io."""
    await ws.send(b"\x04" + json.dumps({"Width": cols, "Height": rows}).encode())


async def read_until(ws: ClientConnection, needle: str, timeout: float = 15) -> str:
    """Read output until ``needle`` appears; return everything read."""
    out = b""
    deadline = time.monotonic() + timeout
    while needle.encode() not in out:
        left = deadline - time.monotonic()
        if left <= 0:
            msg = f"{needle!r} not seen in {out.decode(errors='replace')!r}"
            raise AssertionError(msg)
        try:
            frame = await asyncio.wait_for(ws.recv(), left)
        except TimeoutError:
            continue
        except ConnectionClosed as e:
            msg = f"closed before {needle!r}: {out.decode(errors='replace')!r}"
            raise AssertionError(msg) from e
        out += decode(ws, frame)
    return out.decode(errors="replace")


async def drain_until_closed(ws: ClientConnection, timeout: float = 15) -> ConnectionClosed:
    """Read until the server closes; return the close exception."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.monotonic()))
        except ConnectionClosed as e:
            return e
