"""Jobs that dial out: ``<base>ci-terminal/agents/connect`` and the registry of connected agents.

A runner with no ``[session_server]`` (GitLab.com's shared runners) cannot be dialed. Its job
runs ``ci-terminal-agent`` instead, which connects here with the server's agent token and the
job's own ``CI_JOB_TOKEN``; the job's CI service vouches for that token (:mod:`.jobcheck`), so
the connection is bound to one running job of a configured project. Opening that job's terminal
then starts a shell on the agent: sessions, viewers, recording and audit are the usual ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from typing import Any, cast

from jupyter_server.auth.decorator import allow_unauthenticated
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..agent import wire
from ..backends.base import TerminalUser
from ..errors import BackendError, ChannelError, CIError, ForbiddenError, TokenRefusedError
from ..sessions import ProjectRegistry
from ..sessions.agentaccess import job_starter
from ..sessions.upstream import AgentUpstream, Upstream
from .jobcheck import VerifiedJob, verify

log = logging.getLogger(__name__)

#: The websocket route, under the server's base URL.
CONNECT_ROUTE = r"/ci-terminal/agents/connect"
#: Largest frame taken from an agent (a burst of output), in bytes.
MAX_AGENT_FRAME = 16 * 1024 * 1024
#: Why a session through an agent ended when the agent's connection went away (an agent that
#: is still running keeps the shell, and dials again).
AGENT_GONE = (
    "The job's agent disconnected (its process or its connection to this server is gone):"
    " if it dials again while it holds the job, the job's terminal opens the same shell"
)
#: Seconds an agent has to start the shell it was asked for.
OPEN_TIMEOUT = 30.0


class AgentRegistry:
    """Connected agents by (REST project id, job id): one per job."""

    def __init__(self) -> None:
        self._agents: dict[tuple[str, int], AgentConnectHandler] = {}

    def connected(self, project_id: str, job_id: int) -> bool:
        """Whether an agent serves this job now (the job JSON gets ``"agent": true``)."""
        return (project_id, job_id) in self._agents

    def claim(self, key: tuple[str, int], agent: AgentConnectHandler) -> None:
        """Register an agent; a second one for the same job is refused with a sentence."""
        if key in self._agents:
            msg = f"Another agent is already connected for job {key[1]}: only one may serve a job."
            raise AgentInUseError(msg)
        self._agents[key] = agent

    def release(self, key: tuple[str, int], agent: AgentConnectHandler) -> None:
        """Forget an agent that went away (a newer one for the job stays)."""
        if self._agents.get(key) is agent:
            del self._agents[key]

    def starter(self, project_id: str, job_id: int) -> TerminalUser | None:
        """Who started the job, as its CI service said; None when no agent serves the job."""
        agent = self._agents.get((project_id, job_id))
        return None if agent is None or agent.job is None else job_starter(agent.job.job)

    async def open(self, project_id: str, job_id: int) -> Upstream | None:
        """The job's shell through its agent; None when no agent serves the job."""
        agent = self._agents.get((project_id, job_id))
        return None if agent is None else await agent.open_shell()

    def disconnect_all(self) -> None:
        """Server shutdown: drop every agent without ending its hold, so it dials the restarted
        server again (a close from a session would tell it the debugging is over)."""
        for agent in list(self._agents.values()):
            agent.close(1001, "the Jupyter server is shutting down")

    def mark(self, project_id: str, jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Jobs' JSON with ``"agent": true`` on those an agent serves."""
        return [
            {**job, "agent": True} if self.connected(project_id, int(job.get("id", 0))) else job
            for job in jobs
        ]


class AgentInUseError(ForbiddenError):
    """A second agent for one job."""

    status = 409


def refusal_status(e: CIError) -> int:
    """The HTTP status an agent gets for a refusal (its body is the sentence)."""
    if isinstance(e, TokenRefusedError):
        return 401
    if isinstance(e, BackendError):
        return 502
    return e.status


class AgentConnectHandler(WebSocketHandler):
    """One connected agent: checks both tokens, then relays one shell at a time."""

    def initialize(self, name: str = "", **kwargs: Any) -> None:
        """No Jupyter login here: the agent token and the job token are the credentials."""
        self.job: VerifiedJob | None = None
        self.key: tuple[str, int] | None = None
        self.upstream: AgentUpstream | None = None
        self._opened: asyncio.Future[None] | None = None

    @property
    def agents(self) -> AgentRegistry:
        """The registry of connected agents."""
        return cast(AgentRegistry, self.settings["ci_terminal_agents"])

    @property
    def max_message_size(self) -> int:
        """Output bursts up to this size are taken whole."""
        return MAX_AGENT_FRAME

    def check_origin(self, origin: str) -> bool:
        """Agents are not browsers: a request with an Origin is not one."""
        return False

    @allow_unauthenticated  # no Jupyter login: the two tokens below are the credentials
    async def get(self, *args: Any, **kwargs: Any) -> None:
        """Refuse with a sentence (no upgrade), or bind the connection to its job and upgrade."""
        try:
            await self._admit()
        except CIError as e:
            self.set_status(refusal_status(e))
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(str(e))
            return
        await super().get(*args, **kwargs)

    async def _admit(self) -> None:
        expected = str(self.settings.get("ci_terminal_agent_token") or "")
        if not expected:
            msg = "This Jupyter server accepts no CI terminal agents (CITerminalApp.agent_token is not set)."
            raise ForbiddenError(msg)
        presented = self.request.headers.get(wire.AGENT_TOKEN_HEADER, "")
        if not hmac.compare_digest(presented.encode(), expected.encode()):
            msg = "The agent token is not this Jupyter server's (JUPYTER_CI_TERMINAL_TOKEN)."
            raise TokenRefusedError(msg)
        registry = cast(ProjectRegistry, self.settings["ci_terminal_registry"])
        job = await verify(
            registry,
            self.request.headers.get(wire.JOB_TOKEN_HEADER, ""),
            self.request.headers.get(wire.SERVER_URL_HEADER, ""),
        )
        key = (job.project.id, job.job_id)
        self.agents.claim(key, self)
        self.job, self.key = job, key

    def open(self, *args: Any, **kwargs: Any) -> None:
        """The agent is connected and registered."""
        assert self.job is not None
        log.info(
            "CI terminal agent connected for job %s of %s", self.job.job_id, self.job.project.id
        )

    async def open_shell(self) -> Upstream:
        """Ask the agent for the job's shell and wait for its answer (it starts the shell on
        the first frame sent, at that size when it is a resize)."""
        if self.upstream is not None and not self.upstream.ended:
            msg = "This job's shell is already open through its agent."
            raise ChannelError(msg)
        self._opened = asyncio.get_running_loop().create_future()
        self.upstream = AgentUpstream(self._send_frame, self._close_shell, self._flow)
        try:
            await self.write_message(wire.control(wire.OPEN))
            await asyncio.wait_for(asyncio.shield(self._opened), OPEN_TIMEOUT)
        except (WebSocketClosedError, asyncio.TimeoutError, TimeoutError):
            self.upstream.end("the agent did not start the shell")
            msg = "The job's agent did not start a shell (it disconnected or did not answer)."
            raise ChannelError(msg) from None
        return self.upstream

    async def _send_frame(self, frame: bytes) -> None:
        try:
            await self.write_message(frame, binary=True)
        except WebSocketClosedError:
            if self.upstream is not None:
                self.upstream.end("the agent disconnected")

    def _flow(self, flowing: bool) -> None:
        with contextlib.suppress(WebSocketClosedError):
            self.write_message(wire.control(wire.RESUME if flowing else wire.PAUSE))

    def _close_shell(self) -> None:
        with contextlib.suppress(WebSocketClosedError):
            self.write_message(wire.control(wire.CLOSE))

    def on_message(self, message: str | bytes) -> None:
        """Control messages (text) and the shell's output (binary)."""
        if isinstance(message, bytes):
            if self.upstream is not None:
                self.upstream.feed(message)
            return
        kind = wire.parse_control(message)
        if kind.get("type") == wire.OPENED and self._opened is not None:
            if not self._opened.done():
                self._opened.set_result(None)
        elif kind.get("type") == wire.EXITED and self.upstream is not None:
            self.upstream.end(str(kind.get("reason") or "the shell exited")[:200])

    def on_close(self) -> None:
        """Forget the agent; the session open through it ends (the agent keeps its shell)."""
        if self.key is not None:
            self.agents.release(self.key, self)
        if self.upstream is not None:
            self.upstream.end(AGENT_GONE)
        if self._opened is not None and not self._opened.done():
            self._opened.cancel()
