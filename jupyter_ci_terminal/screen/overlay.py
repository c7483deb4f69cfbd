"""A progress bar's updates up to a line end, applied as the row they leave.

Between the log lines of a training loop or a download (``tqdm.write``, a print every N
steps), a tqdm bar is redrawn a few times after CR: too few copies for the flood skip to pay,
and each costs a few Python steps. When everything from a CR up to the next CR LF is text a
cell wide separated by CRs, each piece writes from column 0 over the ones before, so the row
they leave is known without applying them one by one: the last piece as long as the longest,
with each later (shorter) piece written over it. One ``str.split`` finds the pieces.
:func:`block` does that for every line up to the next escape sequence, and places the rows
as a block of lines (:func:`.lines.place`). There a line's row is its last piece over the
one before when no other piece is longer, which one search of the block checks for all of
its lines: C calls per block, no Python code per log line or update."""

from __future__ import annotations

import re
from itertools import compress, repeat
from operator import add, getitem, itemgetter, lt
from typing import TYPE_CHECKING, cast

from . import lines
from .widths import narrow, narrow_utf8

if TYPE_CHECKING:
    from .terminal import Terminal

#: How far ahead the next line end is looked for (a bar's updates between two log lines).
REACH = 8192
#: Controls other than CR (they move, erase or scroll: not a plain overwrite).
_OTHER = re.compile(r"[\x00-\x0c\x0e-\x1f\x7f-\x9f]")
#: A block's UTF-8 bytes become one byte per character with the continuation bytes deleted
#: (:data:`_FOLLOW`) and this table: CR and LF as they are, the other controls as NUL, any
#: other character as ``x`` (C1 controls among them are caught by :func:`narrow_utf8`).
_MASK = bytes(c if c in b"\r\n" else 0 if c < 0x20 or c == 0x7F else 0x78 for c in range(256))
_FOLLOW = bytes(range(0x80, 0xC0))
_HEAD, _TAIL = itemgetter(0), itemgetter(2)
#: CPython (3.10 and later) searches bytes for a needle under 100 bytes in linear time
#: (two-way) only in 30,000 bytes or more; in fewer, a run of one repeated byte is its worst
#: case (the run's length per byte): LFs (which end runs) pad a shorter mask before it is
#: searched for one.
_LINEAR = 30000
#: Characters looked at in a first block of lines, and at most (blocks grow fourfold).
FIRST = 2048
BLOCK = 65536


def line(t: Terminal, data: str, i: int) -> int:
    """Apply the CR-separated pieces of text from ``data[i]`` (just after a CR) up to the next
    CR LF, or to the end of ``data`` when that is near, if that is all there is; return where
    reading goes on (``i`` if nothing applied)."""
    # The CR LF is looked for up to the next escape sequence only (a bar recoloured at every
    # update has one after each CR): searching the whole reach every time made it quadratic.
    esc = data.find("\x1b", i, i + REACH)
    end = data.find("\r\n", i, esc if esc >= 0 else i + REACH)
    to_the_end = end < 0 and esc < 0 and len(data) - i <= REACH
    if to_the_end:
        end = len(data)  # the bar's last updates in this output: the next goes on from them
    if end <= i:
        return i
    text = data[i:end]
    if _OTHER.search(text) or not (text.isascii() or narrow(text)) or not t.bulk_ok():
        return i
    pieces = text.split("\r")
    row = _row(pieces, t.cols)
    if row is None:
        return i  # it would wrap
    t.text(row)
    t.x = len(pieces[-1])
    if to_the_end:
        # The flood skip's anchors are older than these updates: carried to the next output,
        # they would have it compare updates spanning all of them (a shape per kilobytes).
        t.anchors = {}
    return end


def block(t: Terminal, data: str, i: int) -> int:
    """Apply the lines from ``data[i]`` (just after a CR) up to the last CR LF before the next
    escape sequence, each made of CR-separated pieces of text (a bar's updates between log
    lines), as the rows they leave, in one go; return where reading goes on (``i`` if nothing
    applied). Blocks grow fourfold while they are taken whole, so output that is not for
    this path costs a small block; the size reached when the output ran out goes on with the
    next output, so that a flood of such lines goes in one block per output."""
    if t.buf.rows[t.y][2] or not t.bulk_ok():
        return i  # a continued row keeps its flag when written over (xterm.js)
    size = t.bar_size or FIRST
    while True:
        stop = data.find("\x1b", i, i + size)
        end = data.rfind("\r\n", i, stop if stop >= 0 else i + size)
        if end < 0:
            # A bar's last redraws in this output keep the size; a longer stretch without a
            # line end (a bar alone) starts small again, or each CR would search it all.
            if len(data) - i > FIRST:
                t.bar_size = 0
            return i
        t.bar_size = 0
        text = data[i:end]
        b = text.encode("utf-8", "surrogatepass")
        mask = b.translate(_MASK, _FOLLOW)
        if b"\0" in mask or not (b.isascii() or narrow_utf8(b)):
            return i  # another control, or a character not a cell wide
        found = text.split("\r\n")
        if mask.count(b"\n") != len(found) - 1:
            return i  # an LF alone
        rows, taken = _rows(found, mask, t.cols)
        if rows:
            lines.place(t, lines.as_rows(t, rows, chr(t.pen)))
        if taken < end - i:
            return i + taken  # at a line that would wrap
        i = end + 2
        if stop >= 0:
            return i
        if i + size >= len(data):
            t.bar_size = size
            return i
        size = min(size * 4, BLOCK)


def _rows(found: list[str], mask: bytes, cols: int) -> tuple[list[str], int]:
    """The rows the lines leave, up to the first that would wrap, and the characters they
    take with their line ends; ``mask``: the lines as :data:`_MASK` makes them."""
    # A line's row is its last piece written over the one before, when no other piece is
    # longer than both: when no run of characters in the mask is longer than the widest such
    # row (one search), that holds for the lines that wide, and, when none is longer than the
    # narrowest either (a second search), for every line; so no Python code runs per line.
    # Otherwise the narrower lines, or all of them, are cut at their CRs.
    tails = list(map(str.rpartition, found, repeat("\r")))
    last = list(map(_TAIL, tails))
    before = list(map(_TAIL, map(str.rpartition, map(_HEAD, tails), repeat("\r"))))
    lengths = list(map(len, last))
    widths = list(map(max, lengths, map(len, before)))
    low, high = min(widths), max(widths)
    padded = mask.ljust(_LINEAR, b"\n")
    if high <= cols and b"x" * (high + 1) not in padded:
        rows = list(map(add, last, map(getitem, before, map(slice, lengths, repeat(None)))))
        if low < high and b"x" * (low + 1) in padded:
            for k in compress(range(len(rows)), map(lt, widths, repeat(high))):
                rows[k] = cast(str, _row(found[k].split("\r"), cols))  # none is too wide
        return rows, len(mask)
    rows = []
    append = rows.append
    for text in found:
        row = _row(text.split("\r"), cols)
        if row is None:
            n = len(rows)
            return rows, sum(map(len, found[:n])) + 2 * n
        append(row)
    return rows, len(mask)


def _row(pieces: list[str], cols: int) -> str | None:
    """The row CR-separated pieces leave when each is written from column 0 over the ones
    before; None when one is wider than ``cols`` (it would wrap)."""
    lengths = list(map(len, pieces))
    longest = max(lengths)
    if longest > cols:
        return None
    # Pieces before the last of the longest are entirely written over.
    first = len(lengths) - 1 - lengths[::-1].index(longest)
    row = pieces[first]
    for piece in pieces[first + 1 :]:
        row = piece + row[len(piece) :]
    return row
