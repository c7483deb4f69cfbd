"""Load a project's ``.gitlab-ci.yml`` into a :class:`PipelineSpec`.

YAML parsing, ``include: local``, ``extends``, ``default:``/``inherit:`` and ``!reference`` come
from the maintained ``gitlab-emulator`` package (``gitlabemu``); this is the only module that
imports it. It works offline and needs no docker for loading. What it does not do, and this
module adds: GitLab's keyword validation and error wording (with file and line), refusing
includes that would reach the network or leave the project, and warnings for keywords the
shell executor cannot honour. Its validator is replaced by ours; it reads the user's optional
``~/.gle/emulator.yml``, which only matters for GitLab < 14.2 ``needs`` semantics.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ...errors import ConfigError
from .spec import JobSpec, build_job
from .values import variables_map

CI_FILE = ".gitlab-ci.yml"
TOP_LEVEL = frozenset(
    {"stages", "variables", "default", "include", "workflow", "image", "services", "cache"}
    | {"before_script", "after_script", "spec"}
)
_LOADER_KEYS = frozenset({".gitlab-emulator-workspace", ".gle-extra_variables"})
_EMULATOR_ERRORS = (
    (
        re.compile(r"Job '(.+)' extends '(.+)' which does not exist"),
        "{0}: unknown keys in `extends` ({1})",
    ),
    (
        re.compile(r"Job '(.+)' cannot extend itself"),
        "{0}: circular dependency detected in `extends`",
    ),
    (
        re.compile(r"default config contains unknown keys: (.*)"),
        "default config contains unknown keys: {0}",
    ),
)


@dataclass
class PipelineSpec:
    """A checked pipeline configuration."""

    stages: list[str]
    variables: dict[str, str]
    jobs: dict[str, JobSpec]
    workflow_rules: list[dict[str, Any]] | None = None
    warnings: list[str] = field(default_factory=list)


def _import_emulator() -> Any:
    # gitlabemu calls logging.basicConfig() on import; keep the root logger as it was.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from gitlabemu import configloader
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return configloader


def _loader_class() -> type[Any]:
    base: Any = _import_emulator().Loader

    class LocalLoader(base):  # type: ignore[misc]
        """gitlab-emulator's loader, restricted to local files inside the project."""

        def __init__(self, project: Path) -> None:
            super().__init__(emulator_variables=False)
            self.project = project

        def do_validate(self, baseobj: dict[str, Any]) -> None:
            """Skip the emulator's checks: :func:`load` checks with GitLab's wording."""

        def do_single_include(self, baseobj: Any, yamldir: str, inc: Any, **kwargs: Any) -> Any:
            """Allow only ``include: local`` files that exist inside the project."""
            if isinstance(inc, dict):
                kinds = sorted(set(inc) - {"rules", "inputs"})
                if kinds != ["local"]:
                    msg = f"include:{','.join(kinds)} is not supported by the local runner; use include: local"
                    raise ConfigError(msg)
                location = str(inc["local"])
            else:
                location = str(inc)
                if "://" in location:
                    msg = f"Remote file `{location}` cannot be included by the local runner"
                    raise ConfigError(msg)
            target = (self.project / location.lstrip("/")).resolve()
            if not target.is_relative_to(self.project) or not target.is_file():
                msg = f"Local file `{location}` does not exist!"
                raise ConfigError(msg)
            return super().do_single_include(baseobj, yamldir, inc, **kwargs)

    return LocalLoader


_NULL = re.compile(r"\$(\w+)\s*(==|!=)\s*null\b|\bnull\s*(==|!=)\s*\$(\w+)")
_SINGLE_QUOTED = re.compile(r"'([^'\"]*)'")


def evaluate_if(expression: str, variables: dict[str, str]) -> bool:
    """Evaluate a ``rules:if`` expression; a syntax error raises :class:`ConfigError`."""
    from antlr4 import CommonTokenStream, InputStream
    from antlr4.error.ErrorListener import ErrorListener

    _import_emulator()
    from gitlabemu.ruleparser import (
        GitlabRuleLexer,
        GitlabRuleParser,
        RuleVisitor,
    )

    class Raise(ErrorListener):  # type: ignore[misc]
        def syntaxError(self, *args: Any) -> None:
            msg = f"invalid expression syntax: {expression}"
            raise ConfigError(msg)

    env = dict(variables)

    def null_test(m: re.Match[str]) -> str:
        # The emulator's grammar has no null: compare a helper "is unset" variable instead.
        name, op = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        env[f"__UNSET_{name}"] = "" if name in variables else "1"
        return f'$__UNSET_{name} {op} "1"'

    text = _SINGLE_QUOTED.sub(r'"\1"', _NULL.sub(null_test, expression))
    lexer = GitlabRuleLexer(InputStream(text))
    parser = GitlabRuleParser(CommonTokenStream(lexer))
    for part in (lexer, parser):
        part.removeErrorListeners()
        part.addErrorListener(Raise())
    return bool(RuleVisitor(env).visit(parser.expr()))


def _emulator_message(error: Exception) -> str:
    text = str(error)
    for pattern, template in _EMULATOR_ERRORS:
        m = pattern.search(text)
        if m:
            return template.format(*m.groups())
    return text


def _locate(files: list[Path], key: str) -> str:
    """Return `` (file line N)`` where top-level ``key`` is defined, or ``""``."""
    pattern = re.compile(rf"^(['\"]?){re.escape(key)}\1\s*:", re.MULTILINE)
    for path in files:
        try:
            text = path.read_text()
        except OSError:
            continue
        m = pattern.search(text)
        if m:
            return f" ({path.name} line {text.count(chr(10), 0, m.start()) + 1})"
    return ""


