"""A progress bar's updates up to the next line end, applied as the one row they leave.

Between the log lines of a training loop or a download (``tqdm.write``, a print every N
steps), a tqdm bar is redrawn a few times after CR: too few copies for the flood skip to pay,
and each costs a few Python steps. When everything from a CR up to the next CR LF is text a
cell wide separated by CRs, each piece writes from column 0 over the ones before, so the row
they leave is known without applying them one by one: the last piece as long as the longest,
with each later (shorter) piece written over it. One ``str.split`` finds the pieces.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .rows import width

if TYPE_CHECKING:
    from .terminal import Terminal

#: How far ahead the next line end is looked for (a bar's updates between two log lines).
REACH = 8192
#: Controls other than CR (they move, erase or scroll: not a plain overwrite).
_OTHER = re.compile(r"[\x00-\x0c\x0e-\x1f\x7f-\x9f]")
_ASCII = bytes(range(128))
#: Distinct non-ASCII characters removed one by one (one pass each) before a set is cheaper.
DISTINCT = 16


def line(t: Terminal, data: str, i: int) -> int:
    """Apply the CR-separated pieces of text from ``data[i]`` (just after a CR) up to the next
    CR LF, if that is all there is; return where reading goes on (``i`` if nothing applied)."""
    end = data.find("\r\n", i, i + REACH)
    if end <= i or data.find("\x1b", i, end) >= 0:
        return i
    text = data[i:end]
    if _OTHER.search(text) or not (text.isascii() or narrow(text)) or not t.bulk_ok():
        return i
    pieces = text.split("\r")
    lengths = list(map(len, pieces))
    longest = max(lengths)
    if longest > t.cols:
        return i  # it would wrap
    # Pieces before the last of the longest are entirely written over.
    first = len(lengths) - 1 - lengths[::-1].index(longest)
    row = pieces[first]
    for piece in pieces[first + 1 :]:
        row = piece + row[len(piece) :]
    t.text(row)
    t.x = lengths[-1]
    return end


def narrow(text: str) -> bool:
    """True when every non-ASCII character of ``text`` takes exactly one cell (a bar's blocks)."""
    return narrow_utf8(text.encode("utf-8", "surrogatepass"))


def narrow_utf8(b: bytes) -> bool:
    """:func:`narrow` for text already encoded (UTF-8, surrogates passed)."""
    # The ASCII bytes dropped at C speed first, then each distinct character at C speed: a
    # set of the text would make an object per character outside Latin-1 (a bar's blocks).
    left = b.translate(None, _ASCII).decode("utf-8", "surrogatepass")
    for _ in range(DISTINCT):
        if not left:
            return True
        if not _one_cell(left[0]):
            return False
        left = left.replace(left[0], "")
    return all(map(_one_cell, set(left)))


@lru_cache(maxsize=1024)
def _one_cell(char: str) -> bool:
    return width(char) == 1 and not "\x80" <= char <= "\x9f"  # C1 controls move the cursor
