"""Each job's ``stage_status``: its stage's status, composed by GitLab's rule on the server.

The Lab shows stage statuses but never composes them, so every backend's pipeline-jobs JSON
carries the one rule the local runner uses for pipelines (``composite_status``).
"""

from __future__ import annotations

from typing import Any

from ..runner.execution.status import composite_status

JSON = dict[str, Any]


def current_jobs(jobs: list[JSON]) -> list[JSON]:
    """Return the jobs a stage's status counts: not retried, the newest attempt per name.

    The newest-per-name rule covers listings whose jobs carry no ``retried`` flag.
    """
    newest: dict[tuple[str, str], JSON] = {}
    for job in jobs:
        if job.get("retried"):
            continue
        key = (str(job.get("stage", "")), str(job.get("name", "")))
        if key not in newest or int(job.get("id", 0)) > int(newest[key].get("id", 0)):
            newest[key] = job
    return list(newest.values())


def stage_statuses(jobs: list[JSON]) -> dict[str, str]:
    """Return each stage's status from its current jobs (stages with none are left out)."""
    by_stage: dict[str, list[tuple[str, bool]]] = {}
    for job in current_jobs(jobs):
        entry = (str(job.get("status", "")), bool(job.get("allow_failure")))
        by_stage.setdefault(str(job.get("stage", "")), []).append(entry)
    return {stage: composite_status(entries) for stage, entries in by_stage.items()}


def with_stage_status(jobs: list[JSON]) -> list[JSON]:
    """Return copies of ``jobs``, each with ``stage_status`` (null for a stage of retried jobs only)."""
    statuses = stage_statuses(jobs)
    return [{**job, "stage_status": statuses.get(str(job.get("stage", "")))} for job in jobs]
