"""The normalised job model, and GitLab's keyword checks that turn a merged job mapping into it.

Messages follow GitLab's wording (``jobs:<name>:<keyword> config ...``) so they read like the ones
users already know; keywords the shell executor cannot honour are warnings, never silent skips.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ...errors import ConfigError
from . import keywords
from .changes import changes_spec
from .clauses import WHEN, inherit_variables_spec, needs_spec, rules_spec
from .deploy import environment_spec, interruptible_spec, resource_group_spec
from .parallel import parallel_spec
from .storage import artifacts_notes, cache_spec, reports_spec
from .values import commands, int_list, parse_duration, string_list, variables_map

RETRY_WHEN = (
    "always",
    "unknown_failure",
    "script_failure",
    "api_failure",
    "stuck_or_timeout_failure",
    "runner_system_failure",
    "runner_unsupported",
    "stale_schedule",
    "job_execution_timeout",
    "archived_failure",
    "unmet_prerequisites",
    "scheduler_failure",
    "data_integrity_failure",
)
#: Job keywords that work, and valid GitLab job keywords that are accepted with a warning (the
#: text the user gets after ``jobs:<name>:<keyword>``). Both come from the keyword table, the one
#: place that says what the runner does with each keyword (see ``docs/gitlab-ci-keywords.md``).
SUPPORTED = keywords.supported_job_keywords()
IGNORED = keywords.warned_job_keywords()
REFUSED = {name: k.note for name, k in keywords.job_keywords(keywords.REFUSED).items()}
#: The keys of an ``only:``/``except:`` hash.
ONLY_KEYS = frozenset({"refs", "variables", "changes", "kubernetes"})
ARTIFACT_KEYS = frozenset(
    {"paths", "when", "name", "expire_in", "exclude", "expose_as", "public", "access"}
    | {"untracked", "reports"}
)


@dataclass
class JobSpec:
    """One job as the runner executes it (after extends, default and includes)."""

    name: str
    stage: str
    script: list[str]
    before_script: list[str] = field(default_factory=list)
    after_script: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    when: str = "on_success"
    allow_failure: bool | None = None
    allow_failure_exit_codes: list[int] = field(default_factory=list)
    #: None: wait for earlier stages; a list (maybe empty): wait for these jobs only.
    needs: list[dict[str, Any]] | None = None
    #: None: every job whose artifacts it would get; a list (maybe empty): only these.
    dependencies: list[str] | None = None
    timeout: float | None = None
    start_in: float | None = None
    retry_max: int = 0
    retry_when: list[str] = field(default_factory=lambda: ["always"])
    retry_exit_codes: list[int] = field(default_factory=list)
    artifacts_paths: list[str] = field(default_factory=list)
    artifacts_exclude: list[str] = field(default_factory=list)
    artifacts_when: str = "on_success"
    artifacts_untracked: bool = False
    #: ``artifacts:name``/``expire_in``/``expose_as`` as written (recorded with the archive).
    artifacts_details: dict[str, str] = field(default_factory=dict)
    #: ``artifacts:reports``: report type to paths.
    artifacts_reports: dict[str, list[str]] = field(default_factory=dict)
    #: ``cache:`` entries as ``storage.cache_spec`` normalises them.
    cache: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] | None = None
    only: dict[str, Any] | None = None
    except_: dict[str, Any] | None = None
    #: Variables declared ``expand: false``: passed on as written (GitLab's "raw" variables).
    raw_variables: list[str] = field(default_factory=list)
    #: ``inherit:variables``: True (all global variables), False (none) or the names to take.
    inherit_variables: bool | list[str] = True
    #: ``parallel`` as :func:`.parallel.parallel_spec` normalises it; None for one job.
    parallel: dict[str, Any] | None = None
    #: This instance's ``CI_NODE_INDEX``/``CI_NODE_TOTAL`` once :mod:`.parallel` expanded it.
    node_index: int | None = None
    node_total: int | None = None
    #: A bridge's ``trigger:`` (see ``trigger.parse_trigger``); None for script jobs.
    trigger: dict[str, Any] | None = None
    interruptible: bool = False
    resource_group: str | None = None
    #: ``environment:`` as a hash with every key (see ``deploy.environment_spec``), or None.
    environment: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-safe dict (stored with each job)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobSpec:
        """Rebuild a spec stored with :meth:`to_json`."""
        return cls(**data)


def build_job(name: str, raw: dict[str, Any], warnings: list[str]) -> JobSpec:
    """Check one merged job mapping and return its spec; warnings are appended to ``warnings``."""
    where = f"jobs:{name}"
    for key in sorted(set(raw) & set(REFUSED)):
        msg = f"{where}:{key} is a GitLab keyword the local runner refuses: {REFUSED[key]}"
        raise ConfigError(msg)
    unknown = sorted(k for k in raw if k not in SUPPORTED and k not in IGNORED)
    if unknown:
        msg = f"{where} config contains unknown keys: {', '.join(unknown)}"
        raise ConfigError(msg)
    for key in sorted(set(raw) & set(IGNORED)):
        warnings.append(f"{where}:{key} {IGNORED[key]}")
    if "script" not in raw:
        msg = f"{where} config should implement the script:, run:, or trigger: keyword"
        raise ConfigError(msg)
    stage = raw.get("stage", "test")
    if not isinstance(stage, str):
        msg = f"{where}:stage config should be a string"
        raise ConfigError(msg)
    spec = JobSpec(
        name=name,
        stage=stage,
        script=commands(raw["script"], f"{where}:script"),
        before_script=commands(raw.get("before_script"), f"{where}:before_script"),
        after_script=commands(raw.get("after_script"), f"{where}:after_script"),
    )
    variables = variables_map(raw.get("variables"), f"{where}:variables")
    spec.variables, spec.raw_variables = dict(variables), sorted(variables.raw)
    if "inherit" in raw:
        spec.inherit_variables = inherit_variables_spec(raw["inherit"], f"{where}:inherit")
    if "parallel" in raw:
        spec.parallel = parallel_spec(raw["parallel"], f"{where}:parallel")
    if not spec.script:
        msg = f"{where}:script config should be a string or a nested array of strings up to 10 levels deep"
        raise ConfigError(msg)
    when = raw.get("when", "on_success")
    if when not in WHEN:
        msg = f"{where}:when config should be one of: {', '.join(WHEN)}"
        raise ConfigError(msg)
    spec.when = when
    if when == "delayed":
        if "start_in" not in raw:
            msg = f"{where}:start_in config should be a duration when the job is delayed"
            raise ConfigError(msg)
        spec.start_in = parse_duration(raw["start_in"], f"{where}:start_in")
    _allow_failure(spec, raw.get("allow_failure"), where)
    if "needs" in raw:
        spec.needs = needs_spec(raw["needs"], f"{where}:needs")
    if raw.get("dependencies") is not None:
        spec.dependencies = _dependencies(raw["dependencies"], spec.needs, where)
    if "timeout" in raw:
        spec.timeout = parse_duration(raw["timeout"], f"{where}:timeout")
    _retry(spec, raw.get("retry"), where)
    spec.interruptible = interruptible_spec(raw.get("interruptible"), where)
    spec.resource_group = resource_group_spec(raw.get("resource_group"), where)
    spec.environment = environment_spec(raw.get("environment"), where, warnings)
    _artifacts(spec, raw.get("artifacts"), where, warnings)
    spec.cache = cache_spec(raw.get("cache"), f"{where}:cache")
    if "rules" in raw:
        spec.rules = rules_spec(raw["rules"], where)
    for key in ("only", "except"):
        if key in raw:
            value = raw[key]
            refs = {"refs": value} if isinstance(value, list | str) else value
            if not isinstance(refs, dict):
                msg = f"{where}:{key} config should be an array of strings or a hash"
                raise ConfigError(msg)
            unknown = sorted(set(refs) - ONLY_KEYS)
            if unknown:
                msg = f"{where}:{key} config contains unknown keys: {', '.join(map(str, unknown))}"
                raise ConfigError(msg)
            if "kubernetes" in refs and refs["kubernetes"] != "active":
                msg = f"{where}:{key}:kubernetes config should be one of: active"
                raise ConfigError(msg)
            if "changes" in refs:
                refs = {**refs, "changes": changes_spec(refs["changes"], f"{where}:{key}:changes")}
            setattr(spec, "except_" if key == "except" else key, refs)
    return spec


def _dependencies(value: Any, needs: list[dict[str, Any]] | None, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
        msg = f"{where} dependencies should be an array of strings"
        raise ConfigError(msg)
    if needs:  # GitLab skips this check for `needs: []`
        needed = {n["job"] for n in needs}
        missing = [d for d in dict.fromkeys(value) if d not in needed]
        if missing:
            msg = f"{where} dependencies the {', '.join(missing)} should be part of needs"
            raise ConfigError(msg)
    return list(value)


def _allow_failure(spec: JobSpec, value: Any, where: str) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        spec.allow_failure = value
    elif isinstance(value, dict) and set(value) == {"exit_codes"}:
        spec.allow_failure = False
        spec.allow_failure_exit_codes = int_list(
            value["exit_codes"], f"{where}:allow_failure:exit_codes"
        )
    else:
        msg = f"{where}:allow_failure config should be a hash or a boolean value"
        raise ConfigError(msg)


def _retry(spec: JobSpec, value: Any, where: str) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        extra = set(value) - {"max", "when", "exit_codes"}
        if extra:
            msg = f"{where}:retry config contains unknown keys: {', '.join(sorted(extra))}"
            raise ConfigError(msg)
        when = value.get("when", ["always"])
        spec.retry_when = [when] if isinstance(when, str) else list(when)
        bad = [w for w in spec.retry_when if w not in RETRY_WHEN]
        if bad:
            msg = f"{where}:retry when unknown values: {', '.join(map(str, bad))}"
            raise ConfigError(msg)
        if "exit_codes" in value:
            spec.retry_exit_codes = int_list(value["exit_codes"], f"{where}:retry:exit_codes")
        value = value.get("max", 0)
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{where}:retry config should be a hash or an integer"
        raise ConfigError(msg)
    if not 0 <= value <= 2:
        msg = f"{where}:retry max config must be less than or equal to 2"
        raise ConfigError(msg)
    spec.retry_max = value


def _artifacts(spec: JobSpec, value: Any, where: str, warnings: list[str]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        msg = f"{where}:artifacts config should be a hash"
        raise ConfigError(msg)
    unknown = sorted(set(value) - ARTIFACT_KEYS)
    if unknown:
        msg = f"{where}:artifacts config contains unknown keys: {', '.join(map(str, unknown))}"
        raise ConfigError(msg)
    spec.artifacts_paths = string_list(value.get("paths"), f"{where}:artifacts:paths")
    spec.artifacts_exclude = string_list(value.get("exclude"), f"{where}:artifacts:exclude")
    when = value.get("when", "on_success")
    if when not in ("on_success", "on_failure", "always"):
        msg = f"{where}:artifacts:when config should be on_success, on_failure or always"
        raise ConfigError(msg)
    spec.artifacts_when = when
    spec.artifacts_untracked = value.get("untracked") is True
    spec.artifacts_reports = reports_spec(value.get("reports"), f"{where}:artifacts:reports")
    spec.artifacts_details = {
        k: str(value[k]) for k in ("name", "expire_in", "expose_as") if value.get(k) is not None
    }
    warnings.extend(artifacts_notes(value, spec.artifacts_reports, f"{where}:artifacts"))


__all__ = ["IGNORED", "SUPPORTED", "WHEN", "JobSpec", "build_job"]
