"""The job's one shell on the agent: started at the first size the server sends, and kept
across the agent's connections while the hold lasts.

The server sends its first viewer's size before anything else, so when asked for the shell the
agent waits up to ``size_wait`` s for the first frame: a resize starts the shell at that size,
so its first prompt is drawn for the viewer's width; keystrokes (which are then typed into it)
or silence start it at 24x80, as the local runner's session server does. A dropped connection
leaves the shell running, its output waiting (and the shell paused once that fills up), and the
next request after the agent dialed again gets the same shell.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from ..protocol.frames import ClientEvent, Input, Resize
from ..runner.terminals.terminal import DEFAULT_COLS, DEFAULT_ROWS, PtyShell

#: Output chunks queued toward the server beyond which the shell is not read (back-pressure).
MAX_QUEUED = 64


class JobShell:
    """The shell the agent serves: one per hold, whichever connection it is served on."""

    def __init__(self, cwd: Path, env: dict[str, str], size_wait: float) -> None:
        self.cwd, self.env, self.size_wait = cwd, env, size_wait
        self.shell: PtyShell | None = None
        #: The shell's output on its way to the server (None: no more, see the relay's drain).
        self.output: asyncio.Queue[bytes | None] = asyncio.Queue()
        #: Set when the shell exited, or could not start (``failure`` then says why).
        self.exited = asyncio.Event()
        self.failure: str | None = None
        self._connected = False
        self._server_paused = False
        # The first frame's size (None: keystrokes or nothing) while the start waits for it.
        self._first: asyncio.Future[tuple[int, int] | None] | None = None
        self._starting: asyncio.Task[None] | None = None

    def open(self) -> bool:
        """The server asks for the shell: start it, or hand over the one that runs (True)."""
        self._connected, self._server_paused = True, False
        if self._starting is not None:
            self.flow()
            return True
        self._first = asyncio.get_running_loop().create_future()
        self._starting = asyncio.create_task(self._start(self._first))
        return False

    async def feed(self, events: list[ClientEvent]) -> None:
        """The server's keystrokes and resizes, in order (before an ``open``: dropped)."""
        if events and self._first is not None and not self._first.done():
            first = events[0]
            self._first.set_result((first.rows, first.cols) if isinstance(first, Resize) else None)
        if self._starting is not None:
            # The start finishes by itself: a dropped connection does not cancel it half-way.
            await asyncio.shield(self._starting)
        if self.shell is None:
            return
        for event in events:
            if isinstance(event, Input):
                await self.shell.send(event.data)
            elif isinstance(event, Resize):
                self.shell.resize(event.rows, event.cols)

    def pause(self, paused: bool) -> None:
        """The server asks for no more output for now (False: again)."""
        self._server_paused = paused
        self.flow()

    def detach(self) -> None:
        """The connection is gone: the shell goes on, unread; one still unstarted is not."""
        self._connected = False
        if self._first is not None and not self._first.done():
            self._first.set_result(None)
        self.flow()

    async def close(self) -> None:
        """The hold ends: end the shell (and a start under way)."""
        self.detach()
        if self._starting is not None:
            await self._starting
        if self.shell is not None:
            await self.shell.close()

    async def _start(self, first: asyncio.Future[tuple[int, int] | None]) -> None:
        with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
            await asyncio.wait_for(asyncio.shield(first), self.size_wait)
        if not self._connected:  # the connection dropped first: the next request starts over
            self._starting = None
            return
        size = (first.result() if first.done() else None) or (DEFAULT_ROWS, DEFAULT_COLS)
        try:
            shell = await PtyShell.spawn(self.cwd, self.env, size)
        except (OSError, ValueError) as e:
            self.failure = f"the job's shell could not start ({e})"
            self.exited.set()
            return
        shell.on_output = self._on_output
        shell.on_exit = self.exited.set
        self.shell = shell
        shell.start()
        self.flow()

    def _on_output(self, data: bytes) -> None:
        self.output.put_nowait(data)
        self.flow()

    def flow(self) -> None:
        """Read the shell only while a server wants output and the queue has room."""
        if self.shell is None:
            return
        queued = self.output.qsize()
        if not self._connected or self._server_paused or queued > MAX_QUEUED:
            self.shell.pause()
        elif queued <= MAX_QUEUED // 2:
            self.shell.resume()
