"""Debug tabs through the mock's Workhorse to the real runner's shell, and every refusal's sentence."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gitlab_support import (
    ALICE_SESSION,
    CI,
    eventually,
    gitlab_api,
)
from mock_gitlab import MockGitLab, User
from termframes import read_until
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from jupyter_ci_terminal.backends.gitlab_rules import (
    NO_TERMINAL,
    UNREACHABLE,
    terminal_url,
    workhorse_refusals,
)
from jupyter_ci_terminal.channel import Channel
from jupyter_ci_terminal.dial import dial
from jupyter_ci_terminal.errors import NoTerminalError, WebSessionRefusedError
from jupyter_ci_terminal.runner.terminals.tls import Certificate, generate


async def open_terminal(ci: CI, job: dict[str, Any]) -> tuple[int, Any]:
    return await ci.call(
        "POST", "api", "terminals", body={"project": "gitlab-42", "job": job["id"]}
    )


async def test_a_debug_tab_reaches_the_jobs_shell_as_gitlabs_button_does(
    ci: CI, jp_ws_fetch: Any, mock_gitlab: MockGitLab
) -> None:
    assert await ci.get("gitlab", "session") == {"present": False}
    code, _ = await ci.give_session(ALICE_SESSION)
    assert code == 204
    assert await ci.get("gitlab", "session", params={"backend": "gitlab"}) == {"present": True}

    job = await ci.running_job()
    code, session = await open_terminal(ci, job)
    assert code == 200, session
    assert session["name"] == f"gitlab-42-{job['id']}"
    assert session["title"] == f"CI: shell-job #{job['id']}"
    assert session["resizable"] is False  # terminal.gitlab.com has no resize
    assert session["runner"] == mock_gitlab.url.split("://")[1]
    (request,) = mock_gitlab.terminal_log
    assert request["path"] == "acme/app"
    assert request["offered"] == ["terminal.gitlab.com"]  # exactly one subprotocol
    assert request["origin"] is None
    assert request["status"] == 101

    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    assert json.loads(await ws.read_message()) == ["setup", {}]
    ws.write_message(json.dumps(["stdin", 'echo "name=$CI_JOB_NAME"\r']))
    await read_until(ws, "name=shell-job")

    # The shell exits: the runner hangs up, Workhorse drops TCP without a close frame (1006),
    # and the tab reads that as the normal end of the session.
    ws.write_message(json.dumps(["stdin", "exit\r"]))
    assert "runner closed the terminal" in await read_until(ws, "CI terminal closed")
    assert request["tcp_closed"] is True
    assert request["eot_sent"] is False
    ws.close()

    # Debug again (the job still runs); closing it from Jupyter sends Ctrl-D upstream.
    code, again = await open_terminal(ci, job)
    assert code == 200, again
    assert len(mock_gitlab.terminal_log) == 2
    code, _ = await ci.call("DELETE", "api", "terminals", again["name"])
    assert code == 204
    await eventually(lambda: mock_gitlab.terminal_log[1]["eot_sent"])


async def test_a_runner_that_cannot_resize_keeps_the_model_at_the_jobs_size(
    ci: CI, jp_ws_fetch: Any
) -> None:
    # terminal.gitlab.com has no resize: the job's pty stays 24x80 however wide the tab is, so
    # what a viewer is restored to must be what the shell drew at 80 columns.
    assert (await ci.give_session(ALICE_SESSION))[0] == 204
    code, session = await open_terminal(ci, await ci.running_job())
    assert code == 200, session
    wide = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    assert json.loads(await wide.read_message()) == ["setup", {}]
    wide.write_message(json.dumps(["set_size", 30, 120, 900, 2400]))
    await read_until(wide, "cannot resize")
    # On a cleared screen, X at column 100: a pty of 80 columns puts it at column 80.
    wide.write_message(json.dumps(["stdin", "printf '\\033[H\\033[2J\\033[1;100HX%s' Y; read x\r"]))
    await read_until(wide, "XY")

    late = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    assert json.loads(await late.read_message()) == ["setup", {}]
    restored = await read_until(late, "XY")
    assert restored.split("X")[0] == "\x1bc" + " " * 79, restored
    for ws in (wide, late):
        ws.close()


async def test_without_a_web_session_the_answer_says_why_and_where(
    ci: CI, mock_gitlab: MockGitLab
) -> None:
    job = await ci.running_job()
    code, body = await open_terminal(ci, job)
    assert code == 403
    assert body["reason"] == "WebSessionRequiredError"
    assert "never for API tokens" in body["message"]
    assert "developer tools" in body["message"]
    assert "_gitlab_session" in body["message"]
    assert mock_gitlab.terminal_log == []


async def test_someone_elses_job_is_refused_before_dialing(
    ci: CI, mock_gitlab: MockGitLab, bob: User
) -> None:
    assert (await ci.give_session(ALICE_SESSION))[0] == 204
    theirs = await gitlab_api(mock_gitlab, bob, "POST", "/projects/42/pipeline", {"ref": "main"})
    job = await ci.job(theirs["id"], "shell-job", "running")
    code, body = await open_terminal(ci, job)
    assert code == 404
    assert body["message"] == job["terminal"]["reason"]
    assert mock_gitlab.terminal_log == []


async def test_workhorse_500_when_another_terminal_is_open(ci: CI, mock_gitlab: MockGitLab) -> None:
    assert (await ci.give_session(ALICE_SESSION))[0] == 204
    job = await ci.running_job()
    # The same user has the job's terminal open in GitLab's own UI: the runner allows one.
    url = terminal_url(mock_gitlab.url, "acme/app", job["id"])
    cookie = {"Cookie": f"_gitlab_session={ALICE_SESSION}"}
    elsewhere = await websocket_connect(
        HTTPRequest(url, headers=cookie), subprotocols=["terminal.gitlab.com"]
    )
    try:
        code, body = await open_terminal(ci, job)
        assert code == 502
        assert body["message"] == UNREACHABLE
    finally:
        elsewhere.close()


async def test_workhorse_404_and_302_become_sentences_at_the_dialer(
    ci: CI, mock_gitlab: MockGitLab, bob: User
) -> None:
    theirs = await gitlab_api(mock_gitlab, bob, "POST", "/projects/42/pipeline", {"ref": "main"})
    job = await ci.job(theirs["id"], "shell-job", "running")
    host = mock_gitlab.url.split("://")[1]

    def channel(session: str) -> Channel:
        return Channel(
            url=terminal_url(mock_gitlab.url, "acme/app", job["id"]),
            subprotocols=("terminal.gitlab.com",),
            header={"Cookie": [f"_gitlab_session={session}"]},
            refusals=workhorse_refusals(host),
        )

    with pytest.raises(NoTerminalError) as e:
        await dial(channel(ALICE_SESSION))  # Bob's job, Alice's session
    assert str(e.value) == NO_TERMINAL
    with pytest.raises(WebSessionRefusedError) as e2:
        await dial(channel("expired"))
    assert "(expired?)" in str(e2.value)
    assert [r["status"] for r in mock_gitlab.terminal_log] == [404, 302]


class TestOverTLS:
    """GitLab on https with a private CA: GITLAB_CA_BUNDLE serves REST and the wss dial."""

    @pytest.fixture
    def gitlab_tls(self) -> Certificate:
        return generate("127.0.0.1")

    async def test_rest_and_terminal_trust_the_bundle(
        self, ci: CI, jp_ws_fetch: Any, mock_gitlab: MockGitLab
    ) -> None:
        assert mock_gitlab.url.startswith("https://")
        assert (await ci.give_session(ALICE_SESSION))[0] == 204
        job = await ci.running_job()
        code, session = await open_terminal(ci, job)
        assert code == 200, session
        ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
        await ws.read_message()
        ws.write_message(json.dumps(["stdin", "echo tls-$((20+22))\r"]))
        await read_until(ws, "tls-42")
        ws.close()


class TestUntrustedCertificate:
    """Without the bundle, GitLab's private certificate is refused with a sentence."""

    @pytest.fixture
    def gitlab_tls(self) -> Certificate:
        return generate("127.0.0.1")

    @pytest.fixture
    def jp_server_config(
        self, jp_server_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> dict[str, Any]:
        monkeypatch.delenv("GITLAB_CA_BUNDLE")
        return jp_server_config

    async def test_projects_fail_with_one_sentence(self, ci: CI) -> None:
        code, body = await ci.call("GET", "api", "projects")
        assert code == 502
        assert "presented a certificate that did not verify" in body["message"]
        assert body["message"].endswith("(GITLAB_CA_BUNDLE).")
