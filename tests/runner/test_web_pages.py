"""CI_JOB_URL and CI_PIPELINE_URL answer a person's browser, as GitLab's pages do."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import requests

from .conftest import write_project

CI = """
job:
  script:
    - echo "JOB_URL=$CI_JOB_URL"
    - echo "PIPELINE_URL=$CI_PIPELINE_URL"
"""


def _urls(runner: Any) -> tuple[dict[str, Any], str, str]:
    pipeline = runner.create_pipeline()
    runner.wait_pipeline(pipeline["id"])
    job = next(iter(runner.jobs(pipeline["id"]).values()))
    trace = runner.trace(job["id"])
    job_url = re.search(r"^JOB_URL=(\S+)", trace, re.MULTILINE)
    pipeline_url = re.search(r"^PIPELINE_URL=(\S+)", trace, re.MULTILINE)
    assert job_url, trace
    assert pipeline_url, trace
    return job, job_url.group(1), pipeline_url.group(1)


def test_job_and_pipeline_urls_show_a_page_without_a_token(
    tmp_path: Path, start_runner: Any
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", CI))
    job, job_url, pipeline_url = _urls(runner)
    page = requests.get(job_url, timeout=10, allow_redirects=False)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert f"Job job #{job['id']}: success" in page.text
    assert f"jupyter ci-runner attach {job['id']}" in page.text
    assert runner.token not in page.text
    pipeline_page = requests.get(pipeline_url, timeout=10, allow_redirects=False)
    assert pipeline_page.status_code == 200
    assert "success" in pipeline_page.text
    missing = requests.get(job_url.rsplit("/", 1)[0] + "/987654", timeout=10)
    assert missing.status_code == 404


def test_job_url_opens_the_jobs_log_in_the_jupyterlab_that_started_the_runner(
    tmp_path: Path, start_runner: Any
) -> None:
    lab = "http://127.0.0.1:8123/base/"
    runner = start_runner(write_project(tmp_path / "proj", CI), f"--ServeApp.web_url={lab}")
    job, job_url, pipeline_url = _urls(runner)
    page = requests.get(job_url, timeout=10, allow_redirects=False)
    assert page.status_code == 302
    assert page.headers["Location"] == f"{lab}lab?ci-open=log:{job['id']}:local"
    pipeline_page = requests.get(pipeline_url, timeout=10, allow_redirects=False)
    assert pipeline_page.headers["Location"] == f"{lab}lab"
