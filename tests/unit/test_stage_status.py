"""Stage and pipeline statuses: GitLab's composite rule, applied by the server to job JSON."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_ci_terminal.runner.execution.status import composite_status
from jupyter_ci_terminal.server.stages import stage_statuses, with_stage_status


def entries(*items: str) -> list[tuple[str, bool]]:
    """``"failed!"`` is a failed job allowed to fail."""
    return [(s.rstrip("!"), s.endswith("!")) for s in items]


@pytest.mark.parametrize(
    ("jobs", "expected"),
    [
        ((), "skipped"),
        (("success", "success"), "success"),
        (("success", "skipped"), "success"),
        (("skipped", "skipped"), "skipped"),
        (("success", "failed"), "failed"),
        (("failed", "manual"), "manual"),  # GitLab: a manual job outranks a failure
        (("failed", "manual!"), "failed"),  # an optional manual job is ignored
        (("success", "manual"), "manual"),
        (("manual!",), "skipped"),
        (("success", "failed!"), "success"),  # success with warnings
        (("failed", "running"), "running"),
        (("success", "pending"), "running"),
        (("pending", "pending"), "pending"),
        (("success", "created"), "running"),
        (("created", "created"), "created"),
        (("canceled", "success"), "canceled"),
        (("failed", "canceled"), "failed"),
        (("success", "scheduled"), "scheduled"),
        (("failed", "scheduled"), "scheduled"),
        (("success", "waiting_for_resource"), "waiting_for_resource"),
    ],
)
def test_stage_status_composes_like_gitlab(jobs: tuple[str, ...], expected: str) -> None:
    assert composite_status(entries(*jobs)) == expected


def job(id: int, name: str, stage: str, status: str, **extra: Any) -> dict[str, Any]:
    """Return a job's JSON as a backend lists it."""
    return {"id": id, "name": name, "stage": stage, "status": status, **extra}


@pytest.mark.parametrize(
    ("jobs", "expected"),
    [
        ([job(1, "a", "build", "failed"), job(2, "b", "build", "manual")], {"build": "manual"}),
        (
            [job(1, "a", "test", "failed", retried=True), job(3, "a", "test", "success")],
            {"test": "success"},
        ),
        # Listings without a retried flag: the newest attempt of a name counts.
        ([job(3, "a", "test", "success"), job(1, "a", "test", "failed")], {"test": "success"}),
        (
            [job(1, "a", "build", "success"), job(2, "b", "test", "failed", allow_failure=True)],
            {"build": "success", "test": "success"},
        ),
        ([job(1, "a", "old", "failed", retried=True)], {}),
    ],
)
def test_stage_status_counts_current_jobs_only(
    jobs: list[dict[str, Any]], expected: dict[str, str]
) -> None:
    assert stage_statuses(jobs) == expected


def test_every_listed_job_carries_its_stage_status() -> None:
    jobs = [job(1, "a", "build", "failed", retried=True), job(2, "a", "build", "running")]
    assert [j["stage_status"] for j in with_stage_status(jobs)] == ["running", "running"]
    assert "stage_status" not in jobs[0]
