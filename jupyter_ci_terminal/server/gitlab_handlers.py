"""``<base>/ci-terminal/api/gitlab/session``: the user gives, checks or forgets their GitLab web session.

``PUT {"backend", "session"}`` → 204 once GitLab accepted it; ``GET [?backend=]`` →
``{"present": bool}``; ``DELETE [?backend=]`` → 204. The value is never sent back.
"""

from __future__ import annotations

import json
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from ..backends.gitlab import GitLabBackend
from ..backends.websession import current_owner
from ..errors import ConfigError, NotFoundError
from .base import AUTH_RESOURCE, CIHandlerMixin, translate_errors


class WebSessionHandler(CIHandlerMixin, APIHandler):
    """One Jupyter user's GitLab web session."""

    auth_resource = AUTH_RESOURCE

    def _backend(self, name: Any) -> GitLabBackend:
        every = [b for b in self.registry.backends if isinstance(b, GitLabBackend)]
        found = [b for b in every if b.name == name] if name else every
        if not found:
            known = ", ".join(b.name for b in every) or "none"
            msg = (
                f"There is no GitLab backend {name!r} (there is {known})."
                if name
                else "No GitLab is configured (CITerminalApp.gitlab_url or gitlab_instances,"
                " or GITLAB_URL)."
            )
            raise NotFoundError(msg)
        if len(found) > 1:
            names = ", ".join(b.name for b in found)
            msg = f'Several GitLab backends are configured ({names}): give "backend".'
            raise ConfigError(msg)
        return found[0]

    def _owner(self, backend: GitLabBackend) -> str:
        owner = current_owner(backend.per_user_sessions)
        if owner is None:  # @web.authenticated ran first, so only a broken setup lands here
            msg = "The Jupyter user of this request is unknown."
            raise ConfigError(msg)
        return owner

    @web.authenticated
    @authorized
    @translate_errors
    async def get(self) -> None:
        """Whether this user's web session is held (never the value)."""
        backend = self._backend(self.get_query_argument("backend", None))
        present = backend.web_sessions.get(self._owner(backend)) is not None
        self.finish(json.dumps({"present": present}))

    @web.authenticated
    @authorized
    @translate_errors
    async def put(self) -> None:
        """Check the web session with GitLab, then keep it in server memory for this user."""
        try:
            body = json.loads(self.request.body or b"{}")
            text = body["session"]
        except (ValueError, TypeError, KeyError):
            msg = 'Give the web session as {"session": "<_gitlab_session value>"}.'
            raise ConfigError(msg) from None
        if not isinstance(text, str):
            msg = "The web session must be a string."
            raise ConfigError(msg)
        backend = self._backend(body.get("backend"))
        await backend.set_web_session(self._owner(backend), text)
        self.set_status(204)
        self.finish()

    @web.authenticated
    @authorized
    @translate_errors
    async def delete(self) -> None:
        """Forget this user's web session."""
        backend = self._backend(self.get_query_argument("backend", None))
        backend.web_sessions.forget(self._owner(backend))
        self.set_status(204)
        self.finish()


gitlab_handlers: list[tuple[str, type[web.RequestHandler]]] = [
    (r"/ci-terminal/api/gitlab/session", WebSessionHandler),
]
