"""The terminal state machine: what an xterm-compatible terminal holds after some output.

Speed comes from moving whole runs: the next control character is found with one byte search
in a mask of the output (C speed, see :func:`_mask`), the printable run before it is sliced
into the row in one go, and a block of plain ``text\\r\\n`` lines (the bulk of a build log)
becomes rows with ``str.split`` and one list operation. Floods of repeated cursor updates are
skipped over by :mod:`.skip`.
"""

from __future__ import annotations

import re

from . import compact, lines, overlay, pens, rewrite, skip
from .buffer import Buffer
from .escapes import escape
from .rows import DEFAULT_ATTR, Row, blank_row, blanks, cells, erase, insert, put
from .rows import is_blank as _is_blank

#: Control characters (C0, DEL, C1) as 0, every other byte as 1 (see :func:`_mask`).
_CONTROLS = bytes(0 if c < 0x20 or 0x7F <= c <= 0x9F else 1 for c in range(256))
#: Characters masked at a time: 128 first, up to 256 KiB while no control comes up.
_WINDOW = (128, 256 * 1024)
_ESC = re.compile(
    r"\x1b(?:\[([0-?]*)([ -/]*)([@-~])"  # CSI: params, intermediates, final
    r"|\]([^\x07\x1b]*)(?:\x07|\x1b\\)"  # OSC
    r"|[P_^X][^\x1b]*\x1b\\"  # DCS, APC, PM, SOS: consumed, ignored
    r"|([ -/]*)([0-OQ-WYZ\\`-~]))",  # other escapes (not the openers of the ones above)
    re.DOTALL,
)
_PARTIAL = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?|[P_^X][^\x1b]*\x1b?|[ -/]*)\Z", re.DOTALL
)
_WIDE_CHARS = re.compile(".\x00", re.DOTALL)  # a wide character and its filler, as cells
_DEC_GRAPHICS = str.maketrans("`abcdefghijklmnopqrstuvwxyz{|}~", "◆▒␉␌␍␊°±␤␋┘┐┌└┼⎺⎻─⎼⎽├┤┴┬│≤≥π≠£·")


def _mask(data: str, start: int, size: int) -> bytes:
    """``data[start : start + size]`` as one byte per character, 0 for a control character:
    a regex search for one costs ~13 ns per character, this ~2 ns, and every search after it
    is a ``memchr``. (Characters past Latin-1, never controls, become ``?``.)"""
    return data[start : start + size].encode("latin-1", "replace").translate(_CONTROLS)


