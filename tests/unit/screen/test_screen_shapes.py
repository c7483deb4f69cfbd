"""The flood skip counts the copies of an update's shape exactly as a character-by-character
comparison does: escape sequences, CR, LF, BS and non-ASCII text the same, printable ASCII
text anywhere else, whatever the window the copies are compared in."""

from __future__ import annotations

import re

import pytest

from jupyter_ci_terminal.screen import skip
from jupyter_ci_terminal.screen.rows import width

#: Escape sequences as the terminal reads them (a CSI, or ESC, intermediates and a final that
#: opens no CSI, OSC or string).
_SEQ = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[ -/]*[0-OQ-WYZ\\`-~])")


def fixed(t: str) -> list[bool] | None:
    """Per character of ``t``: must a copy have the same character there? None when the skip
    must not take ``t`` at all."""
    same = [not " " <= c <= "~" for c in t]
    for m in _SEQ.finditer(t):
        same[m.start() : m.end()] = [True] * (m.end() - m.start())
    for i, c in enumerate(t):
        control = (c < " " and c not in "\r\n\x08\x1b") or "\x7f" <= c <= "\x9f"
        zero_width = c >= "\xa0" and not width(c)
        if control or zero_width or (c == "\x1b" and not _SEQ.match(t, i)):
            return None
    return same


def expected(data: str, size: int) -> int:
    """What ``repeats`` must return for the update ``data[:size]``, one character at a time."""
    t = data[:size]
    same = fixed(t)
    if same is None or len(data) - size < max(skip.MIN_SKIP, 2 * size):
        return 0
    if not data.startswith(data[size], 2 * size):
        return 0  # the copy after the next does not start with the anchor
    good = 0
    for at in range(size, len(data) - size + 1, size):
        copy = data[at : at + size]
        if not all(c == o if s else " " <= c <= "~" for c, o, s in zip(copy, t, same, strict=True)):
            break
        good += 1
    return (good - 1) * size if good > 1 else 0


def copies(update: str, n: int, changes: dict[int, str] | None = None) -> tuple[int, str]:
    """The length of one copy and ``n + 1`` copies of ``update`` with ``{}`` as the last digit
    of the copy's number, some replaced."""
    out = [update.replace("{}", str(i % 10)) for i in range(n + 1)]
    for i, text in (changes or {}).items():
        out[i] = text
    return len(out[0]), "".join(out)


CASES = {
    "the_same_text": copies("\x1b7\x1b[5;1H\x1b[42mdone [ 50%]\x1b[0m\x1b8", 90),
    # Another shape where comparing runs of the same text doubles (copies 1, 3, 7, 15, 31, 63)
    # or halves.
    **{
        f"the_same_text_then_another_shape_at_{at}": copies(
            "\x1b7\x1b[5;1H[ 50%]\x1b8", 100, {at: "\x1b7\x1b[5;1H[ 50%]\x1b[K"}
        )
        for at in (2, 4, 16, 32, 48, 64, 100)
    },
    "changing_text": copies("\x1b[3;1Hcount {}", 200),
    "same_runs_then_changing_text": (
        5,
        "\rsame" * 120 + "".join(f"\rs{i % 10}me" for i in range(120)),
    ),
    "a_different_sequence_of_the_same_length": copies(
        "\x1b[1;1H\x1b[31mab{}", 100, {40: "\x1b[1;1H\x1b[32mab0"}
    ),
    "a_sequence_in_place_of_text": copies("\r\x1b[1m{}abcd", 100, {33: "\r\x1b[1m\x1b[Kb"}),
    "del_in_place_of_text": copies("\r{}%  ", 100, {50: "\r5%\x7f "}),
    "tab_in_place_of_text": copies("\r{}%  ", 100, {50: "\r5%\t "}),
    "lone_escape_in_place_of_text": copies("\r{}%  ", 100, {50: "\r5%\x1b "}),
    "non_ascii_in_place_of_text": copies("\r{}%  ", 100, {50: "\r5%é "}),
    "c1_in_place_of_text": copies("\r{}%  ", 100, {50: "\r5%\x85 "}),
    "other_non_ascii_text": copies("\r{}|██▌|", 100, {60: "\r3|██▋|"}),
    "wide_text": copies("\r進捗 {} 完了", 100),
    "lines_of_a_frame": copies("\x1b[2A\rstep {}\x1b[K\r\nnext {}\x1b[K\r\n", 60, {30: "x" * 40}),
    "backspaces": copies("\r{}\x08\x08ab", 100),
    "a_tab_in_the_update": copies("\r{}\tx", 100),
    "a_zero_width_mark_in_the_update": copies("\ra\u0301{}", 100),
    "a_c1_control_in_the_update": copies("\r{}\x85", 100),
    "a_string_in_the_update": copies("\r{}\x1b]0;t\x07", 100),
    "a_broken_sequence_in_the_update": copies("\r{}\x1b\x01", 100),
    "escape_bracket_that_makes_no_csi": copies(
        "\x1b[3;1H\x1b[ 1{}", 100, {40: "\x1b[3;1H\x1b[31mx"}
    ),
    "a_string_opener_in_the_update": copies("\r{}\x1bP12", 100),
    "a_charset_and_a_dec_escape_in_the_update": copies("\r{}\x1b(0q\x1b(B\x1b7", 100),
    "the_last_copy_cut_short": (8, copies("\rcount {}", 100)[1][:-3]),
    "too_few_to_skip": copies("\r{}", 20),
    "the_copy_after_next_starts_elsewhere": (3, "\rab\rcdx" + copies("\r{}z", 100)[1]),
}


@pytest.mark.parametrize("window", [1, 7, 100, skip.WINDOW])
@pytest.mark.parametrize("name", list(CASES))
def test_copies_are_counted_as_one_character_at_a_time(
    name: str, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(skip, "WINDOW", window)
    size, data = CASES[name]
    want = expected(data, size)
    # Twice: the second time with the shape already compiled.
    assert skip.repeats(data, 0, size, size + 1) == want
    assert skip.repeats(data, 0, size, size + 1) == want


def test_a_shape_compiled_for_one_update_is_not_taken_for_another_of_its_length() -> None:
    size, red = CASES["a_different_sequence_of_the_same_length"]
    green = copies("\x1b[1;1H\x1b[32mab{}", 100)[1]
    for data in (red, green, red, green):
        assert skip.repeats(data, 0, size, size + 1) == expected(data, size)


def test_cases_that_skip_and_cases_that_do_not_are_both_there() -> None:
    skipped = {name for name, (size, data) in CASES.items() if expected(data, size)}
    assert {"the_same_text", "changing_text", "wide_text", "lines_of_a_frame"} <= skipped
    assert {"a_tab_in_the_update", "too_few_to_skip"}.isdisjoint(skipped)


def test_a_shape_too_long_to_compile_is_not_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    size, data = copies("\x1b[1;1H\x1b[31mnot seen {}", 100)
    assert skip.repeats(data, 0, size, size + 1) == expected(data, size) > 0
    monkeypatch.setattr(skip, "_recent", {})
    pattern = skip._pattern(data[:size])
    assert pattern is not None
    monkeypatch.setattr(skip, "SHAPE_MAX", len(pattern) - 1)
    assert skip.repeats(data, 0, size, size + 1) == 0
