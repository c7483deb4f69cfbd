"""Rows of cells stored as two strings, so text is written by slicing whole runs.

A row is a list ``[text, attrs, wrapped]``: ``text`` has one character per cell (a wide
character is followed by :data:`WIDE` in the cell it covers), ``attrs`` one pen character per
cell (see :mod:`.pens`), and ``wrapped`` is True when the row continues the row above (an
autowrap, as xterm.js's ``isWrapped``). Cells past the end of ``text`` are blank, default pen;
``attrs`` may be shorter than ``text`` (the rest has the default pen), so plain text costs no
attribute string at all.
"""

from __future__ import annotations

import unicodedata
from typing import Any, TypeAlias

from .widths import width

Row: TypeAlias = list[Any]  # [text: str, attrs: str, wrapped: bool]

#: The cell after a wide character.
WIDE = "\x00"
DEFAULT_ATTR = "\x00"
_BLANKS = " " * 4096
_ZEROS = "\x00" * 4096
#: Lines up to this many rows long go into the scrollback whole.
LONG = 4


def blank_row() -> Row:
    """An empty row."""
    return ["", "", False]


def blanks(n: int) -> str:
    """``n`` blank cells."""
    return _BLANKS[:n] if n <= 4096 else " " * n


def zeros(n: int) -> str:
    """``n`` default attribute cells."""
    return _ZEROS[:n] if n <= 4096 else "\x00" * n


def put(row: Row, x: int, text: str, attr: str) -> None:
    """Write ``text`` (cells) at column ``x`` with pen character ``attr``."""
    t: str = row[0]
    a: str = row[1]
    n = len(t)
    if n < x:
        t += blanks(x - n)
        n = x
    if attr == DEFAULT_ATTR and not a:
        pass  # stays all default
    elif len(a) < x:
        a += zeros(x - len(a))
    end = x + len(text)
    # The other half of a wide character written over is blanked in the pen (as xterm.js).
    lo, hi = x, end
    if end < n and t[end] == WIDE:  # overwrote the left half of a wide character
        t = t[:end] + " " + t[end + 1 :]
        hi += 1
    if 0 < x < n and t[x] == WIDE:  # overwrote the right half
        t = t[: x - 1] + " " + t[x:]
        lo -= 1
    row[0] = t[:x] + text + t[end:]
    if a or attr != DEFAULT_ATTR:
        row[1] = a[:lo] + (attr * (hi - lo) if attr != DEFAULT_ATTR else zeros(hi - lo)) + a[hi:]


def erase(row: Row, start: int, end: int, cols: int, attr: str) -> None:
    """Blank cells ``start..end-1`` with pen character ``attr``."""
    t: str = row[0]
    if end >= cols and attr == DEFAULT_ATTR:
        if start < len(t):
            row[0] = t[:start]
            row[1] = row[1][:start]
        return
    end = min(end, cols)
    if end <= start:
        return
    put(row, start, blanks(end - start), attr)


def insert(row: Row, x: int, n: int, cols: int, attr: str) -> None:
    """Insert ``n`` blank cells at ``x``, pushing the rest right (ICH)."""
    t, a = row[0], row[1]
    if x >= len(t) and attr == DEFAULT_ATTR:
        return
    if len(t) < x:
        t += blanks(x - len(t))
    a = full_attrs(a, len(t))
    # As xterm.js: a wide character split at x, or cut at the edge, leaves a blank in the pen.
    if 0 < x < len(t) and t[x] == WIDE:
        t, a = t[: x - 1] + "  " + t[x + 1 :], a[: x - 1] + attr + attr + a[x + 1 :]
    t = t[:x] + blanks(n) + t[x:]
    a = a[:x] + attr * n + a[x:]
    if len(t) > cols and t[cols] == WIDE:
        t, a = t[: cols - 1] + " ", a[: cols - 1] + attr
    row[0] = t[:cols]
    row[1] = a[:cols]


def delete(row: Row, x: int, n: int, cols: int, attr: str) -> None:
    """Delete ``n`` cells at ``x``, pulling the rest left (DCH)."""
    t, a = row[0], row[1]
    if x >= len(t) and attr == DEFAULT_ATTR:
        return
    tail = ""
    if attr != DEFAULT_ATTR:
        # Only the n cells that come in at the right edge take the pen's background (as
        # xterm.js); the blanks pulled in from past the text keep the default one.
        n = min(n, cols - x)
        t += blanks(cols - len(t))
        tail = blanks(n)
    a = full_attrs(a, len(t))
    split = 0 < x < len(t) and t[x] == WIDE  # a wide character's right half goes
    t = t[:x] + t[x + n :] + tail
    a = a[:x] + a[x + n :] + attr * len(tail)
    # As xterm.js: the half of a wide character left alone becomes a blank in the pen.
    if split:
        t, a = t[: x - 1] + " " + t[x:], a[: x - 1] + attr + a[x:]
    if x < len(t) and t[x] == WIDE:
        t, a = t[:x] + " " + t[x + 1 :], a[:x] + attr + a[x + 1 :]
    row[0], row[1] = t, a


def keeps_whole(lines: list[str], rows: int, cols: int, longest: int | None = None) -> bool:
    """True when a block of lines placed at once keeps its lines between the first and the last
    ``rows`` whole: only rows that can show on the screen are cut at the width, the others
    scroll straight into the scrollback as one entry each. (Very long lines are cut too: the
    scrollback counts entries, and must not hold far more text than its rows.) ``longest``:
    the length of the longest line, when the caller has it already."""
    if len(lines) <= 3 * rows:
        return False
    return (max(map(len, lines)) if longest is None else longest) <= LONG * cols


def full_attrs(attrs: str, n: int) -> str:
    """``attrs`` padded with the default pen to ``n`` cells."""
    return attrs + zeros(n - len(attrs)) if len(attrs) < n else attrs


def is_blank(row: Row) -> bool:
    """True when the row shows nothing (no text, no coloured cell)."""
    return not row[0].strip(" ") and not row[1].strip(DEFAULT_ATTR)


def plain(row: Row) -> str:
    """The row's text, wide-character fillers removed, trailing blanks kept out."""
    text: str = row[0]
    return text.replace(WIDE, "").rstrip(" ")


def cells(text: str) -> str:
    """Non-ASCII text as cells: wide characters get their filler, zero-width ones are dropped
    after composing what composes (a cell holds one code point)."""
    # Progress bars repeat a few characters: look at each distinct one once.
    widths = {c: width(c) for c in set(text) if c >= "\x7f"}
    if 0 not in widths.values():
        wide = {ord(c): c + WIDE for c, w in widths.items() if w == 2}
        return text.translate(wide) if wide else text
    if any(width(c) == 0 for c in text):
        text = unicodedata.normalize("NFC", text)
    out = []
    for c in text:
        w = width(c)
        if w == 1:
            out.append(c)
        elif w == 2:
            out.append(c + WIDE)
    return "".join(out)
