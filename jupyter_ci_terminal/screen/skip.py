"""Skip floods of repeated updates that later output overwrites, at C speed.

A program that redraws one row 700,000 times (a counter, a progress bar, apt's status line)
sends the same *shape* over and over: the same escape sequences at the same offsets, only the
printable text differs. The terminal notices when an anchor (CR, CUP, DECSC) comes back in the
same state (cursor, pen, saved cursor, and nothing unsafe happened in between: see
``Terminal.epoch``) and asks :func:`repeats` how many copies of the update just applied follow.
Copies of one shape starting from one state write exactly the same cells, so every copy but the
last is overwritten by the last: skipping them changes nothing. The copies are compared as
bytes: one ``translate`` shows where the controls are and that the text is printable ASCII, one
big-integer AND takes the escape sequences and any non-ASCII text (a progress bar's blocks, the
same in every copy) under a mask, and one XOR with the template finds the first copy that
differs; no Python code runs per copy.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .widths import width

if TYPE_CHECKING:
    from .terminal import Terminal

_NORM = bytes(c if c < 0x20 or c > 0x7E else 0x78 for c in range(256))
_HIGH = bytes(0xFF if c >= 0x80 else 0 for c in range(256))
_SEQ = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|[ -/]*[0-~])")
#: Text, escape sequences, CR, BS and LF: a line feed moves down without scrolling when the
#: anchor comes back in the same epoch (a redraw's frame of lines: BuildKit's step list).
_OVERWRITES = {0x78, 0x1B, 0x0D, 0x08, 0x0A}
#: Below this many bytes of copies, checking costs more than applying them.
MIN_SKIP = 256
#: Bytes of copies compared at once, at most (the cached templates are this long).
WINDOW = 65536
_first_window: dict[tuple[bytes, bytes, bytes], int] = {}
#: Updates compared, at most: the last one, else the last two (frames of two shapes in turn)...
PERIODS = 6
#: Anchor states remembered, at most (a log whose lines end in CR LF after a CR scrolls a new
#: epoch in per line).
STATES = 64
#: Characters of updates compared as one, at most (longer ones are applied as they come).
LONGEST = 16384


def at_anchor(
    t: Terminal, key: str, state: tuple[object, ...], data: str, start: int, end: int
) -> int:
    """The anchor ``data[start:end]`` was applied and left ``t`` in ``state``: when the same
    anchor came before in the same state, skip the copies of the update(s) since that follow;
    return where reading goes on.

    Anchors are kept per state, so a frame whose every line starts with a CR is one update
    from its first line's CR to the next. A redraw may cycle through a few shapes (BuildKit's
    frames grow and shrink with the running steps), so the last :data:`PERIODS` anchors in
    this state are each tried as the start of one update, the nearest first.
    """
    starts = t.anchors.get((key, state))
    if starts is None:
        if len(t.anchors) >= STATES:
            t.anchors.clear()  # mostly states of past epochs, which cannot come back
        t.anchors[key, state] = [start]
        return end
    for q in reversed(starts):
        if start - q > LONGEST:
            break
        jump = repeats(data, q, start, end)
        if jump:
            t.skipped += jump
            # Other anchors seen before the jump would compare spans of skipped copies.
            t.anchors = {(key, state): [start + jump]}
            update = data[q:start]
            if key == "\x1b7" and _restores(update) and data.startswith(update, start + jump):
                # The last copy is the update already applied, and it ends where it began
                # (DECSC ... DECRC): what it would write is on the screen, skip it too.
                t.skipped += len(update)
                return start + jump + len(update)
            return end + jump
    starts.append(start)
    del starts[:-PERIODS]
    return end


def _restores(update: str) -> bool:
    """True when ``update`` (starting with DECSC) ends with the only DECRC in it and saves
    nothing else, so it leaves the state as it found it: apt's status line."""
    return (
        update.endswith("\x1b8")
        and update.count("\x1b7") == 1
        and update.count("\x1b8") == 1
        and "\x1b[s" not in update
        and "\x1b[u" not in update
    )