class Terminal:
    """Screen, scrollback, cursor, pen and modes; :meth:`feed` takes decoded output."""

    def __init__(self, rows: int = 24, cols: int = 80, history: int = 1000) -> None:
        self.rows = rows
        self.cols = cols
        self.history_size = history
        self.partial = ""  # the start of an escape sequence the next output completes
        self.mixed = False
        # The size of the next block of coloured lines, carried from one output to the next
        # (lines.py); 0: start small.
        self.coloured_size = 0
        self.bar_size = 0  # the same for a bar's lines (overlay.py)
        # The output fed last and where it was read to (see skip.carried).
        self.last, self.last_end = "", 0
        self.reset()
        compact.track(self)

    def reset(self) -> None:
        """RIS: everything back to a fresh terminal."""
        self.main = Buffer(self.rows, self.history_size)
        self.alt = Buffer(self.rows, None)
        self.buf = self.main
        self.alt_mode = 0  # which of 1049/1047/47 switched to the alternate screen
        self.alt_return: tuple[int, int] | None = None  # 1049: the cursor to come back to
        self.x = 0
        self.y = 0
        self.pen = 0
        self.top = 0
        self.bottom = self.rows - 1
        self.modes: set[int] = {7, 25}  # private modes that are on: autowrap, cursor visible
        self.insert = False
        self.newline_mode = False
        self.keypad = False
        self.charsets = ("B", "B")  # G0 and G1: "0" is the line-drawing set
        self.shift_out = False  # G1 in use (SO) rather than G0 (SI)
        # The charset in use: the designated one of G0/G1, except after a DECRC, which brings
        # back the one in use at DECSC without changing the designations (as xterm.js).
        self.gl = "B"
        self.cursor_style = 0
        # Where the last run of text ended in the output being read (the output fed last ended
        # with text when it is ``last_end``): REP repeats a character printed right before it.
        self.text_end = -1
        self.title = ""
        self.tabs: set[int] | None = None  # None: every 8 columns
        # The normal screen's margins and tab stops while the alternate one is in use: xterm.js
        # keeps them per screen (the alternate screen starts with its own defaults).
        self.main_layout: tuple[int, int, set[int] | None] = (0, self.rows - 1, None)
        self.epoch = 0  # bumped by anything a flood skip must not jump over (see skip.py)
        # Where each anchor came in each state, in the output being fed (see skip.py).
        self.anchors: dict[tuple[str, tuple[object, ...]], list[tuple[int, int]]] = {}
        self.skipped = 0  # bytes of output skipped as overwritten floods (for benchmarks)
        # The status update last skipped and the row it left (status.py), or None.
        self.status: tuple[str, tuple[int, int, int], tuple[object, ...], str, str] | None = None
        self.seen = rewrite.Seen()  # widths of a bar's redraws already checked (rewrite.py)

    # ---- feeding ------------------------------------------------------------------------------

    def feed(self, data: str) -> None:
        """Apply output (already decoded); an escape sequence may be split across calls."""
        ended_in_text = self.text_end == self.last_end
        tail = skip.carried(self, len(data))
        data = tail + self.partial + data
        self.partial = ""
        self.last, self.last_end = data, len(data)
        self.mixed = False  # a block of lines in this output held other controls (lines.py)
        i = len(tail)
        n = len(data)
        self.text_end = i if ended_in_text else -1
        base, mask, size = 0, b"", _WINDOW[0]
        while i < n:
            # The next control: one byte search in the mask of a window of the output, made
            # again further on when the search leaves it (bulk steps jump far ahead).
            k = mask.find(0, i - base)
            while k < 0:
                if i - base >= len(mask):
                    base, size = i, _WINDOW[0]
                elif base + len(mask) < n:
                    base, size = base + len(mask), min(size * 4, _WINDOW[1])
                else:
                    k = n - base
                    break
                mask = _mask(data, base, size)
                k = mask.find(0, max(i - base, 0))
            j = base + k
            if j > i:
                self.text(data[i:j])
                self.text_end = j
            if j >= n:
                return
            c = data[j]
            if c == "\x1b":
                e = _ESC.match(data, j)
                if e is None:
                    if _PARTIAL.match(data, j) and n - j < 65536:
                        self.partial = data[j:]
                        self.last_end = j
                        return
                    i = j + 1  # a lone ESC: ignored, the next character is read as usual
                    continue
                i = escape(self, e, data)
            elif c == "\n" or c == "\x0b" or c == "\x0c":
                self.linefeed()
                i = j + 1
                if self.x == 0 and i < n:
                    i = self._plain_lines(data, i)
            elif c == "\r":
                i = j + 1
                if i < n and data[i] == "\n":
                    self.x = 0
                    self.linefeed()
                    i += 1
                    if i < n:
                        i = self._plain_lines(data, i)
                else:
                    self.x = 0
                    i = overlay.block(self, data, i)
                    if i == j + 1:
                        i = overlay.line(self, data, i)
                    if i == j + 1:
                        i = rewrite.skip(self, data, i)
                    if i == j + 1:
                        i = self.anchor("\r", data, j, i)
                    if i == j + 1 < n and lines.redraw(self, data, i):
                        i = lines.coloured(self, data, i)
            else:
                self._control(c)
                i = j + 1

    def anchor(self, key: str, data: str, start: int, end: int) -> int:
        """Apply a cursor-placing sequence that may start a repeated update; maybe skip a flood."""
        if key == "\r":
            self.x = 0
        state = (self.x, self.y, self.buf.saved, self.epoch, id(self.buf))
        return skip.at_anchor(self, key, state, data, start, end)

    def bulk_ok(self) -> bool:
        """True when rows may be placed in bulk: the cursor inside the scroll region, no insert
        mode, autowrap on, no line-drawing charset, no background colour (that rows scrolled in
        would get)."""
        return (
            self.top <= self.y <= self.bottom
            and not pens.erase_pen(self.pen)
            and not self.insert
            and 7 in self.modes
            and self.gl == "B"
        )

    def _plain_lines(self, data: str, i: int) -> int:
        """Apply a block of whole lines at once, if one starts here; return where it stopped."""
        if self.x != 0 or not self.bulk_ok():
            return i
        j = lines.block(self, data, i)
        return rewrite.skip(self, data, i) if j == i else j

    # ---- text ---------------------------------------------------------------------------------

    def text(self, run: str) -> None:
        """Print a run of printable characters at the cursor."""
        if self.gl == "0":
            run = run.translate(_DEC_GRAPHICS)
        if not run.isascii():
            run = cells(run)
        attr = chr(self.pen)
        cols = self.cols
        autowrap = 7 in self.modes
        while run:
            if self.x >= cols:
                if autowrap:
                    self.x = 0
                    self.linefeed()
                    self.buf.rows[self.y][2] = True
                    if len(run) > 2 * cols and self.bulk_ok() and "\x00" not in run:
                        lines.wrapped_run(self, run, attr)
                        return
                else:
                    self.x = cols - 1
            space = cols - self.x
            piece = run[:space]
            if len(run) > space and piece[-1:] != "\x00" and run[space : space + 1] == "\x00":
                if not autowrap:
                    piece, run = piece[:-1], run[space - 1 :]  # left to the last column's rule
                elif cols > 1:
                    piece = piece[:-1] + " "  # a wide character never straddles the edge
                    run = run[space - 1 :]
                else:
                    run = run[space + 1 :]  # a screen one column wide: it is cut in half
            else:
                run = run[space:]
            row = self.buf.rows[self.y]
            if self.insert:
                insert(row, self.x, len(piece), cols, DEFAULT_ATTR)
            put(row, self.x, piece, attr)
            self.x += len(piece)
            if not autowrap and run:
                # xterm.js writes each further character on the last column, and skips a wide
                # one (which does not fit there) with the cursor left on that column.
                narrow = _WIDE_CHARS.sub("", run)
                if narrow:
                    put(row, cols - 1, narrow[-1], attr)
                self.x = cols if run[-1] != "\x00" else cols - 1
                run = ""

    # ---- movement and scrolling ---------------------------------------------------------------

    def linefeed(self) -> None:
        """LF: down one row, scrolling the region at its bottom."""
        if self.x >= self.cols:
            self.x = self.cols - 1
        if self.newline_mode:
            self.x = 0
        if self.y == self.bottom:
            self.scroll_up(1)
        elif self.y < self.rows - 1:
            self.y += 1
            self.buf.rows[self.y][2] = False  # as xterm.js: a line fed into is not a wrap

    def index(self) -> None:
        """IND: down one row as LF, except that the row keeps its wrapped flag and newline mode
        does not apply (as xterm.js)."""
        self.x = min(self.x, self.cols - 1)
        if self.y == self.bottom:
            self.scroll_up(1)
        elif self.y < self.rows - 1:
            self.y += 1

    def reverse_index(self) -> None:
        """RI: up one row, scrolling the region down at its top."""
        if self.y == self.top:
            self.scroll_down(1)
        elif self.y > 0:
            self.y -= 1

    def scroll_up(self, n: int) -> None:
        """Scroll the region up; with the region at the top of the normal screen the rows go to
        the scrollback, as xterm.js does."""
        self.epoch += 1
        rows = self.buf.rows
        top, bottom = self.top, self.bottom
        n = min(n, bottom - top + 1)
        gone = rows[top : top + n]
        if top == 0 and self.buf.history is not None:
            self.buf.push(gone, self.cols)
        rows[top : bottom + 1] = rows[top + n : bottom + 1] + [blank_row() for _ in range(n)]
        self._fill_erased(range(bottom + 1 - n, bottom + 1))

    def scroll_down(self, n: int, fill: bool = True) -> None:
        """Scroll the region down: new blank rows at its top, in the pen's background when
        ``fill`` (xterm.js leaves SD's rows in the default one)."""
        self.epoch += 1
        rows = self.buf.rows
        top, bottom = self.top, self.bottom
        n = min(n, bottom - top + 1)
        rows[top : bottom + 1] = [blank_row() for _ in range(n)] + rows[top : bottom + 1 - n]
        if fill:
            self._fill_erased(range(top, top + n))

    def _fill_erased(self, ys: range) -> None:
        attr = chr(pens.erase_pen(self.pen))
        if attr != DEFAULT_ATTR:
            for y in ys:
                erase(self.buf.rows[y], 0, self.cols, self.cols, attr)

    def goto(self, x: int, y: int) -> None:
        """Absolute move (origin mode confines it to the scroll region)."""
        if 6 in self.modes:
            y = min(max(y + self.top, self.top), self.bottom)
        self.x = min(max(x, 0), self.cols - 1)
        self.y = min(max(y, 0), self.rows - 1)

    def _vertical(self, dy: int, margins: bool = True) -> None:
        # CUU/CUD stop at the margin they move towards when they start on its side of it (as
        # xterm.js: a move down from above the region stops at its bottom too); VPR does not.
        y = self.y + dy
        if margins and dy > 0 and self.y <= self.bottom:
            y = min(y, self.bottom)
        elif margins and dy < 0 and self.y >= self.top:
            y = max(y, self.top)
        self.y = min(max(y, 0), self.rows - 1)
        self.x = min(self.x, self.cols - 1)
        self.origin_shift()

    def origin_shift(self) -> None:
        """After a relative move or a column-only one: in origin mode xterm.js takes the row it
        moves from as counted from the region's top, i.e. adds the top margin, then keeps the
        cursor inside the region. Viewers do, so the model does too."""
        if 6 in self.modes:
            self.y = min(max(self.top + self.y, self.top), self.bottom)

    def tab(self, n: int = 1) -> None:
        """HT: to the next tab stop (none with a wrap pending, as xterm.js)."""
        if self.x >= self.cols:
            return
        for _ in range(n):
            x = min(self.x, self.cols - 1) + 1
            if self.tabs is None:
                x = (x + 7) // 8 * 8
            else:
                x = min([t for t in self.tabs if t >= x] or [self.cols - 1])
            self.x = min(x, self.cols - 1)

    def _control(self, c: str) -> None:
        if c == "\x08":
            self.x = min(self.x, self.cols - 1)
            if self.x > 0:
                self.x -= 1
        elif c == "\t":
            self.tab()
        elif c == "\x0e":
            self.shift_out = True
            self.gl = self.charsets[1]
        elif c == "\x0f":
            self.shift_out = False
            self.gl = self.charsets[0]
        elif c == "\x84":
            self.index()
        elif c == "\x85":
            self.x = 0
            self.index()
        elif c == "\x8d":
            self.reverse_index()
        # BEL, NUL and the other C0/C1 controls change nothing a viewer sees.

    # ---- escape sequences ---------------------------------------------------------------------

    def _tab_stops(self) -> set[int]:
        return set(range(8, self.cols, 8)) if self.tabs is None else set(self.tabs)

    def save_cursor(self) -> None:
        """DECSC: position, pen and the charset in use (per screen, as xterm.js)."""
        self.buf.saved = (self.x, self.y, self.pen, self.gl)

    def restore_cursor(self) -> None:
        """DECRC (a fresh screen restores the home position)."""
        x, y, self.pen, self.gl = self.buf.saved or (0, 0, 0, "B")
        # xterm.js puts the cursor back inside the screen (no wrap pending), and in origin mode
        # inside the margins.
        self.x = min(x, self.cols - 1)
        self.y = max(self.top, min(y, self.bottom)) if 6 in self.modes else min(y, self.rows - 1)

    @property
    def in_alternate(self) -> bool:
        """True while a full-screen program has the alternate screen."""
        return self.buf is self.alt

    # ---- reading ------------------------------------------------------------------------------

    def is_blank(self, y: int) -> bool:
        """True when screen row ``y`` shows nothing."""
        return _is_blank(self.buf.rows[y])

    def blank_line(self) -> Row:
        """A row of the current width, erased with the current pen's background."""
        attr = chr(pens.erase_pen(self.pen))
        if attr == DEFAULT_ATTR:
            return blank_row()
        return [blanks(self.cols), attr * self.cols, False]
