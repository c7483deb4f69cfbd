"""Decide at pipeline creation which jobs exist and how: ``workflow:rules``, ``rules``, ``only``/``except``.

Follows GitLab: the first matching rule wins (``if``, ``changes`` and ``exists`` must all hold),
``when: never`` or no match leaves the job out, ``changes`` is true for pipelines without a push
diff (see :mod:`.changes`), and a job-level ``when: manual`` defaults to ``allow_failure: true``
while a manual rule does not. A matching rule's ``allow_failure`` (true or false) replaces the
job's, ``allow_failure:exit_codes`` included; its ``needs`` replace the job's ``needs``; its
``variables`` go over the job's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from .changes import ChangedFiles, changes_spec, satisfied
from .clauses import exists_spec
from .exists import ProjectFiles, exists
from .expressions import evaluate_if
from .spec import JobSpec
from .untrusted_regexp import is_regexp_literal, untrusted_regexp
from .values import variables_map


@dataclass
class Decision:
    """How a job enters a pipeline."""

    when: str
    allow_failure: bool
    allow_failure_exit_codes: list[int] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    start_in: float | None = None
    #: Names of ``variables`` declared ``expand: false`` in the rule.
    raw_variables: list[str] = field(default_factory=list)
    #: ``rules:needs`` of the matching rule; None keeps the job's ``needs``.
    needs: list[dict[str, Any]] | None = None
    #: ``rules:interruptible`` of the matching rule; None keeps the job's ``interruptible``.
    interruptible: bool | None = None


def _rule_matches(
    rule: dict[str, Any],
    variables: dict[str, str],
    files: ProjectFiles,
    changed: ChangedFiles | None,
    job: str | None = None,
) -> bool:
    if "if" in rule:
        try:
            matched = evaluate_if(str(rule["if"]), variables)
        except ConfigError as e:
            if job is None:
                raise
            msg = f"jobs:{job}:rules {e}"
            raise ConfigError(msg) from e
        if not matched:
            return False
    if "changes" in rule:
        where = f"jobs:{job}:rules:rule:changes" if job else "workflow:rules:rule:changes"
        spec = changes_spec(rule["changes"], where)
        try:
            if not satisfied(spec, changed, variables):
                return False
        except ConfigError as e:
            if job is None:
                raise
            msg = f"Failed to parse rule for {job}: {e}"
            raise ConfigError(msg) from e
    if "exists" in rule:
        return exists(rule["exists"], files, variables)
    return True


def workflow_rule(
    rules: list[Any] | None,
    variables: dict[str, str],
    project: Path,
    changed: ChangedFiles | None = None,
    files: ProjectFiles | None = None,
) -> dict[str, Any]:
    """Return the first matching ``workflow:rules`` rule ({} without rules); raise if the
    pipeline is filtered out."""
    if not rules:
        return {}
    files = files or ProjectFiles(project)
    for rule in rules:
        if not isinstance(rule, dict):
            msg = "workflow:rules:rule config should be a hash"
            raise ConfigError(msg)
        if "exists" in rule:
            rule = {**rule, "exists": exists_spec(rule["exists"], "workflow:rules:rule:exists")}
        if _rule_matches(rule, variables, files, changed):
            if rule.get("when") == "never":
                break
            return rule
    msg = "Pipeline filtered out by workflow rules."
    raise ConfigError(msg)


def workflow_variables(
    rules: list[Any] | None,
    variables: dict[str, str],
    project: Path,
    changed: ChangedFiles | None = None,
    files: ProjectFiles | None = None,
) -> dict[str, str]:
    """Return the variables a matching workflow rule adds; raise if the pipeline is filtered out."""
    rule = workflow_rule(rules, variables, project, changed, files)
    return dict(variables_map(rule.get("variables"), "workflow:rules:rule:variables"))


def _ref_matches(patterns: list[Any], ref: str, source: str) -> bool:
    for pattern in patterns:
        text = str(pattern)
        if text == "branches" or text == ref:
            return True
        if text in ("api", "web", "pushes", "schedules", "triggers", "pipelines", "external"):
            if {"pushes": "push", "schedules": "schedule", "triggers": "trigger"}.get(
                text, text
            ) == source:
                return True
        elif is_regexp_literal(text) and untrusted_regexp(text).search(ref):
            return True  # RE2, as GitLab matches refs: linear time whatever the pattern
    return False


def _only_except(
    job: JobSpec, variables: dict[str, str], ref: str, source: str, changed: ChangedFiles | None
) -> bool:
    for clause, wanted in ((job.only, True), (job.except_, False)):
        if not clause:
            continue
        matched = True
        if "refs" in clause:
            refs = clause["refs"] if isinstance(clause["refs"], list) else [clause["refs"]]
            matched = _ref_matches(refs, ref, source)
        if "variables" in clause:
            exprs = (
                clause["variables"]
                if isinstance(clause["variables"], list)
                else [clause["variables"]]
            )
            matched = matched and any(evaluate_if(str(e), variables) for e in exprs)
        if "changes" in clause:
            spec = changes_spec(clause["changes"], f"jobs:{job.name}:changes")
            matched = matched and satisfied(spec, changed, variables)
        if "kubernetes" in clause:
            matched = False  # no Kubernetes cluster is integrated with the local runner
        if matched != wanted:
            return False
    return True


def decide(
    job: JobSpec,
    variables: dict[str, str],
    project: Path,
    ref: str,
    source: str,
    changed: ChangedFiles | None = None,
    files: ProjectFiles | None = None,
) -> Decision | None:
    """Return how ``job`` enters the pipeline, or None when its rules leave it out.

    ``variables`` are the job's as rules see them (:func:`.precedence.scope`); ``changed``
    gives ``changes:`` the pipeline's changed files (None makes it true); ``files`` lists the
    project's files for ``exists:`` (read from ``project`` when not given).
    """
    # Entry::Job#ignore?: an explicit allow_failure, else true for a job-level when: manual.
    allow = job.allow_failure if job.allow_failure is not None else job.when == "manual"
    if job.rules is None:
        if not _only_except(job, variables, ref, source, changed):
            return None
        return Decision(job.when, allow, job.allow_failure_exit_codes, start_in=job.start_in)
    files = files or ProjectFiles(project)
    for rule in job.rules:
        if not _rule_matches(rule, variables, files, changed, job.name):
            continue
        when = rule.get("when") or job.when
        if when == "never":
            return None
        decision = Decision(
            when=when,
            allow_failure=allow,
            allow_failure_exit_codes=job.allow_failure_exit_codes,
            variables=dict(rule.get("variables") or {}),
            start_in=rule.get("start_in", job.start_in),
            raw_variables=list(rule.get("raw_variables") or []),
            needs=rule.get("needs"),
            interruptible=rule.get("interruptible"),
        )
        if "allow_failure" in rule:
            # Seed::Build drops allow_failure_criteria when a rule sets allow_failure.
            decision.allow_failure = bool(rule["allow_failure"])
            decision.allow_failure_exit_codes = []
        return decision
    return None
