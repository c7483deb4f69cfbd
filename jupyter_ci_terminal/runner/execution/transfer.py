"""Artifacts between jobs, with gitlab-runner's log lines: uploaded after a job's scripts,
downloaded into a later job's build directory before its ``before_script``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ..api.store import Store
from . import artifacts
from .trace import BOLD_GREEN, Trace

#: GitLab's message for a job whose dependencies' archives are gone (``missing_dependency_failure``).
MISSING = "This job depends on other jobs with expired/erased artifacts: {names}"
DOCS = "https://docs.gitlab.com/ci/yaml/#dependencies"


def incoming(job: dict[str, Any], store: Store) -> list[dict[str, Any]]:
    """Return the jobs whose artifacts ``job`` downloads (those that uploaded any)."""
    jobs = store.jobs(job["pipeline_id"])
    return [j for j in artifacts.sources(job, jobs) if j["artifacts"]]


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


async def upload(
    job: dict[str, Any], status: str, state_dir: Path, build_dir: Path, store: Store, trace: Trace
) -> None:
    """Archive the job's ``artifacts:paths`` and record the index with the job."""
    spec = job["spec"]
    success = status == "success"
    name = "upload_artifacts_on_success" if success else "upload_artifacts_on_failure"
    header = f"Uploading artifacts for {'successful' if success else 'failed'} job"
    trace.section_start(name, header)
    trace.line("Uploading artifacts...")
    target = artifacts.archive_path(state_dir, job["id"])
    index = await asyncio.to_thread(
        artifacts.collect, build_dir, spec["artifacts_paths"], spec["artifacts_exclude"], target
    )
    for line in index.messages:
        trace.line(line)
    if index.files:
        store.update_job(job["id"], artifacts=index.to_json())
        trace.line(
            f'Uploading artifacts as "archive" to coordinator... 201 Created  id={job["id"]}'
        )
    else:
        trace.warning("No files to upload")
    trace.section_end(name)
