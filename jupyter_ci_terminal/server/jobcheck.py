"""Which job a ``CI_JOB_TOKEN`` belongs to, asked of the CI service that issued it.

GitLab (and the local runner) answer ``GET /api/v4/job`` with ``JOB-TOKEN`` only while the job
runs. The token is sent only to the configured service whose URL the job names as its
``CI_SERVER_URL``, never to another one, and the job must belong to a project this server shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from ..backends import Backend, Project
from ..backends.gitlab import GitLabBackend
from ..backends.local import LocalBackend
from ..errors import BackendError, CIError, ForbiddenError, TokenRefusedError
from ..sessions import ProjectRegistry

#: Seconds to wait for the CI service's answer.
CHECK_TIMEOUT = 15.0


@dataclass(frozen=True)
class VerifiedJob:
    """A running job of a configured project, as its CI service vouched for it."""

    backend: Backend
    project: Project
    job: dict[str, Any]

    @property
    def job_id(self) -> int:
        """The job's id."""
        return int(self.job["id"])


def _same_service(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


async def _api_url(backend: Backend) -> tuple[str, str | None] | None:
    """The backend's base URL and CA bundle, for backends that can vouch for a job token."""
    if isinstance(backend, LocalBackend):
        rest = await backend.client()
        return str(rest.gl.url), None
    if isinstance(backend, GitLabBackend):
        return backend.url, backend.ca_bundle or None
    return None


async def current_job(api: str, job_token: str, ca_bundle: str | None) -> dict[str, Any]:
    """``GET <api>/api/v4/job`` with ``JOB-TOKEN``; a refused token raises TokenRefusedError."""
    request = HTTPRequest(
        f"{api.rstrip('/')}/api/v4/job",
        headers={"JOB-TOKEN": job_token, "Accept": "application/json"},
        request_timeout=CHECK_TIMEOUT,
        ca_certs=ca_bundle,
    )
    try:
        response = await AsyncHTTPClient().fetch(request, raise_error=False)
    except OSError as e:
        msg = f"The CI service that runs the job cannot be reached ({e.strerror or e})."
        raise BackendError(msg) from None
    if response.code in (401, 403, 404):
        msg = "The CI service does not know this CI_JOB_TOKEN: the job is not running, or the token is not a job's."
        raise TokenRefusedError(msg)
    if response.code != 200:
        msg = f"The CI service answered HTTP {response.code} when asked about the job token."
        raise BackendError(msg)
    try:
        body = json.loads(response.body)
        int(body["id"])
    except (ValueError, TypeError, KeyError) as e:
        msg = "The CI service answered the job-token check with something that is not a job."
        raise BackendError(msg) from e
    return dict(body)


async def verify(registry: ProjectRegistry, job_token: str, server_url: str) -> VerifiedJob:
    """The running job of a configured project that ``job_token`` belongs to."""
    if not job_token or not server_url:
        msg = "The agent must send the job's CI_JOB_TOKEN and CI_SERVER_URL."
        raise TokenRefusedError(msg)
    for backend in registry.backends:
        try:
            where = await _api_url(backend)
        except CIError:
            continue  # a backend that is down vouches for nothing
        if where is None or not _same_service(where[0], server_url):
            continue
        job = await current_job(where[0], job_token, where[1])
        remote = (job.get("pipeline") or {}).get("project_id")
        for project in await backend.projects():
            if str(project.remote_id) == str(remote):
                return VerifiedJob(backend, project, job)
        msg = f"Job {job['id']} belongs to a project this Jupyter server does not show."
        raise ForbiddenError(msg)
    msg = "The job's CI_SERVER_URL is not a CI service this Jupyter server is configured for."
    raise ForbiddenError(msg)
