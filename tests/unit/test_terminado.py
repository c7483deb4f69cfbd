"""The browser-side codec: terminado messages as JupyterLab sends them."""

from __future__ import annotations

import json

import pytest

from jupyter_ci_terminal.errors import ProtocolError
from jupyter_ci_terminal.protocol import terminado
from jupyter_ci_terminal.protocol.frames import Input, Resize


@pytest.mark.parametrize(
    ("message", "event"),
    [
        ('["stdin", "ls\\r"]', Input(b"ls\r")),
        ('["stdin", "\\u00e9"]', Input("é".encode())),
        ('["set_size", 45, 131, 800, 1200]', Resize(45, 131)),
        ('["set_size", "24", "80"]', Resize(24, 80)),
        ('["ping"]', terminado.Ignored("ping")),
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
        ('["set_size", 0, 80]', "out of range"),
        ('["set_size", 24]', "rows and columns"),
        (json.dumps(["stdin", "x" * (terminado.MAX_MESSAGE + 1)]), "exceeds"),
    ],
)
def test_parse_refuses_malformed_messages_with_a_sentence(
    message: str | bytes, fragment: str
) -> None:
    with pytest.raises(ProtocolError, match=fragment):
        terminado.parse(message)


def test_server_messages_are_what_terminal_connection_expects() -> None:
    assert json.loads(terminado.setup()) == ["setup", {}]
    assert json.loads(terminado.stdout("a\x1b[0m")) == ["stdout", "a\x1b[0m"]
    assert json.loads(terminado.disconnect()) == ["disconnect", 1]
