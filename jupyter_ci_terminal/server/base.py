"""What every handler of the extension shares: typed access to its services, and error translation."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from jupyter_server._tz import utcnow
from jupyter_server.extension.handler import ExtensionHandlerMixin

from ..errors import CIError, ForbiddenError
from ..sessions import ProjectRegistry, SessionManager

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
