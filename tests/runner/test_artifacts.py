"""Artifacts passed between jobs as GitLab selects them: stages, ``dependencies``, ``needs``."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from .conftest import Runner, write_project

PASSING = """
stages: [build, test]
build:
  stage: build
  script: [mkdir -p out, echo built > out/build.txt, chmod +x out/build.txt]
  artifacts: {paths: [out/]}
other:
  stage: build
  script: [echo other > other.txt]
  artifacts: {paths: [other.txt]}
broken:
  stage: build
  allow_failure: true
  script: [echo kept > failed.txt, exit 1]
  artifacts: {paths: [failed.txt], when: on_failure}
broken_default:
  stage: build
  allow_failure: true
  script: [echo lost > lost.txt, exit 1]
  artifacts: {paths: [lost.txt]}
all:
  stage: test
  before_script: [test -x out/build.txt]
  script: [cat out/build.txt other.txt failed.txt, test ! -e lost.txt]
none:
  stage: test
  dependencies: []
  script: [test ! -e out, test ! -e other.txt]
only_build:
  stage: test
  dependencies: [build]
  script: [cat out/build.txt, test ! -e other.txt]
needs_other:
  stage: test
  needs: [other]
  script: [cat other.txt, test ! -e out]
needs_no_artifacts:
  stage: test
  needs: [{job: build, artifacts: false}, other]
  script: [test ! -e out, cat other.txt]
"""


def test_artifacts_reach_later_jobs_as_gitlab_selects_them(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", PASSING))
    pipeline = runner.create_pipeline()
    assert runner.wait_pipeline(pipeline["id"])["status"] == "success"
    jobs = runner.jobs(pipeline["id"])
    for name in ("all", "none", "only_build", "needs_other", "needs_no_artifacts"):
        assert jobs[name]["status"] == "success", runner.trace(jobs[name]["id"])
    assert jobs["broken"]["artifacts_file"] is not None
    assert jobs["broken_default"]["artifacts_file"] is None
    trace = runner.trace(jobs["all"]["id"])
    for dep in ("build", "other", "broken"):
        assert f"Downloading artifacts for {dep} ({jobs[dep]['id']})..." in trace
    assert "broken_default" not in trace
    # Restored before before_script, as gitlab-runner's download_artifacts stage.
    assert trace.index("Downloading artifacts for build") < trace.index("test -x out/build.txt")
    assert "built\nother\nkept\n" in trace
    assert "Downloading artifacts" not in runner.trace(jobs["none"]["id"])
    assert "Downloading artifacts for other" not in runner.trace(jobs["only_build"]["id"])
    assert "Downloading artifacts for build" not in runner.trace(jobs["needs_no_artifacts"]["id"])


def test_erased_dependency_fails_the_job(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    ci = (
        "stages: [a, b]\nmake:\n  stage: a\n  script: [echo x > x.txt]\n"
        "  artifacts: {paths: [x.txt]}\nuse:\n  stage: b\n  script: [cat x.txt]\n"
    )
    runner = start_runner(write_project(tmp_path / "proj", ci))
    pipeline = runner.create_pipeline()
    assert runner.wait_pipeline(pipeline["id"])["status"] == "success"
    jobs = runner.jobs(pipeline["id"])
    archive = runner.project / ".jupyter-ci" / "artifacts" / str(jobs["make"]["id"])
    (archive / "artifacts.zip").unlink()
    retried = runner.post(f"/projects/1/jobs/{jobs['use']['id']}/retry").json()
    job = runner.wait_status(retried["id"], "failed")
    assert job["failure_reason"] == "missing_dependency_failure"
    assert (
        "ERROR: Job failed: This job depends on other jobs with expired/erased artifacts: make"
        in runner.trace(job["id"])
    )


GLOBS = """
stages: [build, test]
build:
  stage: build
  script:
    - mkdir -p out/sub
    - echo a > out/a.txt
    - echo b > out/sub/b.log
    - echo t > top.txt
  artifacts:
    name: "$CI_JOB_NAME-files"
    expire_in: 1 week
    expose_as: build files
    public: true
    paths: [$CI_PROJECT_DIR/out/, "**.txt", "missing/"]
    exclude: ["out/**/*.log"]
nothing:
  stage: build
  script: [echo nothing]
  artifacts: {paths: ["*.none", "../outside"]}
use:
  stage: test
  script: [cat out/a.txt top.txt, test -d out/sub, test ! -e out/sub/b.log]
"""


def test_artifact_paths_expand_variables_and_glob_like_doublestar(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", GLOBS))
    pipeline = runner.create_pipeline()
    jobs = runner.jobs(pipeline["id"])
    use = runner.wait_status(jobs["use"]["id"], "success", "failed")
    assert use["status"] == "success", runner.trace(use["id"])
    trace = runner.trace(jobs["build"]["id"])
    build_dir = runner.project / ".jupyter-ci" / "builds" / str(jobs["build"]["id"]) / "proj"
    # $CI_PROJECT_DIR/out/ is the build dir's out/: the directory, a.txt and sub (b.log excluded).
    assert f"{build_dir}/out/: found 3 matching artifact files and directories" in trace
    assert "**.txt: found 1 matching artifact files and directories" in trace
    assert (
        "WARNING: missing/: no matching files. Ensure that the artifact path is relative to "
        f"the working directory ({build_dir})"
    ) in trace
    assert "out/**/*.log: excluded 1 files" in trace
    assert 'Uploading artifacts as "archive" to coordinator... 201 Created' in trace
    assert "jobs:build:artifacts:public is not supported by the local runner" in trace
    assert runner.job(jobs["build"]["id"])["artifacts_file"] is not None


def test_artifact_paths_matching_nothing_say_no_files_to_upload(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", GLOBS))
    pipeline = runner.create_pipeline()
    job = runner.wait_status(runner.jobs(pipeline["id"])["nothing"]["id"], "success", "failed")
    assert job["status"] == "success"  # as gitlab-runner, an empty upload does not fail the job
    trace = runner.trace(job["id"])
    assert "WARNING: *.none: no matching files." in trace
    assert (
        "WARNING: processPath: artifact path is not a subpath of project directory: ../outside"
        in trace
    )
    assert "ERROR: No files to upload" in trace
    assert job["artifacts_file"] is None


def test_artifacts_untracked_takes_files_git_does_not_track(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    ci = """
stages: [build, test]
make:
  stage: build
  script: [echo new > new.txt, echo more > tracked.txt]
  artifacts: {untracked: true}
use:
  stage: test
  script: [cat new.txt]
"""
    project = write_project(tmp_path / "proj", ci, {"tracked.txt": "old\n"})
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "init"], check=True)
    runner = start_runner(project)
    pipeline = runner.create_pipeline()
    assert runner.wait_pipeline(pipeline["id"])["status"] == "success"
    jobs = runner.jobs(pipeline["id"])
    assert "untracked: found 1 files" in runner.trace(jobs["make"]["id"])
    assert "new\n" in runner.trace(jobs["use"]["id"])
