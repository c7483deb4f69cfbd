"""The queue against a runner process: ``pending_reason``, ``resource_group``, ``interruptible``
with ``workflow:auto_cancel``, and ``environment``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from .conftest import Runner, write_project


def first_pipeline_jobs(runner: Runner, **body: Any) -> tuple[int, dict[str, dict[str, Any]]]:
    """Create a pipeline; return its id and its jobs by name."""
    pipeline = runner.create_pipeline(**body)
    return pipeline["id"], runner.jobs(pipeline["id"])


def test_pending_reason_names_the_busy_slots_and_held_jobs(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
train-model:
  variables: {CI_DEBUG_HOLD: always}
  script: [echo trained]
check-schema:
  script: [echo checking, sleep 60]
report:
  script: [echo report]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci), "--concurrent=2")
    _, jobs = first_pipeline_jobs(runner)
    runner.wait_job(jobs["train-model"]["id"], lambda j: j["hold"])
    runner.wait_status(jobs["check-schema"]["id"], "running")
    report = runner.wait_job(jobs["report"]["id"], lambda j: j["pending_reason"] is not None)
    assert report["status"] == "pending"
    assert report["pending_reason"] == (
        "waiting for a free slot: 2 of 2 busy — train-model (held), check-schema (running)"
    )
    pipeline = report["pipeline"]["id"]
    assert report["slot_holders"] == [
        {
            "id": jobs["train-model"]["id"],
            "name": "train-model",
            "pipeline": pipeline,
            "hold": True,
        },
        {
            "id": jobs["check-schema"]["id"],
            "name": "check-schema",
            "pipeline": pipeline,
            "hold": False,
        },
    ]
    assert runner.job(jobs["check-schema"]["id"])["pending_reason"] is None
    assert runner.job(jobs["check-schema"]["id"])["slot_holders"] is None

    runner.post(f"/projects/1/jobs/{jobs['check-schema']['id']}/cancel")
    done = runner.wait_status(jobs["report"]["id"], "success")
    assert (done["pending_reason"], done["slot_holders"]) == (None, None)


def test_pending_reason_of_created_jobs_names_needs_or_earlier_stages(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
stages: [build, lint, test]
build:
  stage: build
  script: [sleep 60]
lint:
  stage: lint
  script: [echo lint]
unit:
  stage: test
  script: [echo unit]
package:
  stage: test
  needs: [build]
  script: [echo package]
nightly:
  stage: test
  when: delayed
  start_in: 1 hour
  needs: []
  script: [echo later]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    _, jobs = first_pipeline_jobs(runner)
    runner.wait_status(jobs["build"]["id"], "running")
    assert runner.job(jobs["unit"]["id"])["pending_reason"] == (
        "waiting for earlier stages: build, lint"
    )
    assert runner.job(jobs["lint"]["id"])["pending_reason"] == "waiting for earlier stages: build"
    assert runner.job(jobs["package"]["id"])["pending_reason"] == "waiting for needs: build"
    nightly = runner.wait_status(jobs["nightly"]["id"], "scheduled")
    m = re.fullmatch(r"delayed until (\d\d):(\d\d):(\d\d)", nightly["pending_reason"])
    assert m, nightly["pending_reason"]
    start = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])
    now = time.localtime()
    in_an_hour = (now.tm_hour * 3600 + now.tm_min * 60 + now.tm_sec + 3600) % 86400
    assert min(abs(start - in_an_hour), 86400 - abs(start - in_an_hour)) < 120


def test_resource_group_runs_one_job_at_a_time_across_pipelines(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
deploy-prod:
  resource_group: production
  interruptible: false
  script: [echo deploying, sleep 60]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    first_id, first = first_pipeline_jobs(runner)
    holder = first["deploy-prod"]["id"]
    runner.wait_job(holder, lambda j: "deploying" in runner.trace(holder))
    second_id, second = first_pipeline_jobs(runner)
    waiting = runner.wait_status(second["deploy-prod"]["id"], "waiting_for_resource")
    assert waiting["pending_reason"] == (
        f"waiting for resource group production: held by deploy-prod #{holder}"
    )
    pipeline = runner.get(f"/projects/1/pipelines/{second_id}").json()
    assert pipeline["status"] == "waiting_for_resource"
    assert runner.job(holder)["status"] == "running"  # a started non-interruptible job stays

    runner.post(f"/projects/1/jobs/{holder}/cancel")
    runner.wait_status(holder, "canceled")
    moved = runner.wait_status(second["deploy-prod"]["id"], "running")
    assert moved["pending_reason"] is None
    assert runner.get(f"/projects/1/pipelines/{first_id}").json()["status"] == "canceled"


def test_new_pipeline_cancels_older_one_when_its_started_jobs_are_interruptible(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
default:
  interruptible: true
stages: [build, test]
build:
  stage: build
  script: [echo building, sleep 60]
test:
  stage: test
  interruptible: false
  script: [echo testing]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    old_id, old = first_pipeline_jobs(runner)
    runner.wait_job(old["build"]["id"], lambda j: "building" in runner.trace(j["id"]))
    runner.create_pipeline()
    runner.wait_status(old["build"]["id"], "canceled")
    # conservative: the whole pipeline goes, its not-yet-started non-interruptible job too.
    assert runner.wait_status(old["test"]["id"], "canceled")["status"] == "canceled"
    assert runner.wait_pipeline(old_id)["status"] == "canceled"


def test_conservative_auto_cancel_spares_pipeline_with_started_uninterruptible_job(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
migrate:
  script: [echo migrating, sleep 60]
lint:
  interruptible: true
  script: [echo linting, sleep 60]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    old_id, old = first_pipeline_jobs(runner)
    runner.wait_job(old["migrate"]["id"], lambda j: "migrating" in runner.trace(j["id"]))
    runner.wait_job(old["lint"]["id"], lambda j: "linting" in runner.trace(j["id"]))
    _, new = first_pipeline_jobs(runner)
    runner.wait_job(new["lint"]["id"], lambda j: "linting" in runner.trace(j["id"]))
    assert runner.job(old["migrate"]["id"])["status"] == "running"
    assert runner.job(old["lint"]["id"])["status"] == "running"
    assert runner.get(f"/projects/1/pipelines/{old_id}").json()["status"] == "running"


def test_auto_cancel_on_new_commit_interruptible_cancels_only_interruptible_jobs(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
workflow:
  auto_cancel:
    on_new_commit: interruptible
migrate:
  script: [echo migrating, sleep 60]
lint:
  interruptible: true
  script: [echo linting, sleep 60]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    _, old = first_pipeline_jobs(runner)
    runner.wait_job(old["migrate"]["id"], lambda j: "migrating" in runner.trace(j["id"]))
    runner.wait_job(old["lint"]["id"], lambda j: "linting" in runner.trace(j["id"]))
    runner.create_pipeline()
    runner.wait_status(old["lint"]["id"], "canceled")
    assert runner.job(old["migrate"]["id"])["status"] == "running"


def test_auto_cancel_on_new_commit_none_keeps_older_pipeline(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
workflow:
  auto_cancel:
    on_new_commit: none
lint:
  interruptible: true
  script: [echo linting, sleep 60]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    _, old = first_pipeline_jobs(runner)
    runner.wait_job(old["lint"]["id"], lambda j: "linting" in runner.trace(j["id"]))
    _, new = first_pipeline_jobs(runner)
    runner.wait_job(new["lint"]["id"], lambda j: "linting" in runner.trace(j["id"]))
    assert runner.job(old["lint"]["id"])["status"] == "running"


def test_auto_cancel_on_job_failure_all_cancels_the_rest_of_the_pipeline(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
workflow:
  auto_cancel:
    on_job_failure: all
stages: [test, deploy]
slow:
  script: [echo slow, sleep 60]
broken:
  script: [exit 3]
deploy:
  stage: deploy
  when: always
  script: [echo deploy]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline_id, _jobs = first_pipeline_jobs(runner)
    assert runner.wait_pipeline(pipeline_id)["status"] == "failed"
    final = runner.jobs(pipeline_id)
    assert final["broken"]["status"] == "failed"
    assert final["slow"]["status"] == "canceled"
    assert final["deploy"]["status"] == "canceled"


def test_without_on_job_failure_a_failed_job_lets_the_others_finish(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
slow:
  script: [sleep 2, echo finished]
broken:
  script: [exit 3]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline_id, _ = first_pipeline_jobs(runner)
    assert runner.wait_pipeline(pipeline_id)["status"] == "failed"
    assert runner.jobs(pipeline_id)["slow"]["status"] == "success"


def test_environment_recorded_on_the_job_and_given_as_variables(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
review:
  environment:
    name: review/$CI_COMMIT_REF_SLUG
    url: https://$CI_COMMIT_REF_SLUG.example.com
    auto_stop_in: 1 day
  script:
    - echo "name=$CI_ENVIRONMENT_NAME slug=$CI_ENVIRONMENT_SLUG url=$CI_ENVIRONMENT_URL"
    - echo "action=$CI_ENVIRONMENT_ACTION tier=$CI_ENVIRONMENT_TIER"
production:
  environment: {name: production, action: prepare}
  script:
    - echo "tier=$CI_ENVIRONMENT_TIER action=$CI_ENVIRONMENT_ACTION"
plain:
  script:
    - echo "name=[${CI_ENVIRONMENT_NAME:-none}]"
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline_id, jobs = first_pipeline_jobs(runner)
    runner.wait_pipeline(pipeline_id)
    review = runner.job(jobs["review"]["id"])
    env = review["environment"]
    assert env["name"] == "review/main"
    assert re.fullmatch(r"review-main-[0-9a-z]{6}", env["slug"])
    assert env["url"] == "https://main.example.com"
    assert env["action"] == "start"
    assert env["deployment_tier"] == "development"
    assert env["auto_stop_in"] == "1 day"
    trace = runner.trace(review["id"])
    assert f"name=review/main slug={env['slug']} url=https://main.example.com" in trace
    assert "action=start tier=development" in trace
    assert runner.job(jobs["production"]["id"])["environment"]["deployment_tier"] == "production"
    assert "tier=production action=prepare" in runner.trace(jobs["production"]["id"])
    assert runner.job(jobs["plain"]["id"])["environment"] is None
    assert "name=[none]" in runner.trace(jobs["plain"]["id"])


def test_rules_interruptible_overrides_the_jobs_setting(tmp_path: Path, start_runner: Any) -> None:
    ci = """
