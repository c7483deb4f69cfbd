"""``artifacts:reports``: dotenv variables reach the jobs that receive the artifacts; other
report types are stored as GitLab stores them, uploaded whatever the job's result."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .conftest import Runner, write_project

DOTENV = """
stages: [build, test]
variables:
  FROM_YAML: yaml
build:
  stage: build
  script:
    - echo "BUILD_VERSION=1.2.3" > build.env
    - echo "FROM_YAML=dotenv" >> build.env
    - echo "JOB_LEVEL=dotenv" >> build.env
    - echo "<testsuite/>" > junit.xml
  artifacts:
    reports:
      dotenv: build.env
      junit: junit.xml
other:
  stage: build
  script:
    - echo "OTHER=1" > other.env
  artifacts: {reports: {dotenv: other.env}}
use:
  stage: test
  variables:
    JOB_LEVEL: job
  script:
    - echo "version=$BUILD_VERSION yaml=$FROM_YAML job=$JOB_LEVEL other=${OTHER:-unset}"
no_deps:
  stage: test
  dependencies: []
  script:
    - echo "version=${BUILD_VERSION:-unset}"
needs_other:
  stage: test
  needs: [other]
  script:
    - echo "version=${BUILD_VERSION:-unset} other=$OTHER"
"""


def test_dotenv_report_variables_reach_jobs_that_receive_artifacts(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", DOTENV))
    pipeline = runner.create_pipeline(variables=[{"key": "JOB_LEVEL", "value": "api"}])
    assert runner.wait_pipeline(pipeline["id"])["status"] == "success"
    jobs = runner.jobs(pipeline["id"])
    # dotenv beats YAML variables; pipeline (API) variables beat dotenv.
    assert "version=1.2.3 yaml=dotenv job=api other=1" in runner.trace(jobs["use"]["id"])
    assert "version=unset" in runner.trace(jobs["no_deps"]["id"])
    assert "version=unset other=1" in runner.trace(jobs["needs_other"]["id"])
    trace = runner.trace(jobs["build"]["id"])
    assert 'Uploading artifacts as "dotenv" to coordinator... 201 Created' in trace
    assert 'Uploading artifacts as "junit" to coordinator... 201 Created' in trace
    assert "junit report stored, not interpreted by the local runner" in trace
    report = runner.project / ".jupyter-ci" / "artifacts" / str(jobs["build"]["id"]) / "reports"
    assert (report / "junit.zip").is_file()


def test_dotenv_report_gitlab_refuses_fails_the_job(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    ci = """
bad:
  script: [printf 'A=1\\n\\nB=2\\n' > build.env]
  artifacts: {reports: {dotenv: build.env}}
failing:
  script:
    - echo "C=3" > build.env
    - exit 1
  artifacts: {reports: {dotenv: build.env}}
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline = runner.create_pipeline()
    runner.wait_pipeline(pipeline["id"])
    jobs = runner.jobs(pipeline["id"])
    assert jobs["bad"]["status"] == "failed"
    trace = runner.trace(jobs["bad"]["id"])
    assert "to coordinator... 400 Bad Request (Invalid Format)" in trace
    # Reports are uploaded for failed jobs too (GitLab sends them with when: always).
    failing = runner.trace(jobs["failing"]["id"])
    assert "Uploading artifacts for failed job" in failing
    assert 'Uploading artifacts as "dotenv" to coordinator... 201 Created' in failing
