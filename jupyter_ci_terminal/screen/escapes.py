"""Escape sequences other than CSI's own parameters: CSI dispatch, OSC, charsets, DECSC/DECRC,
resets. CUP and DECSC may start a repeated update, so they go through ``Terminal.anchor``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import pens, status
from .csi import csi
from .rows import zeros

if TYPE_CHECKING:
    from .terminal import Terminal


def escape(t: Terminal, e: re.Match[str], data: str) -> int:
    """Apply the escape sequence ``e`` matched in ``data``; return where reading goes on."""
    final = e.group(3)
    if final is not None:
        params, inter = e.group(1), e.group(2)
        if final in "Hf" and not inter and "?" not in params:
            return t.anchor(e.group(), data, e.start(), e.end()) if _cup(t, params) else e.end()
        if final == "b" and e.start() != t.text_end:
            return e.end()  # REP repeats a character printed right before it only (xterm.js)
        csi(t, params, inter, final)
        return e.end()
    osc = e.group(4)
    if osc is not None:
        code, _, text = osc.partition(";")
        if code in ("0", "2"):
            t.title = text
        elif code == "8":  # a hyperlink (gcc's warning options, ls --hyperlink)
            t.pen = pens.osc8(t.pen, text)
        t.epoch += 1
        return e.end()
    final = e.group(6)
    if final is None:
        return e.end()  # a string (DCS, APC, ...): ignored
    inter = e.group(5)
    if inter:
        if inter in "()" and len(inter) == 1:
            g = 0 if inter == "(" else 1
            cs = list(t.charsets)
            cs[g] = "0" if final == "0" else "B"
            t.charsets = (cs[0], cs[1])
            if g == int(t.shift_out):  # the set in use
                t.gl = cs[g]
            t.epoch += 1
        elif inter == "#" and final == "8":
            t.buf.rows[:] = [["E" * t.cols, zeros(t.cols), False] for _ in range(t.rows)]
        return e.end()
    if final == "7":
        if t.status is not None and data.startswith(t.status[0], e.start()):
            at = status.replay(t, data, e.start())
            if at > e.start():
                return at
        t.save_cursor()
        return t.anchor("\x1b7", data, e.start(), e.end())
    if final == "8":
        t.restore_cursor()
    elif final == "D":
        t.index()
    elif final == "E":
        t.x = 0
        t.index()
    elif final == "M":
        t.reverse_index()
    elif final == "c":
        t.reset()
    elif final == "=":
        t.keypad = True
    elif final == ">":
        t.keypad = False
    elif final == "H":
        t.tabs = t._tab_stops() | {min(t.x, t.cols - 1)}
    return e.end()


def _cup(t: Terminal, params: str) -> bool:
    """CUP/HVP; False when the parameters are not plain numbers (then nothing moves)."""
    row, _, col = params.partition(";")
    try:
        y = int(row) if row else 1
        x = int(col) if col else 1
    except ValueError:
        return False
    t.goto(max(x, 1) - 1, max(y, 1) - 1)
    return True
