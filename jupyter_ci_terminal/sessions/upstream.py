"""What a terminal session reads from and writes to: a dialed runner, or a job's agent.

A session needs little of its upstream: read a message (None at the end), write one, close,
and say why it ended and which subprotocol its frames use. Tornado's websocket client
connection already has that shape; :class:`AgentUpstream` gives a connected agent the same one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Protocol

from ..backends.base import TerminalUser
from ..protocol.frames import K8S


class Upstream(Protocol):
    """A terminal's connection toward the job's shell."""

    @property
    def selected_subprotocol(self) -> str | None:
        """The subprotocol of the frames (``channel.k8s.io``: resize works)."""
        ...

    @property
    def close_reason(self) -> str | None:
        """Why the far end closed, when it said."""
        ...

    def read_message(self) -> Awaitable[str | bytes | None]:
        """The next frame; None once the connection ended."""
        ...

    def write_message(self, message: bytes, binary: bool = ...) -> Awaitable[None]:
        """Send one frame."""
        ...

    def close(self) -> None:
        """End the connection."""
        ...


class AgentLookup(Protocol):
    """Connected agents, as sessions see them (see :mod:`.agents`)."""

    def starter(self, project_id: str, job_id: int) -> TerminalUser | None:
        """Who started the job; None when no agent serves the job."""
        ...

    async def open(self, project_id: str, job_id: int) -> Upstream | None:
        """The job's shell through its agent; None when no agent serves the job."""
        ...


#: Output frames queued from an agent at which it is asked to pause its shell, and at which
#: (once the session has read them down) it is asked to resume.
PAUSE_AT, RESUME_AT = 64, 16


class AgentUpstream:
    """One shell on a connected agent: ``channel.k8s.io`` frames over the agent's connection.

    ``send`` writes a frame to the agent (and ``close_agent`` asks it to end the shell); the
    agent's frames arrive through :meth:`feed` and its end through :meth:`end`. When the session
    reads slower than the agent sends (this server cannot keep up), ``flow(False)`` asks the
    agent to stop reading its shell, rather than this server queueing without end; the
    connection itself keeps being read, so its pings go on.
    """

    selected_subprotocol = K8S

    def __init__(self, send: _Send, close_agent: _Close, flow: _Flow) -> None:
        self._send, self._close_agent, self._flow = send, close_agent, flow
        self._frames: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.close_reason: str | None = None
        self.ended = False
        self.paused = False

    async def read_message(self) -> str | bytes | None:
        """The agent's next output frame; None once the shell or the agent is gone."""
        frame = await self._frames.get()
        if self.paused and self._frames.qsize() <= RESUME_AT and not self.ended:
            self.paused = False
            self._flow(True)
        return frame

    def write_message(self, message: bytes, binary: bool = True) -> Awaitable[None]:
        """Send stdin or resize to the agent."""
        return self._send(message)

    def close(self) -> None:
        """The session ended: tell the agent to end the shell."""
        if not self.ended:
            self._close_agent()
            self.end(None)

    def feed(self, frame: bytes) -> None:
        """A frame from the agent."""
        if not self.ended:
            self._frames.put_nowait(frame)
            if not self.paused and self._frames.qsize() >= PAUSE_AT:
                self.paused = True
                self._flow(False)

    def end(self, reason: str | None) -> None:
        """The shell or the agent is gone (``reason``: why, for the viewers)."""
        if not self.ended:
            self.ended = True
            self.close_reason = reason
            self._frames.put_nowait(None)


class _Send(Protocol):
    def __call__(self, frame: bytes) -> Awaitable[None]: ...


class _Close(Protocol):
    def __call__(self) -> None: ...


class _Flow(Protocol):
    def __call__(self, flowing: bool) -> None: ...
