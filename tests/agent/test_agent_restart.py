"""A Jupyter server restarted while a job's agent holds it: the agent dials the new server; a
server that stays down holds the job no longer than the agent's ``--timeout``.

Real processes: ``jupyter server`` (stopped with SIGTERM, then started again on the same port),
``jupyter-ci-runner serve --no-session-server``, and the job's ``python -m jupyter_ci_terminal.agent``.
"""

from __future__ import annotations

import json
import time

from agent_support import AGENT, DialOut, open_terminal, read_until


def test_server_restart_under_a_held_agent_keeps_the_job_debuggable(dialout: DialOut) -> None:
    dialout.write_ci([f"{AGENT} --wait --timeout 300", "echo after-the-hold"])
    job_id = dialout.run_pipeline()
    dialout.wait_job(job_id, lambda j: j.get("agent") is True)
    with open_terminal(dialout, job_id) as ws:
        ws.send(json.dumps(["stdin", "echo before-$((6*7))\r"]))
        read_until(ws, "before-42")
        # A viewer is attached when the server stops: the hold must survive that too.
        dialout.server.restart()

    job = dialout.wait_job(job_id, lambda j: j.get("agent") is True)
    assert job["status"] == "running"
    with open_terminal(dialout, job_id) as ws:
        ws.send(json.dumps(["stdin", "echo name=$CI_JOB_NAME\r"]))
        read_until(ws, "name=debug-me")

    # The viewer left the restarted server's session: the hold ends and the script goes on.
    done = dialout.wait_job(job_id, lambda j: j["status"] not in ("pending", "running"))
    assert done["status"] == "success"
    trace = dialout.trace(job_id)
    assert "dialing again" in trace
    assert trace.count("A debugger opened this job's shell.") == 2
    assert "The debugging session ended: the job goes on." in trace
    assert "after-the-hold" in trace


def test_agent_timeout_ends_the_hold_while_the_server_stays_down(dialout: DialOut) -> None:
    dialout.write_ci([f"{AGENT} --wait --timeout 10", "echo after-the-hold"])
    job_id = dialout.run_pipeline()
    dialout.wait_job(job_id, lambda j: j.get("agent") is True)
    dialout.server.stop()
    try:
        # Only the runner can tell now: the agent redials in vain until its --timeout.
        deadline = time.monotonic() + 120
        while dialout.runner_get(f"/projects/1/jobs/{job_id}").json()["status"] == "running":
            assert time.monotonic() < deadline, "the hold outlived the agent's --timeout"
            time.sleep(0.2)
        job = dialout.runner_get(f"/projects/1/jobs/{job_id}").json()
        trace = dialout.runner_get(f"/projects/1/jobs/{job_id}/trace").text
        assert job["status"] == "success", trace[-2000:]
        assert "No debugging session ended within 10 s: the job goes on." in trace
        assert "after-the-hold" in trace
    finally:
        dialout.server.restart()
