"""Who may open or join a job's shell served by its agent: GitLab's web-terminal rule.

GitLab opens a job's terminal only to the user who started the job. An agent's shell is opened
by this server, not by GitLab, so the server applies the same rule itself: the starter, as the
job's CI service named it when it vouched for the job token (``user`` of ``GET /api/v4/job``),
against the Jupyter user's GitLab identity (their web session's user). Jupyter users an admin
lists in ``CITerminalApp.agent_allowed_users`` may too. A server whose users are one person
(the service tells no users apart here) lets that person in.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ..backends import Backend
from ..backends.base import TerminalUser
from ..backends.websession import current_owner
from ..errors import ForbiddenError


def job_starter(job: dict[str, Any]) -> TerminalUser:
    """Who started the job, from the CI service's job JSON (id 0 when it names nobody)."""
    named = job.get("user")
    user: dict[str, Any] = named if isinstance(named, dict) else {}
    try:
        user_id = int(user.get("id") or 0)
    except (TypeError, ValueError):
        user_id = 0
    return TerminalUser(user_id, str(user.get("username") or ""))


def check_agent_user(starter: TerminalUser, backend: Backend, allowed: Collection[str]) -> None:
    """Raise ForbiddenError unless the current Jupyter user may use the agent's shell."""
    me = backend.terminal_user()
    if me is None or (starter.id != 0 and me.id == starter.id):
        return
    if allowed and current_owner(True) in allowed:
        return
    who = f"{starter.service} user @{starter.username}" if starter.id else "the job's starter"
    unknown = (
        f" This server does not know your {starter.service} user: give your web session first."
        if me.id == 0
        else ""
    )
    msg = (
        f"This job's shell is served by its agent and opens only to {who}, who started the"
        f" job, or to Jupyter users listed in CITerminalApp.agent_allowed_users.{unknown}"
    )
    raise ForbiddenError(msg)
