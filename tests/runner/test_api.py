"""The GitLab REST v4 subset, driven by python-gitlab (the real client) and plain HTTP."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import gitlab
import pytest
import requests

from .conftest import LONG, SIMPLE, write_project


def test_python_gitlab_lists_traces_retries(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", SIMPLE))
    project = runner.gl.projects.get(1)
    assert project.path_with_namespace == "local/proj"
    pipeline = project.pipelines.create({"ref": "main"})
    runner.wait_pipeline(pipeline.id)

    pipelines = project.pipelines.list()
    assert [p.id for p in pipelines] == [pipeline.id]
    assert pipelines[0].status == "success"
    jobs = {j.name: j for j in project.pipelines.get(pipeline.id).jobs.list()}
    assert set(jobs) == {"build", "test"}
    assert jobs["build"].status == "success"
    assert jobs["build"].stage == "build"

    job = project.jobs.get(jobs["build"].id)
    trace = job.trace().decode()
    assert '\x1b[32;1m$ echo "$GREETING from $CI_JOB_NAME"\x1b[0;m' in trace
    assert "hello from build" in trace
    assert "section_start:" in trace
    assert "section_end:" in trace
    assert trace.rstrip().endswith("Job succeeded\x1b[0;m")

    retried = job.retry()
    assert retried["id"] != job.id
    runner.wait_status(retried["id"], "success")
    assert runner.job(job.id)["retried"] is True
    listed = [j.id for j in project.pipelines.get(pipeline.id).jobs.list()]
    assert retried["id"] in listed
    assert job.id not in listed
    assert {j.id for j in project.jobs.list(get_all=True)} >= {job.id, retried["id"]}


def test_python_gitlab_cancel(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    project = runner.gl.projects.get(1)
    pipeline = project.pipelines.create({"ref": "main"})
    job_id = project.pipelines.get(pipeline.id).jobs.list()[0].id
    runner.wait_job(job_id, lambda j: "started" in runner.trace(j["id"]))
    project.jobs.get(job_id).cancel()
    job = runner.wait_status(job_id, "canceled")
    assert job["finished_at"] is not None
    trace = runner.trace(job_id)
    assert "Job canceled by user" in trace
    assert "ERROR: Job failed: canceled" in trace
    assert runner.wait_pipeline(pipeline.id)["status"] == "canceled"
    running = project.jobs.list(scope=["running"], get_all=True)
    assert running == []


def test_failed_job_and_failed_pipeline(tmp_path: Path, start_runner: Any) -> None:
    ci = """
stages: [one, two]
bad:
  stage: one
  script: [echo about to fail, exit 7]
after:
  stage: two
  script: [echo never]
cleanup:
  stage: two
  when: on_failure
  script: [echo cleaning]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline = runner.create_pipeline()
    assert runner.wait_pipeline(pipeline["id"])["status"] == "failed"
    jobs = runner.jobs(pipeline["id"])
    assert jobs["bad"]["status"] == "failed"
    assert jobs["bad"]["failure_reason"] == "script_failure"
    assert jobs["after"]["status"] == "skipped"
    assert jobs["cleanup"]["status"] == "success"
    assert "ERROR: Job failed: exit code 7" in runner.trace(jobs["bad"]["id"])


