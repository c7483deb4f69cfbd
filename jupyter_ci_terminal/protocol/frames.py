"""Runner-side websocket subprotocols as pure functions (no I/O).

Three subprotocols carry a job's terminal (see the protocol reference):

* ``terminal.gitlab.com``: binary frames of raw bytes both ways; text frames are accepted as input.
* ``base64.terminal.gitlab.com``: the same bytes, each frame base64 (standard alphabet, padded)
  in a text frame; a frame that does not decode ends the session.
* ``channel.k8s.io``: binary frames whose first byte is the channel: 0 stdin, 1 stdout,
  2 stderr, 3 error (JSON status), 4 resize (JSON ``{"Width": cols, "Height": rows}``).

With no subprotocol gitlab-runner sends binary output until the client sends a text frame, and
text from then on; :class:`RawServerCodec` keeps that quirk for direct clients, replacing
invalid UTF-8 in text frames with U+FFFD as gitlab-terminal does.

Client codecs (used by the Jupyter side when it dials a runner) split input larger than
:data:`MAX_INPUT_FRAME`, because gitlab-runner silently truncates larger frames. Server codecs
accept whole input frames up to a cap (a big paste) and refuse larger ones with 1009.

The limits are in :mod:`.limits`; every :class:`ProtocolError` raised here carries its close
code and a one-sentence message short enough for a close frame.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
from dataclasses import dataclass

from ..errors import ProtocolError
from .limits import DEFAULT_MAX_INPUT, MAX_DIMENSION, dimension, too_big, wire_limit

GITLAB = "terminal.gitlab.com"
GITLAB_BASE64 = "base64.terminal.gitlab.com"
K8S = "channel.k8s.io"

#: What a client offers, best first: resize works only on ``channel.k8s.io``.
CLIENT_OFFER = (K8S, GITLAB)
#: The order in which a server picks among the subprotocols a client offers.
SERVER_PREFERENCE = (K8S, GITLAB, GITLAB_BASE64)
#: Largest input frame gitlab-runner reads whole (its io.Copy buffer), in bytes.
MAX_INPUT_FRAME = 32 * 1024

_K8S_STDIN, _K8S_STDOUT, _K8S_STDERR, _K8S_ERROR, _K8S_RESIZE = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Frame:
    """One websocket data frame."""

    payload: bytes
    binary: bool = True


@dataclass(frozen=True)
class Input:
    """Bytes for the shell's stdin."""

    data: bytes


@dataclass(frozen=True)
class Resize:
    """A new terminal size."""

    rows: int
    cols: int


ClientEvent = Input | Resize


def terminal_size(rows: int, cols: int) -> Resize:
    """A validated size; the numbers are not echoed, as they may be huge."""
    if not (0 < rows <= MAX_DIMENSION and 0 < cols <= MAX_DIMENSION):
        msg = f"A terminal size must be 1 to {MAX_DIMENSION} rows and columns."
        raise ProtocolError(msg)
    return Resize(rows, cols)


def choose_subprotocol(offered: list[str]) -> str | None:
    """Pick the server's subprotocol among those a client offered (None: no match)."""
    for name in SERVER_PREFERENCE:
        if name in offered:
            return name
    return None


def _split(data: bytes, size: int = MAX_INPUT_FRAME) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


def _b64decode(payload: bytes) -> bytes:
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as e:
        msg = "A base64.terminal.gitlab.com frame is not valid base64."
        raise ProtocolError(msg) from e


def _parse_resize(body: bytes) -> Resize:
    try:
        # A resize is a flat object of two numbers: anything long is not one.
        if len(body) > 256:
            raise ValueError
        size = json.loads(body)
        rows, cols = dimension(size["Height"]), dimension(size["Width"])
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as e:
        msg = 'A channel.k8s.io resize frame must be JSON {"Width": cols, "Height": rows}.'
        raise ProtocolError(msg) from e
    return terminal_size(rows, cols)


class ServerCodec:
    """Server side of ``terminal.gitlab.com``: any data frame is stdin, output is binary."""

    subprotocol: str | None = GITLAB
    supports_resize = False

    def __init__(self, max_input: int = DEFAULT_MAX_INPUT) -> None:
        self.max_input = max_input

    def _input(self, data: bytes) -> list[ClientEvent]:
        if len(data) > self.max_input:
            what = f"An input frame of {len(data)} bytes"
            raise too_big(what, self.max_input)
        return [Input(data)] if data else []

    def decode_client(self, frame: Frame) -> list[ClientEvent]:
        """Turn one client frame into events for the shell."""
        return self._input(frame.payload)

    def encode_output(self, data: bytes) -> Frame:
        """Wrap shell output in one frame."""
        return Frame(data, binary=True)


class Base64ServerCodec(ServerCodec):
    """Server side of ``base64.terminal.gitlab.com``."""

    subprotocol = GITLAB_BASE64

    def decode_client(self, frame: Frame) -> list[ClientEvent]:
        """Decode one base64 client frame; malformed base64 raises :class:`ProtocolError`."""
        if len(frame.payload) > wire_limit(self.max_input):
            what = f"A frame of {len(frame.payload)} bytes"
            raise too_big(what, self.max_input)
        return self._input(_b64decode(frame.payload))

    def encode_output(self, data: bytes) -> Frame:
        """Base64-encode shell output into one text frame."""
        return Frame(base64.b64encode(data), binary=False)


