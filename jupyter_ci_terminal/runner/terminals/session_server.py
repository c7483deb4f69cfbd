"""The gitlab-runner-compatible session server: ``wss://<advertise>/session/<64 hex>/exec``.

Status codes in gitlab-runner's order: 404 unknown session, 401 wrong ``Authorization``,
405 not a websocket upgrade, 503 when the job's shell is not ready within the wait, 423 when
a terminal is already attached, 500 (plain text) when the shell cannot start. After the
upgrade: pings every ``ping_interval`` s with no pong deadline, and a raw TCP close (the client
sees 1006) when the shell exits or the session ends, as the runner does.

Input frames up to ``max_input`` bytes are taken whole (gitlab-runner truncates at 32 KiB) and
written to the pty with back-pressure: the next frame is not read until the pty has taken most
of the last one. A malformed or oversized frame closes with the codec's code and sentence.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tornado import web, websocket

from ...errors import NotFoundError, ProtocolError
from ...protocol.frames import (
    Frame,
    Input,
    Resize,
    ServerCodec,
    choose_subprotocol,
    server_codec,
)
from ...protocol.limits import DEFAULT_MAX_INPUT, close_reason, message_limit
from ...sockets import limit_unsent
from .session import SessionRegistry, TerminalSession
from .terminal import PtyShell


class ExecHandler(websocket.WebSocketHandler):
    """One terminal connection to one job's shell."""

    def initialize(
        self,
        registry: SessionRegistry,
        ready_timeout: float,
        ping_interval: float,
        log: logging.Logger,
        max_input: int = DEFAULT_MAX_INPUT,
    ) -> None:
        """Receive the shared registry and settings."""
        self.registry = registry
        self.ready_timeout = ready_timeout
        self.ping_every = ping_interval
        self.max_input = max_input
        self.logger = log
        self.session: TerminalSession | None = None
        self.shell: PtyShell | None = None
        self.codec: ServerCodec | None = None
        self.pinger: asyncio.Task[None] | None = None
        self.ended = False

    def _fail(self, status: int, text: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(text + "\n")

    async def get(self, session_id: str, *args: Any, **kwargs: Any) -> None:
        """Authorise, wait for the shell, claim the slot, start the shell, then upgrade."""
        try:
            session = self.registry.get(session_id)
        except NotFoundError:
            self._fail(404, "404 page not found")
            return
        if not session.check_token(self.request.headers.get("Authorization", "")):
            self._fail(401, "Unauthorized")
            return
        if self.request.headers.get("Upgrade", "").lower() != "websocket":
            self._fail(405, "Request is not websocket upgraded")
            return
        try:
            await asyncio.wait_for(session.ready.wait(), self.ready_timeout)
        except TimeoutError:
            self._fail(503, "Interactive terminal not available")
            return
        if session.closed:
            self._fail(404, "404 page not found")
            return
        if session.connected:
            self._fail(423, "Terminal already connected, revoking connection")
            return
        session.attach(self)
        self.session = session
        try:
            assert session.cwd is not None
            assert session.env is not None
            self.shell = await PtyShell.spawn(session.cwd, session.env)
        except (OSError, ValueError) as e:
            session.detach(self)
            self.logger.warning("Cannot start the terminal of job %s: %s", session.job_id, e)
            self._fail(500, f"Failed to start terminal: {e}")
            return
        if self.ended or session.closed:
            # The job ended while the shell was starting.
            await self.shell.close()
            session.detach(self)
            self._fail(404, "404 page not found")
            return
        await super().get(session_id, *args, **kwargs)
        if self.ws_connection is None:
            # The handshake failed (bad version, origin): give the slot and the shell back.
            self._cleanup()

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        """Prefer channel.k8s.io (resize), then terminal.gitlab.com, then base64."""
        chosen = choose_subprotocol(subprotocols)
        self.codec = server_codec(chosen, self.max_input)
        return chosen

    @property
    def max_message_size(self) -> int:
        """Buffer frames a little over the cap, so the codec refuses them with a sentence."""
        return message_limit(self.max_input)

    def open(self, *args: str, **kwargs: str) -> None:
        """Start relaying shell output and pinging."""
        if self.codec is None:
            self.codec = server_codec(None, self.max_input)
        assert self.shell is not None
        self.shell.on_output = self._send
        self.shell.on_exit = lambda: self.kill("shell exited")
        # Unsent output stays in tornado's buffer, where it pauses the pty (see _send).
        limit_unsent(self.ws_connection.stream if self.ws_connection is not None else None)
        self.shell.start()
        if self.ping_every > 0:
            self.pinger = asyncio.create_task(self._ping_loop())

    async def _ping_loop(self) -> None:
        while True:
            await asyncio.sleep(self.ping_every)
            try:
                self.ping()
            except websocket.WebSocketClosedError:
                return

    def _send(self, data: bytes) -> None:
        assert self.codec is not None
        assert self.shell is not None
        frame = self.codec.encode_output(data)
        try:
            done = self.write_message(frame.payload, binary=frame.binary)
        except websocket.WebSocketClosedError:
            return
        stream = self.ws_connection.stream if self.ws_connection is not None else None
        if stream is not None and stream.writing():
            # Back-pressure: a client that stops reading stops the shell, not our memory.
            # (The write future is never done right after the call, so ask the stream whether
            # it still holds unsent bytes instead.)
            shell = self.shell
            shell.pause()
            done.add_done_callback(lambda _: shell.resume() if not self.ended else None)

    async def on_message(self, message: str | bytes) -> None:
        """Decode one client frame and feed the shell (tornado reads no more until we return)."""
        assert self.codec is not None
        assert self.shell is not None
        binary = isinstance(message, bytes)
        payload = message if isinstance(message, bytes) else message.encode()
        try:
            events = self.codec.decode_client(Frame(payload, binary))
        except ProtocolError as e:
            self.logger.info("Terminal of job %s refused a frame: %s", self._job(), e)
            self.close(e.close_code, close_reason(e))
            return
        for event in events:
            if isinstance(event, Input):
                await self.shell.send(event.data)
            elif isinstance(event, Resize):
                self.shell.resize(event.rows, event.cols)

    def _job(self) -> object:
        return self.session.job_id if self.session else "?"

    def kill(self, reason: str) -> None:
        """End the connection with a raw TCP close, as gitlab-runner does."""
        if self.ended:
            return
        self.logger.info("Terminal of job %s closed: %s", self._job(), reason)
        conn = self.ws_connection
        if conn is not None and conn.stream is not None:
            conn.stream.close()
        self._cleanup()

    def on_close(self) -> None:
        """Release the slot and hang up the shell."""
        self._cleanup()

    def _cleanup(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self.pinger is not None:
            self.pinger.cancel()
        if self.shell is not None:
            task = asyncio.create_task(self.shell.close())
            _background.add(task)
            task.add_done_callback(_background.discard)
        if self.session is not None:
            self.session.detach(self)


_background: set[asyncio.Task[None]] = set()


class NotFound(web.RequestHandler):
    """Anything but ``/session/<id>/exec``: 404 like Go's ServeMux."""

    def prepare(self) -> None:
        """Answer 404 for every method."""
        self.set_status(404)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("404 page not found\n")


def make_app(
    registry: SessionRegistry,
    ready_timeout: float,
    ping_interval: float,
    log: logging.Logger,
    max_input: int = DEFAULT_MAX_INPUT,
) -> web.Application:
    """Build the session server's tornado application."""
    settings = {
        "registry": registry,
        "ready_timeout": ready_timeout,
        "ping_interval": ping_interval,
        "log": log,
        "max_input": max_input,
    }
    return web.Application(
        [(r"/session/([0-9a-f]{64})/exec", ExecHandler, settings), (r".*", NotFound)],
        log_function=lambda handler: log.debug(
            "%d %s %.1fms",
            handler.get_status(),
            handler.request.method,
            handler.request.request_time() * 1000,
        ),
    )
