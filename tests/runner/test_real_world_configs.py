"""Configurations as teams write them for GitLab, run by one real runner process as GitLab runs them.

Each case is a project's files and what GitLab does with them: the jobs it creates and a line
each job prints, or the sentence it refuses the pipeline with. One runner serves the whole
table (it reads ``.gitlab-ci.yml`` afresh for every pipeline), so the table stays cheap to grow.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Runner, launch, shut_down

#: name: (files, {job: line it prints} or the sentence GitLab refuses the pipeline with)
CASES: dict[str, tuple[dict[str, str | bytes], dict[str, str] | str]] = {
    "script_string_is_one_command": (
        {".gitlab-ci.yml": "job:\n  script: echo hello-string\n"},
        {"job": "hello-string"},
    ),
    "before_and_after_script_strings_are_one_command_each": (
        {
            ".gitlab-ci.yml": "job:\n  before_script: echo before-one\n  script: [echo ok]\n"
            "  after_script: echo after-one\n"
        },
        {"job": "after-one"},
    ),
    "include_rules_if_picks_files_by_pipeline_source": (
        {
            ".gitlab-ci.yml": "include:\n"
            "  - local: push.yml\n    rules: [{if: '$CI_PIPELINE_SOURCE == \"push\"'}]\n"
            "  - local: web.yml\n    rules: [{if: '$CI_PIPELINE_SOURCE == \"web\"'}]\n"
            "  - local: exists.yml\n    rules: [{exists: [marker.txt]}]\n",
            "push.yml": "from-push:\n  script: [echo pushed]\n",
            "web.yml": "from-web:\n  script: [echo web]\n",
            "exists.yml": "from-exists:\n  script: [echo exists]\n",
            "marker.txt": "here\n",
        },
        {"from-push": "pushed", "from-exists": "exists"},
    ),
    "anchor_holding_a_list_is_a_script": (
        {".gitlab-ci.yml": ".common: &c [echo hi-anchor]\njob:\n  script: *c\n"},
        {"job": "hi-anchor"},
    ),
    "reference_to_a_hidden_list": (
        {
            ".gitlab-ci.yml": ".arr: [echo from-arr]\njob:\n  script: [!reference [.arr], echo two]\n"
        },
        {"job": "from-arr"},
    ),
    "reference_to_a_key_that_comes_from_extends": (
        {
            ".gitlab-ci.yml": ".base:\n  script: [echo base-script]\n.tmpl:\n  extends: .base\n"
            "job:\n  script: !reference [.tmpl, script]\n"
        },
        {"job": "base-script"},
    ),
    "top_level_after_script_reference": (
        {
            ".gitlab-ci.yml": ".a:\n  after_script: [echo after-ref]\n"
            "after_script: [!reference [.a, after_script]]\njob:\n  script: [echo ok]\n"
        },
        {"job": "after-ref"},
    ),
    "cache_list_of_references": (
        {
            ".gitlab-ci.yml": ".c:\n  key: k\n  paths: [out/]\n"
            "job:\n  cache: [!reference [.c]]\n  script: [mkdir -p out, echo cached-job]\n"
        },
        {"job": "cached-job"},
    ),
    "rules_exists_empty_glob_matches_nothing": (
        {
            ".gitlab-ci.yml": "never:\n  rules: [{exists: ['']}]\n  script: [echo no]\n"
            "plain:\n  script: [echo plain-job]\n"
        },
        {"plain": "plain-job"},
    ),
    "nested_include_with_leading_slash_is_from_the_project_root": (
        {
            ".gitlab-ci.yml": "include: ci/a.yml\n",
            "ci/a.yml": "include: /ci/b.yml\n",
            "ci/b.yml": "nested:\n  script: [echo nested-include]\n",
        },
        {"nested": "nested-include"},
    ),
    "include_local_wildcard": (
        {
            ".gitlab-ci.yml": "include: 'configs/*.yml'\n",
            "configs/one.yml": "one:\n  script: [echo first-file]\n",
            "configs/two.yml": "two:\n  script: [echo second-file]\n",
        },
        {"one": "first-file", "two": "second-file"},
    ),
    "spec_inputs_header_in_an_included_file": (
        {
            ".gitlab-ci.yml": "include:\n  - local: t.yml\n    inputs: {who: team}\n",
            "t.yml": "spec:\n  inputs:\n    who:\n    greeting:\n      default: hi\n---\n"
            "'$[[ inputs.who ]]-job':\n  script:\n    - echo $[[ inputs.greeting ]] $[[ inputs.who ]]\n",
        },
        {"team-job": "hi team"},
    ),
    "only_kubernetes_active_never_matches_without_a_cluster": (
        {
            ".gitlab-ci.yml": "deploy:\n  only: {kubernetes: active}\n  script: [echo k8s]\n"
            "fallback:\n  except: {kubernetes: active}\n  script: [echo no-cluster]\n"
        },
        {"fallback": "no-cluster"},
    ),
    "only_refs_regular_expression_matches_the_ref": (
        {
            ".gitlab-ci.yml": "main-only:\n  only: ['/^ma.n$/']\n  script: [echo on-main]\n"
            "tags-only:\n  only: [tags]\n  script: [echo tagged]\n"
        },
        {"main-only": "on-main"},
    ),
    "unknown_workflow_key_is_refused": (
        {".gitlab-ci.yml": "workflow:\n  rulez: []\njob:\n  script: [echo]\n"},
        "workflow config contains unknown keys: rulez",
    ),
    "run_keyword_is_refused_with_a_sentence": (
        {".gitlab-ci.yml": "job:\n  run: [{name: a, script: echo}]\n"},
        "jobs:job:run is a GitLab keyword the local runner refuses",
    ),
    "extends_cycle_is_refused": (
        {".gitlab-ci.yml": "a:\n  extends: b\n  script: [x]\nb:\n  extends: a\n  script: [x]\n"},
        "circular dependency detected in `extends`",
    ),
    "script_number_is_refused": (
        {".gitlab-ci.yml": "job:\n  script: 5\n"},
        "jobs:job:script config should be a string or a nested array of strings up to 10 levels deep",
    ),
    "invalid_utf8_is_refused": (
        {".gitlab-ci.yml": b"job:\n  script: [echo \xff\xfe]\n"},
        "not UTF-8",
    ),
    "missing_local_include_is_refused": (
        {".gitlab-ci.yml": "include: nope.yml\njob:\n  script: [x]\n"},
        "Local file `nope.yml` does not exist!",
    ),
    "needs_on_a_job_rules_exclude_is_refused": (
        {
            ".gitlab-ci.yml": "a:\n  rules: [{when: never}]\n  script: [x]\n"
            "b:\n  needs: [a]\n  script: [x]\n"
        },
        "'b' job needs 'a' job, but 'a' does not exist in the pipeline",
    ),
}


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    """One runner for the whole table, on a project whose files each case rewrites."""
    base = tmp_path_factory.mktemp("real-world")
    project = base / "project"
    project.mkdir()
    (project / ".gitlab-ci.yml").write_text("job:\n  script: [echo ok]\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_RUNTIME_DIR", str(base / "runtime"))
        started = launch(project, base / "runner.log")
        yield started
        shut_down(started)


def _write(project: Path, files: dict[str, str | bytes]) -> None:
    for child in project.iterdir():
        if child.name != ".jupyter-ci":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for name, content in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_runs_as_gitlab_runs_it(runner: Runner, case: str) -> None:
    files, expected = CASES[case]
    _write(runner.project, files)
    response = runner.post("/projects/1/pipeline", json={"ref": "main"})
    if isinstance(expected, str):
        assert response.status_code == 400, response.text
        (sentence,) = response.json()["message"]["base"]
        assert expected in sentence
        return
    assert response.status_code == 201, response.text
    pipeline = response.json()
    runner.wait_pipeline(pipeline["id"])
    jobs = runner.jobs(pipeline["id"])
    assert set(jobs) == set(expected)
    for name, line in expected.items():
        assert jobs[name]["status"] == "success", runner.trace(jobs[name]["id"])
        assert line in runner.trace(jobs[name]["id"])
