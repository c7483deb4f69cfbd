"""Parent-child pipelines (``trigger:include``) against a runner process, and the trigger checks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline import config
from jupyter_ci_terminal.runner.pipeline.trigger import forwarded_variables, parse_trigger

from .conftest import Runner, write_project

CHILD = """
child_job:
  script:
    - echo "G=$GREETING C=$FROM_BRIDGE A=${API_VAR:-unset} S=$CI_PIPELINE_SOURCE"
"""
FAILING_CHILD = "broken:\n  script: [echo child-fails, exit 3]\n"


def bridges(runner: Runner, pipeline_id: int) -> dict[str, dict[str, Any]]:
    r = runner.get(f"/projects/1/pipelines/{pipeline_id}/bridges")
    assert r.status_code == 200, r.text
    return {b["name"]: b for b in r.json()}


def wait_bridge(
    runner: Runner, pipeline_id: int, name: str, pred: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        bridge = bridges(runner, pipeline_id)[name]
        if pred(bridge):
            return bridge
        if time.monotonic() > deadline:
            pytest.fail(f"bridge {name} stuck: {bridge}")
        time.sleep(0.1)


def test_trigger_include_runs_child_pipeline_with_forwarded_variables(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
stages: [build, test]
variables:
  GREETING: hello
build:
  stage: build
  script: [echo built]
child:
  stage: test
  variables:
    FROM_BRIDGE: "$GREETING-from-$CI_JOB_NAME"
  trigger:
    include: ci/child.yml
child_forward:
  stage: test
  trigger:
    include: [{local: ci/child.yml}]
    forward: {yaml_variables: false, pipeline_variables: true}
"""
    runner = start_runner(write_project(tmp_path / "proj", ci, {"ci/child.yml": CHILD}))
    parent = runner.create_pipeline(variables=[{"key": "API_VAR", "value": "api"}])
    # Trigger jobs are bridges: listed at /bridges, not among the jobs.
    assert set(runner.jobs(parent["id"])) == {"build"}
    assert runner.wait_pipeline(parent["id"])["status"] == "success"
    found = bridges(runner, parent["id"])
    assert set(found) == {"child", "child_forward"}
    traces = {}
    for name, bridge in found.items():
        assert (bridge["status"], bridge["stage"]) == ("success", "test")
        assert bridge["pipeline"]["id"] == parent["id"]
        assert "script" not in bridge
        downstream = bridge["downstream_pipeline"]
        assert downstream["source"] == "parent_pipeline"
        assert (downstream["ref"], downstream["sha"]) == (parent["ref"], parent["sha"])
        assert runner.wait_pipeline(downstream["id"])["status"] == "success"
        (job,) = runner.jobs(downstream["id"]).values()
        traces[name] = runner.trace(job["id"])
    # Default forward: the bridge's and the global YAML variables, not the API ones.
    assert "G=hello C=hello-from-child A=unset S=parent_pipeline" in traces["child"]
    assert "G= C= A=api S=parent_pipeline" in traces["child_forward"]
    # GitLab lists child pipelines only when asked for with source=parent_pipeline.
    listed = [p["id"] for p in runner.get("/projects/1/pipelines").json()]
    assert listed == [parent["id"]]
    children = runner.get("/projects/1/pipelines", params={"source": "parent_pipeline"}).json()
    assert sorted(p["id"] for p in children) == sorted(
        b["downstream_pipeline"]["id"] for b in found.values()
    )
    assert runner.get(f"/projects/1/jobs/{found['child']['id']}").status_code == 404


