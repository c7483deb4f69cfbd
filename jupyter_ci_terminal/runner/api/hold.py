"""Local additions for held jobs: ending a hold, and retrying a job with ``CI_DEBUG_HOLD``.

``POST /projects/:id/jobs/:job_id/end_hold`` ends a job's hold (End debugging): the job
finishes with its script's status (``failed`` with its exit code and ``script_failure``), where
cancel records ``canceled``. ``POST .../retry`` with ``{"hold": "on_failure"}`` (or ``always``)
retries the job with that ``CI_DEBUG_HOLD`` for the new job only; GitLab has no such option.
"""

from __future__ import annotations

import json
from typing import Any

from ...errors import ConfigError, ForbiddenError
from ..terminals import retention
from .base import BaseHandler

#: The ``hold`` values a retry accepts (CI_DEBUG_HOLD's).
HOLD_MODES = ("on_failure", "always")
#: Spec key marking a job retried with a hold (the variable's earlier value, or None).
MARK = "retry_hold"


class EndHoldHandler(BaseHandler):
    """``POST /projects/:id/jobs/:job_id/end_hold``."""

    def post(self, project_id: str, job_id: str) -> None:
        """End the job's hold; 403 when it is not held (GitLab's wording for refused actions)."""
        job = self.find_job(project_id, job_id)
        if not retention.end_hold(job["id"]):
            msg = "403 Forbidden  - Job is not held"
            raise ForbiddenError(msg)
        self.send_json(self.job_json(job), 200)


def requested_hold(handler: BaseHandler) -> str | None:
    """The ``hold`` of a retry request's JSON body (or query), checked; None without one."""
    body: dict[str, Any] = {}
    if handler.request.body and "json" in handler.request.headers.get("Content-Type", ""):
        try:
            parsed = json.loads(handler.request.body)
        except ValueError:
            parsed = {}
        body = parsed if isinstance(parsed, dict) else {}
    value = body.get("hold") or handler.get_argument("hold", "") or None
    if value is not None and value not in HOLD_MODES:
        msg = f"hold must be one of {', '.join(HOLD_MODES)}"
        raise ConfigError(msg)
    return value if isinstance(value, str) else None


def set_hold(spec: dict[str, Any], mode: str | None) -> dict[str, Any]:
    """Return ``spec`` of a retry: with ``CI_DEBUG_HOLD=mode``, or without an earlier retry's.

    A hold given to one retry is not inherited by the next plain retry: its job gets the
    variable's value from before (or none) again.
    """
    spec = dict(spec)
    variables = dict(spec.get("variables") or {})
    if MARK in spec:
        previous = spec.pop(MARK)
        variables.pop("CI_DEBUG_HOLD", None)
        if previous is not None:
            variables["CI_DEBUG_HOLD"] = previous
    if mode is not None:
        spec[MARK] = variables.get("CI_DEBUG_HOLD")
        variables["CI_DEBUG_HOLD"] = mode
    spec["variables"] = variables
    return spec
