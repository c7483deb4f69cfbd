"""A bar's updates up to a line end applied as the row they leave (``overlay.line``) give the
same state as applying them one by one, and are only taken where that holds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from screen_state import cells

from jupyter_ci_terminal.screen import ScreenModel, overlay
from jupyter_ci_terminal.screen.terminal import Terminal

BEFORE = "old text that is long\r\nrow\r\n\x1b[2A"  # old text right of the updates
#: (output after BEFORE, whether the overlay takes its first CR's line)
CASES = {
    "same_lengths": ("\r10%\r20%\r30%\r\n", True),
    "longest_in_the_middle": ("\rab\rabcdefgh\rabcd\rxy\r\n", True),
    "longest_first": ("\rabcdefgh\rab\rabcd\r\n", True),
    "cleared_with_spaces_then_a_log_line": ("\r50%|##  |\r          \rstep 5: ok\r\n", True),
    "an_empty_piece_last": ("\rabc\r\r\n", True),
    "exactly_the_width": ("\r" + "w" * 20 + "\r" + "v" * 20 + "\r\n", True),
    "narrow_blocks": ("\r 12%|█▌  |\r 13%|█▋  |\r\n", True),
    "wider_than_the_screen": ("\r" + "w" * 21 + "\rx\r\n", False),
    "a_wide_character": ("\r表 1\r表 2\r\n", False),
    "a_combining_mark": ("\re\u0301 1\re\u0301 2\r\n", False),
    "a_tab": ("\ra\tb\rc\r\n", False),
    "a_backspace": ("\rab\bc\rd\r\n", False),
    "an_escape_sequence": ("\r\x1b[1ma\x1b[0m\rb\r\n", False),
    "a_c1_control": ("\ra\x85b\rc\r\n", False),
    "no_line_end": ("\ra\rb\rc", False),
    "under_a_background_colour": ("\x1b[44m\ra\rbc\r\n\x1b[0m", False),
    "in_insert_mode": ("\x1b[4h\rabc\rd\r\n\x1b[4l", False),
    "pen_carried_in": ("\x1b[1m\rabc\rd\r\n\x1b[0m", True),
}


def applied(
    output: str, bulk: bool, monkeypatch: pytest.MonkeyPatch, path: str = "overlay.line"
) -> ScreenModel:
    """The model after BEFORE and ``output``, with the bulk ``path`` (a function of
    ``jupyter_ci_terminal.screen``) or without it."""
    if not bulk:
        monkeypatch.setattr(f"jupyter_ci_terminal.screen.{path}", lambda t, data, i: i)
    model = ScreenModel(5, 20, history=1000)
    model.feed(BEFORE + output + "after")
    monkeypatch.undo()
    return model


def taken(output: str, path: Callable[[Terminal, str, int], int]) -> bool:
    """Whether ``path`` applies anything after the first CR of ``output`` (after BEFORE)."""
    model = ScreenModel(5, 20, history=1000)
    model.feed(BEFORE)
    t = model.term
    prefix = output[: output.index("\r")]
    if prefix:
        t.feed(prefix)
    t.x = 0
    start = output.index("\r") + 1
    return path(t, output, start) != start


@pytest.mark.parametrize("name", list(CASES))
def test_updates_up_to_a_line_end_applied_at_once_are_the_same(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    output, _ = CASES[name]
    assert cells(applied(output, True, monkeypatch)) == cells(applied(output, False, monkeypatch))


@pytest.mark.parametrize("name", list(CASES))
def test_only_cr_separated_text_a_cell_wide_is_taken(name: str) -> None:
    output, expected = CASES[name]
    assert taken(output, overlay.line) == expected