def test_trigger_job_forwards_its_ci_job_url_in_gitlabs_form(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = "bridge:\n  variables:\n    BRIDGE_URL: $CI_JOB_URL\n  trigger:\n    include: child.yml\n"
    child = "show:\n  script: ['echo \"U=$BRIDGE_URL\"']\n"
    runner = start_runner(write_project(tmp_path / "proj", ci, {"child.yml": child}))
    parent = runner.create_pipeline()
    assert runner.wait_pipeline(parent["id"])["status"] == "success"
    bridge = bridges(runner, parent["id"])["bridge"]
    assert runner.wait_pipeline(bridge["downstream_pipeline"]["id"])["status"] == "success"
    (job,) = runner.jobs(bridge["downstream_pipeline"]["id"]).values()
    project_url = runner.get("/projects/1").json()["web_url"]
    expected = f"{project_url}/-/jobs/{bridge['id']}"
    # The same address as the bridge's web_url in the API, as on GitLab.
    assert bridge["web_url"] == expected
    assert f"U={expected}\n" in runner.trace(job["id"])


def test_strategy_depend_mirrors_failing_child_and_plain_trigger_succeeds(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = """
stages: [test, deploy]
dependent:
  stage: test
  trigger:
    include: child.yml
    strategy: depend
fire_and_forget:
  stage: test
  trigger:
    include: child.yml
after:
  stage: deploy
  script: [echo after]
"""
    runner = start_runner(write_project(tmp_path / "proj", ci, {"child.yml": FAILING_CHILD}))
    parent = runner.create_pipeline()
    assert runner.wait_pipeline(parent["id"])["status"] == "failed"
    found = bridges(runner, parent["id"])
    assert found["fire_and_forget"]["status"] == "success"
    assert found["dependent"]["status"] == "failed"
    for bridge in found.values():
        assert runner.wait_pipeline(bridge["downstream_pipeline"]["id"])["status"] == "failed"
    assert runner.jobs(parent["id"])["after"]["status"] == "skipped"
    scoped = runner.get(
        f"/projects/1/pipelines/{parent['id']}/bridges", params={"scope[]": "failed"}
    ).json()
    assert [b["name"] for b in scoped] == ["dependent"]


def test_strategy_depend_bridge_runs_while_child_runs_and_cancel_reaches_child(
    tmp_path: Path, start_runner: Any
) -> None:
    child = "slow:\n  script: [echo started, sleep 60]\n"
    ci = "bridge:\n  trigger:\n    include: child.yml\n    strategy: depend\n"
    runner = start_runner(write_project(tmp_path / "proj", ci, {"child.yml": child}))
    parent = runner.create_pipeline()
    bridge = wait_bridge(runner, parent["id"], "bridge", lambda b: bool(b["downstream_pipeline"]))
    assert bridge["status"] == "running"
    downstream = bridge["downstream_pipeline"]
    (slow,) = runner.jobs(downstream["id"]).values()
    runner.wait_job(slow["id"], lambda j: "\nstarted" in runner.trace(j["id"]))
    assert runner.get(f"/projects/1/pipelines/{parent['id']}").json()["status"] == "running"
    assert runner.post(f"/projects/1/pipelines/{parent['id']}/cancel").status_code == 200
    assert runner.wait_pipeline(downstream["id"])["status"] == "canceled"
    assert runner.wait_pipeline(parent["id"])["status"] == "canceled"
    assert bridges(runner, parent["id"])["bridge"]["status"] == "canceled"


def test_a_child_pipelines_own_auto_cancel_on_job_failure_applies_to_it(
    tmp_path: Path, start_runner: Any
) -> None:
    child = """
workflow:
  auto_cancel:
    on_job_failure: all
slow:
  script: [echo started, sleep 60]
broken:
  script: [exit 3]
"""
    ci = "bridge:\n  trigger:\n    include: child.yml\n    strategy: depend\n"
    runner = start_runner(write_project(tmp_path / "proj", ci, {"child.yml": child}))
    parent = runner.create_pipeline()
    bridge = wait_bridge(runner, parent["id"], "bridge", lambda b: bool(b["downstream_pipeline"]))
    downstream = bridge["downstream_pipeline"]["id"]
    assert runner.wait_pipeline(downstream)["status"] == "failed"
    final = runner.jobs(downstream)
    assert (final["broken"]["status"], final["slow"]["status"]) == ("failed", "canceled")
    assert runner.wait_pipeline(parent["id"])["status"] == "failed"


def test_strategy_mirror_shows_a_blocked_child_as_manual_and_include_inputs_reach_it(
    tmp_path: Path, start_runner: Any
) -> None:
    child = """
spec:
  inputs:
    greeting:
---
gate:
  when: manual
  allow_failure: false
  script:
    - echo "$[[ inputs.greeting ]] from the gate"
"""
    ci = """
bridge:
  trigger:
    include:
      - local: child.yml
        inputs: {greeting: hi}
    strategy: mirror
"""
    runner = start_runner(write_project(tmp_path / "proj", ci, {"child.yml": child}))
    parent = runner.create_pipeline()
    bridge = wait_bridge(runner, parent["id"], "bridge", lambda b: b["status"] == "manual")
    assert bridge["downstream_pipeline"]["status"] == "manual"
    assert runner.get(f"/projects/1/pipelines/{parent['id']}").json()["status"] == "manual"
    (gate,) = runner.jobs(bridge["downstream_pipeline"]["id"]).values()
    assert runner.post(f"/projects/1/jobs/{gate['id']}/play").status_code == 200
    assert runner.wait_pipeline(parent["id"])["status"] == "success"
    assert bridges(runner, parent["id"])["bridge"]["status"] == "success"
    assert "hi from the gate" in runner.trace(gate["id"])


def test_dynamic_child_pipeline_from_artifact(tmp_path: Path, start_runner: Any) -> None:
    ci = """
stages: [generate, trigger]
generate:
  stage: generate
  script:
    - |
      cat > gen.yml <<'EOF'
      generated:
        script: [echo made-by-$CI_PIPELINE_SOURCE]
      EOF
  artifacts:
    paths: [gen.yml]
run_generated:
  stage: trigger
  trigger:
    include:
      - artifact: gen.yml
        job: generate
    strategy: depend
missing_artifact:
  stage: trigger
  allow_failure: true
  trigger:
    include:
      - artifact: gen.yml
        job: nobody
"""
    runner = start_runner(write_project(tmp_path / "proj", ci))
    parent = runner.create_pipeline()
    assert runner.wait_pipeline(parent["id"])["status"] == "success"
    found = bridges(runner, parent["id"])
    assert found["run_generated"]["status"] == "success"
    (job,) = runner.jobs(found["run_generated"]["downstream_pipeline"]["id"]).values()
    assert "made-by-parent_pipeline" in runner.trace(job["id"])
    refused = found["missing_artifact"]
    assert refused["status"] == "failed"
    assert refused["failure_reason"] == "downstream_pipeline_creation_failed"
    child = runner.get(f"/projects/1/pipelines/{refused['downstream_pipeline']['id']}").json()
    assert child["status"] == "failed"
    assert (
        child["yaml_errors"]
        == "Job `nobody` not found in parent pipeline or does not have artifacts!"
    )


def test_child_pipelines_nest_two_levels_deep_at_most(tmp_path: Path, start_runner: Any) -> None:
    files = {
        "level1.yml": "down:\n  trigger:\n    include: level2.yml\n    strategy: depend\n",
        "level2.yml": "down:\n  trigger:\n    include: level3.yml\n    strategy: depend\n",
        "level3.yml": "leaf:\n  script: [echo too deep]\n",
    }
    ci = "down:\n  trigger:\n    include: level1.yml\n    strategy: depend\n"
    runner = start_runner(write_project(tmp_path / "proj", ci, files))
    top = runner.create_pipeline()
    assert runner.wait_pipeline(top["id"])["status"] == "failed"
    pipeline_id, depth = top["id"], 0
    while True:
        bridge = bridges(runner, pipeline_id)["down"]
        if bridge["downstream_pipeline"] is None:
            break
        pipeline_id, depth = bridge["downstream_pipeline"]["id"], depth + 1
    assert depth == 2
    assert bridge["failure_reason"] == "reached_max_descendant_pipelines_depth"


def test_multi_project_trigger_is_refused_with_a_sentence(
    tmp_path: Path, start_runner: Any
) -> None:
    ci = "build:\n  script: [echo b]\ndeploy:\n  trigger:\n    project: group/other\n"
    runner = start_runner(write_project(tmp_path / "proj", ci))
    r = runner.post("/projects/1/pipeline", json={"ref": "main"})
    assert r.status_code == 400
    (message,) = r.json()["message"]["base"]
    assert message.startswith(
        "jobs:deploy:trigger:project `group/other` is a multi-project pipeline, which the local "
        "runner cannot start: it serves this one project"
    )


TRIGGER_ERRORS = [
    ({"trigger": {"include": "c.yml"}, "script": ["x"]}, "jobs:job config contains unknown keys: trigger"),
    ({"trigger": {"include": "c.yml"}, "artifacts": {"paths": ["a"]}}, "jobs:job config contains unknown keys: artifacts"),
    ({"trigger": {"include": "c.yml"}, "when": "delayed"}, "jobs:job when should be one of: on_success, on_failure, always, manual"),
    ({"trigger": {"include": "c.yml", "strategy": "wait"}}, "jobs:job:trigger strategy should be depend or mirror"),
    ({"trigger": {"include": "c.yml", "foo": 1}}, "jobs:job:trigger config contains unknown keys: foo"),
    ({"trigger": {"branch": "main"}}, "jobs:job:trigger config must specify either project or include"),
    ({"trigger": ["c.yml"]}, "jobs:job:trigger has to be either a string or a hash"),
    ({"trigger": {"include": "c.yml", "forward": {"secrets": True}}}, "jobs:job:trigger:forward config contains unknown keys: secrets"),
    ({"trigger": {"include": [{"artifact": "c.yml"}]}}, "Job must be provided when including configs from artifacts"),
    ({"trigger": {"include": [{"project": "g/p", "file": "c.yml"}]}}, "jobs:job:trigger:include:file,project is not supported by the local runner"),
    ({"trigger": "group/other"}, "jobs:job:trigger:project `group/other` is a multi-project pipeline"),
    ({"trigger": {"include": ["c.yml"] * 4}}, "jobs:job:trigger:include config is too long (maximum is 3)"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "message"), TRIGGER_ERRORS)
def test_trigger_config_errors_use_gitlab_wording(
    tmp_path: Path, body: dict[str, Any], message: str
) -> None:
    import yaml

    project = write_project(tmp_path / "p", yaml.safe_dump({"job": body}), {"c.yml": CHILD})
    with pytest.raises(ConfigError) as raised:
        config.load(project)
    assert str(raised.value).startswith(message)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("c.yml", [{"local": "c.yml"}]),
        ([{"local": "c.yml", "inputs": {"a": "b"}}], [{"local": "c.yml", "inputs": {"a": "b"}}]),
        ([{"artifact": "g.yml", "job": "gen"}], [{"artifact": "g.yml", "job": "gen"}]),
    ],
)
def test_trigger_include_forms(value: Any, expected: list[dict[str, Any]]) -> None:
    trigger = parse_trigger({"include": value}, "jobs:job:trigger")
    assert trigger["include"] == expected
    assert trigger["forward"] == {"yaml_variables": True, "pipeline_variables": False}


