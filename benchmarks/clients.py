"""One terminal client, the same for both servers (terminado's and the CI terminal's)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from typing import Any

from common import TERMINADO
from harness import JupyterServer
from websockets.asyncio.client import ClientConnection, connect

#: Output formats of the CI terminal's websocket (``?output=binary``: stdout as binary UTF-8).
OUTPUTS = ("json", "binary")


class Term:
    """A terminado-protocol websocket client (JupyterLab's TerminalConnection, minus the widget)."""

    def __init__(self, kind: str, ws: ClientConnection) -> None:
        self.kind = kind
        self.ws = ws

    @classmethod
    async def open(
        cls,
        server: JupyterServer,
        kind: str,
        name: str,
        *,
        stalled: bool = False,
        max_queue: int = 64,
        output: str = "json",
    ) -> Term:
        """Connect; ``output`` is the CI terminal's output format (terminado has only JSON)."""
        binary = kind != TERMINADO and output == "binary"
        path = (
            f"terminals/websocket/{name}"
            if kind == TERMINADO
            else f"ci-terminal/terminals/websocket/{name}?output={output}"
        )
        ws = await connect(
            server.ws_base + path,
            additional_headers={"Authorization": f"token {server.token}"},
            compression=None,
            proxy=None,
            max_size=None,
            ping_interval=None,
            open_timeout=60,
            close_timeout=2,
            # A stalled viewer: once one message is buffered the client stops reading the socket.
            max_queue=1 if stalled else max_queue,
        )
        term = BinaryTerm(kind, ws) if binary else cls(kind, ws)
        if not stalled:
            first = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if first[0] != "setup":
                msg = f"{kind}: the first message is {first[0]!r}, not setup"
                raise RuntimeError(msg)
        return term

    async def send(self, text: str) -> None:
        await self.ws.send(json.dumps(["stdin", text]))

    async def recv_text(self, timeout: float | None = None) -> str:
        """The text of the next stdout message (other messages give '')."""
        return self.stdout_text(await asyncio.wait_for(self.ws.recv(), timeout))

    def stdout_text(self, raw: str | bytes) -> str:
        """The text of a stdout message ('' for another message)."""
        msg = json.loads(raw)
        return msg[1] if msg[0] == "stdout" else ""

    async def recv_raw(self, timeout: float) -> str | bytes:
        """The next frame, undecoded (a JSON text frame's UTF-8 is searched as it is)."""
        return await asyncio.wait_for(self.ws.recv(decode=False), timeout)

    async def drain(self, quiet: float = 0.3, *, acks: bool = False) -> None:
        """Read until nothing arrives for ``quiet`` seconds (``acks``: acknowledging each)."""
        while True:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), quiet)
            except TimeoutError:
                return
            if acks:
                await self.ack(raw)

    async def ack(self, raw: bytes | str) -> None:
        """Acknowledge one message's stdout characters, as the Lab does once xterm.js parsed them."""
        text = self.stdout_text(raw)
        if text:
            await self.ws.send(json.dumps(["ack", len(text)]))

    async def run_until(self, command: str, marker: str, timeout: float = 600) -> dict[str, Any]:
        """Send ``command`` + CR, read raw frames until ``marker``; time and count what came.

        The stdout payload is searched in its JSON-escaped form: escaping is per character, so
        consecutive payloads concatenate, and the marker is plain [A-Za-z0-9].
        """
        needle = marker.encode()
        tail = b""
        newlines = 0
        received = 0
        messages = 0
        t0 = time.perf_counter()
        await self.send(command + "\r")
        deadline = t0 + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                msg = f"{self.kind}: no {marker!r} within {timeout:g} s"
                raise TimeoutError(msg)
            raw = await self.recv_raw(left)
            received += len(raw)
            messages += 1
            output = self.output_of(raw)
            if output is None:
                continue
            payload, lines = output
            newlines += lines
            window = tail + payload
            if needle in window:
                t1 = time.perf_counter()
                return {
                    "seconds": t1 - t0,
                    "newlines": newlines,
                    "wire_bytes": received,
                    "messages": messages,
                }
            tail = window[-len(needle) :]

    def output_of(self, raw: str | bytes) -> tuple[bytes, int] | None:
        """A frame's output as searched for the marker, and its line count (None: not output)."""
        if not isinstance(raw, bytes) or not raw.startswith(b'["stdout"'):
            return None
        start = raw.index(b'"', 9) + 1
        payload = raw[start:-2]
        return payload, payload.count(b"\\n")

    async def sync(self) -> None:
        """Wait until the shell has run everything sent so far, then for quiet."""
        token = secrets.token_hex(6)
        await self.run_until(f"printf 'SYNC%s\\n' {token}", f"SYNC{token}", timeout=120)
        await self.drain()

    async def keystroke(self, char: str, timeout: float = 30) -> float:
        """Send one character; seconds until a stdout message holding its echo arrives."""
        t0 = time.perf_counter()
        await self.send(char)
        deadline = t0 + timeout
        while True:
            text = await self.recv_text(max(0.001, deadline - time.perf_counter()))
            if char in text:
                return time.perf_counter() - t0

    async def clear_line(self) -> None:
        """Ctrl-U: empty the readline buffer, then wait for quiet."""
        await self.send("\x15")
        await self.drain(0.2)

    def abort(self) -> None:
        """Drop the connection without a closing handshake (a stalled client cannot do one)."""
        self.ws.transport.abort()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 3)
        self.abort()


class BinaryTerm(Term):
    """A CI terminal client that asked for ``?output=binary``: stdout comes as binary frames of
    UTF-8, control messages as JSON text frames (as the Lab's CI tabs receive them)."""

    def stdout_text(self, raw: str | bytes) -> str:
        return raw.decode() if isinstance(raw, bytes) else super().stdout_text(raw)

    async def recv_raw(self, timeout: float) -> str | bytes:
        # Text frames (control messages, small) decoded, binary frames as they are.
        return await asyncio.wait_for(self.ws.recv(), timeout)

    def output_of(self, raw: str | bytes) -> tuple[bytes, int] | None:
        return (raw, raw.count(b"\n")) if isinstance(raw, bytes) else None
