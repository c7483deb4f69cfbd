"""A row erased and redrawn in place: only the last redraw before a line end is applied.

rich's progress bar (pip's, or a training loop's) redraws its row with CR, EL 2 and the bar
in colour, and prints its log lines the same way. Everything from where the cursor is up to
the last ``CR EL 2`` before the next line end only writes cells of the cursor's row, which
that EL 2 erases, when it is text a cell wide that never reaches past the edge, separated by
CRs, with SGR and EL sequences: so it is skipped, and the pen it leaves is set. One pass per
*distinct* escape sequence removes them all (``str.replace``), so no Python code runs per
update; what is applied is the last redraw (a log line ending in CR LF goes as a coloured
line, through :mod:`.styled`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import lines, overlay, pens, styled
from .csi import csi

if TYPE_CHECKING:
    from .terminal import Terminal

#: How far ahead the next line end is looked for.
REACH = 16384
#: What starts the redraw that is applied: CR, then EL 2 (the whole row).
ERASE = "\r\x1b[2K"
#: The sequences that only change the pen or erase cells of the cursor's row.
_ROW_ONLY = re.compile(r"\x1b\[[0-9;]*[mK]")
#: Deleted to leave the controls other than CR: printable ASCII, the bytes of UTF-8 sequences
#: (C1 controls among them are caught by ``overlay.narrow_utf8``).
_TEXT = bytes((0x0D, *range(0x20, 0x7F), *range(0x80, 0x100)))
_SGR = re.compile(r"\x1b\[([0-9;]*)m")
#: At most this many distinct sequences are removed one by one (more: the general path).
DISTINCT = 32


def skip(t: Terminal, data: str, i: int) -> int:
    """Skip from ``data[i]`` to the last ``CR EL 2`` before the next line end when all that
    comes before it only writes the cursor's row (see the module); apply that redraw when it
    is a line of its own. Return where reading goes on (``i`` if nothing was skipped)."""
    while True:
        nl = data.find("\n", i, i + REACH)
        if nl < 0:
            return i  # a long flood of redraws: the flood skip compares them faster
        k = data.rfind(ERASE, i, nl)
        if k <= i or not t.bulk_ok():
            return i
        region = data[i:k]
        text = _text(region)
        if text is None:
            return i
        pieces = text.split("\r")
        if t.x + len(pieces[0]) > t.cols or max(map(len, pieces)) > t.cols:
            return i  # it would wrap
        t.pen = _pen_after(t.pen, region)
        t.skipped += k - i
        end = _redraw(t, data, k)
        if end <= k + len(ERASE):
            return end
        i = end  # after a log line: the bar drawn again, erased by the next redraw


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
    if b.translate(None, _TEXT) or not (b.isascii() or overlay.narrow_utf8(b)):
        return None
    return region


def _pen_after(pen: int, region: str) -> int:
    """The pen after the SGR sequences of ``region``: from its last reset, usually its end."""
    reset = max(region.rfind("\x1b[0m"), region.rfind("\x1b[m"))
    if reset >= 0:
        pen = 0
    for m in _SGR.finditer(region, max(reset, 0)):
        pen = pens.apply_sgr(pen, m.group(1))
    return pen


def _redraw(t: Terminal, data: str, k: int) -> int:
    """At the ``CR EL 2`` at ``data[k]``: when the redraw is a line ending in CR LF with no
    other CR (a log line), apply the erase and the line in bulk; return where reading goes
    on (``k`` to leave it to the general path)."""
    start = k + len(ERASE)
    cr = data.find("\r", start)
    if cr < 0 or not data.startswith("\n", cr + 1):
        return k
    t.x = 0
    csi(t, "2", "", "K")
    if not t.bulk_ok():
        return start
    # One block: the bar drawn after the line is not for styled.py (non-ASCII, no line end).
    found = styled.rows(t, data, start, styled.FIRST)
    if found is None:
        return start
    new, cleared, end, _ = found
    lines.place(t, new, cleared=cleared)
    return end
