"""Helpers for the screen model tests: the state a viewer sees, comparable cell for cell."""

from __future__ import annotations

from typing import Any

import pyte

from jupyter_ci_terminal.screen import ScreenModel
from jupyter_ci_terminal.screen.rows import DEFAULT_ATTR, full_attrs


def _row(row: list[Any], cols: int) -> tuple[str, str]:
    text = row[0] + " " * (cols - len(row[0]) % cols if len(row[0]) % cols or not row[0] else 0)
    return _blanks_cut(text, full_attrs(row[1], len(text)))


def _blanks_cut(text: str, attrs: str) -> tuple[str, str]:
    """Trailing blank cells of the default pen left out (they show nothing)."""
    end = len(text)
    while end and text[end - 1] == " " and attrs[end - 1] == DEFAULT_ATTR:
        end -= 1
    return text[:end], attrs[:end]


def cells(model: ScreenModel, scrollback: int = 1000) -> dict[str, Any]:
    """Screen rows and the scrollback tail (text and pens per cell), cursor, modes."""
    t = model.term
    hist: list[tuple[str, str]] = []
    for row in t.main.history or ():
        text, attrs = _row(row, t.cols)
        for k in range(0, max(len(row[0]), 1), t.cols):
            # Per row: an entry kept whole (several rows) has blanks at the end of inner rows.
            hist.append(_blanks_cut(text[k : k + t.cols], attrs[k : k + t.cols]))
    state: dict[str, Any] = {
        "screen": [_row(r, t.cols) for r in t.buf.rows],
        "history": hist[-scrollback:] if scrollback else [],
        "cursor": (min(t.x, t.cols - 1), t.y),
        "alternate": t.in_alternate,
        "modes": sorted(t.modes),
        "pen": t.pen,
        "margins": (t.top, t.bottom),
    }
    if t.in_alternate:
        state["main"] = [_row(r, t.cols) for r in t.main.rows]
    return state


def text_of(model: ScreenModel) -> list[str]:
    """Every line of scrollback and screen, wrapped rows joined (what a reflow must keep).

    Blanks are left out: where a wide character did not fit at the end of a row, the row ends
    in a blank at one width and not at another.
    """
    t = model.term
    lines: list[str] = []
    for row in [*(t.main.history or ()), *t.main.rows]:
        text = row[0].replace("\x00", "").replace(" ", "")
        if row[2] and lines:
            lines[-1] += text
        else:
            lines.append(text)
    while lines and not lines[-1]:
        lines.pop()  # blank rows below the output are no line
    return lines


def pyte_view(data: str, rows: int, cols: int) -> tuple[list[str], list[str], tuple[int, int]]:
    """pyte's screen, scrollback and cursor after ``data`` (the oracle)."""
    screen = pyte.HistoryScreen(cols, rows, history=100_000, ratio=0.5)
    pyte.Stream(screen).feed(data)
    history = ["".join(line[x].data for x in range(cols)).rstrip() for line in screen.history.top]
    return list(screen.display), history, (screen.cursor.x, screen.cursor.y)


def feed_in_chunks(model: ScreenModel, data: str, size: int) -> None:
    """Feed ``data`` in pieces of ``size`` characters (splitting sequences anywhere)."""
    for k in range(0, len(data), size):
        model.feed(data[k : k + size])
