"""Runtime file, shutdown, restart and crash recovery of the runner process."""

from __future__ import annotations

import signal
import stat
import time
from pathlib import Path
from typing import Any

from jupyter_ci_terminal.runner.runtime import find_runners, runtime_file_path

from .conftest import LONG, alive, write_project


def test_runtime_file_present_and_removed_on_sigterm(tmp_path: Path, start_runner: Any) -> None:
    project = write_project(tmp_path / "proj", LONG)
    runner = start_runner(project)
    path = runtime_file_path(runner.proc.pid)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    info = runner.info
    assert info["url"].startswith("http://127.0.0.1:")
    assert info["url"].endswith("/")
    assert info["project_dir"] == str(project.resolve())
    assert info["project_id"] == 1
    assert info["pid"] == runner.proc.pid
    assert len(info["token"]) >= 32
    assert [r["pid"] for r in find_runners()] == [runner.proc.pid]

    pipeline = runner.create_pipeline()
    job_id = next(iter(runner.jobs(pipeline["id"]).values()))["id"]
    runner.wait_job(job_id, lambda j: "started" in runner.trace(j["id"]))
    assert runner.stop(signal.SIGTERM) == 0
    assert not path.exists()
    assert find_runners() == []

    # A restart loses nothing that finished: the cancel and its reason are on record.
    again = start_runner(project)
    job = again.job(job_id)
    assert job["status"] == "canceled"
    trace = again.trace(job_id)
    assert "the runner is shutting down (SIGTERM)" in trace
    assert "ERROR: Job failed: canceled" in trace
    assert again.get(f"/projects/1/pipelines/{pipeline['id']}").json()["status"] == "canceled"


def test_crash_marks_running_jobs_failed_and_kills_leftovers(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = "slow:\n  script: ['sleep 120 & echo child=$!', wait]\n"
    project = write_project(tmp_path / "proj", ci)
    runner = start_runner(project)
    job_id = next(iter(runner.jobs(runner.create_pipeline()["id"]).values()))["id"]
    runner.wait_job(job_id, lambda j: "\nchild=" in runner.trace(j["id"]))
    child = int(runner.trace(job_id).split("\nchild=")[1].split()[0])
    runner.stop(signal.SIGKILL)
    runtime_file_path(runner.proc.pid).unlink()  # a killed process cannot clean up
    assert alive(child)

    again = start_runner(project)
    job = again.job(job_id)
    assert job["status"] == "failed"
    assert job["failure_reason"] == "runner_system_failure"
    assert "the runner stopped while this job was running" in again.trace(job_id)
    deadline = time.monotonic() + 5
    while alive(child):
        assert time.monotonic() < deadline, "the crashed job's process survived the restart"
        time.sleep(0.05)


def test_cancel_kills_the_process_tree(tmp_path: Path, start_runner: Any) -> None:
    ci = "tree:\n  script:\n    - (sleep 300 & echo child=$! ; wait) &\n    - echo started\n    - wait\n"
    runner = start_runner(write_project(tmp_path / "proj", ci))
    job_id = next(iter(runner.jobs(runner.create_pipeline()["id"]).values()))["id"]
    runner.wait_job(
        job_id,
        lambda j: "\nchild=" in runner.trace(j["id"]) and "\nstarted" in runner.trace(j["id"]),
    )
    child = int(runner.trace(job_id).split("\nchild=")[1].split()[0])
    assert alive(child)
    runner.post(f"/projects/1/jobs/{job_id}/cancel")
    runner.wait_status(job_id, "canceled")
    deadline = time.monotonic() + 5
    while alive(child):
        assert time.monotonic() < deadline, "a cancelled job's grandchild survived"
        time.sleep(0.05)


def test_sigterm_cancels_jobs_waiting_for_their_resource_group(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = "deploy:\n  resource_group: production\n  script: [echo deploying, sleep 60]\n"
    project = write_project(tmp_path / "proj", ci)
    runner = start_runner(project)
    first = next(iter(runner.jobs(runner.create_pipeline()["id"]).values()))["id"]
    runner.wait_job(first, lambda j: "deploying" in runner.trace(first))
    second_pipeline = runner.create_pipeline()["id"]
    second = next(iter(runner.jobs(second_pipeline).values()))["id"]
    runner.wait_status(second, "waiting_for_resource")
    assert runner.stop(signal.SIGTERM) == 0

    again = start_runner(project)
    assert again.job(first)["status"] == "canceled"
    waited = again.job(second)
    assert waited["status"] == "canceled"
    assert waited["pending_reason"] is None
    assert "the runner is shutting down (SIGTERM)" in again.trace(second)
    assert again.get(f"/projects/1/pipelines/{second_pipeline}").json()["status"] == "canceled"
