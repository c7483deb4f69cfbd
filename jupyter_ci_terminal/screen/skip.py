"""Skip floods of repeated updates that later output overwrites, at C speed.

A program that redraws one row 700,000 times (a counter, a progress bar, apt's status line)
sends the same *shape* over and over: the same escape sequences at the same offsets, only the
printable text differs. The terminal notices when an anchor (CR, CUP, DECSC) comes back in the
same state (cursor, pen, saved cursor, and nothing unsafe happened in between: see
``Terminal.epoch``) and asks :func:`repeats` how many copies of the update just applied follow.
Copies of one shape starting from one state write exactly the same cells, so every copy but the
last is overwritten by the last: skipping them changes nothing. The copies are compared as
bytes: one ``translate`` shows where the controls are and that the text is printable ASCII, and
one big-integer AND compares the escape sequences under a mask; no Python code runs per copy.
"""

from __future__ import annotations

import re
from functools import lru_cache

_NORM = bytes(c if c < 0x20 or c > 0x7E else 0x78 for c in range(256))
_SEQ = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[ -/]*[0-~])")
_OVERWRITES = {0x78, 0x1B, 0x0D, 0x08}
#: Below this many bytes of copies, checking costs more than applying them.
MIN_SKIP = 256


@lru_cache(maxsize=64)
def _template(t: str) -> tuple[bytes, bytes, bytes] | None:
    """(text positions as ``x``, mask of sequence bytes, the template) or None if unusable."""
    if not t.isascii():
        return None
    b = t.encode("ascii")
    mask = bytearray(len(b))
    i = t.find("\x1b")
    while i >= 0:
        m = _SEQ.match(t, i)
        if m is None or "\x1b" in t[i + 1 : m.end()]:
            return None  # strings and broken sequences are not worth the trouble
        mask[i : m.end()] = b"\xff" * (m.end() - i)
        i = t.find("\x1b", m.end())
    norm = b.translate(_NORM)
    if any(c not in _OVERWRITES for c in set(norm)):
        return None  # LF, tabs and the like move or scroll: not a pure overwrite
    return norm, bytes(mask), b


@lru_cache(maxsize=256)
def _copies(t: str, k: int) -> tuple[bytes, int, int]:
    norm, mask, b = _template(t) or (b"", b"", b"")
    m = int.from_bytes(mask * k, "big")
    return norm * k, m, int.from_bytes(b * k, "big") & m


def _same(data: str, start: int, t: str, k: int) -> bool:
    chunk = data[start : start + k * len(t)]
    if not chunk.isascii():
        return False
    b = chunk.encode("ascii")
    norm, mask, seqs = _copies(t, k)
    if b.translate(_NORM) != norm:
        return False
    return not mask or int.from_bytes(b, "big") & mask == seqs


def repeats(data: str, q: int, p: int, end: int) -> int:
    """How many characters after ``end`` can be skipped.

    ``data[q:p]`` is an update just applied, ``data[p:end]`` the anchor that starts the next
    one, applied in the same state. Returns a multiple of the update's length.
    """
    t = data[q:p]
    size = len(t)
    if size == 0 or (len(data) - p) // size < 2 or (len(data) - p) < MIN_SKIP:
        return 0
    if _template(t) is None:
        return 0
    most = (len(data) - p) // size
    # Copies are compared in power-of-two batches (their masks are cached per template):
    # double while they match, then halve through the first batch that does not.
    good = 0
    step = 1
    while good + step <= most and _same(data, p + good * size, t, step):
        good += step
        step *= 2
    step //= 2
    while step:
        if good + step <= most and _same(data, p + good * size, t, step):
            good += step
        step //= 2
    return (good - 1) * size if good > 1 else 0
