"""The ``local`` backend: the embedded runner (``jupyter ci-runner``) serving one project folder.

It reuses a runner that already serves the folder (found through the runners' runtime files,
as Jupyter finds its servers) or starts one and stops it again with the Jupyter server.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ..channel import Channel
from ..errors import BackendError, NoTerminalError, NotFoundError
from ..runner.runtime import find_runners, pid_alive
from .agenthelp import ADD_THE_AGENT
from .base import JSON, Project
from .rest import RestBackendMixin, RestClient

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Seconds to wait for a runner whose terminal connection dropped to be seen gone (a killed
#: process closes its sockets a moment before it stops existing; on a loaded machine that
#: moment can last). Only a runner that neither answers nor is gone waits this long.
GONE_WAIT = 5.0


class StoppingError(BackendError):
    """The server is stopping: no runner is started any more (HTTP 503, as for a restart)."""

    status = 503


STOPPING = "The Jupyter server is stopping: it starts no CI runner any more."


class _RunnerClient(RestClient):
    """The runner's REST client: a call cut short by the server stopping says so (503)."""

    def __init__(self, url: str, token: str, stopping: Callable[[], bool]) -> None:
        super().__init__(url, token, what="The local runner")
        self._stopping = stopping

    async def call(self, fn: Callable[[], T]) -> T:
        """Run the call; while the server stops the runner, its failure is the stop's."""
        try:
            return await super().call(fn)
        except BackendError:
            if self._stopping():
                raise StoppingError(STOPPING) from None
            raise


class LocalBackend(RestBackendMixin):
    """Pipelines of one folder, run by the embedded local runner."""

    kind = "local"

    def __init__(
        self,
        project_dir: Path,
        *,
        start: bool = True,
        runner_args: list[str] | Callable[[], list[str]] | None = None,
        runner_env: Callable[[], dict[str, str]] | None = None,
        startup_timeout: float = 30.0,
        project_id: str = "local",
    ) -> None:
        self.project_dir = project_dir.resolve()
        self.start = start
        self.runner_args = runner_args or []
        #: Added to the runner's environment (which its jobs inherit), asked at start too.
        self.runner_env = runner_env
        self.startup_timeout = startup_timeout
        self.project_id = project_id
        self._rest: RestClient | None = None
        self._info: dict[str, Any] | None = None
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        #: Set by :meth:`close`: from then on nothing may start a runner, or it would outlive
        #: the server (clients keep polling through kept-alive connections while it stops).
        self._closed = False

    def _refuse_when_closed(self) -> None:
        if self._closed:
            raise StoppingError(STOPPING)

    def _serving_runner(self, pid: int | None = None) -> dict[str, Any] | None:
        for info in find_runners():
            if Path(info["project_dir"]).resolve() == self.project_dir and (
                pid is None or info["pid"] == pid
            ):
                return info
        return None

    async def _spawn(self) -> dict[str, Any]:
        argv = [sys.executable, "-m", "jupyter_ci_terminal.runner", "serve"]
        # A callable is asked at start: the server's own URL is known only once it listens.
        extra = self.runner_args() if callable(self.runner_args) else self.runner_args
        argv += ["--project", str(self.project_dir), *extra]
        extra_env = self.runner_env() if self.runner_env is not None else {}
        self._proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            env={**os.environ, **extra_env} if extra_env else None,
        )
        log.info("Started the local CI runner for %s (pid %s)", self.project_dir, self._proc.pid)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            self._refuse_when_closed()  # close() stops the process once this lets go the lock
            info = self._serving_runner(self._proc.pid)
            if info is not None:
                return info
            if self._proc.returncode is not None:
                break
            await asyncio.sleep(0.1)
        code = self._proc.returncode
        msg = (
            f"The local runner for {self.project_dir.name} exited with code {code}; see the server log."
            if code is not None
            else f"The local runner for {self.project_dir.name} did not start within "
            f"{self.startup_timeout:g} s."
        )
        raise BackendError(msg)

    async def client(self) -> RestClient:
        """Find or start the runner, then return its REST client."""
        self._refuse_when_closed()
        async with self._lock:
            self._refuse_when_closed()
            if self._rest is not None and self._runner_alive():
                return self._rest
            info = self._serving_runner()
            if info is None:
                if not (self.project_dir / ".gitlab-ci.yml").is_file():
                    msg = f"There is no .gitlab-ci.yml in {self.project_dir.name}; add one to run pipelines."
                    raise BackendError(msg)
                if not self.start:
                    msg = (
                        "No local runner serves this folder; start one with "
                        "`jupyter ci-runner serve --project <folder>`."
                    )
                    raise BackendError(msg)
                info = await self._spawn()
            self._info = info
            self._rest = _RunnerClient(info["url"], info["token"], lambda: self._closed)
            return self._rest

    def _runner_alive(self) -> bool:
        if self._proc is not None:
            return self._proc.returncode is None and pid_alive(self._proc.pid)
        return self._info is not None and pid_alive(int(self._info["pid"]))

    async def runner_gone(self) -> bool:
        """Whether the runner serving this folder died (asked when a terminal dropped).

        The runner ends a job's terminal with a bare TCP close, as gitlab-runner does, which
        looks the same as its death: a runner that still answers on its API port is alive.
        """
        info = self._info
        if info is None:
            return False
        deadline = time.monotonic() + GONE_WAIT
        while self._runner_alive():
            if await _answers(str(info["url"])) or time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.05)
        return True

    async def projects(self) -> list[Project]:
        """The one folder this runner serves; none when it has no pipeline to run."""
        if not (self.project_dir / ".gitlab-ci.yml").is_file() and self._serving_runner() is None:
            return []
        await self.client()
        assert self._info is not None
        name = self.project_dir.name or str(self.project_dir)
        # A hash: the JSON names the folder without showing the machine's paths.
        digest = hashlib.sha256(str(self.project_dir).encode()).hexdigest()[:16]
        remote = self._info.get("project_id", 1)
        return [Project(self.project_id, name, self.kind, remote, identity=f"local:{digest}")]

    async def channel(self, project: Project, job_id: int, job: JSON | None = None) -> Channel:
        """Ask the runner for the job's terminal Channel (GitLab's authorize-response shape)."""
        rest, path = await self._path(project, "jobs", int(job_id), "terminal")
        try:
            body = await rest.get(path)
        except NotFoundError:
            no_session_server = self._info is not None and self._info.get("session_url", "") is None
            if job is None and no_session_server:
                job = await self.job(project, job_id)
            if no_session_server and job is not None and job.get("status") == "running":
                raise NoTerminalError(ADD_THE_AGENT) from None
            msg = "The job is not running or has no terminal."
            raise NoTerminalError(msg) from None
        return Channel.from_authorize_json(body)

    async def close(self) -> None:
        """Stop the runner if this backend started it; start none from now on."""
        self._closed = True
        async with self._lock:  # a start under way gives up within 0.1 s, see _spawn
            proc, self._proc = self._proc, None
            self._rest = None
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()


async def _answers(url: str) -> bool:
    """Whether something accepts connections at ``url``'s host and port."""
    parts = urlsplit(url)
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(parts.hostname, parts.port), timeout=1.0
        )
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    return True
