"""The ``gitlab`` backend: a GitLab instance's projects over REST v4, terminals through Workhorse.

Job state uses the API token (python-gitlab, off the event loop, with retries); a CI job token
(``auth="job"``) reads only its own job's project, and ``GET /job`` names its user. Terminals go
where GitLab's own Debug button goes, ``/<namespace>/<project>/-/jobs/<id>/terminal.ws``,
which GitLab serves only to a signed-in web session: each Jupyter user gives theirs once
(:mod:`..websession`), and it is checked, then sent as the Channel's ``Cookie`` header.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from ..channel import Channel
from ..errors import (
    BackendError,
    ConfigError,
    NoTerminalError,
    NotFoundError,
    WebSessionRefusedError,
    WebSessionRequiredError,
)
from .base import JSON, Project, TerminalUser
from .gitlab_config import host_of
from .gitlab_rest import GitLabRest, read_text, unreachable
from .gitlab_rules import (
    SUBPROTOCOL,
    needs_session,
    project_path,
    session_refused,
    terminal_state,
    terminal_url,
    workhorse_refusals,
)
from .rest import RestBackendMixin, RestClient
from .websession import COOKIE, WebSession, WebSessions, clean_value, current_owner

log = logging.getLogger(__name__)

NO_END_HOLD = (
    "GitLab has no End debugging: a GitLab job is never held open after its script, and Cancel "
    "is the only way to end a running one."
)
NO_HOLD_RETRY = (
    "GitLab cannot retry a job with a debug hold (only the local runner has CI_DEBUG_HOLD): "
    "retry it without one."
)


class GitLabBackend(RestBackendMixin):
    """Projects of one GitLab instance."""

    kind = "gitlab"

    def __init__(
        self,
        url: str,
        token: str,
        *,
        projects: Sequence[str] = (),
        ca_bundle: str = "",
        max_projects: int = 20,
        retries: int = 3,
        timeout: float = 15.0,
        per_user_sessions: bool = True,
        name: str = "gitlab",
        auth: str = "private",
    ) -> None:
        self.url = url.rstrip("/")
        self.host = host_of(self.url) or name
        self.name = name
        self.auth = auth
        self.wanted = [str(p).strip() for p in projects if str(p).strip()]
        self.ca_bundle = ca_bundle
        self.max_projects = max_projects
        self.per_user_sessions = per_user_sessions
        self.web_sessions = WebSessions()
        self._token = token
        self._retries, self._timeout = retries, timeout
        self._rest: GitLabRest | None = None
        self._ca_pem: str | None = None
        self._me: JSON | None = None
        self._job: JSON | None = None
        self._own: Project | None = None
        self._archived: dict[str, bool] = {}
        self._paths: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<GitLabBackend {self.name} {self.url}>"

    @property
    def _verify(self) -> bool | str:
        """What requests verifies TLS against: the CA bundle's path, else its default roots."""
        return str(Path(self.ca_bundle).expanduser()) if self.ca_bundle else True

    async def client(self) -> RestClient:
        """The REST client (no request is made until it is used)."""
        if self._rest is None:
            if self.ca_bundle:
                try:
                    self._ca_pem = await asyncio.to_thread(read_text, str(self._verify))
                except OSError:
                    msg = (
                        f"The GitLab CA bundle {self.ca_bundle} cannot be read"
                        " (CITerminalApp.gitlab_ca_bundle)."
                    )
                    raise ConfigError(msg) from None
            self._rest = GitLabRest(
                self.url,
                self._token,
                host=self.host,
                verify=self._verify,
                timeout=self._timeout,
                retries=self._retries,
                auth=self.auth,
            )
        return self._rest

    # -- projects ---------------------------------------------------------------------------

    def _project(self, body: JSON) -> Project:
        remote = int(body["id"])
        path = str(body["path_with_namespace"])
        identity = f"gitlab:{self.url}/{path}"
        project = Project(
            f"{self.name}-{remote}", path, self.kind, remote, self.name, self.host, identity
        )
        self._archived[project.id] = bool(body.get("archived"))
        self._paths[project.id] = project.name
        return project

    async def projects(self) -> list[Project]:
        """The configured projects, or the user's most recently active ones with CI enabled.

        A CI job token cannot list or read projects: it shows its own job's project only.
        """
        if self.auth == "job":
            return [await self._job_project()]
        rest = await self.client()
        if not self.wanted:
            rows = await rest.get(
                "/projects",
                membership="true",
                archived="false",
                order_by="last_activity_at",
                sort="desc",
                per_page=self.max_projects,
            )
            return [
                self._project(p)
                for p in rows
                if p.get("builds_access_level", "enabled") != "disabled"
                and p.get("jobs_enabled", True)
            ]
        found: list[Project] = []
        problems: list[str] = []
        for wanted in self.wanted:
            try:
                found.append(self._project(await rest.get(f"/projects/{quote(wanted, safe='')}")))
            except NotFoundError:
                problems.append(
                    f"GitLab at {self.host} has no project {wanted!r} the API token's user can see."
                )
        for problem in problems:
            log.warning("%s", problem)
        if not found and problems:
            raise BackendError(" ".join(problems))
        return found

    # -- jobs, with the computed terminal object ---------------------------------------------

    async def _current_job(self) -> JSON:
        """The CI job token's own job (``GET /job``, the one job route open to job tokens)."""
        if self._job is None:
            rest = await self.client()
            self._job = dict(await rest.get("/job"))
        return self._job

    async def _job_project(self) -> Project:
        if self._own is None:
            job = await self._current_job()
            remote = int(job["pipeline"]["project_id"])
            path = project_path(self.url, str(job.get("web_url") or "")) or str(remote)
            if self.wanted:
                log.warning(
                    "GitLab at %s: a CI job token reads only its own job's project (%s), so the"
                    " configured projects are not shown.",
                    self.host,
                    path,
                )
            self._own = self._project({"id": remote, "path_with_namespace": path})
        return self._own

    async def _token_user(self) -> JSON:
        """Who the API token acts as; for a CI job token, whoever started its job."""
        if self._me is None:
            if self.auth == "job":
                user = (await self._current_job()).get("user")
                if not isinstance(user, dict):
                    msg = f"GitLab at {self.host} names no user for the CI job token's job."
                    raise BackendError(msg)
                self._me = dict(user)
            else:
                rest = await self.client()
                self._me = dict(await rest.get("/user"))
        return self._me

    async def _viewer(self) -> JSON:
        """The GitLab user terminals would open as: the web session's, else the token's."""
        session = self.web_sessions.get(current_owner(self.per_user_sessions))
        if session is not None:
            return {"id": session.user_id, "username": session.username}
        return await self._token_user()

    def _with_terminal(self, project: Project, job: JSON, me: JSON) -> JSON:
        archived = self._archived.get(project.id, False)
        return {**job, "terminal": terminal_state(job, me, archived)}

    async def pipelines(self, project: Project, *, mine: bool = False) -> list[JSON]:
        """Recent pipelines; with ``mine``, those started by whoever terminals would open as."""
        if not mine:
            return await self._pipelines(project)
        # GitLab's own filter; the user is the web session's (the person) over the token's.
        username = str((await self._viewer()).get("username") or "")
        if not username:
            msg = f"GitLab at {self.host} did not say who you are, so 'mine' cannot be told."
            raise BackendError(msg)
        return await self._pipelines(project, username=username)

    async def pipeline_jobs(
        self, project: Project, pipeline_id: int, *, include_retried: bool = False
    ) -> list[JSON]:
        """The pipeline's jobs, each with ``terminal``."""
        jobs = await super().pipeline_jobs(project, pipeline_id, include_retried=include_retried)
        me = await self._viewer()
        return [self._with_terminal(project, job, me) for job in jobs]

    async def job(self, project: Project, job_id: int) -> JSON:
        """One job, with ``terminal``."""
        if self.auth == "job":
            job = await self._listed_job(project, int(job_id))
        else:
            job = await super().job(project, job_id)
        return self._with_terminal(project, job, await self._viewer())

    async def _listed_job(self, project: Project, job_id: int) -> JSON:
        """A job found in the project's job list: ``GET …/jobs/:id`` is closed to job tokens."""
        rest, path = await self._path(project, "jobs")
        rows: list[Any] = await rest.get(path, per_page=100)
        for row in rows:
            if int(row["id"]) == job_id:
                return dict(row)
        msg = (
            f"There is no job {job_id} among the last 100 of {project.name}; a CI job token"
            " cannot look further back."
        )
        raise NotFoundError(msg)

    async def job_action(self, project: Project, job_id: int, action: str) -> JSON:
        """Retry, cancel or play; the resulting job comes with ``terminal``."""
        job = await super().job_action(project, job_id, action)
        return self._with_terminal(project, job, await self._viewer())

    async def retry_job(self, project: Project, job_id: int, hold: str | None) -> JSON:
        """Retry; GitLab has no hold option, so one given is refused."""
        if hold is not None:
            raise ConfigError(NO_HOLD_RETRY)
        return await self.job_action(project, job_id, "retry")

    async def end_hold(self, project: Project, job_id: int) -> JSON:
        """GitLab cannot end a hold: its jobs are never held, and cancel is how one ends."""
        raise ConfigError(NO_END_HOLD)

    # -- web sessions and terminals -----------------------------------------------------------

    async def _session_user(self, value: str) -> JSON:
        """Who GitLab says the web session signs in (``GET /user`` with the cookie, no token)."""

        def fetch() -> requests.Response:
            return requests.get(
                f"{self.url}/api/v4/user",
                cookies={COOKIE: value},
                allow_redirects=False,
                verify=self._verify,
                timeout=self._timeout,
            )

        try:
            response = await asyncio.to_thread(fetch)
        except requests.RequestException as e:
            raise unreachable(self.host, e) from None
        if response.status_code in (301, 302, 401):
            raise WebSessionRefusedError(session_refused(self.host))
        if response.status_code != 200:
            msg = f"GitLab at {self.host} answered HTTP {response.status_code} when checking the web session."
            raise BackendError(msg)
        return dict(response.json())

    async def set_web_session(self, owner: str, text: str) -> None:
        """Check ``text`` with GitLab, then keep it for ``owner``."""
        value = clean_value(text)
        user = await self._session_user(value)
        self.web_sessions.put(
            owner, WebSession(value, int(user["id"]), str(user.get("username", "")))
        )

    def terminal_user(self) -> TerminalUser | None:
        """The GitLab user of the current Jupyter user's web session (id 0: none given yet);
        None when the server's users are one person, who may share everything."""
        if not self.per_user_sessions:
            return None
        session = self.web_sessions.get(current_owner(True))
        return TerminalUser(session.user_id, session.username) if session else TerminalUser(0, "")

    async def channel(self, project: Project, job_id: int, job: JSON | None = None) -> Channel:
        """The job's ``terminal.ws`` with the current user's web session, once GitLab would allow it."""
        owner = current_owner(self.per_user_sessions)
        session = self.web_sessions.get(owner)
        if session is None:
            raise WebSessionRequiredError(needs_session(self.host))
        if job is None:
            job = await self.job(project, job_id)
        if not job["terminal"]["available"]:
            raise NoTerminalError(job["terminal"]["reason"])
        try:
            await self._session_user(session.value)
        except WebSessionRefusedError:
            self.web_sessions.forget(owner, session)
            raise
        return Channel(
            url=terminal_url(self.url, self._paths.get(project.id, project.name), job_id),
            subprotocols=(SUBPROTOCOL,),
            header={"Cookie": [session.cookie]},
            ca_pem=self._ca_pem,
            refusals=workhorse_refusals(self.host),
        )

    async def close(self) -> None:
        """Forget every web session and the HTTP connections."""
        self.web_sessions.clear()
        rest, self._rest = self._rest, None
        if rest is not None:
            await asyncio.to_thread(rest.gl.session.close)
