"""Skip floods of repeated updates that later output overwrites, at C speed.

A program that redraws one row 700,000 times (a counter, a progress bar, apt's status line)
sends the same *shape* over and over: the same escape sequences at the same offsets, only the
printable text differs. The terminal notices when an anchor (CR, CUP, DECSC) comes back in the
same state (cursor, pen, saved cursor, and nothing unsafe happened in between: see
``Terminal.epoch``) and asks :func:`repeats` how many copies of the update just applied follow.
Copies of one shape starting from one state write exactly the same cells, so every copy but the
last is overwritten by the last: skipping them changes nothing. A shape is a regular
expression for one copy (its escape sequences, CR, LF, BS and non-ASCII text as they are, each
run of printable ASCII text as that many printable ASCII characters), compiled once per shape:
one ``match`` counts the copies that follow, and copies that are the same text as the update
(apt's status line while its percentage stays) are counted before that by comparing memory.
Copies that also differ in colour (a counter recoloured at every update) match a shape where
an SGR setting one colour may set any colour of its kind (:mod:`.colours`), when each copy's
cells then take that copy's own colours. No Python code runs per copy.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from . import colours, status
from .widths import width

if TYPE_CHECKING:
    from .terminal import Terminal

#: An update's pieces: what must be the same in every copy (escape sequences, CR, LF, BS: a
#: line feed moves down without scrolling when the anchor comes back in the same epoch, as in a
#: redraw's frame of lines), printable ASCII text, other text; any other character (a tab, a
#: string, a broken sequence) matches none of the groups. Escape sequences end where the
#: terminal's do: an ESC [ that makes no CSI is a lone ESC for the terminal, and text after it
#: that does (another copy's) would be read as one.
_TOKEN = re.compile(
    r"(\x1b(?:\[[0-?]*[ -/]*[@-~]|[ -/]*[0-OQ-WYZ\\`-~])|[\r\n\x08]+)|([ -~]+)|([^\x00-\x7f]+)"
    r"|[\x00-\x7f]"
)
#: Cursor moves that write no cell (CUU, CUD, CUF, CUB, CNL, CPL, CHA, CUP, VPA, HVP) and SGR.
_MOVES_OR_SGR = re.compile(r"\x1b\[[0-9;]*[A-Hdf]|\x1b\[[0-9;:]*m")
#: What an update must start with for a colour in it to vary (see :func:`_build`): what writes
#: no cell, then a reset or an SGR that sets one colour, before anything else.
_SETS_FIRST = re.compile(
    rf"(?:[\r\n\x08]|{_MOVES_OR_SGR.pattern})*?\x1b\[(?:0?|{colours.ONE_COLOUR})m"
)
#: Outputs shorter than this many characters start with no anchors, as comparing an update
#: that began in the previous output with copies in this one costs more than it can save.
CARRY = 2048
#: Below this many bytes of copies, checking costs more than applying them.
MIN_SKIP = 256
#: Characters of copies compared at once, at most.
WINDOW = 65536
#: Updates compared, at most: the last one, else the last two (frames of two shapes in turn)...
PERIODS = 6
#: Anchor states remembered, at most (a log whose lines end in CR LF after a CR scrolls a new
#: epoch in per line).
STATES = 64
#: Characters of updates compared as one, at most (longer ones are applied as they come).
LONGEST = 16384
#: Characters of a shape's regular expression, at most: compiled, it takes about 20 bytes a
#: character, and the ``re`` module keeps the last 512 it compiled (longer ones: no skip).
SHAPE_MAX = 2048
#: The last shape compiled per length of update (a redraw's updates differ in text only).
_recent: dict[int, re.Pattern[str]] = {}
#: How many copies of an update's very text came in a row, the last time it was counted.
_last_run: dict[str, int] = {}


def carried(t: Terminal, size: int) -> str:
    """The end of the previous output that anchors point into, which the next output is
    read after; the anchors now count from its start. A redraw cycling through frames is
    then skipped from the start of the next output too, not only once its frames came
    again there. What is done between two outputs that a skip must not jump over bumps the
    epoch (a resize, a pen compaction); queued lines dropped unread scroll, which bumps it
    too, before the next anchor."""
    last, t.last = t.last, ""
    if size < CARRY:
        t.anchors = {}
    if not t.anchors:
        return ""
    floor = t.last_end - LONGEST  # anchors further back are not compared
    kept = [(key, [a for a in starts if a[0] >= floor]) for key, starts in t.anchors.items()]
    kept = [(key, starts) for key, starts in kept if starts]
    if not kept:
        t.anchors = {}
        return ""
    # From the earliest anchor kept (each list is in order): small pieces of output carry a
    # few updates, not the whole reach.
    start = min(starts[0][0] for _, starts in kept)
    t.anchors = {key: [(q - start, pen) for q, pen in starts] for key, starts in kept}
    return last[start : t.last_end]


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

    The state leaves out the pen: copies of one shape write each cell with the pen their own
    SGRs give it, and leave the same pen (see :func:`_pattern`), whatever pen the first one
    started with, unless the update saves or restores the cursor, which keeps a pen.
    """
    starts = t.anchors.get((key, state))
    if starts is None:
        if len(t.anchors) >= STATES:
            t.anchors.clear()  # mostly states of past epochs, which cannot come back
        t.anchors[key, state] = [(start, t.pen)]
        return end
    for q, pen in reversed(starts):
        if start - q > LONGEST:
            break
        if pen != t.pen and colours.SAVES.search(data, q, start):
            continue
        jump = repeats(data, q, start, end)
        if jump:
            t.skipped += jump
            # Other anchors seen before the jump would compare spans of skipped copies.
            t.anchors = {(key, state): [(start + jump, t.pen)]}
            update = data[q:start]
            if key == "\x1b7" and _restores(update) and data.startswith(update, start + jump):
                # The last copy is the update already applied, and it ends where it began
                # (DECSC ... DECRC): what it would write is on the screen, skip it too.
                t.skipped += len(update)
                status.remember(t, update)
                return start + jump + len(update)
            return end + jump
    starts.append((start, t.pen))
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
def _pattern(t: str) -> str | None:
    """The update's *shape* as a regular expression for one copy: its escape sequences, CR, LF,
    BS and non-ASCII text as they are, its printable ASCII text as that many of any printable
    ASCII; None if unusable. Updates that differ only in text have the same one."""
    return _build(t, False)


