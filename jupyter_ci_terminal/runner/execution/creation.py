"""Creating a pipeline: plan ``.gitlab-ci.yml`` (or a child's configuration), store the pipeline
and its jobs, auto-cancel.

Reading and planning the configuration happen in a bounded child process (see :mod:`.planner`),
so a hostile file never stalls the API or the terminals. A configuration that is refused is
recorded as a failed pipeline with its ``yaml_errors``, as GitLab does.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...errors import ConfigError
from ..api.store import Store
from ..pipeline.variables import GitInfo, git_info, pipeline_variables
from . import autocancel
from .deployments import resolved_rows
from .jobs import Settings
from .planner import Outcome, Planner, Request
from .state import jobs_of


@dataclass(frozen=True)
class Created:
    """A stored pipeline and the warnings its configuration gave, or why it was refused."""

    pipeline_id: int
    warnings: list[str] = field(default_factory=list)
    #: The configuration was refused: the pipeline is stored as failed with these ``yaml_errors``.
    error: str | None = None


class Creator:
    """Plans and stores the pipelines of one project folder, its child pipelines too."""

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
        git = await self.git()
        request = self.request(git, ref or git.branch or "main", source, api_variables, max_jobs)
        created = self.record(request, await self.plan(request))
        if created.error is not None:
            self.log.warning("Pipeline not created: %s", created.error)
            raise ConfigError(created.error)
        return created

    async def git(self) -> GitInfo:
        """The project folder's commit, branch and title."""
        return await asyncio.to_thread(git_info, self.settings.project)

    def request(
        self,
        git: GitInfo,
        ref: str,
        source: str,
        api_variables: dict[str, str],
        max_jobs: int = 0,
        root: dict[str, Any] | None = None,
    ) -> Request:
        """What planning a pipeline of this project needs (``root``: a child's configuration)."""
        settings = self.settings
        return Request(
            project=settings.project,
            git=git,
            ref=ref,
            source=source,
            project_id=settings.project_id,
            server_url=settings.server_url,
            api_variables=api_variables,
            skip=(settings.state_dir, settings.builds_dir),
            max_jobs=max_jobs,
            root=root,
        )

    async def plan(self, request: Request) -> Outcome:
        """Plan in the bounded planning process: every configuration file is untrusted."""
        return await asyncio.to_thread(self.planner.run, request)

    def record(self, request: Request, outcome: Outcome, **fields: Any) -> Created:
        """Store the pipeline planned for ``request`` (with ``fields``) and its ``created`` jobs.

        A refused configuration is stored as a failed pipeline with its ``yaml_errors``, as
        GitLab does.
        """
        common = {"ref": request.ref, "sha": request.git.sha, "source": request.source, **fields}
        if outcome.plan is None:
            error = outcome.error or "The CI configuration could not be processed."
            pipeline_id = self.store.create_pipeline(
                status="failed", yaml_errors=error, finished_at=time.time(), **common
            )
            return Created(pipeline_id, error=error)
        plan = outcome.plan
        pipeline_id = self.store.create_pipeline(
            status="created",
            warnings=plan.warnings,
            variables=plan.variables,
            auto_cancel=plan.auto_cancel,
            **common,
        )
        predefined = self.predefined(pipeline_id, request.ref, request.source, request.git)
        for row in resolved_rows(plan.jobs, plan.variables, predefined):
            self.store.create_job(pipeline_id=pipeline_id, status="created", **row)
        return Created(pipeline_id, plan.warnings)

    def predefined(self, pipeline_id: int, ref: str, source: str, git: GitInfo) -> dict[str, str]:
        """The predefined variables of a pipeline of this project (``CI_PIPELINE_ID``...)."""
        settings = self.settings
        return pipeline_variables(
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
