"""The browser side: terminado's JSON-array messages, as JupyterLab's TerminalConnection speaks them.

Client → server: ``["stdin", text]``, ``["set_size", rows, cols, height_px, width_px]`` and
``["ack", n]``: the client has finished displaying ``n`` more characters of ``stdout`` content
(an extension of terminado's protocol, sent only to servers whose session JSON says
``"acks": true``; it lets the server measure how far behind the screen really is).
Server → client: ``["setup", {}]`` first, then ``["stdout", text]``, and ``["disconnect", 1]``.
A client that opens the websocket with ``?output=binary`` gets each ``stdout`` message as a
binary frame holding the UTF-8 of its text instead (whole characters, never split across frames;
our extension's tabs ask for it): the server then skips escaping output for JSON, a large share
of its CPU per byte. Control messages stay JSON text frames, in order with the output.

Anything a client can send either parses or raises :class:`ProtocolError` carrying its close
code: no NaN or Infinity, no nesting deep enough to exhaust the parser, no number too long to
convert cheaply, no input beyond the cap (``max_input`` bytes of stdin).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn

from ..errors import ProtocolError
from .frames import Input, Resize, terminal_size
from .jsontext import Output, joined
from .limits import DEFAULT_MAX_INPUT, MAX_ACK, dimension, too_big, wire_limit

#: Digits of an integer worth converting: a terminal size has at most 5.
_MAX_DIGITS = 20


@dataclass(frozen=True)
class Ignored:
    """A well-formed message of a type we do not act on (terminado ignores these too)."""

    kind: str


@dataclass(frozen=True)
class Ack:
    """The client finished displaying ``chars`` more characters of ``stdout`` content."""

    chars: int


BrowserEvent = Input | Resize | Ack | Ignored


def _refuse_constant(name: str) -> NoReturn:
    msg = f"A terminal message may not hold {name}."
    raise ProtocolError(msg)


def _parse_int(digits: str) -> int | float:
    # Python refuses to convert over 4300 digits, but converting fewer is already quadratic.
    if len(digits) > _MAX_DIGITS:
        msg = "A terminal message holds a number too long to be a size."
        raise ProtocolError(msg)
    return int(digits)


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (JSON allows "\ud800"): U+FFFD, as the browser's TextEncoder does.
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


def parse(message: str | bytes, max_input: int = DEFAULT_MAX_INPUT) -> BrowserEvent:
    """Parse one browser message; anything malformed raises :class:`ProtocolError`."""
    if isinstance(message, bytes):
        msg = "Terminal messages must be text frames holding a JSON array."
        raise ProtocolError(msg)
    if len(message) > wire_limit(max_input):
        what = f"A terminal message of {len(message)} characters"
        raise too_big(what, max_input)
    try:
        command = json.loads(message, parse_constant=_refuse_constant, parse_int=_parse_int)
    except (ValueError, RecursionError) as e:
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
        data = _utf8(command[1])
        if len(data) > max_input:
            what = f"A paste of {len(data)} bytes"
            raise too_big(what, max_input)
        return Input(data)
    if kind == "set_size":
        try:
            rows, cols = dimension(command[1]), dimension(command[2])
        except (IndexError, TypeError, ValueError) as e:
            msg = 'A "set_size" message must carry rows and columns.'
            raise ProtocolError(msg) from e
        return terminal_size(rows, cols)
    if kind == "ack":
        return _ack(command)
    if len(kind) > 40:
        msg = "A terminal message names an unknown kind."
        raise ProtocolError(msg)
    return Ignored(kind)


def _ack(command: list[object]) -> Ack:
    chars = command[1] if len(command) == 2 else None
    # bool is an int in Python, JSON's true is not a count.
    if not isinstance(chars, int) or isinstance(chars, bool) or not 0 <= chars <= MAX_ACK:
        msg = f'An "ack" message must carry one whole number of characters from 0 to {MAX_ACK}.'
        raise ProtocolError(msg)
    return Ack(chars)


def stdin(text: str) -> str:
    """A keystroke message, as JupyterLab sends it (for tests and clients)."""
    return json.dumps(["stdin", text])


def ack(chars: int) -> str:
    """An acknowledgement of ``chars`` displayed characters (for tests and clients)."""
    return json.dumps(["ack", chars])


def setup() -> str:
    """The first message: JupyterLab drops everything until it arrives."""
    return json.dumps(["setup", {}])


def stdout(text: str) -> str:
    """Terminal output."""
    return stdout_of([Output(text)])


def stdout_of(pieces: Sequence[Output]) -> str:
    """Terminal output joined from pieces escaped once (see :mod:`.jsontext`)."""
    return joined(pieces, '["stdout", ', "]")


def stdout_binary(pieces: Sequence[Output]) -> bytes:
    """Terminal output for a client that asked for binary output: the UTF-8 of its text."""
    return pieces[0].utf8 if len(pieces) == 1 else b"".join(piece.utf8 for piece in pieces)


#: How a viewer's stdout messages are built: a JSON text message, or binary UTF-8.
StdoutFormat = Callable[[Sequence[Output]], str | bytes]
#: The websocket URL's query parameter by which a client chooses, and its values.
OUTPUT_PARAMETER = "output"
OUTPUT_FORMATS: dict[str, StdoutFormat] = {"json": stdout_of, "binary": stdout_binary}


def output_format(value: str | None) -> StdoutFormat:
    """The format of ``?output=<value>`` (JSON when absent); another value raises ProtocolError."""
    if value is None:
        return stdout_of
    try:
        return OUTPUT_FORMATS[value]
    except KeyError:
        msg = 'The websocket\'s "output" parameter must be "json" or "binary".'
        raise ProtocolError(msg) from None


def disconnect() -> str:
    """The session ended; JupyterLab disposes the connection on this."""
    return json.dumps(["disconnect", 1])
