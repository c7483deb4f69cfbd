"""Run one job end to end, the way gitlab-runner's ``Build.Run`` does.

Prepare the build directory, restore the artifacts of the jobs it depends on, run
``before_script`` + ``script``, then ``after_script`` (its own timeout, ``CI_JOB_STATUS`` set),
upload artifacts, and before reporting the result keep the job ``running`` while a terminal is
attached (retention) or while a ``CI_DEBUG_HOLD`` lasts.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..._version import __version__
from ...masking import masked_values
from ..api.store import Store
from ..pipeline.precedence import for_job
from ..pipeline.variables import GitInfo, git_info, job_variables, pipeline_variables
from ..terminals import retention
from ..terminals.session import SessionRegistry, TerminalSession
from . import cache, reports, transfer
from .deployments import environment_variables
from .executor import Stop, job_environment, prepare_build_dir, run_script, write_script
from .trace import BOLD_GREEN, Trace, format_duration

#: Masked in every job log: GitLab masks the job token, and docs/agent.md has users mask the
#: agent's token on GitLab.
ALWAYS_MASKED = ("CI_JOB_TOKEN", "JUPYTER_CI_TERMINAL_TOKEN")


@dataclass(frozen=True)
class Settings:
    """What every job needs to know about the runner."""

    project: Path
    project_id: int
    state_dir: Path
    builds_dir: Path
    server_url: str
    session_timeout: float
    default_job_timeout: float
    after_script_timeout: float
    kill_grace: float
    output_limit: int
    #: Variables whose values the job log shows as ``[MASKED]``, besides ``ALWAYS_MASKED``.
    masked_variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Result:
    """A finished job's verdict."""

    status: str
    failure_reason: str | None = None
    exit_code: int | None = None
    allow_failure: bool = False


def build_dir_of(settings: Settings, job_id: int) -> Path:
    """Return a job's build directory (its last component is the project's name, as in GitLab)."""
    return settings.builds_dir / str(job_id) / settings.project.name


def _variables(
    settings: Settings,
    job: dict[str, Any],
    pipeline: dict[str, Any],
    build_dir: Path,
    git: GitInfo,
    dotenv: dict[str, str],
) -> dict[str, str]:
    shared = pipeline_variables(
        project=settings.project,
        project_id=settings.project_id,
        pipeline_id=pipeline["id"],
        ref=pipeline["ref"],
        sha=pipeline["sha"],
        source=pipeline["source"],
        server_url=settings.server_url,
        default_branch=git.branch or "main",
        title=git.title,
        git_info=git,
    )
    predefined = {
        **shared,
        **job_variables(
            job_id=job["id"],
            name=job["name"],
            stage=job["stage"],
            build_dir=build_dir,
            builds_dir=settings.builds_dir,
            project_url=shared["CI_PROJECT_URL"],
        ),
        "CI_JOB_STARTED_AT": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "CI_JOB_TIMEOUT": str(int(float(job["spec"]["timeout"] or settings.default_job_timeout))),
        **environment_variables(job["spec"].get("environment")),
    }
    # GitLab's precedence and expansion (dotenv above job variables, below pipeline ones).
    return for_job(predefined, pipeline, job["spec"], dotenv)


