"""Whole lines in bulk: the bulk of a CI log is ``text\\r\\n`` lines, maybe with SGR colours.

At a line start inside the scroll region, the lines up to the next other control are split
with ``str.split`` and become rows in one list operation (coloured ones through
:mod:`.styled`); they scroll the region as printing them would. Lines that scroll straight
into the scrollback are kept whole (a long entry stands for all of its rows).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from operator import itemgetter
from typing import TYPE_CHECKING

from . import styled
from .rows import DEFAULT_ATTR, Row, full_attrs, keeps_whole

if TYPE_CHECKING:
    from .terminal import Terminal

#: Printable ASCII, deleted to leave the controls (see :func:`clean`).
_PRINTABLE = bytes(range(0x20, 0x7F))
#: The first character that is not printable ASCII or part of a CR LF pair.
_BAD = re.compile(r"[^ -~\r\n]|\r(?!\n)|(?<!\r)\n")
#: A row's text (rows are [text, attributes, continued]).
_ROW_TEXT = itemgetter(0)


def block(t: Terminal, data: str, i: int) -> int:
    """Apply the lines starting at ``data[i]``; return the index after the last one applied."""
    stop = data.find("\x1b", i)
    if stop < 0:
        stop = len(data)
    if stop - i < 512:
        return coloured(t, data, i)
    end = data.rfind("\r\n", i, stop)
    if end < 0:
        return i
    count = 0 if t.mixed else clean(data[i:end])
    if not count:
        # Once a block of this feed was not clean, each later one is searched up to its first
        # other control only: the search covers each character once, not the rest each time.
        t.mixed = True
        bad = _BAD.search(data, i, end)
        if bad is not None:
            end = data.rfind("\r\n", i, bad.start())
            if end < 0:
                return i
    start = first_kept(t, data, i, end, count)
    place(t, as_rows(t, data[start:end].split("\r\n"), chr(t.pen)))
    return end + 2


def redraw(t: Terminal, data: str, i: int) -> bool:
    """True when the output after a CR looks like a redraw's lines (BuildKit: cursor up, CR,
    a few coloured lines), which go in bulk as lines after a line end do (:func:`coloured`):
    the first ends in CR LF (a progress bar's next CR is not), on a row that does not continue
    the one above (its flag stays)."""
    k = data.find("\r", i)
    return k >= 0 and data.startswith("\n", k + 1) and not t.buf.rows[t.y][2] and t.bulk_ok()


def coloured(t: Terminal, data: str, i: int) -> int:
    """Apply the coloured lines starting at ``data[i]``; return the index after the last one."""
    # In blocks that grow while they are taken whole: a block costs a few passes over all of
    # it even when a cursor move a few lines in ends it. A flood of coloured lines arrives in
    # many pieces of output: the size reached when one ran out goes on with the next, so each
    # piece is one block, not a ramp of small ones whose lines are all cut into rows.
    size = t.coloured_size or styled.FIRST
    t.coloured_size = 0
    while True:
        found = styled.rows(t, data, i, size)
        if found is None:
            return i
        new, cleared, end, whole = found
        place(t, new, cleared=cleared)
        if not whole:
            if whole is None:
                t.coloured_size = size
            return end
        i = end
        size = min(size * 4, styled.BLOCK)


def clean(text: str) -> int:
    """The number of lines when ``text`` is printable ASCII lines joined by CR LF and nothing
    else; 0 otherwise."""
    ends = line_ends(text, False)
    return 0 if ends is None or text[-1:] == "\r" else ends + 1


def kept(t: Terminal) -> int:
    """How many of a block's last lines can still be seen once it is placed.

    Only the screen and the scrollback keep rows, so a flood of lines (``yes``, ``seq``, or a
    ``cat`` fed in large pieces) needs rows built for its last ``history + rows`` lines alone.
    ``rows`` more are kept: the first lines of a block merge with the rows at the cursor (old
    text right of them stays), and those rows must be ones that scroll away again, as in the
    whole block.
    """
    history = t.buf.history.maxlen or 0 if t.buf.history is not None else 0
    return history + 2 * t.rows


def first_kept(t: Terminal, data: str, i: int, end: int, count: int) -> int:
    """Where the lines of ``data[i:end]`` that :func:`kept` keeps start (the rest is never
    split into lines, let alone rows); ``count``: their number, 0 if not known."""
    keep = kept(t)
    if end - i < 2 * keep or 0 < count <= keep:  # every line is kept
        return i
    start = end
    for _ in range(keep):
        start = data.rfind("\r\n", i, start)
        if start < 0:
            return i
    return start + 2


def line_ends(text: str, after_cr: bool) -> int | None:
    """How many line ends (CR LF) ``text`` completes when it is plain lines: printable ASCII
    and CR LF pairs; None when it holds anything else. ``after_cr``: the text before it ended
    in a CR, whose LF must start this one; a CR at its very end waits for the next text.

    A few passes at C speed (``str.isprintable`` looks up every character in the Unicode
    tables, several times slower), best run while ``text`` is in the CPU's cache: the controls
    left once printable bytes are deleted must be CR LF pairs, as many as the text holds.
    """
    if not text.isascii():
        return None
    controls = text.encode("ascii").translate(None, _PRINTABLE)
    if after_cr:
        if text[:1] != "\n":
            return None
        controls = controls[1:]
    if text[-1:] == "\r":
        controls = controls[:-1]
    if controls.replace(b"\r\n", b""):
        return None
    pairs = len(controls) // 2
    if text.count("\r\n") != pairs:
        return None  # a CR and an LF apart
    return pairs + after_cr


def trim(pieces: list[str], ends: list[int], keep: int) -> tuple[str, str] | None:
    """Queued plain lines cut to what can still be seen: (the text up to its first line end,
    its last ``keep`` lines and what follows them); None when there are too few lines.
    ``ends``: each piece's :func:`line_ends`.

    Applied from a state where the lines go in bulk, the two give the same state as the whole
    (:func:`block` keeps only the last ``keep`` lines of a block; the first line ends where the
    cursor was). The lines in between are never joined, split or copied.
    """
    if sum(ends) < keep + 2 or pieces[-1][-1:] == "\r":
        return None
    return _head(pieces), _tail(pieces, ends, keep)


def _head(pieces: list[str]) -> str:
    """The text up to and including its first CR LF."""
    for k, p in enumerate(pieces):
        if k and pieces[k - 1][-1:] == "\r" and p[:1] == "\n":
            return "".join(pieces[:k]) + "\n"
        end = p.find("\r\n")
        if end >= 0:
            return "".join(pieces[:k]) + p[: end + 2]
    return "".join(pieces)  # not reached: trim() counted the line ends


def _tail(pieces: list[str], ends: list[int], keep: int) -> str:
    """The last ``keep`` lines (each ending in CR LF) and what follows them."""
    k = len(pieces)
    found = 0
    while k > 0 and found <= keep:  # one piece more: the CR of a line end counted in piece k
        k -= 1
        found += ends[k]
    text = "".join(pieces[max(k - 1, 0) :])
    before = text.rsplit("\r\n", keep + 1)[0]  # the text before the last keep + 1 line ends
    return text[len(before) + 2 :]


def as_rows(t: Terminal, lines: list[str], attr: str) -> list[Row]:
    """Lines of text a cell wide in pen ``attr`` as rows to :func:`place`."""
    r = t.rows
    if keeps_whole(lines, r, t.cols):
        if attr == DEFAULT_ATTR:
            middle = [[s, "", False] for s in lines[r:-r]]
        else:
            middle = [[s, attr * len(s), False] for s in lines[r:-r]]
        return _cut(t, lines[:r], attr) + middle + _cut(t, lines[-r:], attr)
    return _cut(t, lines, attr)


def _cut(t: Terminal, lines: list[str], attr: str) -> list[Row]:
    cols = t.cols
    # Attributes shorter than the text mean default attributes for the rest (see rows.py).
    if max(map(len, lines)) <= cols:
        if attr == DEFAULT_ATTR:
            return [[s, "", False] for s in lines]
        return [[s, attr * len(s), False] for s in lines]
    if attr == DEFAULT_ATTR:
        return [[s[k : k + cols], "", k > 0] for s in lines for k in range(0, len(s) or 1, cols)]
    return [
        [s[k : k + cols], attr * len(s[k : k + cols]), k > 0]
        for s in lines
        for k in range(0, len(s) or 1, cols)
    ]


def split_rows(rows: list[Row], cols: int) -> list[Row]:
    out: list[Row] = []
    for text, attrs, wrapped in rows:
        out += [
            [text[k : k + cols], attrs[k : k + cols], wrapped or k > 0]
            for k in range(0, len(text) or 1, cols)
        ]
    return out


def wrapped_run(t: Terminal, run: str, attr: str) -> None:
    """A long run of narrow text from the start of a row: its rows are cut in one go (autowrap
    on, the whole screen as the scroll region); the cursor ends after its last character."""
    cols = t.cols
    new = [
        [part, attr * len(part) if attr != DEFAULT_ATTR else "", k > 0]
        for k, part in ((k, run[k : k + cols]) for k in range(0, len(run), cols))
    ]
    new[0][2] = t.buf.rows[t.y][2]
    place(t, new, newline=False)


def place(
    t: Terminal, new: list[Row], *, newline: bool = True, cleared: Collection[int] = ()
) -> None:
    """Put rows at the cursor (inside the scroll region) as printing them and CR LF would; the
    cursor ends at the start of the row after the last (or, without ``newline``, after the last
    row's text). Rows that scroll off a region at the top of the normal screen go to the
    scrollback, as xterm.js does; others are gone. Rows from the cursor down keep the old text
    right of the new, except the ``cleared`` ones (numbered from the cursor: EL was sent)."""
    rows = t.buf.rows
    top, bottom = t.top, t.bottom
    # Rows from the cursor down are overwritten in place (merged), the rest scroll in.
    fit = min(len(new), bottom + 1 - t.y)
    for k in range(fit):
        row, nr = rows[t.y + k], new[k]
        n = len(nr[0])
        if len(row[0]) > n and k not in cleared:
            if len(row[1]) > n:
                nr[1] = full_attrs(nr[1], n) + row[1][n:]
            nr[0] += row[0][n:]
        rows[t.y + k] = nr
    extra = new[fit:]
    if extra:
        height = bottom + 1 - top
        region = rows[top : bottom + 1] + extra
        cut = len(region) - height
        if top == 0 and t.buf.history is not None:
            t.buf.push(region[:cut], t.cols)
        region = region[cut:]
        if max(map(len, map(_ROW_TEXT, region))) > t.cols:  # no Python code run per row
            region = split_rows(region, t.cols)[-height:]
        rows[top : bottom + 1] = region
        t.y = bottom
        t.epoch += 1  # rows scrolled: a flood skip must not jump over this (see skip.py)
    else:
        t.y += fit - 1  # rows written in place are overwritten by the next copy of a redraw
    if not newline:
        t.x = len(new[-1][0])
        return
    t.x = 0  # the last line's CR LF
    t.linefeed()
