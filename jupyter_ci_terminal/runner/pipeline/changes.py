"""``rules:changes`` (and ``only/except:changes``): the files a pipeline changed, and GitLab's globs.

GitLab compares a branch pipeline's commit with the previous push; it has no diff (so ``changes``
is true) for a new branch and for pipelines without a push (web, API, schedules). The local
runner's pipelines run the work tree, so its "push" is HEAD against its parent plus what is not
committed yet (tracked edits and untracked files that git does not ignore). Without a git
repository, or with a single commit, there is no previous push and ``changes`` is true.
``compare_to: ref`` diffs against the merge base of ``ref`` and HEAD, whatever the source.

Globs follow Ruby's ``File.fnmatch`` with ``FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB``, which is
what GitLab calls: ``*`` and ``?`` stay within a directory, ``**/`` spans directories (zero or
more), ``{a,b}`` alternates, dot files match like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from .variables import expand_value, git

MAX_PATHS = 50


def changes_spec(value: Any, where: str) -> dict[str, Any]:
    """Normalise a ``changes:`` value to ``{"paths": [...], "compare_to": ref | None}``."""
    if isinstance(value, list):
        value = {"paths": value}
        paths_where = f"{where} config"
    elif isinstance(value, dict):
        extra = sorted(set(value) - {"paths", "compare_to"})
        if extra:
            msg = f"{where} config contains unknown keys: {', '.join(map(str, extra))}"
            raise ConfigError(msg)
        if "paths" not in value:
            msg = f"{where} config missing required keys: paths"
            raise ConfigError(msg)
        paths_where = f"{where} paths"
    else:
        msg = f"{where} should be an array or a hash"
        raise ConfigError(msg)
    paths = value["paths"]
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        msg = f"{paths_where} should be an array of strings"
        raise ConfigError(msg)
    if len(paths) > MAX_PATHS:
        msg = f"{paths_where} has too many entries (maximum {MAX_PATHS})"
        raise ConfigError(msg)
    compare_to = value.get("compare_to")
    if compare_to is not None and not isinstance(compare_to, str):
        msg = f"{where} compare to should be a string"
        raise ConfigError(msg)
    return {"paths": list(paths), "compare_to": compare_to}


class ChangedFiles:
    """The paths a pipeline changed, read from the project's git repository on first use."""

    def __init__(self, project: Path, *, repo: bool, push: bool, skip: Iterable[Path] = ()):
        self.project, self.repo, self.push = project, repo, push
        root = project.resolve()
        # The runner's own state (builds, database) lives in the project but is not a change.
        self._skip = tuple(
            p.resolve().relative_to(root).as_posix() + "/"
            for p in skip
            if p.resolve().is_relative_to(root) and p.resolve() != root
        )
        self._cache: dict[str | None, list[str] | None] = {}

    def paths(self, compare_to: str | None = None) -> list[str] | None:
        """Return the changed paths, or None when there is nothing to compare with (true)."""
        if compare_to not in self._cache:
            self._cache[compare_to] = self._read(compare_to)
        return self._cache[compare_to]

    def _read(self, compare_to: str | None) -> list[str] | None:
        if not self.repo:
            return None
        if compare_to is None:
            if not self.push:
                return None
            base = git(self.project, "rev-parse", "-q", "--verify", "HEAD~1^{commit}")
        else:
            ref = git(self.project, "rev-parse", "-q", "--verify", f"{compare_to}^{{commit}}")
            if ref is None:
                msg = "rules:changes:compare_to is not a valid ref"
                raise ConfigError(msg)
            base = git(self.project, "merge-base", ref.strip(), "HEAD") or ref
        if base is None:
            return None
        # --no-renames: a rename counts as its old and its new path, as in GitLab's diff.
        # --relative: paths from the project folder (like ls-files'), which may be a subfolder.
        diff = git(
            self.project, "diff", "--name-only", "--no-renames", "--relative", "-z", base.strip()
        )
        untracked = git(self.project, "ls-files", "--others", "--exclude-standard", "-z")
        if diff is None or untracked is None:
            return None
        names = [n for n in (diff + untracked).split("\0") if n]
        return [n for n in dict.fromkeys(names) if not n.startswith(self._skip)]


def satisfied(
    spec: dict[str, Any], changed: ChangedFiles | None, variables: dict[str, str]
) -> bool:
    """Evaluate one ``changes:`` clause (already normalised) as GitLab's ``Clause::Changes``."""
    if changed is None:
        return True
    compare_to = spec.get("compare_to")
    paths = changed.paths(expand_value(compare_to, variables) if compare_to else None)
    if paths is None:
        return True
    globs = list(dict.fromkeys(expand_value(g, variables) for g in spec["paths"]))
    return any(fnmatch(glob, path) for path in paths for glob in globs)


def fnmatch(pattern: str, path: str) -> bool:
    """Match ``path`` as Ruby's ``File.fnmatch(pattern, path, PATHNAME | DOTMATCH | EXTGLOB)``."""
    return any(_compile(p).fullmatch(path) for p in _braces(pattern))


def _braces(pattern: str) -> list[str]:
    """Expand the first top-level ``{a,b}`` (recursively), as Ruby's FNM_EXTGLOB does."""
    depth, start, i = 0, -1, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            if depth == 0:
                start = i
            depth += 1
        elif c == "}" and depth:
            depth -= 1
            if depth == 0:
                head, tail = pattern[:start], pattern[i + 1 :]
                out: list[str] = []
                for part in _split_commas(pattern[start + 1 : i]):
                    out.extend(_braces(head + part + tail))
                return out
        i += 1
    return [pattern]


def _split_commas(body: str) -> list[str]:
    parts, depth, current, i = [], 0, "", 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            current += body[i : i + 2]
            i += 2
            continue
        if c == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            depth += {"{": 1, "}": -1}.get(c, 0)
            current += c
        i += 1
    return [*parts, current]


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    out, i, n = [], 0, len(pattern)
    while i < n:
        if (i == 0 or pattern[i - 1] == "/") and pattern.startswith("**/", i):
            while pattern.startswith("**/", i):
                i += 3
            out.append("(?:[^/]*/)*")
            continue
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            cls, i = _bracket(pattern, i + 1)
            out.append(cls)
            continue
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _bracket(pattern: str, i: int) -> tuple[str, int]:
    """Translate ``[...]`` starting after ``[``; return the regex and the index after ``]``."""
    negate = i < len(pattern) and pattern[i] in "!^"
    i += negate
    items: list[str] = []
    while i < len(pattern) and pattern[i] != "]":
        lo, i = _bracket_char(pattern, i)
        if i + 1 < len(pattern) and pattern[i] == "-" and pattern[i + 1] != "]":
            hi, i = _bracket_char(pattern, i + 1)
            items.append(f"{re.escape(lo)}-{re.escape(hi)}")
        else:
            items.append(re.escape(lo))
    if i >= len(pattern):
        return "(?!)", i  # an unterminated bracket never matches, as in Ruby
    if not items:
        return ("[^/]" if negate else "(?!)"), i + 1
    return f"(?!/)[{'^' if negate else ''}{''.join(items)}]", i + 1


def _bracket_char(pattern: str, i: int) -> tuple[str, int]:
    if pattern[i] == "\\" and i + 1 < len(pattern):
        return pattern[i + 1], i + 2
    return pattern[i], i + 1
