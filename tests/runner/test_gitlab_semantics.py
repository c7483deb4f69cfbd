"""GitLab's job keywords, rules, variables and ``parallel`` against a runner process.

The runner reads ``.gitlab-ci.yml`` at each pipeline creation, so one runner serves several
configurations: :func:`run` writes one, creates a pipeline and waits for it to finish.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .conftest import Runner, write_project


def run(runner: Runner, ci: str, **body: Any) -> dict[str, dict[str, Any]]:
    """Run ``ci`` to the end; return its jobs by name, each with its ``trace``."""
    (runner.project / ".gitlab-ci.yml").write_text(ci)
    pipeline = runner.create_pipeline(**body)
    runner.wait_pipeline(pipeline["id"], timeout=60)
    jobs = runner.jobs(pipeline["id"])
    for job in jobs.values():
        job["trace"] = runner.trace(job["id"])
    return jobs


def refused(runner: Runner, ci: str) -> str:
    """Write ``ci``, and return the message of the refused pipeline creation."""
    (runner.project / ".gitlab-ci.yml").write_text(ci)
    r = runner.post("/projects/1/pipeline", json={"ref": "main"})
    assert r.status_code == 400, r.text
    (message,) = r.json()["message"]["base"]
    return str(message)


def printed(trace: str, name: str) -> str:
    """The value a script printed as ``name=value`` (the command echo itself is skipped)."""
    values = re.findall(rf"^{re.escape(name)}=([^\r\n]*)", trace, re.MULTILINE)
    assert values, trace
    return values[-1]


def test_script_strings_run_as_one_command_and_nested_arrays_flatten(
    tmp_path: Path, start_runner: Any
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", "x:\n  script: [true]\n"))
    jobs = run(
        runner,
        """
job:
  before_script: echo before-string
  script: echo hello world
  after_script: echo after-string
nested:
  script: [echo one, [echo two, [echo three]]]
""",
    )
    trace = jobs["job"]["trace"]
    assert jobs["job"]["status"] == "success", trace
    for line in ("before-string", "hello world", "after-string"):
        assert re.search(rf"^{line}\r?$", trace, re.MULTILINE), trace
    assert re.findall(r"^(one|two|three)\r?$", jobs["nested"]["trace"], re.MULTILINE) == [
        "one",
        "two",
        "three",
    ]
    message = refused(runner, "job:\n  script: 5\n")
    assert message.startswith(
        "jobs:job:script config should be a string or a nested array of strings up to 10 levels deep"
    )


def test_inherit_variables_false_or_a_list_limits_global_variables(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
variables: {A: global-a, B: global-b}
none:
  inherit: {variables: false}
  script: ['echo "got=${A:-unset},${B:-unset}"']
only_a:
  inherit: {variables: [A]}
  script: ['echo "got=${A:-unset},${B:-unset}"']
all:
  script: ['echo "got=${A:-unset},${B:-unset}"']
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    jobs = run(runner, ci)
    assert printed(jobs["none"]["trace"], "got") == "unset,unset"
    assert printed(jobs["only_a"]["trace"], "got") == "global-a,unset"
    assert printed(jobs["all"]["trace"], "got") == "global-a,global-b"


def test_double_dollar_unescapes_and_expand_false_keeps_value_raw(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
variables:
  A: alpha
  ESCAPED: a $$HOME b
  RAW: {value: '$A and $$', expand: false}
  REFS_RAW: x-$RAW
  CHAIN: $A-$UNKNOWN_VARIABLE-end
  CHOICE: {value: two, options: [one, two], description: pick one}
job:
  variables:
    JOB_RAW: {value: '${A}', expand: false}
  script:
    - 'echo "escaped=$ESCAPED"'
    - 'echo "raw=$RAW"'
    - 'echo "refs_raw=$REFS_RAW"'
    - 'echo "chain=$CHAIN"'
    - 'echo "choice=$CHOICE"'
    - 'echo "job_raw=$JOB_RAW"'
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    trace = run(runner, ci)["job"]["trace"]
    assert printed(trace, "escaped") == "a $HOME b"
    assert printed(trace, "raw") == "$A and $$"
    assert printed(trace, "refs_raw") == "x-$A and $$"
    assert printed(trace, "chain") == "alpha--end"
    assert printed(trace, "choice") == "two"
    assert printed(trace, "job_raw") == "${A}"
    message = refused(
        runner, "variables:\n  C: {value: three, options: [one, two]}\njob:\n  script: [x]\n"
    )
    assert message.startswith("variables:C config value must be present in options")
    message = refused(runner, "job:\n  variables: {C: {value: x, description: d}}\n  script: [x]\n")
    assert message.startswith("jobs:job:variables:C config uses invalid data keys: description")


def test_needs_of_a_job_excluded_by_rules_and_circular_needs_refuse_the_pipeline(
    tmp_path: Path, start_runner: Any
) -> None:
    runner = start_runner(write_project(tmp_path / "proj", "x:\n  script: [true]\n"))
    excluded = """
