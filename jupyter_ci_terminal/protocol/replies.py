"""Telling a terminal's *replies* apart from keystrokes in a viewer's input (sans I/O).

When a program queries the terminal (cursor position, device attributes, colours, modes), every
attached xterm.js answers. :func:`split` cuts one input message into keystrokes and replies, so
the session can forward the replies of a single viewer (see ``sessions/fanout.py``).

Rules:

- Only *complete* replies inside one message are recognised. xterm.js sends each reply whole in
  one ``onData`` event, hence one ``stdin`` message; a reply cut across messages is taken as
  keystrokes, because dropping a keystroke is worse than passing a duplicate reply.
- Only sequences no key, paste or mouse report produces are replies: arrow and function keys
  (``ESC [ A``, ``ESC [ 15 ~``), mouse reports (``ESC [ < … M``), Alt-keys (``ESC x``) never
  match. ``ESC [ 1 ; m R`` is both a cursor position report for row 1 and Shift/Ctrl/Alt+F3, so
  it stays a keystroke for the modifier values ``m`` of 2 to 16.
- Everything between ``ESC [ 200 ~`` and ``ESC [ 201 ~`` (bracketed paste) is keystrokes.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_ST = r"(?:\x1b\\|\x07)"  # string terminator: ESC \ or BEL
_REPLY = (
    r"\x1b\[(?!1;(?:[2-9]|1[0-6])R)\??\d+;\d+R",  # CPR / DECXCPR (not modified F3)
    r"\x1b\[[?>][\d;]*c",  # DA1, DA2
    r"\x1b\[\??[\d;]*n",  # DSR status (CSI 0 n, CSI ? … n)
    r"\x1b\[\??\d+;\d+\$y",  # DECRQM (ANSI and DEC modes)
    r"\x1b\[\d+(?:;\d+)*t",  # window reports (CSI 4 ; h ; w t, CSI 8 ; r ; c t, …)
    r"\x1b\[\?\d*u",  # keyboard protocol flags
    r"\x1b\[[IO]",  # focus in / out (mode 1004)
    r"\x1bP>\|[^\x1b\x07]*" + _ST,  # XTVERSION
    r"\x1bP[01][$+]r[^\x1b\x07]*" + _ST,  # DECRQSS, XTGETTCAP
    r"\x1b\]\d+(?:;\d+)?;rgb:[0-9a-fA-F/]+" + _ST,  # OSC 4 / 10 / 11 / 12 colours
)
_PASTE_START = "\x1b[200~"
_PASTE_END = "\x1b[201~"
_SCAN = re.compile("|".join([re.escape(_PASTE_START), *(f"(?:{r})" for r in _REPLY)]))


class Piece(NamedTuple):
    """A run of input: ``reply`` tells a terminal's answer from keystrokes."""

    text: str
    reply: bool


def split(text: str) -> list[Piece]:
    """Cut ``text`` into runs of keystrokes and replies; joined, they give ``text`` back."""
    if "\x1b" not in text:  # typing and most pastes
        return [Piece(text, reply=False)] if text else []
    pieces: list[Piece] = []
    start = pos = 0  # start of the pending keystrokes, where the scan goes on
    while (found := _SCAN.search(text, pos)) is not None:
        if found.group() == _PASTE_START:
            end = text.find(_PASTE_END, found.end())
            pos = len(text) if end < 0 else end + len(_PASTE_END)
            continue
        if found.start() > start:
            pieces.append(Piece(text[start : found.start()], reply=False))
        pieces.append(Piece(found.group(), reply=True))
        start = pos = found.end()
    if start < len(text):
        pieces.append(Piece(text[start:], reply=False))
    return pieces


def keystrokes(pieces: list[Piece]) -> str:
    """The keystrokes of :func:`split`'s result, replies left out."""
    return "".join(piece.text for piece in pieces if not piece.reply)
