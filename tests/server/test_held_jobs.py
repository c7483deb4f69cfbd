"""Held jobs through the server: End debugging, retry with a hold, and the hold grace."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from termframes import read_until
from tornado.httpclient import HTTPClientError

from jupyter_ci_terminal.runner.terminals.retention import ENDED_LINE

from .conftest import CIClient

CI_YAML = """
held:
  variables: {CI_DEBUG_HOLD: on_failure}
  script: [echo clue > clue.txt, exit 4]
fast:
  script: [exit 3]
"""


@pytest.fixture
def ci_yaml() -> str:
    """One job that fails into a debug hold, one that fails at once."""
    return CI_YAML


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    """A one-second hold grace, so tests see it act."""
    app = {**jp_server_config["CITerminalApp"], "hold_grace": 1.0}
    return {**jp_server_config, "CITerminalApp": app}


async def wait_job(ci: CIClient, job_id: int, pred: Any, timeout: float = 60) -> dict[str, Any]:
    """Poll the server's job JSON until ``pred`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = await ci.get("projects", "local", "jobs", str(job_id))
        if pred(job):
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.2)


async def pipeline_jobs(ci: CIClient) -> dict[str, dict[str, Any]]:
    """Run a pipeline and return its jobs by name."""
    pipeline = await ci.post("projects", "local", "pipelines")
    jobs = await ci.get("projects", "local", "pipelines", str(pipeline["id"]), "jobs")
    return {j["name"]: j for j in jobs}


async def trace(ci: CIClient, job_id: int) -> str:
    r = await ci.fetch("ci-terminal", "api", "projects", "local", "jobs", str(job_id), "trace")
    return str(r.body.decode())


async def test_end_debugging_finishes_a_held_job_as_failed_not_canceled(ci: CIClient) -> None:
    job = (await pipeline_jobs(ci))["held"]
    held = await wait_job(ci, job["id"], lambda j: j["hold"])
    assert (held["status"], held["hold_reason"], held["hold_status"]) == (
        "running",
        "on_failure",
        "failed",
    )
    await ci.post("projects", "local", "jobs", str(job["id"]), "end_hold")
    done = await wait_job(ci, job["id"], lambda j: j["status"] != "running")
    assert (done["status"], done["failure_reason"]) == ("failed", "script_failure")
    assert (await trace(ci, job["id"])).rstrip().endswith("ERROR: Job failed: exit code 4\x1b[0;m")


async def test_end_debugging_a_job_that_is_not_held_is_refused(ci: CIClient) -> None:
    job = (await pipeline_jobs(ci))["fast"]
    await wait_job(ci, job["id"], lambda j: j["status"] == "failed")
    with pytest.raises(HTTPClientError) as e:
        await ci.post("projects", "local", "jobs", str(job["id"]), "end_hold")
    assert e.value.code == 403


async def test_retry_with_hold_opens_the_shell_of_a_job_that_fails_at_once_and_grace_ends_it(
    ci: CIClient, jp_ws_fetch: Any
) -> None:
    job = (await pipeline_jobs(ci))["fast"]
    await wait_job(ci, job["id"], lambda j: j["status"] == "failed")
    retry = await ci.post(
        "projects", "local", "jobs", str(job["id"]), "retry", body={"hold": "on_failure"}
    )
    held = await wait_job(ci, retry["id"], lambda j: j["hold"])
    assert held["hold_status"] == "failed"
    session = await ci.post("terminals", body={"project": "local", "job": retry["id"]})
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    assert json.loads(await ws.read_message()) == ["setup", {}]
    ws.write_message(json.dumps(["stdin", "echo debug-$((6*7)) $CI_DEBUG_HOLD\r"]))
    await read_until(ws, "debug-42 on_failure")
    listed = await ci.get("terminals")
    assert listed[0]["viewers"] == 1
    ws.close()
    # The last viewer left: after the 1 s grace the server ends the hold (End debugging, not a
    # disconnect: the session keeps the runner's terminal until then).
    done = await wait_job(ci, retry["id"], lambda j: j["status"] != "running")
    assert (done["status"], done["failure_reason"]) == ("failed", "script_failure")
    log = await trace(ci, retry["id"])
    assert ENDED_LINE in log
    assert "Terminal disconnected" not in log
    assert log.rstrip().endswith("ERROR: Job failed: exit code 3\x1b[0;m")


async def test_retry_with_an_unknown_hold_is_refused_with_one_sentence(
    ci: CIClient,
) -> None:
    job = (await pipeline_jobs(ci))["fast"]
    await wait_job(ci, job["id"], lambda j: j["status"] == "failed")
    with pytest.raises(HTTPClientError) as e:
        await ci.post("projects", "local", "jobs", str(job["id"]), "retry", body={"hold": "x"})
    assert e.value.code == 400
    assert json.loads(e.value.response.body)["message"] == (
        "A retry's hold is one of on_failure or always (CI_DEBUG_HOLD's values)."
    )
