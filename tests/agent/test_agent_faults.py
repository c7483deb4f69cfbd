"""Faults around the agent: no agent at all, an agent killed under a viewer.

Real processes: ``jupyter server`` with an agent token, ``jupyter-ci-runner serve
--no-session-server``, and the job's ``python -m jupyter_ci_terminal.agent``.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from agent_support import AGENT, DialOut, open_terminal, read_until
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from jupyter_ci_terminal.backends.agenthelp import ADD_THE_AGENT


def wait_file(path: Path, timeout: float = 60) -> str:
    """The file's text once something was written to it."""
    deadline = time.monotonic() + timeout
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path.name} was not written"
        time.sleep(0.05)
    return path.read_text().strip()


def test_job_without_agent_on_runner_without_session_server_says_how_to_add_it(
    dialout: DialOut,
) -> None:
    started = dialout.project.parent / f"started-{time.monotonic_ns()}"
    dialout.write_ci([f"echo yes > {started}", "sleep 120"])
    job_id = dialout.run_pipeline()
    wait_file(started)
    r = dialout.server.api("POST", "terminals", json={"project": "local", "job": job_id})
    assert (r.status_code, r.json()["message"]) == (404, ADD_THE_AGENT)
    assert "ci-terminal-agent --hold on_failure --timeout 1800" in ADD_THE_AGENT
    assert 'pip install --quiet --no-deps jupyter-ci-terminal "websockets>=13"' in ADD_THE_AGENT
    dialout.runner_http.post(f"{dialout.runner['url']}api/v4/projects/1/jobs/{job_id}/cancel")
    dialout.wait_job(job_id, lambda j: j["status"] == "canceled")


def test_agent_killed_under_a_viewer_ends_the_session_with_one_sentence_and_the_job_goes_on(
    dialout: DialOut,
) -> None:
    pid_file = dialout.project.parent / f"agent-pid-{time.monotonic_ns()}"
    dialout.write_ci(
        [
            f"{AGENT} --wait --timeout 120 & echo $! > {pid_file}; wait $! || echo agent-status-$?",
            "echo after-the-agent",
        ]
    )
    job_id = dialout.run_pipeline()
    dialout.wait_job(job_id, lambda j: j.get("agent") is True)
    with open_terminal(dialout, job_id) as ws:
        ws.send(json.dumps(["stdin", "echo attached-$((6*7))\r"]))
        read_until(ws, "attached-42")
        os.kill(int(wait_file(pid_file)), signal.SIGKILL)
        seen = read_until(ws, "[CI terminal closed:")
        seen += read_until_disconnect(ws)
        end = seen[seen.index("[CI terminal closed:") :]
    assert (
        "The job's agent disconnected (its process or its connection to this server is gone)" in end
    )
    assert end.count("[CI terminal closed:") == 1
    # The job is not held by a dead agent: its script goes on and ends.
    done = dialout.wait_job(job_id, lambda j: j["status"] not in ("pending", "running"))
    assert done["status"] == "success"
    assert done.get("agent") is None
    trace = dialout.trace(job_id)
    assert f"agent-status-{128 + signal.SIGKILL}" in trace
    assert "after-the-agent" in trace


def read_until_disconnect(ws: ClientConnection, timeout: float = 30) -> str:
    """The rest of the viewer's output, up to terminado's ``disconnect`` (or the socket's close)."""
    seen = ""
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no disconnect after {seen[-400:]!r}"
            kind, *content = json.loads(ws.recv(timeout=left))
            if kind == "stdout":
                seen += content[0]
            elif kind == "disconnect":
                return seen
    except ConnectionClosed:
        return seen
