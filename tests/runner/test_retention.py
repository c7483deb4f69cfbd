"""Retention after the script (as gitlab-runner) and CI_DEBUG_HOLD (beyond it)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from .conftest import Runner, write_project
from .wsclient import dial, drain_until_closed, read_until, send

SHORT = "short:\n  script: [echo started, sleep 2, echo script-done]\n"


def first_job(runner: Runner) -> dict[str, Any]:
    """Create a pipeline and return its only job once its script printed ``started``."""
    job = next(iter(runner.jobs(runner.create_pipeline()["id"]).values()))
    return runner.wait_job(job["id"], lambda j: "\nstarted" in runner.trace(j["id"]))


def test_connected_terminal_keeps_job_running_until_disconnect(
    tmp_path: Path, start_runner: Any
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", SHORT))
    job = first_job(runner)
    channel = runner.channel(job["id"])

    async def session() -> None:
        async with dial(channel) as ws:
            await send(ws, b"echo attached\r")
            await read_until(ws, "attached\r\n")
            deadline = time.monotonic() + 15
            while "Terminal is connected" not in runner.trace(job["id"]):
                assert time.monotonic() < deadline
                await asyncio.sleep(0.1)
            assert "Terminal is connected, will time out in 30m0s..." in runner.trace(job["id"])
            assert runner.job(job["id"])["status"] == "running"
            # The shell still works after the script ended.
            await send(ws, b"echo still-here\r")
            await read_until(ws, "still-here\r\n")

    asyncio.run(session())
    done = runner.wait_status(job["id"], "success")
    assert done["hold"] is False
    trace = runner.trace(job["id"])
    assert "Terminal disconnected" in trace
    assert trace.index("Terminal disconnected") < trace.index("Job succeeded")


def test_retention_times_out_after_session_timeout(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", SHORT), "--session-timeout", "2")
    job = first_job(runner)
    channel = runner.channel(job["id"])

    async def session() -> None:
        async with dial(channel) as ws:
            await send(ws, b"echo attached\r")
            await read_until(ws, "attached\r\n")
            closed = await drain_until_closed(ws, timeout=20)
            assert closed.rcvd is None

    asyncio.run(session())
    runner.wait_status(job["id"], "success")
    trace = runner.trace(job["id"])
    assert "Terminal is connected, will time out in 2s..." in trace
    assert "Terminal session timed out (maximum time allowed - 2s)" in trace


def test_no_wait_without_terminal(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", SHORT))
    job = first_job(runner)
    runner.wait_status(job["id"], "success", timeout=10)
    assert "Terminal is connected" not in runner.trace(job["id"])


def test_cancel_during_retention(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", SHORT))
    job = first_job(runner)
    channel = runner.channel(job["id"])

    async def session() -> None:
        async with dial(channel) as ws:
            await send(ws, b"echo attached\r")
            await read_until(ws, "attached\r\n")
            deadline = time.monotonic() + 15
            while "Terminal is connected" not in runner.trace(job["id"]):
                assert time.monotonic() < deadline
                await asyncio.sleep(0.1)
            await asyncio.to_thread(runner.post, f"/projects/1/jobs/{job['id']}/cancel")
            await drain_until_closed(ws)

    asyncio.run(session())
    runner.wait_status(job["id"], "canceled")
    assert "Job cancelled, killing the terminal session" in runner.trace(job["id"])


def test_debug_hold_on_failure(tmp_path: Path, start_runner: Any) -> None:
    ci = """
broken:
  variables:
    CI_DEBUG_HOLD: on_failure
    SECRET_SAUCE: ketchup
  script:
    - echo clue > clue.txt
    - exit 4
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    job = next(iter(runner.jobs(runner.create_pipeline()["id"]).values()))
    held = runner.wait_job(job["id"], lambda j: j["hold"])
    assert held["status"] == "running"
    assert "CI_DEBUG_HOLD=on_failure" in runner.trace(job["id"])
    assert runner.job(job["id"])["status"] == "running"
    channel = runner.channel(job["id"])

    async def debug() -> None:
        async with dial(channel) as ws:
            await send(ws, b"cat clue.txt; echo sauce=$SECRET_SAUCE\r")
            out = await read_until(ws, "sauce=ketchup\r\n")
            assert "clue\r\nsauce=ketchup" in out

    asyncio.run(debug())
    done = runner.wait_status(job["id"], "failed")
    assert done["hold"] is False
    assert done["failure_reason"] == "script_failure"
    trace = runner.trace(job["id"])
    assert "Terminal disconnected" in trace
    assert trace.rstrip().endswith("ERROR: Job failed: exit code 4\x1b[0;m")
    assert runner.get(f"/projects/1/jobs/{job['id']}/terminal").status_code == 404


def test_debug_hold_times_out_and_skips_success(tmp_path: Path, start_runner: Any) -> None:
    ci = """
variables:
  CI_DEBUG_HOLD: on_failure
ok:
  script: [echo fine]
broken:
  script: [exit 1]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci), "--session-timeout", "1")
    jobs = runner.jobs(runner.create_pipeline()["id"])
    ok = runner.wait_status(jobs["ok"]["id"], "success")
    assert "CI_DEBUG_HOLD" not in runner.trace(ok["id"])
    runner.wait_job(jobs["broken"]["id"], lambda j: j["hold"] or j["status"] == "failed")
    runner.wait_status(jobs["broken"]["id"], "failed")
    assert "Terminal session timed out (maximum time allowed - 1s)" in runner.trace(
        jobs["broken"]["id"]
    )


def test_debug_hold_always_on_success(tmp_path: Path, start_runner: Any) -> None:
    ci = "ok:\n  variables: {CI_DEBUG_HOLD: always}\n  script: [echo fine]\n"
    runner = start_runner(write_project(tmp_path / "proj", ci))
    job = next(iter(runner.jobs(runner.create_pipeline()["id"]).values()))
    runner.wait_job(job["id"], lambda j: j["hold"])
    runner.post(f"/projects/1/jobs/{job['id']}/cancel")
    runner.wait_status(job["id"], "canceled")
