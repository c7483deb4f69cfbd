"""The pen table stays bounded: pens no cell uses are dropped and the rest renumbered, without
changing what any terminal shows (its restore payload) or the pen it writes with next."""

from __future__ import annotations

import gc

import pytest

from jupyter_ci_terminal.screen import ScreenModel, compact, pens


def colours(first: int, count: int) -> str:
    """``count`` cells, each a distinct true colour."""
    return "".join(
        f"\x1b[48;2;{c % 256};{c // 256 % 256};{c // 65536}m " for c in range(first, first + count)
    )


#: Colours drawn and cleared away: their pens are dropped, so the later ones are renumbered.
JUNK = colours(70000, 300) + "\x1b[H\x1b[2J"
LINES = "".join(f"\x1b[1;3{k % 8}mline {k}\x1b[0m done\r\n" for k in range(30))

STREAMS = {
    # A video-like flood: frames of distinct colours drawn over each other, the old ones gone.
    "frames_drawn_over": JUNK + "".join(f"\x1b[H{colours(k * 600, 600)}\x1b[0m" for k in range(12)),
    # Coloured lines that scroll into the scrollback, which keeps their pens.
    "coloured_scrollback": JUNK + "".join(f"{colours(k * 40, 40)}\x1b[0m\r\n" for k in range(150)),
    # A saved cursor with a pen, the alternate screen in colours, a link, a pen left set.
    "saved_alternate_and_link": JUNK
    + "\x1b[38;2;1;2;3m\x1b7\x1b[0m"
    + colours(0, 500)
    + "\x1b[?1049h"
    + colours(9000, 300)
    + "\x1b]8;;https://example.com/\x07linked\x1b]8;;\x07\x1b[?1049l"
    + colours(20000, 700)
    + "\x1b[1;38;2;9;9;9mpen left on",
    "coloured_lines": JUNK + LINES,
}


def fed(data: str, piece: int = 1000) -> ScreenModel:
    model = ScreenModel(12, 40, history=100)
    for k in range(0, len(data), piece):
        model.feed(data[k : k + piece])
    return model


#: Output after the compaction: the pen left set, and the coloured lines again (whose rows the
#: coloured-lines path remembers by pen number).
MORE = " more\r\n" + LINES


@pytest.mark.parametrize("when", ["while_fed", "after"])
@pytest.mark.parametrize("name", list(STREAMS))
def test_compacting_changes_nothing_a_viewer_sees(
    name: str, when: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compact, "LIMIT", 10**9)
    other = fed(STREAMS["coloured_scrollback"])  # another live terminal, renumbered too
    other_before = other.snapshot(100)
    reference = fed(STREAMS[name] + MORE).snapshot(100)
    if when == "while_fed":
        monkeypatch.setattr(compact, "LIMIT", 200)
    model = fed(STREAMS[name])
    compact.compact()  # (after whatever compactions feeding made)
    for k in range(0, len(MORE), 100):
        model.feed(MORE[k : k + 100])
    assert model.snapshot(100) == reference
    assert other.snapshot(100) == other_before


def test_the_table_stays_bounded_under_endless_new_colours(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gc.collect()  # terminals of earlier tests: their pens are no longer in use
    compact.compact()
    in_use = compact._kept
    monkeypatch.setattr(compact, "LIMIT", 500)
    model = ScreenModel(12, 40, history=100)
    most = 0
    for k in range(60):
        model.feed(f"\x1b[H{colours(k * 480, 480)}")
        most = max(most, pens.count())
    # One frame's pens are in use at a time: the table holds a few frames' worth at most, not
    # the 28,800 pens the 60 frames made.
    assert most <= 2 * (in_use + 481) + 480
