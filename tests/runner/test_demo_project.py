"""The demo project's pipeline runs as the README and the demo notebook say it does."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from .conftest import REPO, Runner

DEMO = REPO / "examples" / "demo-project"


def test_demo_pipeline_lints_tests_trains_and_holds_the_failed_job(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    project = tmp_path / "demo-project"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns(".jupyter-ci"))
    runner = start_runner(project)
    pipeline = runner.create_pipeline()
    jobs = runner.jobs(pipeline["id"])
    assert set(jobs) == {
        "lint",
        "unit-tests",
        "check-schema",
        "debug-with-agent",
        "train-model",
        "report",
    }

    assert runner.wait_status(jobs["lint"]["id"], "success", "failed")["status"] == "success"
    tests = runner.wait_status(jobs["unit-tests"]["id"], "success", "failed")
    assert tests["status"] == "success", runner.trace(tests["id"])

    # The schema check fails on purpose and is held open for debugging.
    held = runner.wait_job(jobs["check-schema"]["id"], lambda j: j.get("hold") is True)
    assert held["status"] == "running"
    assert "missing column(s) petal_length" in runner.trace(held["id"])
    assert runner.channel(held["id"])["Url"].startswith("wss://")

    # Without the agent's variables (JupyterLab's runner_agent_variables gives them) the agent
    # job says which are missing.
    agent = runner.wait_status(jobs["debug-with-agent"]["id"], "success", "failed")
    assert agent["status"] == "failed"
    assert "Set JUPYTER_CI_TERMINAL_URL, JUPYTER_CI_TERMINAL_TOKEN (CI/CD variables)" in (
        runner.trace(agent["id"])
    )

    train = runner.wait_job(
        jobs["train-model"]["id"], lambda j: "epoch 1/" in runner.trace(j["id"]), timeout=60
    )
    assert train["status"] == "running"
    assert runner.job(jobs["report"]["id"])["status"] == "created"  # needs train-model
