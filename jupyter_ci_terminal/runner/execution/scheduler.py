"""Pipelines: start them (created by :mod:`.creation`), move jobs along stages and ``needs``, run
them in ``concurrent`` slots; mark what a crash interrupted and cancel cleanly on shutdown.
Cancel, retry and play are in :mod:`.actions`; why a job waits, in :mod:`.explain`.

A job moves ``created`` → (``waiting_for_resource`` while its ``resource_group`` is busy) →
``pending`` (waiting for one of ``concurrent`` slots) → ``running`` → a finished status.
"""

from __future__ import annotations

import asyncio
import functools
import time
from pathlib import Path
from typing import Any

from traitlets import Bool, Enum, Float, Int, List, Unicode
from traitlets.config import LoggingConfigurable

from ...errors import NotFoundError
from ..api.store import FINISHED, Store
from ..terminals.session import SessionRegistry
from . import actions, autocancel, bridges
from .creation import Creator, cancel_redundant
from .executor import Stop
from .explain import QueueExplainer
from .jobs import JobRun, Result, Settings
from .planner import Planner
from .queue import Slots
from .recovery import recover_store
from .resources import PROCESS_MODES, ResourceGroups
from .state import Job, jobs_of
from .status import next_status, pipeline_status, should_retry


class Scheduler(LoggingConfigurable):
    """Runs the pipelines of one project folder with the shell executor."""

    concurrent = Int(4, help="How many jobs run at the same time (jobs), default 4.").tag(
        config=True
    )
    default_job_timeout = Float(
        3600.0, help="Timeout of jobs that set no timeout: (s), default 3600 as in GitLab."
    ).tag(config=True)
    after_script_timeout = Float(
        300.0, help="Timeout of after_script (s), default 300 as in GitLab."
    ).tag(config=True)
    kill_grace = Float(
        5.0, help="Time between SIGTERM and SIGKILL when a job is stopped (s), default 5."
    ).tag(config=True)
    output_limit = Int(
        4096, help="Largest trace kept per job (KiB), default 4096 as in gitlab-runner."
    ).tag(config=True)
    pipeline_source = Unicode(
        "push",
        help="CI_PIPELINE_SOURCE of pipelines this runner creates (push, web, api), default push.",
    ).tag(config=True)
    plan_timeout = Float(
        10.0,
        help="Longest time reading and planning .gitlab-ci.yml may take (s), default 10; a "
        "configuration that takes longer is refused. Hostile files are refused sooner, by the "
        "loader's limits (size, depth, aliases, includes, max_jobs).",
    ).tag(config=True)
    max_jobs = Int(
        2000,
        help="Most jobs one pipeline may have (GitLab's ci_pipeline_size limit), default 2000; "
        "0 for no limit.",
    ).tag(config=True)
    resource_group_process_mode = Enum(
        list(PROCESS_MODES),
        "unordered",
        help="Which waiting job a freed resource group goes to, for every group: unordered "
        "(GitLab's default; here, the longest waiting), oldest_first or newest_first (pipeline).",
    ).tag(config=True)
    auto_cancel_redundant = Bool(
        True,
        help="Cancel older pipelines of a ref when a new one starts, per workflow:auto_cancel "
        "(GitLab's 'Auto-cancel redundant pipelines' setting), default on.",
    ).tag(config=True)

    masked_variables = List(
        Unicode(),
        default_value=[],
        help="Variables whose values job logs show as [MASKED], as GitLab does for masked CI/CD "
        "variables (names), default none; CI_JOB_TOKEN and JUPYTER_CI_TERMINAL_TOKEN always are. "
        "A value shorter than 8 characters or with whitespace is not masked (GitLab refuses to "
        "mask it) and the job log says so.",
    ).tag(config=True)

    def __init__(
        self,
        *,
        project: Path,
        store: Store,
        registry: SessionRegistry,
        state_dir: Path,
        server_url: str,
        session_timeout: float,
        project_id: int = 1,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.project, self.store, self.registry = project, store, registry
        self.settings = Settings(
            project=project,
            project_id=project_id,
            state_dir=state_dir,
            builds_dir=state_dir / "builds",
            server_url=server_url,
            session_timeout=session_timeout,
            default_job_timeout=self.default_job_timeout,
            after_script_timeout=self.after_script_timeout,
            kill_grace=self.kill_grace,
            output_limit=self.output_limit * 1024,
            masked_variables=tuple(self.masked_variables),
        )
        self._slots = Slots(self.concurrent)
        self._groups = ResourceGroups(self.resource_group_process_mode)
        self.explain = QueueExplainer(store, self._slots, self._groups)
        self.creator = Creator(self.settings, store, Planner(self.plan_timeout), self.log)
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._stops: dict[int, Stop] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._warnings: dict[int, list[str]] = {}
        self._stopping = False

    # -- creation (see :mod:`.creation`) ------------------------------------------------------

    async def warm_up(self) -> None:
        """Prepare the planning process ahead of the first pipeline."""
        await self.creator.warm_up()

    async def create_pipeline(
        self,
        ref: str | None = None,
        api_variables: dict[str, str] | None = None,
    ) -> int:
        """Create a pipeline and start it; a bad config raises :class:`ConfigError` after recording it."""
        created = await self.creator.create(
            ref, api_variables or {}, source=self.pipeline_source, max_jobs=self.max_jobs
        )
        pipeline_id = created.pipeline_id
        self._warnings[pipeline_id] = created.warnings
        if self.auto_cancel_redundant:
            cancel_redundant(self.store, pipeline_id, functools.partial(actions.cancel_job, self))
        self.advance(pipeline_id)
        return pipeline_id

    # -- progress ----------------------------------------------------------------------------

    def advance(self, pipeline_id: int) -> None:
        """Move every ``created`` job whose dependencies settled, then update the pipeline status.

        Each pass decides on one snapshot of the jobs; a job whose dependency moved in the same
        pass is seen by the next one (a snapshot can only make a job wait, never misjudge it).
        """
        changed = True
        while changed and not self._stopping:
            changed = False
            jobs = jobs_of(self.store.jobs(pipeline_id))
            for job in jobs:
                if job.status != "created":
                    continue
                status = next_status(job, jobs)
                if status is None or not self._still(job.id, "created"):
                    continue
                changed = True
                if status == "pending":
                    self.start(job.id)
                elif status == "scheduled":
                    delay = float(job.spec.start_in or 0)
                    self.store.update_job(
                        job.id, status="scheduled", scheduled_at=time.time() + delay
                    )
                    loop = asyncio.get_running_loop()
                    self._timers[job.id] = loop.call_later(delay, self.start, job.id)
                else:
                    self.store.update_job(job.id, status=status)
        self._refresh(pipeline_id)

    def _still(self, job_id: int, status: str) -> bool:
        # Starting a job can move others (a trigger job's child pipeline, say): check first.
        row = self.store.job(job_id)
        return row is not None and row["status"] == status

    def _refresh(self, pipeline_id: int) -> None:
        pipeline = self.store.pipeline(pipeline_id)
        if pipeline is None or pipeline["yaml_errors"]:
            return
        rows = self.store.jobs(pipeline_id)
        status = pipeline_status(jobs_of(rows))
        fields: dict[str, Any] = {"status": status}
        if pipeline["started_at"] is None and status not in (
            "created",
            "pending",
            "manual",
            "scheduled",
            "skipped",
            "waiting_for_resource",
        ):
            fields["started_at"] = min(
                (j["started_at"] for j in rows if j["started_at"]), default=time.time()
            )
        fields["finished_at"] = time.time() if status in FINISHED else None
        if (
            status != pipeline["status"]
            or fields.get("started_at")
            or (fields["finished_at"] is None) != (pipeline["finished_at"] is None)
        ):
            self.store.update_pipeline(pipeline_id, **fields)
            bridges.on_status(self, pipeline_id, status)  # trigger: a depend bridge follows

    def start(self, job_id: int) -> None:
        """Queue a job: take its resource group (or wait for it), then wait for a slot."""
        self._drop_timer(job_id)  # played before its delay ran out (no-op once it fired)
        row = self.store.job(job_id)
        if self._stopping or row is None:
            return
        job = Job.from_row(row)
        if job.status not in ("created", "scheduled", "manual", "waiting_for_resource"):
            return
        if job.spec.trigger:  # trigger: creates a child pipeline, runs no script
            bridges.start(self, row)
            return
        group = job.spec.resource_group
        if group and not self._groups.acquire(group, job_id, job.pipeline_id):
            if job.status != "waiting_for_resource":
                self.store.update_job(job_id, status="waiting_for_resource")
                self._refresh(job.pipeline_id)
            return
        self.store.update_job(job_id, status="pending", queued_at=time.time())
        self._stops[job_id] = Stop()
        self._tasks[job_id] = asyncio.create_task(self._run(job_id), name=f"job-{job_id}")
        self._refresh(job.pipeline_id)

    async def _run(self, job_id: int) -> None:
        stop = self._stops[job_id]
        try:
            row = self.store.job(job_id)
            assert row is not None
            if await self._take_slot(job_id, row["name"], stop):
                try:
                    await self._execute(job_id, stop)
                finally:
                    self._slots.release(job_id)
            else:
                self._finish(row, Result("canceled"))
        finally:
            self._tasks.pop(job_id, None)
            self._stops.pop(job_id, None)
            for granted in self._groups.release(job_id):
                self.start(granted)

    async def _take_slot(self, job_id: int, name: str, stop: Stop) -> bool:
        """Wait for a slot, or for the job to be stopped first (then return False)."""
        slot = asyncio.ensure_future(self._slots.acquire(job_id, name))
        stopped = asyncio.ensure_future(stop.event.wait())
        await asyncio.wait({slot, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if slot.done() and stop.reason is None:
            return True
        slot.cancel()
        await asyncio.gather(slot, return_exceptions=True)
        if slot.done() and not slot.cancelled() and self._slots.holds(job_id):
            self._slots.release(job_id)
        return False

    async def _execute(self, job_id: int, stop: Stop) -> None:
        job = self.store.job(job_id)
        assert job is not None
        pipeline = self.find_pipeline(job["pipeline_id"])
        self.store.update_job(job_id, status="running", started_at=time.time())
        self._refresh(job["pipeline_id"])
        warnings = self._warnings.get(pipeline["id"], pipeline["warnings"])
        run = JobRun(
            job, pipeline, self.settings, self.store, self.registry, stop, self.log, warnings
        )
        result = await run.run()
        self._finish(job, result)

    def _finish(self, row: dict[str, Any], result: Result) -> None:
        fields: dict[str, Any] = {
            "status": result.status,
            "finished_at": time.time(),
            "failure_reason": result.failure_reason,
            "hold": False,
        }
        if result.allow_failure:
            fields["allow_failure"] = True
        self.store.update_job(row["id"], **fields)
        job = Job.from_row(row)
        failed = result.status == "failed" and not (result.allow_failure or job.allow_failure)
        if failed and should_retry(job, result.failure_reason, result.exit_code):
            actions.new_attempt(self.store, job)
        elif failed and autocancel.cancels_on_failure(self.find_pipeline(job.pipeline_id)):
            actions.cancel_pipeline(
                self,
                job.pipeline_id,
                f"Job canceled: {job.label} failed (auto_cancel: on_job_failure)",
            )
        self.advance(job.pipeline_id)

    # -- for actions (see :mod:`.actions`) ----------------------------------------------------

    def stop(self, job_id: int, reason: str) -> bool:
        """Stop a job waiting for a slot or running (its run records why); False if it has no run."""
        stop = self._stops.get(job_id)
        if stop is None:
            return False
        stop.set(reason)
        return True

    def forget(self, job_id: int) -> None:
        """Drop a job that only waited (to start later, or for its resource group)."""
        self._drop_timer(job_id)
        self._groups.release(job_id)  # it was only waiting: nothing to hand on

    def _drop_timer(self, job_id: int) -> None:
        timer = self._timers.pop(job_id, None)
        if timer is not None:
            timer.cancel()

    def find_job(self, job_id: int) -> dict[str, Any]:
        """Return one job or raise :class:`NotFoundError`."""
        job = self.store.job(job_id)
        if job is None:
            msg = "404 Job Not Found"
            raise NotFoundError(msg)
        return job

    def find_pipeline(self, pipeline_id: int) -> dict[str, Any]:
        """Return one pipeline or raise :class:`NotFoundError`."""
        pipeline = self.store.pipeline(pipeline_id)
        if pipeline is None:
            msg = "404 Not found"
            raise NotFoundError(msg)
        return pipeline

    # -- lifecycle ---------------------------------------------------------------------------

    def recover(self) -> list[int]:
        """Fail the jobs a previous runner process left running (crash recovery)."""
        failed = recover_store(self.store)
        for pipeline in self.store.pipelines():
            if pipeline["status"] not in FINISHED:
                self._refresh(pipeline["id"])
        return failed

    async def shutdown(self, reason: str) -> None:
        """Cancel everything (status ``canceled``, ``reason`` in the trace) and wait for the jobs."""
        self._stopping = True
        self.creator.planner.close()
        for timer in self._timers.values():
            timer.cancel()
        for stop in list(self._stops.values()):
            stop.set(reason, "shutdown")
        for job in self.store.jobs():
            if job["status"] in ("created", "scheduled", "waiting_for_resource"):
                self.store.update_job(job["id"], status="canceled", finished_at=time.time())
                self.store.append_trace(job["id"], f"{reason}\n".encode())
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.wait(tasks, timeout=self.kill_grace + 10)
        for pipeline in self.store.pipelines():
            if pipeline["status"] not in FINISHED:
                self._refresh(pipeline["id"])
