"""A row erased and redrawn in place: only the last redraw before a line end is applied.

rich's progress bar (pip's, or a training loop's) redraws its row with CR, EL 2 and the bar
in colour, and prints its log lines the same way. Everything from where the cursor is up to
the last ``CR EL 2`` before the next line end only writes cells of the cursor's row, which
that EL 2 erases, when it is text a cell wide that never reaches past the edge, separated by
CRs, with SGR and EL sequences: so it is skipped, and the pen it leaves is set. One pass per
*distinct* escape sequence removes them all (``str.replace``), so no Python code runs per
update. The log lines after those erases are collected and applied as one block of coloured
lines (:mod:`.styled`), each with the pen and the erase it came after."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import lines, pens
from .widths import narrow_utf8

if TYPE_CHECKING:
    from .terminal import Terminal

#: How far ahead the next line end is looked for.
REACH = 16384
#: What starts the redraw that is applied: CR, then EL 2 (the whole row).
ERASE = "\r\x1b[2K"
#: The sequences that only change the pen or erase cells of the cursor's row.
_ROW_ONLY = re.compile(r"\x1b\[[0-9;]*[mK]")
#: Deleted to leave the controls other than CR: printable ASCII, the bytes of UTF-8 sequences
#: (C1 controls among them are caught by ``widths.narrow_utf8``).
_TEXT = bytes((0x0D, *range(0x20, 0x7F), *range(0x80, 0x100)))
_SGR = re.compile(r"\x1b\[([0-9;]*)m")
#: At most this many distinct sequences are removed one by one (more: the general path).
DISTINCT = 32
#: Characters of redraws whose widths a terminal remembers, at most (then it forgets them all):
#: more than :data:`REACH`, so one stretch's redraws always fit.
SEEN = 65536


def skip(t: Terminal, data: str, i: int) -> int:
    """Skip from ``data[i]`` to the last ``CR EL 2`` before the next line end when all that
    comes before it only writes the cursor's row (see the module); when the redraw after it is
    a line of its own (a log line), go on after that line. Return where reading goes on (``i``
    if nothing was skipped).

    The log lines are applied together at the end, as a block of coloured lines: each one
    selects the pen its erase had and erases its row from column 0 (as the EL 2 after a CR
    did), so the block leaves the state the redraws and lines leave. Nothing is applied while
    they are collected, so the state the checks rely on stays the one at the start."""
    if not t.bulk_ok():
        return i
    found: list[str] = []  # the log lines, each with its pen and erase in front
    x = t.x
    while True:
        nl = data.find("\n", i, i + REACH)
        if nl < 0:
            break  # a long flood of redraws: the flood skip compares them faster
        k = data.rfind(ERASE, i, nl)
        if k <= i:
            break
        region = data[i:k]
        widths = _widths(t.seen, region)
        if widths is None:
            break
        if x + widths[0] > t.cols or widths[1] > t.cols:
            break  # it would wrap
        if found and not _resets(region):
            break  # its pen depends on the lines' own colours: apply them first
        pen = _pen_after(t.pen, region)
        t.skipped += k - i
        start = k + len(ERASE)
        cr = data.find("\r", start)
        if cr < 0 or not data.startswith("\n", cr + 1) or pens.erase_pen(pen):
            _apply(t, found)
            t.pen = pen
            return k  # the erase and what follows it go the general way
        found.append(pens.sgr(pen) + "\x1b[K" + data[start:cr])
        i = cr + 2
        x = 0
    _apply(t, found)
    return i


def _apply(t: Terminal, found: list[str]) -> None:
    """Apply the collected log lines as a block of lines, from the start of the cursor's row
    (their first erase came after a CR); what the coloured-lines path does not take goes the
    general way."""
    if not found:
        return
    block = "\r\n".join(found) + "\r\n"
    t.x = 0
    t.pen = 0  # each line selects its pen first
    end = lines.coloured(t, block, 0)
    if end < len(block):
        t.feed(block[end:])


class Seen:
    """The widths of the redraws one terminal has checked (see :func:`_widths`)."""

    def __init__(self) -> None:
        self.widths: dict[str, int] = {}
        self.chars = 0  # their length, bounded by SEEN


def _widths(seen: Seen, region: str) -> tuple[int, int] | None:
    """The widths of the first and the widest of the CR-separated redraws of ``region`` when
    all of it is text a cell wide and SGR/EL sequences (see :func:`_text`); None otherwise.

    A bar's redraws between two log lines are mostly the same few strings (its numbers change
    every few updates) and come back in the next stretches: only the distinct redraws not
    seen before are checked, in one :func:`_text` pass, and their widths remembered, so a
    stretch usually costs a split and a set instead of a pass per distinct sequence. Where no
    redraw repeats, the region is checked as it is and nothing is remembered."""
    pieces = region.split("\r")
    distinct = set(pieces)
    if len(distinct) == len(pieces):
        # No redraw repeats (a bar whose every redraw differs): remembering would not pay.
        text = _text(region)
        if text is None:
            return None
        widths = list(map(len, text.split("\r")))
        return widths[0], max(widths)
    new = distinct.difference(seen.widths)
    if new:
        if seen.chars + len(region) > SEEN:
            seen.widths.clear()  # forget them all (a stretch is shorter than SEEN)
            seen.chars = 0
            new = distinct
        fresh = list(new)
        joined = "\r".join(fresh)
        text = _text(joined)
        if text is None:
            return None
        seen.chars += len(joined)
        seen.widths.update(zip(fresh, map(len, text.split("\r")), strict=True))
    width = seen.widths.__getitem__
    return width(pieces[0]), max(map(width, distinct))


def _text(region: str) -> str | None:
    """The text of ``region`` without its sequences when it is text a cell wide, CRs and
    SGR/EL sequences only; None otherwise."""
    k = region.find("\x1b")
    seen = 0
    while k >= 0:
        m = _ROW_ONLY.match(region, k)
        if m is None or seen == DISTINCT:
            return None
        region = region.replace(m.group(), "")  # a sequence is found only where it starts
        seen += 1
        k = region.find("\x1b", k)
    b = region.encode("utf-8", "surrogatepass")
    if b.translate(None, _TEXT) or not (b.isascii() or narrow_utf8(b)):
        return None
    return region


def _resets(region: str) -> bool:
    """True when ``region`` has a full SGR reset: the pen after it does not depend on the pen
    before."""
    return "\x1b[0m" in region or "\x1b[m" in region


def _pen_after(pen: int, region: str) -> int:
    """The pen after the SGR sequences of ``region``: from its last reset, usually its end."""
    reset = max(region.rfind("\x1b[0m"), region.rfind("\x1b[m"))
    if reset >= 0:
        pen = 0
    for m in _SGR.finditer(region, max(reset, 0)):
        pen = pens.apply_sgr(pen, m.group(1))
    return pen
