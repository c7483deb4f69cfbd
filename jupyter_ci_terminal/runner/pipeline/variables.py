"""Predefined CI variables, named and filled the way GitLab fills them, and ``$VAR`` expansion."""

from __future__ import annotations

import platform
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..._version import __version__

ZERO_SHA = "0" * 40
#: Go's GOARCH names, as gitlab-runner reports its architecture.
_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386", "i686": "386"}
_REF = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class GitInfo:
    """What the project folder's git repository says (or defaults when it is not one)."""

    is_repo: bool
    sha: str
    branch: str | None
    title: str
    #: Full commit message, ISO 8601 commit time, ``Name <email>``, parent sha, tag at HEAD.
    message: str = ""
    timestamp: str = ""
    author: str = ""
    before_sha: str = ZERO_SHA
    tag: str | None = None


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
    """Read HEAD's sha, branch, message, time, author and tag from the repo holding the folder.

    The folder may be a subfolder of the repository (a project kept beside others), as GitLab's
    pipelines run on the repository's commit whatever folder holds the ``.gitlab-ci.yml``.
    """
    if _git(project, "rev-parse", "--show-toplevel") is None:
        return GitInfo(False, ZERO_SHA, None, "")
    sha = _git(project, "rev-parse", "HEAD") or ZERO_SHA
    branch = _git(project, "symbolic-ref", "--short", "-q", "HEAD")
    # NUL-separated: a message may hold any other character.
    fields = (_git(project, "log", "-1", "--format=%cI%x00%an <%ae>%x00%P%x00%B") or "").split(
        "\0", 3
    )
    timestamp, author, parents, message = [*fields, "", "", "", ""][:4]
    title = message.split("\n", 1)[0]
    tag = _git(project, "describe", "--tags", "--exact-match", "HEAD") or None
    before = parents.split()[0] if parents.split() else ZERO_SHA
    return GitInfo(True, sha, branch, title, message.strip(), timestamp, author, before, tag)


def slug(ref: str) -> str:
    """Return GitLab's ``CI_COMMIT_REF_SLUG`` form of a ref."""
    return _SLUG.sub("-", ref.lower())[:63].strip("-")


def iso_utc(when: float) -> str:
    """GitLab's ``CI_PIPELINE_CREATED_AT`` form: ISO 8601 in UTC, to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def server_variables(server_url: str) -> dict[str, str]:
    """``CI_SERVER_*`` from the URL the runner serves its API on."""
    url = urlsplit(server_url.rstrip("/"))
    protocol = url.scheme or "http"
    port = url.port or (443 if protocol == "https" else 80)
    host = url.hostname or "localhost"
    default = port == (443 if protocol == "https" else 80)
    return {
        "CI_SERVER_URL": server_url.rstrip("/"),
        "CI_SERVER_HOST": host,
        "CI_SERVER_PORT": str(port),
        "CI_SERVER_PROTOCOL": protocol,
        "CI_SERVER_FQDN": host if default else f"{host}:{port}",
        "CI_API_V4_URL": server_url.rstrip("/") + "/api/v4",
    }


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
    git_info: GitInfo | None = None,
    created_at: float | None = None,
) -> dict[str, str]:
    """Return the predefined variables every job of one pipeline shares.

    ``git_info`` adds the commit's message, time, author and previous sha; a ``ref`` that is
    the tag at HEAD makes a tag pipeline (``CI_COMMIT_TAG``, no ``CI_COMMIT_BRANCH``).
    """
    name = project.name
    path = f"local/{name}"
    info = git_info or GitInfo(False, sha, None, title)
    project_url = f"{server_url.rstrip('/')}/{path}"
    out = {
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_SERVER": "yes",
        "CI_SERVER_NAME": "GitLab",
        **server_variables(server_url),
        "CI_PROJECT_ID": str(project_id),
        "CI_PROJECT_NAME": name,
        "CI_PROJECT_TITLE": name,
        "CI_PROJECT_PATH": path,
        "CI_PROJECT_PATH_SLUG": slug(path),
        "CI_PROJECT_NAMESPACE": "local",
        "CI_PROJECT_NAMESPACE_SLUG": "local",
        "CI_PROJECT_ROOT_NAMESPACE": "local",
        "CI_PROJECT_URL": project_url,
        "CI_PROJECT_VISIBILITY": "private",
        "CI_DEFAULT_BRANCH": default_branch,
        "CI_DEFAULT_BRANCH_SLUG": slug(default_branch),
        "CI_PIPELINE_ID": str(pipeline_id),
        "CI_PIPELINE_IID": str(pipeline_id),
        "CI_PIPELINE_SOURCE": source,
        "CI_PIPELINE_URL": f"{project_url}/-/pipelines/{pipeline_id}",
        "CI_COMMIT_SHA": sha,
        "CI_COMMIT_SHORT_SHA": sha[:8],
        "CI_COMMIT_BEFORE_SHA": info.before_sha if source == "push" else ZERO_SHA,
        "CI_COMMIT_REF_NAME": ref,
        "CI_COMMIT_REF_SLUG": slug(ref),
        "CI_COMMIT_REF_PROTECTED": "false",
        "CI_COMMIT_TITLE": title,
        "CI_COMMIT_MESSAGE": info.message or title,
        "CI_COMMIT_DESCRIPTION": (info.message.split("\n", 1)[1:] or [""])[0].strip("\n"),
        "CI_CONFIG_PATH": ".gitlab-ci.yml",
    }
    if info.tag is not None and ref == info.tag:
        out["CI_COMMIT_TAG"] = ref
    else:
        out["CI_COMMIT_BRANCH"] = ref
    if info.timestamp:
        out["CI_COMMIT_TIMESTAMP"] = info.timestamp
    if info.author:
        out["CI_COMMIT_AUTHOR"] = info.author
    if created_at is not None:
        out["CI_PIPELINE_CREATED_AT"] = iso_utc(created_at)
    return out


def job_variables(
    *,
    job_id: int,
    name: str,
    stage: str,
    build_dir: Path,
    builds_dir: Path,
    project_url: str,
) -> dict[str, str]:
    """Return the predefined variables of one job (see :func:`for_job` for the rest).

    ``project_url`` is the pipeline's ``CI_PROJECT_URL``: ``CI_JOB_URL`` is the job's
    ``web_url`` in the API (GitLab's ``<project>/-/jobs/<id>``).
    """
    return {
        "CI_JOB_ID": str(job_id),
        "CI_JOB_NAME": name,
        "CI_JOB_NAME_SLUG": slug(name),
        "CI_JOB_STAGE": stage,
        "CI_JOB_URL": f"{project_url}/-/jobs/{job_id}",
        "CI_PROJECT_DIR": str(build_dir),
        "CI_BUILDS_DIR": str(builds_dir),
        "CI_NODE_TOTAL": "1",
        "CI_RUNNER_ID": "1",
        "CI_RUNNER_DESCRIPTION": "jupyter_ci_terminal local runner",
        "CI_RUNNER_TAGS": "[]",
        "CI_RUNNER_VERSION": __version__,
        "CI_RUNNER_EXECUTABLE_ARCH": f"{platform.system().lower()}/{_ARCH.get(platform.machine(), platform.machine())}",
        "CI_SHARED_ENVIRONMENT": "true",
        "CI_JOB_STARTED_AT": "",
        "GITLAB_USER_ID": "1",
        "GITLAB_USER_LOGIN": "local",
        "GITLAB_USER_NAME": "Local User",
        "GITLAB_USER_EMAIL": "local@localhost",
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
