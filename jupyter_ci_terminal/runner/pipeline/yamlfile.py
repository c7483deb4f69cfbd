"""Bounded safe YAML for CI/CD files: GitLab's size and depth limits, ``!reference`` tags, spec headers.

GitLab loads each file with ``YAML.safe_load`` and rejects it when the parsed data is larger than
``max_yaml_size_bytes`` (2 MB by default) or nested deeper than ``max_yaml_depth`` (100). Its
measure is the memory of the parsed objects, counting an aliased node every time it is used, which
is what stops a YAML alias bomb. This module measures the composed node graph the same way (with
a per-node memo, so measuring a bomb is itself cheap) before anything is constructed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ...errors import ConfigError

#: GitLab's ``max_yaml_size_bytes`` default (2 MB since GitLab 17.3).
MAX_YAML_SIZE_BYTES = 2 * 1024 * 1024
#: GitLab's ``max_yaml_depth`` default.
MAX_YAML_DEPTH = 100
TOO_BIG = "The parsed YAML is too big"
# GitLab's MultiDocYaml splits on this before parsing; a leading divider does not count.
_DIVIDER = re.compile(r"^---\s+", re.MULTILINE)

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """Safe YAML with ``!reference``; dates stay strings, as jobs only ever use them as text."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}


@dataclass(eq=False)
class Reference:
    """An unresolved ``!reference`` tag; its data is kept as written for GitLab's messages."""

    seq: list[Any] | None = None
    scalar: str | None = None
    map: dict[Any, Any] | None = None
    #: Where the tag is written, for messages: `` (file line N)`` or "".
    where: str = ""

    @property
    def valid(self) -> bool:
        return bool(self.seq) and all(isinstance(part, str) for part in self.seq or [])

    def __str__(self) -> str:
        data: Any = self.scalar or self.map or self.seq or []
        return f"!reference {ruby_inspect(data)}"


def ruby_inspect(value: Any) -> str:
    """Ruby's ``inspect`` for plain YAML data, as GitLab prints it in messages."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(ruby_inspect(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{ruby_inspect(k)}=>{ruby_inspect(v)}" for k, v in value.items()) + "}"
        )
    if value is None:
        return "nil"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _construct_reference(loader: Any, node: yaml.Node) -> Reference:
    name, offset = getattr(loader, "ci_file", ("", 0))
    where = f" ({name} line {node.start_mark.line + 1 + offset})" if name else ""
    if isinstance(node, yaml.SequenceNode):
        return Reference(seq=loader.construct_sequence(node, deep=True), where=where)
    if isinstance(node, yaml.MappingNode):
        return Reference(map=loader.construct_mapping(node, deep=True), where=where)
    return Reference(scalar=str(loader.construct_scalar(node)), where=where)


_Loader.add_constructor("!reference", _construct_reference)


@dataclass
class Document:
    """One parsed YAML document and the line of each top-level key (1-based, in the file)."""

    value: Any
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class CIFile:
    """A CI/CD file split as GitLab splits it: an optional ``spec:`` header and the content."""

    header: dict[str, Any] | None
    content: Document
    text: str


def load(data: bytes, name: str = "") -> CIFile:
    """Decode and split a CI/CD file; messages do not name the file (callers prefix it).

    ``name`` only marks where ``!reference`` tags are written, for later messages.
    """
    return split(decode(data), name)


def decode(data: bytes) -> str:
    """The file's text; binary or non-UTF-8 content is refused with one sentence."""
    if len(data) > MAX_YAML_SIZE_BYTES:
        # Parsed data is never smaller than this in GitLab's measure, so refuse before parsing.
        raise ConfigError(TOO_BIG)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        msg = f"the file is not UTF-8 text (invalid byte at offset {e.start}), so it cannot be CI/CD configuration"
        raise ConfigError(msg) from e
    if "\x00" in text:
        msg = "the file is binary (it contains NUL bytes), so it cannot be CI/CD configuration"
        raise ConfigError(msg)
    return text


def split(text: str, name: str = "") -> CIFile:
    """Split ``text`` into GitLab's header (a first document with ``spec:``) and content."""
    parts = _DIVIDER.split(text, maxsplit=2)
    offsets = [0]
    for m in _DIVIDER.finditer(text):
        offsets.append(text.count("\n", 0, m.end()))
        if len(offsets) == len(parts):
            break
    if len(parts) > 1 and not parts[0].strip():
        parts, offsets = parts[1:], offsets[1:]
    first = parse(parts[0], offsets[0], name)
    if len(parts) > 1 and isinstance(first.value, dict) and "spec" in first.value:
        return CIFile(first.value, parse(parts[-1], offsets[-1], name), text)
    return CIFile(None, first, text)


def parse(text: str, line_offset: int = 0, name: str = "") -> Document:
    """Parse one YAML document within GitLab's limits; errors give the line."""
    loader = _Loader(text)
    loader.ci_file = (name, line_offset)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(None)
        _measure(node)
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        raise ConfigError(_yaml_message(e, line_offset)) from e
    except yaml.YAMLError as e:
        msg = str(e).replace("\n", " ")
        raise ConfigError(msg) from e
    except RecursionError as e:
        raise ConfigError(TOO_BIG) from e
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines.setdefault(str(key.value), key.start_mark.line + 1 + line_offset)
    return Document(value, lines)


def _yaml_message(e: yaml.MarkedYAMLError, line_offset: int) -> str:
    # Psych's format: problem, context, and the context's position when there is one.
    mark = e.context_mark or e.problem_mark
    words = " ".join(w for w in (e.problem, e.context) if w) or "invalid YAML"
    where = f" at line {mark.line + 1 + line_offset} column {mark.column + 1}" if mark else ""
    return f"{words}{where}"


def _measure(root: yaml.Node) -> None:
    """Raise GitLab's "too big" error if the data, aliases expanded, is too large or too deep.

    Sizes follow Ruby's object sizes roughly (40 bytes an object, more for long strings and
    containers), so the limit means about what ``max_yaml_size_bytes`` means in GitLab.
    """
    memo: dict[int, tuple[int, int]] = {}

    def visit(node: yaml.Node, depth: int) -> tuple[int, int]:
        if depth > MAX_YAML_DEPTH:
            raise ConfigError(TOO_BIG)
        known = memo.get(id(node))
        if known is not None:
            return known
        memo[id(node)] = (0, 0)  # a recursive alias counts once instead of looping
        if isinstance(node, yaml.ScalarNode):
            n = len(node.value)
            size, height = (40 if n <= 23 else 41 + n), 0
        else:
            items = (
                [part for pair in node.value for part in pair]
                if isinstance(node, yaml.MappingNode)
                else node.value
            )
            size, height = 40 + 8 * len(items), 0
            for child in items:
                child_size, child_height = visit(child, depth + 1)
                size += child_size
                height = max(height, child_height + 1)
                if size > MAX_YAML_SIZE_BYTES:
                    raise ConfigError(TOO_BIG)
            if depth + height > MAX_YAML_DEPTH:
                raise ConfigError(TOO_BIG)
        memo[id(node)] = (size, height)
        return size, height

    visit(root, 1)
