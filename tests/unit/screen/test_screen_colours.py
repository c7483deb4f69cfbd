"""Which SGR sequences set one colour only, and what their kind matches (the flood skip lets
those vary between copies of an update)."""

from __future__ import annotations

import re

import pytest

from jupyter_ci_terminal.screen import colours

#: (sequence, slot it sets or None, other sequences of its kind, sequences not of its kind)
CASES = [
    ("\x1b[31m", "fg", ["\x1b[30m", "\x1b[37m", "\x1b[39m"], ["\x1b[38m", "\x1b[91m", "\x1b[41m"]),
    ("\x1b[97m", "fg", ["\x1b[90m"], ["\x1b[98m", "\x1b[31m"]),
    ("\x1b[44m", "bg", ["\x1b[40m", "\x1b[49m"], ["\x1b[48m", "\x1b[34m", "\x1b[104m"]),
    ("\x1b[107m", "bg", ["\x1b[100m"], ["\x1b[108m", "\x1b[97m"]),
    (
        "\x1b[38;5;9m",
        "fg",
        ["\x1b[38;5;255m", "\x1b[38;5;07m"],
        ["\x1b[38;5;1000m", "\x1b[48;5;9m"],
    ),
    (
        "\x1b[48;2;1;22;255m",
        "bg",
        ["\x1b[48;2;0;0;0m", "\x1b[48;2;255;255;255m"],
        ["\x1b[48;2;0;0m", "\x1b[38;2;1;22;255m", "\x1b[48;2;1;2;3;4m"],
    ),
    # Anything that sets more than one colour, or something else, or in another form.
    ("\x1b[1;31m", None, [], []),
    ("\x1b[0m", None, [], []),
    ("\x1b[m", None, [], []),
    ("\x1b[1m", None, [], []),
    ("\x1b[38m", None, [], []),
    ("\x1b[38:5:1m", None, [], []),
    ("\x1b[38;2;1;2;3;4m", None, [], []),
    ("\x1b[31;42m", None, [], []),
    ("\x1b[>4;1m", None, [], []),
    ("\x1b[3\u0661m", None, [], []),  # a digit that is not ASCII: no SGR for the terminal
]


@pytest.mark.parametrize(("seq", "slot", "same", "other"), CASES)
def test_an_sgr_that_sets_one_colour_varies_within_its_kind(
    seq: str, slot: str | None, same: list[str], other: list[str]
) -> None:
    found = colours.varies(seq)
    if slot is None:
        assert found is None
        return
    assert found is not None
    assert found[0] == slot
    pattern = re.compile(found[1])
    assert pattern.fullmatch(seq)
    assert all(pattern.fullmatch(s) for s in same)
    assert not any(pattern.fullmatch(s) for s in other)


@pytest.mark.parametrize(
    ("text", "saves"),
    [
        ("\r\x1b7x\x1b8", True),
        ("\x1b[s\x1b[5;1Hx\x1b[u", True),
        ("\x1b[?1048h", True),
        ("\x1b[?1049l", True),
        ("\r\x1b[31mx\x1b[0m", False),
        ("\x1b[?25l\x1b[7m", False),
    ],
)
def test_saving_the_cursor_is_found(text: str, saves: bool) -> None:
    assert (colours.SAVES.search(text) is not None) is saves
