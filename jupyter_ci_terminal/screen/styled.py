"""Coloured lines in bulk: compiler, test-runner and ``ls --color`` output.

Such output is ``text\\r\\n`` lines whose colours come from a handful of distinct escape
sequences (SGR, and the EL that gcc sends after each one). Tokenising every sequence costs a
Python object or call each, so instead each distinct run of consecutive sequences becomes one
*marker* byte (one same-length ``bytes.replace`` per distinct run, over pieces of the block
cut at line ends). Then one ``translate`` gives the text, one more the line *skeletons* (every
text cell as ``H``, every run as its marker).
A line's attributes depend only on the pen it starts with and its skeleton, so they are
computed once per distinct (pen, skeleton) and reused: per line the work is one dict lookup.
Trailing text is left out of the skeleton (messages vary in length; the pen they end with
does not), so most lines of a build share a few skeletons. Lines from and to the default pen
are also remembered by their whole skeleton, which saves cutting off the trailing text line by
line: the lengths of a build's messages vary, but over a few values.
"""

from __future__ import annotations

import re
from itertools import compress, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, cast

from . import pens
from .rows import DEFAULT_ATTR, Row, keeps_whole
from .widths import narrow_chars

if TYPE_CHECKING:
    from .terminal import Terminal

#: A block is scanned to ASCII (see :func:`_scan`), so the bytes past it are free: markers,
#: and the padding after each marker to its run's length.
_PAD = b"\x80"
_MARKS = bytes(range(0x81, 0x100))
_MARKS_PAD = _PAD + _MARKS
#: 1 for the bytes of a marked block that end it: controls other than CR and LF (BEL too: a
#: BEL left once the sequences are marked is one outside an OSC 8), and DEL.
_OTHER = bytes(1 if (c < 0x20 and c not in b"\r\n") or c == 0x7F else 0 for c in range(256))
#: A run of SGR/EL sequences (gcc sends EL after every SGR) and OSC 8 hyperlinks ended by BEL
#: (gcc links each warning option to its documentation): one marker for the run.
_ONE_SEQ = rb"\x1b\[(?:([0-9;]*)m|0?K)|\x1b\]8;([^\x07\x1b\r\n]*)\x07"
_SEQ = re.compile(rb"(?:" + _ONE_SEQ + rb")+")
_ONE = re.compile(_ONE_SEQ)
_BAD = re.compile(rb"\x1b(?!\[(?:[0-9;]*m|0?K)|\]8;[^\x07\x1b\r\n]*\x07)")
_BAD_TEXT = re.compile(_BAD.pattern.decode())
_SPLIT = re.compile(rb"([\x81-\xff])")
#: Output past ASCII as UTF-8 scanned one byte per character: the lead byte of each
#: character past ASCII as "?", its continuation bytes deleted.
_SCANNED = bytes(c if c < 0x80 else 0x3F for c in range(256))
_CONTINUATION = bytes(range(0x80, 0xC0))
_ASCII_TEXT = bytes(c for c in range(0x80) if c != 0x3F)  # deleted: "?" and the rest are left
#: Text cells as "H", markers and line ends as they are, the bytes of ``_OTHER`` as NUL: the
#: skeletons' pass finds them too.
_SKELETON = bytes(0x48 if 0x20 <= c < 0x7F else 0 if _OTHER[c] else c for c in range(256))
#: Distinct (pen, skeleton) pairs remembered; the table starts over when it is full.
LIMIT = 4096
#: Characters looked at per block, at most. Blocks start at ``FIRST`` characters and grow
#: fourfold while they are taken whole; after a line that needs the general path the next one
#: starts small again, so such lines cost a small block each, not a second look at the chunk.
BLOCK = 65536
FIRST = 1024
#: Bytes marked in one piece, at most, where line ends allow. ``bytes.replace`` searches for
#: each occurrence anew, and from 30,000 bytes of haystack CPython's search sets up the two-way
#: algorithm on every call: a 64 KiB block took 1.5-2x as long as the same bytes in pieces.
PIECE = 16384

