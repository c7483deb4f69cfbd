"""GitLab REST v4 JSON shapes of the project, its pipelines and jobs (GitLab's field names)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..execution.artifacts import FILENAME
from ..execution.deployments import environment_json
from ..terminals import retention


def iso(ts: float | None) -> str | None:
    """Format a Unix time as GitLab does (``2016-08-11T11:28:34.085Z``)."""
    if ts is None:
        return None
    moment = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


USER = {
    "id": 1,
    "username": "local",
    "name": "Local User",
    "state": "active",
    "locked": False,
    "avatar_url": None,
    "web_url": "",
}


@dataclass(frozen=True)
class Context:
    """Where the API is served and which folder it serves."""

    base_url: str
    project: Path
    project_id: int
    created_at: float
    default_branch: str

    @property
    def path(self) -> str:
        """Return the project's ``path_with_namespace``."""
        return f"local/{self.project.name}"

    @property
    def web_url(self) -> str:
        """Return the project's web URL."""
        return f"{self.base_url.rstrip('/')}/{self.path}"


def user(ctx: Context) -> dict[str, Any]:
    """Return the single local user."""
    return {**USER, "web_url": f"{ctx.base_url.rstrip('/')}/local"}


def project(ctx: Context, last_activity: float | None = None) -> dict[str, Any]:
    """Return the project JSON."""
    name = ctx.project.name
    return {
        "id": ctx.project_id,
        "description": f"Local runner project for {ctx.project}",
        "name": name,
        "name_with_namespace": f"local / {name}",
        "path": name,
        "path_with_namespace": ctx.path,
        "created_at": iso(ctx.created_at),
        "default_branch": ctx.default_branch,
        "tag_list": [],
        "topics": [],
        "ssh_url_to_repo": None,
        "http_url_to_repo": f"{ctx.web_url}.git",
        "web_url": ctx.web_url,
        "readme_url": None,
        "avatar_url": None,
        "forks_count": 0,
        "star_count": 0,
        "last_activity_at": iso(last_activity or ctx.created_at),
        "namespace": {
            "id": 1,
            "name": "local",
            "path": "local",
            "kind": "user",
            "full_path": "local",
            "parent_id": None,
            "avatar_url": None,
            "web_url": f"{ctx.base_url.rstrip('/')}/local",
        },
        "visibility": "private",
        "archived": False,
        "jobs_enabled": True,
        "builds_access_level": "enabled",
        "ci_config_path": ".gitlab-ci.yml",
        "local_dir": str(ctx.project),
    }


def _duration(start: float | None, end: float | None) -> float | None:
    if start is None:
        return None
    return round((end or datetime.datetime.now(datetime.timezone.utc).timestamp()) - start, 3)


def pipeline_basic(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    """Return the pipeline JSON used in lists."""
    return {
        "id": p["id"],
        "iid": p["id"],
        "project_id": ctx.project_id,
        "sha": p["sha"],
        "ref": p["ref"],
        "status": p["status"],
        "source": p["source"],
        "created_at": iso(p["created_at"]),
        "updated_at": iso(p["updated_at"]),
        "web_url": f"{ctx.web_url}/-/pipelines/{p['id']}",
    }


def pipeline(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    """Return the full pipeline JSON (plus ``warnings``, which GitLab shows in its UI only)."""
    queued = None
    if p["started_at"] is not None:
        queued = round(p["started_at"] - p["created_at"], 3)
    return {
        **pipeline_basic(ctx, p),
        "before_sha": "0" * 40,
        "tag": False,
        "yaml_errors": p["yaml_errors"],
        "user": USER,
        "started_at": iso(p["started_at"]),
        "finished_at": iso(p["finished_at"]),
        "committed_at": None,
        "duration": _duration(p["started_at"], p["finished_at"]),
        "queued_duration": queued,
        "coverage": None,
        "detailed_status": {
            "icon": f"status_{p['status']}",
            "text": p["status"],
            "label": p["status"],
            "group": p["status"],
            "has_details": True,
            "details_path": f"/{ctx.path}/-/pipelines/{p['id']}",
        },
        "warnings": p["warnings"],
    }


def job(
    ctx: Context,
    j: dict[str, Any],
    p: dict[str, Any],
    pending_reason: str | None = None,
    slot_holders: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Return the job JSON; ``hold`` is true while the job is kept running after its script.

    ``pending_reason`` (what a waiting job waits for), ``slot_holders`` (the jobs keeping the
    slots a pending job waits for: ``id``, ``name``, ``pipeline``, ``hold``) and the ``hold`` fields are this
    runner's additions: ``hold_reason`` (``on_failure``/``always``: CI_DEBUG_HOLD, ``retention``: a
    terminal was attached when the script ended), ``hold_until`` (when the hold times out) and
    ``hold_status`` (the status the job finishes with: its script's).
    """
    held = retention.current(j["id"]) if j["status"] == "running" else None
    artifacts = j["artifacts"]
    queued = None
    if j["queued_at"] is not None:
        queued = round((j["started_at"] or j["queued_at"]) - j["queued_at"], 3)
    return {
        "id": j["id"],
        "name": j["name"],
        "stage": j["stage"],
        "status": j["status"],
        "ref": p["ref"],
        "tag": False,
        "coverage": None,
        "allow_failure": j["allow_failure"],
        "created_at": iso(j["created_at"]),
        "started_at": iso(j["started_at"]),
        "finished_at": iso(j["finished_at"]),
        "erased_at": None,
        "duration": _duration(j["started_at"], j["finished_at"]),
        "queued_duration": queued,
        "user": USER,
        "commit": {
            "id": p["sha"],
            "short_id": p["sha"][:8],
            "title": "",
            "message": "",
            "author_name": "Local User",
            "created_at": iso(p["created_at"]),
        },
        "pipeline": {
            "id": p["id"],
            "project_id": ctx.project_id,
            "ref": p["ref"],
            "sha": p["sha"],
            "status": p["status"],
            "source": p["source"],
            "created_at": iso(p["created_at"]),
            "updated_at": iso(p["updated_at"]),
            "web_url": f"{ctx.web_url}/-/pipelines/{p['id']}",
        },
        "web_url": f"{ctx.web_url}/-/jobs/{j['id']}",
        "project": {"ci_job_token_scope_enabled": False},
        "artifacts_file": {"filename": FILENAME, "size": artifacts["size"]} if artifacts else None,
        "artifacts": (
            [
                {
                    "file_type": "archive",
                    "size": artifacts["size"],
                    "filename": FILENAME,
                    "file_format": "zip",
                }
            ]
            if artifacts
            else []
        ),
        "artifacts_expire_at": None,
        "archived": False,
        "tag_list": [],
        "runner": {
            "id": 1,
            "description": "jupyter_ci_terminal local runner",
            "active": True,
            "paused": False,
            "is_shared": False,
            "runner_type": "project_type",
            "name": "local",
            "online": True,
            "status": "online",
        },
        "runner_manager": None,
        "failure_reason": j["failure_reason"] if j["status"] == "failed" else None,
        "retried": j["retried"],
        "when": j["spec"]["when"],
        "hold": held is not None,
        "hold_reason": held.reason if held else None,
        "hold_until": iso(held.until) if held else None,
        "hold_status": held.status if held else None,
        "environment": environment_json(j["spec"].get("environment")),
        "pending_reason": pending_reason,
        "slot_holders": slot_holders,
    }
