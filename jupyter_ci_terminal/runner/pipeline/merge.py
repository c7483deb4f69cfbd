"""GitLab's merges after includes: ``extends``, then ``!reference`` tags, then ``default:``.

``extends`` follows ``Gitlab::Ci::Config::Extendable::Entry`` (deep merge of hashes, arrays
replaced, at most 10 ancestors), ``!reference`` follows ``Config::Yaml::Tags::Resolver`` (resolved
after ``extends``, so a reference may point at keys that came from ``extends``), and ``default:``
follows ``Entry::Default`` with the job's ``inherit:default``.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from .yamlfile import Reference

#: Ancestors allowed above a job in an ``extends`` chain (GitLab's MAX_NESTING_LEVELS).
MAX_EXTENDS_DEPTH = 10
#: Levels of nested arrays GitLab accepts where a list of strings is expected (so !reference nests 10 deep).
MAX_NESTING = 10
#: Top-level keywords that are not jobs.
KEYWORDS = frozenset(
    {"default", "include", "before_script", "image", "services", "after_script", "variables"}
    | {"stages", "cache", "workflow", "spec"}
)
DEFAULT_KEYS = frozenset(
    {"after_script", "artifacts", "before_script", "cache", "hooks", "id_tokens", "identity"}
    | {"image", "interruptible", "retry", "services", "tags", "timeout"}
)
#: Deprecated top-level keywords that still act as ``default:`` entries.
GLOBAL_DEFAULTS = ("before_script", "after_script", "image", "services", "cache")


def deep_merge(base: dict[Any, Any], other: dict[Any, Any]) -> dict[Any, Any]:
    """Rails' ``Hash#deep_merge``: hashes merge recursively, anything else is replaced."""
    out = dict(base)
    for key, value in other.items():
        mine = out.get(key)
        if isinstance(mine, dict) and isinstance(value, dict):
            out[key] = deep_merge(mine, value)
        else:
            out[key] = value
    return out


def extend(config: dict[str, Any]) -> dict[str, Any]:
    """Apply every top-level ``extends:``, in file order; the job keeps its ``extends`` key."""
    context = dict(config)
    # Each merged key's longest chain of entries that extend, to check depth when reused.
    chains: dict[str, tuple[str, ...]] = {}
    for key in list(context):
        _extend(context, key, (), chains)
    return context


def _extend(
    context: dict[str, Any],
    key: str,
    ancestors: tuple[str, ...],
    chains: dict[str, tuple[str, ...]],
) -> tuple[Any, tuple[str, ...]]:
    value = context[key]
    if key in chains:
        # GitLab extends a base again for every job that uses it, so depth counts from each job.
        for level, entry in enumerate(chains[key]):
            if len(ancestors) + level > MAX_EXTENDS_DEPTH:
                msg = f"{entry}: nesting too deep in `extends`"
                raise ConfigError(msg)
        return value, chains[key]
    if not (isinstance(value, dict) and "extends" in value):
        return value, ()
    raw = value["extends"]
    parents = [str(p) for p in (raw if isinstance(raw, list) else [raw])]
    unknown = [p for p in parents if p not in context]
    if unknown:
        msg = f"{key}: unknown keys in `extends` ({', '.join(unknown)})"
        raise ConfigError(msg)
    invalid = [p for p in parents if not isinstance(context[p], dict)]
    if invalid:
        msg = f"{key}: invalid base hashes in `extends` ({', '.join(invalid)})"
        raise ConfigError(msg)
    if len(ancestors) > MAX_EXTENDS_DEPTH:
        msg = f"{key}: nesting too deep in `extends`"
        raise ConfigError(msg)
    if key in ancestors:
        msg = f"{key}: circular dependency detected in `extends`"
        raise ConfigError(msg)
    merged: dict[str, Any] = {}
    longest: tuple[str, ...] = ()
    for parent in parents:
        base, chain = _extend(context, parent, (*ancestors, key), chains)
        merged = deep_merge(merged, base)
        longest = max(longest, chain, key=len)
    context[key] = deep_merge(merged, value)
    chains[key] = (key, *longest)
    return context[key], chains[key]


def resolve_references(config: dict[str, Any]) -> dict[str, Any]:
    """Replace every ``!reference`` with the value it points at, as GitLab's Resolver does.

    A reference that yields a list, written as an item of a list, is spliced into that list, which
    is how GitLab's scripts and rules read ``[!reference [.a, script], echo]``. GitLab keeps such
    lists nested and accepts 10 levels; the levels are counted here as if they were nested.
    """
    resolver = _Resolver(config)
    out: dict[str, Any] = {}
    for key, value in config.items():
        # Hidden keys are never checked by GitLab; what uses them is.
        where = None if key.startswith(".") else key if key in KEYWORDS else f"jobs:{key}"
        out[key] = resolver.deep(value, where)
    return out


