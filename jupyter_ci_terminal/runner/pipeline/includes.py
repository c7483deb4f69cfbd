"""``include:`` as GitLab's ``Config::External`` processes it, for the files of a local project.

Locations are normalised (a string is ``local:`` unless it is a URL), filtered by ``rules:``,
expanded (wildcards, ``$VARIABLES``), matched to one kind and verified (at most 150 includes in
all, nested ones counted). Local files are read from the project (a leading slash is the project
root, from nested includes too) and may never leave it; other kinds are refused, since the local
runner works offline. Included files are deep-merged in order and the including file goes on top.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from .expressions import evaluate_if
from .inputs import interpolate
from .merge import deep_merge
from .yamlfile import MAX_YAML_SIZE_BYTES, TOO_BIG, load

#: GitLab's ``ci_max_includes`` default.
MAX_INCLUDES = 150
SUBKEYS = ("local", "project", "remote", "template", "artifact", "component")
INCLUDE_KEYS = frozenset(
    {"local", "file", "remote", "project", "ref", "integrity", "template", "artifact"}
    | {"inputs", "job", "rules", "component"}
)
RULE_KEYS = frozenset({"if", "exists", "when", "changes"})
#: Folders a wildcard never looks into: git's own and the runner's state (build copies).
SKIP_DIRS = frozenset({".git", ".jupyter-ci"})
_URL = re.compile(r"^(https?|ssh|git)://", re.IGNORECASE)
_YAML_NAME = re.compile(r".+\.(yml|yaml)$", re.IGNORECASE)
_VARIABLE = re.compile(r"\$([a-zA-Z_]\w*)|\$\{([a-zA-Z_]\w*)\}|%([a-zA-Z_]\w*)%")


@dataclass
class Context:
    """What every level of includes shares: the project, variables, and the files read."""

    project: Path
    variables: Mapping[str, str] = field(default_factory=dict)
    max_includes: int = MAX_INCLUDES
    count: int = 0
    #: (path relative to the project, line of each top-level key), in the order read.
    files: list[tuple[str, dict[str, int]]] = field(default_factory=list)


def read(ctx: Context, location: str, inputs: Any = None) -> dict[str, Any]:
    """Read, interpolate and expand one project file; errors start with "`location`: "."""
    path = ctx.project / location
    try:
        size = path.stat().st_size
        if size > MAX_YAML_SIZE_BYTES:
            raise ConfigError(TOO_BIG)
        ci_file = load(path.read_bytes(), location)
        content = interpolate(ci_file.header, ci_file.content.value, inputs, ctx.variables)
    except ConfigError as e:
        msg = f"`{location}`: {e}"
        raise ConfigError(msg) from e
    ctx.files.append((location, ci_file.content.lines))
    if not isinstance(content, dict):
        msg = f"`{location}`: Invalid configuration format"
        raise ConfigError(msg)
    return expand({str(k): v for k, v in content.items()}, ctx)


def expand(values: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """``values`` with its ``include:`` files merged underneath, as GitLab's Processor does."""
    raw = values.get("include")
    locations = [x for x in (raw if isinstance(raw, list) else [raw]) if x is not None]
    locations = [_normalize(x, ctx) for x in locations]
    locations = [x for x in locations if _rules_pass(x, ctx)]
    locations = [y for x in locations for y in _wildcards(x, ctx)]
    locations = [_expand_variables(x, ctx) for x in locations]
    if not locations:
        return values
    kinds = [_kind(x) for x in locations]
    for location, kind in zip(locations, kinds, strict=True):
        ctx.count += 1
        if ctx.count > ctx.max_includes:
            msg = f"Maximum of {ctx.max_includes} nested includes are allowed!"
            raise ConfigError(msg)
        _verify(location, kind)
    merged: dict[str, Any] = {}
    for location in locations:
        merged = deep_merge(merged, _local(location, ctx))
    merged = deep_merge(merged, values)
    merged.pop("include", None)
    return merged


def _normalize(location: Any, ctx: Context) -> dict[str, Any]:
    if isinstance(location, str):
        location = _substitute(location, ctx.variables)
        return {"remote": location} if _URL.match(location) else {"local": location}
    if not isinstance(location, dict):
        msg = "include config should be a hash or a string"
        raise ConfigError(msg)
    unknown = [str(k) for k in location if k not in INCLUDE_KEYS]
    if unknown:
        msg = f"include config contains unknown keys: {', '.join(unknown)}"
        raise ConfigError(msg)
    return location


