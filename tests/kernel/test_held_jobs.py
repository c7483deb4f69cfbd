"""Held jobs from a notebook: how they look in ``%ci_jobs`` and ``job.end_hold()``."""

from __future__ import annotations

import re

import pytest

from jupyter_ci_terminal.kernel import CI

CI_YAML = """
held:
  variables: {CI_DEBUG_HOLD: on_failure}
  script: [exit 4]
"""


@pytest.fixture(scope="module")
def ci_yaml() -> str:
    """A job that fails into a debug hold."""
    return CI_YAML


def test_a_held_job_looks_failed_and_held_then_end_hold_finishes_it_failed(api: CI) -> None:
    pipeline = api.run_pipeline().id
    job = next(j for j in api.jobs(pipeline) if j.name == "held")
    job.wait(until="held", timeout=60, progress=False)
    assert job.status == "running"
    assert job.shown_status == "failed"
    assert re.fullmatch(r"held for debugging, \d+ (s|min) left", job.hold_text)
    assert re.search(
        r"held\s+test\s+failed, held for debugging, \d+ (s|min) left", repr(api.jobs(pipeline))
    )
    html = api.jobs(pipeline)._repr_html_()
    assert "#dd2b0e" in html  # GitLab's failed colour
    assert "failed, held for debugging" in html

    job.end_hold()
    done = job.wait(until="finished", timeout=60, progress=False)
    assert done.status == "failed"
    assert done.data["failure_reason"] == "script_failure"
    assert done.hold_text == ""
    assert done.log().rstrip().endswith("ERROR: Job failed: exit code 4")


def test_outputs_show_the_state_after_the_wait_or_the_action(
    api: CI, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline = api.run_pipeline().id
    job = next(j for j in api.jobs(pipeline) if j.name == "held")
    job.wait(until="held", timeout=60)
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert re.search(rf"Job {job.id} held: failed, held for debugging, \d+ (s|min) left", last)
    # The action's answer is the job before the cancel took effect; the cell shows it after.
    assert job.cancel().status == "canceled"
    assert "canceled" in repr(job)
