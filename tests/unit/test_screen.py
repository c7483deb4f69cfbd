"""The screen model's interface, as terminal sessions use it (feed, resize, snapshot)."""

from __future__ import annotations

from typing import Any

import pytest
from screen_state import cells

from jupyter_ci_terminal.screen import ScreenModel


def replay(snapshot: str, rows: int, cols: int, history: int = 1000) -> ScreenModel:
    """Feed a snapshot into a fresh model, as a freshly opened xterm.js would show it."""
    fresh = ScreenModel(rows, cols, history=history)
    fresh.feed(snapshot)
    return fresh


def test_snapshot_redraws_text_colours_and_cursor() -> None:
    model = ScreenModel(5, 30)
    model.feed("\x1b[1;31merror\x1b[0m: it broke\r\n$ ls")
    snap = model.snapshot()
    assert "\x1b[0;1;31merror" in snap
    assert cells(replay(snap, 5, 30)) == cells(model)
    assert (model.term.x, model.term.y) == (4, 1)


def test_full_screen_program_is_restored_while_running_and_gone_after_exit() -> None:
    model = ScreenModel(4, 20)
    model.feed("before\r\n$ vim\r\n")
    model.feed("\x1b[?1049h\x1b[H\x1b[2J~ vim buffer")
    again = replay(model.snapshot(), 4, 20)
    assert again.display()[0].startswith("~ vim buffer")
    model.feed("\x1b[?1049l")
    again.feed("\x1b[?1049l")
    restored = replay(model.snapshot(), 4, 20).display()
    assert restored[0].startswith("before")
    assert not any("vim buffer" in line for line in restored)
    assert cells(again) == cells(model)


def test_scrollback_tail_precedes_the_screen() -> None:
    model = ScreenModel(3, 10, history=50)
    model.feed("".join(f"line{i}\r\n" for i in range(10)))
    snap = model.snapshot(scrollback=5)
    assert "line2" not in snap  # older than the five lines asked for
    assert snap.index("line3") < snap.index("line7") < snap.index("line9")


def test_resize_follows_the_remote_pty() -> None:
    model = ScreenModel(24, 80)
    model.resize(40, 120)
    assert model.size == (40, 120)


def test_output_is_applied_as_it_comes_without_a_queue() -> None:
    model = ScreenModel(5, 20)
    model.feed("abc")
    assert model.pending == 0
    assert model._term.x == 3
    model.catch_up()  # nothing queued: nothing to do
    assert model.display()[0] == "abc".ljust(20)


def test_queued_output_is_applied_before_the_state_is_read() -> None:
    model = ScreenModel(5, 20, queue=1000)
    model.feed("abc")
    model.feed("\r\ndef")
    assert model.pending == 8
    assert model._term.x == 0  # not applied yet
    assert model.display()[:2] == ["abc".ljust(20), "def".ljust(20)]
    assert model.pending == 0


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        (lambda m: m.snapshot().endswith("def"), True),
        (lambda m: m.term.y, 1),
        (lambda m: m.in_alternate, False),
        (lambda m: m.scrollback(), []),
    ],
)
def test_every_reader_sees_the_queued_output(read: Any, expected: object) -> None:
    model = ScreenModel(5, 20, queue=1000)
    model.feed("abc\r\ndef")
    assert read(model) == expected
    assert model.pending == 0


def test_the_queue_is_applied_once_it_reaches_its_bound() -> None:
    model = ScreenModel(5, 20, queue=10)
    model.feed("12345")
    assert model.pending == 5
    model.feed("67890")
    assert model.pending == 0
    assert model._term.x == 10


def test_a_resize_applies_queued_output_at_the_old_size_first() -> None:
    eager, lazy = ScreenModel(5, 20), ScreenModel(5, 20, queue=1000)
    for model in (eager, lazy):
        model.feed("x" * 30 + "\r\n$ ")
        model.resize(5, 10)
        model.feed("ls")
    assert lazy.pending == 2
    assert cells(lazy) == cells(eager)


def test_a_header_survives_a_flood_of_row_updates() -> None:
    model = ScreenModel(5, 20)
    model.feed("\x1b[H\x1b[2JHEADER\r\n")
    for start in range(0, 20_000, 1000):
        model.feed("".join(f"\x1b[3;1Hrow {i}" for i in range(start, start + 1000)))
    assert replay(model.snapshot(), 5, 20).display()[:3] == [
        "HEADER".ljust(20),
        " " * 20,
        "row 19999".ljust(20),
    ]


def test_wide_characters_on_a_one_column_terminal_do_not_hang() -> None:
    model = ScreenModel(3, 1)
    model.feed("日本語")
    model.resize(3, 2)
    model.resize(2, 1)
    assert len(model.display()) == 2


def test_a_failure_inside_the_model_keeps_the_session_going(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = ScreenModel(3, 10)
    model.feed("before")

    def broken(*args: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(model.term, "text", broken)
    model.feed("boom")  # logged, not raised: the session's relay goes on
    model.feed("after")
    assert model.display()[0].startswith("after")
