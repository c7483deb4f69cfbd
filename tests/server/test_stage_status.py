"""The pipeline-jobs route ships each stage's status, composed with GitLab's rule."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

CI = """
broken:
  script: [exit 1]
by-hand:
  when: manual
  allow_failure: false  # a manual job is optional by default, and then ignored
  script: [echo deploying]
"""


@pytest.fixture
def ci_yaml() -> str:
    """A failed job beside a blocking manual one."""
    return CI


async def test_stage_with_a_failed_and_a_manual_job_is_manual_as_in_gitlab(ci: Any) -> None:
    pipeline = await ci.post("projects", "local", "pipelines")
    deadline = time.monotonic() + 60
    jobs: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        jobs = await ci.get("projects", "local", "pipelines", str(pipeline["id"]), "jobs")
        if {j["name"]: j["status"] for j in jobs}.get("broken") == "failed":
            break
        await asyncio.sleep(0.2)
    stages = {j["name"]: j["stage_status"] for j in jobs}
    assert stages["broken"] == stages["by-hand"] == "manual", jobs
