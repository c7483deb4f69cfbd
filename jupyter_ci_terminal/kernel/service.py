"""What the notebook API needs from wherever CI lives: a Jupyter server, or a runner or GitLab.

:class:`~.client.ServerClient` implements it over the server extension's REST API (the usual
case inside Jupyter); :class:`~.direct.DirectClient` runs a backend in the kernel itself.
Project ids, and the JSON of pipelines and jobs, are the same either way (GitLab's).
"""

from __future__ import annotations

from typing import Any, Protocol

from .terminals import Terminal

JSON = dict[str, Any]


class Service(Protocol):
    """Pipelines, jobs and job terminals of some projects."""

    #: Where the service is, for messages and ``repr`` (no credentials in it).
    where: str
    #: JupyterLab's URL when a Jupyter server holds the sessions, else "".
    lab_url: str

    def projects(self) -> list[JSON]:
        """``[{"id", "name", "backend", …}]``."""
        ...

    def pipelines(self, project: str, *, mine: bool = False) -> list[JSON]:
        """Recent pipelines, newest first; with ``mine``, only those the user started."""
        ...

    def create_pipeline(self, project: str, ref: str | None) -> JSON:
        """Start a pipeline on ``ref`` (the default branch when None)."""
        ...

    def pipeline_jobs(self, project: str, pipeline: int) -> list[JSON]:
        """A pipeline's jobs."""
        ...

    def job(self, project: str, job: int) -> JSON:
        """One job."""
        ...

    def trace(self, project: str, job: int) -> str:
        """The job's log."""
        ...

    def job_action(self, project: str, job: int, action: str) -> JSON:
        """``retry`` (answers the new job), ``cancel`` or ``play``."""
        ...

    def open_terminal(self, project: str, job: int, *, open_tab: bool) -> JSON:
        """Make the job's terminal session ready: ``{"name"}`` (and ``"title"`` when the service
        names it); ``open_tab`` asks JupyterLab to show it (where there is one)."""
        ...

    def terminal(self, name: str) -> Terminal:
        """Connect to terminal session ``name``."""
        ...

    def attach_command(self, project: str, job: int) -> str:
        """The shell command that attaches a terminal to the job."""
        ...

    def set_web_session(self, value: str, backend: str | None = None) -> None:
        """Give a GitLab backend the user's web session (needed for GitLab's terminals)."""
        ...

    def close(self) -> None:
        """Release connections (and what the service started)."""
        ...
