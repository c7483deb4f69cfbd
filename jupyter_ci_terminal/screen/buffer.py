"""One screen of a terminal (the normal or the alternate): its rows, scrollback and saved cursor."""

from __future__ import annotations

from collections import deque

from .rows import Row, blank_row

#: DECSC's slot, as xterm.js keeps it: column, row, pen, and the charset in use (its mapping,
#: not the G0/G1 designations; DECRC brings back neither the shift nor origin mode).
Saved = tuple[int, int, int, str]


class Buffer:
    """The normal or the alternate screen: rows, scrollback (normal only), saved cursor."""

    def __init__(self, rows: int, history: int | None) -> None:
        self.rows: list[Row] = [blank_row() for _ in range(rows)]
        self.history: deque[Row] | None = deque(maxlen=history) if history is not None else None
        self.saved: Saved | None = None
        self.pushed = 0  # rows that went into the scrollback, counted until it is full

    def push(self, gone: list[Row], cols: int) -> None:
        """Entries scrolled off the top into the scrollback (normal screen only).

        Until the scrollback is full, xterm.js keeps the DECSC row as a line of the whole
        buffer, so the saved cursor moves up with its line (and stops at the top row).
        """
        assert self.history is not None
        self.history.extend(gone)
        room = (self.history.maxlen or 0) - self.pushed
        if room <= 0:
            return
        n = len(gone) if len(gone) >= room else sum(max(1, -(-len(r[0]) // cols)) for r in gone)
        n = min(n, room)
        self.pushed += n
        if self.saved is not None:
            x, y, pen, gl = self.saved
            self.saved = (x, max(y - n, 0), pen, gl)
