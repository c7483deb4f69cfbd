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
