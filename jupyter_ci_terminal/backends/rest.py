"""GitLab REST v4 through python-gitlab, off the event loop.

The embedded local runner speaks the same API subset as GitLab, so this one class serves both
the ``local`` and (with a terminal strategy of its own) the ``gitlab`` backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import gitlab
import gitlab.exceptions as gle
import requests

from ..errors import BackendError, ConfigError, ForbiddenError, NotFoundError
from .base import JSON, Project, TerminalUser

T = TypeVar("T")

JOB_ACTIONS = ("retry", "cancel", "play")
PIPELINE_ACTIONS = ("retry", "cancel")
#: The ``hold`` a retry may ask for (``CI_DEBUG_HOLD``'s values).
HOLD_MODES = ("on_failure", "always")


class RestClient:
    """A python-gitlab client whose calls run in a worker thread and raise :class:`CIError`."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        what: str,
        ssl_verify: bool | str = True,
        timeout: float = 15.0,
        retries: int = 10,
        retry_transient: bool = False,
        auth: str = "private",
    ) -> None:
        # ``what`` names the service in messages ("the local runner", "GitLab at …"); never the token.
        self.what = what
        self.auth = auth
        # python-gitlab's backoff (0.1 s, 0.2 s, 0.4 s … or Retry-After) on 429, and with
        # ``retry_transient`` also on 5xx and lost connections, at most ``retries`` times.
        self.retries = retries
        # PRIVATE-TOKEN, JOB-TOKEN or Authorization: Bearer, as python-gitlab sends each.
        self.gl = gitlab.Gitlab(
            url,
            private_token=token if auth == "private" else None,
            job_token=token if auth == "job" else None,
            oauth_token=token if auth == "oauth" else None,
            ssl_verify=ssl_verify,
            timeout=timeout,
            retry_transient_errors=retry_transient,
        )

    async def call(self, fn: Callable[[], T]) -> T:
        """Run one blocking python-gitlab call in a thread, translating its errors."""
        try:
            return await asyncio.to_thread(fn)
        except gle.GitlabAuthenticationError:
            msg = f"{self.what} rejected the API token."
            raise BackendError(msg) from None
        except gle.GitlabError as e:
            code = e.response_code
            if code == 404:
                msg = f"{self.what} answered: {e.error_message or 'not found'}."
                raise NotFoundError(msg) from None
            if code == 403:
                msg = f"{self.what} does not allow this action."
                raise ForbiddenError(msg) from None
            detail = str(e.error_message or "")
            msg = f"{self.what} answered HTTP {code}{': ' + detail if detail else ''}."
            raise BackendError(msg) from None
        except requests.RequestException:
            msg = f"{self.what} is not reachable."
            raise BackendError(msg) from None

    async def get(self, path: str, **query: Any) -> Any:
        """GET a JSON resource."""
        return await self.call(
            lambda: self.gl.http_get(path, query_data=query, max_retries=self.retries)
        )

    async def list_all(self, path: str, **query: Any) -> list[Any]:
        """GET every page of a list resource (GitLab pages at 100 items at most)."""
        return list(
            await self.call(
                lambda: self.gl.http_list(
                    path, query_data=query, get_all=True, max_retries=self.retries
                )
            )
        )

    async def post(self, path: str, **data: Any) -> Any:
        """POST and return the JSON answer."""
        return await self.call(
            lambda: self.gl.http_post(path, post_data=data or None, max_retries=self.retries)
        )

    async def text(self, path: str) -> str:
        """GET a text resource."""

        def fetch() -> str:
            result = self.gl.http_get(path, raw=True, max_retries=self.retries)
            assert isinstance(result, requests.Response)
            return result.content.decode("utf-8", "replace")

        return await self.call(fetch)


