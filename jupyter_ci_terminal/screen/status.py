"""A status line below a scroll region (apt's progress bar), written again after each log line.

apt saves the cursor, moves to the last row, writes its status line and restores the cursor
(``DECSC CUP SGR… text DECRC``), fifty times between two log lines. The flood skip
(:mod:`.skip`) skips the copies of one update after the first, but each log line scrolls, which
starts a new state, so the first copy after it was applied in full (seven sequences, two runs
of text, two anchors). Such an update writes one row, at a place that does not depend on the
cursor, and leaves the cursor, pen and charsets as it found them: once the row holds what it
wrote, writing it again from the same pen and modes changes nothing but the saved cursor. So
when the flood skip has skipped copies of such an update, the row it wrote is remembered, and
copies of the update that come while the row is still that (after a log line that scrolled
only the region above it) are jumped over at once, with one DECSC for all.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from . import skip
from .rows import Row

if TYPE_CHECKING:
    from .terminal import Terminal

#: DECSC, CUP/HVP, then SGRs and printable ASCII only, then DECRC: one row written, nothing else.
_UPDATE = re.compile(r"\x1b7\x1b\[([0-9]*)(?:;([0-9]*))?[Hf]((?:\x1b\[[0-9;]*m|[ -~])*)\x1b8")
_SGR = re.compile(r"\x1b\[[0-9;]*m")


@lru_cache(maxsize=64)
def _place(update: str) -> tuple[int, int, int] | None:
    """The row and column ``update`` writes from (0-based, before clamping) and how many cells
    it writes, when it is a status update as above; else None."""
    m = _UPDATE.fullmatch(update)
    if m is None:
        return None
    row, col, body = m.groups()
    return max(int(row or 1), 1) - 1, max(int(col or 1), 1) - 1, len(_SGR.sub("", body))


def _context(t: Terminal) -> tuple[object, ...]:
    """What decides the cells an update writes, besides its text: the pen it starts with (its
    SGRs change some slots only), insert mode, the charsets (the line-drawing one translates
    the text)."""
    return (t.pen, t.insert, t.charsets, t.shift_out, t.gl)


def remember(t: Terminal, update: str) -> None:
    """The flood skip skipped copies of ``update`` (which starts with DECSC and ends with the
    only DECRC) up to the last one, which would write what is on the screen: remember the row,
    if it is a status update, outside origin mode (which would place it inside the region)."""
    place = _place(update)
    t.status = None
    if place is not None and 6 not in t.modes:
        row = _row(t, place)
        if row is not None:
            t.status = (update, place, _context(t), row[0], row[1])


def _row(t: Terminal, place: tuple[int, int, int]) -> Row | None:
    """The row a status update at ``place`` writes, when it fits there without wrapping."""
    row, col, width = place
    if min(col, t.cols - 1) + width > t.cols:
        return None
    return t.buf.rows[min(row, t.rows - 1)]


def replay(t: Terminal, data: str, at: int) -> int:
    """Where reading goes on after the copies of the remembered update at ``data[at]`` (a
    DECSC), when writing them changes nothing; ``at`` when they must be applied."""
    assert t.status is not None
    update, place, context, text, attrs = t.status
    if 6 in t.modes or _context(t) != context:
        return at
    row = _row(t, place)  # the screen may have been resized since
    if row is None or row[0] != text or row[1] != attrs:
        return at  # written over since (a log line on that row, a scroll of the whole screen)
    n = skip.same(data, at, update, (len(data) - at) // len(update))
    if n:
        t.save_cursor()  # what each copy's DECSC does; its DECRC restores what was saved
        t.skipped += n * len(update)
    return at + n * len(update)
