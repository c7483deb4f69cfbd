"""The queue's parts: slot sentences, resource groups, environments and ``workflow:auto_cancel``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.execution import autocancel
from jupyter_ci_terminal.runner.execution.deployments import environment_variables, resolve
from jupyter_ci_terminal.runner.execution.explain import slot_reason
from jupyter_ci_terminal.runner.execution.queue import Slots
from jupyter_ci_terminal.runner.execution.resources import ResourceGroups
from jupyter_ci_terminal.runner.execution.state import Job
from jupyter_ci_terminal.runner.pipeline.deploy import (
    auto_cancel_spec,
    environment_slug,
    environment_spec,
    guess_tier,
)
from jupyter_ci_terminal.runner.pipeline.spec import JobSpec


@pytest.mark.parametrize(
    ("size", "holders", "expected"),
    [
        (
            4,
            [("train-model", True), ("check-schema", False), ("a", False), ("b", False)],
            (
                "waiting for a free slot: 4 of 4 busy — train-model (held), check-schema (running), "
                "a (running), b (running)"
            ),
        ),
        (1, [("build", False)], "waiting for a free slot: 1 of 1 busy — build (running)"),
        (2, [], "waiting for a free slot: 0 of 2 busy"),
    ],
)
def test_slot_reason_names_each_busy_job(
    size: int, holders: list[tuple[str, bool]], expected: str
) -> None:
    assert slot_reason(size, holders) == expected


def test_slots_serve_in_order_and_a_cancelled_waiter_leaves_the_queue() -> None:
    async def scenario() -> list[Any]:
        slots = Slots(1)
        await slots.acquire(1, "one")
        second = asyncio.ensure_future(slots.acquire(2, "two"))
        third = asyncio.ensure_future(slots.acquire(3, "three"))
        await asyncio.sleep(0)
        second.cancel()
        await asyncio.gather(second, return_exceptions=True)
        seen = [slots.holders()]
        slots.release(1)
        await third
        seen.append(slots.holders())
        return seen

    assert asyncio.run(scenario()) == [{1: "one"}, {3: "three"}]


def test_resource_group_hands_over_in_waiting_order() -> None:
    groups = ResourceGroups()
    assert groups.acquire("production", 1)
    assert not groups.acquire("production", 2)
    assert not groups.acquire("production", 3)
    assert groups.acquire("staging", 4)
    assert groups.release(2) == []  # a waiter that leaves hands nothing on
    assert groups.release(1) == [3]
    assert groups.holder("production") == 3
    assert groups.release(3) == []
    assert groups.holder("production") is None


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("production", "production"),
        ("staging", "staging"),
        ("review/main", "review-main-"),
        ("Review", "review-"),
        ("1-prod", "env-1-prod-"),
        ("a-very-long-environment-name-indeed", "a-very-long-envir-"),
    ],
)
def test_environment_slug_is_gitlabs(name: str, slug: str) -> None:
    got = environment_slug(name)
    if slug.endswith("-"):
        assert got.startswith(slug)
        assert len(got) == len(slug) + 6
        assert environment_slug(name) == got  # stable
    else:
        assert got == slug
    assert len(got) <= 24


@pytest.mark.parametrize(
    ("name", "tier"),
    [
        ("production", "production"),
        ("prod-eu", "production"),
        ("live", "production"),
        ("staging", "staging"),
        ("pre-release", "staging"),
        ("test", "testing"),
        ("qa", "testing"),
        ("review/feature", "development"),
        ("dev", "development"),
        ("sandbox", "other"),
    ],
)
def test_guess_tier_from_name(name: str, tier: str) -> None:
    assert guess_tier(name) == tier


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (3, "jobs:x:environment config should be a hash or a string"),
        ({"url": "https://x"}, "jobs:x:environment name can't be blank"),
        (
            {"name": "a", "action": "deploy"},
            "jobs:x:environment action should be start, stop, prepare, verify, or access",
        ),
        ({"name": "a", "deployment_tier": "prod"}, "jobs:x:environment deployment_tier must be"),
        ({"name": "a", "colour": "red"}, "jobs:x:environment config contains unknown keys: colour"),
    ],
)
def test_environment_spec_refuses_bad_values(value: Any, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        environment_spec(value, "jobs:x")


def test_environment_resolves_variables_and_gives_ci_environment_variables() -> None:
    spec = {
        "environment": environment_spec(
            {"name": "review/$CI_COMMIT_REF_SLUG", "url": "https://$CI_COMMIT_REF_SLUG.example"},
            "jobs:x",
        ),
        "resource_group": "deploy-$CI_COMMIT_REF_SLUG",
    }
    resolved = resolve(spec, {"CI_COMMIT_REF_SLUG": "main"})
    assert resolved["resource_group"] == "deploy-main"
    variables = environment_variables(resolved["environment"])
    assert variables["CI_ENVIRONMENT_NAME"] == "review/main"
    assert variables["CI_ENVIRONMENT_URL"] == "https://main.example"
    assert variables["CI_ENVIRONMENT_ACTION"] == "start"
    assert variables["CI_ENVIRONMENT_TIER"] == "development"
    assert variables["CI_ENVIRONMENT_SLUG"] == environment_slug("review/main")
    assert environment_variables(None) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, {"on_new_commit": "conservative", "on_job_failure": "none"}),
        (
            {"on_new_commit": "interruptible"},
            {"on_new_commit": "interruptible", "on_job_failure": "none"},
        ),
        ({"on_job_failure": "all"}, {"on_new_commit": "conservative", "on_job_failure": "all"}),
    ],
)
def test_auto_cancel_defaults(value: Any, expected: dict[str, str]) -> None:
    assert auto_cancel_spec(value) == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("all", "workflow:auto_cancel config should be a hash"),
        ({"on_new_commit": "always"}, "workflow:auto_cancel on_new_commit must be one of"),
        ({"on_job_failure": "some"}, "workflow:auto_cancel on_job_failure must be one of"),
        ({"on_push": "none"}, "workflow:auto_cancel config contains unknown keys: on_push"),
    ],
)
def test_auto_cancel_refuses_bad_values(value: Any, error: str) -> None:
    with pytest.raises(ConfigError, match=error):
        auto_cancel_spec(value)


def _job(job_id: int, status: str, interruptible: bool) -> Job:
    return Job(
        id=job_id,
        pipeline_id=1,
        name=f"j{job_id}",
        stage="test",
        stage_idx=0,
        status=status,
        allow_failure=False,
        hold=False,
        attempt=1,
        retried=False,
        spec=JobSpec(name=f"j{job_id}", stage="test", script=["true"], interruptible=interruptible),
    )


@pytest.mark.parametrize(
    ("mode", "jobs", "expected"),
    [
        # conservative: the whole pipeline, unless a non-interruptible job has started
        ("conservative", [("running", True), ("created", False)], [1, 2]),
        ("conservative", [("pending", False), ("created", False)], [1, 2]),
        ("conservative", [("running", False), ("running", True)], []),
        ("conservative", [("success", False), ("running", True)], []),
        ("conservative", [("success", True), ("manual", False)], [2]),
        # interruptible: only the interruptible jobs, started or not
        ("interruptible", [("running", False), ("running", True), ("created", True)], [2, 3]),
        ("interruptible", [("success", True), ("created", False)], []),
        ("none", [("running", True)], []),
    ],
)
def test_new_pipeline_cancels_per_on_new_commit(
    mode: str, jobs: list[tuple[str, bool]], expected: list[int]
) -> None:
    old = {"id": 1, "ref": "main", "status": "running", "source": "push"}
    old["auto_cancel"] = {"on_new_commit": mode, "on_job_failure": "none"}
    new = {"id": 2, "ref": "main", "status": "created", "source": "push"}
    typed = [_job(i, status, flag) for i, (status, flag) in enumerate(jobs, start=1)]
    assert autocancel.redundant(new, old, typed) == expected


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({"id": 3}, {"id": 2}),  # only older pipelines
        ({"ref": "other"}, {}),  # only the same ref
        ({"status": "success"}, {}),  # only unfinished pipelines
        ({"status": "manual"}, {}),
        ({"source": "parent_pipeline"}, {}),  # child pipelines follow their parent
        ({}, {"source": "parent_pipeline"}),
    ],
)
def test_new_pipeline_leaves_pipelines_gitlab_would_not_cancel(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    base = {"id": 1, "ref": "main", "status": "running", "source": "push", "auto_cancel": {}}
    newer = {"id": 2, "ref": "main", "status": "created", "source": "push", **new}
    assert autocancel.redundant(newer, {**base, **old}, [_job(1, "running", True)]) == []


@pytest.mark.parametrize(
    ("auto_cancel", "expected"),
    [({"on_job_failure": "all"}, True), ({"on_job_failure": "none"}, False), ({}, False)],
)
def test_on_job_failure_all_cancels_the_pipeline(
    auto_cancel: dict[str, str], expected: bool
) -> None:
    assert autocancel.cancels_on_failure({"auto_cancel": auto_cancel}) is expected


@pytest.mark.parametrize(
    ("mode", "order"),
    [
        ("unordered", [20, 30, 10]),  # the longest waiting first
        ("oldest_first", [10, 20, 30]),  # the oldest pipeline first
        ("newest_first", [30, 20, 10]),  # the newest pipeline first
    ],
)
def test_resource_group_process_mode_picks_the_next_job(mode: str, order: list[int]) -> None:
    groups = ResourceGroups(mode)
    assert groups.acquire("deploy", 1, pipeline_id=1)
    for job_id, pipeline_id in ((20, 2), (30, 3), (10, 1)):
        assert not groups.acquire("deploy", job_id, pipeline_id)
    served = []
    holder = 1
    for _ in order:
        (holder,) = groups.release(holder)
        served.append(holder)
    assert served == order


def test_resource_group_refuses_an_unknown_process_mode() -> None:
    with pytest.raises(ValueError, match="process_mode should be one of"):
        ResourceGroups("random")