def _rules_pass(location: dict[str, Any], ctx: Context) -> bool:
    """GitLab's include rules: no rules passes; else the first matching rule's ``when``."""
    rules = location.get("rules")
    if rules is None:
        return True
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        msg = "include:rules config should be an array of hashes"
        raise ConfigError(msg)
    for rule in rules:
        unknown = [str(k) for k in rule if k not in RULE_KEYS]
        if unknown:
            msg = f"include:rules:rule config contains unknown keys: {', '.join(unknown)}"
            raise ConfigError(msg)
        if rule.get("when", "always") not in ("never", "always"):
            msg = f"include:rules:rule when unknown value: {rule['when']}"
            raise ConfigError(msg)
    for rule in rules:
        if _rule_matches(rule, ctx):
            return bool(rule.get("when") != "never")
    return False


def _rule_matches(rule: dict[str, Any], ctx: Context) -> bool:
    if "changes" in rule:
        msg = (
            "include:rules:changes is not supported by the local runner, which loads the "
            "configuration before it knows what changed"
        )
        raise ConfigError(msg)
    if "if" in rule:
        try:
            if not evaluate_if(str(rule["if"]), ctx.variables):
                return False
        except ConfigError as e:
            msg = f"include:{e}"
            raise ConfigError(msg) from e
    if "exists" in rule:
        exists = rule["exists"]
        if isinstance(exists, dict):
            exists = exists.get("paths")
        patterns = [exists] if isinstance(exists, str) else exists or []
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            msg = "include:rules:rule exists should be an array of strings or a string"
            raise ConfigError(msg)
        found = any(next(ctx.project.glob(p.lstrip("/")), None) is not None for p in patterns)
        if not found:
            return False
    return True


def _wildcards(location: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
    """GitLab's ``search_files_by_wildcard_path``: ``**`` spans folders, ``*`` does not."""
    pattern = location.get("local")
    if not isinstance(pattern, str) or "*" not in pattern:
        return [location]
    regex = re.escape(pattern.lstrip("/")).replace(r"\*\*", ".*?").replace(r"\*", "[^/]*?")
    compiled = re.compile(regex)
    found: list[str] = []
    for top, dirs, names in os.walk(ctx.project):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        rel = Path(top).relative_to(ctx.project).as_posix()
        prefix = "" if rel == "." else rel + "/"
        found.extend(prefix + n for n in names if compiled.fullmatch(prefix + n))
    return [{"local": path} for path in sorted(found)]


def _expand_variables(location: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        k: _substitute(v, ctx.variables) if isinstance(v, str) and k in (*SUBKEYS, "file") else v
        for k, v in location.items()
    }


def _substitute(text: str, variables: Mapping[str, str]) -> str:
    """GitLab's ``ExpandVariables.expand``: unknown variables become empty."""

    def value(m: re.Match[str]) -> str:
        return variables.get(m.group(1) or m.group(2) or m.group(3), "")

    return _VARIABLE.sub(value, text)


def _kind(location: dict[str, Any]) -> str:
    kinds = [k for k in SUBKEYS if location.get(k)]
    if len(kinds) == 1:
        return kinds[0]
    valid = "`, `".join(SUBKEYS)
    if not kinds:
        shown = json.dumps(location, separators=(",", ":"), default=str)
        msg = f"`{shown}` does not have a valid subkey for include. Valid subkeys are: `{valid}`"
    else:
        msg = f"Each include must use only one of: `{valid}`"
    raise ConfigError(msg)


def _verify(location: dict[str, Any], kind: str) -> None:
    where = location[kind]
    if kind != "local":
        shown = where if isinstance(where, str) else json.dumps(where, default=str)
        msg = (
            f"include:{kind} is not supported by the local runner, which cannot fetch `{shown}`; "
            "copy the file into the project and use include:local"
        )
        raise ConfigError(msg)
    if not isinstance(where, str):
        msg = f"Included file `{where}` needs to be a string"
        raise ConfigError(msg)
    if not _YAML_NAME.match(Path(where).name):
        msg = f"Included file `{where.lstrip('/')}` does not have YAML extension!"
        raise ConfigError(msg)


def _local(location: dict[str, Any], ctx: Context) -> dict[str, Any]:
    name = str(location["local"]).lstrip("/")
    path = (ctx.project / name).resolve()
    if not path.is_relative_to(ctx.project) or not path.is_file():
        msg = f"Local file `{name}` does not exist!"
        raise ConfigError(msg)
    if path.stat().st_size <= MAX_YAML_SIZE_BYTES and not path.read_bytes().strip():
        msg = f"Local file `{name}` is empty!"
        raise ConfigError(msg)
    content = read(ctx, name, location.get("inputs"))
    if not content:
        msg = f"Included file `{name}` does not have valid YAML syntax!"
        raise ConfigError(msg)
    return content
