"""The screen model a terminal session keeps: output in, a restore payload out."""

from __future__ import annotations

import logging

from . import reflow
from .rows import WIDE, plain
from .snapshot import snapshot
from .terminal import Terminal

log = logging.getLogger(__name__)


class ScreenModel:
    """What the terminal shows: feed it output text, ask it for a redraw.

    Output is applied as it comes (the model keeps up with the relay), so :meth:`catch_up` and
    :attr:`pending` exist only for callers written against a lazy model.
    """

    def __init__(self, rows: int = 24, cols: int = 80, history: int = 1000) -> None:
        self.term = Terminal(rows, cols, history)
        self.history = history

    @property
    def size(self) -> tuple[int, int]:
        """(rows, cols)."""
        return self.term.rows, self.term.cols

    @property
    def pending(self) -> int:
        """Characters queued but not yet applied: always 0."""
        return 0

    def feed(self, text: str) -> None:
        """Apply terminal output."""
        try:
            self.term.feed(text)
        except Exception:
            # A bug here must not end the shell's session: start over with a blank screen.
            log.exception("The screen model failed on terminal output; it starts over")
            self.term = Terminal(self.term.rows, self.term.cols, self.history)

    def catch_up(self) -> None:
        """Nothing to do: output is applied in :meth:`feed`."""

    def resize(self, rows: int, cols: int) -> None:
        """Follow a size change of the remote pty (the normal screen re-wraps)."""
        if (rows, cols) != self.size:
            reflow.resize(self.term, rows, cols)

    @property
    def in_alternate(self) -> bool:
        """True while a full-screen program has the alternate screen."""
        return self.term.in_alternate

    def display(self) -> list[str]:
        """The visible rows as plain text, padded to the width (as pyte's ``display``)."""
        cols = self.term.cols
        return [
            (row[0] + " " * (cols - len(row[0]))).replace(WIDE, "") for row in self.term.buf.rows
        ]

    def scrollback(self) -> list[str]:
        """The scrollback rows as plain text, oldest first."""
        cols = self.term.cols
        return [
            plain([row[0][k : k + cols]])
            for row in self.term.main.history or ()
            for k in range(0, len(row[0]) or 1, cols)
        ]

    def snapshot(self, scrollback: int = 200) -> str:
        """One string that makes a fresh viewer show the scrollback tail, screen, cursor, modes."""
        return snapshot(self.term, scrollback)
