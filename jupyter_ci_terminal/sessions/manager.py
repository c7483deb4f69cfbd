"""Which projects exist (across backends) and which terminal sessions are open."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..backends import Backend, Project, TerminalUser
from ..backends.local import StoppingError
from ..errors import BackendError, CIError, ForbiddenError, NotFoundError
from .agentaccess import check_agent_user
from .journal import journal_path
from .session import TerminalSession
from .settings import SessionSettings

_NAME = re.compile(r"[^\w.-]+")

#: Seconds an ended session waits for its viewers to receive the end message before it is
#: forgotten anyway (a stalled browser must not keep a screen model alive).
DELIVERY_TIMEOUT = 10.0
#: Ended sessions remembered (name → recording); the oldest go first past this.
MAX_ENDED = 10_000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EndedSession:
    """What is kept of a forgotten session: its last JSON and where its recording is."""

    summary: dict[str, Any]
    recording: Path | None
    owner: TerminalUser | None
    backend: Backend


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
    """Named terminal sessions; one live session per job.

    A session is forgotten once it has ended, its viewers got the end message and its
    recording is closed: a screen model and scrollback per ended session would otherwise grow
    the server for as long as it runs. Its JSON and recording stay reachable by name.
    """

    def __init__(self, registry: ProjectRegistry, cfg: SessionSettings) -> None:
        self.registry = registry
        self.cfg = cfg
        self.sessions: dict[str, TerminalSession] = {}
        self.ended: dict[str, EndedSession] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._watchers: set[asyncio.Task[None]] = set()

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
            watcher = asyncio.create_task(self._forget_when_done(session))
            self._watchers.add(watcher)
            watcher.add_done_callback(self._watchers.discard)
            return session

    async def _forget_when_done(self, session: TerminalSession) -> None:
        await session.closed.wait()
        await session.delivered(DELIVERY_TIMEOUT)
        self._forget(session)

    def _forget(self, session: TerminalSession) -> None:
        if self.sessions.get(session.name) is not session:
            return  # already forgotten, or replaced by a new session of the same job
        del self.sessions[session.name]
        lock = self._locks.get(session.name)
        if lock is not None and not lock.locked():
            del self._locks[session.name]
        summary = {**session.to_json(), "viewers": 0}
        recording = session.recording.path if session.recording is not None else None
        self.ended.pop(session.name, None)
        self.ended[session.name] = EndedSession(summary, recording, session.owner, session.backend)
        while len(self.ended) > MAX_ENDED:
            del self.ended[next(iter(self.ended))]

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

    def _check_joinable(self, session: TerminalSession) -> None:
        """Share a shell only with whom the CI service would have let in itself.

        GitLab opens a job's terminal only to the person who started the job, with their web
        session; letting another Jupyter user type into it would step around that rule.
        """
        self._check_owner(session.owner, session.backend, agent=session.runner == "agent")

    def _check_owner(self, owner: TerminalUser | None, backend: Backend, agent: bool) -> None:
        if agent and owner is not None:  # the agent's shell: its starter, or the admin's list
            check_agent_user(owner, backend, self.cfg.agent_allowed_users)
            return
        if owner is not None and backend.terminal_user() != owner:
            msg = (
                f"This job's terminal is open as {owner.service} user @{owner.username}, and "
                f"{owner.service} lets only that user into it: it is not shared with you."
            )
            raise ForbiddenError(msg)

    def list(self) -> list[TerminalSession]:
        """Every live session, and ended ones until their viewers got the end message."""
        return list(self.sessions.values())

    def describe(self, name: str) -> dict[str, Any]:
        """A session's JSON, also once it has ended and been forgotten."""
        if name in self.sessions:
            return self.sessions[name].to_json()
        if name in self.ended:
            return {**self.ended[name].summary, "forgotten": True}
        return self.get(name).to_json()  # raises the 404

    def recording_path(self, name: str) -> Path:
        """The recording of a session, live or forgotten, if the current user may join it."""
        if name in self.sessions:
            session = self.joinable(name)
            if session.recording is not None:
                session.recording.flush()
            path = session.recording.path if session.recording is not None else None
        elif name in self.ended:
            ended = self.ended[name]
            agent = ended.summary.get("runner") == "agent"
            self._check_owner(ended.owner, ended.backend, agent=agent)
            path = ended.recording
        else:
            msg = f"There is no CI terminal session {name!r}."
            raise NotFoundError(msg)
        if path is None:
            msg = "This session is not recorded (CITerminalApp.record_sessions is off)."
            raise NotFoundError(msg)
        # The journal first: its conversion writes the file before it deletes the journal, so
        # a conversion that ends between the two checks is not taken for a deleted recording.
        if not journal_path(path).exists() and not path.exists():
            msg = "This session's recording was deleted (CITerminalApp.recordings_keep_days)."
            raise NotFoundError(msg)
        return path

    async def terminate(self, name: str) -> None:
        """Close a session and forget it (only someone who may join it may end it)."""
        session = self.joinable(name)
        await session.close("the session was shut down from Jupyter")
        self._forget(session)

    async def shutdown(self) -> None:
        """Close every session (server shutdown)."""
        for watcher in list(self._watchers):
            watcher.cancel()
        await asyncio.gather(
            *(s.close("the Jupyter server is shutting down") for s in self.sessions.values()),
            return_exceptions=True,
        )
        self.sessions.clear()
