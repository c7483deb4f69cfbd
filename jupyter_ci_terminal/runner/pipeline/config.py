"""Load a project's ``.gitlab-ci.yml`` into a :class:`PipelineSpec`.

The steps are GitLab's (``Gitlab::Ci::Config#build_config``): safe YAML within GitLab's limits
(:mod:`.yamlfile`), ``spec:inputs`` interpolation (:mod:`.inputs`), ``include:`` of project files
(:mod:`.includes`), ``extends`` then ``!reference`` (:mod:`.merge`), then keyword checks with
GitLab's wording (:mod:`.spec`), the file and line added where the key is found, and warnings for
keywords the shell executor cannot honour. Loading only reads files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from . import includes, merge
from .deploy import auto_cancel_spec
from .keywords import NOT_LOCAL
from .spec import IGNORED, JobSpec, build_job
from .trigger import build_bridge, is_bridge
from .values import variables_map
from .yamlfile import MAX_YAML_SIZE_BYTES

CI_FILE = ".gitlab-ci.yml"
TOP_LEVEL = frozenset(
    {"stages", "variables", "default", "include", "workflow", "image", "services", "cache"}
    | {"before_script", "after_script", "spec"}
)


@dataclass
class PipelineSpec:
    """A checked pipeline configuration."""

    stages: list[str]
    variables: dict[str, str]
    jobs: dict[str, JobSpec]
    workflow_rules: list[dict[str, Any]] | None = None
    warnings: list[str] = field(default_factory=list)
    #: ``workflow:auto_cancel`` with its defaults filled in.
    auto_cancel: dict[str, str] = field(default_factory=dict)


def load(
    project: Path,
    variables: Mapping[str, str] | None = None,
    root: dict[str, Any] | None = None,
    max_jobs: int = 0,
) -> PipelineSpec:
    """Load and check ``project/.gitlab-ci.yml``; problems raise :class:`ConfigError`.

    ``variables`` are those GitLab knows when it reads the configuration (project and pipeline
    predefined variables): ``include:rules:if`` and ``$VAR`` in include paths use them.
    ``root`` stands in for the file in a child pipeline: its trigger's ``{include: [...]}``.
    ``max_jobs`` (0: none) refuses a file with more visible jobs before any job is built.
    """
    project = project.resolve()
    path = project / CI_FILE
    if root is None and not path.is_file():
        msg = f"{CI_FILE} not found in {project}"
        raise ConfigError(msg)
    if (
        root is None
        and path.stat().st_size <= MAX_YAML_SIZE_BYTES
        and not path.read_bytes().strip()
    ):
        msg = f"Please provide content of {CI_FILE}"
        raise ConfigError(msg)
    ctx = includes.Context(project, dict(variables or {}))
    raw = includes.read(ctx, CI_FILE) if root is None else includes.expand(dict(root), ctx)
    where = _Locator(ctx.files)
    try:
        raw = merge.extend(raw)
    except ConfigError as e:
        key = str(e).split(":", 1)[0]
        msg = f"{e}{where(key)}"
        raise ConfigError(msg) from e
    raw = merge.resolve_references(raw)
    if max_jobs:
        # Counted before the jobs are built, so a file of thousands of jobs is refused at once.
        visible = sum(1 for name in raw if name not in TOP_LEVEL and not name.startswith("."))
        if visible > max_jobs:
            raise ConfigError(too_many_jobs(max_jobs))
    return _check(raw, where)


#: Where GitLab's message for too many jobs points.
MANY_JOBS_DOC = "https://docs.gitlab.com/ci/debugging/#pipeline-with-many-jobs-fails-to-start"


def too_many_jobs(limit: int) -> str:
    """Return GitLab's message for a pipeline over the ``ci_pipeline_size`` limit."""
    return (
        f"The number of jobs has exceeded the limit of {limit}. Try splitting the configuration "
        f"with parent-child-pipelines {MANY_JOBS_DOC}"
    )


class _Locator:
    """`` (file line N)`` for a top-level key: the main file first, then includes in order."""

    def __init__(self, files: list[tuple[str, dict[str, int]]]) -> None:
        self.files = files  # in reading order: the main file comes first

    def __call__(self, key: str) -> str:
        for name, lines in self.files:
            if key in lines:
                return f" ({name} line {lines[key]})"
        return ""


