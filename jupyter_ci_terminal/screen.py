"""A server-side model of what a terminal shows, so a reconnecting viewer gets the screen back.

terminado replays its last 1000 raw output chunks on reconnect, which garbles full-screen programs
(the replay starts mid-escape-sequence, or redraws a ``vim`` that already exited). We keep a
``pyte`` screen instead and send a reconnecting (or lagging) viewer one synthetic redraw: the
scrollback tail, the visible screen with its colours and attributes, and the cursor.

pyte records the alternate-screen mode (``CSI ? 1049 h``) but keeps one buffer; full-screen
programs then leave their last frame behind when they exit. :class:`_AltScreen` keeps the two
buffers apart, as xterm does.

pyte is pure Python (well under 1 MB/s here), so it must stay off the output's hot path: output
is queued and applied lazily (on a redraw, or when output pauses), and when more than
``max_pending`` characters queue up only the last ``keep`` are applied to a fresh screen. What a
screen shows after a flood of output is decided by its tail; the alternate-screen switches in the
dropped part are still honoured. The cost of a redraw is therefore bounded whatever the volume.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pyte

_ALT_MODES = {1049 << 5, 1047 << 5, 47 << 5}  # pyte stores private modes shifted by 5
_ALT_SWITCH = re.compile(r"\x1b\[\?(?:1049|1047|47)([hl])")

_FG = {
    "black": 30, "red": 31, "green": 32, "brown": 33, "yellow": 33, "blue": 34,
    "magenta": 35, "cyan": 36, "white": 37,
    "brightblack": 90, "brightred": 91, "brightgreen": 92, "brightbrown": 93,
    "brightyellow": 93, "brightblue": 94, "brightmagenta": 95, "brightcyan": 96,
    "brightwhite": 97,
}  # fmt: skip


class _AltScreen(pyte.HistoryScreen):
    """A history screen with xterm's alternate buffer."""

    def __init__(self, columns: int, lines: int, history: int) -> None:
        super().__init__(columns, lines, history=history, ratio=0.5)
        self._saved: tuple[Any, Any] | None = None

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        private = kwargs.get("private", False)
        if private and any((m << 5) in _ALT_MODES for m in modes) and self._saved is None:
            self._saved = (copy.deepcopy(self.buffer), copy.copy(self.cursor))
            self.erase_in_display(2)
        super().set_mode(*modes, **kwargs)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        private = kwargs.get("private", False)
        super().reset_mode(*modes, **kwargs)
        if private and any((m << 5) in _ALT_MODES for m in modes) and self._saved is not None:
            buffer, cursor = self._saved
            self._saved = None
            self.buffer.clear()
            self.buffer.update(buffer)
            self.cursor = cursor
            self.dirty.update(range(self.lines))

    @property
    def in_alternate(self) -> bool:
        return self._saved is not None


def _colour(value: str, base: int) -> str:
    if value == "default":
        return ""
    if value in _FG:
        code = _FG[value]
        return str(code if base == 30 else code + 10)
    if len(value) == 6:
        try:
            r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            return ""
        return f"{base + 8};2;{r};{g};{b}"
    return ""


def _sgr(char: Any) -> str:
    codes = ["0"]
    if char.bold:
        codes.append("1")
    if char.italics:
        codes.append("3")
    if char.underscore:
        codes.append("4")
    if char.blink:
        codes.append("5")
    if char.reverse:
        codes.append("7")
    if char.strikethrough:
        codes.append("9")
    codes += [c for c in (_colour(char.fg, 30), _colour(char.bg, 40)) if c]
    return "\x1b[" + ";".join(codes) + "m"


def _render_line(line: Any, columns: int) -> str:
    out: list[str] = []
    last = ""
    # Trailing default blanks are not drawn: the clear already painted them.
    end = columns
    while end > 0:
        ch = line[end - 1]
        if ch.data not in (" ", "") or _sgr(ch) != "\x1b[0m":
            break
        end -= 1
    for x in range(end):
        ch = line[x]
        style = _sgr(ch)
        if style != last:
            out.append(style)
            last = style
        out.append(ch.data or "")
    out.append("\x1b[0m")
    return "".join(out)


