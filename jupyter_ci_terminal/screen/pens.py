"""Pens: the SGR attributes of a cell, interned as small ids so a row's attributes are a string.

A row keeps one attribute *character* per cell (``chr(pen id)``), so writing a run of text sets
its attributes with one string slice instead of one object per cell. Id 0 is the default pen.
"""

from __future__ import annotations

from typing import NamedTuple

BOLD, DIM, ITALIC, UNDERLINE, BLINK, INVERSE, INVISIBLE, STRIKE = (1 << i for i in range(8))
_FLAG_CODES = ((BOLD, "1"), (DIM, "2"), (ITALIC, "3"), (UNDERLINE, "4"), (BLINK, "5"),
               (INVERSE, "7"), (INVISIBLE, "8"), (STRIKE, "9"))  # fmt: skip
_SET = {1: BOLD, 2: DIM, 3: ITALIC, 4: UNDERLINE, 5: BLINK, 6: BLINK, 7: INVERSE, 8: INVISIBLE,
        9: STRIKE, 21: UNDERLINE}  # fmt: skip
_CLEAR = {22: BOLD | DIM, 23: ITALIC, 24: UNDERLINE, 25: BLINK, 27: INVERSE, 28: INVISIBLE,
          29: STRIKE}  # fmt: skip


class Pen(NamedTuple):
    """Foreground and background as SGR parameter text ("" = default), attribute flags, and the
    hyperlink (OSC 8's ``params;uri``, "" = none) cells written with it belong to."""

    fg: str
    bg: str
    flags: int
    link: str = ""


DEFAULT = Pen("", "", 0)
_pens: list[Pen] = [DEFAULT]
_ids: dict[Pen, int] = {DEFAULT: 0}
_sgr_cache: dict[tuple[int, str], int] = {}
_erase_cache: dict[int, int] = {0: 0}
_render_cache: dict[int, str] = {}


def pen_id(pen: Pen) -> int:
    """The interned id of ``pen``."""
    found = _ids.get(pen)
    if found is None:
        found = _ids[pen] = len(_pens)
        _pens.append(pen)
    return found


def count() -> int:
    """Pens interned so far (see :mod:`.compact`)."""
    return len(_pens)


def keep(ids: list[int]) -> None:
    """Keep only the pens ``ids`` (sorted, 0 first), renumbered 0, 1, 2... in that order; every
    cache keyed by pen ids is emptied (see :mod:`.compact`)."""
    kept = [_pens[i] for i in ids]
    _pens[:] = kept
    _ids.clear()
    _ids.update((p, i) for i, p in enumerate(kept))
    _sgr_cache.clear()
    _render_cache.clear()
    _erase_cache.clear()
    _erase_cache[0] = 0


def pen(pid: int) -> Pen:
    """The pen of an id."""
    return _pens[pid]


def _colour(codes: list[int], i: int, base: int) -> tuple[str, int]:
    """Parse ``38;5;n`` / ``38;2;r;g;b`` starting at ``codes[i]``; return (text, next index)."""
    if i + 1 < len(codes) and codes[i + 1] == 5 and i + 2 < len(codes):
        return f"{base};5;{codes[i + 2]}", i + 3
    if i + 1 < len(codes) and codes[i + 1] == 2 and i + 4 < len(codes):
        r, g, b = codes[i + 2 : i + 5]
        return f"{base};2;{r};{g};{b}", i + 5
    return "", len(codes)


def _apply(pid: int, params: str) -> int:
    fg, bg, flags, link = _pens[pid]
    # Colon sub-parameters (38:2::r:g:b, 4:3) are read as if they were separate parameters.
    parts = params.replace(":", ";").split(";") if params else ["0"]
    codes = [int(p) if p.isdigit() else 0 for p in parts]
    i = 0
    while i < len(codes):
        c = codes[i]
        i += 1
        if c == 0:
            fg, bg, flags = "", "", 0  # not the link: as xterm.js, SGR 0 leaves it open
        elif c in _SET:
            flags |= _SET[c]
        elif c in _CLEAR:
            flags &= ~_CLEAR[c]
        elif 30 <= c <= 37 or 90 <= c <= 97:
            fg = str(c)
        elif 40 <= c <= 47 or 100 <= c <= 107:
            bg = str(c)
        elif c == 39:
            fg = ""
        elif c == 49:
            bg = ""
        elif c in (38, 48):
            text, i = _colour(codes, i - 1, c)
            if c == 38:
                fg = text
            else:
                bg = text
    return pen_id(Pen(fg, bg, flags, link))


def apply_sgr(pid: int, params: str) -> int:
    """The pen after ``CSI params m`` (cached: floods repeat the same few sequences)."""
    key = (pid, params)
    found = _sgr_cache.get(key)
    if found is None:
        found = _sgr_cache[key] = _apply(pid, params)
    return found


def erase_pen(pid: int) -> int:
    """The pen erased cells get: only the background of the current pen (as xterm)."""
    found = _erase_cache.get(pid)
    if found is None:
        found = _erase_cache[pid] = pen_id(Pen("", _pens[pid].bg, 0))
    return found


def with_link(pid: int, link: str) -> int:
    """Pen ``pid`` with cells belonging to hyperlink ``link`` ("" = none)."""
    return pen_id(_pens[pid]._replace(link=link))


def osc8(pid: int, text: str) -> int:
    """The pen after OSC 8 ``params;uri``, read as xterm.js reads it: the cells written next
    belong to the link ``uri`` (up to a ``;``); an empty one ends it; params alone are ignored."""
    params, sep, uri = text.partition(";")
    if not sep:
        return pid
    uri = uri.split(";")[0]
    if uri:
        return with_link(pid, f"{params};{uri}")
    return pid if params else with_link(pid, "")


def sgr(pid: int) -> str:
    """The SGR sequence that selects pen ``pid``'s colours and flags from any state (its link
    is left as it was: see :func:`select`)."""
    found = _render_cache.get(pid)
    if found is None:
        fg, bg, flags, _ = _pens[pid]
        codes = ["0"] + [code for flag, code in _FLAG_CODES if flags & flag]
        codes += [c for c in (fg, bg) if c]
        found = _render_cache[pid] = "\x1b[" + ";".join(codes) + "m"
    return found


def select(pid: int, current: int) -> str:
    """The escape sequences that change pen ``current`` into pen ``pid``, link included."""
    link = _pens[pid].link
    return sgr(pid) + (f"\x1b]8;{link or ';'}\x1b\\" if link != _pens[current].link else "")


def reset(current: int) -> str:
    """Back to the default pen from pen ``current``, closing its link if it has one."""
    return "\x1b[0m\x1b]8;;\x1b\\" if _pens[current].link else "\x1b[0m"
