"""One viewer of a terminal session: its queue, its lag and its acknowledgements.

A viewer that cannot keep up gets the present, not the past (as mosh does). Its *lag* is the age
of the oldest output it has not been delivered yet: queued here or, once it acknowledges what it
displayed (``["ack", n]``), sent but not acknowledged. When the lag passes ``max_lag`` seconds,
or the queue ``max_backlog`` characters (the memory bound), the queue is dropped and the viewer
gets one restore payload of the current screen as soon as it can take it, then live output
again. The session never waits for a viewer, so a slow one slows neither the shell nor the
others (terminado instead grows by ~150 MiB during a 100 MB ``cat`` to a stalled client).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable

from ..protocol import terminado
from ..protocol.jsontext import Output

#: Output is coalesced into stdout messages of at most this many characters: more than the
#: session reads from the runner at once (64 KiB), so a viewer that keeps up sends all that
#: is queued in one message per turn of the event loop and does not fall behind the session.
BATCH = 256 * 1024
#: Characters an acknowledging viewer may have sent but not displayed. Beyond it output waits
#: here, where its age is seen and it can be dropped, instead of in the browser's unbounded
#: queue; large enough that the acknowledgements' round trip does not limit a ``cat``.
ACK_WINDOW = 256 * 1024
#: Seconds an acknowledging viewer may go without acknowledging anything while output waits for
#: it; past that, what it was sent counts as shown.
ACK_PATIENCE = 2.0

log = logging.getLogger(__name__)

#: A queued item: (is_control, when it was produced, text). Control messages are pre-encoded;
#: output is escaped for JSON (or encoded in UTF-8) once for all viewers and the recording.
_Item = tuple[bool, float, Output]
#: A websocket message: JSON text, or the binary UTF-8 of output (see ``terminado.stdout_binary``).
Message = str | bytes


class Viewer:
    """A browser websocket seen as a sink for terminal output."""

    def __init__(
        self,
        send: Callable[[Message], Awaitable[None]],
        snapshot: Callable[[], str],
        *,
        user: str,
        max_backlog: int,
        max_lag: float,
        stdout: terminado.StdoutFormat = terminado.stdout_of,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._stdout = stdout
        self._snapshot = snapshot
        self._clock = clock
        self.user = user
        self.max_backlog = max_backlog
        self.max_lag = max_lag
        self.size: tuple[int, int] | None = None
        self.bytes_out = 0
        self.bytes_in = 0
        #: When it attached and last typed, in the session's order (see ``Fanout.answerer``).
        self.attached = 0
        self.typed = 0
        self.overflows = 0  # times the queue was dropped for a restore payload
        self.resyncs = 0  # restore payloads sent after the first (an overflow, a new width)
        #: True once the viewer acknowledged output: its lag then counts what it has not shown.
        self.acking = False
        self._queue: deque[_Item] = deque()
        self._queued = 0
        # (when produced, characters) of stdout content sent and not yet acknowledged.
        self._unacked: deque[tuple[float, int]] = deque()
        self._unacked_chars = 0
        self._held_since: float | None = None  # when output began to wait for an ack
        self._resync = False
        self._final: list[Message] = []
        self._closing = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def backlog(self) -> int:
        """Characters waiting to be sent."""
        return self._queued

    @property
    def unacknowledged(self) -> int:
        """Characters sent and not yet acknowledged (counted once the viewer acknowledges)."""
        return self._unacked_chars if self.acking else 0

    @property
    def resync_due(self) -> bool:
        """True while a restore payload waits to replace the output it missed."""
        return self._resync

    @property
    def lag(self) -> float:
        """Seconds since the oldest output this viewer has not been delivered was produced."""
        oldest = next((stamp for control, stamp, _ in self._queue if not control), None)
        if self.acking and self._unacked:
            oldest = min(self._unacked[0][0], oldest or self._unacked[0][0])
        return 0.0 if oldest is None else max(0.0, self._clock() - oldest)

    def start(self, control: str, output: str) -> None:
        """Start sending: one control message (setup), then the initial restore payload."""
        now = self._clock()
        self._queue.extend([(True, now, Output(control)), (False, now, Output(output))])
        self._queued += len(control) + len(output)
        self._task = asyncio.create_task(self._run())
        self._wake.set()

    def push(self, text: Output) -> None:
        """Queue output; never blocks, never queues past ``max_backlog`` or ``max_lag``."""
        if self._resync or self._closing:
            self._wake.set()  # nothing to queue (the restore payload to come holds it), but
            return  # the sender looks again whether the payload may go
        self._queue.append((False, self._clock(), text))
        self._queued += len(text)
        if self._queued > self.max_backlog or self.lag > self.max_lag:
            self._drop()
        self._wake.set()

    def ack(self, chars: int) -> None:
        """The viewer displayed ``chars`` more characters (extra ones are ignored)."""
        self.acking = True
        self._held_since = None  # progress: the patience starts again
        while chars > 0 and self._unacked:
            stamp, count = self._unacked[0]
            taken = min(count, chars)
            if taken == count:
                self._unacked.popleft()
            else:
                self._unacked[0] = (stamp, count - taken)
            self._unacked_chars -= taken
            chars -= taken
        self._wake.set()

    def finish(self, *messages: str | Output) -> None:
        """Send ``messages`` after the queued output, then stop: a ``str`` is a control message,
        an :class:`Output` goes as stdout (not counted for acks: nothing follows it)."""
        self._final.extend(m if isinstance(m, str) else self._stdout([m]) for m in messages)
        self._closing = True
        self._wake.set()

    def resync(self) -> None:
        """Replace what is queued with a restore payload made when it is sent."""
        self._queue = deque(item for item in self._queue if item[0])
        self._queued = sum(len(text) for _, _, text in self._queue)
        self._resync = True
        self._wake.set()

    def _drop(self) -> None:
        # The screen model holds everything this viewer missed: a restore payload replaces it.
        self.resync()
        self.overflows += 1

    def _output_queued(self) -> bool:
        return any(not control for control, _, _ in self._queue)

    def _held(self) -> bool:
        """True while an acknowledging viewer has all it may have in flight."""
        if not self.acking or self._closing:
            return False
        # The restore payload goes once the viewer showed all it has; output, within the window.
        limit = 1 if self._resync else ACK_WINDOW
        if self._unacked_chars < limit:
            self._held_since = None
            return False
        now = self._clock()
        if self._held_since is None:
            self._held_since = now
        elif now - self._held_since > ACK_PATIENCE:
            # No ack for that long: one was lost or miscounted, or the tab is in the background.
            # Start counting afresh rather than freeze the tab for good.
            self._unacked.clear()
            self._unacked_chars = 0
            self._held_since = None
            return False
        return True

    def _next_message(self) -> tuple[Message, int, float] | None:
        """The next message, the stdout characters it carries and when they were produced."""
        if self._held():
            return None
        if self._resync:
            self._resync = False
            self.resyncs += 1
            screen = self._snapshot()
            return self._stdout([Output(screen)]), len(screen), self._clock()
        if not self._queue:
            return None
        control, stamp, head = self._queue[0]
        if control:
            self._queue.popleft()
            self._queued -= len(head)
            return head.text, 0, stamp
        parts: list[Output] = []
        size = 0
        while self._queue and not self._queue[0][0] and size < BATCH:
            _, _, part = self._queue.popleft()
            self._queued -= len(part)
            parts.append(part)
            size += len(part)
        return self._stdout(parts), size, stamp

    def _sent(self, stamp: float, chars: int) -> None:
        self._unacked.append((stamp, chars))
        self._unacked_chars += chars
        # Kept for a viewer that does not acknowledge (yet) only as far as the memory bound.
        while not self.acking and self._unacked_chars > self.max_backlog:
            self._unacked_chars -= self._unacked.popleft()[1]

    async def _run(self) -> None:
        try:
            await self._send_until_finished()
        except Exception:  # a closed socket is not one (the sender ignores it): a bug
            log.exception("A CI terminal viewer stopped receiving output")

    async def _send_until_finished(self) -> None:
        while True:
            if self._output_queued() and self.lag > self.max_lag:
                self._drop()  # it aged while the viewer was busy: send the present
            step = self._next_message()
            if step is None:
                if self._closing and not self._queue:
                    for final in self._final:
                        await self._send(final)
                    return
                self._wake.clear()
                patience = ACK_PATIENCE if self._held_since is not None else None
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), patience)
                continue
            message, chars, stamp = step
            if chars:
                # Counted before the send: the browser may acknowledge it before the send
                # returns, and an ack for output not yet counted would be lost for good.
                self._sent(stamp, chars)
            await self._send(message)
            self.bytes_out += len(message)

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
