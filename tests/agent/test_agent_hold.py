"""``ci-terminal-agent --hold on_failure`` in after_script keeps only a failed job open."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from agent_support import AGENT, DialOut, open_terminal, read_until


def write_job(dialout: DialOut, exit_code: int) -> None:
    dialout.write_ci([f"exit {exit_code}"])
    path = dialout.project / ".gitlab-ci.yml"
    config = json.loads(path.read_text())
    config["debug-me"]["after_script"] = [f"{AGENT} --hold on_failure --timeout 120"]
    path.write_text(json.dumps(config))


def test_failed_job_is_held_from_after_script_until_its_shell_exits(dialout: DialOut) -> None:
    write_job(dialout, 4)
    job_id = dialout.run_pipeline()
    dialout.wait_job(job_id, lambda j: j.get("agent") is True)

    with open_terminal(dialout, job_id) as ws:
        ws.send(json.dumps(["stdin", "echo status=$CI_JOB_STATUS\r"]))
        read_until(ws, "status=failed")
        ws.send(json.dumps(["stdin", "exit\r"]))
        read_until(ws, "CI terminal closed")

    done = dialout.wait_job(job_id, lambda j: j["status"] not in ("pending", "running"))
    assert done["status"] == "failed"
    trace = dialout.trace(job_id)
    assert "holding the job (--hold on_failure (CI_JOB_STATUS=failed))" in trace
    assert "The debugging session ended: the job goes on." in trace
    # The session was recorded as every terminal session is.
    recording = dialout.server.api("GET", f"terminals/local-{job_id}/recording")
    assert recording.status_code == 200
    assert "status=failed" in recording.text


def test_passing_job_is_not_held_by_hold_on_failure(dialout: DialOut) -> None:
    write_job(dialout, 0)
    job_id = dialout.run_pipeline()
    done = dialout.wait_job(job_id, lambda j: j["status"] not in ("pending", "running"))
    assert done["status"] == "success"
    assert "CI_JOB_STATUS is success, not failed: the job is not held." in dialout.trace(job_id)


def test_agent_imports_only_the_standard_library_and_websockets() -> None:
    code = (
        "import sys, jupyter_ci_terminal.agent.cli, jupyter_ci_terminal.agent.dialer;"
        "heavy = {'tornado', 'jupyter_server', 'jupyter_core', 'traitlets', 'gitlab',"
        " 'requests', 'yaml', 're2', 'pyte'};"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert out.stdout.strip() == "[]"
