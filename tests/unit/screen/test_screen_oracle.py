"""The model's screen, scrollback and cursor match pyte's where pyte is right (no alternate
screen: pyte keeps one buffer; no LF right after a full row: pyte keeps the cursor past the edge,
xterm.js pulls it back)."""

from __future__ import annotations

import codecs

import pytest
from real_output import REAL
from screen_state import feed_in_chunks, pyte_view

from jupyter_ci_terminal.screen import ScreenModel

STREAMS = {
    "wrapped_line_and_prompt": "hello\r\n" + "x" * 45 + "\r\n$ ",
    "cr_and_lf_alone": "a\rb\nc\r\n\r\nd",
    "tabs": "a\tb\tc\r\n12345678\tx\r\n\tindent",
    "erase_in_line_and_display": "abcdef\x1b[3D\x1b[K\r\nxyz\x1b[1K!\r\nrow3\x1b[1;2H\x1b[J",
    "erase_characters": "abcdefgh\x1b[1;3H\x1b[2X",
    "scroll_region": "\x1b[1;3r" + "".join(f"L{i}\r\n" for i in range(6)) + "\x1b[r\x1b[5;1Hbottom",
    "insert_and_delete_characters": "abcdef\x1b[1;3H\x1b[2@XY\x1b[1;1H\x1b[1P",
    "insert_and_delete_lines": "1\r\n2\r\n3\r\n4\x1b[2;1H\x1b[L\x1b[4;1H\x1b[M",
    "reverse_index_at_top": "a\r\nb\x1b[H\x1bMtop",
    "wide_characters_wrap": "日本語テキスト" * 4 + "\r\nok",
    "header_then_row_updates": "\x1b[H\x1b[2JHEADER\r\n"
    + "".join(f"\x1b[3;1Hcount {i}" for i in range(3000)),
    "carriage_return_progress": "head\r\n" + "".join(f"\rprogress {i}%" for i in range(3000)),
    "long_scrolling_log": "".join(f"line {i} " + "y" * (i % 45) + "\r\n" for i in range(300)),
    "coloured_log": "".join(
        f"\x1b[1mf{i}.c:\x1b[0m \x1b[35mwarning\x1b[0m x\r\n" for i in range(50)
    ),
    "cursor_movement": "abc\x1b[2Cd\x1b[1Ae\x1b[2Bf\x1b[10Dg\x1b[3Gh\x1b[4dI",
    "save_and_restore_cursor": "ab\x1b7\x1b[3;5Hx\x1b8c",
    "a_line_longer_than_the_screen": "$ x\r\n\x1b[32m" + "0123456789" * 50 + "\x1b[0m tail\r\n$ ",
    "autowrap_off": "\x1b[?7l" + "z" * 30 + "\x1b[?7h",
}


#: pyte pushes a region's top row into the scrollback even when the region starts lower down.
NOT_PYTE = {"scroll_region_in_the_middle"}
ALL = {**STREAMS, **{k: v for k, v in REAL.items() if k not in NOT_PYTE}}


@pytest.mark.parametrize("chunk", [1, 7, 65536])
@pytest.mark.parametrize("name", list(ALL))
def test_screen_scrollback_and_cursor_match_pyte(name: str, chunk: int) -> None:
    data = ALL[name]
    model = ScreenModel(5, 20, history=100_000)
    feed_in_chunks(model, data, chunk)
    screen, history, cursor = pyte_view(data, 5, 20)
    assert model.display() == screen
    assert model.scrollback() == history
    assert (model.term.x, model.term.y) == cursor


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_utf8_split_across_chunks_decodes_to_the_same_screen(chunk: int) -> None:
    raw = "naïve 日本 ü\r\n€ wide 語".encode()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    model = ScreenModel(5, 20)
    for k in range(0, len(raw), chunk):
        model.feed(decoder.decode(raw[k : k + chunk]))
    screen, _, cursor = pyte_view(raw.decode(), 5, 20)
    assert model.display() == screen
    assert (model.term.x, model.term.y) == cursor
