"""Path globs as gitlab-runner matches them (the ``doublestar`` library, v4).

``*`` and ``?`` stay inside one path segment, ``[...]``/``[!...]`` are character classes,
``{a,b}`` are alternatives, and ``**`` spans directories only as a whole segment (``a/**/b``,
``**/x``, ``x/**``); anywhere else (``**.txt``) it is a plain ``*``, as doublestar documents.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

META = "*?[{"


def has_meta(pattern: str) -> bool:
    """Return whether ``pattern`` is a glob rather than a plain path."""
    return any(c in pattern for c in META)


def split_pattern(pattern: str) -> tuple[str, str]:
    """Split into the literal directory part and the glob part (doublestar's ``SplitPattern``)."""
    parts = pattern.split("/")
    for i, part in enumerate(parts):
        if has_meta(part):
            return "/".join(parts[:i]) or ".", "/".join(parts[i:])
    return pattern, ""


def _segment(seg: str) -> str:
    out, i = [], 0
    while i < len(seg):
        c = seg[i]
        if c == "\\" and i + 1 < len(seg):
            out.append(re.escape(seg[i + 1]))
            i += 2
            continue
        if c == "*":
            while i + 1 < len(seg) and seg[i + 1] == "*":
                i += 1
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and (end := seg.find("]", i + 2)) != -1:
            body = seg[i + 1 : end]
            neg = body[:1] in ("!", "^")
            body = body[1:] if neg else body
            out.append(f"[{'^' if neg else ''}{body.replace(chr(92), chr(92) * 2)}]")
            i = end
        elif c == "{" and (end := seg.find("}", i)) != -1:
            alts = seg[i + 1 : end].split(",")
            out.append("(?:" + "|".join(_segment(a) for a in alts) + ")")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Return a regex matching whole slash-separated relative paths as doublestar does."""
    segs = [s for s in pattern.split("/") if s not in ("", ".")]
    out = ""
    for i, seg in enumerate(segs):
        last = i == len(segs) - 1
        if seg == "**" and last:
            # A trailing ``/**`` also matches the directory itself.
            out += "(?:/.*)?" if i else ".*"
            continue
        if i and not out.endswith("/)*"):
            out += "/"
        out += "(?:[^/]+/)*" if seg == "**" else _segment(seg)
    return re.compile(out + r"\Z", re.DOTALL)


def match(pattern: str, path: str) -> bool:
    """Return whether the relative ``path`` matches ``pattern`` (doublestar's ``Match``)."""
    return compile_pattern(pattern).match(path.strip("/")) is not None


def _walk(root: Path, base: str) -> Iterator[str]:
    start = root / base if base != "." else root
    if not start.is_dir() or start.is_symlink():
        return
    for directory, dirs, files in os.walk(start):
        rel = Path(directory).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirs.sort()
        for name in sorted(dirs + files):
            yield prefix + name


def glob(root: Path, pattern: str) -> list[str]:
    """Return the paths under ``root`` (files and directories, relative) matching ``pattern``.

    Like doublestar's ``Glob`` with ``WithNoFollow``: symbolic links to directories are matched
    but not entered. A plain path (no glob characters) matches when it exists.
    """
    pattern = pattern.strip("/") or "."
    if not has_meta(pattern):
        path = root / pattern
        return [pattern] if path.is_symlink() or path.exists() else []
    base, _ = split_pattern(pattern)
    regex = compile_pattern(pattern)
    return [p for p in _walk(root, base) if regex.match(p)]
