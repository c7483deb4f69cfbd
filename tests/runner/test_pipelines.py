"""Pipeline semantics against a runner process: needs, when, allow_failure, timeout, retry, rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gitlab
import pytest

from .conftest import write_project


def test_needs_dag_and_empty_needs(tmp_path: Path, start_runner: Any) -> None:
    ci = """
stages: [build, test, deploy]
slow_build:
  stage: build
  script: [sleep 3]
quick_build:
  stage: build
  script: [echo quick]
early_test:
  stage: test
  needs: [quick_build]
  script: [echo early]
lint:
  stage: deploy
  needs: []
  script: [echo lint]
late:
  stage: deploy
  script: [echo late]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline = runner.create_pipeline()
    jobs = runner.jobs(pipeline["id"])
    early = runner.wait_status(jobs["early_test"]["id"], "success")
    lint = runner.wait_status(jobs["lint"]["id"], "success")
    # Both ran while the slow build of the first stage was still going.
    assert runner.job(jobs["slow_build"]["id"])["status"] == "running"
    assert runner.job(jobs["late"]["id"])["status"] == "created"
    assert early["status"] == lint["status"] == "success"
    assert runner.wait_pipeline(pipeline["id"])["status"] == "success"
    late = runner.job(jobs["late"]["id"])
    assert late["started_at"] >= runner.job(jobs["slow_build"]["id"])["finished_at"]