workflow:
  auto_cancel:
    on_new_commit: interruptible
lint:
  interruptible: false
  rules:
    - if: $CI_COMMIT_REF_NAME == "main"
      interruptible: true
  script: [echo linting, sleep 60]
migrate:
  interruptible: true
  rules:
    - interruptible: false
  script: [echo migrating, sleep 60]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    _, old = first_pipeline_jobs(runner)
    runner.wait_job(old["lint"]["id"], lambda j: "linting" in runner.trace(j["id"]))
    runner.wait_job(old["migrate"]["id"], lambda j: "migrating" in runner.trace(j["id"]))
    runner.create_pipeline()
    runner.wait_status(old["lint"]["id"], "canceled")
    assert runner.job(old["migrate"]["id"])["status"] == "running"


def test_resource_group_newest_first_serves_the_newest_pipeline(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
workflow:
  auto_cancel:
    on_new_commit: none  # else each new pipeline cancels the waiting one before it
deploy:
  resource_group: production
  script: [echo deploying, sleep 60]
"""
    project = write_project(tmp_path / "proj", ci)
    runner = start_runner(project, "--Scheduler.resource_group_process_mode=newest_first")
    deploys = []
    for _ in range(3):
        _, jobs = first_pipeline_jobs(runner)
        deploys.append(jobs["deploy"]["id"])
    first, second, third = deploys
    runner.wait_job(first, lambda j: "deploying" in runner.trace(first))
    runner.wait_status(second, "waiting_for_resource")
    runner.wait_status(third, "waiting_for_resource")
    runner.post(f"/projects/1/jobs/{first}/cancel")
    runner.wait_status(third, "running")
    waiting = runner.job(second)
    assert waiting["status"] == "waiting_for_resource"
    assert waiting["pending_reason"] == (
        f"waiting for resource group production: held by deploy #{third}"
    )


def test_workflow_rules_auto_cancel_overrides_workflow_auto_cancel(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
workflow:
  auto_cancel:
    on_job_failure: none
  rules:
    - if: $CI_PIPELINE_SOURCE == "push"
      auto_cancel:
        on_job_failure: all
    - when: always
slow:
  script: [echo slow, sleep 60]
broken:
  script: [exit 3]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline_id, _jobs = first_pipeline_jobs(runner)
    assert runner.wait_pipeline(pipeline_id)["status"] == "failed"
    assert runner.jobs(pipeline_id)["slow"]["status"] == "canceled"
