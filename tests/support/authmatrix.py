"""Two Jupyter users told apart by their token, and an Authorizer that lets one of them only read.

Used by the authorization matrix: Jupyter's own identity and authorization hooks, configured as a
deployment would (``ServerApp.identity_provider_class`` and ``ServerApp.authorizer_class``).
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.authorizer import Authorizer
from jupyter_server.auth.identity import IdentityProvider, User

TOKENS = {"reader-secret-token": "reader", "executor-secret-token": "executor"}


class TwoUsers(IdentityProvider):  # type: ignore[misc]
    """``Authorization: token <t>`` names one of :data:`TOKENS`' users; anything else is nobody."""

    def get_user(self, handler: Any) -> User | None:
        header = handler.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        name = TOKENS.get(token) if scheme.lower() == "token" else None
        if name is None:
            return None
        # As Jupyter's own token login does: a token in a header needs no XSRF cookie.
        handler._token_authenticated = True
        return User(username=name)


class ReadOnlyReader(Authorizer):  # type: ignore[misc]
    """``reader`` may only ``read``; ``executor`` may do everything."""

    def is_authorized(self, handler: Any, user: User, action: str, resource: str) -> bool:
        return user.username == "executor" or action == "read"
