"""Helpers of the agent tests: the dial-out setup, terminado over a websocket.

The setup: a Jupyter server subprocess with an agent token, and a local runner with no session server.

The runner serves the server's root folder (found through the server's runtime folder, so the
server starts none of its own); jobs get no Channel and dial out with ``ci-terminal-agent``.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shlex
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import requests
from labprocess import AMBIENT_GITLAB
from serverprocess import ServerProcess
from websockets.asyncio.server import ServerConnection, serve
from websockets.sync.client import ClientConnection, connect

AGENT_TOKEN = secrets.token_hex(16)


class DialOut:
    """The server, the runner, and helpers to run a pipeline whose job holds with the agent."""

    def __init__(self, server: ServerProcess, runner: dict[str, Any], project: Path) -> None:
        self.server, self.runner, self.project = server, runner, project
        self.runner_http = requests.Session()
        self.runner_http.headers["PRIVATE-TOKEN"] = runner["token"]

    def write_ci(self, script: list[str], **variables: str) -> None:
        """The project's one job, ``debug-me``, with the agent's variables."""
        job = {
            "variables": {
                "JUPYTER_CI_TERMINAL_URL": self.server.base,
                "JUPYTER_CI_TERMINAL_TOKEN": AGENT_TOKEN,
                # The job's login shells read no dotfiles of the machine's user (slow ones make
                # a shell late for the tests' reads).
                "HOME": str(self.project.parent),
                **variables,
            },
            "script": script,
        }
        (self.project / ".gitlab-ci.yml").write_text(json.dumps({"debug-me": job}))

    def run_pipeline(self) -> int:
        """Start a pipeline through the server; the id of its one job."""
        r = self.server.api("POST", "projects/local/pipelines", json={})
        assert r.status_code in (200, 201), r.text
        jobs = self.server.api("GET", f"projects/local/pipelines/{r.json()['id']}/jobs").json()
        return int(jobs[0]["id"])

    def job(self, job_id: int) -> dict[str, Any]:
        """The job as the server's REST API shows it."""
        r = self.server.api("GET", f"projects/local/jobs/{job_id}")
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    def wait_job(
        self, job_id: int, pred: Callable[[dict[str, Any]], bool], timeout: float = 60
    ) -> dict[str, Any]:
        """Poll the job until ``pred`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if pred(job):
                return job
            assert time.monotonic() < deadline, (job, self.trace(job_id)[-2000:])
            time.sleep(0.1)

    def trace(self, job_id: int) -> str:
        """The job's log."""
        return self.server.api("GET", f"projects/local/jobs/{job_id}/trace").text

    def runner_get(self, path: str, **kw: Any) -> requests.Response:
        """GET on the runner's REST API (``/api/v4`` + path)."""
        return self.runner_http.get(f"{self.runner['url']}api/v4{path}", timeout=10, **kw)


AGENT = f"{shlex.quote(sys.executable)} -m jupyter_ci_terminal.agent"


def read_until(ws: ClientConnection, needle: str, timeout: float = 30) -> str:
    """Read terminado frames until their stdout contains ``needle``."""
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{needle!r} not seen in {seen[-800:]!r}"
        kind, *content = json.loads(ws.recv(timeout=left))
        if kind == "stdout":
            seen += content[0]
    return seen


def open_terminal(dialout: DialOut, job_id: int) -> ClientConnection:
    """Open the job's terminal through the REST API, then its websocket."""
    r = dialout.server.api("POST", "terminals", json={"project": "local", "job": job_id})
    assert r.status_code in (200, 201), r.text
    name = r.json()["name"]
    url = f"ws://127.0.0.1:{dialout.server.port}/ci-terminal/terminals/websocket/{name}"
    return connect(url, additional_headers={"Authorization": f"token {dialout.server.token}"})


async def run_agent(
    handler: Callable[[ServerConnection], Awaitable[None]],
    project_dir: Path,
    timeout: float,
    job_variables: dict[str, str] | None = None,
    **serve_options: Any,
) -> tuple[int | None, str]:
    """The agent (``--wait --timeout``) against a websocket server that plays the Jupyter
    server's part (``handler``, per connection): its exit status and output."""
    async with serve(handler, "127.0.0.1", 0, **serve_options) as server:
        port = server.sockets[0].getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k not in AMBIENT_GITLAB}
        env.update(
            JUPYTER_CI_TERMINAL_URL=f"http://127.0.0.1:{port}/",
            JUPYTER_CI_TERMINAL_TOKEN="agent-token",
            CI_JOB_TOKEN="job-token",
            CI_SERVER_URL="https://gitlab.example.com",
            CI_PROJECT_DIR=str(project_dir),
            HOME=str(project_dir),  # a login shell reads no dotfiles of the machine's user
        )
        env.update(job_variables or {})
        agent = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "jupyter_ci_terminal.agent", "--wait", "--timeout", f"{timeout:g}",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(agent.communicate(), timeout)
    return agent.returncode, output.decode()
