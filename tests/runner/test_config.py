"""Loading .gitlab-ci.yml: includes, extends, rules, GitLab-style errors and warnings (no I/O but files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline import config
from jupyter_ci_terminal.runner.pipeline.rules import decide, workflow_variables
from jupyter_ci_terminal.runner.pipeline.values import parse_duration

from .conftest import write_project


def load(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> config.PipelineSpec:
    return config.load(write_project(tmp_path / "p", text, files))


def test_include_local_extends_default_and_reference(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        """
include:
  - local: ci/templates.yml
default:
  before_script: [echo default-before]
stages: [build, test]
variables:
  GLOBAL: g
build:
  extends: .base
  stage: build
  script: [echo build]
  variables:
    OWN: o
test:
  stage: test
  needs: [build]
  script:
    - !reference [.base, after_script]
    - echo test
""",
        {"ci/templates.yml": ".base:\n  after_script: [echo base-after]\n  timeout: 90 minutes\n"},
    )
    assert spec.stages == [".pre", "build", "test", ".post"]
    assert spec.variables == {"GLOBAL": "g"}
    build = spec.jobs["build"]
    assert build.before_script == ["echo default-before"]
    assert build.after_script == ["echo base-after"]
    assert build.timeout == 5400
    assert build.variables == {"OWN": "o"}
    assert spec.jobs["test"].script == ["echo base-after", "echo test"]
    assert spec.jobs["test"].needs == [{"job": "build", "optional": False, "artifacts": True}]
    assert ".base" not in spec.jobs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "job:\n  scrip: [x]\n",
            "jobs:job config contains unknown keys: scrip (.gitlab-ci.yml line 1)",
        ),
        ("a: 1\njob:\n  stage: test\n", "jobs:a config should be a hash (.gitlab-ci.yml line 1)"),
        (
            "job:\n  stage: test\n",
            "jobs:job config should implement the script:, run:, or trigger: keyword",
        ),
        (
            "stages: [build]\njob:\n  stage: nope\n  script: [x]\n",
            "jobs:job chosen stage nope does not exist; available stages are .pre, build, .post",
        ),
        (
            "job:\n  script: [x]\n  when: later\n",
            "jobs:job:when config should be one of: on_success",
        ),
        ("job:\n  script: [x]\n  timeout: soon\n", "jobs:job:timeout config should be a duration"),
        (
            "job:\n  script: [x]\n  retry: 5\n",
            "jobs:job:retry max config must be less than or equal to 2",
        ),
        (
            "job:\n  script: [x]\n  allow_failure: maybe\n",
            "jobs:job:allow_failure config should be a hash",
        ),
        (
            "job:\n  script: [x]\n  needs: [ghost]\n",
            "'job' job needs 'ghost' job, but 'ghost' does not exist",
        ),
        ("job:\n  script: [x]\n  extends: .ghost\n", "job: unknown keys in `extends` (.ghost)"),
        (
            "job:\n  script: [x\n",
            (
                "`.gitlab-ci.yml`: did not find expected ',' or ']' while parsing a flow sequence"
                " at line 2 column 11"
            ),
        ),
        ("include: missing.yml\njob:\n  script: [x]\n", "Local file `missing.yml` does not exist!"),
        (
            "include: ../outside.yml\njob:\n  script: [x]\n",
            "Local file `../outside.yml` does not exist!",
        ),
        (
            "include:\n  remote: https://example.com/ci.yml\njob:\n  script: [x]\n",
            "include:remote is not supported by the local runner",
        ),
        (".hidden:\n  script: [x]\n", "jobs config should contain at least one visible job"),
        (
            "job:\n  script: [x]\n  dependencies: [ghost]\n",
            "job job: undefined dependency: ghost (.gitlab-ci.yml line 1)",
        ),
        (
            "stages: [a, b]\nlate:\n  stage: b\n  script: [x]\n"
            + "job:\n  stage: a\n  script: [x]\n  dependencies: [late]\n",
            "job job: dependency late is not defined in current or prior stages (.gitlab-ci.yml line 5)",
        ),
        (
            "a:\n  script: [x]\nb:\n  script: [x]\n"
            + "job:\n  script: [x]\n  needs: [a]\n  dependencies: [a, b]\n",
            "jobs:job dependencies the b should be part of needs",
        ),
        (
            "job:\n  script: [x]\n  dependencies: build\n",
            "jobs:job dependencies should be an array of strings",
        ),
        (
            "job:\n  script: [x]\n  rules: [{changes: {compare_to: main}}]\n",
            "jobs:job:rules:rule:changes config missing required keys: paths",
        ),
        (
            "job:\n  script: [x]\n  rules: [{changes: README.md}]\n",
            "jobs:job:rules:rule:changes should be an array or a hash",
        ),
        ("job:\n  script: [x]\n  rules: [{if: '$A ==', when: always}]\n", None),
    ],
)
def test_gitlab_style_errors(tmp_path: Path, text: str, message: str | None) -> None:
    (tmp_path / "outside.yml").write_text("x:\n  script: [x]\n")
    if message is None:
        spec = load(tmp_path, text)
        with pytest.raises(ConfigError, match=r"jobs:job:rules invalid expression syntax"):
            decide(spec.jobs["job"], {}, tmp_path, "main", "push")
        return
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert message in str(info.value)


def test_dependencies_accepted_as_gitlab_accepts_them(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        "a:\n  script: [x]\nb:\n  script: [x]\n  dependencies: [a]\n"
        "c:\n  script: [x]\n  needs: []\n  dependencies: [a]\nd:\n  script: [x]\n",
    )
    # The same stage is allowed (only needs can fetch from it); `needs: []` skips the needs check.
    assert spec.jobs["b"].dependencies == spec.jobs["c"].dependencies == ["a"]
    assert spec.jobs["d"].dependencies is None


def test_warnings_for_unsupported_keywords(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        "image: python:3\njob:\n  services: [postgres]\n  cache: {paths: [x]}\n  tags: [docker]\n  script: [x]\n",
    )
    assert "image: is not used by the shell executor" in spec.warnings
    assert "jobs:job:services is not used by the shell executor" in spec.warnings
    assert any(w.startswith("jobs:job:tags is ignored") for w in spec.warnings)


def test_rules_and_only_except(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        """
on_main:
  script: [x]
  rules:
    - if: $CI_COMMIT_REF_NAME == "main" && $MODE =~ /^fa/
      variables: {FROM_RULE: "yes"}
    - when: never
