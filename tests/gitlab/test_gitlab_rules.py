"""GitLab's terminal rules and answers as pure functions, on job bodies shaped as GitLab documents."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from jupyter_ci_terminal.backends.gitlab_rules import (
    terminal_state,
    terminal_url,
    workhorse_refusals,
)
from jupyter_ci_terminal.backends.websession import WebSession, clean_value
from jupyter_ci_terminal.errors import (
    ChannelError,
    ConfigError,
    NoTerminalError,
    WebSessionRefusedError,
)

#: GitLab's "Get a single job" example (REST v4 docs), trimmed of nothing the backend reads.
DOCS_JOB: dict[str, Any] = {
    "commit": {
        "author_email": "admin@example.com",
        "author_name": "Administrator",
        "id": "0ff3ae198f8601a285adcf5c0fff204ee6fba5fd",
        "short_id": "0ff3ae19",
        "title": "Test the CI integration.",
    },
    "coverage": None,
    "allow_failure": False,
    "created_at": "2015-12-24T15:51:21.880Z",
    "started_at": "2015-12-24T17:54:30.733Z",
    "finished_at": None,
    "erased_at": None,
    "duration": 0.465,
    "queued_duration": 0.010,
    "artifacts_expire_at": None,
    "tag_list": ["docker runner", "macos-10.15"],
    "id": 8,
    "name": "rubocop",
    "pipeline": {"id": 6, "project_id": 1, "ref": "main", "sha": "0ff3ae19", "status": "running"},
    "ref": "main",
    "artifacts": [],
    "runner": None,
    "runner_manager": None,
    "stage": "test",
    "status": "running",
    "failure_reason": None,
    "tag": False,
    "web_url": "https://example.com/foo/bar/-/jobs/8",
    "project": {"ci_job_token_scope_enabled": False},
    "user": {
        "id": 1,
        "name": "Administrator",
        "username": "root",
        "state": "active",
        "avatar_url": "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=80&d=identicon",
        "web_url": "http://gitlab.dev/root",
        "created_at": "2015-12-21T13:14:24.077Z",
        "bio": None,
        "location": None,
        "public_email": "",
        "linkedin": "",
        "twitter": "",
        "website_url": "",
        "organization": "",
    },
}
ROOT = {"id": 1, "username": "root"}
OTHER = {"id": 9, "username": "jane"}


def job(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(DOCS_JOB)
    body.update(changes)
    return body


def test_a_running_job_started_by_me_can_be_debugged() -> None:
    assert terminal_state(job(), ROOT, archived=False) == {"available": True, "reason": ""}


@pytest.mark.parametrize(
    "status",
    [
        "created",
        "waiting_for_resource",
        "preparing",
        "waiting_for_callback",
        "pending",
        "success",
        "failed",
        "canceling",
        "canceled",
        "skipped",
        "manual",
        "scheduled",
    ],
)
def test_only_running_jobs_have_a_terminal(status: str) -> None:
    state = terminal_state(job(status=status), ROOT, archived=False)
    assert state["available"] is False
    assert status.replace("_", " ") in state["reason"]
    assert "only running jobs" in state["reason"]


def test_a_job_started_by_someone_else_names_them() -> None:
    state = terminal_state(job(), OTHER, archived=False)
    assert state == {
        "available": False,
        "reason": "Only the person who started a job can debug it; @root started this one.",
    }
    assert "someone else" in terminal_state(job(user=None), OTHER, archived=False)["reason"]


def test_archived_projects_open_no_terminal() -> None:
    assert "archived" in terminal_state(job(), ROOT, archived=True)["reason"]


def test_terminal_url_follows_the_instance_url() -> None:
    assert (
        terminal_url("https://gitlab.example.com/", "group/sub/proj", 12)
        == "wss://gitlab.example.com/group/sub/proj/-/jobs/12/terminal.ws"
    )
    assert (
        terminal_url("https://example.com:8443/gitlab", "g/p", 3)
        == "wss://example.com:8443/gitlab/g/p/-/jobs/3/terminal.ws"
    )
    assert terminal_url("http://127.0.0.1:8080", "g/p", 3).startswith("ws://127.0.0.1:8080/")


def test_workhorse_answers_become_sentences() -> None:
    refusals = workhorse_refusals("gitlab.example.com")
    assert refusals[404][0] is NoTerminalError
    assert "[session_server]" in refusals[404][1]
    assert refusals[500][0] is ChannelError
    assert "another terminal is open" in refusals[500][1]
    for status in (302, 401):
        assert refusals[status][0] is WebSessionRefusedError
        assert "(expired?)" in refusals[status][1]


def test_web_session_values_are_cleaned_and_hidden() -> None:
    assert clean_value("  abc123  ") == "abc123"
    assert clean_value("_gitlab_session=abc123; path=/; HttpOnly") == "abc123"
    assert clean_value('"abc123"') == "abc123"
    for bad in ("", "a b", "abc\r\nX-Evil: 1", "a;b", "x" * 5000):
        with pytest.raises(ConfigError) as e:
            clean_value(bad)
        assert bad.strip() not in str(e.value) or not bad.strip()
    session = WebSession("s3cr3t", 1, "root")
    assert "s3cr3t" not in repr(session)
    assert session.cookie == "_gitlab_session=s3cr3t"
