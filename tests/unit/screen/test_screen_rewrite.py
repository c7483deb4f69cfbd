"""Redraws of the cursor's row that a later ``CR EL 2`` erases, skipped up to it
(``rewrite.skip``), give the same state as applying them one by one, and are only skipped where
that holds."""

from __future__ import annotations

import pytest
from real_output import REDRAWS
from screen_state import cells
from test_screen_chunks import EDGES
from test_screen_overlay import same_either_way, taken

from jupyter_ci_terminal.screen import ScreenModel, rewrite

#: (output after the overlay tests' BEFORE: old text right of the redraws, whether the redraws after its first CR are skipped)
CASES = {
    "bars_then_a_log_line": (
        "\r\x1b[2K\x1b[34mt\x1b[0m \x1b[35m━━\x1b[0m 1\r\x1b[2K\x1b[34mt\x1b[0m \x1b[35m━━━\x1b[0m 2"
        + "\r\x1b[2Kstep \x1b[1;36m2\x1b[0m: ok\r\n\x1b[34mt\x1b[0m 2\r\x1b[2K\x1b[34mt\x1b[0m 3",
        True,
    ),
    "pen_left_set_by_a_skipped_redraw": ("\r\x1b[2K\x1b[1ma\r\x1b[2K\x1b[33mb\r\x1b[2Kc\r\n", True),
    "pen_set_after_a_reset": ("\r\x1b[2K\x1b[0m\x1b[1;4ma\x1b[m\x1b[32mb\r\x1b[2Kc\r\n", True),
    "no_line_end_in_reach": ("\r\x1b[2Ka\r\x1b[2Kb", False),  # a flood: for the flood skip
    "background_left_set_for_the_erase": ("\r\x1b[2K\x1b[44ma\r\x1b[2Kbc\r\n\x1b[0m", True),
    "erase_to_the_end_and_to_the_cursor": ("\rabc\x1b[K\x1b[1Kd\r\x1b[2Ke\r\n", True),
    "exactly_the_width": ("\r\x1b[2K" + "w" * 20 + "\r\x1b[2K" + "v" * 19 + "\r\n", True),
    "a_redraw_wider_than_the_screen": ("\r\x1b[2K" + "w" * 21 + "\r\x1b[2Kx\r\n", False),
    "a_wide_character": ("\r\x1b[2K表 1\r\x1b[2K表 2\r\n", False),
    "a_combining_mark": ("\r\x1b[2Ke\u0301 1\r\x1b[2Ke\u0301 2\r\n", False),
    "a_c1_control": ("\r\x1b[2Ka\x85b\r\x1b[2Kc\r\n", False),
    "a_tab": ("\r\x1b[2Ka\tb\r\x1b[2Kc\r\n", False),
    "a_cursor_move": ("\r\x1b[2Ka\x1b[3Cb\r\x1b[2Kc\r\n", False),
    "colon_sgr_parameters": ("\r\x1b[2K\x1b[38:5:1ma\r\x1b[2Kb\r\n", False),
    "a_line_end_before_the_erase": ("\r\x1b[2Ka\r\n\x1b[2Kb", False),
    "no_erase_after_cr": ("\r\x1b[2Ka\r\x1b[Kb\r\n", False),
    "log_line_followed_by_another_cr": ("\r\x1b[2Ka\r\x1b[2Kb\rc\r\n", True),
    "non_ascii_log_line": ("\r\x1b[2Ka\r\x1b[2K\x1b[1mé\x1b[0m ok\r\n", True),
    # Log lines collected and applied as one block, over the old rows below the cursor.
    "log_lines_over_old_rows": (
        "\r\x1b[2Ka\x1b[0m\r\x1b[2Kl1\r\nb\x1b[0m\r\x1b[2Kl2\r\nc\x1b[0m\r\x1b[2Kl3\r\nd",
        True,
    ),
    "a_log_line_turning_insert_mode_on": (
        "\r\x1b[2Ka\x1b[0m\r\x1b[2Kl1\x1b[4h\r\nbb\x1b[0m\r\x1b[2Kl2\r\nxy\x1b[4l",
        True,
    ),
    "a_log_line_with_a_cursor_move": (
        "\r\x1b[2Ka\x1b[0m\r\x1b[2Kl1\x1b[2Cx\r\nb\x1b[0m\r\x1b[2Kl2\r\n",
        True,
    ),
    "a_log_line_with_an_lf_alone": (
        "\r\x1b[2Ka\x1b[0m\r\x1b[2Kl1\nx\r\nb\x1b[0m\r\x1b[2Kl2\r\n",
        True,
    ),
    "a_log_line_wider_than_the_screen": (
        "\r\x1b[2Ka\x1b[0m\r\x1b[2K" + "w" * 25 + "\r\nb\x1b[0m\r\x1b[2Kl2\r\n",
        True,
    ),
    "a_redraw_without_a_reset_after_a_log_line": (
        "\r\x1b[2Ka\x1b[0m\r\x1b[2K\x1b[1ml1\r\nb\r\x1b[2Kl2\r\n\x1b[0m",
        True,
    ),
    "a_log_line_leaving_a_background_colour": (
        "\r\x1b[2Ka\x1b[0m\r\x1b[2K\x1b[44ml1\r\nb\x1b[0m\r\x1b[2Kl2\r\n",
        True,
    ),
    # Stretches of repeated redraws: the first checked, the second from the remembered widths
    # but with a new redraw that does not qualify: the first is skipped, the second is not.
    "known_redraws_then_a_wide_character": (
        "\r\x1b[2K\x1b[1ma\x1b[0m\r\x1b[2K\x1b[1ma\x1b[0m\r\x1b[2Kl1\r\n"
        + "\x1b[1ma\x1b[0m\r\x1b[2K\x1b[1ma\x1b[0m\r\x1b[2K\x1b[1ma\x1b[0m\r\x1b[2K表"
        + "\r\x1b[2Kl2\r\n",
        True,
    ),
    "known_redraws_then_one_too_wide": (
        "\r\x1b[2Kab\x1b[0m\r\x1b[2Kab\x1b[0m\r\x1b[2Kl1\r\nab\x1b[0m\r\x1b[2Kab\x1b[0m"
        + "\r\x1b[2Kab\x1b[0m\r\x1b[2K"
        + "w" * 21
        + "\r\x1b[2Kl2\r\n",
        True,
    ),
    "in_insert_mode": ("\x1b[4h\r\x1b[2Kabc\r\x1b[2Kd\r\n\x1b[4l", False),
    "autowrap_off": ("\x1b[?7l\r\x1b[2Kabc\r\x1b[2Kd\r\n\x1b[?7h", False),
    "under_a_background_colour": ("\x1b[44m\r\x1b[2Ka\r\x1b[2Kb\r\n\x1b[0m", False),
    "line_drawing_charset": ("\x1b(0\r\x1b[2Kqq\r\x1b[2Kx\r\n\x1b(B", False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_redraws_skipped_up_to_the_last_erase_are_the_same(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    same_either_way(CASES[name][0], monkeypatch, "rewrite.skip")


@pytest.mark.parametrize("name", list(CASES))
def test_only_text_and_row_sequences_that_fit_are_skipped(name: str) -> None:
    output, expected = CASES[name]
    assert taken(output, rewrite.skip) == expected


def test_a_redraw_that_does_not_fit_after_the_cursor_is_not_skipped() -> None:
    model = ScreenModel(5, 20, history=1000)
    t = model.term
    t.feed("x" * 15)
    assert rewrite.skip(t, "abcdef\r\x1b[2Kz\r\n", 0) == 0
    assert rewrite.skip(t, "abcde\r\x1b[2Kz\r\n", 0) > 0


def test_a_known_redraw_that_does_not_fit_after_the_cursor_is_not_skipped() -> None:
    model = ScreenModel(5, 20, history=1000)
    t = model.term
    redraws = "abcdef\rabcdef\r\x1b[2Kz\r\n"
    assert rewrite.skip(t, redraws, 0) > 0  # its width is remembered
    t.feed("\r\n" + "x" * 15)
    assert rewrite.skip(t, redraws, 0) == 0


@pytest.mark.parametrize("seen", [1, 300, rewrite.SEEN])
@pytest.mark.parametrize(
    "output",
    [
        REDRAWS["rich_bar_fitting_the_width"],
        EDGES["redraws_erased_before_each_log_line"],
        EDGES["known_redraws_among_new_ones"],
    ],
)
def test_redraws_remembered_or_forgotten_give_the_same_cells(
    output: str, seen: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # However few redraws a terminal remembers, the result is that of applying them all.
    monkeypatch.setattr(rewrite, "SEEN", seen)
    model = ScreenModel(5, 20, history=1000)
    for k in range(0, len(output), 997):
        model.feed(output[k : k + 997])
    assert model.term.seen.chars <= max(seen, rewrite.REACH)
    monkeypatch.setattr("jupyter_ci_terminal.screen.rewrite.skip", lambda t, data, i: i)
    applied = ScreenModel(5, 20, history=1000)
    applied.feed(output)
    assert cells(model) == cells(applied)
    assert model.term.pen == applied.term.pen