class _Resolver:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.done: dict[tuple[str, ...], Any] = {}
        self.stack: list[tuple[str, ...]] = []
        # Levels each resolved list would have if spliced references were nested lists.
        self.levels: dict[int, int] = {}

    def deep(self, value: Any, where: str | None) -> Any:
        if isinstance(value, Reference):
            return self.reference(value)
        if isinstance(value, dict):
            return {k: self.deep(v, where and f"{where}:{k}") for k, v in value.items()}
        if isinstance(value, list):
            out: list[Any] = []
            levels = 1
            for item in value:
                new = self.deep(item, where)
                if isinstance(new, list):
                    levels = max(levels, self.levels.get(id(new), 1) + 1)
                if isinstance(item, Reference) and isinstance(new, list):
                    out.extend(new)
                else:
                    out.append(new)
            if where and levels > MAX_NESTING:
                msg = f"{where} config should be a string or a nested array of strings up to 10 levels deep"
                raise ConfigError(msg)
            self.levels[id(out)] = levels
            return out
        return value

    def reference(self, ref: Reference) -> Any:
        if not ref.valid:
            msg = f"{ref} is not valid{ref.where}"
            raise ConfigError(msg)
        path = tuple(ref.seq or [])
        if path in self.done:
            return self.done[path]
        if path in self.stack:
            msg = f"{ref} is part of a circular chain{ref.where}"
            raise ConfigError(msg)
        self.stack.append(path)
        try:
            value = self.deep(self._dig(path, ref), None)
        finally:
            self.stack.pop()
        if value is None or value is False:
            # Ruby's `raise ... unless value`: false and nil both count as missing.
            msg = f"{ref} could not be found{ref.where}"
            raise ConfigError(msg)
        self.done[path] = value
        return value

    def _dig(self, path: tuple[str, ...], ref: Reference) -> Any:
        node: Any = self.config
        for part in path:
            if node is None:
                return None
            if not isinstance(node, dict):
                # Ruby's Hash#dig raises TypeError on anything but a hash here.
                msg = f"{ref} could not be found{ref.where}"
                raise ConfigError(msg)
            node = node.get(part)
        return node


def inherited_defaults(job: dict[str, Any], default: dict[str, Any]) -> dict[str, Any]:
    """The ``default:`` entries a job takes: those it does not set and ``inherit:default`` allows."""
    inherit = job.get("inherit")
    allowed: Any = True
    if isinstance(inherit, dict) and "default" in inherit:
        allowed = inherit["default"]
    if allowed is False:
        return {}
    keys = set(default) if allowed is True else set(allowed)
    return {k: v for k, v in default.items() if k in keys and k not in job}


def check_inherit(name: str, job: dict[str, Any]) -> None:
    """GitLab's checks of ``inherit:default`` (``inherit:variables`` is left to the job spec)."""
    inherit = job.get("inherit")
    if inherit is None:
        return
    if not isinstance(inherit, dict):
        msg = f"jobs:{name}:inherit config should be a hash"
        raise ConfigError(msg)
    unknown = [str(k) for k in inherit if k not in ("default", "variables")]
    if unknown:
        msg = f"jobs:{name}:inherit config contains unknown keys: {', '.join(unknown)}"
        raise ConfigError(msg)
    value = inherit.get("default", True)
    if isinstance(value, bool):
        return
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        msg = f"jobs:{name}:inherit:default should be a bool or array of strings"
        raise ConfigError(msg)
    bad = [v for v in value if v not in DEFAULT_KEYS]
    if bad:
        msg = f"jobs:{name}:inherit:default config contains unknown values: {', '.join(bad)}"
        raise ConfigError(msg)


def global_default(config: dict[str, Any]) -> dict[str, Any]:
    """``default:`` checked, with the deprecated top-level keywords folded in as GitLab does."""
    default = config.get("default")
    if default is None:
        default = {}
    if not isinstance(default, dict):
        msg = "default config should be a hash"
        raise ConfigError(msg)
    unknown = [str(k) for k in default if k not in DEFAULT_KEYS]
    if unknown:
        msg = f"default config contains unknown keys: {', '.join(unknown)}"
        raise ConfigError(msg)
    out = dict(default)
    for key in GLOBAL_DEFAULTS:
        if key in config:
            if key in default:
                msg = f"{key} is defined in top-level and `default:` entry"
                raise ConfigError(msg)
            out[key] = config[key]
    return out