def test_auth_and_errors(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", SIMPLE))
    r = requests.get(runner.api + "/projects", timeout=10)
    assert r.status_code == 401
    assert r.json() == {"message": "401 Unauthorized"}
    assert (
        requests.get(
            runner.api + "/projects", headers={"PRIVATE-TOKEN": "nope"}, timeout=10
        ).status_code
        == 401
    )
    bearer = requests.get(
        runner.api + "/projects", headers={"Authorization": f"Bearer {runner.token}"}, timeout=10
    )
    assert bearer.status_code == 200
    assert bearer.json()[0]["id"] == 1
    assert runner.get("/projects/local%2Fproj").json()["id"] == 1
    assert runner.get("/projects/2").status_code == 404
    assert runner.get("/projects/1/jobs/12345").status_code == 404
    assert runner.get("/projects/1/pipelines/12345").status_code == 404
    assert runner.get("/projects/1/jobs", params={"scope[]": "bogus"}).status_code == 400
    with pytest.raises(gitlab.GitlabAuthenticationError):
        gitlab.Gitlab(runner.url, private_token="wrong").projects.get(1)


def test_pagination_headers(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", "a:\n  script: [echo a]\n"))
    ids = [runner.create_pipeline()["id"] for _ in range(3)]
    for pid in ids:
        runner.wait_pipeline(pid)
    r = runner.get("/projects/1/pipelines", params={"per_page": 2})
    assert r.headers["X-Total"] == "3"
    assert r.headers["X-Total-Pages"] == "2"
    assert r.headers["X-Next-Page"] == "2"
    assert 'rel="next"' in r.headers["Link"]
    assert [p["id"] for p in r.json()] == ids[::-1][:2]
    everything = runner.gl.projects.get(1).pipelines.list(per_page=2, get_all=True)
    assert sorted(p.id for p in everything) == ids


def test_trace_streams_within_a_second(tmp_path: Path, start_runner: Any) -> None:
    ci = "stream:\n  script:\n    - echo first-line\n    - sleep 4\n    - echo second-line\n"
    runner = start_runner(write_project(tmp_path / "proj", ci))
    job_id = next(iter(runner.jobs(runner.create_pipeline()["id"]).values()))["id"]
    runner.wait_job(job_id, lambda j: "$ echo first-line" in runner.trace(j["id"]))
    seen = time.monotonic()
    while "\nfirst-line" not in runner.trace(job_id):
        assert time.monotonic() - seen < 1.0
        time.sleep(0.05)
    assert runner.job(job_id)["status"] == "running"
    assert "second-line\n" not in runner.trace(job_id)


def test_play_manual_job_and_artifacts(tmp_path: Path, start_runner: Any) -> None:
    ci = """
build:
  script: [mkdir -p out, echo payload > out/result.txt, echo skip > other.txt]
  artifacts:
    paths: [out/]
deploy:
  when: manual
  script: [echo deploying]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline = runner.create_pipeline()
    jobs = runner.jobs(pipeline["id"])
    runner.wait_status(jobs["build"]["id"], "success")
    deploy = runner.wait_status(jobs["deploy"]["id"], "manual")
    assert deploy["allow_failure"] is True
    assert runner.wait_pipeline(pipeline["id"])["status"] == "success"
    build = runner.job(jobs["build"]["id"])
    assert build["artifacts_file"]["filename"] == "artifacts.zip"
    blob = runner.gl.projects.get(1).jobs.get(build["id"]).artifacts()
    # Directories are entries too, as in gitlab-runner's archives.
    assert zipfile.ZipFile(io.BytesIO(blob)).namelist() == ["out/", "out/result.txt"]
    assert (
        runner.get(f"/projects/1/jobs/{build['id']}/artifacts/out/result.txt").text == "payload\n"
    )

    runner.gl.projects.get(1).jobs.get(deploy["id"]).play()
    runner.wait_status(deploy["id"], "success")
    assert "deploying" in runner.trace(deploy["id"])


def test_predefined_variables(tmp_path: Path, start_runner: Any) -> None:
    ci = """
show:
  stage: test
  script:
    - echo "ci=$CI gitlab_ci=$GITLAB_CI id=$CI_JOB_ID name=$CI_JOB_NAME stage=$CI_JOB_STAGE"
    - echo "pipeline=$CI_PIPELINE_ID project=$CI_PROJECT_NAME dir=$CI_PROJECT_DIR"
    - echo "sha=$CI_COMMIT_SHA ref=$CI_COMMIT_REF_NAME"
  after_script:
    - echo "status=$CI_JOB_STATUS"
"""
    project = write_project(tmp_path / "proj", ci)
    import subprocess

    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "feature"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "init"], check=True)
    sha = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    (project / "dirty.txt").write_text("uncommitted\n")

    runner = start_runner(project)
    r = runner.post("/projects/1/pipeline")
    assert r.status_code == 201
    pipeline = r.json()
    assert pipeline["ref"] == "feature"
    job = next(iter(runner.jobs(pipeline["id"]).values()))
    runner.wait_status(job["id"], "success")
    trace = runner.trace(job["id"])
    assert f"ci=true gitlab_ci=true id={job['id']} name=show stage=test" in trace
    assert f"pipeline={pipeline['id']} project=proj dir=" in trace
    build_dir = trace.split(" dir=")[-1].split("\n")[0]
    assert build_dir != str(project)
    assert build_dir.endswith("/proj")
    assert (Path(build_dir) / "dirty.txt").exists()
    assert not (Path(build_dir) / ".jupyter-ci").exists()
    assert f"sha={sha} ref=feature" in trace
    assert "status=success" in trace
