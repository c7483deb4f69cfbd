"""``GET /api/v4/job``: the job a ``CI_JOB_TOKEN`` belongs to, as GitLab answers it.

GitLab authenticates this route with the job's own token (``JOB-TOKEN`` header or
``job_token`` parameter), valid only while the job runs; the runner's API token does not open it.
"""

from __future__ import annotations

from .base import BaseHandler


class CurrentJobHandler(BaseHandler):
    """The running job whose ``CI_JOB_TOKEN`` is presented; 401 for any other token."""

    def prepare(self) -> None:
        """Skip the API-token check: this route takes the job token instead."""

    def get(self) -> None:
        """Answer the job's JSON (``pipeline`` with ``project_id``, ``user``, ...)."""
        presented = self.request.headers.get("JOB-TOKEN") or self.get_query_argument(
            "job_token", ""
        )
        session = self.state.registry.for_job_token(presented) if presented else None
        job = self.state.scheduler.store.job(session.job_id) if session is not None else None
        if job is None or job["status"] != "running":
            self.send_json({"message": "401 Unauthorized"}, 401)
            return
        self.set_header("Cache-Control", "no-store")
        self.send_json(self.job_json(job))
