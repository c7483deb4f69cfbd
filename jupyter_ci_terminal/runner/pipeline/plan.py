"""Turn the project's ``.gitlab-ci.yml`` into the rows of a new pipeline (no I/O but reading it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from . import config
from .changes import ChangedFiles
from .rules import decide, workflow_variables
from .variables import GitInfo, pipeline_variables


@dataclass
class Plan:
    """A pipeline about to be created: its variable layers, warnings and job rows."""

    variables: dict[str, dict[str, str]]
    warnings: list[str]
    jobs: list[dict[str, Any]] = field(default_factory=list)
    auto_cancel: dict[str, str] = field(default_factory=dict)


def plan_pipeline(
    project: Path,
    *,
    git: GitInfo,
    ref: str,
    source: str,
    project_id: int,
    server_url: str,
    api_variables: dict[str, str],
    skip: tuple[Path, ...] = (),
) -> Plan:
    """Load the config and decide which jobs the pipeline gets; problems raise ConfigError.

    ``skip`` are folders of the project that ``rules:changes`` ignores (the runner's state).
    """
    spec = config.load(project)
    changed = ChangedFiles(project, repo=git.is_repo, push=source == "push", skip=skip)
    base = pipeline_variables(
        project=project,
        project_id=project_id,
        pipeline_id=0,
        ref=ref,
        sha=git.sha,
        source=source,
        server_url=server_url,
        default_branch=git.branch or "main",
        title=git.title,
    )
    scope = {**base, **spec.variables, **api_variables}
    workflow = workflow_variables(spec.workflow_rules, scope, project, changed)
    scope.update(workflow)
    plan = Plan({"yaml": spec.variables, "workflow": workflow, "api": api_variables}, spec.warnings)
    plan.auto_cancel = spec.auto_cancel
    for job in spec.jobs.values():
        decision = decide(job, scope, project, ref, source, changed)
        if decision is None:
            continue
        data = job.to_json()
        data.update(
            when=decision.when,
            start_in=decision.start_in,
            variables={**job.variables, **decision.variables},
            allow_failure_exit_codes=decision.allow_failure_exit_codes,
        )
        plan.jobs.append(
            {
                "name": job.name,
                "stage": job.stage,
                "stage_idx": spec.stages.index(job.stage),
                "allow_failure": decision.allow_failure,
                "spec": data,
            }
        )
    if not plan.jobs:
        msg = "No stages / jobs for this pipeline."
        raise ConfigError(msg)
    return plan