class ScreenModel:
    """What the terminal shows: feed it output text, ask it for a redraw."""

    def __init__(
        self,
        rows: int = 24,
        cols: int = 80,
        history: int = 1000,
        *,
        max_pending: int = 64 * 1024,
        keep: int = 16 * 1024,
    ) -> None:
        self.history = history
        self.max_pending = max_pending
        self.keep = keep
        self._pending: list[str] = []
        self._pending_len = 0
        self._truncated = False
        self._alt_after_drop: bool | None = None
        self._new_screen(rows, cols, alternate=False)

    def _new_screen(self, rows: int, cols: int, *, alternate: bool) -> None:
        self._screen = _AltScreen(cols, rows, self.history)
        self._stream = pyte.Stream(self._screen)
        if alternate:
            self._stream.feed("\x1b[?1049h")

    @property
    def size(self) -> tuple[int, int]:
        """(rows, cols)."""
        return self._screen.lines, self._screen.columns

    @property
    def pending(self) -> int:
        """Characters queued but not yet applied."""
        return self._pending_len

    def feed(self, text: str) -> None:
        """Queue terminal output (cheap: applying it happens in :meth:`catch_up`)."""
        self._pending.append(text)
        self._pending_len += len(text)
        if self._pending_len > self.max_pending:
            self._compact()

    def _compact(self) -> None:
        data = "".join(self._pending)
        cut = len(data) - self.keep
        # Start the kept tail at a line start, so it never begins inside an escape sequence.
        newline = data.find("\n", cut)
        if 0 <= newline < len(data) - 1:
            cut = newline + 1
        switches = _ALT_SWITCH.findall(data, 0, cut)
        if switches:
            self._alt_after_drop = switches[-1] == "h"
        self._pending = [data[cut:]]
        self._pending_len = len(data) - cut
        self._truncated = True

    def catch_up(self) -> None:
        """Apply the queued output to the screen."""
        if self._truncated:
            alternate = self._alt_after_drop
            if alternate is None:
                alternate = self._screen.in_alternate
            self._new_screen(*self.size, alternate=alternate)
            self._truncated = False
            self._alt_after_drop = None
        if self._pending:
            data = "".join(self._pending)
            self._pending.clear()
            self._pending_len = 0
            self._stream.feed(data)

    def resize(self, rows: int, cols: int) -> None:
        """Follow a size change of the remote pty."""
        if (rows, cols) != self.size:
            self.catch_up()
            self._screen.resize(rows, cols)

    def display(self) -> list[str]:
        """The visible lines as plain text (for tests and logs)."""
        self.catch_up()
        return list(self._screen.display)

    def snapshot(self, scrollback: int = 200) -> str:
        """One escape sequence string that redraws the scrollback tail, screen and cursor."""
        self.catch_up()
        screen = self._screen
        parts = ["\x1b[0m\x1b[H\x1b[2J\x1b[3J"]
        if not screen.in_alternate and scrollback:
            top = list(screen.history.top)[-scrollback:]
            parts += [_render_line(line, screen.columns) + "\r\n" for line in top]
        if screen.in_alternate:
            parts.append("\x1b[?1049h\x1b[H\x1b[2J")
        rows = [_render_line(screen.buffer[y], screen.columns) for y in range(screen.lines)]
        # Drop trailing empty rows so the scrollback does not scroll away needlessly.
        while rows and rows[-1] == "\x1b[0m" and len(rows) > screen.cursor.y + 1:
            rows.pop()
        parts.append("\r\n".join(rows))
        parts.append(f"\x1b[{screen.cursor.y + 1};{screen.cursor.x + 1}H")
        if screen.cursor.hidden:
            parts.append("\x1b[?25l")
        return "".join(parts)
