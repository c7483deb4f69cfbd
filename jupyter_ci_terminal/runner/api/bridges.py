"""Trigger jobs in the API: GitLab's ``GET /projects/:id/pipelines/:pipeline_id/bridges``.

GitLab lists a pipeline's bridges there (``trigger_jobs`` is its newer name for the same route),
never under ``/jobs``, each with ``Entities::Bridge``'s fields: the basic job fields plus
``downstream_pipeline``, the child pipeline it created (or null).
"""

from __future__ import annotations

from typing import Any

from ..execution import bridges
from . import serialize
from .base import BaseHandler

#: ``Entities::Ci::JobBasic``'s fields.
JOB_BASIC = (
    "id",
    "status",
    "stage",
    "name",
    "ref",
    "tag",
    "coverage",
    "allow_failure",
    "created_at",
    "started_at",
    "finished_at",
    "erased_at",
    "duration",
    "queued_duration",
    "user",
    "commit",
    "pipeline",
    "failure_reason",
    "web_url",
    "project",
)


def bridge_json(
    ctx: serialize.Context,
    job: dict[str, Any],
    pipeline: dict[str, Any],
    downstream: dict[str, Any] | None,
) -> dict[str, Any]:
    """Return a bridge's JSON (``Entities::Bridge``)."""
    full = serialize.job(ctx, job, pipeline)
    out = {key: full[key] for key in JOB_BASIC}
    out["downstream_pipeline"] = (
        serialize.pipeline_basic(ctx, downstream) if downstream is not None else None
    )
    return out


class BridgesHandler(BaseHandler):
    """``GET /projects/:id/pipelines/:pipeline_id/bridges`` (and ``/trigger_jobs``)."""

    def get(self, project_id: str, pipeline_id: str) -> None:
        """List the pipeline's trigger jobs, retried ones too, oldest first (``scope[]``)."""
        self.check_project(project_id)
        scheduler = self.state.scheduler
        pipeline = scheduler.find_pipeline(int(pipeline_id))
        rows = scheduler.store.jobs(pipeline["id"], self.scopes(), include_retried=True)
        children = {
            p["source_job_id"]: p for p in scheduler.store.pipelines() if p.get("source_job_id")
        }
        items = [
            bridge_json(self.state.ctx, job, pipeline, children.get(job["id"]))
            for job in sorted(rows, key=lambda j: j["id"])
            if bridges.is_bridge(job)
        ]
        self.paginate(items)
