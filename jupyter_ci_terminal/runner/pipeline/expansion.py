"""Variables inside variables, expanded in the two passes a GitLab job's variables go through.

1. GitLab (``Collection#sort_and_expand_all(keep_undefined: true, expand_raw_refs: false)``):
   definitions are ordered so that each comes after those it references, then ``$VAR``,
   ``${VAR}`` and ``%VAR%`` take the value defined so far; unknown references and references
   to raw (``expand: false``) variables are kept as written, ``$$`` is left alone, and a
   reference cycle leaves every value unexpanded.
2. gitlab-runner (``Variables.Expand``, Go's ``os.Expand``) expands every non-raw value again
   against the final values: ``$$`` becomes ``$``, an unknown variable becomes empty, and a
   raw variable's value is used as written.

The job's shell does not expand the result again (gitlab-runner exports values quoted).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

_NAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
#: GitLab's ``Collection::Item::VARIABLES_REGEXP``.
_GITLAB_REF = re.compile(rf"\$\$|%%|\$(?P<a>{_NAME})|\$\{{(?P<b>{_NAME})?\}}|%(?P<c>{_NAME})%")
_SHELL_SPECIAL = frozenset("*#$@!?-0123456789")
_ALNUM = frozenset("_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class Variable(NamedTuple):
    """One variable definition, in precedence order (later definitions of a key win)."""

    key: str
    value: str
    raw: bool = False


def _refs(value: str) -> list[str]:
    return [
        m.group("a") or m.group("b") or m.group("c")
        for m in _GITLAB_REF.finditer(value)
        if m.group("a") or m.group("b") or m.group("c")
    ]


def _order(items: list[Variable]) -> list[int] | None:
    """Indexes of ``items`` with each after the definitions it references; None on a cycle."""
    by_key: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        by_key.setdefault(item.key, []).append(i)
    children = [
        [] if item.raw else [j for ref in _refs(item.value) for j in by_key.get(ref, [])]
        for item in items
    ]
    # Tarjan's strongly connected components, in Ruby TSort's order (children first).
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    out: list[int] = []
    cyclic = False

    def visit(v: int) -> None:
        nonlocal cyclic
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in children[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            cyclic = cyclic or len(component) > 1
            out.extend(reversed(component))

    for v in range(len(items)):
        if v not in index:
            visit(v)
    return None if cyclic else out


def gitlab_pass(items: list[Variable]) -> list[Variable]:
    """GitLab's expansion before a job is sent to a runner (see the module docstring)."""
    order = _order(items)
    if order is None:
        return list(items)
    done: dict[str, Variable] = {}
    result: dict[int, Variable] = {}
    for i in order:
        item = items[i]
        if not item.raw and _refs(item.value):

            def replace(m: re.Match[str]) -> str:
                name = m.group("a") or m.group("b") or m.group("c")
                known = done.get(name) if name else None
                if known is None or known.raw:
                    return m.group(0)
                return known.value

            item = item._replace(value=_GITLAB_REF.sub(replace, item.value))
        done[item.key] = item
        result[i] = item
    return [result[i] for i in range(len(items))]


def shell_expand(value: str, lookup: Callable[[str], str]) -> str:
    """Go's ``os.Expand``: ``$NAME``, ``${NAME}`` and special ``$$``, ``$1``, ... replaced."""
    out: list[str] = []
    i = j = 0
    while j < len(value):
        if value[j] == "$" and j + 1 < len(value):
            out.append(value[i:j])
            name, width = _shell_name(value[j + 1 :])
            if name:
                out.append(lookup(name))
            elif not width:
                out.append("$")  # "$" not followed by a name stays
            j += width
            i = j + 1
        j += 1
    return "".join(out) + value[i:]


def _shell_name(s: str) -> tuple[str, int]:
    if s[0] == "{":
        if len(s) > 2 and s[1] in _SHELL_SPECIAL and s[2] == "}":
            return s[1], 3
        end = s.find("}")
        if end == 1:
            return "", 2  # "${}" is eaten
        if end < 0:
            return "", 1  # "${" without "}" is eaten
        return s[1:end], end + 1
    if s[0] in _SHELL_SPECIAL:
        return s[0], 1
    n = 0
    while n < len(s) and s[n] in _ALNUM:
        n += 1
    return s[:n], n


def runner_pass(items: list[Variable]) -> list[Variable]:
    """gitlab-runner's ``Variables.Expand`` over what GitLab sent."""
    final = {item.key: item.value for item in items}

    def lookup(name: str) -> str:
        if name == "$":
            return "$"
        return final.get(name, "")

    return [
        item if item.raw else item._replace(value=shell_expand(item.value, lookup))
        for item in items
    ]


def resolve(items: Iterable[Variable]) -> dict[str, str]:
    """Return the environment a job gets from its variable definitions (later keys win)."""
    return {item.key: item.value for item in runner_pass(gitlab_pass(list(items)))}
