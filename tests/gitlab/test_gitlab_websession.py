"""The web session: given once, checked with GitLab, kept per Jupyter user, and never let out."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from gitlab_support import (
    ALICE_SESSION,
    CI,
    SECRETS,
    eventually,
)
from mock_gitlab import MockGitLab, User
from termframes import read_until


async def open_terminal(ci: CI, job: dict[str, Any], **kw: Any) -> tuple[int, Any]:
    body = {"project": "gitlab-42", "job": job["id"]}
    return await ci.call("POST", "api", "terminals", body=body, **kw)


async def test_a_wrong_web_session_is_refused_when_given(ci: CI) -> None:
    code, body = await ci.give_session("0123456789abcdef0123456789abcdef")
    assert code == 403
    assert body["reason"] == "WebSessionRefusedError"
    assert "did not accept the web session (expired?)" in body["message"]
    assert await ci.get("gitlab", "session") == {"present": False}
    code, body = await ci.give_session("not a cookie; at all")
    assert code == 400
    assert "_gitlab_session" in body["message"]
    code, body = await ci.call("PUT", "api", "gitlab", "session", body={"backend": "nope"})
    assert code == 400
    code, body = await ci.call(
        "PUT", "api", "gitlab", "session", body={"backend": "nope", "session": "abc"}
    )
    assert code == 404


async def test_an_expired_web_session_is_forgotten_with_the_sentence(
    ci: CI, mock_gitlab: MockGitLab, alice: User
) -> None:
    assert (await ci.give_session(ALICE_SESSION))[0] == 204
    job = await ci.running_job()
    alice.session = "signed-out-elsewhere"  # GitLab expired the session
    code, body = await open_terminal(ci, job)
    assert code == 403
    assert body["reason"] == "WebSessionRefusedError"
    assert "sign in to GitLab again" in body["message"]
    assert await ci.get("gitlab", "session") == {"present": False}


async def test_forgetting_the_web_session(ci: CI) -> None:
    assert (await ci.give_session(ALICE_SESSION))[0] == 204
    code, _ = await ci.call("DELETE", "api", "gitlab", "session")
    assert code == 204
    assert await ci.get("gitlab", "session") == {"present": False}


class TestPerJupyterUser:
    """Under a hub-like identity provider, each Jupyter user has their own web session."""

    @pytest.fixture
    def jp_server_config(self, jp_server_config: dict[str, Any]) -> dict[str, Any]:
        jp_server_config["ServerApp"]["identity_provider_class"] = (
            "gitlab_support.HeaderIdentityProvider"
        )
        return jp_server_config

    async def test_one_users_session_is_not_anothers(self, ci: CI) -> None:
        as_alice = {"headers": {"X-Jupyter-User": "alice"}}
        as_bob = {"headers": {"X-Jupyter-User": "bob"}}
        assert (await ci.give_session(ALICE_SESSION, **as_alice))[0] == 204
        assert await ci.get("gitlab", "session", **as_alice) == {"present": True}
        assert await ci.get("gitlab", "session", **as_bob) == {"present": False}
        job = await ci.running_job()
        code, body = await open_terminal(ci, job, **as_bob)
        assert code == 403
        assert body["reason"] == "WebSessionRequiredError"
        code, body = await open_terminal(ci, job, **as_alice)
        assert code == 200, body


async def test_the_token_and_web_session_never_leave_the_server(
    ci: CI,
    jp_ws_fetch: Any,
    jp_serverapp: Any,
    mock_gitlab: MockGitLab,
    alice: User,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e"
    assert (await ci.give_session(wrong))[0] == 403
    assert (await ci.give_session(f"_gitlab_session={ALICE_SESSION}; path=/"))[0] == 204
    await ci.get("gitlab", "session")
    await ci.get("projects")
    job = await ci.running_job()
    await ci.call("GET", "api", "projects", "gitlab-42", "jobs", str(job["id"]), "trace")
    code, session = await open_terminal(ci, job)
    assert code == 200, session
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    await ws.read_message()
    ws.write_message(json.dumps(["stdin", "echo secret-free-$((6*7))\r"]))
    await read_until(ws, "secret-free-42")
    ws.close()
    live = jp_serverapp.web_app.settings["ci_terminal_sessions"].get(session["name"])
    await eventually(lambda: not live.viewers)
    await ci.get("terminals")
    _, recording = await ci.call("GET", "api", "terminals", session["name"], "recording")
    assert "secret-free-42" in recording
    await ci.call("DELETE", "api", "terminals", session["name"])
    alice.session = "rotated-by-gitlab"  # the session expires: the refusal path logs too
    assert (await open_terminal(ci, job))[0] == 403

    audit = (tmp_path / "audit.jsonl").read_text()
    assert '"attach"' in audit
    registry = jp_serverapp.web_app.settings["ci_terminal_registry"]
    backend = registry.backends[-1]
    out, err = capfd.readouterr()  # what the server's own log handlers printed
    logs = [caplog.text, out, err]
    everything = "\n".join(
        [*ci.bodies, recording, audit, *logs, repr(backend), repr(backend.web_sessions)]
    )
    assert "/api/v4/user" in caplog.text  # DEBUG logging of the GitLab calls was on
    assert "secret-free-42" in everything  # the haystack is the real one
    for secret in (*SECRETS, wrong):
        assert secret not in everything
