"""The screen model a terminal session keeps: output in, a restore payload out."""

from __future__ import annotations

import logging

from . import compact, lines, reflow
from .rows import WIDE, plain
from .snapshot import snapshot
from .terminal import Terminal

log = logging.getLogger(__name__)


class ScreenModel:
    """What the terminal shows: feed it output text, ask it for a redraw.

    With ``queue`` > 0, output is queued and applied once ``queue`` characters wait, on
    :meth:`catch_up`, or as soon as anything reads the state (:attr:`term` and every method
    but :meth:`feed`). A queue of plain lines (a ``cat``) is applied without the lines it
    scrolls past the scrollback (``lines.trim``); other output piece by piece. The result is
    the same as applying every piece as it came.
    """

    def __init__(self, rows: int = 24, cols: int = 80, history: int = 1000, queue: int = 0) -> None:
        self._term = Terminal(rows, cols, history)
        self.history = history
        self.queue = queue
        self._queue: list[str] = []
        self._queued = 0
        #: Each queued piece's line ends while the queue is plain lines (``lines.line_ends``).
        self._ends: list[int] | None = []

    @property
    def term(self) -> Terminal:
        """The terminal state, all output applied."""
        self.catch_up()
        return self._term

    @property
    def size(self) -> tuple[int, int]:
        """(rows, cols)."""
        return self._term.rows, self._term.cols

    @property
    def pending(self) -> int:
        """Characters queued but not yet applied."""
        return self._queued

    def feed(self, text: str) -> None:
        """Apply terminal output, or queue it (see ``queue``)."""
        if not self.queue:
            self._apply(text)
            return
        if self._ends is not None:  # checked now, while the text is in the CPU's cache
            ends = lines.line_ends(text, self._queue[-1][-1:] == "\r" if self._queue else False)
            if ends is None:
                self._ends = None
            else:
                self._ends.append(ends)
        self._queue.append(text)
        self._queued += len(text)
        if self._queued >= self.queue:
            self.catch_up()

    def catch_up(self) -> None:
        """Apply the queued output."""
        if not self._queue:
            return
        pieces, ends = self._queue, self._ends
        self._queue, self._queued, self._ends = [], 0, []
        t = self._term
        # A flood of plain lines from where lines go in bulk: the lines it scrolls away are
        # dropped unread. Anything else is applied piece by piece, as if it had not waited.
        cut = None
        if ends is not None and not t.partial and t.bulk_ok():
            cut = lines.trim(pieces, ends, lines.kept(t))
        for text in cut or pieces:
            self._apply(text)

    def _apply(self, text: str) -> None:
        try:
            self._term.feed(text)
            compact.maybe()  # between two pieces of output: no pen id is held elsewhere
        except Exception:
            # A bug here must not end the shell's session: start over with a blank screen.
            log.exception("The screen model failed on terminal output; it starts over")
            self._term = Terminal(self._term.rows, self._term.cols, self.history)

    def resize(self, rows: int, cols: int) -> None:
        """Follow a size change of the remote pty (the normal screen re-wraps)."""
        if (rows, cols) != self.size:
            reflow.resize(self.term, rows, cols)  # output sent before it, at the old size

    @property
    def in_alternate(self) -> bool:
        """True while a full-screen program has the alternate screen."""
        return self.term.in_alternate

    def display(self) -> list[str]:
        """The visible rows as plain text, padded to the width (as pyte's ``display``)."""
        t = self.term
        return [(row[0] + " " * (t.cols - len(row[0]))).replace(WIDE, "") for row in t.buf.rows]

    def scrollback(self) -> list[str]:
        """The scrollback rows as plain text, oldest first."""
        t = self.term
        return [
            plain([row[0][k : k + t.cols]])
            for row in t.main.history or ()
            for k in range(0, len(row[0]) or 1, t.cols)
        ]

    def snapshot(self, scrollback: int = 200) -> str:
        """One string that makes a fresh viewer show the scrollback tail, screen, cursor, modes."""
        return snapshot(self.term, scrollback)
