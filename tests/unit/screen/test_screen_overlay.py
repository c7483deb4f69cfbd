"""A bar's updates up to a line end (or the end of the output) applied as the row they leave
(``overlay.line``), and blocks of such lines (``overlay.block``), give the same state as
applying them one by one, and are only taken where that holds."""

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
    # At the end of the output (the bar's last updates before more output arrives).
    "no_line_end": ("\ra\rb\rc", True),
    "no_line_end_a_cr_last": ("\rabc\rd\r", True),
    "no_line_end_wider_than_the_screen": ("\ra\r" + "w" * 21, False),
    "no_line_end_an_escape_sequence_later": ("\ra\rb\x1b[1mc", False),
    "no_line_end_a_wide_character_later": ("\ra\rb表", False),
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


def same_either_way(output: str, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    """The bulk ``path`` leaves the same cells and pen as output applied without it."""
    bulk = applied(output, True, monkeypatch, path)
    one_by_one = applied(output, False, monkeypatch, path)
    assert cells(bulk) == cells(one_by_one)
    assert bulk.term.pen == one_by_one.term.pen


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
    same_either_way(CASES[name][0], monkeypatch, "overlay.line")


@pytest.mark.parametrize("name", list(CASES))
def test_only_cr_separated_text_a_cell_wide_is_taken(name: str) -> None:
    output, expected = CASES[name]
    assert taken(output, overlay.line) == expected


#: (output after BEFORE, whether ``overlay.block`` takes lines from its first CR's line on);
#: most go down a row first, off the row BEFORE's first line continues on.
BLOCK_CASES = {
    "bar_then_log_lines": ("\x1b[B\r10%\r20%\r    \rlog 1\r\n\r30%\r    \rlog 2\r\n\r40%", True),
    "plain_lines_after_the_first": ("\x1b[B\rab\rc\r\nline 2\r\nline 3\r\n\x1b[1mx", True),
    "lines_over_old_rows_and_scrolling": ("\x1b[B\r1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n7\r\n", True),
    "empty_lines": ("\x1b[B\r\r\n\r\n\rx\r\n", True),
    "a_line_wider_than_the_screen_after_two": ("\x1b[B\ra\r\nb\r\n" + "w" * 21 + "\r\nc\r\n", True),
    "a_line_wider_than_the_screen_first": ("\x1b[B\r" + "w" * 21 + "\r\nc\r\n", False),
    "exactly_the_width": (
        "\x1b[B\r" + "w" * 20 + "\r" + "v" * 5 + "\r\n" + "u" * 20 + "\r\n",
        True,
    ),
    "narrow_blocks": ("\x1b[B\r 12%|█▌  |\r\nlog\r\n\r 13%|█▋  |\r\n", True),
    "a_wide_character_in_a_later_line": ("\x1b[B\ra\r\nb表\r\n", False),
    "a_tab_in_a_later_line": ("\x1b[B\ra\r\nb\tc\r\n", False),
    "an_lf_alone_in_a_later_line": ("\x1b[B\ra\r\nb\nc\r\n", False),
    "a_c1_control": ("\x1b[B\ra\r\nb\x85\r\n", False),
    "a_combining_mark": ("\x1b[B\ra\r\ne\u0301\r\n", False),
    "pen_carried_in": ("\x1b[B\x1b[1m\rabc\rd\r\nef\r\n\x1b[0m", True),
    "under_a_background_colour": ("\x1b[B\x1b[44m\ra\r\nbc\r\n\x1b[0m", False),
    "in_insert_mode": ("\x1b[B\x1b[4h\rabc\r\nd\r\n\x1b[4l", False),
    "on_a_continued_row": ("\x1b[3B" + "z" * 23 + "\rab\r\n", False),
    # The rows are each line's last piece over the one before unless a piece before those is
    # longer than both (in any line of the block, whatever the others' widths).
    "longest_piece_last_or_before_last": ("\x1b[B\rab\rabcd\rxy\r\nab\rabc\r\n", True),
    "longest_piece_first_in_a_later_line": ("\x1b[B\rab\rxy\r\nabcdefgh\rxyz\rab\r\n", True),
    "longest_first_next_to_a_wider_line": (
        "\x1b[B\rabcdefgh\rxyz\rab\r\n12345678\rq\r\n",
        True,
    ),
    "a_line_wider_than_the_screen_after_a_longest_first": (
        "\x1b[B\rabcdefgh\rxy\r\n" + "w" * 21 + "\r\nc\r\n",
        True,
    ),
    "every_line_wider_than_the_screen": ("\x1b[B\r" + "w" * 21 + "\r\n" + "v" * 21 + "\r\n", False),
    "a_del_in_a_later_line": ("\x1b[B\ra\r\nb\x7fc\r\n", False),
}


@pytest.mark.parametrize("name", list(BLOCK_CASES))
def test_blocks_of_lines_applied_at_once_are_the_same(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    same_either_way(BLOCK_CASES[name][0], monkeypatch, "overlay.block")


@pytest.mark.parametrize("name", list(BLOCK_CASES))
def test_only_lines_of_text_a_cell_wide_are_taken_as_blocks(name: str) -> None:
    output, expected = BLOCK_CASES[name]
    assert taken(output, overlay.block) == expected
