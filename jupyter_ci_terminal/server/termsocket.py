"""The browser's websocket, ``<base>/ci-terminal/terminals/websocket/<name>``, in terminado's protocol.

JupyterLab's stock TerminalConnection works unchanged against it. Authenticated and authorized
like Jupyter's own terminals (``execute`` on ``terminals``), Origin-checked by the WebSocketMixin;
each message is parsed by the sans-I/O codec, and a malformed one closes this socket with the
codec's close code and sentence while the session and its other viewers carry on. A paste up to
the session's ``max_input`` bytes is taken whole; the next message is read only once it has
been handed to the runner (back-pressure). A client that opens it with ``?output=binary`` gets
its output as binary frames of UTF-8 (see ``protocol/terminado``); the JSON messages otherwise.
"""

from __future__ import annotations

import asyncio
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..errors import CIError, ProtocolError
from ..protocol import terminado
from ..protocol.frames import Input, Resize
from ..protocol.limits import DEFAULT_MAX_INPUT, close_reason, message_limit
from ..sessions import TerminalSession, Viewer
from ..sockets import limit_unsent
from .base import AUTH_RESOURCE, CIHandlerMixin


class CITermSocket(CIHandlerMixin, WebSocketMixin, WebSocketHandler, JupyterHandler):
    """A viewer of one CI terminal session."""

    auth_resource = AUTH_RESOURCE

    def initialize(self, name: str, **kwargs: Any) -> None:
        """Keep the extension name for settings look-ups."""
        CIHandlerMixin.initialize(self, name)
        self.session: TerminalSession | None = None
        self.viewer: Viewer | None = None
        self._stdout: terminado.StdoutFormat = terminado.stdout_of
        self._close_how = "the browser closed the connection"

    @property
    def max_message_size(self) -> int:
        """Buffer messages a little over the cap, so the codec refuses them with a sentence."""
        return message_limit(self._max_input)

    @property
    def _max_input(self) -> int:
        return self.session.cfg.max_input if self.session is not None else DEFAULT_MAX_INPUT

    def set_default_headers(self) -> None:
        """Skip JupyterHandler's CSP headers, as the kernel and terminal websockets do."""

    @ws_authenticated
    async def get(self, *args: Any, **kwargs: Any) -> None:
        """Authorize, find the session, then upgrade."""
        await self.check_execute()
        try:
            self.check_terminals_enabled()
            self._stdout = terminado.output_format(
                self.get_query_argument(terminado.OUTPUT_PARAMETER, None)
            )
            self.session = self.sessions.joinable(kwargs["name"])
        except CIError as e:
            raise web.HTTPError(e.status, str(e)) from None
        await ensure_async(super().get(*args, **kwargs))  # type: ignore[arg-type]

    def open(self, *args: Any, **kwargs: Any) -> None:
        """Attach as a viewer: setup, then the current screen."""
        super().open(*args, **kwargs)  # starts Jupyter's keep-alive pings
        assert self.session is not None
        user = self.current_user
        username = getattr(user, "username", None) or str(user)
        # Unsent output stays in the viewer's queue, where its age counts (see sessions/viewer).
        limit_unsent(getattr(self.ws_connection, "stream", None))
        self.viewer = self.session.attach(self._send, username, self._stdout)
        self.record_activity()

    async def _send(self, message: str | bytes) -> None:
        try:
            await self.write_message(message, binary=isinstance(message, bytes))
        except WebSocketClosedError:
            return
        self.record_activity()

    async def on_message(self, message: str | bytes) -> None:
        """Keystrokes and resizes from the browser."""
        if self.session is None or self.viewer is None:
            return
        self.record_activity()
        try:
            event = terminado.parse(message, self._max_input)
        except ProtocolError as e:
            self.log.warning("CI terminal %s: %s", self.session.name, e)
            self._close_how = f"refused a message: {e}"
            self.close(e.close_code, close_reason(e))
            return
        if isinstance(event, Input):
            await self.session.write(self.viewer, event.data)
        elif isinstance(event, Resize):
            await self.session.resize(self.viewer, event.rows, event.cols)
        elif isinstance(event, terminado.Ack):
            self.viewer.ack(event.chars)

    def on_close(self) -> None:
        """Detach; the session lives on for other tabs and reconnects."""
        if self.session is not None and self.viewer is not None:
            self.session.detach(self.viewer, self._close_how)
            viewer = self.viewer
            self.viewer = None
            # Stop the sender task in the background; nothing more can be written.
            self._stopping = asyncio.ensure_future(viewer.stop())
        # Jupyter's keep-alive ping holds this handler until its next tick (30 s): let go of the
        # session now, so an ended one (screen model, scrollback) is freed once it is forgotten.
        self.session = None
        ping = getattr(self, "ping_callback", None)  # typed None in WebSocketMixin
        if ping is not None:
            ping.stop()
