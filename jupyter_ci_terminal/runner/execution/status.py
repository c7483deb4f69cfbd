"""Pure status logic: what a job waits for, when it may start, and a pipeline's status (GitLab's rules)."""

from __future__ import annotations

from collections.abc import Iterable

from ..api.store import FINISHED
from .state import Job


def blocking_manual(job: Job) -> bool:
    """Return whether a manual job holds back what comes after it (``allow_failure: false``)."""
    return job.status == "manual" and not job.allow_failure


def dependencies(job: Job, jobs: list[Job], *, artifacts: bool = False) -> list[Job]:
    """Return the jobs ``job`` waits for: its ``needs``, or else every job of earlier stages.

    This is the one place that rule lives. With ``artifacts``, ``needs`` entries that set
    ``artifacts: false`` are left out (the jobs whose archives it may receive).
    """
    needs = job.spec.needs
    if needs is None:
        return [j for j in jobs if j.stage_idx < job.stage_idx]
    names = {n["job"] for n in needs if not artifacts or n.get("artifacts", True)}
    return [j for j in jobs if j.name in names]


def settled(dep: Job) -> bool:
    """Return whether a dependency no longer holds its dependents back."""
    return dep.status in FINISHED or (dep.status == "manual" and not blocking_manual(dep))


def upstream_failed(deps: list[Job]) -> bool:
    """Return whether a dependency failed (not allowed to) or was cancelled."""
    return any(
        (d.status == "failed" and not d.allow_failure) or d.status == "canceled" for d in deps
    )


def waiting_for(job: Job, jobs: list[Job]) -> str | None:
    """Return why a ``created`` job cannot move yet (``waiting for needs: build``), or None."""
    unsettled = [d for d in dependencies(job, jobs) if not settled(d)]
    if not unsettled:
        return None
    if job.spec.needs is not None:
        return "waiting for needs: " + ", ".join(dict.fromkeys(d.name for d in unsettled))
    stages = sorted({(d.stage_idx, d.stage) for d in unsettled})
    return "waiting for earlier stages: " + ", ".join(name for _, name in stages)


def next_status(job: Job, jobs: list[Job]) -> str | None:
    """Return what a ``created`` job becomes now (pending/skipped/manual/scheduled), or None to wait."""
    deps = dependencies(job, jobs)
    if not all(settled(d) for d in deps):
        return None
    failed = upstream_failed(deps)
    when = job.spec.when
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


def pipeline_status(jobs: list[Job]) -> str:
    """Compose a pipeline's status from its current (not retried) jobs: GitLab's ``Composite``."""
    return composite_status((job.status, job.allow_failure) for job in jobs)


def composite_status(jobs: Iterable[tuple[str, bool]]) -> str:
    """Compose a pipeline's or a stage's status from ``(status, allow_failure)`` of its jobs.

    GitLab's ``Ci::HasStatus`` composite rule, the one both pipelines and stages use; the
    server applies it to any backend's job JSON so the Lab never composes statuses itself.
    """
    found: set[str] = set()
    for status, allow_failure in jobs:
        if allow_failure and status in ("failed", "canceled"):
            found.add("success_with_warnings")
        elif allow_failure and status == "manual":
            found.add("ignored")
        else:
            found.add(status)

    def only_of(*names: str) -> bool:
        return bool(found) and found <= {*names}

    quiet = ("success_with_warnings", "ignored")
    if not found or only_of("skipped", "ignored"):
        return "skipped"
    for status, allowed in _ONLY_OF:
        if only_of(*allowed, *quiet):
            return status
    if found & {"running", "pending"}:
        return "running"
    for status in ("waiting_for_resource", "manual", "scheduled", "preparing"):
        if status in found:
            return status
    if "created" in found:
        return "running"
    return "canceling" if "canceling" in found else "failed"


#: Composite's "only these statuses" cases, in its order (success_with_warnings and ignored
#: always count as allowed).
_ONLY_OF = (
    ("success", ("success", "skipped")),
    ("created", ("created",)),
    ("preparing", ("preparing",)),
    ("canceled", ("canceled", "success", "skipped")),
    ("pending", ("pending", "created", "skipped")),
)


def should_retry(job: Job, failure_reason: str | None, exit_code: int | None) -> bool:
    """Return whether a failed job gets another attempt under its ``retry:`` settings."""
    spec = job.spec
    if job.attempt > spec.retry_max:
        return False
    reason = failure_reason or "unknown_failure"
    aliases = {reason, "always"}
    if reason == "job_execution_timeout":
        aliases.add("stuck_or_timeout_failure")
    if not aliases & set(spec.retry_when):
        return False
    codes = spec.retry_exit_codes
    return not codes or exit_code in codes
