"""Pipelines: create them from ``.gitlab-ci.yml``, move jobs along stages and ``needs``, and act on
cancel / retry / play; mark what a crash interrupted and cancel cleanly on shutdown.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from traitlets import Float, Int, Unicode
from traitlets.config import LoggingConfigurable

from ...errors import ConfigError, ForbiddenError, NotFoundError
from ..api.store import ACTIVE, FINISHED, Store
from ..pipeline.plan import plan_pipeline
from ..pipeline.variables import git_info
from ..terminals.session import SessionRegistry
from .executor import Stop
from .jobs import JobRun, Result, Settings
from .recovery import recover_store
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
        )
        self._slots = asyncio.Semaphore(self.concurrent)
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._stops: dict[int, Stop] = {}
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._warnings: dict[int, list[str]] = {}

    # -- creation ----------------------------------------------------------------------------

    def create_pipeline(
        self, ref: str | None = None, api_variables: dict[str, str] | None = None
    ) -> int:
        """Create a pipeline and start it; a bad config raises :class:`ConfigError` after recording it."""
        git = git_info(self.project)
        ref = ref or git.branch or "main"
        source = self.pipeline_source
        try:
            plan = plan_pipeline(
                self.project,
                git=git,
                ref=ref,
                source=source,
                project_id=self.settings.project_id,
                server_url=self.settings.server_url,
                api_variables=api_variables or {},
                skip=(self.settings.state_dir, self.settings.builds_dir),
            )
        except ConfigError as e:
            self.store.create_pipeline(
                status="failed", ref=ref, sha=git.sha, source=source, yaml_errors=str(e)
            )
            self.log.warning("Pipeline not created: %s", e)
            raise
        pipeline_id = self.store.create_pipeline(
            status="created",
            ref=ref,
            sha=git.sha,
            source=source,
            warnings=plan.warnings,
            variables=plan.variables,
        )
        self._warnings[pipeline_id] = plan.warnings
        for row in plan.jobs:
            self.store.create_job(pipeline_id=pipeline_id, status="created", **row)
        self.advance(pipeline_id)
        return pipeline_id

    # -- progress ----------------------------------------------------------------------------

    def advance(self, pipeline_id: int) -> None:
        """Move every ``created`` job whose dependencies settled, then update the pipeline status."""
        changed = True
        while changed:
            changed = False
            jobs = self.store.jobs(pipeline_id)
            for job in sorted(jobs, key=lambda j: j["id"]):
                if job["status"] != "created":
                    continue
                status = next_status(job, jobs)
                if status is None:
                    continue
                changed = True
                if status == "pending":
                    self._start(job["id"])
                elif status == "scheduled":
                    self.store.update_job(job["id"], status="scheduled")
                    delay = float(job["spec"]["start_in"] or 0)
                    loop = asyncio.get_running_loop()
                    self._timers[job["id"]] = loop.call_later(delay, self._start, job["id"])
                else:
                    self.store.update_job(job["id"], status=status)
                break
        self._refresh(pipeline_id)

    def _refresh(self, pipeline_id: int) -> None:
        pipeline = self.store.pipeline(pipeline_id)
        if pipeline is None or pipeline["yaml_errors"]:
            return
        jobs = self.store.jobs(pipeline_id)
        status = pipeline_status(jobs)
        fields: dict[str, Any] = {"status": status}
        if pipeline["started_at"] is None and status not in (
            "created",
            "pending",
            "manual",
            "scheduled",
            "skipped",
        ):
            fields["started_at"] = min(
                (j["started_at"] for j in jobs if j["started_at"]), default=time.time()
            )
        fields["finished_at"] = time.time() if status in FINISHED else None
        if (
            status != pipeline["status"]
            or fields.get("started_at")
            or (fields["finished_at"] is None) != (pipeline["finished_at"] is None)
        ):
            self.store.update_pipeline(pipeline_id, **fields)

    def _start(self, job_id: int) -> None:
        self._timers.pop(job_id, None)
        job = self.store.job(job_id)
        if job is None or job["status"] not in ("created", "scheduled", "manual"):
            return
        self.store.update_job(job_id, status="pending", queued_at=time.time())
        self._stops[job_id] = Stop()
        self._tasks[job_id] = asyncio.create_task(self._run(job_id), name=f"job-{job_id}")
        self._refresh(job["pipeline_id"])

    async def _run(self, job_id: int) -> None:
        stop = self._stops[job_id]
        try:
            async with self._slots:
                job = self.store.job(job_id)
                assert job is not None
                if stop.reason is not None:
                    self._finish(job, Result("canceled"))
                    return
                pipeline = self.store.pipeline(job["pipeline_id"])
                assert pipeline is not None
                self.store.update_job(job_id, status="running", started_at=time.time())
                self._refresh(job["pipeline_id"])
                warnings = self._warnings.get(pipeline["id"], pipeline["warnings"])
                run = JobRun(
                    job,
                    pipeline,
                    self.settings,
                    self.store,
                    self.registry,
                    stop,
                    self.log,
                    warnings,
                )
                result = await run.run()
                self._finish(job, result)
        finally:
            self._tasks.pop(job_id, None)
            self._stops.pop(job_id, None)

    def _finish(self, job: dict[str, Any], result: Result) -> None:
        fields: dict[str, Any] = {
            "status": result.status,
            "finished_at": time.time(),
            "failure_reason": result.failure_reason,
            "hold": False,
        }
        if result.allow_failure:
            fields["allow_failure"] = True
        self.store.update_job(job["id"], **fields)
        if (
            result.status == "failed"
            and not result.allow_failure
            and should_retry(job, result.failure_reason, result.exit_code)
        ):
            self._retry_job(job)
        self.advance(job["pipeline_id"])

    def _retry_job(self, job: dict[str, Any]) -> int:
        self.store.update_job(job["id"], retried=True)
        new_id = self.store.create_job(
            pipeline_id=job["pipeline_id"],
            name=job["name"],
            stage=job["stage"],
            stage_idx=job["stage_idx"],
            status="created",
            allow_failure=job["allow_failure"],
            spec=job["spec"],
            attempt=job["attempt"] + 1,
        )
        # Later jobs that were skipped because of this one get another chance, as in GitLab.
        for other in self.store.jobs(job["pipeline_id"]):
            if (
                other["status"] == "skipped"
                and other["stage_idx"] >= job["stage_idx"]
                and other["id"] != new_id
            ):
                self.store.update_job(other["id"], status="created")
        return new_id

    # -- user actions ------------------------------------------------------------------------

    def _job(self, job_id: int) -> dict[str, Any]:
        job = self.store.job(job_id)
        if job is None:
            msg = "404 Job Not Found"
            raise NotFoundError(msg)
        return job

    def cancel_job(self, job_id: int, reason: str = "Job canceled by user") -> dict[str, Any]:
        """Cancel a job that has not finished (running ones are stopped with their process tree)."""
        job = self._job(job_id)
        if job["status"] in ("pending", "running") and job_id in self._stops:
            self._stops[job_id].set(reason)
        elif job["status"] in ACTIVE or job["status"] == "manual":
            timer = self._timers.pop(job_id, None)
            if timer is not None:
                timer.cancel()
            self.store.update_job(job_id, status="canceled", finished_at=time.time())
            self.store.append_trace(job_id, f"{reason}\n".encode())
            self.advance(job["pipeline_id"])
        return self._job(job_id)

    def retry_job(self, job_id: int) -> dict[str, Any]:
        """Retry a finished job as a new job of the same pipeline."""
        job = self._job(job_id)
        if job["status"] not in ("success", "failed", "canceled") or job["retried"]:
            msg = "403 Forbidden  - Job is not retryable"
            raise ForbiddenError(msg)
        new_id = self._retry_job(job)
        self.advance(job["pipeline_id"])
        return self._job(new_id)

    def play_job(self, job_id: int) -> dict[str, Any]:
        """Start a manual job (or a scheduled one now)."""
        job = self._job(job_id)
        if job["status"] not in ("manual", "scheduled"):
            msg = "403 Forbidden  - Unplayable Job"
            raise ForbiddenError(msg)
        timer = self._timers.pop(job_id, None)
        if timer is not None:
            timer.cancel()
        self._start(job_id)
        return self._job(job_id)

    def cancel_pipeline(self, pipeline_id: int) -> None:
        """Cancel every unfinished job of a pipeline."""
        for job in self.store.jobs(pipeline_id):
            if job["status"] in ACTIVE or job["status"] == "manual":
                self.cancel_job(job["id"], "Pipeline canceled by user")

    def retry_pipeline(self, pipeline_id: int) -> None:
        """Retry the failed and cancelled jobs of a pipeline."""
        for job in self.store.jobs(pipeline_id):
            if job["status"] in ("failed", "canceled"):
                self._retry_job(job)
        self.advance(pipeline_id)

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
        for timer in self._timers.values():
            timer.cancel()
        for stop in list(self._stops.values()):
            stop.set(reason, "shutdown")
        for job in self.store.jobs():
            if job["status"] in ("created", "scheduled"):
                self.store.update_job(job["id"], status="canceled", finished_at=time.time())
                self.store.append_trace(job["id"], f"{reason}\n".encode())
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.wait(tasks, timeout=self.kill_grace + 10)
        for pipeline in self.store.pipelines():
            if pipeline["status"] not in FINISHED:
                self._refresh(pipeline["id"])
