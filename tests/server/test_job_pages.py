"""In a job the extension started, CI_JOB_URL opens the job's log in this JupyterLab."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import pytest
import requests

CI = """
job:
  script:
    - echo "JOB_URL=$CI_JOB_URL"
"""


@pytest.fixture
def ci_yaml() -> str:
    """A job that prints its URL."""
    return CI


async def test_ci_job_url_redirects_to_this_lab_with_the_jobs_log(
    ci: Any, jp_fetch: Any, jp_http_port: int, jp_base_url: str
) -> None:
    pipeline = await ci.post("projects", "local", "pipelines")
    deadline = time.monotonic() + 60
    trace, job = "", None
    while time.monotonic() < deadline and "JOB_URL=" not in trace:
        jobs = await ci.get("projects", "local", "pipelines", str(pipeline["id"]), "jobs")
        job = jobs[0]
        if job["status"] in ("success", "failed"):
            r = await jp_fetch(
                "ci-terminal", "api", "projects", "local", "jobs", str(job["id"]), "trace"
            )
            trace = r.body.decode()
        await asyncio.sleep(0.2)
    found = re.search(r"^JOB_URL=(\S+)", trace, re.MULTILINE)
    assert found, trace
    assert job is not None
    page = await asyncio.to_thread(requests.get, found.group(1), timeout=10, allow_redirects=False)
    assert page.status_code == 302
    location = page.headers["Location"]
    assert location.startswith("http://")
    assert f":{jp_http_port}{jp_base_url}lab?ci-open=log:{job['id']}:local" in location
