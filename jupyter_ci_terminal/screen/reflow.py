"""Resizing: the normal screen re-wraps its logical lines (as xterm.js does), the alternate
screen is cut or padded (full-screen programs redraw it)."""

from __future__ import annotations

from collections import deque

from .buffer import Buffer
from .lines import split_rows
from .rows import DEFAULT_ATTR, WIDE, Row, blank_row, full_attrs, is_blank
from .terminal import Terminal


def _rewrap(text: str, attrs: str, cols: int) -> list[Row]:
    rows: list[Row] = []
    i = 0
    while True:
        end = i + cols
        if end < len(text) and text[end] == WIDE and end - 1 > i:
            end -= 1  # keep a wide character whole: it moves to the next row
        part, pa = text[i:end], attrs[i:end]
        if end - i < cols and end < len(text):
            part += " " * (cols - (end - i))
            pa += DEFAULT_ATTR * (cols - (end - i))
        rows.append([part, pa, bool(rows)])
        i = end
        if i >= len(text):
            return rows


def _logical(rows: list[Row], old: int) -> list[tuple[int, str, str]]:
    """(index of the first row, text, attributes) per logical line."""
    lines: list[tuple[int, str, str]] = []
    for i, row in enumerate(rows):
        if row[2] and lines:
            start, t, a = lines[-1]
            t += " " * (old - len(t) % old if len(t) % old else 0)
            a += DEFAULT_ATTR * (len(t) - len(a))
            lines[-1] = (start, t + row[0], a + full_attrs(row[1], len(row[0])))
        else:
            lines.append((i, row[0], full_attrs(row[1], len(row[0]))))
    return lines


def resize(t: Terminal, rows: int, cols: int) -> None:
    """Change the size the way xterm.js does, closely enough for a restore."""
    t.epoch += 1
    if cols != t.cols:
        _reflow(t, cols)
    _rows_only(t, rows)
    t.rows = rows
    alt = [_cut(r, cols) for r in t.alt.rows]
    if t.in_alternate:
        # As xterm.js: fewer rows drop those below the cursor first, then those at the top.
        while len(alt) > rows:
            if len(alt) > t.y + 1:
                alt.pop()
            else:
                alt.pop(0)
                t.y -= 1
                if t.alt.saved is not None:  # the saved row goes up with its row
                    sx, sy, pen, gl = t.alt.saved
                    t.alt.saved = (sx, max(sy - 1, 0), pen, gl)
    t.alt.rows = alt[:rows] + [blank_row() for _ in range(rows - len(alt))]
    t.top, t.bottom = 0, rows - 1
    t.main_layout = (0, rows - 1, t.main_layout[2])
    # As xterm.js: the cursor (and each saved one) comes back inside the screen, no wrap pending.
    t.y = min(t.y, rows - 1)
    t.x = min(t.x, cols - 1)
    if t.alt_return is not None:
        t.alt_return = (min(t.alt_return[0], cols - 1), t.alt_return[1])
    for buf in (t.main, t.alt):
        if buf.saved is not None:
            sx, sy, pen, gl = buf.saved
            buf.saved = (min(sx, cols - 1), sy, pen, gl)


def _cut(row: Row, cols: int) -> Row:
    """``row`` cut at ``cols`` columns; a wide character split by the edge becomes a blank (no
    output can leave half of one on the last column, as xterm.js's cut row shows it)."""
    text, attrs = row[0][:cols], row[1][:cols]
    if len(row[0]) > cols and row[0][cols] == WIDE:
        text = text[:-1] + " "
    return [text, attrs, row[2]]


def _rows_only(t: Terminal, rows: int) -> None:
    buf = t.main
    cy = t.y if t.buf is buf else (t.alt_return or (0, 0))[1]
    screen = buf.rows
    history = buf.history if buf.history is not None else deque()
    # Shrinking drops blank rows below the cursor first, then scrolls rows into the scrollback;
    # growing pulls rows back from the scrollback.
    while len(screen) > rows and len(screen) - 1 > cy and is_blank(screen[-1]):
        screen.pop()
    while len(screen) > rows:
        history.append(screen.pop(0))
        cy -= 1
    while len(screen) < rows and history:
        entry = history.pop()
        if len(entry[0]) > t.cols:  # a whole long line: back to rows, only the last one moves
            parts = split_rows([entry], t.cols)
            history.extend(parts[:-1])
            entry = parts[-1]
        screen.insert(0, entry)
        cy += 1
    screen += [blank_row() for _ in range(rows - len(screen))]
    if t.buf is buf:
        t.y = max(cy, 0)
    elif t.alt_return is not None:
        # The shell's cursor moves with its rows (where leaving the program puts it back).
        shift = max(cy, 0) - t.alt_return[1]
        t.alt_return = (t.alt_return[0], max(cy, 0))
        if buf.saved is not None:
            x, y, pen, gl = buf.saved
            buf.saved = (x, min(max(y + shift, 0), rows - 1), pen, gl)


def _reflow(t: Terminal, cols: int) -> None:
    buf: Buffer = t.main
    history = list(buf.history or ())
    on_main = t.buf is buf
    cx, cy = (t.x, t.y) if on_main else (t.alt_return or (0, 0))
    allrows = history + buf.rows
    cursor_row = len(history) + cy
    lines = _logical(allrows, t.cols)
    new: list[Row] = []
    new_cursor = (0, 0)
    last_content = 0
    for n, (start, text, attrs) in enumerate(lines):
        end = lines[n + 1][0] if n + 1 < len(lines) else len(allrows)
        if start <= cursor_row < end:
            # As xterm.js: the cursor's line is not re-wrapped but cut, and the cursor stays on
            # its row (a shell redraws its prompt from there after SIGWINCH).
            above = split_rows(allrows[start:cursor_row], t.cols)
            wrapped = [_cut(r, cols) for r in split_rows(allrows[start:end], t.cols)]
            new_cursor = (min(cx, cols - 1), len(new) + len(above))
        else:
            wrapped = _rewrap(text, attrs, cols)
        if text.strip(" ") or attrs.strip(DEFAULT_ATTR):
            last_content = len(new) + len(wrapped) - 1
        new.extend(wrapped)
    bottom = max(new_cursor[1], last_content)
    new = new[: bottom + 1]
    top = max(0, len(new) - t.rows)
    if buf.history is not None:
        buf.history.clear()
        buf.history.extend(new[:top])
    buf.rows = new[top:] + [blank_row() for _ in range(t.rows - (len(new) - top))]
    x, y = new_cursor[0], new_cursor[1] - top
    if on_main:
        t.x, t.y = min(x, cols), max(y, 0)
    elif t.alt_return is not None:
        t.alt_return = (min(x, cols), max(y, 0))
        if buf.saved is not None:
            buf.saved = (t.alt_return[0], t.alt_return[1], buf.saved[2], buf.saved[3])
    t.cols = cols
