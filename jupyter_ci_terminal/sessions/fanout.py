"""A session's viewers: each gets the output through its own queue, the pty takes the size they
all fit in (the smallest, as terminado does), and every one is told when the session ends."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable

from ..protocol import replies, terminado
from ..protocol.jsontext import Output
from .settings import SessionSettings
from .viewer import Message, Viewer

Size = tuple[int, int] | None


class Fanout:
    """The viewers of one session."""

    def __init__(self, snapshot: Callable[[], str], cfg: SessionSettings) -> None:
        self._snapshot = snapshot
        self.cfg = cfg
        self.viewers: set[Viewer] = set()
        self._told: list[Viewer] = []  # the viewers the end message went to
        self._ticks = itertools.count(1)  # orders attaches and typing

    def add(
        self,
        send: Callable[[Message], Awaitable[None]],
        user: str,
        stdout: terminado.StdoutFormat = terminado.stdout_of,
    ) -> Viewer:
        """A new viewer sending through ``send``, its output as ``stdout`` builds it: ``setup``,
        then the current screen."""
        viewer = Viewer(
            send,
            self._snapshot,
            user=user,
            max_backlog=self.cfg.max_backlog,
            max_lag=self.cfg.max_lag,
            stdout=stdout,
        )
        viewer.attached = next(self._ticks)
        self.viewers.add(viewer)
        viewer.start(terminado.setup(), self._snapshot())
        return viewer

    def remove(self, viewer: Viewer) -> bool:
        """Forget a viewer; False when it was not one."""
        if viewer not in self.viewers:
            return False
        self.viewers.discard(viewer)
        return True

    def answerer(self) -> Viewer | None:
        """The viewer whose terminal answers the program's queries: the one that typed last,
        else the earliest attached."""
        return max(self.viewers, key=lambda v: (v.typed, -v.attached), default=None)

    def admit(self, viewer: Viewer, data: bytes) -> bytes:
        """What of ``viewer``'s input goes to the shell: its keystrokes, and its terminal's
        replies only when it is the :meth:`answerer` (every xterm.js answers a query)."""
        pieces = replies.split(data.decode("utf-8", "replace"))
        if any(not piece.reply for piece in pieces):
            viewer.typed = next(self._ticks)
        if viewer is self.answerer() or all(not piece.reply for piece in pieces):
            return data
        return replies.keystrokes(pieces).encode()

    def push(self, text: Output) -> None:
        """Output for every viewer (each drops what it cannot take in time)."""
        for viewer in self.viewers:
            viewer.push(text)

    def size(self) -> tuple[int, int] | None:
        """The rows and columns every sized viewer can show; None while none is sized."""
        sizes = [v.size for v in self.viewers if v.size is not None]
        if not sizes:
            return None
        return min(s[0] for s in sizes), min(s[1] for s in sizes)

    def pty_resized(
        self, old: tuple[int, int], new: tuple[int, int], moved: Viewer | None, was: Size
    ) -> None:
        """Resync the viewers whose width the pty now takes after it had another one.

        A restore payload shown at another width is re-wrapped as text, also the line with the
        cursor, which xterm.js (and the model) cut instead when the width changes under them;
        the shell redraws its prompt from the cursor's row after SIGWINCH, so such a viewer
        would show a stray copy of a long prompt's first row. ``moved`` is the viewer whose
        size message caused the change, ``was`` its size before (None: its first)."""
        for viewer in self.viewers:
            before = was if viewer is moved else viewer.size
            takes_its_width = viewer.size is not None and viewer.size[1] == new[1]
            if takes_its_width and (before is None or before[1] != old[1]):
                viewer.resync()

    @staticmethod
    def end(viewer: Viewer, why: str) -> None:
        """Send ``why`` and ``disconnect`` after what is queued, then stop."""
        text = f"\r\n\x1b[2m[CI terminal closed: {why}.]\x1b[0m\r\n"
        viewer.finish(Output(text), terminado.disconnect())

    def end_all(self, why: str) -> None:
        """Tell every viewer the session ended."""
        self._told = list(self.viewers)
        for viewer in self._told:
            self.end(viewer, why)

    async def delivered(self, timeout: float) -> None:
        """Wait (at most ``timeout`` s) until the viewers of the end got the end message."""
        drains = [asyncio.ensure_future(viewer.drained()) for viewer in self._told]
        if drains:
            _, pending = await asyncio.wait(drains, timeout=timeout)
            for task in pending:
                task.cancel()
