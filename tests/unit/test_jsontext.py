"""Output escaped for JSON once equals json.dumps, alone, joined into batches and in recordings;
its binary form is its UTF-8, chosen by the websocket's output parameter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_ci_terminal.errors import ProtocolError
from jupyter_ci_terminal.protocol import terminado
from jupyter_ci_terminal.protocol.jsontext import Output, joined
from jupyter_ci_terminal.sessions.recording import Recording

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


def test_the_recording_writes_the_lines_json_dumps_would(tmp_path: Path) -> None:
    path = tmp_path / "s.cast"
    rec = Recording(path, rows=24, cols=80, title="t", record_input=False)
    for text in TRICKY:
        rec.output(Output(text))
    rec.resize(30, 100)
    rec.close()
    # Only "\n" ends a line (splitlines would also cut at \x0b, \x85, \u2028, which stay raw).
    header, *lines = (line + "\n" for line in path.read_text(encoding="utf-8").split("\n")[:-1])
    assert json.loads(header)["version"] == 2
    events = [json.loads(line) for line in lines]
    assert [data for _, kind, data in events if kind == "o"] == TRICKY
    assert events[-1][1:] == ["r", "100x30"]
    # Byte for byte what json.dumps writes, so every asciicast v2 reader takes it.
    assert lines == [json.dumps(event, ensure_ascii=False) + "\n" for event in events]


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
