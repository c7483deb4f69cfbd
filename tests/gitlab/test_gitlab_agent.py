"""A GitLab job's ci-terminal-agent: GitLab vouches for its CI_JOB_TOKEN, its shell opens here.

The mock GitLab answers ``GET /api/v4/job`` for the job tokens it hands out, as GitLab does; the
agent runs as a real process beside the job (a runner with no session server needs no Channel).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from gitlab_support import CI, gitlab_api
from labprocess import AMBIENT_GITLAB
from mock_gitlab import MockGitLab, User
from termframes import read_until

AGENT_TOKEN = secrets.token_hex(16)
JOB_TOKEN_OF_AGENT = "glcbt-" + secrets.token_hex(16)


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    """The GitLab configuration of the conftest, plus an agent token."""
    jp_server_config["CITerminalApp"]["agent_token"] = AGENT_TOKEN
    return jp_server_config


async def running_job(gl: MockGitLab, user: User) -> dict[str, Any]:
    """Start a pipeline as ``user`` and wait until its job runs."""
    pipeline = await gitlab_api(gl, user, "POST", "/projects/42/pipeline", {"ref": "main"})
    deadline = time.monotonic() + 60
    while True:
        (job,) = await gitlab_api(gl, user, "GET", f"/projects/42/pipelines/{pipeline['id']}/jobs")
        if job["status"] == "running":
            return dict(job)
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.2)


async def test_gitlab_job_agent_is_vouched_for_by_gitlab_and_opens_the_jobs_shell(
    mock_gitlab: MockGitLab,
    alice: User,
    ci: CI,
    jp_ws_fetch: Any,
    jp_http_port: int,
    jp_base_url: str,
    tmp_path: Path,
) -> None:
    job = await running_job(mock_gitlab, alice)
    mock_gitlab.job_tokens[JOB_TOKEN_OF_AGENT] = job["id"]
    env = {k: v for k, v in os.environ.items() if k not in AMBIENT_GITLAB}
    env.update(
        JUPYTER_CI_TERMINAL_URL=f"http://127.0.0.1:{jp_http_port}{jp_base_url}",
        JUPYTER_CI_TERMINAL_TOKEN=AGENT_TOKEN,
        CI_JOB_TOKEN=JOB_TOKEN_OF_AGENT,
        CI_SERVER_URL=mock_gitlab.url,
        CI_PROJECT_DIR=str(tmp_path),
        CI_JOB_NAME=job["name"],
    )
    agent = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jupyter_ci_terminal.agent", "--wait", "--timeout", "90",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not (await ci.get("projects", "gitlab-42", "jobs", str(job["id"]))).get("agent"):
            assert time.monotonic() < deadline, "the agent did not connect"
            await asyncio.sleep(0.1)

        session = await ci.post("terminals", body={"project": "gitlab-42", "job": job["id"]})
        ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
        ws.write_message(json.dumps(["stdin", "echo from-$CI_JOB_NAME-$((6*7))\r"]))
        await read_until(ws, f"from-{job['name']}-42")
        ws.close()
        code, _ = await ci.call("DELETE", "api", "terminals", session["name"])
        assert code in (200, 204)

        output, _ = await asyncio.wait_for(agent.communicate(), 30)
    finally:
        if agent.returncode is None:
            agent.kill()
            await agent.wait()
        await gitlab_api(mock_gitlab, alice, "POST", f"/projects/42/jobs/{job['id']}/cancel", {})
    text = output.decode()
    assert agent.returncode == 0, text
    assert "The debugging session ended: the job goes on." in text
    assert AGENT_TOKEN not in text
    assert JOB_TOKEN_OF_AGENT not in text