class _TolerantLoader(yaml.SafeLoader):
    """Safe YAML that reads GitLab's ``!reference`` tags as plain sequences."""


def _reference(loader: yaml.SafeLoader, node: yaml.Node) -> list[Any]:
    return loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode) else []


_TolerantLoader.add_constructor("!reference", _reference)


def _precheck(path: Path) -> None:
    """Reject what the emulator would crash on, with GitLab's wording and a line number."""
    try:
        raw = yaml.load(path.read_text(), Loader=_TolerantLoader)  # noqa: S506
    except yaml.YAMLError as e:
        msg = f"{path.name}: invalid YAML: {e}".replace("\n", " ")
        raise ConfigError(msg) from e
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        msg = f"{path.name}: root config should be a hash"
        raise ConfigError(msg)
    for name, body in raw.items():
        if str(name) not in TOP_LEVEL and not isinstance(body, dict):
            msg = f"jobs:{name} config should be a hash{_locate([path], str(name))}"
            raise ConfigError(msg)


def load(project: Path) -> PipelineSpec:
    """Load and check ``project/.gitlab-ci.yml``; problems raise :class:`ConfigError`."""
    project = project.resolve()
    path = project / CI_FILE
    if not path.is_file():
        msg = f"{CI_FILE} not found in {project}"
        raise ConfigError(msg)
    _precheck(path)
    loader = _loader_class()(project)
    try:
        loader.load(str(path))
    except ConfigError:
        raise
    except yaml.YAMLError as e:
        msg = f"{path.name}: invalid YAML: {e}".replace("\n", " ")
        raise ConfigError(msg) from e
    except Exception as e:  # gitlabemu raises its own classes and bare Exceptions
        raise ConfigError(_emulator_message(e)) from e
    raw: dict[str, Any] = dict(loader.config)
    files = [path] + [Path(p) for p in raw.get("include", []) if Path(p).is_absolute()]
    return _check(raw, files)


def _check(raw: dict[str, Any], files: list[Path]) -> PipelineSpec:
    warnings: list[str] = []
    stages = raw.get("stages") or ["build", "test", "deploy"]
    if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
        msg = "stages config should be an array of strings"
        raise ConfigError(msg)
    stages = [".pre", *[s for s in stages if s not in (".pre", ".post")], ".post"]
    for key in ("image", "services"):
        if key in raw or key in (raw.get("default") or {}):
            warnings.append(f"{key}: is not used by the shell executor")
    if "cache" in raw:
        warnings.append("cache: is not supported by the local runner; nothing is cached")
    workflow = raw.get("workflow") or {}
    if not isinstance(workflow, dict):
        msg = "workflow config should be a hash"
        raise ConfigError(msg)
    jobs: dict[str, JobSpec] = {}
    for name, body in raw.items():
        if name in TOP_LEVEL or name in _LOADER_KEYS or name.startswith("."):
            continue
        if not isinstance(body, dict):
            msg = f"jobs:{name} config should be a hash{_locate(files, name)}"
            raise ConfigError(msg)
        body = {k: v for k, v in body.items() if k not in ("extends", "inherit")}
        for key in ("before_script", "after_script"):
            # Deprecated top-level defaults still work in GitLab.
            if key in raw and key not in body:
                body[key] = raw[key]
        if "variables" in body:
            # The loader copies global variables into every job; keep only the job's own.
            globals_ = raw.get("variables") or {}
            body["variables"] = {k: v for k, v in body["variables"].items() if globals_.get(k) != v}
        try:
            job = build_job(name, body, warnings)
        except ConfigError as e:
            msg = f"{e}{_locate(files, name)}"
            raise ConfigError(msg) from e
        if job.stage not in stages:
            msg = (
                f"jobs:{name} chosen stage {job.stage} does not exist; available stages are "
                f"{', '.join(stages)}{_locate(files, name)}"
            )
            raise ConfigError(msg)
        if "trigger" not in body:
            jobs[name] = job
    if not jobs:
        msg = "jobs config should contain at least one visible job"
        raise ConfigError(msg)
    _check_needs(jobs, stages, files)
    return PipelineSpec(
        stages=stages,
        variables=variables_map(raw.get("variables"), "variables"),
        jobs=jobs,
        workflow_rules=workflow.get("rules"),
        warnings=warnings,
    )


def _check_needs(jobs: dict[str, JobSpec], stages: list[str], files: list[Path]) -> None:
    for job in jobs.values():
        for name in job.dependencies or []:
            # GitLab's YamlProcessor: same stage is allowed (it only gets artifacts through needs).
            dep = jobs.get(name)
            if dep is None:
                msg = f"{job.name} job: undefined dependency: {name}{_locate(files, job.name)}"
                raise ConfigError(msg)
            if stages.index(dep.stage) > stages.index(job.stage):
                msg = (
                    f"{job.name} job: dependency {name} is not defined in current or prior stages"
                    f"{_locate(files, job.name)}"
                )
                raise ConfigError(msg)
        for need in job.needs or []:
            other = jobs.get(need["job"])
            if other is None and not need["optional"]:
                msg = (
                    f"'{job.name}' job needs '{need['job']}' job, but '{need['job']}' does not exist "
                    f"in the pipeline{_locate(files, job.name)}"
                )
                raise ConfigError(msg)
            if other is not None and stages.index(other.stage) > stages.index(job.stage):
                msg = (
                    f"{job.name} job: need {other.name} is not defined in current or prior stages"
                    f"{_locate(files, job.name)}"
                )
                raise ConfigError(msg)


__all__ = ["CI_FILE", "PipelineSpec", "evaluate_if", "load"]