a:
  script: [echo a]
  rules: [{if: $NOPE}]
b:
  script: [echo b]
  needs: [a]
"""
    assert refused(runner, excluded) == (
        "'b' job needs 'a' job, but 'a' does not exist in the pipeline. This might be because "
        "of the only, except, or rules keywords. To need a job that sometimes does not exist in "
        "the pipeline, use needs:optional."
    )
    jobs = run(runner, excluded.replace("needs: [a]", "needs: [{job: a, optional: true}]"))
    assert set(jobs) == {"b"}
    assert jobs["b"]["status"] == "success"
    cycle = "a:\n  script: [x]\n  needs: [b]\nb:\n  script: [x]\n  needs: [a]\n"
    assert refused(runner, cycle).startswith("The pipeline has circular dependencies")
    itself = "a:\n  script: [x]\n  needs: [a]\n"
    assert refused(runner, itself).startswith(
        "The pipeline has circular dependencies: self-dependency: a"
    )


def test_rules_allow_failure_overrides_job_exit_codes(tmp_path: Path, start_runner: Any) -> None:
    ci = """
strict:
  script: [exit 3]
  allow_failure: {exit_codes: [3]}
  rules: [{allow_failure: false}]
lenient:
  script: [exit 4]
  allow_failure: {exit_codes: [3]}
  rules: [{allow_failure: true}]
codes_kept:
  script: [exit 3]
  allow_failure: {exit_codes: [3]}
  rules: [{when: on_success}]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    jobs = run(runner, ci)
    assert (jobs["strict"]["status"], jobs["strict"]["allow_failure"]) == ("failed", False)
    assert (jobs["lenient"]["status"], jobs["lenient"]["allow_failure"]) == ("failed", True)
    assert jobs["codes_kept"]["status"] == "failed"
    assert "exit code 3" in jobs["codes_kept"]["trace"]
    pipeline = runner.get("/projects/1/pipelines").json()[0]
    assert pipeline["status"] == "failed"  # strict's failure is not allowed


