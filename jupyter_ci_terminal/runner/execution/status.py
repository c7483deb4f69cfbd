"""Pure status logic: when a job may start, and a pipeline's status from its jobs' (GitLab's rules)."""

from __future__ import annotations

from typing import Any

from ..api.store import FINISHED

_BUSY = frozenset({"pending", "running", "preparing", "waiting_for_resource"})


def blocking_manual(job: dict[str, Any]) -> bool:
    """Return whether a manual job holds back what comes after it (``allow_failure: false``)."""
    return job["status"] == "manual" and not job["allow_failure"]


def dependencies(job: dict[str, Any], jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the jobs ``job`` waits for: its ``needs``, or every job of earlier stages."""
    needs = job["spec"]["needs"]
    if needs is None:
        return [j for j in jobs if j["stage_idx"] < job["stage_idx"]]
    names = {n["job"] for n in needs}
    return [j for j in jobs if j["name"] in names]


def settled(dep: dict[str, Any]) -> bool:
    """Return whether a dependency no longer holds its dependents back."""
    return dep["status"] in FINISHED or (dep["status"] == "manual" and not blocking_manual(dep))


def upstream_failed(deps: list[dict[str, Any]]) -> bool:
    """Return whether a dependency failed (not allowed to) or was cancelled."""
    return any(
        (d["status"] == "failed" and not d["allow_failure"]) or d["status"] == "canceled"
        for d in deps
    )


def next_status(job: dict[str, Any], jobs: list[dict[str, Any]]) -> str | None:
    """Return what a ``created`` job becomes now (pending/skipped/manual/scheduled), or None to wait."""
    deps = dependencies(job, jobs)
    if not all(settled(d) for d in deps):
        return None
    failed = upstream_failed(deps)
    when = job["spec"]["when"]
    if when == "always":
        return "pending"
    if when == "on_failure":
        return "pending" if failed else "skipped"
    if failed:
        return "skipped"
    if when == "manual":
        return "manual"
    if when == "delayed":
        return "scheduled"
    return "pending"


def pipeline_status(jobs: list[dict[str, Any]]) -> str:
    """Compose a pipeline's status from its current (not retried) jobs, as GitLab does."""
    statuses = []
    for job in jobs:
        status = job["status"]
        if status == "failed" and job["allow_failure"]:
            status = "success"
        elif status == "manual" and job["allow_failure"]:
            status = "skipped"
        statuses.append(status)
    if not statuses or all(s == "skipped" for s in statuses):
        return "skipped"
    if all(s in ("success", "skipped") for s in statuses):
        return "success"
    if all(s == "created" for s in statuses):
        return "created"
    started = any(s in FINISHED or s == "running" for s in statuses)
    if any(s in _BUSY for s in statuses) or (started and "created" in statuses):
        return "running" if started else "pending"
    for status in ("manual", "scheduled", "failed", "canceled"):
        if status in statuses:
            return status
    return "success"


def should_retry(job: dict[str, Any], failure_reason: str | None, exit_code: int | None) -> bool:
    """Return whether a failed job gets another attempt under its ``retry:`` settings."""
    spec = job["spec"]
    if job["attempt"] > spec["retry_max"]:
        return False
    reason = failure_reason or "unknown_failure"
    aliases = {reason, "always"}
    if reason == "job_execution_timeout":
        aliases.add("stuck_or_timeout_failure")
    if not aliases & set(spec["retry_when"]):
        return False
    codes = spec["retry_exit_codes"]
    return not codes or exit_code in codes
