"""A viewer that (re)connects gets the restore payload: at the model's width it must show the
same cells as a viewer that never left; at another width it must lose no line."""

from __future__ import annotations

import pytest
from screen_state import cells, pyte_view, text_of

from jupyter_ci_terminal.screen import ScreenModel
from jupyter_ci_terminal.screen.snapshot import cursor_row


def apt_like(updates: int) -> str:
    out = ["HEADER\r\n\x1b7\x1b[0;4r\x1b8\x1b[1A"]
    for i in range(updates):
        if i % 50 == 0:
            out.append(f"Unpacking pkg-{i} ...\r\n")
        out.append(
            f"\x1b7\x1b[5;0f\x1b[42m\x1b[30mProgress: [{i * 100 // updates:3d}%]\x1b[49m\x1b[39m\x1b8"
        )
    return "".join(out)


STREAMS = {
    "prompt_after_a_wrapped_line": "$ echo\r\n" + "w" * 47 + "\r\n$ ",
    "many_lines_into_scrollback": "".join(
        f"line {i} " + "z" * (i % 50) + "\r\n" for i in range(400)
    )
    + "$ ",
    "cursor_inside_the_screen_after_clear": "".join(f"old {i}\r\n" for i in range(30))
    + "\x1b[H\x1b[2Jnew$ ",
    "cursor_moved_above_text": "one\r\ntwo\r\nthree\x1b[2;2H",
    "colours_and_attributes": "\x1b[1;4;38;5;202mhot\x1b[0m \x1b[7;48;2;1;2;3mrev\x1b[0m\r\n\x1b[41m\x1b[Kred line\x1b[0m\r\n",
    "wide_characters": "表示テスト " * 6 + "\r\n$ ",
    "full_row_pending_wrap": "x" * 20,
    "full_screen_program_running": "shell\r\n$ top\r\n\x1b[?1049h\x1b[H\x1b[2J\x1b[1mtop - 10:00\x1b[0m\r\n\x1b[3;5Hcpu",
    "scroll_region_progress_bar": apt_like(2000),
    "header_then_700000_row_updates": "\x1b[H\x1b[2JHEADER\r\n"
    + "".join(f"\x1b[3;1Hcount {i}" for i in range(700_000)),
    "modes_and_hidden_cursor": "\x1b[?2004h\x1b[?1h\x1b=\x1b[?1000h\x1b[?1006h\x1b[?25l\x1b[5 qok",
    "application_draws_with_origin_mode": "\x1b[2;4r\x1b[?6h\x1b[1;1Hinside\x1b[3;2Hlow",
}


#: Streams of lines (no cursor addressing): comparable between viewers of different widths.
LINE_STREAMS = [
    "prompt_after_a_wrapped_line",
    "many_lines_into_scrollback",
    "colours_and_attributes",
    "wide_characters",
    "full_row_pending_wrap",
]


def feed(data: str, rows: int = 5, cols: int = 20) -> ScreenModel:
    model = ScreenModel(rows, cols, history=1000)
    for k in range(0, len(data), 65536):
        model.feed(data[k : k + 65536])
    return model


@pytest.mark.parametrize("name", list(STREAMS))
def test_restore_at_the_same_width_is_identical_cell_for_cell(name: str) -> None:
    model = feed(STREAMS[name])
    viewer = feed(model.snapshot(1000))
    assert cells(viewer) == cells(model)
    # What both show next, once the program goes on (or a full-screen one exits), agrees too.
    more = "\x1b[?1049l\r\nnext output " + "n" * 25 + "\r\n"
    model.feed(more)
    viewer.feed(more)
    assert cells(viewer) == cells(model)


@pytest.mark.parametrize(
    "name", [n for n in STREAMS if "full_screen" not in n and "origin" not in n]
)
def test_restore_replayed_into_pyte_shows_the_same_screen(name: str) -> None:
    model = feed(STREAMS[name])
    screen, _, _ = pyte_view(model.snapshot(1000), 5, 20)
    assert screen == model.display()


@pytest.mark.parametrize("cols", [13, 31, 80])
@pytest.mark.parametrize("name", [n for n in STREAMS if "full_screen" not in n])
def test_restore_at_another_width_loses_no_line(name: str, cols: int) -> None:
    model = feed(STREAMS[name])
    viewer = feed(model.snapshot(1000), rows=5, cols=cols)
    # The model's lines, as far as a scrollback of 1000 rows at that width holds them.
    assert text_of(model)[-len(text_of(viewer)) :] == text_of(viewer)
    if name in LINE_STREAMS:  # and what a viewer of that width that saw all the output holds
        assert text_of(viewer) == text_of(feed(STREAMS[name], rows=5, cols=cols))


@pytest.mark.parametrize("cols", [12, 33])
def test_width_change_rewraps_and_keeps_earlier_output(cols: int) -> None:
    data = "".join(f"line {i} " + "z" * (i % 50) + "\r\n" for i in range(150)) + "$ "
    model = feed(data)
    before = text_of(model)
    model.resize(5, cols)
    assert text_of(model) == before
    viewer = feed(model.snapshot(1000), rows=5, cols=cols)
    assert cells(viewer) == cells(model)


def test_full_screen_program_comes_back_and_the_shell_after_it_exits() -> None:
    model = feed("shell line\r\n$ vim\r\n")
    shell = cells(model)
    model.feed("\x1b[?1049h\x1b[H\x1b[2J~\r\n~ file.txt\x1b[1;1H")
    viewer = feed(model.snapshot(1000))
    assert viewer.display()[1].startswith("~ file.txt")
    model.feed("\x1b[?1049l")
    viewer.feed("\x1b[?1049l")
    assert cells(viewer) == cells(model) == shell


@pytest.mark.parametrize(
    "prompt",
    [
        "$ ",
        "\x1b[1;32m[3]\x1b[0m ~/src\x1b[34m$\x1b[0m ",  # colours, the pen reset at the end
        "\x1b[1;32m[3]\x1b[0m ~ \x1b[7mtyped",  # the pen still on
        "x" * 20,  # the cursor waits to wrap
        "ab\x1b[5G",  # blanks up to the cursor
    ],
)
def test_cursor_row_draws_the_prompt_again_below_a_notice(prompt: str) -> None:
    model = feed("before\r\n" + prompt)
    t = model.term
    expected_row = cells(model)["screen"][t.y]
    expected_pen, expected_x = t.pen, t.x
    notice = "\r\n[a notice]\r\n" + cursor_row(t)
    model.feed(notice)
    t = model.term
    assert cells(model)["screen"][t.y] == expected_row
    assert (t.x, t.pen) == (expected_x, expected_pen)
