"""Which JupyterLab windows with this extension are connected, so a kernel's tab can open.

``%ci_attach`` asks for a tab through Jupyter's event bus, which any client may read; only a Lab
with this extension acts on it. Each such Lab holds ``<base>/ci-terminal/frontends/websocket``
open while it runs (``labextension/src/presence.ts``). With none open, the server refuses the
kernel's request for a tab instead of creating a session nobody would open, whose held job would
then end unwatched once ``hold_grace`` passed.
"""

from __future__ import annotations

from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from tornado.websocket import WebSocketHandler

from .base import AUTH_RESOURCE, CIHandlerMixin

ROUTE = r"/ci-terminal/frontends/websocket"


class FrontEnds:
    """The connected JupyterLab windows that open a CI terminal tab when a kernel asks."""

    def __init__(self) -> None:
        self._open: set[object] = set()

    def __len__(self) -> int:
        return len(self._open)

    def add(self, window: object) -> None:
        """A window connected."""
        self._open.add(window)

    def remove(self, window: object) -> None:
        """A window closed or lost its connection."""
        self._open.discard(window)


class FrontEndSocket(CIHandlerMixin, WebSocketMixin, WebSocketHandler, JupyterHandler):
    """Held open by a JupyterLab with the extension; nothing is sent either way but pings.

    Authorized as opening a terminal is (``execute`` on ``terminals``): a window that may not
    open one cannot make a tab open. Jupyter's keep-alive pings drop a window that vanished.
    """

    auth_resource = AUTH_RESOURCE

    def set_default_headers(self) -> None:
        """Skip JupyterHandler's CSP headers, as the kernel and terminal websockets do."""

    @ws_authenticated
    async def get(self, *args: Any, **kwargs: Any) -> None:
        """Authorize, then upgrade."""
        await self.check_execute()
        await ensure_async(super().get(*args, **kwargs))  # type: ignore[arg-type]

    def open(self, *args: Any, **kwargs: Any) -> None:
        """Count the window from now on (before any later request of the client is served)."""
        super().open(*args, **kwargs)  # starts Jupyter's keep-alive pings
        self.frontends.add(self)

    def on_message(self, message: str | bytes) -> None:
        """Nothing is expected: ignore it."""

    def on_close(self) -> None:
        """The window is gone."""
        self.frontends.remove(self)
        ping = getattr(self, "ping_callback", None)  # typed None in WebSocketMixin
        if ping is not None:
            ping.stop()