def _check(raw: dict[str, Any], where: _Locator) -> PipelineSpec:
    warnings: list[str] = []
    stages = raw.get("stages") or ["build", "test", "deploy"]
    if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
        msg = "stages config should be an array of strings"
        raise ConfigError(msg)
    stages = [".pre", *[s for s in stages if s not in (".pre", ".post")], ".post"]
    default = merge.global_default(raw)
    # Said once here; jobs do not inherit these, so each job does not repeat the warning.
    warnings.extend(f"{key}: {IGNORED[key]}" for key in default if key in IGNORED)
    workflow = raw.get("workflow") or {}
    _check_workflow(workflow, warnings)
    jobs: dict[str, JobSpec] = {}
    for name, body in raw.items():
        if name in TOP_LEVEL or name.startswith("."):
            continue  # hidden keys may hold anything (templates, anchored lists)
        if not isinstance(body, dict):
            msg = f"jobs:{name} config should be a hash{where(name)}"
            raise ConfigError(msg)
        try:
            merge.check_inherit(name, body)
            inherited = merge.inherited_defaults(body, default)
            body = {k: v for k, v in body.items() if k != "extends"}
            body.update((k, v) for k, v in inherited.items() if k not in IGNORED)
            if is_bridge(body):
                job = build_bridge(name, body, warnings, raw)
            else:
                job = build_job(name, body, warnings)
        except ConfigError as e:
            msg = f"{e}{where(name)}"
            raise ConfigError(msg) from e
        if job.stage not in stages:
            msg = (
                f"jobs:{name} chosen stage {job.stage} does not exist; available stages are "
                f"{', '.join(stages)}{where(name)}"
            )
            raise ConfigError(msg)
        jobs[name] = job
    if not jobs:
        msg = "jobs config should contain at least one visible job"
        raise ConfigError(msg)
    _check_needs(jobs, stages, where)
    return PipelineSpec(
        stages=stages,
        variables=variables_map(raw.get("variables"), "variables"),
        jobs=jobs,
        workflow_rules=workflow.get("rules"),
        warnings=warnings,
        auto_cancel=auto_cancel_spec(workflow.get("auto_cancel")),
    )


WORKFLOW_KEYS = frozenset({"rules", "name", "auto_cancel"})
WORKFLOW_RULE_KEYS = frozenset({"if", "changes", "exists", "when", "variables", "auto_cancel"})


def _check_workflow(workflow: Any, warnings: list[str]) -> None:
    if not isinstance(workflow, dict):
        msg = "workflow config should be a hash"
        raise ConfigError(msg)
    unknown = sorted(map(str, set(workflow) - WORKFLOW_KEYS))
    if unknown:
        msg = f"workflow config contains unknown keys: {', '.join(unknown)}"
        raise ConfigError(msg)
    if "name" in workflow:
        warnings.append(f"workflow:name {NOT_LOCAL}")
    rules = workflow.get("rules") or []
    if not isinstance(rules, list):
        msg = "workflow:rules config should be an array of hashes"
        raise ConfigError(msg)
    for rule in rules:
        if not isinstance(rule, dict):
            msg = "workflow:rules:rule config should be a hash"
            raise ConfigError(msg)
        unknown = sorted(map(str, set(rule) - WORKFLOW_RULE_KEYS))
        if unknown:
            msg = f"workflow:rules:rule config contains unknown keys: {', '.join(unknown)}"
            raise ConfigError(msg)


def _check_needs(jobs: dict[str, JobSpec], stages: list[str], where: _Locator) -> None:
    for job in jobs.values():
        for name in job.dependencies or []:
            # GitLab's YamlProcessor: same stage is allowed (it only gets artifacts through needs).
            dep = jobs.get(name)
            if dep is None:
                msg = f"{job.name} job: undefined dependency: {name}{where(job.name)}"
                raise ConfigError(msg)
            if stages.index(dep.stage) > stages.index(job.stage):
                msg = (
                    f"{job.name} job: dependency {name} is not defined in current or prior stages"
                    f"{where(job.name)}"
                )
                raise ConfigError(msg)
        for need in job.needs or []:
            other = jobs.get(need["job"])
            if other is None and not need["optional"]:
                msg = (
                    f"'{job.name}' job needs '{need['job']}' job, but '{need['job']}' does not exist "
                    f"in the pipeline{where(job.name)}"
                )
                raise ConfigError(msg)
            if other is not None and stages.index(other.stage) > stages.index(job.stage):
                msg = (
                    f"{job.name} job: need {other.name} is not defined in current or prior stages"
                    f"{where(job.name)}"
                )
                raise ConfigError(msg)


__all__ = ["CI_FILE", "PipelineSpec", "load"]
