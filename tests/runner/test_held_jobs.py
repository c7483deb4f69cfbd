"""Held jobs in the job JSON, End debugging (``end_hold``) and retry with a hold (local additions)."""

from __future__ import annotations

import asyncio
import datetime
from pathlib import Path
from typing import Any

import pytest

from jupyter_ci_terminal.runner.api.hold import set_hold
from jupyter_ci_terminal.runner.terminals.retention import ENDED_LINE

from .conftest import Runner, write_project
from .wsclient import dial, read_until, send

BROKEN = (
    "broken:\n  variables: {CI_DEBUG_HOLD: on_failure}\n  script: [echo clue > clue.txt, exit 4]\n"
)
FAILS_AT_ONCE = "fast:\n  script: [exit 3]\n"


def only_job(runner: Runner) -> dict[str, Any]:
    """Create a pipeline and return its only job."""
    return next(iter(runner.jobs(runner.create_pipeline()["id"]).values()))


def until(value: str) -> datetime.datetime:
    """Parse the API's ISO 8601 UTC time."""
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_held_job_json_says_why_until_when_and_the_verdict(
    tmp_path: Path, start_runner: Any
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", BROKEN), "--session-timeout", "1800")
    job = runner.wait_job(only_job(runner)["id"], lambda j: j["hold"])
    assert job["status"] == "running"
    assert job["hold_reason"] == "on_failure"
    assert job["hold_status"] == "failed"
    left = until(job["hold_until"]) - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=29) < left <= datetime.timedelta(minutes=30)
    runner.post(f"/projects/1/jobs/{job['id']}/cancel")
    done = runner.wait_status(job["id"], "canceled")
    assert (done["hold"], done["hold_reason"], done["hold_until"]) == (False, None, None)


def test_end_hold_finishes_the_job_with_its_script_status_not_canceled(
    tmp_path: Path, start_runner: Any
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", BROKEN))
    job = runner.wait_job(only_job(runner)["id"], lambda j: j["hold"])
    r = runner.post(f"/projects/1/jobs/{job['id']}/end_hold")
    assert r.status_code == 200, r.text
    done = runner.wait_status(job["id"], "failed", "canceled")
    assert done["status"] == "failed"
    assert done["failure_reason"] == "script_failure"
    assert done["hold"] is False
    trace = runner.trace(job["id"])
    assert ENDED_LINE in trace
    assert trace.rstrip().endswith("ERROR: Job failed: exit code 4\x1b[0;m")


def test_end_hold_while_a_terminal_is_attached_ends_it(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", BROKEN))
    job = runner.wait_job(only_job(runner)["id"], lambda j: j["hold"])
    channel = runner.channel(job["id"])

    async def debug() -> None:
        async with dial(channel) as ws:
            await send(ws, b"cat clue.txt\r")
            await read_until(ws, "clue\r\n")
            r = await asyncio.to_thread(runner.post, f"/projects/1/jobs/{job['id']}/end_hold")
            assert r.status_code == 200, r.text
            await asyncio.to_thread(runner.wait_status, job["id"], "failed")

    asyncio.run(debug())
    assert ENDED_LINE in runner.trace(job["id"])


def test_end_hold_of_a_job_that_is_not_held_is_refused(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", FAILS_AT_ONCE))
    job = runner.wait_status(only_job(runner)["id"], "failed")
    r = runner.post(f"/projects/1/jobs/{job['id']}/end_hold")
    assert r.status_code == 403
    assert r.json() == {"message": "403 Forbidden  - Job is not held"}


def test_retention_is_reported_as_a_hold_and_end_hold_keeps_success(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = "short:\n  script: [echo started, sleep 1, echo script-done]\n"
    runner = start_runner(write_project(tmp_path / "proj", ci))
    job = runner.wait_job(only_job(runner)["id"], lambda j: j["status"] == "running")
    runner.wait_job(job["id"], lambda j: "\nstarted" in runner.trace(j["id"]))
    channel = runner.channel(job["id"])

    async def attached() -> None:
        async with dial(channel) as ws:
            await send(ws, b"echo attached\r")
            await read_until(ws, "attached\r\n")
            held = await asyncio.to_thread(runner.wait_job, job["id"], lambda j: j["hold"])
            assert (held["hold_reason"], held["hold_status"]) == ("retention", "success")
            await asyncio.to_thread(runner.post, f"/projects/1/jobs/{job['id']}/end_hold")
            await asyncio.to_thread(runner.wait_status, job["id"], "success")

    asyncio.run(attached())


def test_retry_with_hold_keeps_a_job_that_fails_at_once_open(
    tmp_path: Path, start_runner: Any
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", FAILS_AT_ONCE))
    first = runner.wait_status(only_job(runner)["id"], "failed")
    r = runner.post(f"/projects/1/jobs/{first['id']}/retry", json={"hold": "on_failure"})
    assert r.status_code == 201, r.text
    retry = runner.wait_job(r.json()["id"], lambda j: j["hold"])
    assert (retry["status"], retry["hold_reason"]) == ("running", "on_failure")
    channel = runner.channel(retry["id"])

    async def shell() -> None:
        async with dial(channel) as ws:
            await send(ws, b"echo hold=$CI_DEBUG_HOLD\r")
            await read_until(ws, "hold=on_failure\r\n")

    asyncio.run(shell())
    assert runner.wait_status(retry["id"], "failed")["failure_reason"] == "script_failure"
    # The hold was for that retry only: the next plain retry fails and finishes at once.
    again = runner.post(f"/projects/1/jobs/{retry['id']}/retry").json()
    done = runner.wait_status(again["id"], "failed")
    assert "CI_DEBUG_HOLD" not in runner.trace(done["id"])


def test_retry_with_an_unknown_hold_is_refused(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", FAILS_AT_ONCE))
    first = runner.wait_status(only_job(runner)["id"], "failed")
    r = runner.post(f"/projects/1/jobs/{first['id']}/retry", json={"hold": "forever"})
    assert r.status_code == 400
    assert r.json() == {"message": {"base": ["hold must be one of on_failure, always"]}}


@pytest.mark.parametrize(
    ("variables", "mode", "expected"),
    [
        ({}, "on_failure", {"CI_DEBUG_HOLD": "on_failure"}),
        ({"A": "1"}, None, {"A": "1"}),
        ({"CI_DEBUG_HOLD": "always"}, "on_failure", {"CI_DEBUG_HOLD": "on_failure"}),
    ],
)
def test_set_hold_sets_the_variable_for_one_retry(
    variables: dict[str, str], mode: str | None, expected: dict[str, str]
) -> None:
    once = set_hold({"variables": variables}, mode)
    assert once["variables"] == expected
    # A plain retry of that retry gets the job's own variables back.
    assert set_hold(once, None)["variables"] == variables
