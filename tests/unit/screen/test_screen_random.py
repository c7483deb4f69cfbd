"""Random output against the real xterm.js: a viewer that reloads must show what one that stayed
shows, for streams no fixture was written for (``random_streams.py``), and for the differences
such streams found (each kept below, shrunk to what shows it)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from random_streams import chunks, stream
from test_screen_xterm import xterm, xterm_needed

from jupyter_ci_terminal.screen import ScreenModel

pytestmark = xterm_needed

#: rows, cols, the output, and what the program prints after the reload.
FOUND: dict[str, tuple[int, int, str, str]] = {
    "wrapped_rows_on_the_alternate_screen": (3, 10, "\x1b[?1049herror: ~/x €", ""),
    "soft_reset_keeps_the_mouse_protocol": (5, 20, "\x1b[?1000h\x1b[?1006h\x1b[!p", ""),
    "the_last_mouse_protocol_set_wins": (5, 20, "\x1b[?1002h\x1b[?1000h", ""),
    "resetting_a_mouse_protocol_turns_reports_off": (
        5,
        20,
        "\x1b[?1000h\x1b[?1002h\x1b[?1000l",
        "",
    ),
    "mode_1048_saves_the_cursor": (
        5,
        20,
        "\x1b[3;5H\x1b[4;38;2;128;92;194m\x1b[?1048h\x1b[0m\x1b[H",
        "\x1b[?1048lsaved pen",
    ),
    "scroll_down_leaves_default_blanks": (7, 13, "\x1b[48;2;78;207;165mab\x1b[T", ""),
    "no_forward_tab_with_a_wrap_pending": (7, 13, "\x1b[5;10Herror: ~/x error:\x1b[I", "x"),
    "no_tab_with_a_wrap_pending": (5, 20, "x" * 20 + "\t", "y"),
    "no_backward_tab_with_a_wrap_pending": (5, 20, "x" * 20 + "\x1b[Z", "y"),
    "delete_chars_fill_only_the_cells_pulled_in": (5, 20, "ab\x1b[102m\x1b[1;1H\x1b[P", ""),
    "restore_without_save_keeps_the_g1_designation": (
        10,
        40,
        "\x1b)0\x1b[?1048l\x0e======= a.c:12:",
        "",
    ),
    "restore_brings_back_the_charset_in_use": (5, 20, "\x1b(0\x1b7\x1b(B\x1b8qq", "qq"),
    "restore_keeps_origin_mode": (5, 20, "\x1b[?6h\x1b[?1048l", "\x1b[3;1Hx"),
    "repeat_a_wide_character": (10, 40, "€ 日本\x1b[31b", ""),
    "no_repeat_after_a_control": (7, 13, "€ build ─ │\x08\x1b[3b", ""),
    "no_repeat_after_a_repeat": (5, 20, "ab\x1b[2b\x1b[2b", ""),
    "wrap_in_a_region_with_a_background": (
        3,
        10,
        "\x1b[1;2r日本 ~/x✓ ~/x build 語\r\n\x1b[38;5;17;40m\x1b[;7Hbuild ✓",
        "",
    ),
    "cursor_down_from_above_the_region_stops_at_its_bottom": (10, 40, "\x1b[2;4r\x1b[12B", "x"),
    "vertical_position_relative_ignores_the_margins": (10, 40, "\x1b[2;4r\x1b[2;1H\x1b[9e", "x"),
    "next_line_keeps_the_wrapped_flag": (3, 10, "4" * 22 + "\x1b[2;f\x1bE", ""),
    "margins_are_kept_per_screen": (
        7,
        13,
        "\x1b[?1049h\x1b[5;6r\x1b[?1049l",
        "".join(f"line {i}\r\n" for i in range(9)),
    ),
    "tab_stops_are_restored": (5, 20, "\x1b[3g  \x1bH\r\n", "A\tB"),
    "alternate_screen_tab_stops_are_its_own": (5, 20, "\x1b[3g\x1b[?1049h\x1b[5G\x1bH\r", "\tA"),
    "normal_screen_slot_under_the_alternate_screen": (
        3,
        10,
        "\x1b[48;2;203;204;234m\x1b[s\x1b[?1047h",
        "\x1b[?1049l\x1b[10C~/x ✓ 語 日本",
    ),
    "autowrap_off_at_the_edge_on_the_alternate_screen": (
        10,
        40,
        "\x1b[?1047h\x1b[?7l" + "4" * 70,
        "",
    ),
    "autowrap_off_at_the_edge_above_blank_rows": (
        7,
        13,
        "z" * 27 + "\r\n\r\n\x1b[0Ia.c:12: error: │\x0b444\x1b[u\x1b[?7lbuild ─ =======\x1b[J",
        "",
    ),
    "alternate_screen_filled_then_erased_in_the_default_pen": (
        10,
        40,
        "\x1b[92;0;48;2;244;129;70m\x1b[?1049h\x1b[?1048l\x1b[2K",
        "",
    ),
    "a_blank_wrapped_row": (
        10,
        40,
        "\x1b[11;41f\x1b]8;id=1;https://e.x/b\x1b\\lk\x1b]8;;\x1b\\\x1b[1K\r\n",
        "",
    ),
    "writing_over_half_a_wide_character": (3, 10, "~/x 日本\x08\x1b[48;5;206m✓ a", ""),
    "deleting_the_left_half_of_a_wide_character": (3, 10, "日本 €\r\x1b[P", ""),
    "deleting_the_right_half_of_a_wide_character": (3, 10, "日本 €\x1b[1;2H\x1b[P", ""),
    "inserting_pushes_a_wide_character_past_the_edge": (3, 10, "abcdefgh日\x1b[1;1H\x1b[@", ""),
    # xterm.js counts the row a relative or column-only move starts from from the region's top
    # in origin mode (so the cursor moves down by the top margin): viewers do.
    "relative_moves_in_origin_mode": (3, 10, "\x1b[2;3r\x1b[?6h\x1b[C", "x"),
    "column_moves_in_origin_mode": (7, 13, "\x1b[2;6r\x1b[?6h\x1b[2;1Hab\x1b[5Gx\x1b[2Dy", ""),
    "wrap_pending_in_origin_mode": (5, 20, "\x1b[?6h" + "2" * 40, ""),
    "wide_character_wrap_pending_in_origin_mode": (
        5,
        20,
        "\x1b[2;4r\x1b[?6h\x1b[2;1H" + "日" * 10,
        "x",
    ),
    "autowrap_off_skips_a_wide_character_at_the_edge": (3, 10, "\x1b[?7l~/x € € 日本", ""),
    "autowrap_off_keeps_writing_the_last_column": (
        5,
        20,
        "\x1b[?7l\x1b[48;2;232;159;167m" + "a" * 39 + "日本 error: ok 語",
        "",
    ),
}


def _views(
    rows: int, cols: int, data: str, snap: str, after: str, resize: tuple[int, int] | None = None
) -> list[dict[str, Any]]:
    """A viewer that stayed and one that reloaded (at the pty's size after ``resize``), with
    ``after`` written to both, then the same two without it."""
    stayed = {"rows": rows, "cols": cols, "writes": [data], "resize": resize}
    rows2, cols2 = resize or (rows, cols)
    reloaded = {"rows": rows2, "cols": cols2, "writes": [snap]}
    return [{**stayed, "after": [after]}, {**reloaded, "after": [after]}, stayed, reloaded]


def _first_row_unwrapped(dump: dict[str, Any]) -> dict[str, Any]:
    # No output can mark the first row of a fresh buffer as wrapped (nothing is above it):
    # after ED 3, or with the scrollback full, the row a reload starts from differs only there.
    if dump["lines"]:
        dump["lines"][0]["wrapped"] = False
    return dump


@pytest.mark.parametrize("name", list(FOUND))
def test_found_streams_reload_as_they_stayed(name: str) -> None:
    rows, cols, data, after = FOUND[name]
    model = ScreenModel(rows, cols, history=1000)
    model.feed(data)
    stayed, reloaded, now_stayed, now_reloaded = xterm(
        *_views(rows, cols, data, model.snapshot(1000), after)
    )
    assert now_reloaded == now_stayed
    assert reloaded == stayed


#: rows, cols, the output, and the pty's size after it (rows, cols).
RESIZED: dict[str, tuple[int, int, str, int, int]] = {
    "alternate_screen_fewer_rows_drop_those_below_the_cursor_first": (
        5,
        20,
        "\x1b[?1047h" + "y" * 14 + "\x1b[4;H",
        3,
        10,
    ),
    "alternate_screen_cursor_back_inside": (5, 20, "\x1b[?1047h" + "y" * 20, 3, 10),
}


@pytest.mark.parametrize("name", list(RESIZED))
def test_found_streams_resized_then_reloaded_as_they_stayed(name: str) -> None:
    rows, cols, data, rows2, cols2 = RESIZED[name]
    model = ScreenModel(rows, cols, history=1000)
    model.feed(data)
    model.resize(rows2, cols2)
    after = "\x1b8x\x1b[?1047l\x1b8y"  # then what the saved cursors hold shows
    stayed, reloaded, now_stayed, now_reloaded = xterm(
        *_views(rows, cols, data, model.snapshot(1000), after, (rows2, cols2))
    )
    assert now_reloaded == now_stayed
    assert reloaded == stayed


SIZES = [(5, 20), (3, 10), (7, 13), (10, 40)]
#: 600 seeds in blocks of 100 (one xterm.js run each, so that blocks go to different workers).
BLOCKS = [range(k, k + 100) for k in range(0, 600, 100)]
#: Seeds whose streams still reload differently, each for a reason not found yet (they are
#: listed so that a new difference, or one of these fixed, fails the test).
STILL_DIFFERENT = {112, 240, 357, 512, 536, 548}
#: Streams on which xterm.js, run without a page, throws (its accessibility code wants a DOM).
XTERM_THROWS = {115, 300, 574, 586}
#: xterm.js restores a cursor's colours but not its underline style or link, which come back
#: with the next hyperlink: streams with both are left out (docs/terminal-model.md).
RESTORES = ("\x1b8", "\x1b[u", "?1048l", "?1049l")


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: f"seeds_{b.start}_to_{b.stop - 1}")
def test_random_streams_reload_as_they_stayed(block: range) -> None:
    views: list[dict[str, Any]] = []
    seeds = []
    for seed in block:
        if seed in XTERM_THROWS:
            continue
        rows, cols = random.Random(seed).choice(SIZES)
        data = stream(seed, rows, cols)
        after = stream(seed + 10**6, rows, cols, ops=15)
        both = data + after
        if "\x1b]8;" in both and any(r in both for r in RESTORES):
            continue
        model = ScreenModel(rows, cols, history=1000)
        for piece in chunks(seed, data):
            model.feed(piece)
        views += _views(rows, cols, data, model.snapshot(1000), after)
        seeds.append(seed)
    dumps = [_first_row_unwrapped(d) for d in xterm(*views)]
    different = {
        seed
        for k, seed in enumerate(seeds)
        if dumps[4 * k] != dumps[4 * k + 1] or dumps[4 * k + 2] != dumps[4 * k + 3]
    }
    assert len(seeds) > 50
    assert different == STILL_DIFFERENT & set(block)
