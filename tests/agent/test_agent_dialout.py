"""A job on a runner with no session server dials out to Jupyter, which opens its shell.

Real processes throughout: ``jupyter server`` with an agent token, ``jupyter-ci-runner serve
--no-session-server``, and the job's ``python -m jupyter_ci_terminal.agent``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import requests
from agent_support import AGENT, AGENT_TOKEN, DialOut, open_terminal, read_until


def test_job_on_runner_without_session_server_is_debugged_through_its_agent(
    dialout: DialOut,
) -> None:
    dialout.write_ci(["echo before-the-agent", f"{AGENT} --wait --timeout 120", "exit 3"])
    job_id = dialout.run_pipeline()
    job = dialout.wait_job(job_id, lambda j: j.get("agent") is True)
    assert job["status"] == "running"
    # No [session_server]: the runner hands out no Channel, as GitLab for such a runner.
    assert dialout.runner_get(f"/projects/1/jobs/{job_id}/terminal").status_code == 404

    with open_terminal(dialout, job_id) as ws:
        ws.send(json.dumps(["stdin", "echo agent-$((6*7))\r"]))
        read_until(ws, "agent-42")
        ws.send(json.dumps(["set_size", 33, 101]))
        ws.send(json.dumps(["stdin", "stty size\r"]))
        read_until(ws, "33 101")
        # Megabytes of output arrive through the agent's flow control: whole, or, to a reader
        # that fell more than CITerminalApp.viewer_max_lag behind, as the present screen.
        ws.send(
            json.dumps(["stdin", "head -c 3000000 /dev/zero | tr '\\0' x; echo big-$((2*3))\r"])
        )
        seen = read_until(ws, "big-6")
        assert seen.count("x") >= 3_000_000 or "\x1bc" in seen
        ws.send(json.dumps(["stdin", "echo job=$CI_JOB_NAME\r"]))
        read_until(ws, "job=debug-me")
        ws.send(json.dumps(["stdin", 'test "$PWD" = "$CI_PROJECT_DIR" && echo in-dir-$((40+2))\r']))
        read_until(ws, "in-dir-42")
        ws.send(json.dumps(["stdin", 'echo "token=${JUPYTER_CI_TERMINAL_TOKEN:-hidden}"\r']))
        read_until(ws, "token=hidden")

    # The viewer left: the session ends, the agent exits, the script goes on to its `exit 3`.
    done = dialout.wait_job(job_id, lambda j: j["status"] not in ("pending", "running"))
    assert done["status"] == "failed"
    assert done.get("agent") is None
    trace = dialout.trace(job_id)
    assert "A debugger opened this job's shell." in trace
    assert "The debugging session ended: the job goes on." in trace
    assert AGENT_TOKEN not in trace


def test_runner_answers_get_job_with_the_running_jobs_token_only(dialout: DialOut) -> None:
    token_file = dialout.project.parent / f"token-{time.monotonic_ns()}"
    dialout.write_ci([f'echo "$CI_JOB_TOKEN" > {token_file}', "sleep 60"])
    job_id = dialout.run_pipeline()
    dialout.wait_job(job_id, lambda j: j["status"] == "running")
    deadline = time.monotonic() + 30
    while not token_file.exists() or not token_file.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    token = token_file.read_text().strip()
    url = f"{dialout.runner['url']}api/v4/job"
    answer = requests.get(url, headers={"JOB-TOKEN": token}, timeout=10)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert body["id"] == job_id
    assert body["pipeline"]["project_id"] == 1
    assert body["user"]["username"]
    # A forged token, and the runner's API token, are not job tokens.
    assert requests.get(url, headers={"JOB-TOKEN": "f" * 64}, timeout=10).status_code == 401
    assert dialout.runner_get("/job").status_code == 401
    dialout.runner_http.post(f"{dialout.runner['url']}api/v4/projects/1/jobs/{job_id}/cancel")
    dialout.wait_job(job_id, lambda j: j["status"] == "canceled")
    # The token dies with the job.
    assert requests.get(url, headers={"JOB-TOKEN": token}, timeout=10).status_code == 401