@lru_cache(maxsize=64)
def _recoloured(t: str) -> re.Pattern[str] | None:
    """The shape of ``t`` where the SGRs that set one colour only may set any colour of their
    kind (a counter in a new colour each time), compiled for copies of it whose group 1 is the
    last one; None when no colour may vary or the shape is unusable."""
    pattern = _build(t, True)
    if pattern is None or len(pattern) > SHAPE_MAX or pattern == _pattern(t):
        return None
    return re.compile(f"(?:({pattern[3:-2]}))*")


def _build(t: str, recolour: bool) -> str | None:
    """:func:`_pattern`, or with ``recolour`` where colours may vary.

    A colour may vary when it is set before the first cell is written, or when its slot
    (foreground or background) was: every cell then takes its copy's own colours, whatever
    pen the copy starts with, and every copy leaves the same pen but for those colours. That
    holds when nothing else keeps a pen: no cursor is saved or restored in the update.
    """
    parts = []
    recolour = recolour and not colours.SAVES.search(t)
    set_first: set[str] = set()  # slots set before the first cell is written
    cells = False
    for m in _TOKEN.finditer(t):
        seq, text, other = m.groups()
        if text is not None:
            parts.append(f"[ -~]{{{len(text)}}}")
            cells = True
            continue
        slot = colours.varies(seq) if recolour and seq is not None else None
        if slot is not None and (not cells or slot[0] in set_first):
            parts.append(slot[1])
            if not cells:
                set_first.add(slot[0])
        elif seq is not None or (other is not None and _narrow_or_wide(other)):
            parts.append(re.escape(m.group()))
            if not cells and seq in ("\x1b[m", "\x1b[0m"):
                set_first.update(("fg", "bg"))
            # CR, LF, BS and cursor moves only move the cursor, SGR only sets the pen; other
            # sequences may write cells (EL takes the background colour).
            cells = cells or seq is None or (seq[0] == "\x1b" and not _MOVES_OR_SGR.fullmatch(seq))
        else:
            # Tabs and the like depend on more than the cursor (not a pure overwrite); strings
            # and broken sequences are not worth the trouble.
            return None
    return "(?:" + "".join(parts) + ")*"