@lru_cache(maxsize=64)
def _template(t: str) -> tuple[bytes, bytes, bytes] | None:
    """The update's *shape*: (text positions as ``x``, mask of sequence bytes, the sequence
    bytes under the mask), or None if unusable. Updates that differ only in text share it."""
    b = t.encode("utf-8", "surrogatepass")
    norm = b.translate(_NORM)
    if any(c not in _OVERWRITES for c in set(norm) if c < 0x80):
        return None  # tabs and the like depend on more than the cursor: not a pure overwrite
    if t.isascii():
        mask = bytearray(len(b))
    elif _narrow_or_wide(t):
        # Non-ASCII text must be the same bytes in every copy (a progress bar's blocks): its
        # bytes go under the mask like the escape sequences, so the ASCII text around them
        # stays at the same offsets, in bytes as in characters.
        mask = bytearray(b.translate(_HIGH))
    else:
        return None
    found = list(_SEQ.finditer(b))
    if len(found) != b.count(b"\x1b"):
        return None  # strings and broken sequences are not worth the trouble
    for m in found:
        mask[m.start() : m.end()] = b"\xff" * (m.end() - m.start())
    seqs = int.from_bytes(b, "big") & int.from_bytes(mask, "big")
    return norm, bytes(mask), seqs.to_bytes(len(b), "big")


def _narrow_or_wide(t: str) -> bool:
    """True when the non-ASCII characters of ``t`` are text a cell or two wide: no C1 control
    (some move or scroll) and nothing zero-width (it composes with the text before it)."""
    return all(not "\x80" <= c <= "\x9f" and width(c) for c in set(t) if c >= "\x80")


@lru_cache(maxsize=32)
def _copies(shape: tuple[bytes, bytes, bytes], k: int) -> tuple[int, int, int]:
    """A shape ``k`` times over, as big-endian integers (cached per shape: a counter's updates
    differ in text, not in shape)."""
    norm, mask, seqs = (x * k for x in shape)
    return int.from_bytes(norm, "big"), int.from_bytes(mask, "big"), int.from_bytes(seqs, "big")


def _matching(data: str, start: int, t: str, shape: tuple[bytes, bytes, bytes], k: int) -> int:
    """How many of the next ``k`` copies of ``t`` (of ``shape``) from ``data[start]`` have its
    shape.

    The first difference is found without a loop: XOR the bytes (as big integers) with the
    template's, and the highest set bit is in the first byte that differs. Copies that match
    have the template's non-ASCII bytes and ASCII elsewhere, so they are as many characters
    as ``t`` and as many bytes as its shape; the first difference is found before the bytes
    and the characters of the data part ways.
    """
    size = len(shape[0])
    b = data[start : start + k * len(t)].encode("utf-8", "surrogatepass")[: k * size]
    n = len(b)
    norm, mask, seqs = _copies(shape, k)
    if n < k * size:  # the end of the data (or fewer bytes: a difference): the first n bytes
        shift = 8 * (k * size - n)
        norm, mask, seqs = norm >> shift, mask >> shift, seqs >> shift
    got = int.from_bytes(b.translate(_NORM), "big") ^ norm
    if mask:
        got |= (int.from_bytes(b, "big") & mask) ^ seqs
    first = n - 1 - (got.bit_length() - 1) // 8 if got else n
    return first // size


def repeats(data: str, q: int, p: int, end: int) -> int:
    """How many characters after ``end`` can be skipped.

    ``data[q:p]`` is an update just applied, ``data[p:end]`` the anchor that starts the next
    one, applied in the same state. Returns a multiple of the update's length.
    """
    t = data[q:p]
    size = len(t)
    if size == 0 or (len(data) - p) // size < 2 or (len(data) - p) < MIN_SKIP:
        return 0
    if not data.startswith(data[p:end], p + size):
        # The copy after the next one must start with the same anchor: when it does not (a
        # counter's text grew, a log line came), no template is worth building.
        return 0
    shape = _template(t)
    if shape is None:
        return 0
    most = (len(data) - p) // size
    # Windows of copies grow fourfold while every copy matches (the templates are cached per
    # window size); the first copy that does not match ends the count. The first window is as
    # large as the last run of this shape needed (apt: 50 updates between log lines), so one
    # comparison usually does.
    cap = max(16, WINDOW // size)
    good = 0
    k = min(_first_window.get(shape, 16), cap)
    while good < most:
        n = _matching(data, p + good * size, t, shape, k)
        good += n
        if n < k:
            break
        k = min(k * 4, cap)
    if len(_first_window) > 256:
        _first_window.clear()
    _first_window[shape] = _window_for(good)
    good = min(good, most)
    return (good - 1) * size if good > 1 else 0


def _window_for(count: int) -> int:
    """The smallest window (16 times a power of 4) that holds ``count`` copies and one more."""
    k = 16
    while k <= count:
        k *= 4
    return k
