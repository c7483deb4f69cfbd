"""Output escaped for JSON once equals json.dumps, alone and joined into batches; its binary
form is its UTF-8, chosen by the websocket's output parameter."""

from __future__ import annotations

import json

import pytest

from jupyter_ci_terminal.errors import ProtocolError
from jupyter_ci_terminal.protocol import terminado
from jupyter_ci_terminal.protocol.jsontext import Output, joined

TRICKY = [
    "",
    "plain text\r\n",
    'say "hi"',
    "back\\slash \\u0041 \\",
    "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b[31m\x7f",
    "\x85\u2028\u2029",  # C1 next line, JavaScript's line and paragraph separators
    "caf\u00e9 \u4e2d\u6587",
    "\ufffd where a lone surrogate was",  # the UTF-8 decoder replaced it
    "\U0001f600 \U00010348",  # beyond the BMP
    "</script>",
]


@pytest.mark.parametrize("text", TRICKY)
def test_one_piece_is_json_dumps(text: str) -> None:
    assert Output(text).literal == json.dumps(text, ensure_ascii=False)
    assert terminado.stdout(text) == json.dumps(["stdout", text], ensure_ascii=False)


@pytest.mark.parametrize("cut", range(1, len(TRICKY)))
def test_a_batch_joined_from_pieces_is_json_dumps_of_the_whole(cut: int) -> None:
    pieces = [Output(text) for text in TRICKY[:cut]] + [Output("".join(TRICKY[cut:]))]
    whole = "".join(piece.text for piece in pieces)
    assert joined(pieces) == json.dumps(whole, ensure_ascii=False)
    assert json.loads(terminado.stdout_of(pieces)) == ["stdout", whole]


@pytest.mark.parametrize("cut", range(1, len(TRICKY)))
def test_binary_output_is_the_utf8_of_the_text_in_whole_characters(cut: int) -> None:
    pieces = [Output(text) for text in TRICKY[:cut]] + [Output("".join(TRICKY[cut:]))]
    whole = "".join(piece.text for piece in pieces)
    assert terminado.stdout_binary(pieces) == whole.encode("utf-8")
    assert all(piece.utf8.decode("utf-8") == piece.text for piece in pieces)  # each on its own


def test_a_lone_surrogate_is_one_character_in_binary_output() -> None:
    # None comes from the decoder; were one to, the client's count of characters stays right.
    assert Output("a\ud800b").utf8.decode("utf-8") == "a?b"


@pytest.mark.parametrize(
    ("value", "stdout"),
    [
        (None, terminado.stdout_of),
        ("json", terminado.stdout_of),
        ("binary", terminado.stdout_binary),
    ],
)
def test_the_output_parameter_chooses_the_format(value: str | None, stdout: object) -> None:
    assert terminado.output_format(value) is stdout


@pytest.mark.parametrize("value", ["", "BINARY", "bin", "json,binary", "x" * 10_000])
def test_an_unknown_output_format_is_refused_with_a_sentence_that_does_not_echo_it(
    value: str,
) -> None:
    with pytest.raises(ProtocolError) as e:
        terminado.output_format(value)
    assert str(e.value) == 'The websocket\'s "output" parameter must be "json" or "binary".'
