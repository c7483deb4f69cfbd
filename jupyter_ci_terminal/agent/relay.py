"""One connection's work: on the server's request, a login shell on a pty, relayed both ways."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Protocol

from ..errors import ProtocolError
from ..protocol.frames import Frame, Input, K8sServerCodec, Resize
from ..runner.terminals.terminal import PtyShell
from . import wire

#: Output chunks queued toward the server beyond which the shell is not read (back-pressure).
MAX_QUEUED = 64
#: Seconds given to the shell's last output on its way out.
DRAIN_TIMEOUT = 5.0


class Connection(Protocol):
    """What the relay needs of a websocket (``websockets``' client connection has it)."""

    async def send(self, message: str | bytes) -> None:
        """Send one frame."""

    async def recv(self) -> str | bytes:
        """Receive one frame (raises when the connection closes)."""


class Relay:
    """Serves the server's requests on one connection until the debugging session ends."""

    def __init__(self, ws: Connection, cwd: Path, env: dict[str, str]) -> None:
        self.ws, self.cwd, self.env = ws, cwd, env
        self.codec = K8sServerCodec()
        self.shell: PtyShell | None = None
        #: Set once a debugger opened the shell: its end is the end of the hold.
        self.attached = False
        self._output: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._sender: asyncio.Task[None] | None = None
        self._exited = asyncio.Event()
        #: The server asked for no more output for now (its viewers are behind).
        self._server_paused = False

    async def run(self) -> bool:
        """Relay until the session ends (True) or the connection drops first (False)."""
        reader = asyncio.create_task(self._read())
        exited = asyncio.create_task(self._exited.wait())
        try:
            done, _ = await asyncio.wait({reader, exited}, return_when=asyncio.FIRST_COMPLETED)
            if exited in done:
                await self._drain()
                await self.ws.send(wire.control(wire.EXITED, reason="the shell exited"))
                return True
            return reader.result()
        finally:
            for task in (reader, exited, self._sender):
                if task is not None:
                    task.cancel()
            if self.shell is not None:
                await self.shell.close()

    async def _read(self) -> bool:
        while True:
            message = await self.ws.recv()
            if isinstance(message, str):
                kind = wire.parse_control(message).get("type")
                if kind == wire.OPEN and self.shell is None:
                    await self._open()
                elif kind == wire.CLOSE:
                    return True
                elif kind in (wire.PAUSE, wire.RESUME):
                    self._server_paused = kind == wire.PAUSE
                    self._flow()
                continue
            if self.shell is None:
                continue
            try:
                events = self.codec.decode_client(Frame(message))
            except ProtocolError:
                continue  # the server's codec makes valid frames; a bad one is dropped
            for event in events:
                if isinstance(event, Input):
                    await self.shell.send(event.data)
                elif isinstance(event, Resize):
                    self.shell.resize(event.rows, event.cols)

    async def _open(self) -> None:
        shell = await PtyShell.spawn(self.cwd, self.env)
        shell.on_output = self._on_output
        shell.on_exit = self._exited.set
        self.shell, self.attached = shell, True
        self._sender = asyncio.create_task(self._send_output())
        await self.ws.send(wire.control(wire.OPENED))
        shell.start()
        wire.say("A debugger opened this job's shell.")

    def _flow(self) -> None:
        """Read the shell only while the server wants output and the send queue has room."""
        if self.shell is None:
            return
        if self._server_paused or self._output.qsize() > MAX_QUEUED:
            self.shell.pause()
        elif self._output.qsize() <= MAX_QUEUED // 2:
            self.shell.resume()

    def _on_output(self, data: bytes) -> None:
        self._output.put_nowait(data)
        self._flow()

    async def _send_output(self) -> None:
        while (data := await self._output.get()) is not None:
            await self.ws.send(self.codec.encode_output(data).payload)
            self._flow()

    async def _drain(self) -> None:
        """Send what the shell printed last before saying it exited."""
        self._output.put_nowait(None)
        if self._sender is not None:
            with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._sender), DRAIN_TIMEOUT)
