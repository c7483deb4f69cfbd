"""``CITerminalApp.runner_agent_variables``: the embedded runner's jobs reach the agent with no setup.

A real ``jupyter server`` starts its own runner (no session server, as a shared runner); the
job's ``.gitlab-ci.yml`` names no agent variable, the server's configuration gives them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from agent_support import AGENT, AGENT_TOKEN, read_until
from serverprocess import ServerProcess, kill_all, runner_pids
from websockets.sync.client import connect

from jupyter_ci_terminal.backends.agenthelp import ADD_THE_AGENT

CI = f"""
with-agent:
  variables:
    HOME: $CI_PROJECT_DIR  # its login shell reads no dotfiles of the machine's user
  script:
    - {AGENT} --wait --timeout 120
without-agent:
  script: [sleep 120]
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The server with its embedded runner; any runner left serving the project is killed."""
    project = (tmp_path / "project").resolve()
    project.mkdir()
    (project / ".gitlab-ci.yml").write_text(CI)
    args = [
        f"--CITerminalApp.agent_token={AGENT_TOKEN}",
        "--CITerminalApp.runner_agent_variables=True",
        "--CITerminalApp.runner_session_server=False",
        "--CITerminalApp.detached_timeout=1",
    ]
    try:
        with ServerProcess(project, tmp_path / "home", args) as started:
            yield started
    finally:
        kill_all(runner_pids(project))


def wait_jobs(server: ServerProcess, pipeline: int, pred: Any) -> dict[str, dict[str, Any]]:
    """The pipeline's jobs by name, once ``pred`` holds for them."""
    deadline = time.monotonic() + 60
    while True:
        jobs = server.api("GET", f"projects/local/pipelines/{pipeline}/jobs").json()
        by_name = {j["name"]: j for j in jobs}
        if pred(by_name):
            return by_name
        assert time.monotonic() < deadline, (by_name, server.log.read_text()[-3000:])
        time.sleep(0.1)


def test_embedded_runner_job_reaches_the_agent_with_the_servers_variables(
    server: ServerProcess,
) -> None:
    r = server.api("POST", "projects/local/pipelines", json={})
    assert r.status_code in (200, 201), r.text
    jobs = wait_jobs(
        server,
        r.json()["id"],
        lambda j: (
            j["with-agent"].get("agent") is True and j["without-agent"]["status"] == "running"
        ),
    )
    # A job that does not call the agent is told how to add it.
    r = server.api(
        "POST", "terminals", json={"project": "local", "job": jobs["without-agent"]["id"]}
    )
    assert (r.status_code, r.json()["message"]) == (404, ADD_THE_AGENT)

    job_id = jobs["with-agent"]["id"]
    r = server.api("POST", "terminals", json={"project": "local", "job": job_id})
    assert r.status_code in (200, 201), r.text
    url = f"ws://127.0.0.1:{server.port}/ci-terminal/terminals/websocket/{r.json()['name']}"
    with connect(url, additional_headers={"Authorization": f"token {server.token}"}) as ws:
        ws.send(json.dumps(["stdin", "echo job=$CI_JOB_NAME\r"]))
        read_until(ws, "job=with-agent")
    trace = server.api("GET", f"projects/local/jobs/{job_id}/trace").text
    assert "A debugger opened this job's shell." in trace
    assert AGENT_TOKEN not in trace + server.log.read_text()