class RestBackendMixin:
    """Pipelines, jobs, traces and actions over GitLab's REST routes."""

    def terminal_user(self) -> TerminalUser | None:
        """None: terminals act as the service's one user (the local runner's, say)."""
        return None

    async def client(self) -> RestClient:
        """The REST client (a backend may start or discover its service first)."""
        raise NotImplementedError

    async def _path(self, project: Project, *parts: object) -> tuple[RestClient, str]:
        rest = await self.client()
        return rest, "/".join([f"/projects/{project.remote_id}", *map(str, parts)])

    async def pipelines(self, project: Project, *, mine: bool = False) -> list[JSON]:
        """Recent pipelines, newest first.

        ``mine`` changes nothing here: every pipeline of the local runner is its one user's.
        """
        return await self._pipelines(project)

    async def _pipelines(self, project: Project, **query: Any) -> list[JSON]:
        rest, path = await self._path(project, "pipelines")
        return list(await rest.get(path, per_page=20, **query))

    async def create_pipeline(self, project: Project, ref: str | None) -> JSON:
        """Start a pipeline."""
        rest, path = await self._path(project, "pipeline")
        result: JSON = await rest.post(path, **({"ref": ref} if ref else {}))
        return result

    async def pipeline_jobs(
        self, project: Project, pipeline_id: int, *, include_retried: bool = False
    ) -> list[JSON]:
        """The jobs of one pipeline (with the retried ones when asked, as GitLab does)."""
        rest, path = await self._path(project, "pipelines", int(pipeline_id), "jobs")
        query: dict[str, Any] = {"per_page": 100}
        if include_retried:
            query["include_retried"] = "true"
        jobs = await rest.list_all(path, **query)
        return jobs + await self._bridges(project, pipeline_id, include_retried=include_retried)

    async def _bridges(
        self, project: Project, pipeline_id: int, *, include_retried: bool
    ) -> list[JSON]:
        """The pipeline's trigger jobs, each with its ``downstream_pipeline`` (child pipeline).

        GitLab lists them apart from the jobs and with every attempt: the older attempts of a
        name are marked ``retried`` as jobs are, and left out unless asked for.
        """
        rest, path = await self._path(project, "pipelines", int(pipeline_id), "bridges")
        if rest.auth == "job":  # GitLab does not open this route to CI job tokens
            return []
        try:
            rows: list[JSON] = await rest.list_all(path, per_page=100)
        except (NotFoundError, ForbiddenError):  # no such route, or not for this user
            return []
        latest: dict[str, int] = {}
        for row in rows:
            latest[row["name"]] = max(latest.get(row["name"], 0), int(row["id"]))
        marked = [{**row, "retried": int(row["id"]) != latest[row["name"]]} for row in rows]
        return [row for row in marked if include_retried or not row["retried"]]

    async def pipeline_action(self, project: Project, pipeline_id: int, action: str) -> JSON:
        """Retry or cancel a pipeline."""
        return await self._action(project, "pipelines", pipeline_id, action, PIPELINE_ACTIONS)

    async def job(self, project: Project, job_id: int) -> JSON:
        """One job."""
        rest, path = await self._path(project, "jobs", int(job_id))
        try:
            result: JSON = await rest.get(path)
        except NotFoundError:
            msg = f"There is no job {int(job_id)} in {project.name}."
            raise NotFoundError(msg) from None
        return result

    async def trace(self, project: Project, job_id: int) -> str:
        """The job's log."""
        rest, path = await self._path(project, "jobs", int(job_id), "trace")
        return await rest.text(path)

    async def job_action(self, project: Project, job_id: int, action: str) -> JSON:
        """Retry, cancel or play a job (or ``end_hold``: see :meth:`end_hold`)."""
        if action == "end_hold":
            return await self.end_hold(project, job_id)
        return await self._action(project, "jobs", job_id, action, JOB_ACTIONS)

    async def retry_job(self, project: Project, job_id: int, hold: str | None) -> JSON:
        """Retry a job; with ``hold`` (``on_failure``/``always``) the retry runs with that
        ``CI_DEBUG_HOLD`` (the local runner's option: it stays open for debugging)."""
        if hold is None:
            return await self.job_action(project, job_id, "retry")
        if hold not in HOLD_MODES:
            msg = f"A retry's hold is one of {' or '.join(HOLD_MODES)} (CI_DEBUG_HOLD's values)."
            raise ConfigError(msg)
        rest, path = await self._path(project, "jobs", int(job_id), "retry")
        result: JSON = await rest.post(path, hold=hold)
        return result

    async def end_hold(self, project: Project, job_id: int) -> JSON:
        """End a held job's hold (End debugging): it finishes with its script's status."""
        rest, path = await self._path(project, "jobs", int(job_id), "end_hold")
        result: JSON = await rest.post(path)
        return result

    async def _action(
        self, project: Project, kind: str, object_id: int, action: str, allowed: tuple[str, ...]
    ) -> JSON:
        if action not in allowed:
            noun = kind.rstrip("s")
            msg = f"Unknown {noun} action {action!r}; use one of {', '.join(allowed)}."
            raise NotFoundError(msg)
        rest, path = await self._path(project, kind, int(object_id), action)
        result: JSON = await rest.post(path)
        return result
