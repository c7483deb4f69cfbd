"""Turn the project's ``.gitlab-ci.yml`` into the rows of a new pipeline (no I/O but reading it)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from . import config, needs, parallel
from .changes import ChangedFiles
from .deploy import auto_cancel_spec
from .exists import ProjectFiles
from .precedence import Sources, node_variables, scope
from .rules import Decision, decide, workflow_rule
from .spec import JobSpec
from .values import variables_map
from .variables import GitInfo, pipeline_variables


@dataclass
class Plan:
    """A pipeline about to be created: its variable layers, warnings and job rows.

    ``variables`` holds the layers :func:`.precedence.for_job` reads: ``yaml``, ``workflow``,
    ``api``, and ``raw`` (``{"yaml": [names declared expand: false]}``).
    """

    variables: dict[str, Any]
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
    root: dict[str, Any] | None = None,
    max_jobs: int = 0,
) -> Plan:
    """Load the config and decide which jobs the pipeline gets; problems raise ConfigError.

    ``skip`` are folders of the project that ``rules:changes`` ignores (the runner's state).
    """
    changed = ChangedFiles(project, repo=git.is_repo, push=source == "push", skip=skip)
    files = ProjectFiles(project, repo=git.is_repo, skip=skip)
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
        git_info=git,
        created_at=time.time(),
    )
    # What GitLab knows when it reads the file: include:rules:if and include paths see these.
    spec = config.load(project, variables={**base, **api_variables}, root=root, max_jobs=max_jobs)
    yaml_raw = sorted(getattr(spec.variables, "raw", ()))
    sources = Sources(base, yaml=spec.variables, api=api_variables, yaml_raw=frozenset(yaml_raw))
    rule = workflow_rule(spec.workflow_rules, scope(sources), project, changed, files)
    workflow = dict(variables_map(rule.get("variables"), "workflow:rules:rule:variables"))
    plan = Plan(
        {
            "yaml": dict(spec.variables),
            "workflow": workflow,
            "api": api_variables,
            "raw": {"yaml": yaml_raw},
        },
        spec.warnings,
    )
    plan.auto_cancel = spec.auto_cancel
    if "auto_cancel" in rule:
        # A matching workflow rule's auto_cancel overrides workflow:auto_cancel, key by key.
        given = rule["auto_cancel"] if isinstance(rule["auto_cancel"], dict) else None
        checked = auto_cancel_spec(rule["auto_cancel"])
        plan.auto_cancel = {**spec.auto_cancel, **{k: checked[k] for k in given or {}}}
    jobs = parallel.expand(spec.jobs)
    needs.check_cycles({name: [n["job"] for n in job.needs or []] for name, job in jobs.items()})
    for job in jobs.values():
        job_sources = replace(
            sources,
            predefined={**base, **node_variables(job.to_json())},
            workflow=workflow,
            job=job.variables,
            inherit=job.inherit_variables,
        )
        decision = decide(job, scope(job_sources), project, ref, source, changed, files)
        if decision is not None:
            plan.jobs.append(_row(job, decision, spec.stages))
    present = {row["name"] for row in plan.jobs}
    for row in plan.jobs:
        row["spec"]["needs"] = needs.settle(row["spec"]["needs"], row["name"], present)
    needs.check_cycles({r["name"]: [n["job"] for n in r["spec"]["needs"] or []] for r in plan.jobs})
    if not plan.jobs:
        msg = "No stages / jobs for this pipeline."
        raise ConfigError(msg)
    return plan


def _row(job: JobSpec, decision: Decision, stages: list[str]) -> dict[str, Any]:
    """The stored row of a job the rules let in: the matching rule's settings applied."""
    data = job.to_json()
    rule_vars = set(decision.variables)
    data.update(
        when=decision.when,
        start_in=decision.start_in,
        variables={**job.variables, **decision.variables},
        raw_variables=sorted(
            {v for v in job.raw_variables if v not in rule_vars} | set(decision.raw_variables)
        ),
        allow_failure_exit_codes=decision.allow_failure_exit_codes,
        needs=job.needs if decision.needs is None else decision.needs,
        interruptible=job.interruptible
        if decision.interruptible is None
        else bool(decision.interruptible),
    )
    return {
        "name": job.name,
        "stage": job.stage,
        "stage_idx": stages.index(job.stage),
        "allow_failure": decision.allow_failure,
        "spec": data,
    }