def _narrow_or_wide(t: str) -> bool:
    """True when the non-ASCII characters of ``t`` are text a cell or two wide: no C1 control
    (some move or scroll) and nothing zero-width (it composes with the text before it)."""
    return all(not "\x80" <= c <= "\x9f" and width(c) for c in set(t) if c >= "\x80")


def _shape(t: str, after: str) -> re.Pattern[str] | None:
    """The compiled shape of ``t``, when ``after`` (the copy that follows) has it too."""
    known = _recent.get(len(t))
    if known is not None and known.fullmatch(t) and known.fullmatch(after):
        return known  # a redraw's updates differ in text: no need to look at its tokens
    pattern = _pattern(t)
    # Compiling costs far more than comparing: only for a shape that repeats at least once.
    if pattern is None or len(pattern) > SHAPE_MAX or pattern != _pattern(after):
        return None
    if len(_recent) >= STATES:
        _recent.clear()
    _recent[len(t)] = compiled = re.compile(pattern)
    return compiled


def repeats(data: str, q: int, p: int, end: int) -> int:
    """How many characters after ``end`` can be skipped.

    ``data[q:p]`` is an update just applied, ``data[p:end]`` the anchor that starts the next
    one, applied in the same state. Copies that differ in text only are counted by their
    length; copies that differ in colours too (:func:`_recoloured`) are matched.
    """
    t = data[q:p]
    size = len(t)
    if size == 0 or (len(data) - p) < MIN_SKIP:
        return 0
    # The copy after the next one must start with the same anchor: when it does not (a
    # counter's text grew, a log line came), no shape is worth compiling.
    if (len(data) - p) // size >= 2 and data.startswith(data[p:end], p + size):
        shape = _shape(t, data[p : p + size])
        if shape is not None:
            return _copies(data, p, t, shape)
    if not _SETS_FIRST.match(t):
        return 0  # no colour set before the first cell: none may vary (and t needs no parsing)
    recoloured = _recoloured(t)
    return 0 if recoloured is None else _recoloured_copies(data, p, recoloured)


def _copies(data: str, p: int, t: str, shape: re.Pattern[str]) -> int:
    """The characters of the copies of ``t``'s shape from ``data[p]`` on, but the last."""
    size = len(t)
    most = (len(data) - p) // size
    # The regular expression stops at the first copy that differs; at most WINDOW characters
    # at a time, as it keeps a little state per copy matched.
    cap = max(1, WINDOW // size)
    good = 0
    while good < most:
        k = min(cap, most - good)
        at = p + good * size
        n = same(data, at, t, k)
        if n < k:
            at += n * size
            whole = shape.match(data, at, at + (k - n) * size)  # "(?:...)*": always a match
            n += (whole.end() - at) // size if whole else 0
        good += n
        if n < k:
            break
    return (good - 1) * size if good > 1 else 0


def _recoloured_copies(data: str, p: int, shape: re.Pattern[str]) -> int:
    """The characters from ``data[p]`` up to the last of the copies there of a shape whose
    colours vary (copies may differ in length), matched WINDOW characters at a time."""
    at = last = p
    while True:
        m = shape.match(data, at, at + WINDOW)  # "(?:(...))*": always a match
        if m is None or m.end() == at:
            return last - p
        at, last = m.end(), m.start(1)


def same(data: str, at: int, t: str, most: int) -> int:
    """How many of the next ``most`` copies from ``data[at]`` are ``t`` itself (apt's status
    line while its percentage stays): compared as memory, in runs doubling then halving, from
    as many as came last time if they are there (apt: 49 between log lines)."""
    guess = _last_run.get(t, 0)
    n = guess if 0 < guess <= most and data.startswith(t * guess, at) else 0
    step, growing = 1, True
    while step:
        if n + step <= most and data.startswith(t * step, at + n * len(t)):
            n += step
            if growing:
                step *= 2
            else:
                step //= 2
        else:
            growing = False
            step //= 2
    if len(_last_run) >= STATES:
        _last_run.clear()
    _last_run[t] = n
    return n
