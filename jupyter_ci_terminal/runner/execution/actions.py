"""Cancel, retry and play: what a user (and auto-cancel, auto-retry) does to jobs and pipelines.

The rules are GitLab's: which statuses each action accepts, its refusal messages, and that a
retry is a new job of the same pipeline which gives later skipped jobs another chance. Ending a
held job's debugging is the terminals' concern (``runner.terminals.retention``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ...errors import ForbiddenError
from ..api.store import ACTIVE, FINISHED, Store
from . import bridges
from .state import Job, jobs_of

if TYPE_CHECKING:
    from .scheduler import Scheduler


def cancel_job(
    scheduler: Scheduler, job_id: int, reason: str = "Job canceled by user"
) -> dict[str, Any]:
    """Cancel a job that has not finished (running ones are stopped with their process tree)."""
    job = scheduler.find_job(job_id)
    if job["status"] in ("pending", "running") and scheduler.stop(job_id, reason):
        return scheduler.find_job(job_id)  # its run records the cancel once stopped
    if job["status"] in ACTIVE or job["status"] == "manual":
        scheduler.forget(job_id)
        scheduler.store.update_job(job_id, status="canceled", finished_at=time.time())
        scheduler.store.append_trace(job_id, f"{reason}\n".encode())
        # A trigger job's child pipeline is canceled too, as GitLab cancels downstream children.
        child = bridges.child_of(scheduler, job_id) if bridges.is_bridge(job) else None
        if child is not None and child["status"] not in FINISHED:
            cancel_pipeline(scheduler, child["id"])
        scheduler.advance(job["pipeline_id"])
    return scheduler.find_job(job_id)


def retry_job(scheduler: Scheduler, job_id: int) -> dict[str, Any]:
    """Retry a finished job as a new job of the same pipeline."""
    job = scheduler.find_job(job_id)
    if job["status"] not in ("success", "failed", "canceled") or job["retried"]:
        msg = "403 Forbidden  - Job is not retryable"
        raise ForbiddenError(msg)
    new_id = new_attempt(scheduler.store, Job.from_row(job))
    scheduler.advance(job["pipeline_id"])
    return scheduler.find_job(new_id)


def play_job(scheduler: Scheduler, job_id: int) -> dict[str, Any]:
    """Start a manual job (or a scheduled one now)."""
    job = scheduler.find_job(job_id)
    if job["status"] not in ("manual", "scheduled"):
        msg = "403 Forbidden  - Unplayable Job"
        raise ForbiddenError(msg)
    scheduler.start(job_id)
    return scheduler.find_job(job_id)


def cancel_pipeline(
    scheduler: Scheduler, pipeline_id: int, reason: str = "Pipeline canceled by user"
) -> None:
    """Cancel every unfinished job of a pipeline."""
    for job in scheduler.store.jobs(pipeline_id):
        if job["status"] in ACTIVE or job["status"] == "manual":
            cancel_job(scheduler, job["id"], reason)


def retry_pipeline(scheduler: Scheduler, pipeline_id: int) -> None:
    """Retry the failed and cancelled jobs of a pipeline."""
    for job in jobs_of(scheduler.store.jobs(pipeline_id)):
        if job.status in ("failed", "canceled"):
            new_attempt(scheduler.store, job)
    scheduler.advance(pipeline_id)


def new_attempt(store: Store, job: Job) -> int:
    """Mark ``job`` retried and store its next attempt (``created``); return the new job's id."""
    store.update_job(job.id, retried=True)
    row = store.job(job.id)
    assert row is not None
    new_id = store.create_job(
        pipeline_id=job.pipeline_id,
        name=job.name,
        stage=job.stage,
        stage_idx=job.stage_idx,
        status="created",
        allow_failure=job.allow_failure,
        spec=row["spec"],
        attempt=job.attempt + 1,
    )
    # Later jobs that were skipped because of this one get another chance, as in GitLab.
    for other in jobs_of(store.jobs(job.pipeline_id)):
        if other.status == "skipped" and other.stage_idx >= job.stage_idx and other.id != new_id:
            store.update_job(other.id, status="created")
    return new_id