def test_rules_needs_replace_job_needs_and_rules_exists_globs(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
stages: [one, two]
slow:
  stage: one
  script: [sleep 30]
fast:
  stage: one
  script: [echo fast]
after:
  stage: two
  needs: [slow]
  script: [echo after]
  rules:
    - if: $CI_PIPELINE_SOURCE
      needs: [fast]
empty_glob:
  stage: one
  script: [echo never]
  rules: [{exists: ['']}]
has_marker:
  stage: one
  script: [echo marker]
  rules: [{exists: {paths: ['**/marker.txt']}}]
"""
    project = write_project(tmp_path / "proj", ci, {"deep/dir/marker.txt": "x"})
    runner = start_runner(project)
    pipeline = runner.create_pipeline()
    jobs = runner.jobs(pipeline["id"])
    assert set(jobs) == {"slow", "fast", "after", "has_marker"}
    # `after` needs only `fast` now: it finishes while `slow` still runs.
    runner.wait_status(jobs["after"]["id"], "success", timeout=25)
    assert runner.job(jobs["slow"]["id"])["status"] == "running"
    runner.post(f"/projects/1/pipelines/{pipeline['id']}/cancel")
    message = refused(
        runner, "job:\n  script: [x]\n  rules: [{exists: {paths: [a], project: g/p}}]\n"
    )
    assert message.startswith("jobs:job:rules:rule:exists:project is not supported")


def test_job_variables_beat_workflow_rule_variables_which_beat_global_ones(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
variables: {X: a, Y: global-y, Z: global-z}
workflow:
  rules:
    - variables: {X: b, Y: workflow-y}
job:
  variables: {X: a}
  script: ['echo "got=$X,$Y,$Z,$W"']
ruled:
  variables: {X: job, W: job-w}
  rules:
    - variables: {W: rule-w}
  script: ['echo "got=$X,$Y,$Z,$W"']
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    jobs = run(runner, ci, variables=[{"key": "Z", "value": "api-z"}])
    assert printed(jobs["job"]["trace"], "got") == "a,workflow-y,api-z,"
    assert printed(jobs["ruled"]["trace"], "got") == "job,workflow-y,api-z,rule-w"


def test_predefined_variables_gitlab_always_sets(tmp_path: Path, start_runner: Any) -> None:
    names = [
        "CI_NODE_TOTAL",
        "CI_PIPELINE_CREATED_AT",
        "CI_COMMIT_BRANCH",
        "CI_SERVER_HOST",
        "CI_SERVER_PORT",
        "CI_SERVER_PROTOCOL",
        "CI_SERVER_URL",
        "CI_JOB_URL",
        "CI_PIPELINE_URL",
        "CI_JOB_GROUP_NAME",
        "CI_JOB_TIMEOUT",
    ]
    ci = "job:\n  script:\n" + "".join(f'    - echo "{n}=${n}"\n' for n in names)
    runner = start_runner(write_project(tmp_path / "proj", ci))
    trace = run(runner, ci)["job"]["trace"]
    server = runner.url.rstrip("/")
    host_port = server.split("://", 1)[1]
    assert printed(trace, "CI_NODE_TOTAL") == "1"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", printed(trace, "CI_PIPELINE_CREATED_AT")
    )
    assert printed(trace, "CI_COMMIT_BRANCH") == "main"
    assert f"{printed(trace, 'CI_SERVER_HOST')}:{printed(trace, 'CI_SERVER_PORT')}" == host_port
    assert printed(trace, "CI_SERVER_PROTOCOL") == "http"
    assert printed(trace, "CI_SERVER_URL") == server
    job = runner.get("/projects/1/jobs").json()[0]
    assert printed(trace, "CI_JOB_URL") == job["web_url"]
    assert printed(trace, "CI_PIPELINE_URL") == job["pipeline"]["web_url"]
    assert printed(trace, "CI_JOB_GROUP_NAME") == "job"
    assert printed(trace, "CI_JOB_TIMEOUT") == "3600"


def test_parallel_number_and_matrix_make_gitlab_named_jobs(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
stages: [build, test]
shard:
  stage: build
  parallel: 3
  script:
    - 'echo "node=$CI_NODE_INDEX/$CI_NODE_TOTAL"'
    - mkdir -p out && touch "out/shard-$CI_NODE_INDEX"
  artifacts: {paths: [out/]}
deploy:
  stage: build
  parallel:
    matrix:
      - PROVIDER: aws
        STACK: [monitoring, app1]
      - PROVIDER: gcp
        STACK: data
  script:
    - 'echo "cell=$PROVIDER-$STACK $CI_NODE_INDEX/$CI_NODE_TOTAL"'
    - test "$STACK" != monitoring
all_cells:
  stage: test
  needs: [deploy]
  script: [echo all]
all_shards:
  stage: test
  needs: [shard]
  dependencies: [shard]
  script: ['echo "got=$(ls out | tr "\\n" " ")"']
one_cell:
  stage: test
  needs:
    - job: deploy
      parallel:
        matrix:
          - PROVIDER: gcp
            STACK: data
  script: [echo one]
same_cell:
  stage: test
  parallel:
    matrix:
      - {PROVIDER: aws, STACK: app1}
  needs:
    - job: deploy
      parallel:
        matrix:
          - {PROVIDER: "$[[ matrix.PROVIDER ]]", STACK: "$[[ matrix.STACK ]]"}
  script: [echo same]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    jobs = run(runner, ci)
    assert set(jobs) == {
        "shard 1/3",
        "shard 2/3",
        "shard 3/3",
        "deploy: [aws, monitoring]",
        "deploy: [aws, app1]",
        "deploy: [gcp, data]",
        "all_cells",
        "all_shards",
        "one_cell",
        "same_cell: [aws, app1]",
    }
    # Only `deploy: [aws, monitoring]` fails: what needs every cell is skipped, what needs
    # other cells runs.
    status = {name: j["status"] for name, j in jobs.items()}
    assert status.pop("deploy: [aws, monitoring]") == "failed"
    assert status.pop("all_cells") == "skipped"
    assert set(status.values()) == {"success"}, status
    assert printed(jobs["shard 2/3"]["trace"], "node") == "2/3"
    assert printed(jobs["deploy: [aws, app1]"]["trace"], "cell") == "aws-app1 2/3"
    assert printed(jobs["deploy: [gcp, data]"]["trace"], "cell") == "gcp-data 3/3"
    shards = [jobs[f"shard {i}/3"]["finished_at"] for i in (1, 2, 3)]
    assert jobs["all_shards"]["started_at"] >= max(shards)
    assert printed(jobs["all_shards"]["trace"], "got") == "shard-1 shard-2 shard-3 "
