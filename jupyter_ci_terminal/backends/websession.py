"""GitLab web sessions given by Jupyter users, held in server memory only.

GitLab serves job terminals to a signed-in browser session (the ``_gitlab_session`` cookie),
never to an API token. A user hands theirs to the extension once; it is kept here, per Jupyter
user, and is never logged, written to disk, returned by an API, or put in browser storage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jupyter_server.base.call_context import CallContext

from ..errors import ConfigError

COOKIE = "_gitlab_session"

#: Characters a cookie value may hold (RFC 6265 cookie-octet, minus the separators we strip).
_VALUE = re.compile(r"[A-Za-z0-9!#$%&'()*+\-./:<=>?@\[\]^_`{|}~]{1,4096}")

#: The owner key when the server does not tell users apart (one token, one person).
SERVER_OWNER = ""


@dataclass(frozen=True)
class WebSession:
    """One user's GitLab web session and the GitLab user it signs in."""

    value: str = field(repr=False)
    user_id: int
    username: str

    @property
    def cookie(self) -> str:
        """The ``Cookie`` header value GitLab expects."""
        return f"{COOKIE}={self.value}"


def clean_value(text: str) -> str:
    """Accept the bare value or a pasted ``_gitlab_session=…`` pair; refuse anything else."""
    value = text.strip().strip('"').strip()
    if value.startswith(f"{COOKIE}="):
        value = value[len(COOKIE) + 1 :].split(";", 1)[0].strip()
    if not _VALUE.fullmatch(value):
        msg = f"That is not a {COOKIE} cookie value; copy the Value column of the cookie only."
        raise ConfigError(msg)
    return value


def current_owner(per_user: bool) -> str | None:
    """The key of the Jupyter user behind the current request, or None outside a request.

    With ``per_user`` False every caller, in a request or not, is the server's one user:
    Jupyter's own token login gives each token-authenticated API client (kernels, scripts) a
    fresh random user name, and a kernel using GitLab directly has no request at all.
    """
    if not per_user:
        return SERVER_OWNER
    handler = CallContext.get(CallContext.JUPYTER_HANDLER)
    user = getattr(handler, "current_user", None) if handler is not None else None
    return None if user is None else str(user.username)


class WebSessions:
    """Web sessions by owner key; memory only, gone when the server stops."""

    def __init__(self) -> None:
        self._by_owner: dict[str, WebSession] = {}

    def __repr__(self) -> str:
        return f"<WebSessions: {len(self._by_owner)} held>"

    def get(self, owner: str | None) -> WebSession | None:
        """The owner's session, if given."""
        return None if owner is None else self._by_owner.get(owner)

    def put(self, owner: str, session: WebSession) -> None:
        """Keep (or replace) the owner's session."""
        self._by_owner[owner] = session

    def forget(self, owner: str | None, session: WebSession | None = None) -> None:
        """Drop the owner's session (only if it is still ``session``, when given)."""
        if owner is None:
            return
        if session is None or self._by_owner.get(owner) is session:
            self._by_owner.pop(owner, None)

    def clear(self) -> None:
        """Drop every session (server shutdown)."""
        self._by_owner.clear()
