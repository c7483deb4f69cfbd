"""``CI_JOB_STATUS`` as gitlab-runner sets it: ``running`` in the scripts, the result after."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .conftest import Runner, write_project

CI = """
ok:
  before_script: [echo "before=$CI_JOB_STATUS"]
  script: [echo "script=$CI_JOB_STATUS"]
  after_script: [echo "after=$CI_JOB_STATUS"]
bad:
  script: [exit 1]
  after_script: [echo "after=$CI_JOB_STATUS"]
slow:
  script: [echo started, sleep 60]
  after_script: [echo "after=$CI_JOB_STATUS"]
"""


def test_ci_job_status_is_running_then_the_result_in_after_script(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", CI))
    pipeline = runner.create_pipeline()
    jobs = runner.jobs(pipeline["id"])
    slow = jobs["slow"]["id"]
    runner.wait_job(slow, lambda j: "started" in runner.trace(slow))
    assert runner.post(f"/projects/1/jobs/{slow}/cancel").status_code == 201
    runner.wait_pipeline(pipeline["id"])
    ok = runner.trace(jobs["ok"]["id"])
    assert "\nbefore=running\n" in ok
    assert "\nscript=running\n" in ok
    assert "\nafter=success\n" in ok
    assert "\nafter=failed\n" in runner.trace(jobs["bad"]["id"])
    assert "\nafter=canceled\n" in runner.trace(slow)