class K8sServerCodec(ServerCodec):
    """Server side of ``channel.k8s.io``: channel byte first, resize on channel 4."""

    subprotocol = K8S
    supports_resize = True

    def decode_client(self, frame: Frame) -> list[ClientEvent]:
        """Decode a stdin or resize frame; other channels raise :class:`ProtocolError`."""
        if not frame.payload:
            return []
        channel, body = frame.payload[0], frame.payload[1:]
        if channel == _K8S_STDIN:
            return self._input(body)
        if channel == _K8S_RESIZE:
            return [_parse_resize(body)]
        msg = f"channel.k8s.io client frames use channel 0 (stdin) or 4 (resize), not {channel}."
        raise ProtocolError(msg)

    def encode_output(self, data: bytes) -> Frame:
        """Prefix shell output with the stdout channel byte."""
        return Frame(bytes([_K8S_STDOUT]) + data, binary=True)


class RawServerCodec(ServerCodec):
    """No subprotocol: binary output until the client sends text, as gitlab-runner does."""

    subprotocol = None

    def __init__(self, max_input: int = DEFAULT_MAX_INPUT) -> None:
        super().__init__(max_input)
        self._binary = True
        # Text frames must be UTF-8; a pty emits any bytes, and a character can straddle reads.
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def decode_client(self, frame: Frame) -> list[ClientEvent]:
        """Pass the frame through and remember the client's last frame type."""
        self._binary = frame.binary
        return super().decode_client(frame)

    def encode_output(self, data: bytes) -> Frame:
        """Send output in the client's last frame type; text has invalid UTF-8 as U+FFFD."""
        if not self._binary:
            return Frame(self._utf8.decode(data).encode(), binary=False)
        held = self._utf8.getstate()[0]
        if held:
            # The start of a character held back while in text mode: lose nothing.
            self._utf8.reset()
            data = held + data
        return Frame(data, binary=True)


def server_codec(subprotocol: str | None, max_input: int = DEFAULT_MAX_INPUT) -> ServerCodec:
    """Return a fresh server codec for a negotiated subprotocol."""
    if subprotocol == GITLAB:
        return ServerCodec(max_input)
    if subprotocol == GITLAB_BASE64:
        return Base64ServerCodec(max_input)
    if subprotocol == K8S:
        return K8sServerCodec(max_input)
    if subprotocol is None:
        return RawServerCodec(max_input)
    msg = f"Unknown terminal subprotocol {subprotocol[:40]!r}."
    raise ProtocolError(msg)


class ClientCodec:
    """Client side of ``terminal.gitlab.com`` (and of no subprotocol)."""

    subprotocol: str | None = GITLAB
    supports_resize = False

    def encode_input(self, data: bytes) -> list[Frame]:
        """Split keystrokes into frames the runner reads whole."""
        return [Frame(chunk) for chunk in _split(data) if chunk]

    def encode_resize(self, rows: int, cols: int) -> list[Frame]:
        """Return the frames that resize the remote pty (none: the protocol cannot)."""
        return []

    def decode_output(self, frame: Frame) -> bytes:
        """Return the raw pty bytes carried by one runner frame."""
        return frame.payload


class Base64ClientCodec(ClientCodec):
    """Client side of ``base64.terminal.gitlab.com``."""

    subprotocol = GITLAB_BASE64

    def encode_input(self, data: bytes) -> list[Frame]:
        """Base64-encode input in text frames that decode to at most 32 KiB each."""
        return [Frame(base64.b64encode(c), binary=False) for c in _split(data) if c]

    def decode_output(self, frame: Frame) -> bytes:
        """Decode one base64 frame; malformed base64 raises :class:`ProtocolError`."""
        return _b64decode(frame.payload)


class K8sClientCodec(ClientCodec):
    """Client side of ``channel.k8s.io``."""

    subprotocol = K8S
    supports_resize = True

    def encode_input(self, data: bytes) -> list[Frame]:
        """Prefix each ≤32 KiB chunk with the stdin channel byte."""
        step = MAX_INPUT_FRAME - 1
        return [Frame(bytes([_K8S_STDIN]) + c) for c in _split(data, step) if c]

    def encode_resize(self, rows: int, cols: int) -> list[Frame]:
        """Encode a resize on channel 4."""
        body = json.dumps({"Width": cols, "Height": rows}).encode()
        return [Frame(bytes([_K8S_RESIZE]) + body)]

    def decode_output(self, frame: Frame) -> bytes:
        """Return stdout/stderr bytes; the error channel's status JSON is dropped."""
        if not frame.payload:
            return b""
        channel, body = frame.payload[0], frame.payload[1:]
        if channel in (_K8S_STDOUT, _K8S_STDERR):
            return body
        if channel == _K8S_ERROR:
            # The exit status JSON must not leak into the screen (a known k8s quirk).
            return b""
        msg = f"channel.k8s.io server frames use channels 1-3, not {channel}."
        raise ProtocolError(msg)


def client_codec(subprotocol: str | None) -> ClientCodec:
    """Return the client codec for the subprotocol a runner accepted."""
    if subprotocol in (GITLAB, None):
        return ClientCodec()
    if subprotocol == GITLAB_BASE64:
        return Base64ClientCodec()
    if subprotocol == K8S:
        return K8sClientCodec()
    msg = f"The runner chose an unknown subprotocol {subprotocol[:40]!r}."
    raise ProtocolError(msg)
