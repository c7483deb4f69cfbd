"""DECSET/DECRST and DECSTR: private modes, the alternate screen, and what a soft reset keeps.

Modes follow xterm.js, the viewer every restore is drawn in: one mouse protocol and one mouse
encoding at a time, margins and tab stops per screen, the alternate screen filled with the
pen's background when it is entered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import pens
from .buffer import Buffer
from .rows import DEFAULT_ATTR

if TYPE_CHECKING:
    from .terminal import Terminal

#: Private modes the snapshot restores (the alternate screen, origin, autowrap are separate).
STICKY_MODES = (1, 5, 9, 12, 25, 66, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1015, 1016, 2004)
_ALT = (1049, 1047, 47)
#: xterm.js keeps one mouse protocol and one mouse encoding: setting one replaces the other
#: modes of its group (resetting any protocol mode turns mouse reports off).
_MOUSE_PROTOCOLS = frozenset({9, 1000, 1002, 1003})
_MOUSE_ENCODINGS = frozenset({1006, 1016})
#: Private modes DECSTR leaves as they are in xterm.js: the mouse's (another service there) and
#: cursor blinking (an option).
_KEPT_BY_SOFT_RESET = frozenset({5, 9, 12, 1000, 1001, 1002, 1003, 1005, 1006, 1015, 1016})


def set_private(t: Terminal, mode: int, on: bool) -> None:
    """DECSET (``on``) or DECRST of one private mode."""
    t.epoch += 1
    if mode in _ALT:
        _switch(t, mode, on)
        return
    if mode == 1048:
        if on:
            t.save_cursor()
        else:
            t.restore_cursor()
        return
    if mode in _MOUSE_PROTOCOLS:
        t.modes -= _MOUSE_PROTOCOLS
    elif mode in _MOUSE_ENCODINGS:
        t.modes -= _MOUSE_ENCODINGS
    if on:
        t.modes.add(mode)
    else:
        t.modes.discard(mode)
    if mode == 6:
        t.goto(0, 0)


def _switch(t: Terminal, mode: int, on: bool) -> None:
    if on and mode == 1049:
        t.save_cursor()  # on the screen in use, even when it is the alternate one
    if on and t.buf is t.main:
        if mode == 1049:
            t.alt_return = (t.x, t.y)
        t.main_layout = (t.top, t.bottom, t.tabs)
        t.top, t.bottom, t.tabs = 0, t.rows - 1, None
        t.alt = Buffer(t.rows, None)
        if pens.erase_pen(t.pen) != ord(DEFAULT_ATTR):
            t.alt.rows = [t.blank_line() for _ in range(t.rows)]
        t.buf = t.alt
        t.alt_mode = mode
    elif not on:
        if t.buf is t.alt:
            t.buf = t.main
            t.alt_mode = 0
            t.alt_return = None
            t.top, t.bottom, t.tabs = t.main_layout
        if mode == 1049:
            t.restore_cursor()  # even on the normal screen, as xterm.js


def soft_reset(t: Terminal) -> None:
    """DECSTR: modes, margins, pen and saved cursor back to defaults; the screen stays."""
    t.epoch += 1
    t.modes = {7, 25} | (t.modes & _KEPT_BY_SOFT_RESET)
    t.insert = False
    t.top, t.bottom = 0, t.rows - 1
    t.pen = 0
    t.charsets = ("B", "B")
    t.shift_out = False
    t.gl = "B"
    t.buf.saved = None
    t.keypad = False
