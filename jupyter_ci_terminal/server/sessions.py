"""Terminal sessions: one upstream connection to a job's shell, shared by any number of viewers.

The runner sees a single client (gitlab-runner answers a second one with 423), while several
browser tabs, or several people, watch and type. A session outlives its tabs; a screen model
lets a reconnecting tab see what it last saw; each viewer's backlog is bounded.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import functools
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tornado.websocket import WebSocketClientConnection

from ..backends import Backend, Project, TerminalUser
from ..dial import dial, endpoint
from ..errors import CIError, ProtocolError
from ..protocol import terminado
from ..protocol.frames import ClientCodec, Frame, client_codec
from ..protocol.limits import DEFAULT_MAX_INPUT
from ..screen import ScreenModel
from . import holdgrace, shellwait
from .agentaccess import check_agent_user
from .recording import AuditLog, Recording
from .upstream import AgentLookup, Upstream
from .viewer import Viewer

log = logging.getLogger(__name__)

#: Seconds of quiet output after which the screen model applies what is queued, so redraws stay
#: cheap in interactive use without putting the (slow) model on the output's hot path.
IDLE_CATCH_UP = 0.1

#: Why a session ended when the runner process itself died (SIGKILL, out of memory, a crash).
RUNNER_GONE = "the runner serving this job stopped (its process is gone)"

FIXED_SIZE_NOTICE = (
    "\r\n\x1b[2m[This runner's terminal protocol cannot resize: the remote size stays fixed."
    " Run `stty rows R cols C` in the shell to change it.]\x1b[0m\r\n"
)


#: Bytes the kernel may buffer from the runner (SO_RCVBUF). Output this server has not read yet
#: then waits in the job's pty, whose queue Ctrl-C flushes, rather than in megabytes of socket
#: buffers that would delay the prompt when the screen model is slower than the shell.
UPSTREAM_RCVBUF = 64 * 1024


def _limit_receive_buffer(ws: Upstream) -> None:
    stream = getattr(getattr(ws, "protocol", None), "stream", None)
    sock = getattr(stream, "socket", None)
    if sock is not None:  # a dialed runner (an agent's shell has no socket of its own)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UPSTREAM_RCVBUF)


@dataclass
class SessionSettings:
    """Knobs of every session (set from the extension's traitlets)."""

    connect_timeout: float = 10.0
    ready_timeout: float = 60.0
    max_input: int = DEFAULT_MAX_INPUT
    ping_interval: float = 30.0
    max_backlog: int = 1024 * 1024
    #: Seconds of output a viewer may be behind before it gets the current screen instead.
    max_lag: float = 0.25
    detached_timeout: float = 600.0
    #: Seconds without a viewer after which a held job's hold is ended (see holdgrace).
    hold_grace: float = 30.0
    scrollback: int = 1000
    recordings_dir: Path | None = None
    record_input: bool = False
    stty_resize: bool = False
    audit: AuditLog = field(default_factory=lambda: AuditLog(None))
    #: Jobs whose agent dialed out to this server (see .agents): their shell is opened there.
    agents: AgentLookup | None = None
    #: Jupyter users who may open any agent job's shell besides its starter (an admin's list).
    agent_allowed_users: frozenset[str] = frozenset()


class TerminalSession:
    """A job's shell, held open on behalf of every viewer."""

    def __init__(
        self,
        name: str,
        project: Project,
        job: dict[str, Any],
        backend: Backend,
        cfg: SessionSettings,
    ) -> None:
        self.name = name
        self.project = project
        self.job_id = int(job["id"])
        self.job_name = str(job.get("name", ""))
        self._job: dict[str, Any] | None = job  # as just fetched: the channel needs no refetch
        self.backend = backend
        self.cfg = cfg
        self.created = time.time()
        self.runner = ""
        #: Whom the service opened the terminal as, where it tells users apart (see ``open``).
        self.owner: TerminalUser | None = None
        self.ended: str | None = None
        #: Set once :meth:`close` is done: the recording is closed, viewers are told why.
        self.closed = asyncio.Event()
        self.viewers: set[Viewer] = set()
        self.bytes_in = 0
        self.bytes_out = 0
        self.screen = ScreenModel(history=cfg.scrollback)
        self.recording: Recording | None = None
        self._ws: Upstream | None = None
        self._dialing: asyncio.Task[WebSocketClientConnection] | None = None
        #: Keystrokes typed while waiting for the shell (sent once it is there, up to the cap).
        self._typeahead = bytearray()
        self._codec: ClientCodec = client_codec(None)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pump_task: asyncio.Task[None] | None = None
        self._idle_task: asyncio.Task[None] | None = None
        self._hold_grace: asyncio.Task[None] | None = None
        self._told_fixed_size = False
        self._told: list[Viewer] = []  # the viewers the end message went to
        self._last_output = 0.0
        self._catch_up: asyncio.TimerHandle | None = None
        self._refit: asyncio.Future[None] | None = None

    @property
    def title(self) -> str:
        """The tab title, as GitLab names a job: ``CI: <job name> #<id>``."""
        return f"CI: {self.job_name} #{self.job_id}"

    def to_json(self) -> dict[str, Any]:
        """Public metadata: no URL path, no token."""
        return {
            "name": self.name,
            "project": self.project.id,
            "job": self.job_id,
            "job_name": self.job_name,
            "title": self.title,
            "runner": self.runner,
            "viewers": len(self.viewers),
            "resizable": self._codec.supports_resize,
            "acks": True,  # viewers may send ["ack", n] (see protocol.terminado)
            "ended": self.ended,
            "recording": self.recording is not None,
        }

    async def open(self) -> None:
        """Resolve the job's Channel and dial it; errors propagate as ChannelError."""
        agents = self.cfg.agents
        starter = agents.starter(self.project.id, self.job_id) if agents else None
        if starter is not None:  # GitLab's rule: the job's starter (or an admin's list) only
            check_agent_user(starter, self.backend, self.cfg.agent_allowed_users)
            self.owner = starter
        agent = await agents.open(self.project.id, self.job_id) if agents else None
        if agent is not None:  # the job dialed out: no Channel, its agent starts the shell
            self.runner = "agent"
            self._connected(agent)
            self._pump_task = asyncio.create_task(self._pump())
            self._arm_idle()
            return
        channel = await self.backend.channel(self.project, self.job_id, job=self._job)
        self._job = None
        # Read in the opener's request: the shell acts as the opener at the CI service.
        self.owner = self.backend.terminal_user()
        self.runner = endpoint(channel.url)
        self._dialing = asyncio.create_task(
            dial(
                channel,
                connect_timeout=self.cfg.connect_timeout,
                ready_timeout=self.cfg.ready_timeout,
                ping_interval=self.cfg.ping_interval,
            )
        )
        if await shellwait.answered(self._dialing):
            self._connected(self._dialing.result())  # a refusal raises here, as an HTTP error
            self._pump_task = asyncio.create_task(self._pump())
        else:
            # The runner holds the request until the job's shell is ready: open the tab now.
            self._pump_task = asyncio.create_task(self._await_shell())
        self._arm_idle()

    async def _await_shell(self) -> None:
        assert self._dialing is not None
        try:
            ws = await shellwait.with_progress(self._dialing, self._output)
            self._connected(ws)
        except CIError as e:
            await self.close(str(e).rstrip("."))
            return
        except Exception:
            log.exception("Terminal session %s failed", self.name)
            await self.close("the connection to the runner failed")
            return
        await self._fit()  # viewers sized while waiting: apply it before any typing
        typed, self._typeahead = bytes(self._typeahead), bytearray()
        for frame in self._codec.encode_input(typed):
            await ws.write_message(frame.payload, binary=frame.binary)
        await self._pump()

    def _connected(self, ws: Upstream) -> None:
        self._ws = ws
        _limit_receive_buffer(ws)
        self._codec = client_codec(ws.selected_subprotocol)
        if self.cfg.recordings_dir is not None:
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(self.created))
            path = self.cfg.recordings_dir / f"{self.name}-{stamp}.cast"
            rows, cols = self.screen.size
            self.recording = Recording(
                path, rows=rows, cols=cols, title=self.title, record_input=self.cfg.record_input
            )

    async def _pump(self) -> None:
        assert self._ws is not None
        reason = "the runner closed the terminal (the shell exited or the job ended)"
        try:
            while True:
                message = await self._ws.read_message()
                if message is None:
                    if self._ws.close_reason and self.runner == "agent":
                        reason = self._ws.close_reason  # the agent's own words, no runner
                    elif self._ws.close_reason:
                        reason = f"the runner closed the terminal: {self._ws.close_reason}"
                    elif await self._runner_gone():
                        reason = RUNNER_GONE
                    break
                raw = message if isinstance(message, bytes) else message.encode()
                frame = Frame(raw, binary=isinstance(message, bytes))
                # Read at the runner's pace whatever the viewers do (each one drops what it
                # cannot take); only this loop's own work slows the runner's pty.
                text = self._decoder.decode(self._codec.decode_output(frame))
                if text:
                    self._output(text)
        except ProtocolError as e:
            reason = str(e)
        except Exception:
            log.exception("Terminal session %s failed", self.name)
            reason = "the connection to the runner failed"
        await self.close(reason)

    async def _runner_gone(self) -> bool:
        # Only the local backend can tell: a GitLab runner's death looks like a job's end.
        probe = getattr(self.backend, "runner_gone", None)
        return probe is not None and bool(await probe())

    def _output(self, text: str) -> None:
        self.bytes_out += len(text)
        self.screen.feed(text)
        loop = asyncio.get_running_loop()
        self._last_output = loop.time()
        if self._catch_up is None:
            self._catch_up = loop.call_later(IDLE_CATCH_UP, self._idle_catch_up)
        if self.recording is not None:
            self.recording.output(text)
        for viewer in self.viewers:
            viewer.push(text)

    def _idle_catch_up(self) -> None:
        loop = asyncio.get_running_loop()
        quiet = loop.time() - self._last_output
        if quiet < IDLE_CATCH_UP:
            self._catch_up = loop.call_later(IDLE_CATCH_UP - quiet, self._idle_catch_up)
            return
        self._catch_up = None
        self.screen.catch_up()

    def _arm_idle(self) -> None:
        self._hold_grace = holdgrace.rearm(self, self._hold_grace)
        if self._idle_task is not None:
            self._idle_task.cancel()
            self._idle_task = None
        if not self.viewers and self.ended is None and self.cfg.detached_timeout > 0:
            self._idle_task = asyncio.create_task(self._close_when_idle())

    async def _close_when_idle(self) -> None:
        await asyncio.sleep(self.cfg.detached_timeout)
        if not self.viewers:
            await self.close(f"no viewer for {self.cfg.detached_timeout:g} s")

    def attach(self, send: Callable[[str], Awaitable[None]], user: str) -> Viewer:
        """A new viewer sending through ``send``: it gets ``setup``, then the current screen."""
        viewer = Viewer(
            send,
            functools.partial(self.screen.snapshot, self.cfg.scrollback),
            user=user,
            max_backlog=self.cfg.max_backlog,
            max_lag=self.cfg.max_lag,
        )
        self.viewers.add(viewer)
        viewer.start(terminado.setup(), self.screen.snapshot(self.cfg.scrollback))
        if self.ended is not None:
            viewer.finish(terminado.stdout(self._end_text()), terminado.disconnect())
        self._arm_idle()
        self.cfg.audit.write("attach", **self._audit_fields(viewer))
        return viewer

    def detach(self, viewer: Viewer, how: str) -> None:
        """Remove a viewer (its tab closed or reloaded); the session lives on."""
        if viewer in self.viewers:
            self.viewers.discard(viewer)
            if viewer.size is not None:  # the others may be larger: the pty grows back
                self._refit = asyncio.ensure_future(self._refit_quietly())
            self.cfg.audit.write("detach", how=how, **self._audit_fields(viewer))
            self._arm_idle()

    def _audit_fields(self, viewer: Viewer) -> dict[str, Any]:
        return {
            "user": viewer.user,
            "session": self.name,
            "project": self.project.id,
            "job": self.job_id,
            "job_name": self.job_name,
            "runner": self.runner,
            "bytes_in": viewer.bytes_in,
            "bytes_out": viewer.bytes_out,
        }

    async def write(self, viewer: Viewer, data: bytes) -> None:
        """Send keystrokes to the job's shell."""
        if self._ws is not None and self.ended is None:
            viewer.bytes_in += len(data)
        await self._input(data)

    async def _input(self, data: bytes) -> None:
        if self._ws is None and self.ended is None:
            self._typeahead += data[: max(0, self.cfg.max_input - len(self._typeahead))]
            return
        if self._ws is None or self.ended is not None:
            return
        self.bytes_in += len(data)
        if self.recording is not None:
            self.recording.input(data.decode("utf-8", "replace"))
        for frame in self._codec.encode_input(data):
            await self._ws.write_message(frame.payload, binary=frame.binary)

    async def resize(self, viewer: Viewer, rows: int, cols: int) -> None:
        """A viewer's size changed: the remote pty follows the smallest viewer."""
        viewer.size = (rows, cols)
        await self._fit()

    async def _refit_quietly(self) -> None:
        try:
            await self._fit()
        except Exception:  # the runner went away meanwhile: the pump reports the end
            log.debug("CI terminal %s: resize after a viewer left failed", self.name, exc_info=True)

    async def _fit(self) -> None:
        """Size the remote pty to the smallest sized viewer, as terminado does."""
        sizes = [v.size for v in self.viewers if v.size is not None]
        if not sizes or self._ws is None or self.ended is not None:
            return
        rows, cols = min(s[0] for s in sizes), min(s[1] for s in sizes)
        if (rows, cols) == self.screen.size:
            return
        self.screen.resize(rows, cols)
        if self.recording is not None:
            self.recording.resize(rows, cols)
        if self._codec.supports_resize:
            for frame in self._codec.encode_resize(rows, cols):
                await self._ws.write_message(frame.payload, binary=frame.binary)
        elif self.cfg.stty_resize:
            await self._input(f"stty rows {rows} cols {cols}\r".encode())
        elif not self._told_fixed_size:
            self._told_fixed_size = True
            for viewer in self.viewers:
                viewer.push(FIXED_SIZE_NOTICE)

    def _end_text(self) -> str:
        return f"\r\n\x1b[2m[CI terminal closed: {self.ended}.]\x1b[0m\r\n"

    async def close(self, reason: str) -> None:
        """End the session: close the runner connection and tell every viewer why."""
        if self.ended is not None:
            return
        self.ended = reason
        if self._idle_task is not None and self._idle_task is not asyncio.current_task():
            self._idle_task.cancel()
        if self._hold_grace is not None and self._hold_grace is not asyncio.current_task():
            self._hold_grace.cancel()
        if self._dialing is not None and not self._dialing.done():
            self._dialing.cancel()
        if self._ws is not None:
            self._ws.close()
        if self._pump_task is not None and self._pump_task is not asyncio.current_task():
            self._pump_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump_task
        if self._catch_up is not None:
            self._catch_up.cancel()
            self._catch_up = None
        if self.recording is not None:
            self.recording.close()
        self._told = list(self.viewers)
        for viewer in self._told:
            viewer.finish(terminado.stdout(self._end_text()), terminado.disconnect())
        self.closed.set()
        log.info("CI terminal %s closed: %s", self.name, reason)

    async def delivered(self, timeout: float) -> None:
        """Wait (at most ``timeout`` s) until the viewers of the close got the end message."""
        drains = [asyncio.ensure_future(viewer.drained()) for viewer in self._told]
        if drains:
            _, pending = await asyncio.wait(drains, timeout=timeout)
            for task in pending:
                task.cancel()
