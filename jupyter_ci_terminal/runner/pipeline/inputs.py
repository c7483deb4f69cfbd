"""``spec:inputs`` headers and ``$[[ inputs.x ]]`` interpolation, with GitLab's checks and messages.

Follows ``Gitlab::Ci::Config::Interpolation``: a file with a ``spec:`` header gets its inputs
checked against the spec (types, options, regex, required) and every string of its content
interpolated; a file without a header accepts no inputs. A block that is a whole string keeps the
input's type; an array input written as an item of an array is spliced into it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ...errors import ConfigError
from .yamlfile import ruby_inspect

TYPES = ("array", "boolean", "number", "string")
INPUT_KEYS = frozenset({"default", "description", "options", "regex", "type"})
MAX_OPTIONS = 50
MAX_FUNCTIONS = 3
MAX_BLOCKS = 10_000
_BLOCK = re.compile(r"\$\[\[\s*(\S.*?\S)\s*\]\]")
_VARIABLE = re.compile(r"\$([a-zA-Z_]\w*)|\$\{([a-zA-Z_]\w*)\}|%([a-zA-Z_]\w*)%")
_TRUNCATE = re.compile(r"^truncate\(\s*(\d+)\s*,\s*(\d+)\s*\)?$")


def interpolate(
    header: dict[str, Any] | None,
    content: Any,
    args: Mapping[str, Any] | None,
    variables: Mapping[str, str],
) -> Any:
    """Return ``content`` with its inputs interpolated; problems raise GitLab's messages."""
    args = dict(args or {})
    if header is None:
        if args:
            msg = "unknown input arguments"
            raise ConfigError(msg)
        return content
    values = resolve(_spec(header), args)
    return _Template({"inputs": values}, variables).replace(content)


