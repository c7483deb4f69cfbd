"""Artifacts between jobs, with gitlab-runner's log lines: uploaded after a job's scripts,
downloaded into a later job's build directory before its ``before_script``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ..api.store import Store
from . import archiver, artifacts, reports
from .trace import BOLD_GREEN, Trace

#: GitLab's message for a job whose dependencies' archives are gone (``missing_dependency_failure``).
MISSING = "This job depends on other jobs with expired/erased artifacts: {names}"
DOCS = "https://docs.gitlab.com/ci/yaml/#dependencies"


def received(job: dict[str, Any], store: Store) -> list[dict[str, Any]]:
    """Return the jobs whose artifacts ``job`` receives, whether they uploaded any or not."""
    return artifacts.sources(job, store.jobs(job["pipeline_id"]))


def incoming(job: dict[str, Any], store: Store) -> list[dict[str, Any]]:
    """Return the jobs whose artifacts ``job`` downloads (those that uploaded any)."""
    return [j for j in received(job, store) if j["artifacts"]]


def erased(deps: list[dict[str, Any]], state_dir: Path) -> list[dict[str, Any]]:
    """Return the dependencies whose archive was recorded but no longer exists."""
    return [d for d in deps if not artifacts.archive_path(state_dir, d["id"]).is_file()]


def missing_message(deps: list[dict[str, Any]]) -> str:
    """Return GitLab's wording for a job failed on erased dependencies."""
    return MISSING.format(names=", ".join(d["name"] for d in deps))


async def download(
    deps: list[dict[str, Any]], state_dir: Path, build_dir: Path, trace: Trace
) -> None:
    """Restore each dependency's archive into ``build_dir`` (later jobs overwrite earlier ones)."""
    if not deps:
        return  # gitlab-runner skips the stage, section included
    trace.section_start("download_artifacts", "Downloading artifacts")
    for dep in deps:
        trace.line(f"Downloading artifacts for {dep['name']} ({dep['id']})...", BOLD_GREEN)
        archive = artifacts.archive_path(state_dir, dep["id"])
        await asyncio.to_thread(artifacts.extract, archive, build_dir)
        trace.line(
            f"Downloading artifacts from coordinator... ok  id={dep['id']} responseStatus=200 OK"
        )
    trace.section_end("download_artifacts")


def _log(trace: Trace, messages: list[tuple[bool, str]]) -> None:
    for warning, text in messages:
        if warning:
            trace.warning(text)
        else:
            trace.line(text)


def wanted(spec: dict[str, Any], status: str) -> bool:
    """Return whether ``artifacts:paths``/``untracked`` are uploaded for a job ending in ``status``."""
    if not spec["artifacts_paths"] and not spec.get("artifacts_untracked"):
        return False
    when: str = spec["artifacts_when"]
    return when == "always" or (when == "on_success") == (status == "success")


async def upload(
    job: dict[str, Any],
    status: str,
    env: dict[str, str],
    state_dir: Path,
    build_dir: Path,
    store: Store,
    trace: Trace,
) -> str | None:
    """Upload the archive (when ``artifacts:when`` says so) and every report (always).

    Paths are expanded with the job's variables first, as the runner's helper does. Returns
    the upload error that fails the job (a dotenv report GitLab refuses), else None.
    """
    spec = job["spec"]
    report_paths: dict[str, list[str]] = spec.get("artifacts_reports") or {}
    archive = wanted(spec, status)
    if not archive and not report_paths:
        return None
    success = status == "success"
    name = "upload_artifacts_on_success" if success else "upload_artifacts_on_failure"
    header = f"Uploading artifacts for {'successful' if success else 'failed'} job"
    trace.section_start(name, header)
    error = None
    if archive:
        await _upload_archive(job, env, state_dir, build_dir, store, trace)
    for kind, paths in report_paths.items():
        trace.line("Uploading artifacts...", BOLD_GREEN)
        expanded = [archiver.expand(p, env) for p in paths]
        index, problem = await asyncio.to_thread(
            reports.collect, build_dir, kind, expanded, state_dir, job["id"]
        )
        _log(trace, index.messages)
        if not index.files:
            trace.error("No files to upload")
        elif problem is not None:
            trace.error(
                f'Uploading artifacts as "{kind}" to coordinator... 400 Bad Request ({problem})'
                f"  id={job['id']}"
            )
            trace.line("FATAL: invalid argument")
            error = problem
        else:
            trace.line(
                f'Uploading artifacts as "{kind}" to coordinator... 201 Created  id={job["id"]}'
            )
            if kind != "dotenv":
                trace.line(f"{kind} report stored, not interpreted by the local runner")
    trace.section_end(name)
    return error


async def _upload_archive(
    job: dict[str, Any],
    env: dict[str, str],
    state_dir: Path,
    build_dir: Path,
    store: Store,
    trace: Trace,
) -> None:
    spec = job["spec"]
    trace.line("Uploading artifacts...", BOLD_GREEN)
    target = artifacts.archive_path(state_dir, job["id"])
    index = await asyncio.to_thread(
        artifacts.collect,
        build_dir,
        [archiver.expand(p, env) for p in spec["artifacts_paths"]],
        [archiver.expand(p, env) for p in spec["artifacts_exclude"]],
        target,
        bool(spec.get("artifacts_untracked")),
    )
    _log(trace, index.messages)
    if index.files:
        index.details = dict(spec.get("artifacts_details") or {})
        if "name" in index.details:
            index.details["name"] = archiver.expand(index.details["name"], env)
        store.update_job(job["id"], artifacts=index.to_json())
        trace.line(
            f'Uploading artifacts as "archive" to coordinator... 201 Created  id={job["id"]}'
        )
    else:
        trace.error("No files to upload")
