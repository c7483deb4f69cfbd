"""``artifacts:reports``: each report type is uploaded as its own artifact, always (GitLab sends
reports with ``when: always``). ``dotenv`` is parsed as GitLab's ``ParseDotenvArtifactService``
does, and its variables reach the jobs that receive this job's artifacts; the other types are
kept in the state directory, not interpreted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from . import artifacts

#: GitLab's default plan limits (``plan_limits.dotenv_variables`` and ``dotenv_size``).
DOTENV_VARIABLES = 20
DOTENV_SIZE = 5 * 1024
_LINE = re.compile(r"^(.*?)=(.*)$")
_KEY = re.compile(r"\A[a-zA-Z0-9_]+\Z")


class DotenvError(ValueError):
    """A dotenv report GitLab would refuse (the upload answers 400 Bad Request)."""


def parse_dotenv(blobs: list[bytes], limit: int = DOTENV_VARIABLES) -> dict[str, str]:
    """Parse dotenv files: ``KEY=VALUE`` lines, both sides stripped, nothing else allowed.

    No comments, empty lines, quotes removal or expansion, as GitLab documents; a later
    line wins over an earlier one of the same key.
    """
    size = sum(len(b) for b in blobs)
    if size >= DOTENV_SIZE:
        msg = f"Dotenv Artifact Too Big. Maximum Allowable Size: {DOTENV_SIZE}"
        raise DotenvError(msg)
    out: dict[str, str] = {}
    for blob in blobs:
        text = blob.decode("utf-8", "replace").removeprefix("\ufeff")
        lines = text.split("\n")  # Ruby's each_line: only "\n" ends a line
        if lines[-1] == "":
            lines.pop()
        for line in lines:
            m = _LINE.match(line)
            if m is None:
                msg = "Invalid Format"
                raise DotenvError(msg)
            key, value = m.group(1).strip(), m.group(2).strip()
            if not _KEY.match(key):
                msg = "Validation failed: Key can contain only letters, digits and '_'."
                raise DotenvError(msg)
            if len(key) > 255:
                msg = "Validation failed: Key is too long (maximum is 255 characters)"
                raise DotenvError(msg)
            out[key] = value
    if len(out) > limit:
        msg = f"Dotenv files cannot have more than {limit} variables"
        raise DotenvError(msg)
    return out


def report_path(state_dir: Path, job_id: int, kind: str) -> Path:
    """Return where a job's report of type ``kind`` is kept."""
    return state_dir / "artifacts" / str(job_id) / "reports" / f"{kind}.zip"


def dotenv_path(state_dir: Path, job_id: int) -> Path:
    """Return where a job's parsed dotenv variables are kept."""
    return state_dir / "artifacts" / str(job_id) / "dotenv.json"


def collect(
    build_dir: Path, kind: str, paths: list[str], state_dir: Path, job_id: int
) -> tuple[artifacts.Index, str | None]:
    """Archive one report; for ``dotenv`` also parse and keep its variables.

    Returns the index and, when GitLab would refuse the report, its error message.
    """
    target = report_path(state_dir, job_id, kind)
    index = artifacts.collect(build_dir, paths, [], target)
    if kind != "dotenv" or not index.files:
        return index, None
    blobs = [(build_dir / f).read_bytes() for f in index.files if (build_dir / f).is_file()]
    try:
        variables = parse_dotenv(blobs)
    except DotenvError as e:
        return index, str(e)
    dotenv_path(state_dir, job_id).write_text(json.dumps(variables))
    return index, None


def received_variables(deps: list[dict[str, Any]], state_dir: Path) -> dict[str, str]:
    """Merge the dotenv variables of the jobs whose artifacts a job receives (later win)."""
    out: dict[str, str] = {}
    for dep in deps:
        path = dotenv_path(state_dir, int(dep["id"]))
        if path.is_file():
            out.update(json.loads(path.read_text()))
    return out
