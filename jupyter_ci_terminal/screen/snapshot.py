"""The bytes that make a fresh (or reset) xterm.js show what the model holds.

Scrollback and the normal screen are written as *logical lines*: the rows of a wrapped line go
out as one run of text, so xterm.js wraps them at its own width (a viewer of another width gets
every line, re-wrapped, as xterm.js's reflow would). At the model's width the result is the
same cells. The cursor is put where the output leaves it whenever it can be (then it is right
at any width); the alternate screen is drawn row by row at absolute positions, since full-screen
programs redraw on a size change anyway.
"""

from __future__ import annotations

import re

from . import pens
from .buffer import Saved
from .modes import STICKY_MODES
from .rows import DEFAULT_ATTR, WIDE, Row, full_attrs
from .terminal import Terminal

_RUNS = re.compile(r"(.)\1*", re.DOTALL)


def _trimmed(row: Row) -> tuple[str, str]:
    """Text and attributes without trailing default blanks."""
    t = row[0]
    a = full_attrs(row[1], len(t))
    end = len(t)
    while end and t[end - 1] == " " and a[end - 1] == DEFAULT_ATTR:
        end -= 1
    return t[:end], a[:end]


def _cells(row: Row, cols: int, continued: bool, wrapped_onto: bool) -> tuple[str, str]:
    """The text and pens to draw of ``row``: up to the edge when the next row continues it (the
    wrap onto that row is what sets its wrapped flag), else without trailing default blanks; a
    blank row wrapped onto gets one blank, which makes the wrap."""
    if continued:
        tx = row[0] + " " * (-len(row[0]) % cols or (0 if row[0] else cols))
        return tx, full_attrs(row[1], len(tx))
    tx, at = _trimmed(row)
    return (" ", DEFAULT_ATTR) if wrapped_onto and not tx else (tx, at)


def _draw(t: str, a: str, out: list[str], pen: int) -> int:
    """Append the escape-coded cells; return the pen in effect after them."""
    if not a.strip(a[:1]):  # one pen for the whole run: the common case
        runs = [(0, len(t))] if t else []
    else:
        runs = [m.span() for m in _RUNS.finditer(a)]
    for start, end in runs:
        p = ord(a[start])
        if p != pen:
            out.append(pens.select(p, pen))
            pen = p
        out.append(t[start:end].replace(WIDE, ""))
    return pen


