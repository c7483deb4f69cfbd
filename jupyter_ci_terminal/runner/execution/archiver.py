"""Choosing and zipping job files as gitlab-runner's ``fileArchiver`` does (artifacts and cache).

Each ``paths`` entry is made relative to the build directory (absolute paths inside it work,
paths leaving it are refused), globbed with doublestar rules, and every match is walked: files
*and* directories count, as in the runner's "found N matching artifact files and directories".
``exclude`` patterns are matched against those relative paths; ``untracked`` adds what
``git ls-files -o`` lists. Messages are the runner's, ``WARNING:`` lines included.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import globs

_VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


@dataclass
class Selection:
    """The files chosen for an archive, and the runner's log lines about them."""

    root: Path
    entries: dict[str, Path] = field(default_factory=dict)
    #: (is_warning, text) in order.
    messages: list[tuple[bool, str]] = field(default_factory=list)

    def info(self, text: str) -> None:
        """Record an informational line."""
        self.messages.append((False, text))

    def warn(self, text: str) -> None:
        """Record a ``WARNING:`` line."""
        self.messages.append((True, text))

    @property
    def files(self) -> list[str]:
        """Return the chosen non-directory entries, sorted."""
        return sorted(n for n, p in self.entries.items() if p.is_symlink() or not p.is_dir())


def relative(root: Path, path: str) -> str:
    """Return ``path`` (maybe absolute, maybe a glob) relative to ``root``, as the runner does.

    Raises ValueError with the runner's words when it leaves ``root``.
    """
    if os.path.normpath(path) == str(root):
        return "."
    base, patt = globs.split_pattern(path) if globs.has_meta(path) else (path, "")
    rel = os.path.relpath(os.path.normpath(root / base), root)
    if rel == ".." or rel.startswith("../"):
        msg = f"artifact path is not a subpath of project directory: {path}"
        raise ValueError(msg)
    return os.path.normpath(f"{rel}/{patt}") if patt else rel


def _walk(root: Path, rel: str) -> list[str]:
    # filepath.Walk: the match itself, then everything under it (symlinks not followed).
    out = [rel]
    start = root / rel
    if start.is_dir() and not start.is_symlink():
        for directory, dirs, files in os.walk(start):
            dirs.sort()
            base = Path(directory).relative_to(root).as_posix()
            out.extend(os.path.normpath(f"{base}/{n}") for n in sorted(dirs + files))
    return out


class _Chooser:
    def __init__(self, root: Path, exclude: list[str], sel: Selection) -> None:
        self.root, self.exclude, self.sel = root, exclude, sel
        self.excluded: dict[str, int] = {}

    def _is_excluded(self, rel: str) -> str | None:
        for pattern in self.exclude:
            try:
                rel_pattern = relative(self.root, pattern)
            except ValueError as e:
                self.sel.warn(f"isExcluded: {e}")
                return None
            if globs.match(rel_pattern, rel):
                return pattern
        return None

    def process(self, rel: str) -> bool:
        rule = self._is_excluded(rel)
        if rule is not None:
            self.excluded[rule] = self.excluded.get(rule, 0) + 1
            return False
        path = self.root / rel
        if not (path.is_symlink() or path.exists()):
            return False
        self.sel.entries.setdefault(rel, path)
        return True

    def process_path(self, pattern: str) -> None:
        if pattern == "":
            self.sel.warn("No matching files. Path is empty.")
            return
        try:
            rel = relative(self.root, pattern)
        except ValueError as e:
            self.sel.warn(f"processPath: {e}")  # the job goes on, as with the runner
            return
        found = sum(
            self.process(p) for match in globs.glob(self.root, rel) for p in _walk(self.root, match)
        )
        if found:
            self.sel.info(f"{pattern}: found {found} matching artifact files and directories")
        else:
            self.sel.warn(
                f"{pattern}: no matching files. Ensure that the artifact path is relative to "
                f"the working directory ({self.root})"
            )

    def process_untracked(self) -> None:
        try:
            out = subprocess.run(
                ["git", "ls-files", "-o", "-z"],
                cwd=self.root,
                capture_output=True,
                check=True,
                timeout=60,
            ).stdout.decode()
        except subprocess.CalledProcessError as e:
            self.sel.warn(f"untracked: exit status {e.returncode}")
            return
        except (OSError, subprocess.TimeoutExpired) as e:
            self.sel.warn(f"untracked: {e}")
            return
        found = sum(self.process(name) for name in out.split("\0") if name)
        if found:
            self.sel.info(f"untracked: found {found} files")
        else:
            self.sel.warn("untracked: no files")


def expand(value: str, env: dict[str, str]) -> str:
    """Expand ``$VAR``/``${VAR}`` as the runner's helper does (unknown variables are empty)."""
    return _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), ""), value)


def select(root: Path, paths: list[str], exclude: list[str], untracked: bool) -> Selection:
    """Choose the files of an archive from ``root`` (already variable-expanded patterns)."""
    sel = Selection(root)
    chooser = _Chooser(root, exclude, sel)
    for pattern in paths:
        chooser.process_path(pattern)
    if untracked:
        chooser.process_untracked()
    for pattern, count in chooser.excluded.items():
        sel.info(f"{pattern}: excluded {count} files")
    return sel


def write_zip(sel: Selection, target: Path) -> int:
    """Zip the selection into ``target`` (written aside, then renamed); return its size."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # A unique name: two jobs may save the same cache key at once; the last rename wins.
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
    os.close(fd)
    partial = Path(name)
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(sel.entries):
            path = sel.entries[name]
            if name == ".":
                continue
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                info = zipfile.ZipInfo(name, time.localtime(st.st_mtime)[:6])
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, str(path.readlink()))
            elif stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
                archive.write(path, name)
    partial.replace(target)
    return target.stat().st_size


def extract(archive: Path, root: Path) -> int:
    """Unpack ``archive`` into ``root`` (overwriting; modes, times and symlinks kept).

    Members that would land outside ``root`` (``..``, absolute names, or a path through a
    symlink that leaves it) are skipped, as gitlab-runner's extractor refuses them. Returns the
    number of files written.
    """
    root = root.resolve()
    count = 0
    dirs: list[tuple[Path, float]] = []
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = root / info.filename
            if not target.parent.resolve().is_relative_to(root) or target.resolve() == root:
                continue
            mode = info.external_attr >> 16
            stamp = time.mktime((*info.date_time, 0, 0, -1))
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                dirs.append((target, stamp))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                target.unlink()
            if stat.S_ISLNK(mode):
                target.symlink_to(zf.read(info).decode())
            else:
                with zf.open(info) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
                if mode & 0o777:
                    target.chmod(mode & 0o777)
                os.utime(target, (stamp, stamp))
            count += 1
    # Directories last (writing into them changed their times): an unchanged cache stays
    # "up to date" for the runner's archiver, which compares times with the archive's.
    for directory, stamp in reversed(dirs):
        os.utime(directory, (stamp, stamp))
    return count
