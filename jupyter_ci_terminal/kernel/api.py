"""``ci``: the notebook API to a project's pipelines and jobs, through the Jupyter server.

Examples::

    from jupyter_ci_terminal import ci

    ci.jobs(status="running")          # jobs of the newest pipeline, as a table
    job = ci.job("train-model")        # by name (newest pipeline) or by id: ci.job(42)
    job.wait(until="running", timeout=300)
    job.run("python -c 'import torch; print(torch.__version__)'").stdout
    job.attach()                       # opens the job's terminal in JupyterLab

The project is the only (or first) one the server lists unless ``project=`` names another.

Outside Jupyter, point it at a local runner or at GitLab instead of a Jupyter server::

    ci.connect_runner("path/to/project")             # the runner serving that folder
    ci.connect_gitlab("https://gitlab.example.com", token)
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..backends.gitlab_config import TOKEN_TYPES, ci_job_credentials, url_problem
from ..errors import ConfigError, NotFoundError
from .client import ServerClient
from .direct import DirectClient
from .discovery import find_server
from .display import show_errors_briefly
from .jobs import STATUSES, Job, JobList
from .pipelines import Pipeline, PipelineList
from .service import Service


class CI:
    """The notebook API: pipelines and jobs of a Jupyter server's projects, or of a runner or GitLab."""

    def __init__(self) -> None:
        self._client: Service | None = None
        self._projects: list[dict[str, Any]] | None = None

    def __repr__(self) -> str:
        where = self._client.where if self._client else "not connected yet"
        return f"<CI {where}>"

    def _use(self, client: Service) -> CI:
        if self._client is not None:
            self._client.close()
        self._client = client
        self._projects = None
        return self

    def connect(
        self, url: str | None = None, token: str | None = None, *, timeout: float = 30.0
    ) -> CI:
        """Use the Jupyter server at ``url`` with ``token``; by default, find this kernel's server.

        Outside Jupyter, set ``JUPYTER_CI_SERVER_URL`` and ``JUPYTER_CI_SERVER_TOKEN`` instead.
        Returns ``ci`` itself, so ``ci.connect(url, token).jobs()`` works.
        """
        return self._use(ServerClient(find_server(url, token), timeout=timeout))

    def connect_runner(
        self,
        project_dir: str | os.PathLike[str] = ".",
        *,
        start: bool = False,
        timeout: float = 30.0,
    ) -> CI:
        """Use the local runner serving ``project_dir`` directly, without a Jupyter server.

        With ``start=True`` a runner is started when none serves the folder, and stopped by
        :meth:`close` (or when Python exits). Terminals connect straight to the runner, which
        lets one client at a time into a job's shell.
        """
        from ..backends.local import LocalBackend

        folder = Path(project_dir).expanduser().resolve()
        backend = LocalBackend(folder, start=start, startup_timeout=timeout)
        attach = f"--project-dir {shlex.quote(str(folder))}"
        return self._use(DirectClient([backend], where=str(folder), attach=attach, timeout=timeout))

    def connect_gitlab(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        projects: Sequence[str] = (),
        ca_bundle: str = "",
        web_session: str | None = None,
        auth: str = "private",
        timeout: float = 30.0,
    ) -> CI:
        """Use a GitLab instance directly, without a Jupyter server.

        ``url`` and ``token`` (an API token) default to ``$GITLAB_URL`` and ``$GITLAB_TOKEN``,
        and inside a GitLab CI job to its ``$CI_SERVER_URL`` and ``$CI_JOB_TOKEN``. ``auth`` is
        the kind of token: ``"private"`` (personal, project or group access token), ``"job"``
        (a CI job token) or ``"oauth"``. ``projects`` (paths or ids) default to the token user's
        recently active ones. Terminals need the user's GitLab web session (``web_session``, or
        :meth:`gitlab_web_session` later), as GitLab serves them to signed-in browsers only.
        """
        from ..backends.gitlab import GitLabBackend

        if auth not in TOKEN_TYPES:
            msg = f"auth must be one of {', '.join(TOKEN_TYPES)}, not {auth!r}."
            raise ConfigError(msg)
        job = ci_job_credentials(os.environ) if url is None and token is None else None
        if job is not None:  # inside a GitLab CI job: its own server and job token
            url, token, auth = *job, "job"
        url = url or os.environ.get("GITLAB_URL", "")
        token = token or os.environ.get("GITLAB_TOKEN", "")
        if not url or not token:
            msg = "Give GitLab's URL (https://…) and an API token, or set GITLAB_URL and GITLAB_TOKEN."
            raise ConfigError(msg)
        problem = url_problem(url)
        if problem:
            msg = f"That GitLab URL cannot be used: {problem}."
            raise ConfigError(msg)
        backend = GitLabBackend(
            url,
            token,
            projects=projects,
            ca_bundle=ca_bundle,
            timeout=min(timeout, 15.0),
            per_user_sessions=False,
            auth=auth,
        )
        attach = f"--gitlab {shlex.quote(url)}"
        client = DirectClient([backend], where=url, attach=attach, timeout=timeout)
        self._use(client)
        if web_session is not None:
            client.set_web_session(web_session)
        return self

    def gitlab_web_session(self, value: str, backend: str | None = None) -> None:
        """Give GitLab your web session (the ``_gitlab_session`` cookie) for its job terminals.

        GitLab checks it first; it is kept in memory only (the Jupyter server's, when connected
        through one) and never shown. ``backend`` names the GitLab when several are configured.
        """
        self.client.set_web_session(value, backend)

    def close(self) -> None:
        """Disconnect (stopping a runner :meth:`connect_runner` started); the next call reconnects."""
        client, self._client = self._client, None
        self._projects = None
        if client is not None:
            client.close()

    @property
    def client(self) -> Service:
        """Where CI calls go (connects to this kernel's Jupyter server on first use)."""
        if self._client is None:
            ipython = sys.modules.get("IPython")
            if ipython is not None:
                show_errors_briefly(ipython.get_ipython())
            self.connect()
        assert self._client is not None
        return self._client

    def projects(self) -> list[dict[str, Any]]:
        """The projects listed: ``[{"id", "name", "backend"}]``."""
        self._projects = self.client.projects()
        return list(self._projects)

    def project(self, project: str | None = None) -> str:
        """The id of ``project`` (an id or a name), or of the only/first project."""
        for fresh in (False, True):
            projects = self.projects() if fresh or self._projects is None else self._projects
            if project is None and projects:
                return str(projects[0]["id"])
            for p in projects:
                if project in (p.get("id"), p.get("name")):
                    return str(p["id"])
        if project is None:
            msg = f"There is no CI project at {self.client.where}; add a .gitlab-ci.yml to its folder."
            raise NotFoundError(msg)
        known = ", ".join(str(p["id"]) for p in projects) or "none"
        msg = f"There is no CI project {project!r}; {self.client.where} lists: {known}."
        raise NotFoundError(msg)

    def pipelines(self, project: str | None = None, *, mine: bool = False) -> PipelineList:
        """Recent pipelines, newest first; ``mine=True``: only those you started (on GitLab)."""
        pid = self.project(project)
        found = self.client.pipelines(pid, mine=mine)
        return PipelineList(Pipeline(self.client, pid, p) for p in found)

    def pipeline(self, pipeline: int | None = None, project: str | None = None) -> Pipeline:
        """One pipeline by id; the newest without one."""
        pipelines = self.pipelines(project)
        for p in pipelines:
            if pipeline is None or p.id == int(pipeline):
                return p
        pid = self.project(project)
        msg = (
            f"CI project {pid!r} has no pipelines yet; start one with ci.run_pipeline()."
            if pipeline is None
            else f"There is no pipeline {pipeline} in CI project {pid!r}."
        )
        raise NotFoundError(msg)

    def run_pipeline(self, ref: str | None = None, project: str | None = None) -> Pipeline:
        """Start a pipeline on ``ref`` (default: the current branch)."""
        pid = self.project(project)
        return Pipeline(self.client, pid, self.client.create_pipeline(pid, ref))

    def jobs(
        self,
        pipeline: int | Pipeline | None = None,
        status: str | None = None,
        project: str | None = None,
    ) -> JobList:
        """Jobs of a pipeline (default: the newest), optionally only those with ``status``."""
        if status is not None and status not in STATUSES:
            msg = f"Unknown job status {status!r}; use one of: {', '.join(STATUSES)}."
            raise ValueError(msg)
        if isinstance(pipeline, Pipeline):
            return pipeline.jobs(status)
        if pipeline is not None:
            return self.pipeline(pipeline, project).jobs(status)
        newest = self.pipelines(project)[:1]
        return newest[0].jobs(status) if newest else JobList()

    def job(self, job: int | str | Job, project: str | None = None) -> Job:
        """One job, by id (``42``, ``"42"``, ``"#42"``) or by name (newest pipeline first)."""
        if isinstance(job, Job):
            return job.refresh()
        pid = self.project(project)
        key = str(job).strip().lstrip("#")
        if key.isdigit():
            try:
                return Job(self.client, pid, self.client.job(pid, int(key)))
            except NotFoundError:
                msg = f"There is no job {key} in CI project {pid!r}."
                raise NotFoundError(msg) from None
        for p in self.pipelines(pid):
            for j in p.jobs():
                if j.name == key:
                    return j
        msg = f"There is no job named {key!r} in the pipelines of CI project {pid!r}."
        raise NotFoundError(msg)


#: The shared instance: ``from jupyter_ci_terminal import ci``.
ci = CI()
