"""The agent's hold ends before GitLab's job and after_script timeouts would end the job."""

from __future__ import annotations

import pytest

from jupyter_ci_terminal.agent.budget import go_duration, hold_budget

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z
STARTED = "2023-11-14T22:03:20Z"  # 600 s before NOW


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        *[("5m", 300.0), ("1h30m", 5400.0), ("90s", 90.0), ("1m30.5s", 90.5), ("250ms", 0.25)],
        *[("", None), ("5", None), ("5 m", None), ("m5", None), ("5m junk", None)],
    ],
)
def test_go_durations_as_gitlab_runner_reads_them(text: str, seconds: float | None) -> None:
    assert go_duration(text) == seconds


@pytest.mark.parametrize(
    ("requested", "after_script", "env", "budget"),
    [
        # No job timing known: the requested timeout.
        (1800.0, False, {}, 1800.0),
        # A 1 h job 600 s in: 3000 s left, less the 60 s margin.
        (5000.0, False, {"CI_JOB_TIMEOUT": "3600", "CI_JOB_STARTED_AT": STARTED}, 2940.0),
        (1800.0, False, {"CI_JOB_TIMEOUT": "3600", "CI_JOB_STARTED_AT": STARTED}, 1800.0),
        # From after_script: gitlab-runner's 5 min default, less 10 s.
        (1800.0, True, {}, 290.0),
        (1800.0, True, {"RUNNER_AFTER_SCRIPT_TIMEOUT": "20m"}, 1190.0),
        (1800.0, True, {"RUNNER_AFTER_SCRIPT_TIMEOUT": "nonsense"}, 290.0),
        # The job is nearly out of time: no hold at all rather than a timed-out job.
        (1800.0, False, {"CI_JOB_TIMEOUT": "630", "CI_JOB_STARTED_AT": STARTED}, 0.0),
        # Unreadable timing is ignored, not guessed.
        (1800.0, False, {"CI_JOB_TIMEOUT": "x", "CI_JOB_STARTED_AT": STARTED}, 1800.0),
    ],
)
def test_hold_leaves_the_job_time_to_end(
    requested: float, after_script: bool, env: dict[str, str], budget: float
) -> None:
    assert hold_budget(requested, after_script, env, NOW) == pytest.approx(budget)
