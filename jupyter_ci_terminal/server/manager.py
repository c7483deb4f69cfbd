"""Which projects exist (across backends) and which terminal sessions are open."""

from __future__ import annotations

import asyncio
import logging
import re

from ..errors import BackendError, CIError, ForbiddenError, NotFoundError
from .backends import Backend, Project
from .backends.local import StoppingError
from .sessions import SessionSettings, TerminalSession

_NAME = re.compile(r"[^\w.-]+")

log = logging.getLogger(__name__)


class ProjectRegistry:
    """Maps the REST API's project ids to (backend, project)."""

    def __init__(self, backends: list[Backend]) -> None:
        self.backends = backends
        self._projects: dict[str, tuple[Backend, Project]] = {}
        #: The last failure of each backend (by position), logged once rather than per poll.
        self._failures: dict[int, str] = {}

    async def projects(self) -> list[Project]:
        """Every backend's projects; one failing backend does not hide the others."""
        found: list[Project] = []
        errors: list[str] = []
        for index, backend in enumerate(self.backends):
            try:
                projects = await backend.projects()
            except StoppingError:
                raise  # 503 with its own sentence, not "this backend is not shown"
            except CIError as e:
                errors.append(str(e))
                if self._failures.get(index) != str(e):
                    log.warning("CI projects of one backend are not shown: %s", e)
                self._failures[index] = str(e)
                continue
            self._failures.pop(index, None)
            for project in projects:
                self._projects[project.id] = (backend, project)
                found.append(project)
        if not found and errors:
            raise BackendError(" ".join(errors))
        return found

    async def resolve(self, project_id: str) -> tuple[Backend, Project]:
        """The backend and project behind a REST project id."""
        if project_id not in self._projects:
            await self.projects()
        try:
            return self._projects[project_id]
        except KeyError:
            msg = f"There is no CI project {project_id!r}."
            raise NotFoundError(msg) from None

    async def close(self) -> None:
        """Close every backend."""
        await asyncio.gather(*(b.close() for b in self.backends), return_exceptions=True)


class SessionManager:
    """Named terminal sessions; one live session per job."""

    def __init__(self, registry: ProjectRegistry, cfg: SessionSettings) -> None:
        self.registry = registry
        self.cfg = cfg
        self.sessions: dict[str, TerminalSession] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @staticmethod
    def session_name(project_id: str, job_id: int) -> str:
        """A stable, URL-safe name: the same job gets the same tab again."""
        return _NAME.sub("_", f"{project_id}-{job_id}")

    async def create(self, project_id: str, job_id: int) -> TerminalSession:
        """Open (or return the live) session for a job."""
        backend, project = await self.registry.resolve(project_id)
        name = self.session_name(project.id, job_id)
        async with self._locks.setdefault(name, asyncio.Lock()):
            existing = self.sessions.get(name)
            if existing is not None and existing.ended is None:
                self._check_joinable(existing)
                return existing
            job = await backend.job(project, job_id)
            session = TerminalSession(name, project, job, backend, self.cfg)
            await session.open()
            self.sessions[name] = session
            return session

    def get(self, name: str) -> TerminalSession:
        """A session by name."""
        try:
            return self.sessions[name]
        except KeyError:
            msg = f"There is no CI terminal session {name!r}."
            raise NotFoundError(msg) from None

    def joinable(self, name: str) -> TerminalSession:
        """A session by name, if the current user may use it (see :meth:`_check_joinable`)."""
        session = self.get(name)
        self._check_joinable(session)
        return session

    @staticmethod
    def _check_joinable(session: TerminalSession) -> None:
        """Share a shell only with whom the CI service would have let in itself.

        GitLab opens a job's terminal only to the person who started the job, with their web
        session; letting another Jupyter user type into it would step around that rule.
        """
        owner = session.owner
        if owner is not None and session.backend.terminal_user() != owner:
            msg = (
                f"This job's terminal is open as {owner.service} user @{owner.username}, and "
                f"{owner.service} lets only that user into it: it is not shared with you."
            )
            raise ForbiddenError(msg)

    def list(self) -> list[TerminalSession]:
        """Every session, ended ones included (their tabs stay readable)."""
        return list(self.sessions.values())

    async def terminate(self, name: str) -> None:
        """Close a session and forget it (only someone who may join it may end it)."""
        session = self.joinable(name)
        await session.close("the session was shut down from Jupyter")
        self.sessions.pop(name, None)

    async def shutdown(self) -> None:
        """Close every session (server shutdown)."""
        await asyncio.gather(
            *(s.close("the Jupyter server is shutting down") for s in self.sessions.values()),
            return_exceptions=True,
        )
        self.sessions.clear()
