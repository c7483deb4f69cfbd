"""OSC 8 hyperlinks in the screen model: the cells keep their link, and the restore payload
links them to the same address again (the xterm.js tables compare what a viewer then shows)."""

from __future__ import annotations

import re

import pytest

from jupyter_ci_terminal.screen import ScreenModel

_TOKEN = re.compile(
    r"\x1b\]8;[^;\x1b]*;([^\x1b]*)\x1b\\|\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|.)|[\x00-\x1f]|([^\x00-\x1f\x1b]+)"
)


def linked(snapshot: str) -> list[tuple[str, str]]:
    """(address, text) of the runs of text the payload writes inside a link, runs of one link
    joined (other sequences and controls are skipped)."""
    runs: list[tuple[str, str]] = []
    link = ""
    for m in _TOKEN.finditer(snapshot):
        if m.group(1) is not None:
            link = m.group(1)
        elif m.group(2) is not None and link:
            if runs and runs[-1][0] == link:
                runs[-1] = (link, runs[-1][1] + m.group(2))
            else:
                runs.append((link, m.group(2)))
    return runs


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("a \x1b]8;;https://e.org/x\x07link\x1b]8;;\x07 b", [("https://e.org/x", "link")]),
        # ST instead of BEL; SGR 0 inside keeps the link (as xterm.js).
        (
            "\x1b]8;;file:///t\x1b\\\x1b[1mbo\x1b[0mld\x1b]8;;\x1b\\",
            [("file:///t", "bold")],
        ),
        # The next link replaces the open one without an end in between.
        (
            "\x1b]8;;https://a/\x07A\x1b]8;;https://b/\x07B\x1b]8;;\x07",
            [("https://a/", "A"), ("https://b/", "B")],
        ),
        # params with an id; erased cells after the link do not belong to it.
        ("\x1b]8;id=1;https://c/\x07C\x1b[K\x1b]8;;\x07", [("https://c/", "C")]),
        # Only params and no address: ignored, as xterm.js does (the link stays open).
        ("\x1b]8;;https://d/\x07D\x1b]8;id=2;\x07E\x1b]8;;\x07", [("https://d/", "DE")]),
        ("no link \x1b]8;;\x07here", []),
    ],
    ids=["bel", "st_and_sgr_0", "replaced", "id_and_erase", "params_only", "end_without_open"],
)
def test_linked_cells_are_linked_again_in_the_restore(
    output: str, expected: list[tuple[str, str]]
) -> None:
    model = ScreenModel(5, 40)
    model.feed(output)
    assert linked(model.snapshot()) == expected


def test_a_link_left_open_stays_open_for_what_follows() -> None:
    model = ScreenModel(5, 40)
    model.feed("\x1b]8;;https://open/\x07$ ")
    snap = model.snapshot()
    assert snap.endswith("\x1b]8;;https://open/\x1b\\")  # the pen the next output is written in
    assert linked(snap) == [("https://open/", "$ ")]
    model.feed("typed")
    assert linked(model.snapshot()) == [("https://open/", "$ typed")]
