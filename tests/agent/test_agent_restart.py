"""A Jupyter server restarted while a job's agent holds it: the agent dials the new server, where
the job's terminal opens the same shell; a server that stays down holds the job no longer than the agent's ``--timeout``.

Real processes: ``jupyter server`` (stopped with SIGTERM, then started again on the same port),
``jupyter-ci-runner serve --no-session-server``, and the job's ``python -m jupyter_ci_terminal.agent``.
"""

from __future__ import annotations

import json
import re
import time

from agent_support import AGENT, DialOut, open_terminal, read_until


def test_server_restart_under_a_held_agent_keeps_the_job_and_its_shell(dialout: DialOut) -> None:
    dialout.write_ci([f"{AGENT} --wait --timeout 300", "echo after-the-hold"])
    job_id = dialout.run_pipeline()
    dialout.wait_job(job_id, lambda j: j.get("agent") is True)
    with open_terminal(dialout, job_id) as ws:
        ws.send(json.dumps(["stdin", "echo before-$((6*7)) pid=$$.\r"]))
        shell = re.findall(r"pid=(\d+)\.", read_until(ws, "before-42"))[-1]
        # A viewer is attached when the server stops: the hold must survive that too.
        dialout.server.restart()

    job = dialout.wait_job(job_id, lambda j: j.get("agent") is True)
    assert job["status"] == "running"
    with open_terminal(dialout, job_id) as ws:
        # The same shell, not a new one: resized to the new viewer's size.
        ws.send(json.dumps(["set_size", 41, 99]))
        ws.send(json.dumps(["stdin", "echo name=$CI_JOB_NAME pid=$$. size=$(stty size).\r"]))
        seen = read_until(ws, "name=debug-me")
        assert f"name=debug-me pid={shell}. size=41 99." in seen

    # The viewer left the restarted server's session: the hold ends and the script goes on.
    done = dialout.wait_job(job_id, lambda j: j["status"] not in ("pending", "running"))
    assert done["status"] == "success"
    trace = dialout.trace(job_id)
    assert "dialing again" in trace
    assert trace.count("A debugger opened this job's shell.") == 1
    assert trace.count("A debugger opened this job's shell again (it went on while away).") == 1
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
