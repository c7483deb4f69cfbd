"""``cache:`` as GitLab keys it and gitlab-runner's local cache keeps it: shared by jobs and
pipelines, restored before ``before_script``, saved after the scripts, with the runner's lines."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from .conftest import Runner, write_project

SHARED = """
stages: [build, test]
default:
  cache: {key: "deps-$CI_COMMIT_REF_SLUG", paths: [vendor/]}
build:
  stage: build
  before_script: [ls vendor || true]
  script:
    - mkdir -p vendor
    - test -f vendor/dep || echo "fresh in $CI_PIPELINE_ID" > vendor/dep
    - cat vendor/dep
test:
  stage: test
  script: [cat vendor/dep]
"""


def test_cache_is_shared_by_jobs_and_pipelines_with_runner_log_lines(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", SHARED))
    first = runner.create_pipeline()
    assert runner.wait_pipeline(first["id"])["status"] == "success"
    jobs = runner.jobs(first["id"])
    key = "deps-main-non_protected"
    build = runner.trace(jobs["build"]["id"])
    for line in (
        "Restoring cache",
        f"Checking cache for {key}...",
        "WARNING: Cache file does not exist",
        "Failed to extract cache",
        "Saving cache for successful job",
        f"Creating cache {key}...",
        "vendor/: found 2 matching artifact files and directories",
        "Created cache",
    ):
        assert line in build, line
    # Restored before before_script, as gitlab-runner's restore_cache stage.
    assert build.index("Restoring cache") < build.index("ls vendor")
    assert build.index("Saving cache") > build.index("cat vendor/dep")
    assert "Successfully extracted cache" in runner.trace(jobs["test"]["id"])
    assert f"fresh in {first['id']}" in runner.trace(jobs["test"]["id"])
    assert (runner.project / ".jupyter-ci" / "cache" / key / "cache.zip").is_file()

    second = runner.create_pipeline()
    assert runner.wait_pipeline(second["id"])["status"] == "success"
    build = runner.trace(runner.jobs(second["id"])["build"]["id"])
    assert "Successfully extracted cache" in build
    assert f"fresh in {first['id']}" in build
    assert "Archive is up to date!" in build


POLICIES = """
stages: [build, test]
variables:
  CACHE_FALLBACK_KEY: global-non_protected
  POLICY: pull
seed:
  stage: build
  script: [mkdir -p c, echo from-seed > c/v]
  cache: {key: seed, paths: [c/]}
seed_global:
  stage: build
  script: [mkdir -p g, echo from-global > g/v]
  cache: {key: global, paths: [g/]}
pull_only:
  stage: test
  script: [cat c/v g/v]
  cache:
    - {key: "missing-$CI_JOB_NAME", fallback_keys: [seed], paths: [c/], policy: $POLICY}
    - {key: other, paths: [g/], policy: pull}
push_only:
  stage: test
  script: [test ! -e c/v]
  cache: {key: seed, paths: [c/], policy: push}
failing:
  stage: test
  allow_failure: true
  script: [mkdir -p f, echo f > f/f, exit 1]
  cache:
    - {key: fail-a, paths: [f/], when: on_failure}
    - {key: fail-b, paths: [f/]}
"""


def test_cache_policy_when_fallback_keys_and_cache_fallback_key(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", POLICIES))
    pipeline = runner.create_pipeline()
    runner.wait_pipeline(pipeline["id"])
    jobs = runner.jobs(pipeline["id"])
    pull = runner.trace(jobs["pull_only"]["id"])
    assert jobs["pull_only"]["status"] == "success", pull
    assert "from-seed\nfrom-global\n" in pull
    checks = [line for line in pull.splitlines() if "Checking cache for" in line]
    assert [c.split("for ")[1].split("...")[0] for c in checks] == [
        "missing-pull_only-non_protected",  # the key, its variable expanded
        "seed-non_protected",  # fallback_keys
        "other-non_protected",
        "global-non_protected",  # CACHE_FALLBACK_KEY
    ]
    assert "Not uploading cache missing-pull_only-non_protected due to policy" in pull
    assert "Not uploading cache other-non_protected due to policy" in pull
    push = runner.trace(jobs["push_only"]["id"])
    assert jobs["push_only"]["status"] == "success", push
    assert "Not downloading cache seed-non_protected due to policy" in push
    assert "WARNING: No files to cache." in push
    failing = runner.trace(jobs["failing"]["id"])
    assert "Saving cache for failed job" in failing
    assert "Creating cache fail-a-non_protected..." in failing
    assert "fail-b" not in failing.split("Saving cache for failed job")[1]


def test_cache_key_files_is_the_hash_of_the_files_content(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    ci = """
deps:
  script: [mkdir -p d, echo x > d/x]
  cache:
    key: {files: [deps.lock], prefix: "$CI_JOB_NAME"}
    paths: [d/]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci, {"deps.lock": "v1\n"}))
    pipeline = runner.create_pipeline()
    assert runner.wait_pipeline(pipeline["id"])["status"] == "success"
    blob = hashlib.sha1(b"blob 3\0v1\n").hexdigest()
    key = f"deps-{hashlib.sha1(blob.encode()).hexdigest()}-non_protected"
    trace = runner.trace(runner.jobs(pipeline["id"])["deps"]["id"])
    assert f"Creating cache {key}..." in trace
    assert (runner.project / ".jupyter-ci" / "cache" / key / "cache.zip").is_file()
