"""One browser attached to a terminal session, with a bounded backlog.

A viewer that stops reading must not make the server hold an unbounded queue (terminado grows by
~150 MiB during a 100 MB ``cat`` to a stalled client), nor slow the other viewers. Each viewer has
its own sender task and a backlog capped in characters; past the cap the backlog is dropped and the
viewer is marked *lagging*; once it reads again it gets one redraw from the screen model instead
of the output it missed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable

from ..protocol import terminado

#: Output is coalesced into stdout messages of at most this many characters.
BATCH = 16 * 1024


class Viewer:
    """A browser websocket seen as a sink for terminal output."""

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        snapshot: Callable[[], str],
        *,
        user: str,
        max_backlog: int,
    ) -> None:
        self._send = send
        self._snapshot = snapshot
        self.user = user
        self.max_backlog = max_backlog
        self.size: tuple[int, int] | None = None
        self.bytes_out = 0
        self.bytes_in = 0
        self.overflows = 0  # times the backlog was dropped for a later redraw
        self.resyncs = 0  # redraws sent after an overflow
        # (is_control, text): control messages are pre-encoded, output is raw text.
        self._queue: deque[tuple[bool, str]] = deque()
        self._queued = 0
        self._lagging = False
        self._final: list[str] = []
        self._closing = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: Called when the backlog falls to half the cap or less (the session resumes reading).
        self.on_drain: Callable[[], None] | None = None

    @property
    def behind(self) -> bool:
        """True while more than half the backlog cap is waiting to be sent."""
        return self._queued > self.max_backlog // 2

    @property
    def backlog(self) -> int:
        """Characters waiting to be sent."""
        return self._queued

    def start(self, control: str, output: str) -> None:
        """Start sending: one control message (setup), then the initial redraw."""
        self._queue.extend([(True, control), (False, output)])
        self._queued += len(control) + len(output)
        self._task = asyncio.create_task(self._run())
        self._wake.set()

    def push(self, text: str) -> None:
        """Queue output; never blocks, never grows past ``max_backlog``."""
        if self._lagging or self._closing:
            return
        if self._queued + len(text) > self.max_backlog:
            # The screen model holds everything this viewer missed: drop the queue, redraw later.
            self._queue.clear()
            self._queued = 0
            self._lagging = True
            self.overflows += 1
        else:
            self._queue.append((False, text))
            self._queued += len(text)
        self._wake.set()

    def finish(self, *messages: str) -> None:
        """Send ``messages`` after the queued output, then stop."""
        self._final.extend(messages)
        self._closing = True
        self._wake.set()

    def _next_message(self) -> str | None:
        if self._lagging:
            self._lagging = False
            self.resyncs += 1
            return terminado.stdout(self._snapshot())
        if not self._queue:
            return None
        control, head = self._queue[0]
        if control:
            self._queue.popleft()
            self._queued -= len(head)
            return head
        parts: list[str] = []
        size = 0
        while self._queue and not self._queue[0][0] and size < BATCH:
            _, part = self._queue.popleft()
            self._queued -= len(part)
            parts.append(part)
            size += len(part)
        return terminado.stdout("".join(parts))

    async def _run(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                message = self._next_message()
                if message is None:
                    if self._closing:
                        for final in self._final:
                            await self._send(final)
                        return
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                await self._send(message)
                self.bytes_out += len(message)
                if self.on_drain is not None and not self.behind:
                    self.on_drain()

    async def stop(self) -> None:
        """Stop the sender without sending more."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def drained(self) -> None:
        """Wait until the sender has finished (after :meth:`finish`)."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