def history_tail(t: Terminal, count: int) -> list[Row]:
    """The last ``count`` rows of scrollback (an entry longer than the width is several rows)."""
    out: list[Row] = []
    got = 0
    cols = t.cols
    for row in reversed(t.main.history or ()):
        if got >= count:
            break
        n = max(1, -(-len(row[0]) // cols))
        if got + n > count:
            cut = (n - (count - got)) * cols
            out.append([row[0][cut:], row[1][cut:], True])
            break
        out.append(row)
        got += n
    out.reverse()
    return out


def _main(t: Terminal, scrollback: int, cursor: tuple[int, int], out: list[str]) -> None:
    """History tail and normal screen as logical lines; leave the cursor at ``cursor``."""
    buf = t.main
    history = history_tail(t, scrollback) if scrollback > 0 else []
    screen = buf.rows
    cx, cy = cursor
    content = [
        y for y in range(t.rows) if screen[y][0].strip(" ") or screen[y][1].strip(DEFAULT_ATTR)
    ]
    last = max(content[-1] if content else 0, cy)
    # With scrollback above, every screen row is written so that row 0 lands on row 0.
    end = t.rows - 1 if history else last
    below_blank = last == cy and (cy + 1 >= t.rows or not screen[cy + 1][2])
    natural = below_blank  # the cursor row is written last: the text leaves the cursor there
    rows = history + screen[: (cy if natural else end) + 1]
    pen = 0
    drawn = 0  # cells written on the last row
    for i, row in enumerate(rows):
        cont = i + 1 < len(rows) and rows[i + 1][2]
        tx, at = _cells(row, t.cols, cont, bool(i and row[2]))
        if natural and i == len(rows) - 1 and len(tx) < cx:
            tx += " " * (cx - len(tx))
            at += DEFAULT_ATTR * (cx - len(at))
        pen = _draw(tx, at, out, pen)
        drawn = len(tx)
        if row[2] and i and len(tx) < t.cols and at and pens.erase_pen(ord(at[0])):
            # The wrap onto this row scrolled the screen with a background pen, which fills the
            # new row: its cells past the text are blanked in the default pen again.
            out.append(pens.reset(pen) + "\x1b[K")
            pen = 0
        if i + 1 < len(rows) and not cont:
            if pen:
                out.append(pens.reset(pen))
                pen = 0
            out.append("\r\n")
    if pen:
        out.append(pens.reset(pen))
    if natural:
        if len(rows) > len(history) and rows and drawn > cx:
            out.append(f"\x1b[{cx + 1}G")  # text right of the cursor: same width only
        down = end - cy
        if down > 0:
            # LF keeps the column, CUU comes back: blank rows below, cursor kept, any width.
            out.append("\n" * down + f"\x1b[{down}A")
            if cx >= t.cols:  # those moves ended the wrap pending at the end of the text
                out.append(_wrap_pending(screen[cy], t.cols))
    else:
        up = end - cy
        if up > 0:
            out.append(f"\x1b[{up}A")
        out.append(f"\x1b[{min(cx, t.cols - 1) + 1}G")
        if cx >= t.cols:
            out.append(_wrap_pending(screen[cy], t.cols))


def _wrap_pending(row: Row, cols: int) -> str:
    """From the last column, the cursor back in its pending-wrap state (the next character goes
    on the next row): the row's last character written again (a wide one from a BS before it:
    in origin mode xterm.js would move a CHA's row)."""
    text, attrs = row[0], full_attrs(row[1], len(row[0]))
    if len(text) != cols:
        return ""
    if text[-1] != WIDE:
        p = ord(attrs[-1])
        return f"{pens.select(p, 0)}{text[-1]}{pens.reset(p)}"
    if cols > 1:  # a wide character in the last two columns
        p = ord(attrs[-2])
        return f"\b{pens.select(p, 0)}{text[-2]}{pens.reset(p)}"
    return ""


def cursor_row(t: Terminal) -> str:
    """The cursor's row up to the cursor, drawn from column 0 (then the pen in effect): after a
    notice written below a prompt, the prompt again, with the cursor where the shell left it."""
    row = t.buf.rows[t.y]
    x = min(t.x, t.cols)
    text, attrs = row[0][:x], full_attrs(row[1], len(row[0]))[:x]
    out: list[str] = []
    pen = _draw(text, attrs, out, 0)
    if pen:
        out.append(pens.reset(pen))
    if len(text) < x:  # blanks up to the cursor
        out.append(" " * (x - len(text)))
    out.append(pens.select(t.pen, 0) if t.pen else "")
    return "".join(out)


def _move(dy: int) -> str:
    return f"\x1b[{dy}B" if dy > 0 else f"\x1b[{-dy}A" if dy < 0 else ""


def _charsets(t: Terminal) -> str:
    """The sequences that designate G0 and G1, shift to G1 and put the charset in use in use,
    from a fresh terminal's state."""
    level = int(t.shift_out)
    charsets = list(t.charsets)
    # After a DECRC the set in use may differ from the designated one, which no sequence but
    # DECRC sets apart: the set in use is designated (what is printed next shows the same).
    charsets[level] = t.gl
    designated = f"\x1b({charsets[0]}\x1b){charsets[1]}" if charsets != ["B", "B"] else ""
    return designated + ("\x0e" if t.shift_out else "")


def _save(saved: Saved | None) -> str:
    """DECSC of the saved slot ``saved`` at the cursor: with its pen and the charset in use
    (DECRC, and leaving the alternate screen, bring them back), then a fresh one's again."""
    if saved is None:
        return f"{pens.sgr(0)}\x1b7\x1b[0m"
    _, _, pen, gl = saved
    chosen, undone = (f"\x1b({gl}", "\x1b(B") if gl != "B" else ("", "")
    return f"{pens.sgr(pen)}{chosen}\x1b7\x1b[0m{undone}"


def _saved_cursor(t: Terminal, out: list[str], cursor: tuple[int, int], margins: bool) -> None:
    """Fill the normal screen's DECSC slot: go there, save, come back to ``cursor``; absolute
    moves when ``margins`` are set (relative ones would stop at them)."""
    sx, sy = t.main.saved[:2] if t.main.saved is not None else (0, 0)
    cx, cy = cursor
    if margins:
        there, back = f"\x1b[{sy + 1}d", f"\x1b[{cy + 1}d"
    else:
        there, back = _move(sy - cy), _move(cy - sy)
    out.append(f"{there}\x1b[{min(sx, t.cols - 1) + 1}G{_save(t.main.saved)}")
    out.append(f"{back}\x1b[{min(cx, t.cols - 1) + 1}G")
    if cx >= t.cols:
        out.append(_wrap_pending(t.main.rows[cy], t.cols))


def _tab_stops(tabs: set[int] | None) -> str:
    """Tab stops set apart from the default ones (every 8 columns), from column 0 of a row."""
    if tabs is None:
        return ""
    return "\x1b[3g" + "".join(f"\x1b[{x + 1}G\x1bH" for x in sorted(tabs)) + "\r"


def _margins(top: int, bottom: int, rows: int) -> str:
    return f"\x1b[{top + 1};{bottom + 1}r" if (top, bottom) != (0, rows - 1) else ""


def _alternate(t: Terminal, out: list[str], margins: str, cursor: tuple[int, int]) -> None:
    """The normal screen's margins and saved cursor, then the alternate screen from ``cursor``
    (the normal screen's)."""
    top, bottom, _ = t.main_layout
    main_margins = _margins(top, bottom, t.rows)
    if main_margins:
        out.append(f"\x1b7{main_margins}\x1b8")
    if t.alt_mode == 1049:
        # 1049 saves the cursor itself: with the pen and charset the slot holds (the pen whose
        # background xterm.js fills the new screen with, as at the program's own 1049).
        _, _, pen, gl = t.main.saved or (0, 0, 0, "B")
        chosen, undone = (f"\x1b({gl}", "\x1b(B") if gl != "B" else ("", "")
        out.append(f"{pens.select(pen, 0) if pen else ''}{chosen}\x1b[?1049h")
        out.append(f"{pens.reset(pen) if pen else ''}{undone}")
    else:
        if main_margins or t.main.saved is not None:
            _saved_cursor(t, out, cursor, bool(main_margins))
        out.append(f"\x1b[?{t.alt_mode}h")
    # Blank in the default pen: the rows the model holds in another one are drawn below.
    out.append(f"\x1b[H\x1b[2J{_tab_stops(t.tabs)}")
    pen = 0
    rows = t.alt.rows
    for y, row in enumerate(rows):
        # A row wrapped onto goes on from the row above, drawn up to the edge.
        wrapped_onto = bool(y and row[2])
        tx, at = _cells(row, t.cols, y + 1 < len(rows) and rows[y + 1][2], wrapped_onto)
        if tx and not wrapped_onto:
            out.append(f"\x1b[{y + 1};1H")
        pen = _draw(tx, at, out, pen)
    out.append(pens.reset(pen) + margins)
    saved = t.alt.saved
    if saved is not None:
        out.append(f"\x1b[{saved[1] + 1};{min(saved[0], t.cols - 1) + 1}H{_save(saved)}")
    out.append(f"\x1b[{t.y + 1};{min(t.x, t.cols - 1) + 1}H")
    if t.x >= t.cols:
        out.append(_wrap_pending(t.alt.rows[t.y], t.cols))


def snapshot(t: Terminal, scrollback: int) -> str:
    """Everything a viewer needs, starting with a full reset (RIS) of whatever it showed."""
    out = ["\x1bc", _tab_stops(t.main_layout[2] if t.in_alternate else t.tabs)]
    # Under a full-screen program, the shell's cursor is where leaving it (1049) puts it back.
    main_cursor = (t.alt_return or (0, 0)) if t.in_alternate else (t.x, t.y)
    _main(t, scrollback, main_cursor, out)
    margins = _margins(t.top, t.bottom, t.rows)
    if t.in_alternate:
        # Absolute positions there: DECSTBM homing the cursor is harmless.
        _alternate(t, out, margins, main_cursor)
    else:
        if margins:
            out.append(f"\x1b7{margins}\x1b8")
        if margins or t.main.saved is not None:
            # Also undoes what the ESC 7 above left in the slot.
            _saved_cursor(t, out, main_cursor, bool(margins))
    if 6 in t.modes:  # origin mode homes the cursor: place it again, relative to the margin
        out.append(f"\x1b[?6h\x1b[{t.y - t.top + 1};{min(t.x, t.cols - 1) + 1}H")
        if t.x >= t.cols:
            out.append(_wrap_pending(t.buf.rows[t.y], t.cols))
    if 7 not in t.modes:
        out.append("\x1b[?7l")
    for mode in STICKY_MODES:
        default = mode == 25
        if (mode in t.modes) != default:
            out.append(f"\x1b[?{mode}{'h' if mode in t.modes else 'l'}")
    if t.insert:
        out.append("\x1b[4h")
    if t.newline_mode:
        out.append("\x1b[20h")
    if t.keypad:
        out.append("\x1b=")
    if t.cursor_style:
        out.append(f"\x1b[{t.cursor_style} q")
    out.append(_charsets(t))
    if t.title:
        out.append(f"\x1b]2;{t.title}\x07")
    if t.pen:
        out.append(pens.select(t.pen, 0))
    # Output cut inside an escape sequence: the viewer gets its start, so that the rest of it,
    # which comes next, completes it there too instead of showing as text.
    out.append(t.partial)
    return "".join(out)
