"""The browser-side codec: terminado messages as JupyterLab sends them."""

from __future__ import annotations

import json

import pytest

from jupyter_ci_terminal.errors import ProtocolError
from jupyter_ci_terminal.protocol import limits, terminado
from jupyter_ci_terminal.protocol.frames import Input, Resize


@pytest.mark.parametrize(
    ("message", "event"),
    [
        ('["stdin", "ls\\r"]', Input(b"ls\r")),
        ('["stdin", "\\u00e9"]', Input("é".encode())),
        ('["set_size", 45, 131, 800, 1200]', Resize(45, 131)),
        ('["set_size", "24", "80"]', Resize(24, 80)),
        ('["set_size", 24.0, 80.0]', Resize(24, 80)),
        ('["ping"]', terminado.Ignored("ping")),
        ('["ack", 0]', terminado.Ack(0)),
        ('["ack", 16384]', terminado.Ack(16384)),
        (f'["ack", {limits.MAX_ACK}]', terminado.Ack(limits.MAX_ACK)),
    ],
)
def test_parse_accepts_what_jupyterlab_sends(message: str, event: object) -> None:
    assert terminado.parse(message) == event


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        (b'["stdin", "x"]', "text frames"),
        ("not json", "not valid JSON"),
        ('{"stdin": "x"}', "JSON array"),
        ("[]", "JSON array"),
        ("[1, 2]", "JSON array"),
        ('["stdin"]', "carry a string"),
        ('["stdin", 5]', "carry a string"),
        ('["set_size", "a", "b"]', "rows and columns"),
        ('["set_size", 0, 80]', "1 to 10000 rows"),
        ('["set_size", 24]', "rows and columns"),
        ('["set_size", true, 80]', "rows and columns"),
        ('["set_size", 24, [80]]', "rows and columns"),
        ('["set_size", Infinity, 80]', "may not hold Infinity"),
        ('["set_size", NaN, 80]', "may not hold NaN"),
        ('["set_size", 1e400, 80]', "rows and columns"),
        ('["set_size", "99999999999", 80]', "rows and columns"),
        ('["ack"]', "one whole number"),
        ('["ack", -1]', "one whole number"),
        ('["ack", 1.5]', "one whole number"),
        ('["ack", 2.0]', "one whole number"),
        ('["ack", "12"]', "one whole number"),
        ('["ack", true]', "one whole number"),
        ('["ack", null]', "one whole number"),
        ('["ack", 1, 2]', "one whole number"),
        (f'["ack", {limits.MAX_ACK + 1}]', "one whole number"),
        ('["ack", 1e400]', "one whole number"),
        ('["ack", NaN]', "may not hold NaN"),
        ('["ack", 123456789012345678901234]', "too long"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),
    ],
)
def test_parse_refuses_malformed_messages_with_a_sentence(
    message: str | bytes, fragment: str
) -> None:
    with pytest.raises(ProtocolError, match=fragment) as refused:
        terminado.parse(message)
    assert refused.value.close_code == 1007


@pytest.mark.parametrize("digits", [30, 5000, 100_000])
def test_a_huge_number_is_refused_without_being_echoed(digits: int) -> None:
    with pytest.raises(ProtocolError, match="too long") as refused:
        terminado.parse(f'["set_size", {"9" * digits}, 80]')
    assert "999999" not in str(refused.value)
    assert refused.value.close_code == 1007


def test_a_size_out_of_range_is_refused_without_echoing_the_numbers() -> None:
    with pytest.raises(ProtocolError) as refused:
        terminado.parse('["set_size", 12345678901234567890, 80]')
    assert "1234567" not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "sent"),
    [
        (r"\ud800", "\ufffd".encode()),  # a lone surrogate: U+FFFD, as TextEncoder does
        (r"a\udcffb", "a\ufffdb".encode()),  # no raw byte 0xff smuggled into the pty either
        (r"\ud83d\ude00", "\U0001f600".encode()),  # a pair is one character
    ],
)
def test_lone_surrogates_in_stdin_become_replacement_characters(text: str, sent: bytes) -> None:
    assert terminado.parse(f'["stdin", "{text}"]') == Input(sent)


@pytest.mark.parametrize(
    ("message", "max_input"),
    [
        (json.dumps(["stdin", "x" * 1025]), 1024),
        (json.dumps(["stdin", "\u00e9" * 600]), 1024),  # 1200 bytes of UTF-8
        (json.dumps(["stdin", "\r" * 2000]), 1024),  # refused unparsed: too long on the wire
    ],
)
def test_input_over_the_cap_closes_with_1009_and_a_sentence(message: str, max_input: int) -> None:
    with pytest.raises(ProtocolError, match="exceeds the limit of 1024 bytes") as refused:
        terminado.parse(message, max_input)
    assert refused.value.close_code == 1009


def test_input_at_the_cap_is_taken_whole() -> None:
    assert terminado.parse(json.dumps(["stdin", "x" * 1024]), 1024) == Input(b"x" * 1024)
    paste = "line\r" * 200_000  # a 1.2 MB paste with the default cap of 4 MiB
    assert terminado.parse(terminado.stdin(paste)) == Input(paste.encode())


def test_server_messages_are_what_terminal_connection_expects() -> None:
    assert json.loads(terminado.setup()) == ["setup", {}]
    assert json.loads(terminado.stdout("a\x1b[0m")) == ["stdout", "a\x1b[0m"]
    assert json.loads(terminado.disconnect()) == ["disconnect", 1]
    assert terminado.parse(terminado.ack(42)) == terminado.Ack(42)
