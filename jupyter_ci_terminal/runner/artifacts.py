"""Job artifacts: ``artifacts:paths`` globs from the build directory, kept as one zip per job."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
