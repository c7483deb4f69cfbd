"""CSI sequences: cursor movement, erasing, inserting, scrolling, SGR and modes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import modes, pens
from .rows import WIDE, delete, erase, insert

if TYPE_CHECKING:
    from .terminal import Terminal


def _nums(params: str) -> list[int]:
    out = []
    for p in params.lstrip("?>=<").split(";"):
        out.append(int(p) if p.isdigit() else 0)
    return out


def csi(t: Terminal, params: str, inter: str, final: str) -> None:
    """Apply ``CSI params inter final`` to ``t``."""
    if final == "m" and not inter:
        if not params[:1] in ("?", ">", "<", "="):
            t.pen = pens.apply_sgr(t.pen, params)
        return
    private = params[:1] if params[:1] in ("?", ">", "=", "<") else ""
    args = _nums(params)
    a = args[0]
    n = max(a, 1)
    if inter:
        if inter == " " and final == "q":
            t.cursor_style = a
            t.epoch += 1
        elif inter == "!" and final == "p":
            modes.soft_reset(t)
        return
    if private == "?":
        if final in "hl":
            for mode in args:
                modes.set_private(t, mode, final == "h")
        elif final == "J" or final == "K":
            csi(t, params[1:], inter, final)
        return
    if private:
        return  # DA2, modifyOtherKeys and the like: nothing on the screen
    rows = t.buf.rows
    ec = chr(pens.erase_pen(t.pen))
    if final == "A":
        t._vertical(-n)
    elif final == "B":
        t._vertical(n)
    elif final == "e":
        t._vertical(n, margins=False)
    elif final == "C" or final == "a":
        t.x = min(min(t.x, t.cols - 1) + n, t.cols - 1)
        t.origin_shift()
    elif final == "D":
        t.x = max(min(t.x, t.cols - 1) - n, 0)
        t.origin_shift()
    elif final == "E":
        t._vertical(n)
        t.x = 0
    elif final == "F":
        t._vertical(-n)
        t.x = 0
    elif final == "G" or final == "`":
        t.x = min(n, t.cols) - 1
        t.origin_shift()
    elif final == "d":
        t.goto(min(t.x, t.cols - 1), n - 1)
    elif final == "J":
        t.epoch += 1
        x = min(t.x, t.cols)  # as xterm.js: a pending wrap stays (nothing right of it to erase)
        if a == 0:
            erase(rows[t.y], x, t.cols, t.cols, ec)
            rows[t.y][2] = rows[t.y][2] and x > 0  # erasing a whole row ends its wrap
            ys = range(t.y + 1, t.rows)
        elif a == 1:
            erase(rows[t.y], 0, x + 1, t.cols, ec)
            rows[t.y][2] = False
            if x + 1 >= t.cols and t.y + 1 < t.rows:
                rows[t.y + 1][2] = False
            ys = range(t.y)
        elif a == 2:
            ys = range(t.rows)
        elif a == 3:
            if t.buf.history is not None:
                t.buf.history.clear()
                t.buf.pushed = 0
            return
        else:
            return
        for y in ys:
            rows[y] = t.blank_line()
    elif final == "K":
        # No epoch: EL erases cells of the cursor's row only, which the next copy of an update
        # erases again (rich's bar: CR, EL 2, the bar), so a flood of such updates is skipped.
        x = min(t.x, t.cols)
        if a == 0:
            erase(rows[t.y], x, t.cols, t.cols, ec)
            rows[t.y][2] = rows[t.y][2] and x > 0
        elif a == 1:
            erase(rows[t.y], 0, x + 1, t.cols, ec)
        elif a == 2:
            erase(rows[t.y], 0, t.cols, t.cols, ec)
            rows[t.y][2] = False
    elif final == "X":
        t.x = min(t.x, t.cols - 1)  # as xterm.js, ECH ends a pending wrap
        erase(rows[t.y], t.x, t.x + n, t.cols, ec)
    elif final == "@":
        t.epoch += 1
        t.x = min(t.x, t.cols - 1)
        insert(rows[t.y], t.x, n, t.cols, ec)
    elif final == "P":
        t.epoch += 1
        t.x = min(t.x, t.cols - 1)
        delete(rows[t.y], t.x, n, t.cols, ec)
    elif final in "LM":
        if t.top <= t.y <= t.bottom:
            top = t.top
            t.top = t.y
            if final == "L":
                t.scroll_down(n)
            else:
                _delete_lines(t, n)
            t.top = top
            t.x = 0
    elif final == "S":
        _delete_lines(t, n)  # as xterm.js: SU does not feed the scrollback
    elif final == "T":
        t.scroll_down(n, fill=False)
    elif final == "r":
        top = max(a, 1) - 1
        bottom = (args[1] if len(args) > 1 and args[1] else t.rows) - 1
        bottom = min(bottom, t.rows - 1)
        if top < bottom:
            t.top, t.bottom = top, bottom
            t.epoch += 1
            t.goto(0, 0)
    elif final == "h" or final == "l":
        t.epoch += 1
        if 4 in args:
            t.insert = final == "h"
        if 20 in args:
            t.newline_mode = final == "h"
    elif final == "s" and not params:
        t.save_cursor()
    elif final == "u" and not params:
        t.restore_cursor()
    elif final == "b":
        row = rows[t.y]
        x = min(t.x, t.cols) - 1
        if 0 < x < len(row[0]) and row[0][x] == WIDE:
            x -= 1  # the right half of a wide character: the character is in the cell before
        if 0 <= x < len(row[0]):
            t.text(row[0][x] * n)
    elif final == "I":
        t.tab(n)
    elif final == "Z" and t.x < t.cols:  # xterm.js: no backward tab with a wrap pending
        for _ in range(n):
            t.x = max([s for s in t._tab_stops() if s < min(t.x, t.cols - 1)] or [0])
    elif final == "g":
        if a == 3:
            t.tabs = set()
        elif a == 0:
            t.tabs = t._tab_stops() - {min(t.x, t.cols - 1)}


def _delete_lines(t: Terminal, n: int) -> None:
    history = t.buf.history
    t.buf.history = None  # deleted lines are gone, not scrolled back
    t.scroll_up(n)
    t.buf.history = history