class JobRun:
    """The execution of one job."""

    def __init__(
        self,
        job: dict[str, Any],
        pipeline: dict[str, Any],
        settings: Settings,
        store: Store,
        registry: SessionRegistry,
        stop: Stop,
        log: logging.Logger,
        warnings: list[str],
    ) -> None:
        self.job, self.pipeline, self.settings = job, pipeline, settings
        self.store, self.registry, self.stop, self.log = store, registry, stop, log
        self.warnings = warnings
        self.trace = Trace(lambda data: store.append_trace(job["id"], data), settings.output_limit)
        self.spec = job["spec"]
        self.timeout = float(self.spec["timeout"] or settings.default_job_timeout)
        self.deadline = time.monotonic() + self.timeout

    async def run(self) -> Result:
        """Run the job and return its verdict; the terminal session lives exactly this long."""
        session = self.registry.create(self.job["id"])
        try:
            result = await self._run(session)
        except Exception as e:
            self.log.exception("Job %s crashed", self.job["id"])
            self.trace.error(f"Job failed (system failure): {e}")
            result = Result("failed", "runner_system_failure")
        finally:
            self.registry.remove(session, "job finished")
        self._verdict(result)
        self.trace.close()
        return result

    async def _run(self, session: TerminalSession) -> Result:
        t = self.trace
        deps = transfer.incoming(self.job, self.store)
        erased = transfer.erased(deps, self.settings.state_dir)
        if erased:
            # GitLab drops such a job before a runner picks it, so nothing else is logged.
            t.error(f"Job failed: {transfer.missing_message(erased)}")
            t.line(f"Please refer to {transfer.DOCS}")
            return Result("failed", "missing_dependency_failure")
        t.line(f"Running with jupyter_ci_terminal local runner {__version__}")
        t.line(f"  on {socket.gethostname()} (shell executor)")
        for warning in self.warnings:
            t.warning(warning)
        t.section_start("prepare_executor", 'Preparing the "shell" executor')
        t.line("Using Shell (bash) executor...")
        t.section_end("prepare_executor")
        t.section_start("prepare_script", "Preparing environment")
        t.line(f"Running on {socket.gethostname()}...")
        t.section_end("prepare_script")
        t.section_start("get_sources", "Getting source from the project folder")
        build_dir = build_dir_of(self.settings, self.job["id"])
        skip = [self.settings.state_dir, self.settings.builds_dir]
        await prepare_build_dir(self.settings.project, build_dir, skip, t)
        t.section_end("get_sources")
        git = await asyncio.to_thread(git_info, self.settings.project)
        dotenv = reports.received_variables(
            transfer.received(self.job, self.store), self.settings.state_dir
        )
        variables = _variables(self.settings, self.job, self.pipeline, build_dir, git, dotenv)
        # gitlab-runner's CI_JOB_STATUS: "running" until after_script, which gets the result.
        env = {
            **job_environment(variables),
            "CI_JOB_STATUS": "running",
            "CI_JOB_TOKEN": session.job_token,
        }
        secrets, unmasked = masked_values(env, (*ALWAYS_MASKED, *self.settings.masked_variables))
        t.mask(secrets)
        for warning in unmasked:
            t.warning(warning)
        try:
            caches = await asyncio.to_thread(cache.resolve, self.spec, env, build_dir)
        except cache.CacheError as e:
            t.error(f"Job failed (system failure): {e}")
            return Result("failed", "runner_system_failure")
        await cache.restore(caches, env, self.settings.state_dir, build_dir, t)
        await transfer.download(deps, self.settings.state_dir, build_dir, t)
        session.set_terminal(build_dir, env)
        scripts = build_dir.parent / f"{build_dir.name}.tmp"

        t.section_start("step_script", 'Executing "step_script" stage of the job script')
        script = write_script(
            scripts / "step_script", self.spec["before_script"] + self.spec["script"]
        )
        outcome = await run_script(
            script,
            cwd=build_dir,
            env=env,
            trace=t,
            timeout=self._left(),
            stop=self.stop,
            kill_grace=self.settings.kill_grace,
            on_start=self._record_pid,
        )
        t.section_end("step_script")
        result = self._result(outcome.exit_code, outcome.stopped)

        if self.spec["after_script"] and self.stop.status != "shutdown":
            await self._after_script(scripts, build_dir, env, result.status)
        if result.status != "canceled":
            success = result.status == "success"
            await cache.save(caches, success, self.settings.state_dir, build_dir, t)
        refused = await transfer.upload(
            self.job, result.status, env, self.settings.state_dir, build_dir, self.store, t
        )
        if refused is not None and result.status == "success":
            result = Result("failed", "script_failure", 1)

        mode = variables.get("CI_DEBUG_HOLD", "")
        limit = min(self.settings.session_timeout, self._left())
        if self.stop.reason is None and (
            mode == "always" or (mode == "on_failure" and result.status == "failed")
        ):
            self.store.update_job(self.job["id"], hold=True)
            await retention.hold(session, t, self.stop, limit, mode, result.status)
            self.store.update_job(self.job["id"], hold=False)
        elif session.connected and self.stop.reason is None:
            await retention.retain(session, t, self.stop, limit, result.status)
        if self.stop.reason is not None and result.status != "canceled":
            t.warning(self.stop.reason)
            result = Result("canceled")
        return result

    def _record_pid(self, pid: int) -> None:
        # Kept so that the next runner can kill what a crash left behind.
        self.store.update_job(self.job["id"], pid=pid)

    def _left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def _result(self, exit_code: int | None, stopped: str | None) -> Result:
        if stopped == "timeout":
            return Result("failed", "job_execution_timeout")
        if stopped is not None:
            self.trace.warning(stopped)
            return Result("canceled")
        if exit_code == 0:
            return Result("success")
        allowed = exit_code in self.spec["allow_failure_exit_codes"]
        return Result("failed", "script_failure", exit_code, allowed)

    async def _after_script(
        self, scripts: Path, build_dir: Path, env: dict[str, str], status: str
    ) -> None:
        t = self.trace
        t.section_start("after_script", "Running after_script")
        t.line("Running after script...")
        script = write_script(scripts / "after_script", self.spec["after_script"])
        after_stop = Stop()
        # Only a runner shutdown interrupts after_script; a user's cancel has already happened.
        forward = asyncio.create_task(self._forward_shutdown(after_stop))
        try:
            outcome = await run_script(
                script,
                cwd=build_dir,
                env={**env, "CI_JOB_STATUS": status},
                trace=t,
                timeout=self.settings.after_script_timeout,
                stop=after_stop,
                kill_grace=self.settings.kill_grace,
                on_start=self._record_pid,
            )
        finally:
            forward.cancel()
        if outcome.stopped == "timeout":
            limit = format_duration(self.settings.after_script_timeout)
            t.warning(
                f"after_script failed, but job will continue unaffected: execution took longer than {limit}"
            )
        elif outcome.exit_code:
            t.warning(
                f"after_script failed, but job will continue unaffected: exit code {outcome.exit_code}"
            )
        t.section_end("after_script")

    async def _forward_shutdown(self, target: Stop) -> None:
        while True:
            await self.stop.event.wait()
            if self.stop.status == "shutdown":
                target.set(self.stop.reason or "shutdown", "shutdown")
                return
            await asyncio.sleep(0.2)

    def _verdict(self, result: Result) -> None:
        if result.status == "success":
            self.trace.line("Job succeeded", BOLD_GREEN)
        elif result.status == "canceled":
            self.trace.error("Job failed: canceled")
        elif result.failure_reason == "job_execution_timeout":
            self.trace.error(
                f"Job failed: execution took longer than {format_duration(self.timeout)} seconds"
            )
        elif result.failure_reason == "script_failure":
            self.trace.error(f"Job failed: exit code {result.exit_code}")
