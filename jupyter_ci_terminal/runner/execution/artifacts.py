"""Job artifacts: ``artifacts:paths`` globs from the build directory, kept as one zip per job, and
which earlier jobs' archives a job receives (GitLab's ``dependencies`` and ``needs:artifacts``).
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .state import Job, jobs_of
from .status import dependencies

FILENAME = "artifacts.zip"


@dataclass
class Index:
    """What was archived."""

    files: list[str] = field(default_factory=list)
    size: int = 0
    messages: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the artifacts index stored with the job."""
        return {"filename": FILENAME, "size": self.size, "files": self.files}


def _expand(build_dir: Path, pattern: str) -> list[Path]:
    pattern = pattern.strip().lstrip("/")
    if not pattern or pattern.startswith("..") or "/../" in pattern:
        return []
    matches = (
        sorted(build_dir.glob(pattern))
        if any(c in pattern for c in "*?[")
        else [build_dir / pattern]
    )
    out: list[Path] = []
    for match in matches:
        if match.is_dir():
            out.extend(p for p in sorted(match.rglob("*")) if p.is_file())
        elif match.is_file():
            out.append(match)
    return [p for p in out if p.resolve().is_relative_to(build_dir.resolve())]


def collect(build_dir: Path, paths: list[str], exclude: list[str], target: Path) -> Index:
    """Zip the files matching ``paths`` (minus ``exclude``) into ``target`` and return the index."""
    index = Index()
    excluded = {p for pattern in exclude for p in _expand(build_dir, pattern)}
    chosen: dict[str, Path] = {}
    for pattern in paths:
        found = [p for p in _expand(build_dir, pattern) if p not in excluded]
        index.messages.append(
            f"{pattern}: found {len(found)} matching artifact files and directories"
        )
        for path in found:
            chosen.setdefault(path.relative_to(build_dir).as_posix(), path)
    if not chosen:
        return index
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in chosen.items():
            archive.write(path, name)
    index.files = list(chosen)
    index.size = target.stat().st_size
    return index


def archive_path(state_dir: Path, job_id: int) -> Path:
    """Return where a job's artifacts archive lives."""
    return state_dir / "artifacts" / str(job_id) / FILENAME


def sources(job: dict[str, Any], jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the jobs whose artifacts ``job`` receives, as GitLab's ``Ci::BuildDependencies``.

    Earlier stages by default, the needed jobs (``artifacts: true``) when it has ``needs``, then
    narrowed to ``dependencies`` when given; ``dependencies: []`` means none. ``jobs`` are the
    pipeline's current (not retried) jobs; which of them have an archive is the caller's concern.
    """
    spec = job["spec"]
    wanted: list[str] | None = spec.get("dependencies")  # absent in specs stored by older runners
    if wanted == []:
        return []
    # Which jobs it depends on is decided in one place: status.dependencies.
    chosen = {d.id for d in dependencies(Job.from_row(job), jobs_of(jobs), artifacts=True)}
    pool = [j for j in jobs if j["id"] in chosen]
    if wanted:
        pool = [j for j in pool if j["name"] in wanted]
    return sorted(pool, key=lambda j: int(j["id"]))


def extract(archive: Path, build_dir: Path) -> int:
    """Unpack ``archive`` into ``build_dir`` (overwriting, modes kept); return the file count.

    Members that would land outside the build directory (``..``, absolute names, or a path
    through a symlink that leaves it) are skipped, as gitlab-runner's extractor refuses them.
    """
    root = build_dir.resolve()
    count = 0
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            target = (root / info.filename).resolve()
            if not target.is_relative_to(root) or target == root:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode)
            count += 1
    return count
