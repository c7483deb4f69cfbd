"""Per-job terminal sessions, as gitlab-runner's ``session`` package keeps them.

A session is created when a job starts (random 64-hex endpoint id and a separate 64-hex token),
becomes *ready* once the build directory and the job's variables exist, allows one attached
terminal at a time, and disappears with the job.
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from pathlib import Path
from typing import Protocol

from ...errors import NotFoundError, TerminalInUseError


class Attachment(Protocol):
    """An attached terminal connection (the websocket handler)."""

    def kill(self, reason: str) -> None:
        """Close the connection and its shell."""


class TerminalSession:
    """One job's terminal endpoint."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        # 32 random bytes as lower-case hex each, like gitlab-runner's generateEndpoint().
        self.id = secrets.token_hex(32)
        self.token = secrets.token_hex(32)
        #: The job's CI_JOB_TOKEN: ``GET /api/v4/job`` accepts it while the job runs.
        self.job_token = secrets.token_hex(32)
        self.cwd: Path | None = None
        self.env: dict[str, str] | None = None
        self.ready = asyncio.Event()
        #: The job is over: waiting requests wake up and get 404.
        self.closed = False
        self.attached: Attachment | None = None
        #: Set whenever no terminal is attached; cleared while one is.
        self.detached = asyncio.Event()
        self.detached.set()
        #: Set once a terminal has attached (a debug hold waits for it).
        self.first_attach = asyncio.Event()

    @property
    def endpoint(self) -> str:
        """Return the URL path prefix of this session."""
        return f"/session/{self.id}"

    def check_token(self, presented: str) -> bool:
        """Compare the ``Authorization`` header with the token in constant time."""
        return hmac.compare_digest(presented.encode(), self.token.encode())

    def set_terminal(self, cwd: Path, env: dict[str, str]) -> None:
        """Make the shell available: where it starts and with which variables."""
        self.cwd, self.env = cwd, env
        self.ready.set()

    @property
    def connected(self) -> bool:
        """Return whether a terminal is attached right now."""
        return self.attached is not None

    def attach(self, conn: Attachment) -> None:
        """Claim the single terminal slot; raise :class:`TerminalInUseError` when taken."""
        if self.attached is not None:
            msg = "Terminal already connected, revoking connection"
            raise TerminalInUseError(msg)
        self.attached = conn
        self.first_attach.set()
        self.detached.clear()

    def detach(self, conn: Attachment) -> None:
        """Release the slot held by ``conn`` (a stale connection cannot release a newer one)."""
        if self.attached is conn:
            self.attached = None
            self.detached.set()

    def kill(self, reason: str) -> None:
        """Close the attached terminal, if any."""
        if self.attached is not None:
            self.attached.kill(reason)


class SessionRegistry:
    """The live sessions, by endpoint id."""

    def __init__(self) -> None:
        self._by_id: dict[str, TerminalSession] = {}
        self._by_job: dict[int, TerminalSession] = {}

    def create(self, job_id: int) -> TerminalSession:
        """Create and register a session for a starting job."""
        session = TerminalSession(job_id)
        self._by_id[session.id] = session
        self._by_job[job_id] = session
        return session

    def get(self, session_id: str) -> TerminalSession:
        """Return a live session; unknown ids raise :class:`NotFoundError`."""
        try:
            return self._by_id[session_id]
        except KeyError:
            msg = "No such terminal session."
            raise NotFoundError(msg) from None

    def for_job(self, job_id: int) -> TerminalSession | None:
        """Return the live session of a job, if it has one."""
        return self._by_job.get(job_id)

    def for_job_token(self, presented: str) -> TerminalSession | None:
        """Return the live session whose job was given ``presented`` as CI_JOB_TOKEN."""
        for session in self._by_id.values():
            if hmac.compare_digest(presented.encode(), session.job_token.encode()):
                return session
        return None

    def remove(self, session: TerminalSession, reason: str) -> None:
        """Forget a session and close its terminal (its URL answers 404 from now on)."""
        self._by_id.pop(session.id, None)
        if self._by_job.get(session.job_id) is session:
            del self._by_job[session.job_id]
        session.closed = True
        session.ready.set()
        session.kill(reason)

    def all(self) -> list[TerminalSession]:
        """Return every live session."""
        return list(self._by_id.values())
