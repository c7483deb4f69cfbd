"""``ci``: the notebook API to a project's pipelines and jobs, through the Jupyter server.

Examples::

    from jupyter_ci_terminal import ci

    ci.jobs(status="running")          # jobs of the newest pipeline, as a table
    job = ci.job("train-model")        # by name (newest pipeline) or by id: ci.job(42)
    job.wait(until="running", timeout=300)
    job.run("python -c 'import torch; print(torch.__version__)'").stdout
    job.attach()                       # opens the job's terminal in JupyterLab

The project is the only (or first) one the server lists unless ``project=`` names another.
"""

from __future__ import annotations

import sys
from typing import Any

from ..errors import NotFoundError
from .client import ServerClient
from .discovery import find_server
from .display import show_errors_briefly
from .jobs import STATUSES, Job, JobList
from .pipelines import Pipeline, PipelineList


class CI:
    """The notebook API: pipelines and jobs of the projects a Jupyter server serves."""

    def __init__(self) -> None:
        self._client: ServerClient | None = None
        self._projects: list[dict[str, Any]] | None = None

    def __repr__(self) -> str:
        where = self._client.server.url if self._client else "not connected yet"
        return f"<CI {where}>"

    def connect(
        self, url: str | None = None, token: str | None = None, *, timeout: float = 30.0
    ) -> CI:
        """Use the Jupyter server at ``url`` with ``token``; by default, find this kernel's server.

        Outside Jupyter, set ``JUPYTER_CI_SERVER_URL`` and ``JUPYTER_CI_SERVER_TOKEN`` instead.
        Returns ``ci`` itself, so ``ci.connect(url, token).jobs()`` works.
        """
        server = find_server(url, token)
        if self._client is not None:
            self._client.close()
        self._client = ServerClient(server, timeout=timeout)
        self._projects = None
        return self

    @property
    def client(self) -> ServerClient:
        """The REST client (connects on first use)."""
        if self._client is None:
            ipython = sys.modules.get("IPython")
            if ipython is not None:
                show_errors_briefly(ipython.get_ipython())
            self.connect()
        assert self._client is not None
        return self._client

    def projects(self) -> list[dict[str, Any]]:
        """The projects the server lists: ``[{"id", "name", "backend"}]``."""
        self._projects = list(self.client.get("projects"))
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
            msg = "The Jupyter server lists no CI project; add a .gitlab-ci.yml to its root folder."
            raise NotFoundError(msg)
        known = ", ".join(str(p["id"]) for p in projects) or "none"
        msg = f"There is no CI project {project!r}; the server lists: {known}."
        raise NotFoundError(msg)

    def pipelines(self, project: str | None = None) -> PipelineList:
        """Recent pipelines, newest first."""
        pid = self.project(project)
        return PipelineList(
            Pipeline(self.client, pid, p) for p in self.client.get("projects", pid, "pipelines")
        )

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
        body = {"ref": ref} if ref else {}
        return Pipeline(self.client, pid, self.client.post("projects", pid, "pipelines", body=body))

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
                return Job(self.client, pid, self.client.get("projects", pid, "jobs", int(key)))
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