#: Run of escape sequences -> its marker byte, padded to the run's length (shared by
#: all blocks).
_mark_of: dict[bytes, bytes] = {}
#: marker -> what its sequences do: SGR parameters, None for EL, "]" + an OSC 8's text.
_params_of: dict[int, list[str | None]] = {}
#: (pen, skeleton) -> (attributes, pen after, has EL), or None where the general path must run.
_lines: dict[tuple[int, bytes], tuple[str, int, bool] | None] = {}
#: The same for lines starting with the default pen, keyed by the skeleton alone (no tuple to
#: build and hash per line on the common path).
_plain_start: dict[bytes, tuple[str, int, bool] | None] = {}
#: Lines that start and end with the default pen, by whole skeleton -> their attributes, and
#: the whole skeletons of those among them with EL (looked up for the rows written over only).
_whole: dict[bytes, str] = {}
_whole_el: set[bytes] = set()
_UNKNOWN = ("", 0, False)
_ATTRS, _PEN, _EL = itemgetter(0), itemgetter(1), itemgetter(2)


def rows(
    t: Terminal, data: str, i: int, size: int
) -> tuple[list[Row], list[int], int, bool | None] | None:
    """The rows of the coloured lines in the ``size`` characters from ``data[i]``, which of the
    rows from the cursor down are cleared by EL (their old text goes), the index after the last
    line, and whether all were taken (more may follow; None: all, up to the end of ``data``);
    the terminal's pen is left as after them. None when no line here is for this path.

    Works on the block as ASCII bytes: ``bytes.translate`` and ``find`` are the fastest scans.
    Characters past ASCII a cell wide (gcc's quotes, accents, box drawing) are scanned as
    ``?`` (the UTF-8 lead byte, continuation bytes deleted: one byte each, so every position
    holds), and are put back in the lines' text in order.
    """
    end = data.rfind("\r\n", i, i + size)
    # In a first block, often ended by another sequence (BuildKit's cursor up after a frame of
    # a few lines), that sequence is found first, so the passes below cover the frame, not the
    # whole block. (Larger blocks held lines only, last time: the search would cost more.)
    other = _BAD_TEXT.search(data, i, end) if end >= 0 and size <= FIRST else None
    if other is not None:
        end = data.rfind("\r\n", i, other.start())
    if end < 0:
        return None  # the common case of a cursor move after a log line, at once
    b, others = _scan(data[i:end])
    runs: list[bytes] = []  # the distinct runs of sequences, in the order they were marked
    marked = _mark(b, runs)
    if marked is None:  # another escape sequence inside: the lines before it, if any
        bad = _BAD.search(b)
        b = b[: max(b.rfind(b"\r\n", 0, bad.start() if bad is not None else 0), 0)]
        runs.clear()
        marked = _mark(b, runs)
    if not b or marked is None:
        return None
    skeleton = marked.translate(_SKELETON, _PAD)
    if b"\x00" in skeleton:  # another control: the lines before it, marked again
        b = b[: max(b.rfind(b"\r\n", 0, marked.translate(_OTHER).find(1)), 0)]
        runs.clear()
        marked = _mark(b, runs)
        if not b or marked is None:
            return None
        skeleton = marked.translate(_SKELETON, _PAD)
    if others is None:
        lines = marked.translate(None, _MARKS_PAD).decode("ascii").split("\r\n")
    elif any(b"?" in run for run in runs):
        return None  # a link's address past ASCII (scanned as "?") or with a "?": general path
    else:
        lines = _restored(marked, others).split("\r\n")
    skeletons = skeleton.split(b"\r\n")
    if len(skeletons) != len(lines):
        return None  # a CR or LF alone (a skeleton with one is never cached: see _line)
    done = _same_pen(t, lines, skeletons) or _one_by_one(t, lines, skeletons)
    new, cleared, pen, count = done
    if not new:
        return None
    t.pen = pen
    whole: bool | None = count == len(lines) and i + len(b) == end and other is None
    if whole and i + size >= len(data):
        whole = None  # every line up to the end of the output: more may come in the next
    if count < len(lines):  # stopped at a line for the general path: the ones before it
        b = b[: len(b) - len(b.split(b"\r\n", count)[-1]) - 2]
    return new, cleared, i + len(b) + 2, whole


