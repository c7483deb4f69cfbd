"""Creating a pipeline: plan ``.gitlab-ci.yml``, store the pipeline and its jobs, auto-cancel.

Reading and planning the configuration happen in a bounded child process (see :mod:`.planner`),
so a hostile file never stalls the API or the terminals. A configuration that is refused is
recorded as a failed pipeline with its ``yaml_errors``, as GitLab does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...errors import ConfigError
from ..api.store import Store
from ..pipeline.variables import git_info, pipeline_variables
from . import autocancel
from .deployments import resolved_rows
from .jobs import Settings
from .planner import Planner, Request
from .state import jobs_of


@dataclass(frozen=True)
class Created:
    """A stored pipeline and the warnings its configuration gave."""

    pipeline_id: int
    warnings: list[str] = field(default_factory=list)


class Creator:
    """Plans and stores the pipelines of one project folder."""

    def __init__(
        self, settings: Settings, store: Store, planner: Planner, log: logging.Logger
    ) -> None:
        self.settings, self.store, self.planner, self.log = settings, store, planner, log

    async def warm_up(self) -> None:
        """Prepare the planning process ahead of the first pipeline."""
        try:
            await asyncio.to_thread(self.planner.warm_up)
        except OSError as e:  # planning still works, it only starts slower
            self.log.warning("Could not prepare the planning process: %s", e)

    async def create(
        self, ref: str | None, api_variables: dict[str, str], *, source: str, max_jobs: int
    ) -> Created:
        """Plan and store a pipeline with its ``created`` jobs.

        A bad configuration raises :class:`ConfigError` after it is recorded.
        """
        settings = self.settings
        git = await asyncio.to_thread(git_info, settings.project)
        ref = ref or git.branch or "main"
        request = Request(
            project=settings.project,
            git=git,
            ref=ref,
            source=source,
            project_id=settings.project_id,
            server_url=settings.server_url,
            api_variables=api_variables,
            skip=(settings.state_dir, settings.builds_dir),
            max_jobs=max_jobs,
        )
        outcome = await asyncio.to_thread(self.planner.run, request)
        if outcome.plan is None:
            error = outcome.error or "The CI configuration could not be processed."
            self.store.create_pipeline(
                status="failed", ref=ref, sha=git.sha, source=source, yaml_errors=error
            )
            self.log.warning("Pipeline not created: %s", error)
            raise ConfigError(error)
        plan = outcome.plan
        pipeline_id = self.store.create_pipeline(
            status="created",
            ref=ref,
            sha=git.sha,
            source=source,
            warnings=plan.warnings,
            variables=plan.variables,
            auto_cancel=plan.auto_cancel,
        )
        predefined = pipeline_variables(
            project=settings.project,
            project_id=settings.project_id,
            pipeline_id=pipeline_id,
            ref=ref,
            sha=git.sha,
            source=source,
            server_url=settings.server_url,
            default_branch=git.branch or "main",
            title=git.title,
        )
        for row in resolved_rows(plan.jobs, plan.variables, predefined):
            self.store.create_job(pipeline_id=pipeline_id, status="created", **row)
        return Created(pipeline_id, plan.warnings)


def cancel_redundant(store: Store, pipeline_id: int, cancel: Callable[[int, str], Any]) -> None:
    """Auto-cancel, with ``cancel(job_id, reason)``, what older pipelines of the same ref let a
    new one cancel."""
    new = store.pipeline(pipeline_id)
    assert new is not None
    reason = f"Job canceled: pipeline #{pipeline_id} of {new['ref']} replaces it"
    for old in store.pipelines(autocancel.CANCELABLE, ref=new["ref"]):
        doomed = autocancel.redundant(new, old, jobs_of(store.jobs(old["id"])))
        # Latest first, so that cancelling one never starts another (``when: always``).
        for job_id in sorted(doomed, reverse=True):
            cancel(job_id, reason)