def _spec(header: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Check the header as GitLab's ``Header::Root`` does and return the inputs' specs."""
    _known_keys(header, {"spec"}, "header")
    spec = header.get("spec") or {}
    if not isinstance(spec, dict):
        msg = "header:spec config should be a hash"
        raise ConfigError(msg)
    _known_keys(spec, {"inputs"}, "header:spec")
    inputs = spec.get("inputs") or {}
    if not isinstance(inputs, dict):
        msg = "header:spec:inputs config should be a hash"
        raise ConfigError(msg)
    specs: dict[str, dict[str, Any]] = {}
    for name, item in inputs.items():
        where = f"header:spec:inputs:{name}"
        item = {} if item is None else item
        if not isinstance(item, dict):
            msg = f"{where} config should be a hash"
            raise ConfigError(msg)
        _known_keys(item, INPUT_KEYS, where)
        if item.get("type", "string") not in TYPES:
            msg = f"{where} input type unknown value: {item['type']}"
            raise ConfigError(msg)
        if "options" in item and not isinstance(item["options"], list):
            msg = f"{where} input options should be a array"
            raise ConfigError(msg)
        if len(item.get("options") or []) > MAX_OPTIONS:
            msg = f"{where} config cannot define more than {MAX_OPTIONS} options"
            raise ConfigError(msg)
        if "regex" in item and not isinstance(item["regex"], str):
            msg = f"{where} input regex should be a string"
            raise ConfigError(msg)
        specs[str(name)] = item
    return specs


def _known_keys(value: Any, allowed: set[str] | frozenset[str], where: str) -> None:
    if not isinstance(value, dict):
        msg = f"{where} config should be a hash"
        raise ConfigError(msg)
    unknown = [str(k) for k in value if k not in allowed]
    if unknown:
        msg = f"{where} config contains unknown keys: {', '.join(unknown)}"
        raise ConfigError(msg)


def resolve(specs: dict[str, dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
    """Each input's value (argument or default), checked as GitLab's input classes check it."""
    errors: list[str] = []
    unknown = [str(k) for k in args if k not in specs]
    if unknown:
        errors.append(f"unknown input arguments: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        problems = _check_input(name, spec, args.get(name))
        errors.extend(f"`{name}` input: {p}" for p in problems)
        values[name] = spec.get("default") if args.get(name) is None else args[name]
    if errors:
        raise ConfigError(", ".join(errors[:3]))
    return values


def _check_input(name: str, spec: dict[str, Any], value: Any) -> list[str]:
    kind = spec.get("type", "string")
    if "default" not in spec and value is None:
        return ["required value has not been provided"]
    problems: list[str] = []
    checks = [(spec["default"], "default")] if "default" in spec else []
    if value is not None:
        checks.append((value, "provided"))
    for item, which in checks:
        if not _is_type(item, kind):
            article = "an" if kind == "array" else "a"
            problems.append(f"{which} value is not {article} {kind}")
        if spec.get("options") is not None:
            if kind not in ("string", "number"):
                problems.append("Options can only be used with string and number inputs")
            elif item not in spec["options"]:
                the = "the " if kind == "number" else ""
                problems.append(
                    f"`{item}` cannot be used because it is not in the list of {the}allowed options"
                )
        if "regex" in spec:
            if kind != "string":
                problems.append("RegEx validation can only be used with string inputs")
            elif isinstance(item, str):
                try:
                    matched = re.search(spec["regex"], item) is not None
                except re.error:
                    problems.append("invalid regular expression")
                else:
                    if not matched:
                        problems.append(f"{which} value does not match required RegEx pattern")
    return problems


def _is_type(value: Any, kind: str) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    return isinstance(value, str)


class _Template:
    """Replaces ``$[[ ... ]]`` blocks in keys and string values of parsed YAML."""

    def __init__(self, context: dict[str, Any], variables: Mapping[str, str]) -> None:
        self.context, self.variables = context, variables
        self.blocks: dict[str, Any] = {}

    def replace(self, node: Any) -> Any:
        if isinstance(node, dict):
            return {self.replace(k): self.replace(v) for k, v in node.items()}
        if isinstance(node, list):
            out: list[Any] = []
            for item in node:
                new = self.replace(item)
                # An array input given as an item of an array becomes items of that array.
                if isinstance(item, str) and isinstance(new, list):
                    out.extend(new)
                else:
                    out.append(new)
            return out
        if isinstance(node, str) and "$[[" in node:
            return self._string(node)
        return node  # numbers, booleans, None and unresolved !reference tags

    def _string(self, node: str) -> Any:
        matches = list(_BLOCK.finditer(node))
        if not matches:
            return node
        values = [self._block(m.group(0), m.group(1)) for m in matches]
        if len(matches) == 1 and matches[0].group(0) == node:
            return values[0]
        for m, value in zip(matches, values, strict=True):
            node = node.replace(m.group(0), _to_s(value))
        return node

    def _block(self, block: str, data: str) -> Any:
        if block in self.blocks:
            return self.blocks[block]
        if len(self.blocks) >= MAX_BLOCKS:
            msg = "too many interpolation blocks"
            raise ConfigError(msg)
        access, *functions = (part.strip() for part in data.split("|"))
        value = self._access(access)
        if len(functions) > MAX_FUNCTIONS:
            msg = "too many functions in interpolation block"
            raise ConfigError(msg)
        for expression in functions:
            value = self._function(expression)(value)
        self.blocks[block] = value
        return value

    def _access(self, access: str) -> Any:
        objects = access.split(".", 4)
        if len(objects) <= 1:
            msg = "invalid interpolation access pattern"
            raise ConfigError(msg)
        if len(access.encode()) > 1024:
            msg = "maximum interpolation expression size exceeded"
            raise ConfigError(msg)
        value: Any = self.context
        for key in objects:
            if not isinstance(value, dict) or key not in value:
                msg = f"unknown interpolation key: `{key}`"
                raise ConfigError(msg)
            value = value[key]
        return value

    def _function(self, expression: str) -> Callable[[Any], Any]:
        m = _TRUNCATE.match(expression)
        if m:
            offset, length = int(m.group(1)), int(m.group(2))
            return lambda value: _string_only("truncate", value)[offset : offset + length]
        if expression == "expand_vars":
            return lambda value: _VARIABLE.sub(self._expand, _string_only("expand_vars", value))
        msg = (
            f"no function matching `{expression}`: "
            "check that the function name, arguments, and types are correct"
        )
        raise ConfigError(msg)

    def _expand(self, m: re.Match[str]) -> str:
        # GitLab's expand_existing: unknown variables stay as written.
        name = m.group(1) or m.group(2) or m.group(3)
        return self.variables.get(name, m.group(0))


def _string_only(function: str, value: Any) -> str:
    if not isinstance(value, str):
        msg = (
            f"error in `{function}` function: invalid input type: "
            f"{function} can only be used with string inputs"
        )
        raise ConfigError(msg)
    return value


def _to_s(value: Any) -> str:
    """Ruby's ``to_s`` of an input value, as GitLab writes it inside a longer string."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | dict):
        return ruby_inspect(value)
    return "" if value is None else str(value)
