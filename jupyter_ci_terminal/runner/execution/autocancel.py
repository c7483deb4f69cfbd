"""``interruptible`` and ``workflow:auto_cancel``: which jobs a new pipeline or a failure cancels.

As GitLab's ``CancelRedundantPipelinesService`` and ``auto_cancel:on_job_failure``; the older
pipeline's own setting decides, as in GitLab.
"""

from __future__ import annotations

from typing import Any

from .state import Job

#: Pipeline statuses auto-cancel looks at (``Ci::Pipeline::CANCELABLE_STATUSES``).
CANCELABLE = frozenset(
    {"running", "waiting_for_resource", "preparing", "pending", "created", "scheduled"}
)
#: Job statuses that count as "started" for ``on_new_commit: conservative`` (``STARTED_STATUSES``).
STARTED = frozenset({"running", "success", "failed"})
#: Job statuses a cancel still reaches.
UNFINISHED = frozenset(
    {"created", "pending", "running", "scheduled", "waiting_for_resource", "manual"}
)
#: Pipelines that never cancel others nor are cancelled as redundant (GitLab's child pipelines
#: follow their parent instead).
_DANGLING = frozenset({"parent_pipeline"})


def redundant(new: dict[str, Any], old: dict[str, Any], jobs: list[Job]) -> list[int]:
    """Return the ids of ``old``'s jobs that the newer pipeline ``new`` cancels.

    Unlike GitLab, a pipeline of the same commit is cancelled too: local pipelines run the
    folder as it is, not the commit.
    """
    if (
        old["id"] >= new["id"]
        or old["ref"] != new["ref"]
        or old["status"] not in CANCELABLE
        or {old["source"], new["source"]} & _DANGLING
    ):
        return []
    mode = (old.get("auto_cancel") or {}).get("on_new_commit", "conservative")
    if mode == "conservative":
        if any(j.status in STARTED and not j.spec.interruptible for j in jobs):
            return []
        return [j.id for j in jobs if j.status in UNFINISHED]
    if mode == "interruptible":
        return [j.id for j in jobs if j.spec.interruptible and j.status in UNFINISHED]
    return []


def cancels_on_failure(pipeline: dict[str, Any]) -> bool:
    """Return whether a failed job cancels the rest of ``pipeline`` (``on_job_failure: all``)."""
    return bool((pipeline.get("auto_cancel") or {}).get("on_job_failure") == "all")
