"""Keeping the pen table bounded: pens no cell uses any more are dropped and the rest renumbered.

Pens are interned once for the whole process (:mod:`.pens`), and a row stores each cell's pen
as ``chr(id)``. Output that keeps inventing colours (a video drawn in true colour, a gradient
redrawn with new colours, many links) would otherwise grow the table, and its caches, without
end, until ids passed the last code point. So once the table has more than :data:`LIMIT` pens
(and twice as many as the last compaction kept), it is compacted: the pens still used by some
cell, cursor or saved cursor of any live terminal are kept, renumbered from 1, every row's
attributes translated, and every cache keyed by pen ids emptied. It runs between two pieces of
output, when no pen id is held anywhere else.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from . import pens, styled
from .buffer import Buffer
from .rows import Row

if TYPE_CHECKING:
    from .terminal import Terminal

#: Pens interned before a compaction is considered (each costs ~0.3 KB with its cache entries).
LIMIT = 1 << 16

_terminals: weakref.WeakSet[Terminal] = weakref.WeakSet()
_kept = 0  # pens the last compaction kept


def track(t: Terminal) -> None:
    """Count ``t``'s pens as used from now on."""
    _terminals.add(t)


def maybe() -> bool:
    """Compact the pen table if it has grown too large; True if it did."""
    if pens.count() <= max(LIMIT, 2 * _kept):
        return False
    compact()
    return True


def compact() -> None:
    """Drop the pens no live terminal uses and renumber the others."""
    global _kept
    terminals = list(_terminals)
    used = {0}
    for t in terminals:
        used.add(t.pen)
        for buf in (t.main, t.alt):
            if buf.saved is not None:
                used.add(buf.saved[2])
            for row in _rows(buf):
                used.update(map(ord, set(row[1])))
    order = sorted(used)
    table = {old: chr(new) for new, old in enumerate(order) if old != new}
    renumber = {old: new for new, old in enumerate(order)}
    pens.keep(order)
    styled.forget()
    for t in terminals:
        t.pen = renumber[t.pen]
        t.epoch += 1  # anchors carried to the next output hold the old pen ids (terminal.py)
        t.status = None  # so does the row a status update left (status.py)
        for buf in (t.main, t.alt):
            if buf.saved is not None:
                x, y, pen, gl = buf.saved
                buf.saved = (x, y, renumber[pen], gl)
            if table:
                for row in _rows(buf):
                    if row[1]:
                        row[1] = row[1].translate(table)
    _kept = len(order)


def _rows(buf: Buffer) -> list[Row]:
    return [*buf.rows, *(buf.history or ())]
