"""Direct mode: the notebook API without a Jupyter server, talking to a runner or GitLab itself.

Inside Jupyter the kernel goes through its server (:mod:`.client`), which holds the credentials
and shares terminal sessions with the browser. Outside Jupyter (a script, a plain IPython, a CI
job), :class:`DirectClient` runs the server's own backends in the calling process instead: the
``local`` backend finds the runner serving a folder through its runtime file; the ``gitlab``
backend uses an API token, and a web session for terminals. The backends are asyncio code, so
they run on a private event loop in one daemon thread; callers block on their results.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

from ..backends import Backend, Project
from ..backends.gitlab import GitLabBackend
from ..backends.websession import SERVER_OWNER
from ..errors import ConfigError, NotFoundError
from ..sessions import ProjectRegistry, SessionManager
from .errors import CITimeoutError
from .service import JSON
from .terminals import ChannelTerminal

T = TypeVar("T")


class _Loop:
    """An event loop on a daemon thread, for blocking callers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name="ci-direct-loop", daemon=True
        )
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            msg = f"The CI backend did not answer within {timeout:g} s."
            raise CITimeoutError(msg) from None

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self.loop.close()


class DirectClient:
    """A :class:`~.service.Service` over backends run in this process."""

    def __init__(
        self, backends: list[Backend], *, where: str, attach: str, timeout: float = 30.0
    ) -> None:
        self.where = where
        self.lab_url = ""
        self.timeout = timeout
        # ``attach`` is the attach command's option that points it at the same place.
        self._attach = attach
        self._loop = _Loop()
        self._registry = ProjectRegistry(backends)
        self._terminals: dict[str, tuple[str, int]] = {}
        # A runner this client started must not outlive the Python process that wanted it.
        atexit.register(self.close)

    def __repr__(self) -> str:
        return f"<DirectClient {self.where}>"

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._loop.run(coro, self.timeout)

    def _resolve(self, project: str) -> tuple[Backend, Project]:
        return self._run(self._registry.resolve(project))

    def projects(self) -> list[JSON]:
        """Projects of every backend."""
        return [p.to_json() for p in self._run(self._registry.projects())]

    def pipelines(self, project: str, *, mine: bool = False) -> list[JSON]:
        """Recent pipelines, newest first; with ``mine``, the user's own."""
        backend, proj = self._resolve(project)
        return self._run(backend.pipelines(proj, mine=mine))

    def create_pipeline(self, project: str, ref: str | None) -> JSON:
        """Start a pipeline."""
        backend, proj = self._resolve(project)
        return self._run(backend.create_pipeline(proj, ref))

    def pipeline_jobs(self, project: str, pipeline: int) -> list[JSON]:
        """A pipeline's jobs."""
        backend, proj = self._resolve(project)
        return self._run(backend.pipeline_jobs(proj, pipeline))

    def job(self, project: str, job: int) -> JSON:
        """One job."""
        backend, proj = self._resolve(project)
        return self._run(backend.job(proj, job))

    def trace(self, project: str, job: int) -> str:
        """The job's log."""
        backend, proj = self._resolve(project)
        return self._run(backend.trace(proj, job))

    def job_action(self, project: str, job: int, action: str) -> JSON:
        """Retry, cancel or play."""
        backend, proj = self._resolve(project)
        return self._run(backend.job_action(proj, job, action))

    def open_terminal(self, project: str, job: int, *, open_tab: bool) -> JSON:
        """Check that the job has a terminal now; there is no tab to open without JupyterLab.

        No ``title``: the caller knows the job's name.
        """
        backend, proj = self._resolve(project)
        self._run(backend.channel(proj, job))  # raises the backend's sentence when it has none
        name = SessionManager.session_name(project, job)
        self._terminals[name] = (project, job)
        return {"name": name}

    def terminal(self, name: str) -> ChannelTerminal:
        """A fresh connection to the job's shell (the Channel is resolved anew: tokens rotate)."""
        if name not in self._terminals:
            msg = f"There is no terminal session {name!r}; open it with job.attach() first."
            raise NotFoundError(msg)
        project, job = self._terminals[name]
        backend, proj = self._resolve(project)
        channel = self._run(backend.channel(proj, job))
        return ChannelTerminal.open(channel, open_timeout=self.timeout)

    def attach_command(self, project: str, job: int) -> str:
        """``jupyter ci-runner attach`` pointed where this client points."""
        return f"jupyter ci-runner attach {job} --project {project} {self._attach}"

    def set_web_session(self, value: str, backend: str | None = None) -> None:
        """Check the GitLab web session with GitLab, then keep it (in this process only)."""
        found = [
            b
            for b in self._registry.backends
            if isinstance(b, GitLabBackend) and backend in (None, b.name)
        ]
        if not found:
            msg = "This connection has no GitLab backend; use ci.connect_gitlab(url, token)."
            raise ConfigError(msg)
        self._run(found[0].set_web_session(SERVER_OWNER, value))

    def close(self) -> None:
        """Close the backends (stopping a runner they started) and the event loop."""
        atexit.unregister(self.close)
        if self._loop.loop.is_closed():
            return
        try:
            self._run(self._registry.close())
        finally:
            self._loop.close()
