"""The gitlab-runner-compatible session server: ``wss://<advertise>/session/<64 hex>/exec``.

Status codes in gitlab-runner's order: 404 unknown session, 401 wrong ``Authorization``,
405 not a websocket upgrade, 503 when the job's shell is not ready within the wait, 423 when
a terminal is already attached, 500 (plain text) when the shell cannot start. After the
upgrade: pings every ``ping_interval`` s with no pong deadline, and a raw TCP close (the client
sees 1006) when the shell exits or the session ends, as the runner does.

A ``channel.k8s.io`` client can resize, so its shell starts at the size of its first frame when
that is a resize (within ``size_wait`` s; then, or on other input, at 24x80): a shell started
at 80 columns draws its first prompt there, and a long one stays wrapped at 80 in whatever
the client kept of it. gitlab-runner starts the shell at once; a client sees no difference
but the size, except that a shell that cannot start closes the upgraded connection with 1011.

Input frames up to ``max_input`` bytes are taken whole (gitlab-runner truncates at 32 KiB) and
written to the pty with back-pressure: the next frame is not read until the pty has taken most
of the last one. A malformed or oversized frame closes with the codec's code and sentence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from tornado import web, websocket

from ...errors import NotFoundError, ProtocolError
from ...protocol.frames import (
    K8S,
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
from .terminal import DEFAULT_COLS, DEFAULT_ROWS, PtyShell


class ExecHandler(websocket.WebSocketHandler):
    """One terminal connection to one job's shell."""

    def initialize(
        self,
        registry: SessionRegistry,
        ready_timeout: float,
        ping_interval: float,
        log: logging.Logger,
        max_input: int = DEFAULT_MAX_INPUT,
        size_wait: float = 0.0,
    ) -> None:
        """Receive the shared registry and settings."""
        self.registry = registry
        self.ready_timeout = ready_timeout
        self.ping_every = ping_interval
        self.max_input = max_input
        self.size_wait = size_wait
        self.logger = log
        self.session: TerminalSession | None = None
        self.shell: PtyShell | None = None
        self.codec: ServerCodec | None = None
        self.pinger: asyncio.Task[None] | None = None
        self.ended = False
        # A shell that waits for the client's first frame: its size, or None (see size_wait).
        self._first_size: asyncio.Future[tuple[int, int] | None] | None = None
        self._starting: asyncio.Task[bool] | None = None

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
        except (asyncio.TimeoutError, TimeoutError):
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
        if self._waits_for_size():
            self._first_size = asyncio.get_running_loop().create_future()
        else:
            try:
                self.shell = await self._spawn((DEFAULT_ROWS, DEFAULT_COLS))
            except (OSError, ValueError) as e:
                session.detach(self)
                self._fail(500, f"Failed to start terminal: {e}")
                return
        if self.ended or session.closed:
            # The job ended while the shell was starting.
            if self.shell is not None:
                await self.shell.close()
            session.detach(self)
            self._fail(404, "404 page not found")
            return
        await super().get(session_id, *args, **kwargs)
        if self.ws_connection is None:
            # The handshake failed (bad version, origin): give the slot and the shell back.
            self._cleanup()

    def _waits_for_size(self) -> bool:
        offered = self.request.headers.get("Sec-WebSocket-Protocol", "")
        chosen = choose_subprotocol([p.strip() for p in offered.split(",")])
        return self.size_wait > 0 and chosen == K8S

    async def _spawn(self, size: tuple[int, int]) -> PtyShell:
        assert self.session is not None
        assert self.session.cwd is not None
        assert self.session.env is not None
        try:
            return await PtyShell.spawn(self.session.cwd, self.session.env, size)
        except (OSError, ValueError) as e:
            self.logger.warning("Cannot start the terminal of job %s: %s", self._job(), e)
            raise

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
        if self._first_size is not None:
            self._starting = asyncio.create_task(self._start_when_sized(self._first_size))
        else:
            self._relay()
        if self.ping_every > 0:
            self.pinger = asyncio.create_task(self._ping_loop())

    def _relay(self) -> None:
        assert self.shell is not None
        self.shell.on_output = self._send
        self.shell.on_exit = lambda: self.kill("shell exited")
        # Unsent output stays in tornado's buffer, where it pauses the pty (see _send).
        limit_unsent(self.ws_connection.stream if self.ws_connection is not None else None)
        self.shell.start()

    async def _start_when_sized(self, first: asyncio.Future[tuple[int, int] | None]) -> bool:
        """Start the shell at the first frame's size (see the module); False if it did not."""
        with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
            await asyncio.wait_for(asyncio.shield(first), self.size_wait)
        size = (first.result() if first.done() else None) or (DEFAULT_ROWS, DEFAULT_COLS)
        if self._gone():
            return False
        try:
            self.shell = await self._spawn(size)
        except (OSError, ValueError) as e:
            self.close(1011, f"Failed to start terminal: {e}"[:120])
            return False
        if self._gone():  # the client left while the shell was starting
            self._close_shell()
            return False
        self._relay()
        return True

    def _gone(self) -> bool:
        """Whether the connection ended (a call: it changes while a coroutine waits)."""
        return self.ended

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
        binary = isinstance(message, bytes)
        payload = message if isinstance(message, bytes) else message.encode()
        try:
            events = self.codec.decode_client(Frame(payload, binary))
        except ProtocolError as e:
            self.logger.info("Terminal of job %s refused a frame: %s", self._job(), e)
            self.close(e.close_code, close_reason(e))
            return
        if self._starting is not None:
            assert self._first_size is not None
            first = events[0] if events else None
            if not self._first_size.done():
                self._first_size.set_result(
                    (first.rows, first.cols) if isinstance(first, Resize) else None
                )
            if not await self._starting:
                return
        assert self.shell is not None
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

    def _close_shell(self) -> None:
        if self.shell is not None:
            task = asyncio.create_task(self.shell.close())
            _background.add(task)
            task.add_done_callback(_background.discard)

    def on_close(self) -> None:
        """Release the slot and hang up the shell."""
        self._cleanup()

    def _cleanup(self) -> None:
        if self.ended:
            return
        self.ended = True
        if self.pinger is not None:
            self.pinger.cancel()
        if self._first_size is not None and not self._first_size.done():
            self._first_size.set_result(None)  # the waiting start sees the end and gives up
        if self._starting is not None:
            _background.add(self._starting)
            self._starting.add_done_callback(_background.discard)
        self._close_shell()
        if self.session is not None:
            self.session.detach(self)


_background: set[asyncio.Task[Any]] = set()


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
    size_wait: float = 0.0,
) -> web.Application:
    """Build the session server's tornado application."""
    settings = {
        "registry": registry,
        "ready_timeout": ready_timeout,
        "ping_interval": ping_interval,
        "log": log,
        "max_input": max_input,
        "size_wait": size_wait,
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
