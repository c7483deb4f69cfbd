"""The check that lets a block of plain lines go in bulk (``lines.clean``)."""

from __future__ import annotations

import pytest

from jupyter_ci_terminal.screen import lines

CLEAN = [
    ("", 1),
    ("abc", 1),
    ("abc\r\ndef", 2),
    ("\r\n", 2),
    ("a\r\n\r\nb", 3),
    ("~ !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}", 1),
    ("a\rb\r\nc", 0),  # a lone CR
    ("a\nb", 0),  # a lone LF
    ("a\r\n\nb", 0),
    ("a\r\r\nb", 0),
    ("a\n\rb", 0),  # LF CR: the right number of each, in the wrong order
    ("a\rb\nc", 0),  # CR and LF apart: as many pairs of controls, none adjacent
    ("a\tb", 0),
    ("a\x7fb", 0),
    ("a\x00b", 0),
    ("a\x1bb", 0),
    ("caf\u00e9", 0),  # not ASCII: the general path looks up its width
]


@pytest.mark.parametrize(("text", "count"), CLEAN)
def test_only_printable_ascii_lines_joined_by_crlf_are_clean(text: str, count: int) -> None:
    assert lines.clean(text) == count


@pytest.mark.parametrize(
    ("pieces", "cut"),
    [
        (["a\r\nb\r\nc\r\nd\r\ne"], ("a\r\n", "c\r\nd\r\ne")),
        (["a\r", "\nb\r\nc\r", "\nd\r\n"], ("a\r\n", "c\r\nd\r\n")),  # CR LF across pieces
        (["ab", "c\r\nd", "\r\ne\r\nf\r\n", "g"], ("abc\r\n", "e\r\nf\r\ng")),
        (["a\r\nb\r\nc\r\n"], None),  # too few lines to drop any
        (["a\r\nb\r\nc\r\nd\r\ne\r"], None),  # a CR still waiting for its LF
        (["a\r\nb\rc\r\nd\r\ne\r\n"], None),  # a lone CR
        (["a\r\nb\nc\r\nd\r\ne\r\n"], None),  # a lone LF
        (["a\r\nb\rx\nc\r\nd\r\ne\r\n"], None),  # a CR and an LF apart
        (["a\r\nb\r\nc\x1b[m\r\nd\r\ne\r\n"], None),  # an escape sequence
        (["a\r\nb\r\n", "\u00e9\r\nd\r\ne\r\n"], None),  # not ASCII
    ],
)
def test_a_queue_of_plain_lines_is_cut_to_its_first_line_end_and_last_lines(
    pieces: list[str], cut: tuple[str, str] | None
) -> None:
    ends = [
        lines.line_ends(p, k > 0 and pieces[k - 1].endswith("\r")) for k, p in enumerate(pieces)
    ]
    if None in ends:
        assert cut is None
        return
    assert lines.trim(pieces, [n or 0 for n in ends], 2) == cut


@pytest.mark.parametrize(
    ("text", "after_cr", "ends"),
    [
        ("abc", False, 0),
        ("a\r\nb\r\n", False, 2),
        ("a\r\nb\r", False, 1),  # the last CR waits for its LF
        ("\nb\r\n", True, 2),  # the LF of the CR before
        ("\n", True, 1),
        ("\n\r", True, 1),
        ("b\r\n", True, None),  # the CR before was alone
        ("\nb", False, None),  # a lone LF
        ("a\rb\r\n", False, None),
        ("a\rb\nc", False, None),  # a CR and an LF apart
        ("a\n\r", False, None),
        ("a\tb", False, None),
        ("caf\u00e9\r\n", False, None),
    ],
)
def test_line_ends_are_counted_in_plain_lines_only(
    text: str, after_cr: bool, ends: int | None
) -> None:
    assert lines.line_ends(text, after_cr) == ends
