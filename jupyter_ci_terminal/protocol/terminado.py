"""The browser side: terminado's JSON-array messages, as JupyterLab's TerminalConnection speaks them.

Client → server: ``["stdin", text]`` and ``["set_size", rows, cols, height_px, width_px]``.
Server → client: ``["setup", {}]`` first, then ``["stdout", text]``, and ``["disconnect", 1]``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..errors import ProtocolError
from .frames import Input, Resize

#: Largest client message accepted, in characters; a bigger paste is refused, not truncated.
MAX_MESSAGE = 1024 * 1024


@dataclass(frozen=True)
class Ignored:
    """A well-formed message of a type we do not act on (terminado ignores these too)."""

    kind: str


BrowserEvent = Input | Resize | Ignored


def parse(message: str | bytes) -> BrowserEvent:
    """Parse one browser message; anything malformed raises :class:`ProtocolError`."""
    if isinstance(message, bytes):
        msg = "Terminal messages must be text frames holding a JSON array."
        raise ProtocolError(msg)
    if len(message) > MAX_MESSAGE:
        msg = f"A terminal message of {len(message)} characters exceeds {MAX_MESSAGE}."
        raise ProtocolError(msg)
    try:
        command = json.loads(message)
    except ValueError as e:
        msg = "A terminal message is not valid JSON."
        raise ProtocolError(msg) from e
    if not isinstance(command, list) or not command or not isinstance(command[0], str):
        msg = 'A terminal message must be a JSON array like ["stdin", "ls\\r"].'
        raise ProtocolError(msg)
    kind = command[0]
    if kind == "stdin":
        if len(command) < 2 or not isinstance(command[1], str):
            msg = 'A "stdin" message must carry a string.'
            raise ProtocolError(msg)
        return Input(command[1].encode("utf-8", "surrogateescape"))
    if kind == "set_size":
        try:
            rows, cols = int(command[1]), int(command[2])
        except (IndexError, TypeError, ValueError) as e:
            msg = 'A "set_size" message must carry rows and columns.'
            raise ProtocolError(msg) from e
        if not (0 < rows <= 10000 and 0 < cols <= 10000):
            msg = f"A terminal size of {rows}x{cols} is out of range."
            raise ProtocolError(msg)
        return Resize(rows, cols)
    return Ignored(kind)


def setup() -> str:
    """The first message: JupyterLab drops everything until it arrives."""
    return json.dumps(["setup", {}])


def stdout(text: str) -> str:
    """Terminal output."""
    return json.dumps(["stdout", text])


def disconnect() -> str:
    """The session ended; JupyterLab disposes the connection on this."""
    return json.dumps(["disconnect", 1])
