"""Blocking terminal connections for the notebook side and ``jupyter ci-runner attach``.

Two ways to reach a job's shell, one small interface (:class:`Terminal`):

* :class:`TerminadoTerminal`: one more viewer of a session on the Jupyter server (terminado's
  JSON messages), so a browser tab and the kernel share the shell;
* :class:`ChannelTerminal`: straight to the job's Channel (the runner's session endpoint, or
  GitLab's ``terminal.ws``), for use without a Jupyter server. It dials as the server does:
  TLS pinned to the Channel's ``CAPem``, the Channel's headers, no ``Origin``.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import ssl
from types import TracebackType
from typing import Protocol, Self

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from ..channel import Channel
from ..dial import endpoint, refusal, ssl_context, tls_error
from ..errors import ChannelError
from ..protocol.frames import CLIENT_OFFER, GITLAB, Frame, client_codec
from .errors import CITimeoutError


class Terminal(Protocol):
    """A job's shell: type into it, resize it, read what it prints."""

    def send(self, text: str) -> None:
        """Type ``text``."""
        ...

    def resize(self, rows: int, cols: int) -> None:
        """Tell the shell the window size (ignored where the protocol cannot resize)."""
        ...

    def recv(self, timeout: float | None = None) -> str | None:
        """The next output, or None once the terminal closed; raises TimeoutError on timeout."""
        ...

    def close(self) -> None:
        """Leave the terminal."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class ClosesOnExit:
    """A ``with`` block closes it."""

    def close(self) -> None:
        """Release what it holds."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _SocketTerminal(ClosesOnExit):
    """A terminal over one websocket, held as a context as websockets requires."""

    def __init__(self, ws: ClientConnection) -> None:
        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(ws)

    def close(self) -> None:
        """Close the websocket."""
        self._stack.close()

    def recv(self, timeout: float | None = None) -> str | None:
        """The next output text; None once the terminal closed."""
        while True:
            try:
                message = self.ws.recv(timeout=timeout)
            except ConnectionClosed:
                return None
            text = self._output(message)
            if text != "":
                return text

    def _output(self, message: str | bytes) -> str | None:
        """The text one message carries ("" for none); None when it ends the terminal."""
        raise NotImplementedError


class TerminadoTerminal(_SocketTerminal):
    """A viewer of a terminal session on the Jupyter server (terminado's JSON messages).

    Closing it leaves the session open on the server for its other viewers.
    """

    def send(self, text: str) -> None:
        """Type ``text``."""
        self.ws.send(json.dumps(["stdin", text]))

    def resize(self, rows: int, cols: int) -> None:
        """Send terminado's ``set_size``."""
        self.ws.send(json.dumps(["set_size", rows, cols, 0, 0]))

    def _output(self, message: str | bytes) -> str | None:
        kind, *content = json.loads(message)
        if kind == "disconnect":
            return None
        return str(content[0]) if kind == "stdout" and content else ""


class ChannelTerminal(_SocketTerminal):
    """A job's shell reached through its Channel, without a Jupyter server in between.

    Closing it ends this shell on the runner (not the job).
    """

    def __init__(self, ws: ClientConnection) -> None:
        super().__init__(ws)
        self._codec = client_codec(ws.subprotocol)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    @classmethod
    def open(cls, channel: Channel, *, open_timeout: float = 10.0) -> ChannelTerminal:
        """Dial ``channel``; refusals raise the same :class:`ChannelError` sentences as the server."""
        host = endpoint(channel.url)
        offer = [p for p in CLIENT_OFFER if p in channel.subprotocols] or list(
            channel.subprotocols or (GITLAB,)
        )
        headers = [(name, value) for name, values in channel.header.items() for value in values]
        tls = ssl_context(channel.ca_pem) if channel.url.startswith("wss:") else None
        try:
            ws = connect(
                channel.url,
                ssl=tls,
                subprotocols=[Subprotocol(p) for p in offer],
                additional_headers=headers,
                open_timeout=open_timeout,
                ping_timeout=None,  # a long silent command is not a dead connection
                max_size=None,
                compression=None,
            )
        except InvalidStatus as e:
            raise refusal(channel, e.response.status_code) from None
        except ssl.SSLError as e:
            raise tls_error(host, e) from None
        except TimeoutError:
            msg = f"The runner at {host} did not answer within {open_timeout:g} s."
            raise CITimeoutError(msg) from None
        except (OSError, InvalidHandshake) as e:
            msg = f"The runner at {host} cannot be reached ({getattr(e, 'strerror', None) or e})."
            raise ChannelError(msg) from None
        return cls(ws)

    def send(self, text: str) -> None:
        """Type ``text`` (split into frames the runner reads whole)."""
        for frame in self._codec.encode_input(text.encode("utf-8")):
            self.ws.send(frame.payload if frame.binary else frame.payload.decode("ascii"))

    def resize(self, rows: int, cols: int) -> None:
        """Resize the pty (``channel.k8s.io`` only; ``terminal.gitlab.com`` cannot)."""
        for frame in self._codec.encode_resize(rows, cols):
            self.ws.send(frame.payload)

    def _output(self, message: str | bytes) -> str | None:
        binary = isinstance(message, bytes)
        payload = message if isinstance(message, bytes) else message.encode("utf-8")
        return self._decoder.decode(self._codec.decode_output(Frame(payload, binary)))
