"""The one interface every CI backend implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..channel import Channel

JSON = dict[str, Any]


@dataclass(frozen=True)
class Project:
    """A project as the REST API shows it; ``remote_id`` is the backend's own id.

    ``instance`` names the backend serving it (``local``, ``gitlab`` or a ``gitlab_instances``
    name) and ``host`` is its GitLab's ``host[:port]``, so same-named projects of two GitLabs
    can be told apart. ``identity`` names the project the same way across server restarts and
    differently for another project behind the same ``id``: restored tabs are keyed by it.
    """

    id: str
    name: str
    backend: str
    remote_id: int | str
    instance: str = "local"
    host: str | None = None
    identity: str = ""

    def to_json(self) -> JSON:
        """The public JSON: no URLs, no credentials."""
        return {
            "id": self.id,
            "name": self.name,
            "backend": self.backend,
            "instance": self.instance,
            "host": self.host,
            "identity": self.identity or self.id,
        }


@dataclass(frozen=True)
class TerminalUser:
    """Whom a CI service opens a job's terminal as, where it tells users apart (GitLab).

    ``id`` 0 stands for "nobody yet" (no web session given).
    """

    id: int
    username: str
    service: str = "GitLab"


class Backend(Protocol):
    """A source of pipelines, jobs and job terminals (GitLab's REST names and JSON fields)."""

    kind: str

    async def projects(self) -> list[Project]:
        """Projects this backend serves."""
        ...

    async def pipelines(self, project: Project, *, mine: bool = False) -> list[JSON]:
        """Recent pipelines, newest first; with ``mine``, only those the current user started."""
        ...

    async def create_pipeline(self, project: Project, ref: str | None) -> JSON:
        """Start a pipeline on ``ref`` (the default branch when None)."""
        ...

    async def pipeline_jobs(
        self, project: Project, pipeline_id: int, *, include_retried: bool = False
    ) -> list[JSON]:
        """The jobs of one pipeline (retried ones too when asked)."""
        ...

    async def pipeline_action(self, project: Project, pipeline_id: int, action: str) -> JSON:
        """Run ``retry`` or ``cancel`` on a pipeline."""
        ...

    async def job(self, project: Project, job_id: int) -> JSON:
        """One job."""
        ...

    async def trace(self, project: Project, job_id: int) -> str:
        """The job's log."""
        ...

    async def job_action(self, project: Project, job_id: int, action: str) -> JSON:
        """Run ``retry``, ``cancel`` or ``play`` on a job."""
        ...

    async def retry_job(self, project: Project, job_id: int, hold: str | None) -> JSON:
        """Retry a job; ``hold`` (``on_failure``/``always``) keeps the retry open for debugging."""
        ...

    async def end_hold(self, project: Project, job_id: int) -> JSON:
        """End a held job's hold: it finishes with its script's status (End debugging)."""
        ...

    def terminal_user(self) -> TerminalUser | None:
        """Whom the current Jupyter user's terminals would open as; None when the service does
        not tell this server's users apart (then anyone here may share a session)."""
        ...

    async def channel(self, project: Project, job_id: int, job: JSON | None = None) -> Channel:
        """Where the job's terminal is, and how to authenticate to it.

        ``job``: the job as :meth:`job` just returned it, when the caller has it (one request
        to the CI service less per attach).
        """
        ...

    async def close(self) -> None:
        """Release what the backend holds (processes, connections)."""
        ...
