"""Skipping overwritten updates changes nothing: the same output applied with and without the
skip gives the same cells, cursor and pen."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from screen_state import cells

from jupyter_ci_terminal.screen import ScreenModel, compact, lines, rewrite, skip


def status_lines(
    before_log: Callable[[int], str], updates: int = 20_000, place: str = "5;1", region: str = "1;4"
) -> str:
    """apt: a status line saved and restored around, a log line every 50 updates (after
    ``before_log`` of that update), under a scroll region."""
    return f"\x1b[{region}r" + "".join(
        (f"{before_log(i)}log {i}\r\n" if i % 50 == 0 else "")
        + f"\x1b7\x1b[{place}H\x1b[42m[{i // 2000:3d}%]\x1b[0m ok\x1b8"
        for i in range(updates)
    )


def toggled(on: str, off: str) -> Callable[[int], str]:
    """``on`` before every tenth log line, ``off`` before the fifth after it."""
    return lambda i: on if i % 500 == 0 and i % 1000 else off if i % 1000 == 0 else ""


FLOODS = {
    "counter_at_one_position": "".join(f"\x1b[3;1Hcount {i}" for i in range(20_000)),
    "carriage_return_progress": "".join(
        f"\r\x1b[32m{i % 100:3d}%\x1b[0m {i}" for i in range(20_000)
    ),
    "shorter_text_leaves_a_tail": "".join(f"\r{n}" for n in [100000] * 500 + [99] * 5000),
    "two_rows_alternating": "".join(f"\x1b[2;1Ha{i}\x1b[4;1Hb{i}" for i in range(20_000)),
    "colours_change_between_updates": "".join(
        f"\x1b[1;1H\x1b[3{i % 8}mX\x1b[4{i % 3}mY" for i in range(20_000)
    ),
    "pen_left_set_by_the_update": "".join(f"\x1b[2;2H\x1b[1mB{i % 10}" for i in range(20_000)),
    "updates_between_log_lines": "".join(
        (f"log {i}\r\n" if i % 97 == 0 else "") + f"\x1b7\x1b[5;1H[{i % 1000:4d}]\x1b8"
        for i in range(20_000)
    ),
    "save_restore_with_region": "\x1b[1;4r"
    + "".join(f"\x1b7\x1b[5;1H{i}\x1b8" + ("x\r\n" if i % 13 == 0 else "") for i in range(20_000)),
    "erase_to_end_of_line": "".join(f"\x1b[1;1H{'#' * (i % 17)}\x1b[K" for i in range(20_000)),
    "status_line_unchanged_between_log_lines": "\x1b[1;4r"
    + "".join(
        (f"log {i}\r\n" if i % 50 == 0 else "")
        + f"\x1b7\x1b[5;1H\x1b[42mProgress [{i // 300:3d}%]\x1b[0m\x1b8"
        for i in range(20_000)
    ),
    "status_line_leaves_the_cursor_elsewhere": "".join(
        (f"log {i}\r\n" if i % 50 == 0 else "") + f"\x1b7\x1b[5;1H[{i // 300:3d}%]\x1b8\x1b[C"
        for i in range(20_000)
    ),
    # A status update jumped over after a log line (status.py) only while it would write the
    # same cells: not after a pen, insert mode, a charset or origin mode changed, nor once its
    # row was written over, scrolled or took other colours; one as wide as the screen is, one
    # that wraps onto the rows of the log is not.
    "status_line_after_each_log_line": status_lines(lambda i: ""),
    "status_line_after_a_pen_change": status_lines(toggled("\x1b[1m", "\x1b[0m")),
    "status_line_in_insert_mode": status_lines(toggled("\x1b[4h", "\x1b[4l")),
    # (Ending in the charset they started with: a reload does not keep the one a DECSC saved.)
    "status_line_in_the_line_drawing_charset": status_lines(toggled("\x1b(0", "\x1b(B"), 19_500),
    "status_line_shifted_to_the_line_drawing_charset": status_lines(
        toggled("\x1b)0\x0e", "\x0f"), 19_500
    ),
    "status_line_in_origin_mode": status_lines(toggled("\x1b[?6h", "\x1b[?6l")),
    "status_row_written_over": status_lines(toggled("\x1b7\x1b[5;2H\x1b[42mzz\x1b8", "")),
    "status_row_written_in_other_colours": status_lines(
        lambda i: f"\x1b7\x1b[5;1H\x1b[44m[{i // 2000:3d}%] ok\x1b[0m\x1b8" * (i % 500 == 0)
    ),
    "status_line_without_a_scroll_region": status_lines(lambda i: "", region=""),
    "status_line_as_wide_as_the_screen": status_lines(lambda i: "", place="5;12"),
    "status_line_wrapping_onto_the_log_rows": status_lines(
        lambda i: "", place="2;13", region="3;5"
    ),
    "wrap_at_the_right_edge": "".join(f"\x1b[5;15H{i:08d}" for i in range(5_000)),
    "non_ascii_bar_after_cr": "".join(
        f"\r{i % 100:3d}%|{'█' * (i // 2000)}{'▌' * (i // 1000 % 2)}{' ' * (10 - i // 2000 - i // 1000 % 2)}|"
        for i in range(20_000)
    ),
    "coloured_box_drawing_bar": "".join(
        f"\r\x1b[38;2;249;38;114m{'━' * (i // 2000)}\x1b[0m {i % 1000:3d}" for i in range(20_000)
    ),
    "wide_characters_in_the_update": "".join(f"\r進捗 {i % 1000:3d} 完了" for i in range(20_000)),
    # A few hundred: each wraps and scrolls, and a full scrollback is a known difference.
    "wide_character_at_the_right_edge": "".join(f"\x1b[5;18H{i % 10}漢{i % 7}" for i in range(300)),
    "combining_mark_after_changing_text": "".join(
        f"\r{chr(97 + i % 26)}\u0301 {i % 1000:3d}" for i in range(20_000)
    ),
    "c1_next_line_in_the_update": "".join(f"\r{i % 10}\x85" for i in range(20_000)),
    # rich's bar: CR, EL 2, the bar; EL 1; EL 2 on the row an update wrapped onto.
    "erase_the_line_before_each_update": "".join(
        f"\r\x1b[2K\x1b[38;5;197m{'━' * (i // 2000)}\x1b[0m {i % 1000:3d}" for i in range(20_000)
    ),
    "erase_to_the_cursor_after_each_update": "".join(
        f"\x1b[4;8H{i % 1000:3d}\x1b[1K" for i in range(20_000)
    ),
    "erase_the_row_an_update_wrapped_onto": "".join(
        f"\x1b[2;15H{i:08d}\x1b[2K" for i in range(5_000)
    ),
    # Redraws of a frame of lines (BuildKit): cursor up over the last frame, EL per line.
    "frame_of_lines_redrawn_in_place": "".join(
        "\x1b[3A\r" * (i > 0) + "".join(f"step {k} {i % 997:3d}\x1b[K\r\n" for k in range(3))
        for i in range(3_000)
    ),
    "frames_of_three_heights_in_turn": "".join(
        f"\x1b[{1 + (i - 1) % 3}A\r" * (i > 0)
        + "".join(f"\x1b[34m=> {k}\x1b[0m {i % 97:2d}s\x1b[K\r\n" for k in range(1 + i % 3))
        for i in range(3_000)
    ),
    "frame_lines_wider_than_the_screen": "".join(
        "\x1b[4A\r" * (i > 0) + f"{'w' * 25}{i % 10}\x1b[K\r\n{'v' * 30}{i % 7}\r\n"
        for i in range(3_000)
    ),
    "frame_lines_over_longer_old_text": "".join(f"old line {k} " * 2 + "\r\n" for k in range(3))
    + "\x1b[3A"
    + "".join(
        "\x1b[3A" * (i > 0) + "".join(f"\r\x1b[1mnew {k}\x1b[0m {i % 89}\r\n" for k in range(3))
        for i in range(3_000)
    ),
    "frame_that_scrolls_at_the_bottom": "".join(
        "\x1b[4A\r" * (i > 0) + "".join(f"row {k} {i % 97}\x1b[K\r\n" for k in range(4))
        for i in range(3_000)
    ),
    # Runs of updates that are the same text, then updates of the same shape whose text
    # changes, in turn (counted as memory, then by shape).
    "same_text_runs_between_changing_text": "".join(
        f"\x1b7\x1b[5;1H[{i // 40 % 10}{i % 10 if i % 120 > 80 else 0}]\x1b8" for i in range(20_000)
    ),
    # Updates of one length but two shapes (the colour's parameter), in runs: the shape compiled
    # for one must not be taken for the other.
    "same_length_updates_of_two_shapes": "".join(
        f"\x1b[1;1H\x1b[3{1 + i // 500 % 2}mab{i % 10}\x1b[0m" for i in range(20_000)
    ),
    # A DEL, a tab, an escape, non-ASCII text or a C1 control where the other copies have
    # printable text: that copy ends the run.
    "a_control_or_non_ascii_in_place_of_text": "".join(
        f"\r{i % 1000:3d}"
        + ("x", "\x7f", "\t", "\x1b", "é", "\x85")[(i % 300 == 7) * (1 + i // 300 % 5)]
        for i in range(20_000)
    ),
    # ESC [ then text that does not make a CSI (a lone ESC for the terminal): a copy whose
    # text does (a colour here) must not be taken for the same shape.
    "broken_csi_whose_text_completes_one": "".join(
        f"\x1b[3;1H\x1b[{'31mx' if i == 5_000 else ' 11x'}" for i in range(20_000)
    ),
    # Copies whose colours differ (a counter or a bar recoloured at every update): set before
    # the first cell, each copy's cells take their own colours whatever pen it starts with.
    "counter_in_a_new_colour_each_time": "".join(
        f"\r\x1b[38;5;{i % 256}m{i} files done" for i in range(20_000)
    ),
    "counter_placed_by_cup_in_a_new_colour": "".join(
        f"\x1b[3;2H\x1b[38;5;{i * 7 % 256}m{i % 1000:3d}\x1b[4;1H" for i in range(20_000)
    ),
    "true_colour_behind_a_percentage": "".join(
        f"\r\x1b[9{i % 8}m\x1b[1m\x1b[48;2;{i % 256};{i * 7 % 256};9m{i % 1000:3d}%\x1b[22m x"
        f"\x1b[3{i * 3 % 8}my"
        for i in range(20_000)
    ),
    # A colour set after the first cell: the cells before it take the colour the copy before
    # left, so such copies must not be taken for one shape.
    "colour_set_after_the_first_cell": "".join(
        f"\rA\x1b[3{i * 5 % 8}mB{i % 10}" for i in range(20_000)
    ),
    "background_after_text_then_erase": "".join(
        f"\x1b[2;1H\x1b[31m{i % 10}\x1b[4{i * 3 % 8}m\x1b[K" for i in range(20_000)
    ),
    # EL takes the background colour: one set after it is set after a cell was written.
    "erase_before_the_background_is_set": "".join(
        f"\x1b[2;1H\x1b[K\x1b[4{i * 3 % 8}m{i % 10}" for i in range(20_000)
    ),
    # A hyperlink is part of the pen too, but its address is no colour: never varied.
    "link_opened_after_the_first_cell": "".join(
        f"\rA\x1b]8;;https://example.com/{i % 10}\x1b\\B{i % 7}" for i in range(20_000)
    ),
    "frame_that_ends_on_the_last_row": "".join(
        "\x1b[3A\r" * (i > 0) + "".join(f"row {k} {i % 97}\x1b[K\n\r" for k in range(3))
        for i in range(3_000)
    ),
}


def run(
    data: str, skipping: bool, monkeypatch: pytest.MonkeyPatch, piece: int = 65536
) -> ScreenModel:
    if not skipping:
        monkeypatch.setattr(skip, "repeats", lambda *args: 0)
        monkeypatch.setattr(rewrite, "skip", lambda t, data, i: i)
    model = ScreenModel(5, 20)
    model.feed("HEADER\r\n")
    for k in range(0, len(data), piece):
        model.feed(data[k : k + piece])
    monkeypatch.undo()
    return model


@pytest.mark.parametrize("name", list(FLOODS))
def test_skipping_a_flood_gives_the_same_state(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = run(FLOODS[name], True, monkeypatch)
    slow = run(FLOODS[name], False, monkeypatch)
    assert cells(fast) == cells(slow)
    assert slow.term.skipped == 0


# Anchors carry over to the next piece of output: updates that began in one piece are compared
# with copies in the next, cut anywhere (inside a sequence, between CR and LF, mid-frame).
@pytest.mark.parametrize("piece", [2500, 4096])
@pytest.mark.parametrize(
    "name",
    [
        "counter_at_one_position",
        "status_line_unchanged_between_log_lines",
        "status_line_after_each_log_line",
        "status_line_after_a_pen_change",
        "save_restore_with_region",
        "frame_that_scrolls_at_the_bottom",
        "frames_of_three_heights_in_turn",
        "frame_lines_over_longer_old_text",
        "frame_that_ends_on_the_last_row",
        "same_length_updates_of_two_shapes",
        "broken_csi_whose_text_completes_one",
    ],
)
def test_skipping_across_pieces_of_output_gives_the_same_state(
    name: str, piece: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = run(FLOODS[name], True, monkeypatch, piece)
    slow = run(FLOODS[name], False, monkeypatch)
    assert cells(fast) == cells(slow)


@pytest.mark.parametrize("name", [name for name in FLOODS if name.startswith("status_")])
def test_status_lines_jumped_over_give_the_same_state_after_every_piece(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Compared at every cut, not only at the end: a wrong jump is put right by the next copy
    # applied in full (the first of a piece of output), which would hide it.
    fast, slow = ScreenModel(5, 20), ScreenModel(5, 20)
    data = FLOODS[name]
    for k in range(0, len(data), 3000):
        fast.feed(data[k : k + 3000])
        with monkeypatch.context() as m:
            m.setattr(skip, "repeats", lambda *args: 0)
            slow.feed(data[k : k + 3000])
        assert cells(fast) == cells(slow), k


def redraws(first: int, count: int) -> str:
    """BuildKit-like frames of one to three lines in turn, each drawn over the last."""
    return "".join(
        f"\x1b[{1 + (i - 1) % 3}A\r" * (i > 0)
        + "".join(f"\x1b[34mstep {k}\x1b[0m {i:05d}\x1b[K\r\n" for k in range(1 + i % 3))
        for i in range(first, first + count)
    )


@pytest.mark.parametrize("cut", [0, 1, 3])  # the outputs cut before or inside the cursor up
def test_a_redraw_goes_on_being_skipped_from_the_start_of_the_next_output(cut: int) -> None:
    model = ScreenModel(5, 40)
    after = redraws(30, 60)
    model.feed(redraws(0, 30) + after[:cut])
    before = model.term.skipped
    model.feed(after[cut:])
    # From its first anchor, compared with the cycle of three frames before it, every cycle is
    # skipped but the last whole one (applied) and the last, which lacks its next cursor up; a
    # terminal that had forgotten the anchors would apply the first cycle to find it again.
    cycle = len(after) // 20
    assert model.term.skipped - before == len(after) - 2 * cycle
    expected = ScreenModel(5, 40)
    expected.feed(redraws(0, 90))
    assert cells(model) == cells(expected)


def test_after_a_pen_compaction_the_anchors_before_it_are_not_compared() -> None:
    # Compaction renumbers the pens, which the anchors' states hold: the skip finds the cycle
    # again in the new output (its first cycle applied) rather than trust an old number.
    model = ScreenModel(5, 40)
    model.feed(redraws(0, 30))
    compact.compact()
    before = model.term.skipped
    after = redraws(30, 60)
    model.feed(after)
    assert model.term.skipped - before == len(after) - 3 * (len(after) // 20)
    expected = ScreenModel(5, 40)
    expected.feed(redraws(0, 90))
    assert cells(model) == cells(expected)


@pytest.mark.parametrize(
    "name",
    [
        "counter_at_one_position",
        "carriage_return_progress",
        "two_rows_alternating",
        "non_ascii_bar_after_cr",
        "coloured_box_drawing_bar",
        "wide_characters_in_the_update",
        "erase_the_line_before_each_update",
        "erase_to_the_cursor_after_each_update",
        "frame_of_lines_redrawn_in_place",
        "frames_of_three_heights_in_turn",
        "frame_lines_wider_than_the_screen",
        "frame_lines_over_longer_old_text",
        "same_text_runs_between_changing_text",
        "same_length_updates_of_two_shapes",
        "a_control_or_non_ascii_in_place_of_text",
        "counter_in_a_new_colour_each_time",
        "counter_placed_by_cup_in_a_new_colour",
        "true_colour_behind_a_percentage",
    ],
)
def test_a_flood_of_updates_is_skipped(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(FLOODS[name], True, monkeypatch).term.skipped > len(FLOODS[name]) // 2


#: Pieces of random updates: anchors, text, moves, erases, pens, saving and restoring the
#: cursor; and colours that differ in every copy (see :func:`recoloured`).
PIECES = ["\r", "\x1b[2;3H", "A", "BC", "\x1b[C", "\x1b[K", "\x1b[2K", "\x1b7", "\x1b8",
          "\x1b[1m", "\x1b[22m", "\x1b[0m", "\x1b[m", "\x1b[4m", "\x1b[44m", "\x1b[1;32m"]  # fmt: skip
VARYING = ["fg", "bright", "bg", "256", "rgb"]


def recoloured(kind: str, rnd: random.Random) -> str:
    """An SGR setting one colour of ``kind``, the colour drawn from ``rnd``."""
    n = rnd.randrange(256)
    return {
        "fg": f"\x1b[3{n % 10 if n % 10 != 8 else 9}m",
        "bright": f"\x1b[9{n % 8}m",
        "bg": f"\x1b[4{n % 8}m",
        "256": f"\x1b[38;5;{n}m",
        "rgb": f"\x1b[48;2;{n};{n * 7 % 256};{n * 13 % 256}m",
    }[kind]


@settings(max_examples=40, deadline=None, database=None)
@given(
    setup=st.lists(st.sampled_from(PIECES), max_size=3),
    anchor=st.sampled_from(["\r", "\x1b[2;3H"]),
    update=st.lists(st.sampled_from(PIECES + VARYING), min_size=1, max_size=6),
    rnd=st.randoms(use_true_random=False),
)
def test_random_floods_skipped_give_the_same_state(
    setup: list[str], anchor: str, update: list[str], rnd: random.Random
) -> None:
    """1,500 copies of a random update whose colours may differ in every copy: skipping gives
    the same cells, cursor, pen and saved cursor as applying them all."""
    data = "".join(setup) + "".join(
        anchor + "".join(recoloured(p, rnd) if p in VARYING else p for p in update)
        for _ in range(1_500)
    )
    with pytest.MonkeyPatch.context() as patch:
        fast = run(data, True, patch)
        slow = run(data, False, patch)
    assert cells(fast) == cells(slow)
    assert fast.term.buf.saved == slow.term.buf.saved


#: Floods of short lines from several starting states: (setup, line, lines).
SHORT_LINES = {
    "yes_from_the_top": ("", "y", 9_000),
    "seq_below_long_old_text": ("x" * 19 + "\r\n" + "w" * 19 + "\x1b[1;1H", "12", 9_000),
    "yes_in_a_scroll_region": ("\x1b[2;4r\x1b[2;1H", "y", 9_000),
    "yes_on_the_alternate_screen": ("\x1b[?1049h", "y", 9_000),
    "yes_with_a_saved_cursor": ("ab\x1b7\r\n", "y", 9_000),
    "just_over_the_kept_lines": ("", "n", 1_000 + 2 * 5 + 1),
    "long_lines_cut_at_the_width": ("", "z" * 45, 3_000),
}


def flood(name: str, trimming: bool, monkeypatch: pytest.MonkeyPatch) -> ScreenModel:
    setup, line, count = SHORT_LINES[name]
    if not trimming:
        monkeypatch.setattr(lines, "kept", lambda t: 10**9)
    model = ScreenModel(5, 20, history=1000)
    model.feed("HEADER\r\n" + setup)
    model.feed((line + "\r\n") * count)
    monkeypatch.undo()
    return model


@pytest.mark.parametrize("name", list(SHORT_LINES))
def test_rows_are_built_only_for_the_lines_that_survive_a_flood(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, slow = flood(name, True, monkeypatch), flood(name, False, monkeypatch)
    assert cells(fast) == cells(slow)
    assert fast.scrollback() == slow.scrollback()
    assert fast.term.main.saved == slow.term.main.saved


@pytest.mark.parametrize("piece", [7, 4096, 65536])  # ending between CR and LF, mid-line
@pytest.mark.parametrize("name", list(SHORT_LINES))
def test_a_queued_flood_of_lines_applied_without_its_scrolled_away_lines_is_the_same(
    name: str, piece: int
) -> None:
    setup, line, count = SHORT_LINES[name]
    eager = ScreenModel(5, 20, history=1000)
    lazy = ScreenModel(5, 20, history=1000, queue=10**9)
    output = "a partial line " + (line + "\r\n") * (count + 1) + "$ "  # the cut needs 2 more
    pieces = [output[k : k + piece] for k in range(0, len(output), piece)]
    for model in (eager, lazy):
        model.feed("HEADER\r\n" + setup)
        model.catch_up()
        for text in pieces:
            model.feed(text)
    assert lazy.pending == len(output)
    assert lazy._ends is not None  # the cut is taken
    assert lines.trim(pieces, lazy._ends, lines.kept(lazy._term)) is not None
    assert cells(lazy) == cells(eager)
    # What a reloaded viewer gets. (Past the 1,000 rows restored, the scrollback may hold more
    # rows when long lines come in larger pieces: it counts entries, a line up to 4 rows each.)
    assert lazy.snapshot(1000) == eager.snapshot(1000)
    assert lazy.term.main.saved == eager.term.main.saved


@pytest.mark.parametrize("name", ["yes_from_the_top", "yes_in_a_scroll_region"])
def test_a_flood_of_short_lines_in_one_chunk_equals_it_line_by_line(name: str) -> None:
    setup, line, count = SHORT_LINES[name]
    whole, by_line = ScreenModel(5, 20, history=1000), ScreenModel(5, 20, history=1000)
    for model in (whole, by_line):
        model.feed("HEADER\r\n" + setup)
    whole.feed((line + "\r\n") * count)
    for _ in range(count):
        by_line.feed(line + "\r\n")
    assert cells(whole) == cells(by_line)
    assert whole.scrollback() == by_line.scrollback()
