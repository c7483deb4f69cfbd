"""The screen model that restores a reconnecting viewer's screen."""

from __future__ import annotations

from jupyter_ci_terminal.screen import ScreenModel


def replay(snapshot: str, rows: int, cols: int) -> ScreenModel:
    """Feed a snapshot into a fresh model, as a freshly opened xterm.js would show it."""
    fresh = ScreenModel(rows, cols, history=100)
    fresh.feed(snapshot)
    return fresh


def test_snapshot_redraws_text_colours_and_cursor() -> None:
    model = ScreenModel(5, 30)
    model.feed("\x1b[1;31merror\x1b[0m: it broke\r\n$ ls")
    snap = model.snapshot()
    assert "\x1b[0;1;31merror" in snap
    again = replay(snap, 5, 30)
    assert again.display()[:2] == model.display()[:2]
    assert snap.endswith("\x1b[2;5H")


def test_full_screen_program_is_restored_while_running_and_gone_after_exit() -> None:
    model = ScreenModel(4, 20)
    model.feed("before\r\n$ vim\r\n")
    model.feed("\x1b[?1049h\x1b[H\x1b[2J~ vim buffer")
    assert replay(model.snapshot(), 4, 20).display()[0].startswith("~ vim buffer")
    model.feed("\x1b[?1049l")
    restored = replay(model.snapshot(), 4, 20).display()
    assert restored[0].startswith("before")
    assert not any("vim buffer" in line for line in restored)


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


def test_a_flood_of_output_is_bounded_and_keeps_the_tail() -> None:
    model = ScreenModel(5, 20, max_pending=4096, keep=1024)
    for i in range(20000):
        model.feed(f"row {i}\r\n")
        assert model.pending <= 4096 + 20
    assert replay(model.snapshot(scrollback=0), 5, 20).display()[3].startswith("row 19999")


def test_alternate_screen_switches_in_dropped_output_are_honoured() -> None:
    model = ScreenModel(5, 20, max_pending=2048, keep=512)
    model.feed("main\r\n\x1b[?1049h")  # a full-screen program starts...
    model.feed("".join(f"\x1b[Hframe {i}" for i in range(2000)))  # ...and redraws a lot
    snap = model.snapshot()
    assert "\x1b[?1049h" in snap
    assert replay(snap, 5, 20).display()[0].startswith("frame 1999")
