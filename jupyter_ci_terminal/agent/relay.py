"""One connection's work: on the server's request, the job's shell (:mod:`.shell`), relayed both
ways until the debugging session ends or the connection drops (the shell then goes on)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Protocol

from ..errors import ProtocolError
from ..protocol.frames import Frame, K8sServerCodec
from . import wire
from .shell import JobShell

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

    def __init__(self, ws: Connection, job: JobShell) -> None:
        self.ws, self.job = ws, job
        self.codec = K8sServerCodec()
        self._sender: asyncio.Task[None] | None = None

    async def run(self) -> bool:
        """Relay until the session ends (True) or the connection drops first (False)."""
        reader = asyncio.create_task(self._read())
        exited = asyncio.create_task(self.job.exited.wait())
        try:
            done, _ = await asyncio.wait({reader, exited}, return_when=asyncio.FIRST_COMPLETED)
            if exited in done:
                await self._drain()
                reason = self.job.failure or "the shell exited"
                await self.ws.send(wire.control(wire.EXITED, reason=reason))
                return True
            return reader.result()
        finally:
            for task in (reader, exited, self._sender):
                if task is not None:
                    task.cancel()
            self.job.detach()

    async def _read(self) -> bool:
        while True:
            message = await self.ws.recv()
            if isinstance(message, str):
                kind = wire.parse_control(message).get("type")
                if kind == wire.OPEN and self._sender is None:
                    await self._open()
                elif kind == wire.CLOSE:
                    return True
                elif kind in (wire.PAUSE, wire.RESUME):
                    self.job.pause(kind == wire.PAUSE)
                continue
            try:
                events = self.codec.decode_client(Frame(message))
            except ProtocolError:
                continue  # the server's codec makes valid frames; a bad one is dropped
            await self.job.feed(events)

    async def _open(self) -> None:
        # Answered at once: the shell starts on the first frame that follows (see .shell).
        reopened = self.job.open()
        await self.ws.send(wire.control(wire.OPENED))
        self._sender = asyncio.create_task(self._send_output())
        if reopened:
            wire.say("A debugger opened this job's shell again (it went on while away).")
        else:
            wire.say("A debugger opened this job's shell.")

    async def _send_output(self) -> None:
        while (data := await self.job.output.get()) is not None:
            await self.ws.send(self.codec.encode_output(data).payload)
            self.job.flow()

    async def _drain(self) -> None:
        """Send what the shell printed last before saying it exited."""
        self.job.output.put_nowait(None)
        if self._sender is not None:
            with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._sender), DRAIN_TIMEOUT)
