"""A session's one connection toward the job's shell: dial, frame codec, typeahead, pump.

The pump reads the next frame only once the last one has been handled (screen model,
recording, viewers' queues), whatever the viewers do: flow control reaches the runner's pty only
when this server itself cannot keep up.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
from collections.abc import Awaitable, Callable

from tornado.websocket import WebSocketClientConnection

from ..channel import Channel
from ..dial import dial
from ..errors import ProtocolError
from ..protocol.frames import ClientCodec, Frame, client_codec
from .settings import SessionSettings
from .upstream import Upstream

log = logging.getLogger(__name__)

#: Why a session ended when the runner process itself died (SIGKILL, out of memory, a crash).
RUNNER_GONE = "the runner serving this job stopped (its process is gone)"


class ShellLink:
    """The connection to a job's shell, dialed or handed over by an agent."""

    def __init__(self, name: str, cfg: SessionSettings) -> None:
        self.name = name
        self.cfg = cfg
        self.ws: Upstream | None = None
        self.dialing: asyncio.Task[WebSocketClientConnection] | None = None
        self.closed = False
        self._codec: ClientCodec = client_codec(None)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        #: Keystrokes typed while waiting for the shell (sent once it is there, up to the cap).
        self._typeahead = bytearray()

    @property
    def resizable(self) -> bool:
        """Whether the frames can carry a resize (``channel.k8s.io``)."""
        return self._codec.supports_resize

    def dial(self, channel: Channel) -> asyncio.Task[WebSocketClientConnection]:
        """Start dialing the runner."""
        self.dialing = asyncio.create_task(
            dial(
                channel,
                connect_timeout=self.cfg.connect_timeout,
                ready_timeout=self.cfg.ready_timeout,
                ping_interval=self.cfg.ping_interval,
            )
        )
        return self.dialing

    def connect(self, ws: Upstream) -> None:
        """Use ``ws`` from now on."""
        self.ws = ws
        self._codec = client_codec(ws.selected_subprotocol)

    async def send_typeahead(self) -> None:
        """Send what was typed while waiting for the shell."""
        typed, self._typeahead = bytes(self._typeahead), bytearray()
        await self._frames(self._codec.encode_input(typed))

    async def input(self, data: bytes) -> bool:
        """Send keystrokes; False when they were kept for later (or the link is closed)."""
        if self.ws is None and not self.closed:
            self._typeahead += data[: max(0, self.cfg.max_input - len(self._typeahead))]
            return False
        if self.ws is None or self.closed:
            return False
        await self._frames(self._codec.encode_input(data))
        return True

    async def resize(self, rows: int, cols: int) -> bool:
        """Resize the remote pty; False when the protocol cannot."""
        if not self._codec.supports_resize:
            return False
        await self._frames(self._codec.encode_resize(rows, cols))
        return True

    async def _frames(self, frames: list[Frame]) -> None:
        if self.ws is not None:
            for frame in frames:
                await self.ws.write_message(frame.payload, binary=frame.binary)

    async def pump(
        self,
        output: Callable[[str], None],
        runner_gone: Callable[[], Awaitable[bool]],
        *,
        agent: bool,
    ) -> str:
        """Relay output until the connection ends; return why it ended (``agent``: the shell is
        an agent's, whose close reason is its own sentence)."""
        assert self.ws is not None
        reason = "the runner closed the terminal (the shell exited or the job ended)"
        try:
            while True:
                message = await self.ws.read_message()
                if message is None:
                    if self.ws.close_reason and agent:
                        reason = self.ws.close_reason  # the agent's own words, no runner
                    elif self.ws.close_reason:
                        reason = f"the runner closed the terminal: {self.ws.close_reason}"
                    elif await runner_gone():
                        reason = RUNNER_GONE
                    return reason
                raw = message if isinstance(message, bytes) else message.encode()
                frame = Frame(raw, binary=isinstance(message, bytes))
                text = self._decoder.decode(self._codec.decode_output(frame))
                if text:
                    output(text)
        except ProtocolError as e:
            return str(e)
        except Exception:
            log.exception("Terminal session %s failed", self.name)
            return "the connection to the runner failed"

    def close(self) -> None:
        """Stop dialing, close the connection."""
        self.closed = True
        if self.dialing is not None and not self.dialing.done():
            self.dialing.cancel()
        if self.ws is not None:
            self.ws.close()