never:
  script: [x]
  rules:
    - if: $MISSING == null
      when: never
    - when: always
manual_rule:
  script: [x]
  rules:
    - if: '$MODE == ''fast'''
      when: manual
manual_job:
  script: [x]
  when: manual
exists:
  script: [x]
  rules:
    - exists: [setup.cfg]
only_tags:
  script: [x]
  only: [tags]
except_main:
  script: [x]
  except: [/^ma/]
""",
    )
    scope = {"CI_COMMIT_REF_NAME": "main", "MODE": "fast"}
    p = tmp_path / "p"
    on_main = decide(spec.jobs["on_main"], scope, p, "main", "push")
    assert on_main is not None
    assert on_main.variables == {"FROM_RULE": "yes"}
    assert decide(spec.jobs["on_main"], {**scope, "MODE": "slow"}, p, "main", "push") is None
    assert decide(spec.jobs["never"], scope, p, "main", "push") is None
    rule_manual = decide(spec.jobs["manual_rule"], scope, p, "main", "push")
    assert rule_manual is not None
    assert (rule_manual.when, rule_manual.allow_failure) == ("manual", False)
    job_manual = decide(spec.jobs["manual_job"], scope, p, "main", "push")
    assert job_manual is not None
    assert (job_manual.when, job_manual.allow_failure) == ("manual", True)
    assert decide(spec.jobs["exists"], scope, p, "main", "push") is None
    (p / "setup.cfg").write_text("")
    assert decide(spec.jobs["exists"], scope, p, "main", "push") is not None
    assert decide(spec.jobs["only_tags"], scope, p, "main", "push") is None
    assert decide(spec.jobs["except_main"], scope, p, "main", "push") is None
    assert decide(spec.jobs["except_main"], scope, p, "dev", "push") is not None


def test_workflow_rules(tmp_path: Path) -> None:
    rules = [{"if": '$CI_PIPELINE_SOURCE == "push"', "variables": {"WF": "1"}}]
    assert workflow_variables(rules, {"CI_PIPELINE_SOURCE": "push"}, tmp_path) == {"WF": "1"}
    with pytest.raises(ConfigError, match=r"Pipeline filtered out by workflow rules\."):
        workflow_variables(rules, {"CI_PIPELINE_SOURCE": "web"}, tmp_path)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("3600", 3600),
        (90, 90),
        ("1h 30m", 5400),
        ("2 hours and 5 minutes", 7500),
        ("10m", 600),
        ("1 day", 86400),
    ],
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text, "x") == seconds


TEMPLATE = """spec:
  inputs:
    name:
    greeting:
      default: hello
---
"$[[ inputs.name ]]-job":
  extends: .base
  script:
    - !reference [.shared, script]
    - echo "$[[ inputs.greeting ]] from $[[ inputs.name ]]"
"""


def test_runner_runs_an_included_template_with_inputs_extends_and_reference(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
include:
  - local: /ci/template.yml
    inputs: {name: greet}
  - local: ci/never.yml
    rules: [{when: never}]
.base:
  before_script: [echo from-base]
.shared:
  script: [echo shared]
"""
    project = write_project(tmp_path / "proj", ci, {"ci/template.yml": TEMPLATE})
    runner = start_runner(project)
    pipeline = runner.create_pipeline()
    jobs = runner.jobs(pipeline["id"])
    assert set(jobs) == {"greet-job"}
    runner.wait_status(jobs["greet-job"]["id"], "success")
    trace = runner.trace(jobs["greet-job"]["id"])
    assert "from-base" in trace
    assert "shared" in trace
    assert "hello from greet" in trace


@pytest.mark.parametrize(
    ("ci", "message"),
    [
        (
            "include: ci/missing.yml\njob:\n  script: [x]\n",
            "Local file `ci/missing.yml` does not exist!",
        ),
        (
            "job:\n  extends: job\n  script: [x]\n",
            "job: circular dependency detected in `extends` (.gitlab-ci.yml line 1)",
        ),
    ],
)
def test_runner_refuses_a_pipeline_with_gitlabs_sentence(
    tmp_path: Path, start_runner: Any, ci: str, message: str
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", ci))
    r = runner.post("/projects/1/pipeline", json={"ref": "main"})
    assert r.status_code == 400
    assert message in r.text
