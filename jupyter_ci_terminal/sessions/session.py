"""Terminal sessions: one connection to a job's shell, shared by any number of viewers.

The runner sees a single client (gitlab-runner answers a second one with 423), while several
browser tabs, or several people, watch and type. A session outlives its tabs; its screen model
lets a new or lagging tab see the present. The parts, as terminado splits ``PtyWithClients``:
:mod:`.link` (the connection to the shell), :mod:`.fanout` (the viewers and the size they
agree on), :mod:`.subscribers` (screen model, recording, audit log).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tornado.websocket import WebSocketClientConnection

from ..backends import Backend, Project, TerminalUser
from ..dial import endpoint
from ..errors import CIError
from ..protocol import terminado
from ..protocol.jsontext import Output
from ..screen.snapshot import cursor_row
from . import holdgrace, shellwait
from .agentaccess import check_agent_user
from .fanout import Fanout
from .link import ShellLink
from .recording import Recording
from .settings import SessionSettings
from .subscribers import Subscribers
from .upstream import Upstream
from .viewer import Message, Viewer

log = logging.getLogger(__name__)

#: Said once when the viewers' size cannot reach the job's pty (gitlab-runner's
#: terminal.gitlab.com).
FIXED_SIZE_NOTICE = (
    "\r\n\x1b[2m[This runner's terminal protocol cannot resize: the remote size stays fixed."
    " Run `stty rows R cols C` in the shell to change it.]\x1b[0m\r\n"
)


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
        self.bytes_in = 0
        self.bytes_out = 0
        self.link = ShellLink(name, cfg)
        self.out = Subscribers(cfg)
        self.fanout = Fanout(self.out.snapshot, cfg)
        self._pump_task: asyncio.Task[None] | None = None
        self._idle_task: asyncio.Task[None] | None = None
        self._hold_grace: asyncio.Task[None] | None = None
        self._refit: asyncio.Future[None] | None = None
        self._pty_sized = False  # a size went to the runner
        self._told_fixed_size = False

    @property
    def viewers(self) -> set[Viewer]:
        """The attached viewers."""
        return self.fanout.viewers

    @property
    def recording(self) -> Recording | None:
        """The session's recording, when recordings are on."""
        return self.out.recording

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
            "resizable": self.link.resizable,
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
        dialing = self.link.dial(channel)
        if await shellwait.answered(dialing):
            self._connected(dialing.result())  # a refusal raises here, as an HTTP error
            self._pump_task = asyncio.create_task(self._pump())
        else:
            # The runner holds the request until the job's shell is ready: open the tab now.
            self._pump_task = asyncio.create_task(self._await_shell(dialing))
        self._arm_idle()

    async def _await_shell(self, dialing: asyncio.Task[WebSocketClientConnection]) -> None:
        try:
            ws = await shellwait.with_progress(dialing, self._output)
            self._connected(ws)
        except CIError as e:
            await self.close(str(e).rstrip("."))
            return
        except Exception:
            log.exception("Terminal session %s failed", self.name)
            await self.close("the connection to the runner failed")
            return
        await self._fit()  # viewers sized while waiting: apply it before any typing
        await self.link.send_typeahead()
        await self._pump()

    def _connected(self, ws: Upstream) -> None:
        self.link.connect(ws)
        self.out.record(self.name, self.created, self.title)

    async def _pump(self) -> None:
        reason = await self.link.pump(self._output, self._runner_gone, agent=self.runner == "agent")
        await self.close(reason)

    async def _runner_gone(self) -> bool:
        # Only the local backend can tell: a GitLab runner's death looks like a job's end.
        probe = getattr(self.backend, "runner_gone", None)
        return probe is not None and bool(await probe())

    def _output(self, text: str) -> None:
        self.bytes_out += len(text)
        out = Output(text)  # escaped for JSON once, for the recording and every viewer
        self.out.output(out)
        self.fanout.push(out)

    def _tell_fixed_size(self) -> None:
        """Say once that the remote size cannot follow the viewers, as output (so a viewer
        restored later shows it too), then redraw the cursor's row below it: the shell's prompt
        is usually there, and the notice would leave the cursor on a blank line. Not over a
        full-screen program (it would be drawn into its screen); then at a later resize."""
        if self._told_fixed_size or self.out.screen.in_alternate:
            return
        self._told_fixed_size = True
        self._output(FIXED_SIZE_NOTICE + cursor_row(self.out.screen.term))

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

    def attach(
        self,
        send: Callable[[Message], Awaitable[None]],
        user: str,
        stdout: terminado.StdoutFormat = terminado.stdout_of,
    ) -> Viewer:
        """A new viewer sending through ``send``, its output as ``stdout`` builds it (JSON or
        binary, see ``protocol/terminado``): it gets ``setup``, then the current screen."""
        viewer = self.fanout.add(send, user, stdout)
        if self.ended is not None:
            self.fanout.end(viewer, self.ended)
        self._arm_idle()
        self.out.audit("attach", **self._audit_fields(viewer))
        return viewer

    def detach(self, viewer: Viewer, how: str) -> None:
        """Remove a viewer (its tab closed or reloaded); the session lives on."""
        if self.fanout.remove(viewer):
            if viewer.size is not None:  # the others may be larger: the pty grows back
                self._refit = asyncio.ensure_future(self._refit_quietly())
            self.out.audit("detach", how=how, **self._audit_fields(viewer))
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
        """Send keystrokes (and, from one viewer only, terminal replies) to the job's shell."""
        data = self.fanout.admit(viewer, data)
        if not data:
            return
        if self.ended is None and self.link.ws is not None:
            viewer.bytes_in += len(data)
        await self._input(data)

    async def _input(self, data: bytes) -> None:
        if self.ended is None and await self.link.input(data):
            self.bytes_in += len(data)
            self.out.input(data)

    async def resize(self, viewer: Viewer, rows: int, cols: int) -> None:
        """A viewer's size changed: the remote pty follows the smallest viewer."""
        was, viewer.size = viewer.size, (rows, cols)
        await self._fit(viewer, was)

    async def _refit_quietly(self) -> None:
        try:
            await self._fit()
        except Exception:  # the runner went away meanwhile: the pump reports the end
            log.debug("CI terminal %s: resize after a viewer left failed", self.name, exc_info=True)

    async def _fit(self, moved: Viewer | None = None, was: tuple[int, int] | None = None) -> None:
        """Size the remote pty to the smallest sized viewer, as terminado does (``moved``
        changed its size from ``was``)."""
        size, old = self.fanout.size(), self.out.screen.size
        # The first size is sent even when it is the model's 24x80: the local runner starts a
        # resizable terminal's shell once it learns a size (see runner/terminals/session_server).
        if size is None or (size == old and self._pty_sized):
            return
        if self.link.ws is None or self.ended is not None:
            return
        if not (self.link.resizable or self.cfg.stty_resize):
            # The job's pty keeps its size (gitlab-runner's terminal.gitlab.com), so the model
            # keeps it too: it must show what the job's shell draws, at the width it draws it.
            if size != old:
                self._tell_fixed_size()
            return
        self._pty_sized = True
        rows, cols = size
        if size != old:
            self.out.resize(rows, cols)
        if not await self.link.resize(rows, cols):
            if size == old:
                return
            await self._input(f"stty rows {rows} cols {cols}\r".encode())
        if size != old:  # the pty takes the size
            self.fanout.pty_resized(old, size, moved, was)

    async def close(self, reason: str) -> None:
        """End the session: close the runner connection and tell every viewer why."""
        if self.ended is not None:
            return
        self.ended = reason
        for task in (self._idle_task, self._hold_grace):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        self.link.close()
        if self._pump_task is not None and self._pump_task is not asyncio.current_task():
            self._pump_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump_task
        self.out.close()
        self.fanout.end_all(reason)
        self.closed.set()
        log.info("CI terminal %s closed: %s", self.name, reason)

    async def delivered(self, timeout: float) -> None:
        """Wait (at most ``timeout`` s) until the viewers of the close got the end message."""
        await self.fanout.delivered(timeout)
