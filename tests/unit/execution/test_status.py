"""Pure status logic: GitLab's composite pipeline status, what a job waits for, retry rules."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_ci_terminal.runner.execution.state import Job, spec_of
from jupyter_ci_terminal.runner.execution.status import (
    dependencies,
    next_status,
    pipeline_status,
    should_retry,
    waiting_for,
)
from jupyter_ci_terminal.runner.pipeline.spec import JobSpec

STAGES = ["build", "lint", "test"]


def job(
    name: str,
    status: str = "created",
    stage: str = "test",
    allow_failure: bool = False,
    attempt: int = 1,
    **spec: Any,
) -> Job:
    """Return a typed job for the tables."""
    return Job(
        id=len(name) * 100 + sum(map(ord, name)),
        pipeline_id=1,
        name=name,
        stage=stage,
        stage_idx=STAGES.index(stage),
        status=status,
        allow_failure=allow_failure,
        hold=False,
        attempt=attempt,
        retried=False,
        spec=JobSpec(name=name, stage=stage, script=["true"], **spec),
    )


def statuses(*items: str) -> list[Job]:
    """``"failed!"`` is a failed job allowed to fail."""
    return [job(f"j{i}", s.rstrip("!"), allow_failure=s.endswith("!")) for i, s in enumerate(items)]


@pytest.mark.parametrize(
    ("jobs", "expected"),
    [
        ((), "skipped"),
        (("skipped",), "skipped"),
        (("success", "skipped"), "success"),
        (("success", "failed!"), "success"),  # success_with_warnings
        (("manual!",), "skipped"),  # an optional manual job alone is ignored
        (("created", "created"), "created"),
        (("pending", "created"), "pending"),
        (("success", "created"), "running"),
        (("success", "pending"), "running"),
        (("running", "failed"), "running"),
        (("success", "waiting_for_resource"), "waiting_for_resource"),
        (("created", "waiting_for_resource"), "waiting_for_resource"),
        (("pending", "waiting_for_resource"), "running"),
        (("success", "manual"), "manual"),
        (("success", "scheduled"), "scheduled"),
        (("success", "canceled"), "canceled"),
        (("failed", "canceled"), "failed"),
        (("success", "failed"), "failed"),
        (("canceled!", "success"), "success"),
    ],
)
def test_pipeline_status_composes_like_gitlab(jobs: tuple[str, ...], expected: str) -> None:
    assert pipeline_status(statuses(*jobs)) == expected


def test_dependencies_are_needs_or_else_every_earlier_stage() -> None:
    build = job("build", stage="build")
    lint = job("lint", stage="lint")
    unit = job("unit")
    package = job(
        "package",
        needs=[
            {"job": "build", "optional": False, "artifacts": True},
            {"job": "lint", "optional": False, "artifacts": False},
        ],
    )
    everyone = [build, lint, unit, package]
    assert dependencies(unit, everyone) == [build, lint]
    assert dependencies(package, everyone) == [build, lint]
    assert dependencies(package, everyone, artifacts=True) == [build]
    assert dependencies(job("alone", needs=[]), everyone) == []


@pytest.mark.parametrize(
    ("build", "lint", "needs", "expected"),
    [
        ("running", "created", None, "waiting for earlier stages: build, lint"),
        ("success", "running", None, "waiting for earlier stages: lint"),
        ("success", "success", None, None),
        ("manual", "success", None, "waiting for earlier stages: build"),  # blocking manual
        ("running", "running", ["build"], "waiting for needs: build"),
        ("success", "running", ["build"], None),
        ("running", "pending", ["lint", "build"], "waiting for needs: build, lint"),
    ],
)
def test_waiting_for_names_what_holds_a_created_job(
    build: str, lint: str, needs: list[str] | None, expected: str | None
) -> None:
    spec: dict[str, Any] = {}
    if needs is not None:
        spec["needs"] = [{"job": n, "optional": False, "artifacts": True} for n in needs]
    target = job("unit", **spec)
    jobs = [job("build", build, stage="build"), job("lint", lint, stage="lint"), target]
    assert waiting_for(target, jobs) == expected


@pytest.mark.parametrize(
    ("when", "upstream", "expected"),
    [
        ("on_success", "running", None),
        ("on_success", "success", "pending"),
        ("on_success", "failed", "skipped"),
        ("on_success", "failed!", "pending"),
        ("on_failure", "success", "skipped"),
        ("on_failure", "failed", "pending"),
        ("always", "canceled", "pending"),
        ("manual", "success", "manual"),
        ("manual", "failed", "skipped"),
        ("delayed", "success", "scheduled"),
    ],
)
def test_next_status_follows_when(when: str, upstream: str, expected: str | None) -> None:
    build = job("build", upstream.rstrip("!"), stage="build", allow_failure=upstream.endswith("!"))
    target = job("unit", when=when)
    assert next_status(target, [build, target]) == expected


@pytest.mark.parametrize(
    ("retry", "attempt", "reason", "exit_code", "expected"),
    [
        ({}, 1, "script_failure", 1, False),
        ({"retry_max": 2}, 1, "script_failure", 1, True),
        ({"retry_max": 2}, 3, "script_failure", 1, False),
        ({"retry_max": 1, "retry_when": ["runner_system_failure"]}, 1, "script_failure", 1, False),
        (
            {"retry_max": 1, "retry_when": ["stuck_or_timeout_failure"]},
            1,
            "job_execution_timeout",
            None,
            True,
        ),
        ({"retry_max": 1, "retry_exit_codes": [137]}, 1, "script_failure", 1, False),
        ({"retry_max": 1, "retry_exit_codes": [137]}, 1, "script_failure", 137, True),
    ],
)
def test_should_retry_follows_retry_keyword(
    retry: dict[str, Any], attempt: int, reason: str, exit_code: int | None, expected: bool
) -> None:
    assert should_retry(job("unit", attempt=attempt, **retry), reason, exit_code) is expected


def test_stored_spec_with_unknown_keys_still_loads() -> None:
    data = JobSpec(name="a", stage="test", script=["true"]).to_json()
    assert spec_of({**data, "from_a_newer_runner": 1}).name == "a"
