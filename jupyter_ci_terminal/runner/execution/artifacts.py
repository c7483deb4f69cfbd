"""Job artifacts: what ``artifacts:paths``/``exclude``/``untracked`` choose, kept as one zip per
job, and which earlier jobs' archives a job receives (``dependencies`` and ``needs:artifacts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import archiver
from .state import Job, jobs_of
from .status import dependencies

FILENAME = "artifacts.zip"


@dataclass
class Index:
    """What was archived, and the uploader's log lines (``(is_warning, text)``)."""

    files: list[str] = field(default_factory=list)
    size: int = 0
    messages: list[tuple[bool, str]] = field(default_factory=list)
    #: ``artifacts:name``/``expire_in``/``expose_as`` as given (recorded, not acted on).
    details: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the artifacts index stored with the job."""
        return {"filename": FILENAME, "size": self.size, "files": self.files, **self.details}


def collect(
    build_dir: Path, paths: list[str], exclude: list[str], target: Path, untracked: bool = False
) -> Index:
    """Zip what ``paths``/``untracked`` choose (minus ``exclude``) into ``target``.

    Patterns are already variable-expanded; nothing is written when nothing matched.
    """
    sel = archiver.select(build_dir, paths, exclude, untracked)
    index = Index(messages=sel.messages)
    if sel.entries:
        index.size = archiver.write_zip(sel, target)
        index.files = sel.files
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
    """Unpack an artifacts ``archive`` into ``build_dir``; return the file count."""
    return archiver.extract(archive, build_dir)
