"""Predefined CI variables, named and filled the way GitLab fills them, and ``$VAR`` expansion."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_REF = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class GitInfo:
    """What the project folder's git repository says (or defaults when it is not one)."""

    is_repo: bool
    sha: str
    branch: str | None
    title: str


def git(project: Path, *args: str, timeout: float = 30.0) -> str | None:
    """``git -C project args``' standard output, or None when git fails or is missing."""
    try:
        out = subprocess.run(
            ["git", "-C", str(project), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 else None


def _git(project: Path, *args: str) -> str | None:
    out = git(project, *args, timeout=10.0)
    return None if out is None else out.strip()


def git_info(project: Path) -> GitInfo:
    """Read HEAD's sha, branch and title from the git repo holding the folder, if any.

    The folder may be a subfolder of the repository (a project kept beside others), as GitLab's
    pipelines run on the repository's commit whatever folder holds the ``.gitlab-ci.yml``.
    """
    if _git(project, "rev-parse", "--show-toplevel") is None:
        return GitInfo(False, "0" * 40, None, "")
    sha = _git(project, "rev-parse", "HEAD") or "0" * 40
    branch = _git(project, "symbolic-ref", "--short", "-q", "HEAD")
    title = _git(project, "log", "-1", "--format=%s") or ""
    return GitInfo(True, sha, branch, title)


def slug(ref: str) -> str:
    """Return GitLab's ``CI_COMMIT_REF_SLUG`` form of a ref."""
    return _SLUG.sub("-", ref.lower())[:63].strip("-")


def pipeline_variables(
    *,
    project: Path,
    project_id: int,
    pipeline_id: int,
    ref: str,
    sha: str,
    source: str,
    server_url: str,
    default_branch: str,
    title: str,
) -> dict[str, str]:
    """Return the predefined variables every job of one pipeline shares."""
    name = project.name
    path = f"local/{name}"
    return {
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_SERVER": "yes",
        "CI_SERVER_URL": server_url.rstrip("/"),
        "CI_API_V4_URL": server_url.rstrip("/") + "/api/v4",
        "CI_SERVER_NAME": "GitLab",
        "CI_PROJECT_ID": str(project_id),
        "CI_PROJECT_NAME": name,
        "CI_PROJECT_TITLE": name,
        "CI_PROJECT_PATH": path,
        "CI_PROJECT_PATH_SLUG": slug(path),
        "CI_PROJECT_NAMESPACE": "local",
        "CI_PROJECT_URL": f"{server_url.rstrip('/')}/{path}",
        "CI_DEFAULT_BRANCH": default_branch,
        "CI_PIPELINE_ID": str(pipeline_id),
        "CI_PIPELINE_IID": str(pipeline_id),
        "CI_PIPELINE_SOURCE": source,
        "CI_PIPELINE_URL": f"{server_url.rstrip('/')}/{path}/-/pipelines/{pipeline_id}",
        "CI_COMMIT_SHA": sha,
        "CI_COMMIT_SHORT_SHA": sha[:8],
        "CI_COMMIT_REF_NAME": ref,
        "CI_COMMIT_REF_SLUG": slug(ref),
        "CI_COMMIT_BRANCH": ref,
        "CI_COMMIT_TITLE": title,
        "CI_COMMIT_MESSAGE": title,
        "CI_CONFIG_PATH": ".gitlab-ci.yml",
    }


def job_variables(
    *, job_id: int, name: str, stage: str, build_dir: Path, builds_dir: Path, server_url: str
) -> dict[str, str]:
    """Return the predefined variables of one job."""
    return {
        "CI_JOB_ID": str(job_id),
        "CI_JOB_NAME": name,
        "CI_JOB_NAME_SLUG": slug(name),
        "CI_JOB_STAGE": stage,
        "CI_JOB_URL": f"{server_url.rstrip('/')}/-/jobs/{job_id}",
        "CI_PROJECT_DIR": str(build_dir),
        "CI_BUILDS_DIR": str(builds_dir),
        "CI_RUNNER_ID": "1",
        "CI_RUNNER_DESCRIPTION": "jupyter_ci_terminal local runner",
        "CI_RUNNER_TAGS": "[]",
        "CI_RUNNER_EXECUTABLE_ARCH": "linux/amd64",
        "CI_JOB_STARTED_AT": "",
        "GITLAB_USER_LOGIN": "local",
        "GITLAB_USER_NAME": "Local User",
    }


def expand(layers: list[dict[str, str]]) -> dict[str, str]:
    """Merge variable layers (later wins) and expand ``$VAR``/``${VAR}`` from earlier values."""
    out: dict[str, str] = {}
    for layer in layers:
        for key, value in layer.items():
            out[key] = _expand_one(value, dict(out))
    return out


def expand_value(value: str, known: dict[str, str]) -> str:
    """Expand ``$VAR``/``${VAR}`` in one value; unknown variables are left as written."""
    return _expand_one(value, known)


def _expand_one(value: str, known: dict[str, str]) -> str:
    def replace(m: re.Match[str]) -> str:
        return known.get(m.group(1) or m.group(2), m.group(0))

    return _REF.sub(replace, value)
