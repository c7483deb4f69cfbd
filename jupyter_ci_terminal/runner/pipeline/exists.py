"""``rules:exists``: whether a file matching one of the globs is in the project.

GitLab (``Rules::Rule::Clause::Exists``) matches the globs, after ``$VAR`` expansion of known
variables, against the paths of the files in the pipeline's commit with Ruby's ``File.fnmatch``
(``FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB``): only files match, never directories, and an
empty glob matches nothing. The local runner's pipelines run the work tree, so its files are
what git tracks plus untracked files it does not ignore (every file outside a git repository),
without the runner's own state folders.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .changes import fnmatch
from .variables import expand_value, git


class ProjectFiles:
    """The project's file paths (relative, ``/``-separated), listed once on first use."""

    def __init__(self, project: Path, *, repo: bool | None = None, skip: Iterable[Path] = ()):
        self.project, self.repo = project, repo
        root = project.resolve() if project.exists() else project
        self._skip = tuple(
            p.resolve().relative_to(root).as_posix() + "/"
            for p in skip
            if p.resolve().is_relative_to(root) and p.resolve() != root
        )
        self._paths: list[str] | None = None

    def paths(self) -> list[str]:
        """Return the files (listed at the first call)."""
        if self._paths is None:
            found = self._list()
            self._paths = [p for p in found if not p.startswith(self._skip)]
        return self._paths

    def _list(self) -> list[str]:
        if not self.project.is_dir():
            return []
        if self.repo is not False:
            out = git(self.project, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
            if out is not None:
                return sorted({p for p in out.split("\0") if p})
        found: list[str] = []
        for folder, dirs, files in os.walk(self.project):
            dirs[:] = [d for d in dirs if d != ".git"]
            rel = Path(folder).relative_to(self.project)
            found.extend((rel / f).as_posix() for f in files)
        return sorted(found)


#: GitLab's ``MAX_PATTERN_COMPARISONS``: past this many glob checks, ``exists`` is true.
MAX_PATTERN_COMPARISONS = 10_000
_GLOB_CHARS = frozenset("*?[{")


def exists(globs: list[str], files: ProjectFiles, variables: dict[str, str]) -> bool:
    """Whether any project file matches any of ``globs`` (GitLab's ``rules:exists``).

    Plain paths are looked up; globs are matched file by file, and, as GitLab documents,
    a rule whose globs would need more than 10,000 checks matches without them.
    """
    patterns = [expand_value(g, variables).lstrip("/") for g in globs]
    exact = {p for p in patterns if p and not _GLOB_CHARS & set(p)}
    wild = [p for p in patterns if _GLOB_CHARS & set(p)]
    paths = files.paths()
    if exact & set(paths):
        return True
    if not wild:
        return False
    if len(paths) * len(wild) > MAX_PATTERN_COMPARISONS:
        return True
    return any(fnmatch(p, path) for path in paths for p in wild)
