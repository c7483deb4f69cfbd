"""Who may open or join an agent job's shell when the Jupyter server tells its users apart.

GitLab opens a job's web terminal only to the user who started the job. An agent's shell is
opened by the Jupyter server, so the server applies that rule: the starter, as GitLab names them
in ``GET /api/v4/job``, against the Jupyter user's web-session user, or a Jupyter user listed in
``CITerminalApp.agent_allowed_users``. Alice starts the job; Bob (another GitLab user), Dave (no
web session) are refused on every way in; Carol (listed by the admin) and Alice get in.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from gitlab_support import ALICE_SESSION, BOB_SESSION, CI, gitlab_api
from labprocess import AMBIENT_GITLAB
from mock_gitlab import MockGitLab, User
from termframes import read_until
from tornado.httpclient import HTTPClientError

AGENT_TOKEN = secrets.token_hex(16)
JOB_TOKEN = "glcbt-" + secrets.token_hex(16)
ALICE = {"headers": {"X-Jupyter-User": "alice"}}
BOB = {"headers": {"X-Jupyter-User": "bob"}}
DAVE = {"headers": {"X-Jupyter-User": "dave"}}
CAROL = {"headers": {"X-Jupyter-User": "carol"}}


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    """Users told apart by a header, an agent token, and Carol on the admin's list."""
    jp_server_config["ServerApp"]["identity_provider_class"] = (
        "gitlab_support.HeaderIdentityProvider"
    )
    jp_server_config["CITerminalApp"]["agent_token"] = AGENT_TOKEN
    jp_server_config["CITerminalApp"]["agent_allowed_users"] = ["carol"]
    return jp_server_config


@contextlib.asynccontextmanager
async def agent_job(
    mock_gitlab: MockGitLab,
    alice: User,
    ci: CI,
    jp_http_port: int,
    jp_base_url: str,
    tmp_path: Path,
) -> AsyncIterator[dict[str, Any]]:
    """A job Alice started, whose agent (a real process) is connected and waiting."""
    pipeline = await gitlab_api(
        mock_gitlab, alice, "POST", "/projects/42/pipeline", {"ref": "main"}
    )
    deadline = time.monotonic() + 60
    while True:
        (job,) = await gitlab_api(
            mock_gitlab, alice, "GET", f"/projects/42/pipelines/{pipeline['id']}/jobs"
        )
        if job["status"] == "running":
            break
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.2)
    mock_gitlab.job_tokens[JOB_TOKEN] = job["id"]
    env = {k: v for k, v in os.environ.items() if k not in AMBIENT_GITLAB}
    env.update(
        JUPYTER_CI_TERMINAL_URL=f"http://127.0.0.1:{jp_http_port}{jp_base_url}",
        JUPYTER_CI_TERMINAL_TOKEN=AGENT_TOKEN,
        CI_JOB_TOKEN=JOB_TOKEN,
        CI_SERVER_URL=mock_gitlab.url,
        CI_PROJECT_DIR=str(tmp_path),
        CI_JOB_NAME=job["name"],
    )
    agent = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jupyter_ci_terminal.agent", "--wait", "--timeout", "90",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while not (await ci.get("projects", "gitlab-42", "jobs", str(job["id"]), **ALICE)).get(
            "agent"
        ):
            assert time.monotonic() < deadline + 30, "the agent did not connect"
            await asyncio.sleep(0.1)
        yield dict(job)
    finally:
        if agent.returncode is None:
            agent.kill()
            await agent.wait()
        await gitlab_api(mock_gitlab, alice, "POST", f"/projects/42/jobs/{job['id']}/cancel", {})


async def open_as(ci: CI, job: dict[str, Any], who: dict[str, Any]) -> tuple[int, Any]:
    body = {"project": "gitlab-42", "job": job["id"]}
    return await ci.call("POST", "api", "terminals", body=body, **who)


REFUSED = (
    "This job's shell is served by its agent and opens only to GitLab user @alice, who started"
    " the job, or to Jupyter users listed in CITerminalApp.agent_allowed_users."
)
NO_SESSION = " This server does not know your GitLab user: give your web session first."


async def test_agent_shell_opens_only_to_the_jobs_starter_or_listed_users(
    mock_gitlab: MockGitLab,
    alice: User,
    ci: CI,
    jp_ws_fetch: Any,
    jp_http_port: int,
    jp_base_url: str,
    tmp_path: Path,
) -> None:
    async with agent_job(mock_gitlab, alice, ci, jp_http_port, jp_base_url, tmp_path) as job:
        await check_who_gets_in(ci, job, jp_ws_fetch)


async def check_who_gets_in(ci: CI, agent_job: dict[str, Any], jp_ws_fetch: Any) -> None:
    assert (await ci.give_session(ALICE_SESSION, **ALICE))[0] == 204
    assert (await ci.give_session(BOB_SESSION, **BOB))[0] == 204
    for who, refused in ((BOB, REFUSED), (DAVE, REFUSED + NO_SESSION)):
        code, body = await open_as(ci, agent_job, who)
        assert (code, body["reason"], body["message"]) == (403, "ForbiddenError", refused)

    code, session = await open_as(ci, agent_job, ALICE)
    assert code == 200, session
    name = session["name"]
    assert session["runner"] == "agent"

    # Joining an open session follows the same rule, on every way in.
    for who, refused in ((BOB, REFUSED), (DAVE, REFUSED + NO_SESSION)):
        code, body = await open_as(ci, agent_job, who)
        assert (code, body["message"]) == (403, refused)
        code, body = await ci.call("GET", "api", "terminals", name, "recording", **who)
        assert (code, body["message"]) == (403, refused)
        code, body = await ci.call("DELETE", "api", "terminals", name, **who)
        assert (code, body["message"]) == (403, refused)
        with pytest.raises(HTTPClientError) as e:
            await jp_ws_fetch("ci-terminal", "terminals", "websocket", name, **who)
        assert e.value.code == 403

    # Carol has no web session, but the admin listed her.
    code, again = await open_as(ci, agent_job, CAROL)
    assert (code, again["name"]) == (200, name)
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", name, **CAROL)
    ws.write_message(json.dumps(["stdin", "echo carol-in-$CI_JOB_NAME\r"]))
    await read_until(ws, f"carol-in-{agent_job['name']}")
    ws.close()
    code, _ = await ci.call("DELETE", "api", "terminals", name, **ALICE)
    assert code == 204