def _same_pen(
    t: Terminal, lines: list[str], skeletons: list[bytes]
) -> tuple[list[Row], list[int], int, int] | None:
    """The rows when every line ends with the pen it starts with (the default), with no Python
    code run per line when they fit in a row (the common case); None otherwise."""
    pen, cols, fit = t.pen, t.cols, t.bottom + 1 - t.y
    if pen:
        return None
    try:
        # A miss raises at once: ``None in got`` would compare every attribute string to None.
        attrs: list[str] | None = list(map(_whole.__getitem__, skeletons))
    except KeyError:
        attrs = _learn(skeletons)
    if attrs is None:
        return None
    # A line's length is its skeleton's count of text cells: counted once per distinct
    # skeleton (a handful per block; their hashes are cached by the lookups above).
    longest = max(map(bytes.count, set(skeletons), repeat(b"H")))
    if longest <= cols:
        rows = list(map(list, zip(lines, attrs, repeat(False))))
        cleared = list(compress(range(fit), map(_whole_el.__contains__, skeletons[:fit])))
        return rows, cleared, pen, len(lines)
    # Lines wider than the screen (gcc's diagnostics) are cut into rows in one comprehension;
    # EL is looked at only in the lines written over rows from the cursor down.
    cleared = []
    y = 0
    for line, skeleton in zip(lines, skeletons, strict=True):
        if y >= fit:
            break
        n = -(-len(line) // cols) or 1
        if skeleton in _whole_el:
            if n > 1 and not _blank(t, y, n):
                return None  # EL on a wrapped row written over: line by line
            cleared.append(y)
        y += n
    r = t.rows
    if not keeps_whole(lines, r, cols, longest):
        return _cut(lines, attrs, cols), cleared, pen, len(lines)
    middle = list(map(list, zip(lines[r:-r], attrs[r:-r], repeat(False))))
    return (
        _cut(lines[:r], attrs[:r], cols) + middle + _cut(lines[-r:], attrs[-r:], cols),
        cleared,
        pen,
        len(lines),
    )


def _learn(skeletons: list[bytes]) -> list[str] | None:
    """The attributes of lines from the default pen, found by their skeletons without trailing
    text, now remembered by whole skeleton too; None when one is not known yet (the lines go
    one by one, which learns it), needs the general path or ends with another pen."""
    got = list(map(_plain_start.get, map(bytes.rstrip, skeletons, repeat(b"H"))))
    if None in got:
        return None
    found = cast("list[tuple[str, int, bool]]", got)
    if any(map(_PEN, found)):
        return None
    if len(_whole) >= LIMIT:
        _whole.clear()
        _whole_el.clear()
    attrs = list(map(_ATTRS, found))
    _whole.update(zip(skeletons, attrs, strict=True))
    _whole_el.update(s for s, f in zip(skeletons, found, strict=True) if f[2])
    return attrs


def _cut(lines: list[str], attrs: list[str], cols: int) -> list[Row]:
    """Lines and their attributes as rows of the width."""
    return [
        [line[k : k + cols], a[k : k + cols], k > 0]
        for line, a in zip(lines, attrs, strict=True)
        for k in range(0, len(line) or 1, cols)
    ]


def _one_by_one(
    t: Terminal, lines: list[str], skeletons: list[bytes]
) -> tuple[list[Row], list[int], int, int]:
    """The rows line by line, up to the first line that needs the general path."""
    new: list[Row] = []
    cleared: list[int] = []
    cols = t.cols
    fit = t.bottom + 1 - t.y
    pen = t.pen
    get = _lines.get
    for count, (line, skeleton) in enumerate(zip(lines, skeletons, strict=True)):
        key = (pen, skeleton.rstrip(b"H"))
        found = get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = _line(key)
        if found is None:
            return new, cleared, pen, count
        attrs, after, el = found
        if after and len(line) > len(attrs):
            attrs += chr(after) * (len(line) - len(attrs))
        if el and len(new) < fit:
            if len(line) > cols and not _blank(t, len(new), -(-len(line) // cols)):
                return new, cleared, pen, count  # EL on a wrapped row written over
            cleared.append(len(new))
        if len(line) <= cols:
            new.append([line, attrs, False])
        else:
            new += [
                [line[k : k + cols], attrs[k : k + cols], k > 0] for k in range(0, len(line), cols)
            ]
        pen = after
    return new, cleared, pen, len(lines)


def _blank(t: Terminal, start: int, n: int) -> bool:
    """True when the ``n`` rows from ``start`` rows below the cursor show nothing."""
    y = t.y + start
    return not any(r[0] or r[1] for r in t.buf.rows[y : min(y + n, t.bottom + 1)])


def _scan(text: str) -> tuple[bytes, str | None]:
    """``text`` as bytes, one per character (past ASCII as "?": the UTF-8 lead byte, its
    continuation bytes deleted), and its "?" and non-ASCII characters in order (None when it is
    ASCII); only the lines before the first character that does not take one cell."""
    if text.isascii():
        return text.encode("ascii"), None
    u = text.encode("utf-8", "surrogatepass")
    others = u.translate(None, _ASCII_TEXT).decode("utf-8", "surrogatepass")
    if narrow_chars(others):
        return u.translate(_SCANNED, _CONTINUATION), others
    # Wide or zero-width characters (cells are not characters): the lines before the first.
    first = min(text.find(c) for c in set(others) if not narrow_chars(c))
    return _scan(text[: max(text.rfind("\r\n", 0, first), 0)])


def _restored(marked: bytes, others: str) -> str:
    """The text of ``marked`` (output past ASCII scanned as "?") without its markers, each "?"
    replaced by the next of ``others``: the output's "?" and non-ASCII characters in order.
    Every "?" left is one of them, as no marked run holds one."""
    pieces = marked.translate(None, _MARKS_PAD).decode("ascii").split("?")
    out = [""] * (2 * len(pieces) - 1)
    out[::2] = pieces
    out[1::2] = others[: len(pieces) - 1]
    return "".join(out)


def _mark(text: bytes, runs: list[bytes]) -> bytes | None:
    """``text`` with each SGR/EL sequence replaced by its marker (None if another escape
    sequence is found or the markers run out); each distinct run replaced is added to
    ``runs``."""
    pieces = _pieces(text)
    for n, piece in enumerate(pieces):  # the pieces before n hold no sequence any more
        k = piece.find(b"\x1b")
        while k >= 0:
            m = _SEQ.match(piece, k)
            if m is None:
                return None
            seq = m.group()
            runs.append(seq)
            marker = _mark_of.get(seq) or _new_marker(seq)
            if marker is None:
                return None
            piece = piece.replace(seq, marker)
            if n + 1 < len(pieces):
                pieces[n + 1 :] = [p.replace(seq, marker) for p in pieces[n + 1 :]]
            k = piece.find(b"\x1b", k)
        pieces[n] = piece
    return b"".join(pieces)


def _new_marker(seq: bytes) -> bytes | None:
    """The marker of a run not seen before, as it replaces the run: the marker byte, then
    padding to the run's length, so that positions hold. None when the
    markers ran out: they start afresh, and this block goes the general way."""
    if len(_mark_of) == len(_MARKS):
        _reset()
        return None
    mark = _MARKS[len(_mark_of)]
    _params_of[mark] = [
        p.group(1).decode()
        if p.group(1) is not None
        else "]" + p.group(2).decode()
        if p.group(2) is not None
        else None
        for p in _ONE.finditer(seq)
    ]
    _mark_of[seq] = marker = bytes((mark,)).ljust(len(seq), _PAD)
    return marker


def _pieces(text: bytes) -> list[bytes]:
    """``text`` cut after line ends into pieces shorter than :data:`PIECE` bytes where it can be
    (a sequence never spans a line end)."""
    pieces = []
    start = 0
    while len(text) - start >= PIECE:
        cut = text.rfind(b"\r\n", start, start + PIECE)
        if cut < 0:
            break  # a line longer than a piece: the rest in one
        pieces.append(text[start : cut + 2])
        start = cut + 2
    pieces.append(text[start:])
    return pieces


def _reset() -> None:
    _mark_of.clear()
    _params_of.clear()
    forget()


def forget() -> None:
    """Empty the tables of lines (each holds skeletons, whose markers :func:`_reset` frees)."""
    _lines.clear()
    _plain_start.clear()
    _whole.clear()
    _whole_el.clear()


def _line(key: tuple[int, bytes]) -> tuple[str, int, bool] | None:
    """Attributes of a line's skeleton from a starting pen, the pen after it, and whether it
    has EL; None when it needs the general path (EL or a line end under a background colour,
    which erase and scroll in coloured cells)."""
    if len(_lines) >= LIMIT:
        forget()
    pen, skeleton = key
    if b"\r" in skeleton or b"\n" in skeleton:
        _lines[key] = None  # a CR or LF alone: the general path handles it
        return None
    out = []
    el = False
    found: tuple[str, int, bool] | None = None
    for k, part in enumerate(_SPLIT.split(skeleton)):
        if k % 2 == 0:
            out.append(chr(pen) * len(part))
            continue
        for params in _params_of[part[0]]:
            if params is not None:
                pen = (
                    pens.osc8(pen, params[1:]) if params[:1] == "]" else pens.apply_sgr(pen, params)
                )
            elif pens.erase_pen(pen):
                break
            else:
                el = True
        else:
            continue
        break
    else:
        if not pens.erase_pen(pen):
            attrs = "".join(out)
            found = (attrs if pen else attrs.rstrip(DEFAULT_ATTR), pen, el)
    _lines[key] = found
    if not key[0]:
        _plain_start[key[1]] = found
    return found
