"""The clauses of a job that name other jobs, files or global settings: ``needs``, ``rules``
(with ``exists``) and ``inherit``, checked with GitLab's wording and normalised for the planner.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from .changes import changes_spec
from .parallel import parallel_spec
from .values import parse_duration, variables_map

WHEN = ("on_success", "on_failure", "always", "manual", "delayed")


def needs_spec(value: Any, where: str) -> list[dict[str, Any]]:
    """Normalise ``needs:`` to ``{"job", "optional", "artifacts"[, "parallel"]}`` entries."""
    items = value if isinstance(value, list) else [value]
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, str):
            out.append({"job": item, "optional": False, "artifacts": True})
        elif isinstance(item, dict) and ({"project", "pipeline"} & set(item)):
            key = "project" if "project" in item else "pipeline"
            msg = f"{where}:{key} is not supported by the local runner: it needs a job of another {key} on a GitLab instance"
            raise ConfigError(msg)
        elif isinstance(item, dict) and isinstance(item.get("job"), str):
            extra = set(item) - {"job", "optional", "artifacts", "parallel"}
            if extra:
                msg = f"{where} config contains unknown keys: {', '.join(sorted(extra))}"
                raise ConfigError(msg)
            need = {
                "job": item["job"],
                "optional": bool(item.get("optional", False)),
                "artifacts": bool(item.get("artifacts", True)),
            }
            if "parallel" in item:
                need["parallel"] = parallel_spec(item["parallel"], f"{where}:need:parallel")
            out.append(need)
        else:
            msg = f"{where} job should be a string or a hash"
            raise ConfigError(msg)
    return out


RULE_KEYS = frozenset(
    {"if", "when", "allow_failure", "variables", "changes", "exists", "needs", "start_in"}
    | {"interruptible"}
)


def rules_spec(value: Any, where: str) -> list[dict[str, Any]]:
    """Check a job's ``rules:`` and normalise each rule's clauses."""
    if not isinstance(value, list):
        msg = f"{where}:rules config should be an array of hashes"
        raise ConfigError(msg)
    return [_rule(rule, i, where) for i, rule in enumerate(value)]


def _rule(rule: Any, i: int, where: str) -> dict[str, Any]:
    if not isinstance(rule, dict):
        msg = f"{where}:rules:rule config should be a hash"
        raise ConfigError(msg)
    extra = set(rule) - RULE_KEYS
    if extra:
        msg = f"{where}:rules:rule config contains unknown keys: {', '.join(sorted(extra))}"
        raise ConfigError(msg)
    when = rule.get("when")
    if when is not None and when not in (*WHEN, "never"):
        msg = f"{where}:rules:rule when unknown value: {when}"
        raise ConfigError(msg)
    out = dict(rule)
    if "allow_failure" in rule and not isinstance(rule["allow_failure"], bool):
        msg = f"{where}:rules:rule allow_failure should be a boolean value"
        raise ConfigError(msg)
    if "variables" in rule:
        variables = variables_map(rule["variables"], f"{where}:rules:{i}:variables")
        out["variables"] = dict(variables)
        out["raw_variables"] = sorted(variables.raw)
    if "start_in" in rule:
        out["start_in"] = parse_duration(rule["start_in"], f"{where}:rules:{i}:start_in")
    if "changes" in rule:
        out["changes"] = changes_spec(rule["changes"], f"{where}:rules:rule:changes")
    if "exists" in rule:
        out["exists"] = exists_spec(rule["exists"], f"{where}:rules:rule:exists")
    if "needs" in rule:
        out["needs"] = needs_spec(rule["needs"], f"{where}:rules:rule:needs")
    return out


#: GitLab's limit on ``rules:exists`` globs.
MAX_EXISTS_PATHS = 50


def exists_spec(value: Any, where: str) -> list[str]:
    """Normalise ``exists:`` (a list of globs, or ``{paths, project, ref}``) to its globs.

    Another project's files are not on this machine, so ``project:`` is refused rather than
    silently checked against this one.
    """
    if isinstance(value, dict):
        extra = sorted(set(map(str, value)) - {"paths", "project", "ref"})
        if extra:
            msg = f"{where} config contains unknown keys: {', '.join(extra)}"
            raise ConfigError(msg)
        if "project" in value or "ref" in value:
            msg = f"{where}:project is not supported by the local runner: only this project's files are here"
            raise ConfigError(msg)
        value = value.get("paths")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        msg = f"{where} config should be an array of strings"
        raise ConfigError(msg)
    if len(value) > MAX_EXISTS_PATHS:
        msg = f"{where} config has too many entries (maximum {MAX_EXISTS_PATHS})"
        raise ConfigError(msg)
    return list(value)


def inherit_variables_spec(value: Any, where: str) -> bool | list[str]:
    """``inherit:variables`` of an ``inherit:`` hash: True, False or the names to take."""
    if not isinstance(value, dict):
        msg = f"{where} config should be a hash"
        raise ConfigError(msg)
    extra = sorted(set(map(str, value)) - {"default", "variables"})
    if extra:
        msg = f"{where} config contains unknown keys: {', '.join(extra)}"
        raise ConfigError(msg)
    variables = value.get("variables", True)
    if isinstance(variables, bool):
        return variables
    if isinstance(variables, list) and all(isinstance(v, str) for v in variables):
        return list(variables)
    msg = f"{where}:variables should be a bool or array of strings"
    raise ConfigError(msg)
