"""Jobs as Python objects: state, actions, waiting, logs, and commands run in the job."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Literal

from ..errors import CIError, NoFrontEndError
from . import slots
from .attachment import Attachment
from .display import Progress, badge, duration, hold_text, shown_status, table_html, table_text
from .errors import CITimeoutError, JobStateError
from .jobterminal import JobTerminal
from .record import Record
from .shell import RunResult, run_in_session, strip_ansi

#: Statuses before a job runs, and after it ended; ``manual`` waits for someone to play it.
WAITING = ("created", "waiting_for_resource", "preparing", "pending", "scheduled")
FINISHED = ("success", "failed", "canceled", "skipped")
STATUSES = (*WAITING, "running", "canceling", "manual", *FINISHED)

_SECTION = re.compile(r"section_(?:start|end):\d+:[^\r\n]*\r(?:\x1b\[0K)?")
JOB_COLUMNS = ("id", "name", "stage", "status", "ref", "pipeline", "duration")


class Job(Record):
    """One CI job of a project."""

    @property
    def name(self) -> str:
        """The job name."""
        return str(self.data.get("name", ""))

    @property
    def stage(self) -> str:
        """The job's stage."""
        return str(self.data.get("stage", ""))

    @property
    def hold(self) -> bool:
        """True while a finished job is held open for debugging."""
        return bool(self.data.get("hold"))

    @property
    def hold_text(self) -> str:
        """``held for debugging, 28 min left`` while held (from ``hold_until``); else empty."""
        return hold_text(self.data)

    @property
    def pending_reason(self) -> str:
        """Why a waiting job waits (``waiting for needs: build``), as the runner says; else empty."""
        return str(self.data.get("pending_reason") or "")

    @property
    def shown_status(self) -> str:
        """The status the job looks like: a held job's is its script's (``failed``)."""
        return shown_status(self.data)

    @property
    def duration(self) -> float | None:
        """Seconds the job ran (so far), or None before it started."""
        value = self.data.get("duration")
        return float(value) if isinstance(value, int | float) else None

    @property
    def pipeline_id(self) -> int | None:
        """The id of the job's pipeline."""
        pipeline = self.data.get("pipeline")
        return int(pipeline["id"]) if isinstance(pipeline, dict) and "id" in pipeline else None

    @property
    def finished(self) -> bool:
        """True once the job ended (success, failed, canceled, skipped)."""
        return self.status in FINISHED

    @property
    def debuggable(self) -> bool:
        """True while the job's shell can be attached to."""
        return self.status == "running" or self.hold

    def refresh(self) -> Job:
        """Fetch the job's current state; returns the job itself."""
        self.data = self._client.job(self.project, self.id)
        return self

    def wait(
        self,
        until: Literal["running", "held", "finished"] = "running",
        timeout: float | None = None,
        *,
        interval: float = 1.0,
        progress: bool = True,
        free_slots: bool = False,
    ) -> Job:
        """Poll until the job runs (its shell can be attached to), is held, or has finished.

        Args:
            until: ``"running"``, ``"held"`` (its script ended and ``CI_DEBUG_HOLD`` keeps it
                open for debugging) or ``"finished"``.
            timeout: Seconds before giving up (None: no limit; interrupt the kernel to stop).
            interval: Seconds between polls.
            progress: Show the wait (a live line in notebooks, status changes on stderr elsewhere).
            free_slots: While the job waits for a runner slot, end debugging on the held jobs
                of other pipelines keeping the slots (they finish with their script's status)
                rather than wait for their holds to time out. Without it the wait names them.

        Raises:
            JobStateError: The job ended, or is a manual job, before reaching ``until``.
            CITimeoutError: ``timeout`` passed first.
        """
        reached = {
            "running": lambda: self.debuggable,
            "held": lambda: self.hold,
            "finished": lambda: self.finished,
        }
        if until not in reached:
            msg = f'until must be "running", "held" or "finished", not {until!r}.'
            raise ValueError(msg)
        shown = Progress(f"Job {self.id} {self.name}", until, enabled=progress)
        deadline = None if timeout is None else time.monotonic() + timeout
        freed: list[dict[str, object]] = []
        while True:
            self.refresh()
            # What the job looks like: a held job reads "failed, held for debugging, …".
            if reached[until]():
                shown.update(
                    self.shown_status, hold=self.hold_text or self._waiting_text(freed), done=True
                )
                return self
            if free_slots:
                held = slots.held_holders(self.data, other_pipelines=True)
                freed += self._end_holds([h for h in held if h not in freed])
            # A waiting job says why (the runner's pending_reason): "waiting for a free slot …",
            # and which held jobs keep the slots.
            shown.update(self.shown_status, hold=self.hold_text or self._waiting_text(freed))
            if self.status == "manual":
                msg = f"Job {self.id} ({self.name}) is a manual job: start it with job.play()."
                raise JobStateError(msg)
            if self.finished:
                msg = (
                    f"Job {self.id} ({self.name}) ended with status {self.status} and has no "
                    "shell any more; run it again with job.retry()."
                )
                raise JobStateError(msg)
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                why = self._waiting_text(freed)
                msg = f"Job {self.id} ({self.name}) is still {self.status} after {timeout:g} s"
                raise CITimeoutError(f"{msg}: {why}." if why else f"{msg}.")
            time.sleep(interval if deadline is None else max(0.0, min(interval, deadline - now)))

    def _waiting_text(self, freed: list[dict[str, object]]) -> str:
        return slots.waiting_text(self.data, freed)

    def _end_holds(self, holders: list[dict[str, object]]) -> list[dict[str, object]]:
        """End debugging on ``holders`` (slot holders' JSON); return those it ended."""
        ended = []
        for holder in holders:
            try:
                Job(self._client, self.project, dict(holder)).end_hold()
            except CIError:  # its hold ended meanwhile: its slot is free all the same
                continue
            ended.append(holder)
        return ended

    def log(self, tail: int | None = None, *, ansi: bool = False) -> str:
        """The job's log; ``tail`` keeps the last lines; ``ansi=True`` keeps the colours."""
        text = _SECTION.sub("", self._client.trace(self.project, self.id))
        text = text.replace("\r\n", "\n") if ansi else strip_ansi(text)
        if tail is not None:
            text = "\n".join(text.rstrip("\n").split("\n")[-tail:]) + "\n" if tail > 0 else ""
        return text

    def retry(self) -> Job:
        """Run the job again; returns the new job."""
        return Job(
            self._client, self.project, self._client.job_action(self.project, self.id, "retry")
        )

    def cancel(self) -> Job:
        """Cancel the job; returns the job itself, as it is once the cancel took effect."""
        return self._act("cancel", lambda: self.status not in ("running", *WAITING))

    def end_hold(self) -> Job:
        """End debugging: end the job's hold, so it finishes with its script's status (a failed
        script stays ``failed`` with its exit code; :meth:`cancel` would record ``canceled``).

        Returns the job itself, updated. Only the local runner holds jobs; GitLab answers that
        cancel is the only way to end one.
        """
        return self._act("end_hold", lambda: not self.hold)

    def play(self) -> Job:
        """Start a manual job; returns the job itself, updated."""
        return self._act("play", lambda: self.status != "manual")

    def _act(self, action: str, took_effect: Callable[[], bool], timeout: float = 10.0) -> Job:
        # A runner answers an action with the job as it was (a cancelled job still "running"):
        # poll briefly, so what the cell shows is the state after the action.
        self.data = self._client.job_action(self.project, self.id, action)
        deadline = time.monotonic() + timeout
        while not took_effect() and time.monotonic() < deadline:
            time.sleep(0.2)
            self.refresh()
        return self

    def attach(self, *, open_tab: bool = True) -> Attachment:
        """Open the job's terminal session; JupyterLab shows it as a tab (``open_tab``).

        The one request creates the session (or joins the live one); with ``open_tab`` the
        server's event names it, and JupyterLab opens that session rather than asking again.

        Raises:
            NoFrontEndError: ``open_tab`` and no JupyterLab with the extension is connected to
                the server (a kernel used from a console or another editor): nothing was opened,
                and the message says what to use instead.
        """
        try:
            session = self._client.open_terminal(self.project, self.id, open_tab=open_tab)
        except NoFrontEndError:
            raise NoFrontEndError(self._no_tab_text()) from None
        # A session opens on a running job only: a job known to run needs no second fetch.
        status = self.status if self.status == "running" else self.refresh().status
        return Attachment(
            project=self.project,
            job=self.id,
            name=str(session["name"]),
            title=str(session.get("title") or f"CI: {self.name} #{self.id}"),
            status=status,
            command=self._client.attach_command(self.project, self.id),
            lab_url=self._client.lab_url,
        )

    def _no_tab_text(self) -> str:
        client = self._client
        return (
            f"No JupyterLab with the CI terminal extension is connected to {client.where} to "
            f"show the terminal of job {self.id} ({self.name}), so none was opened: open "
            f"{client.lab_url} and attach again, keep its shell open in this kernel with "
            f"ci.job({self.id}, project={self.project!r}).terminal(), or attach from a shell "
            f"with `{client.attach_command(self.project, self.id)}`."
        )

    def run(self, command: str, timeout: float | None = 60.0) -> RunResult:
        """Run ``command`` in the job's shell and return its output and exit code.

        It is typed into the job's terminal session (whoever watches that terminal sees it) and
        runs in a subshell of the job's shell, with the job's environment and working directory;
        stdout and stderr come back together, as the terminal shows them, without colours. On
        timeout the command is interrupted (Ctrl-C) and :class:`CITimeoutError` raised.

        A command is a viewer of the job's terminal only while it runs: a held job that nobody
        views for ``CITerminalApp.hold_grace`` seconds (30) ends. To debug it from the notebook
        over a longer time, keep its terminal open with :meth:`terminal` (or its tab, :meth:`attach`).
        """
        return run_in_session(self._client, self._session(), command, job=self.id, timeout=timeout)

    def terminal(self) -> JobTerminal:
        """Open the job's terminal and keep it open until it is closed.

        While open it counts as a viewer of the job's terminal, as a browser tab does, so a job
        held for debugging stays held; ``CITerminalApp.hold_grace`` counts from when it closes
        (:meth:`JobTerminal.close`, the end of a ``with`` block, garbage collection, or the
        kernel's shutdown). ``term.run(command)`` runs commands as :meth:`run` does (without a
        Jupyter server, ``ci.connect_runner()``, the runner lets one connection at a time into a
        job's shell: run them through ``term`` while it is open).
        """
        return JobTerminal(
            self._client.terminal(self._session()), job=self.id, title=f"{self.name} #{self.id}"
        )

    def _session(self) -> str:
        """The name of the job's terminal session (created when there is none)."""
        return str(self._client.open_terminal(self.project, self.id, open_tab=False)["name"])

    def row(self) -> tuple[object, ...]:
        """The job's cells in a jobs table (see ``JOB_COLUMNS``)."""
        status = f"{self.shown_status}, {self.hold_text}" if self.hold else self.status
        return (
            self.id, self.name, self.stage, status, self.ref, self.pipeline_id,
            duration(self.duration),
        )  # fmt: skip

    def __repr__(self) -> str:
        held = f", {self.hold_text}" if self.hold else ""
        return (
            f"<Job {self.id} {self.name!r}: {self.status}{held} "
            f"(stage {self.stage}, pipeline {self.pipeline_id}, project {self.project!r})>"
        )

    def _repr_html_(self) -> str:
        return JobList([self])._repr_html_()


class JobList(list[Job]):
    """Jobs, shown as a table."""

    def __repr__(self) -> str:
        if not self:
            return "No jobs."
        return table_text(JOB_COLUMNS, [job.row() for job in self])

    def _repr_html_(self) -> str:
        if not self:
            return "<i>No jobs.</i>"
        rows = [
            (*job.row()[:3], badge(job.shown_status, job.hold_text), *job.row()[4:]) for job in self
        ]
        return table_html(JOB_COLUMNS, rows, raw=3)
