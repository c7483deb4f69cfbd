"""Who may use an agent's shell: the job's starter, the admin's list, a single-user server."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_ci_terminal.backends.base import TerminalUser
from jupyter_ci_terminal.errors import ForbiddenError
from jupyter_ci_terminal.sessions import agentaccess
from jupyter_ci_terminal.sessions.agentaccess import check_agent_user, job_starter

ALICE = TerminalUser(1, "alice")


@pytest.mark.parametrize(
    ("job", "starter"),
    [
        ({"user": {"id": 1, "username": "alice"}}, ALICE),
        ({"user": {"id": "7", "username": "bob"}}, TerminalUser(7, "bob")),
        ({"user": None}, TerminalUser(0, "")),
        ({}, TerminalUser(0, "")),
        ({"user": {"id": "x"}}, TerminalUser(0, "")),
    ],
)
def test_job_starter_is_the_user_gitlab_names(job: dict[str, Any], starter: TerminalUser) -> None:
    assert job_starter(job) == starter


class Backend:
    def __init__(self, me: TerminalUser | None) -> None:
        self.me = me

    def terminal_user(self) -> TerminalUser | None:
        return self.me


@pytest.mark.parametrize(
    ("starter", "me", "jupyter_user", "allowed", "refusal"),
    [
        (ALICE, None, "anyone", [], None),  # a single-user server: its one user
        (ALICE, TerminalUser(1, "alice"), "alice", [], None),
        (ALICE, TerminalUser(1, "alice"), "alice-laptop", [], None),
        (ALICE, TerminalUser(2, "bob"), "bob", [], "GitLab user @alice, who started"),
        (ALICE, TerminalUser(2, "bob"), "bob", ["bob"], None),
        (ALICE, TerminalUser(0, ""), "carol", ["carol"], None),
        (ALICE, TerminalUser(0, ""), "dave", ["carol"], "give your web session first"),
        (TerminalUser(0, ""), TerminalUser(0, ""), "dave", [], "the job's starter, who started"),
        (TerminalUser(0, ""), TerminalUser(0, ""), "carol", ["carol"], None),
    ],
)
def test_agent_shell_opens_to_its_starter_or_the_admins_list(
    monkeypatch: pytest.MonkeyPatch,
    starter: TerminalUser,
    me: TerminalUser | None,
    jupyter_user: str,
    allowed: list[str],
    refusal: str | None,
) -> None:
    monkeypatch.setattr(agentaccess, "current_owner", lambda per_user: jupyter_user)
    backend: Any = Backend(me)
    if refusal is None:
        check_agent_user(starter, backend, frozenset(allowed))
    else:
        with pytest.raises(ForbiddenError, match=refusal):
            check_agent_user(starter, backend, frozenset(allowed))
