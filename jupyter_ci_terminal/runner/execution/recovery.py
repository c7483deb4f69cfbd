"""Crash recovery: what a previous runner process left unfinished, and the processes it left behind."""

from __future__ import annotations

import time

from ..api.store import Store
from .procs import kill_leftovers

CRASH_LINE = (
    b"\n\x1b[31;1mERROR: Job failed (system failure): the runner stopped while this job was running"
    b"\x1b[0;m\n"
)


def recover_store(store: Store) -> list[int]:
    """Fail the jobs that were running (killing their leftovers), cancel the ones never started."""
    failed = []
    now = time.time()
    for job in store.jobs(include_retried=True):
        if job["status"] in ("pending", "running", "preparing"):
            if job["pid"]:
                kill_leftovers(job["pid"], f"CI_JOB_ID={job['id']}")
            store.update_job(
                job["id"],
                status="failed",
                failure_reason="runner_system_failure",
                finished_at=now,
                hold=False,
            )
            store.append_trace(job["id"], CRASH_LINE)
            failed.append(job["id"])
        elif job["status"] in ("created", "scheduled", "waiting_for_resource"):
            store.update_job(job["id"], status="canceled", finished_at=now)
    return failed