def test_allow_failure_exit_codes_always_and_after_script(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
stages: [one, two]
allowed:
  stage: one
  script: [exit 3]
  allow_failure:
    exit_codes: [3]
  after_script:
    - echo "after=$CI_JOB_STATUS"
    - exit 9
not_allowed:
  stage: one
  script: [exit 4]
  allow_failure:
    exit_codes: [3]
always:
  stage: two
  when: always
  script: [echo always-ran]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline = runner.create_pipeline()
    assert runner.wait_pipeline(pipeline["id"])["status"] == "failed"
    jobs = runner.jobs(pipeline["id"])
    assert jobs["allowed"]["status"] == "failed"
    assert jobs["allowed"]["allow_failure"] is True
    assert jobs["not_allowed"]["allow_failure"] is False
    assert jobs["always"]["status"] == "success"
    trace = runner.trace(jobs["allowed"]["id"])
    assert "after=failed" in trace
    assert "WARNING: after_script failed, but job will continue unaffected: exit code 9" in trace
    assert "ERROR: Job failed: exit code 3" in trace


def test_allowed_failure_keeps_pipeline_green(tmp_path: Path, start_runner: Any) -> None:
    ci = "flaky:\n  allow_failure: true\n  script: [exit 1]\nfine:\n  script: [echo ok]\n"
    runner = start_runner(write_project(tmp_path / "proj", ci))
    assert runner.wait_pipeline(runner.create_pipeline()["id"])["status"] == "success"


def test_timeout_and_retry(tmp_path: Path, start_runner: Any) -> None:
    ci = """
slowpoke:
  timeout: 1s
  script: [echo going, sleep 30]
flaky:
  retry: 2
  script: [echo attempt, exit 1]
picky:
  retry:
    max: 2
    exit_codes: [42]
  script: [exit 1]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline = runner.create_pipeline()
    runner.wait_pipeline(pipeline["id"])
    jobs = runner.jobs(pipeline["id"])
    slow = jobs["slowpoke"]
    assert slow["status"] == "failed"
    assert slow["failure_reason"] == "job_execution_timeout"
    assert "ERROR: Job failed: execution took longer than 1s seconds" in runner.trace(slow["id"])
    every = runner.get("/projects/1/jobs", params={"per_page": 100}).json()
    assert len([j for j in every if j["name"] == "flaky"]) == 3
    assert [j["retried"] for j in sorted(every, key=lambda j: j["id"]) if j["name"] == "flaky"] == [
        True,
        True,
        False,
    ]
    assert len([j for j in every if j["name"] == "picky"]) == 1


def test_delayed_job(tmp_path: Path, start_runner: Any) -> None:
    ci = "later:\n  when: delayed\n  start_in: 1 second\n  script: [echo later]\n"
    runner = start_runner(write_project(tmp_path / "proj", ci))
    job = next(iter(runner.jobs(runner.create_pipeline()["id"]).values()))
    assert job["status"] == "scheduled"
    runner.wait_status(job["id"], "success", timeout=15)


def test_rules_variables_and_api_variables(tmp_path: Path, start_runner: Any) -> None:
    ci = """
variables:
  BASE: base
  DERIVED: $BASE-derived
wanted:
  script: ['echo "mode=$MODE rule=$FROM_RULE derived=$DERIVED"']
  rules:
    - if: $MODE == "deep"
      variables: {FROM_RULE: applied}
unwanted:
  script: [echo nope]
  rules:
    - if: $MODE == "shallow"
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline = runner.create_pipeline(variables=[{"key": "MODE", "value": "deep"}])
    jobs = runner.jobs(pipeline["id"])
    assert set(jobs) == {"wanted"}
    runner.wait_status(jobs["wanted"]["id"], "success")
    assert "mode=deep rule=applied derived=base-derived" in runner.trace(jobs["wanted"]["id"])


def test_config_error_starts_nothing(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(
        write_project(tmp_path / "proj", "job:\n  script: [x]\n  stage: nowhere\n")
    )
    r = runner.post("/projects/1/pipeline", json={"ref": "main"})
    assert r.status_code == 400
    (message,) = r.json()["message"]["base"]
    assert message.startswith("jobs:job chosen stage nowhere does not exist")
    pipelines = runner.get("/projects/1/pipelines").json()
    assert [p["status"] for p in pipelines] == ["failed"]
    refused = runner.get(f"/projects/1/pipelines/{pipelines[0]['id']}").json()
    assert refused["yaml_errors"] == message
    assert refused["finished_at"] is not None  # as a child pipeline's, and GitLab's
    assert runner.get("/projects/1/jobs").json() == []
    with pytest.raises(gitlab.GitlabCreateError, match="chosen stage nowhere"):
        runner.gl.projects.get(1).pipelines.create({"ref": "main"})


def test_warnings_reach_pipeline_and_trace(tmp_path: Path, start_runner: Any) -> None:
    ci = "job:\n  image: python:3.12\n  services: [redis]\n  script: [echo hi]\n"
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline = runner.create_pipeline()
    assert "jobs:job:image is not used by the shell executor" in pipeline["warnings"]
    job = next(iter(runner.jobs(pipeline["id"]).values()))
    runner.wait_status(job["id"], "success")
    assert "WARNING: jobs:job:services is not used by the shell executor" in runner.trace(job["id"])


def test_pipeline_cancel_and_retry(tmp_path: Path, start_runner: Any) -> None:
    ci = "stages: [a, b]\nfirst:\n  stage: a\n  script: [echo started, sleep 60]\nsecond:\n  stage: b\n  script: [echo b]\n"
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline = runner.create_pipeline()
    jobs = runner.jobs(pipeline["id"])
    runner.wait_job(jobs["first"]["id"], lambda j: "\nstarted" in runner.trace(j["id"]))
    assert runner.post(f"/projects/1/pipelines/{pipeline['id']}/cancel").status_code == 200
    assert runner.wait_pipeline(pipeline["id"])["status"] == "canceled"
    assert runner.job(jobs["second"]["id"])["status"] == "canceled"

    (runner.project / ".gitlab-ci.yml").write_text(ci.replace("sleep 60", "true"))
    assert runner.post(f"/projects/1/pipelines/{pipeline['id']}/retry").status_code == 201
    # A retry reruns the stored job definitions, as GitLab does; a new pipeline would read the edit.
    retried = runner.jobs(pipeline["id"])
    assert retried["first"]["id"] != jobs["first"]["id"]
    runner.post(f"/projects/1/jobs/{retried['first']['id']}/cancel")
    runner.wait_status(retried["first"]["id"], "canceled")
