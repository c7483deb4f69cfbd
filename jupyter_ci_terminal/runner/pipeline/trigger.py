"""``trigger:`` jobs (GitLab's bridges): their keyword checks and what they pass downstream.

Follows ``Gitlab::Ci::Config::Entry::Bridge`` and ``Entry::Trigger``: a job with ``trigger:`` and
no ``script:`` is a bridge, allowed only the processable keywords; a job with both is a script
job with an unknown ``trigger`` key, as GitLab reports it. Child pipelines (``trigger:include``)
are supported; a multi-project trigger (``trigger: project``) names another project, which a
runner serving one folder does not have: a configuration error that says so.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from .spec import JobSpec, build_job
from .variables import expand_value

#: ``when:`` values a bridge accepts (no ``delayed``).
BRIDGE_WHEN = ("on_success", "on_failure", "always", "manual")
#: Keys of ``Entry::Bridge``: ``trigger``, ``parallel`` and the processable ones.
BRIDGE_KEYS = frozenset(
    {"trigger", "parallel", "extends", "stage", "only", "except", "rules", "variables"}
    | {"inherit", "allow_failure", "when", "needs", "resource_group", "environment"}
)
#: Keys the ``default:`` section (or deprecated top-level keys) may have copied into every job;
#: GitLab never gives them to bridges, so a bridge drops them when they are the defaults' values.
_DEFAULTED = frozenset(
    {"after_script", "artifacts", "before_script", "cache", "hooks", "id_tokens", "identity"}
    | {"image", "interruptible", "retry", "services", "tags", "timeout"}
)
#: ``Entry::Trigger::SameProjectTrigger::INCLUDE_MAX_SIZE``: files a child pipeline may include.
INCLUDE_MAX_SIZE = 3
#: ``Ci::Bridge::FORWARD_DEFAULTS``.
FORWARD_DEFAULTS = {"yaml_variables": True, "pipeline_variables": False}
_CHILD_KEYS = frozenset({"strategy", "include", "forward"})
#: Keys of an include location that a child's ``include:local`` keeps.
_LOCAL_KEYS = ("local", "inputs", "rules")
_PROJECT_KEYS = frozenset({"project", "branch", "strategy", "forward", "inputs"})
STRATEGIES = ("depend", "mirror")


def is_bridge(body: dict[str, Any]) -> bool:
    """Return whether a job mapping is for :func:`build_bridge` (it has ``trigger:``)."""
    return "trigger" in body


def build_bridge(
    name: str, raw: dict[str, Any], warnings: list[str], config: dict[str, Any]
) -> JobSpec:
    """Check a bridge and return its spec (``script`` empty, ``trigger`` set).

    ``config`` is the whole merged configuration, to tell keys copied from ``default:`` apart.
    """
    where = f"jobs:{name}"
    if "script" in raw or "run" in raw:
        # GitLab matches script jobs first, and their keywords have no trigger.
        msg = f"{where} config contains unknown keys: trigger"
        raise ConfigError(msg)
    default = config.get("default") or {}
    body = {
        k: v
        for k, v in raw.items()
        if not (k in _DEFAULTED and (default.get(k, None) == v or config.get(k) == v))
    }
    unknown = sorted(set(body) - BRIDGE_KEYS)
    if unknown:
        msg = f"{where} config contains unknown keys: {', '.join(unknown)}"
        raise ConfigError(msg)
    when = body.get("when", "on_success")
    if when not in BRIDGE_WHEN:
        msg = f"{where} when should be one of: {', '.join(BRIDGE_WHEN)}"
        raise ConfigError(msg)
    trigger = parse_trigger(body["trigger"], f"{where}:trigger")
    if "project" in trigger:
        msg = (
            f"{where}:trigger:project `{trigger['project']}` is a multi-project pipeline, which "
            "the local runner cannot start: it serves this one project"
        )
        raise ConfigError(msg)
    job = build_job(
        name, {k: v for k, v in body.items() if k != "trigger"} | {"script": ["-"]}, warnings
    )
    job.script = []
    job.trigger = trigger
    return job


def parse_trigger(value: Any, where: str) -> dict[str, Any]:
    """Normalise ``trigger:`` to ``{include, strategy, forward}`` or ``{project}``."""
    if isinstance(value, str) and value:
        return {"project": value}
    if not isinstance(value, dict) or not value:
        msg = f"{where} has to be either a string or a hash"
        raise ConfigError(msg)
    allowed = _CHILD_KEYS if "include" in value else _PROJECT_KEYS
    unknown = sorted(set(value) - allowed)
    if unknown:
        msg = f"{where} config contains unknown keys: {', '.join(unknown)}"
        raise ConfigError(msg)
    strategy = value.get("strategy")
    if strategy is not None and strategy not in STRATEGIES:
        msg = f"{where} strategy should be {' or '.join(STRATEGIES)}"
        raise ConfigError(msg)
    forward = _forward(value.get("forward"), f"{where}:forward")
    if "include" not in value:
        if not isinstance(value.get("project"), str) or not value["project"]:
            msg = f"{where} config must specify either project or include"
            raise ConfigError(msg)
        return {"project": value["project"]}
    return {
        "include": _includes(value["include"], f"{where}:include"),
        "strategy": strategy,
        "forward": forward,
    }


def _forward(value: Any, where: str) -> dict[str, bool]:
    if value is None:
        return dict(FORWARD_DEFAULTS)
    if not isinstance(value, dict):
        msg = f"{where} config should be a hash"
        raise ConfigError(msg)
    unknown = sorted(set(value) - set(FORWARD_DEFAULTS))
    if unknown:
        msg = f"{where} config contains unknown keys: {', '.join(unknown)}"
        raise ConfigError(msg)
    out = dict(FORWARD_DEFAULTS)
    for key, flag in value.items():
        if flag is not None and not isinstance(flag, bool):
            msg = f"{where} {key.replace('_', ' ')} should be a boolean value"
            raise ConfigError(msg)
        if flag is not None:
            out[key] = flag
    return out


def _includes(value: Any, where: str) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    if len(items) > INCLUDE_MAX_SIZE:
        msg = f"{where} config is too long (maximum is {INCLUDE_MAX_SIZE})"
        raise ConfigError(msg)
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, str) and "://" not in item:
            out.append({"local": item})
        elif isinstance(item, dict) and isinstance(item.get("local"), str):
            out.append({k: item[k] for k in _LOCAL_KEYS if k in item})
        elif isinstance(item, dict) and isinstance(item.get("artifact"), str):
            if not isinstance(item.get("job"), str):
                msg = "Job must be provided when including configs from artifacts"
                raise ConfigError(msg)
            out.append({"artifact": item["artifact"], "job": item["job"]})
        else:
            kinds = sorted(item) if isinstance(item, dict) else ["remote"]
            msg = (
                f"{where}:{','.join(map(str, kinds))} is not supported by the local runner; "
                "a child pipeline can include local files or an artifact: of a parent job"
            )
            raise ConfigError(msg)
    if any("artifact" in i for i in out) and len(out) > 1:
        msg = (
            f"{where} mixes an artifact: with other files, which the local runner does not "
            "support; include the other files from the generated one"
        )
        raise ConfigError(msg)
    return out


def forwarded_variables(
    forward: dict[str, bool],
    yaml_variables: dict[str, str],
    pipeline_variables: dict[str, str],
    context: dict[str, str],
) -> dict[str, str]:
    """The variables a bridge passes to its child pipeline (``Variables::Downstream::Generator``).

    ``yaml_variables`` are the bridge's own and the global ones, expanded against ``context``
    (everything the bridge sees); ``pipeline_variables`` are the parent's API variables, passed
    raw. Later ones win, as in GitLab.
    """
    out: dict[str, str] = {}
    if forward.get("yaml_variables", True):
        out.update({k: expand_value(v, context) for k, v in yaml_variables.items()})
    if forward.get("pipeline_variables", False):
        out.update(pipeline_variables)
    return out