@pytest.mark.parametrize(
    ("forward", "expected"),
    [
        ({"yaml_variables": True, "pipeline_variables": False}, {"Y": "x-1"}),
        ({"yaml_variables": False, "pipeline_variables": True}, {"P": "$RAW"}),
        ({"yaml_variables": True, "pipeline_variables": True}, {"Y": "x-1", "P": "$RAW"}),
        ({"yaml_variables": False, "pipeline_variables": False}, {}),
    ],
)
def test_forward_passes_yaml_variables_expanded_and_pipeline_variables_raw(
    forward: dict[str, bool], expected: dict[str, str]
) -> None:
    got = forwarded_variables(forward, {"Y": "x-$N"}, {"P": "$RAW"}, {"N": "1", "RAW": "no"})
    assert got == expected


def test_server_backend_lists_bridges_with_jobs_and_retried_attempts(
    tmp_path: Path, start_runner: Any
) -> None:
    from jupyter_ci_terminal.backends.local import LocalBackend

    ci = "build:\n  script: [echo b]\nchild:\n  trigger:\n    include: child.yml\n"
    runner = start_runner(write_project(tmp_path / "proj", ci, {"child.yml": CHILD}))
    parent = runner.create_pipeline()
    first = wait_bridge(runner, parent["id"], "child", lambda b: b["status"] == "success")
    # Retrying a trigger job creates a new one, and with it a new child pipeline.
    assert runner.post(f"/projects/1/jobs/{first['id']}/retry").status_code == 201
    second = wait_bridge(
        runner, parent["id"], "child", lambda b: b["id"] != first["id"] and b["status"] == "success"
    )
    assert second["downstream_pipeline"]["id"] != first["downstream_pipeline"]["id"]

    async def listed(include_retried: bool) -> list[dict[str, Any]]:
        backend = LocalBackend(runner.project, start=False)
        try:
            (project,) = await backend.projects()
            return await backend.pipeline_jobs(
                project, parent["id"], include_retried=include_retried
            )
        finally:
            await backend.close()

    latest = asyncio.run(listed(False))
    assert [(j["name"], "downstream_pipeline" in j) for j in latest] == [
        ("build", False),
        ("child", True),
    ]
    assert latest[1]["id"] == second["id"]
    every = {j["id"]: j for j in asyncio.run(listed(True)) if "downstream_pipeline" in j}
    assert (every[first["id"]]["retried"], every[second["id"]]["retried"]) == (True, False)
