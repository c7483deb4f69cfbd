"""What every handler of the extension shares: typed access to its services, and error translation."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from jupyter_core.utils import ensure_async
from jupyter_server._tz import utcnow
from jupyter_server.extension.handler import ExtensionHandlerMixin
from tornado import web

from ..errors import CIError, ForbiddenError
from ..sessions import ProjectRegistry, SessionManager

if TYPE_CHECKING:
    from .frontends import FrontEnds

AUTH_RESOURCE = "terminals"
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class CIHandlerMixin(ExtensionHandlerMixin):
    """Typed accessors for the extension's services (stored in the tornado settings)."""

    settings: dict[str, Any]

    @property
    def registry(self) -> ProjectRegistry:
        """Projects across backends."""
        return cast(ProjectRegistry, self.settings["ci_terminal_registry"])

    @property
    def sessions(self) -> SessionManager:
        """Open terminal sessions."""
        return cast(SessionManager, self.settings["ci_terminal_sessions"])

    @property
    def frontends(self) -> FrontEnds:
        """The connected JupyterLab windows that open a tab when a kernel asks."""
        return cast("FrontEnds", self.settings["ci_terminal_frontends"])

    async def check_execute(self) -> None:
        """Refuse (403) a caller not authorized to ``execute`` on terminals; for websocket
        upgrades, which Jupyter's ``authorized`` decorator does not cover."""
        handler = cast(Any, self)
        if not await ensure_async(
            handler.authorizer.is_authorized(
                handler, handler.current_user, "execute", AUTH_RESOURCE
            )
        ):
            raise web.HTTPError(403)

    def check_terminals_enabled(self) -> None:
        """Refuse terminal access when an administrator switched CI terminals off."""
        if not self.settings.get("ci_terminal_terminals_enabled", True):
            msg = "CI terminals are disabled on this Jupyter server (CITerminalApp.terminals_enabled)."
            raise ForbiddenError(msg)

    def record_activity(self) -> None:
        """Let the idle culler see terminal traffic in both directions."""
        self.settings["ci_terminal_last_activity"] = utcnow()


def translate_errors(method: F) -> F:
    """Turn a :class:`CIError` into a JSON error with its status and one-sentence message."""

    @functools.wraps(method)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await method(self, *args, **kwargs)
        except CIError as e:
            self.set_status(e.status)
            self.finish({"message": str(e), "reason": type(e).__name__})
            return None

    return cast(F, wrapper)
