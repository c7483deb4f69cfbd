"""CI state and actions through the extension's REST API, against the real local runner."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import CIClient


async def wait_status(ci: CIClient, job_id: int, *statuses: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        job = await ci.get("projects", "local", "jobs", str(job_id))
        if job["status"] in statuses:
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.2)


async def test_trace_streams_while_the_job_runs(ci: CIClient, jp_fetch: Any) -> None:
    job = await ci.running_job("shell-job")
    deadline = time.monotonic() + 10
    while True:
        r = await jp_fetch(
            "ci-terminal", "api", "projects", "local", "jobs", str(job["id"]), "trace"
        )
        if "started" in r.body.decode():
            break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    assert r.headers["Content-Type"].startswith("text/plain")
    assert "$ echo started" in r.body.decode()


async def test_retry_creates_a_new_job_and_include_retried_lists_both(ci: CIClient) -> None:
    job = await ci.running_job("shell-job")
    await ci.post("projects", "local", "jobs", str(job["id"]), "cancel")
    assert (await wait_status(ci, job["id"], "canceled"))["status"] == "canceled"
    retried = await ci.post("projects", "local", "jobs", str(job["id"]), "retry")
    assert retried["id"] != job["id"]
    assert retried["name"] == "shell-job"
    pipeline = str(job["pipeline"]["id"])
    current = await ci.get("projects", "local", "pipelines", pipeline, "jobs")
    assert [j["id"] for j in current] == [retried["id"]]
    r = await ci.fetch(
        "ci-terminal",
        "api",
        "projects",
        "local",
        "pipelines",
        pipeline,
        "jobs",
        params={"include_retried": "true"},
    )
    assert {j["id"] for j in json.loads(r.body)} == {job["id"], retried["id"]}


async def test_pipeline_cancel_and_retry(ci: CIClient) -> None:
    job = await ci.running_job("shell-job")
    pipeline = str(job["pipeline"]["id"])
    canceled = await ci.post("projects", "local", "pipelines", pipeline, "cancel")
    assert canceled["id"] == job["pipeline"]["id"]
    assert (await wait_status(ci, job["id"], "canceled"))["status"] == "canceled"
    await ci.post("projects", "local", "pipelines", pipeline, "retry")
    jobs = await ci.get("projects", "local", "pipelines", pipeline, "jobs")
    assert jobs[0]["status"] in ("created", "pending", "running")
    assert jobs[0]["id"] != job["id"]


async def test_unknown_actions_are_not_routes(jp_fetch: Any) -> None:
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(
            "ci-terminal",
            "api",
            "projects",
            "local",
            "pipelines",
            "1",
            "explode",
            method="POST",
            body="{}",
        )
    assert e.value.code == 404


async def test_the_local_project_names_its_instance_and_no_host(ci: CIClient) -> None:
    (project,) = await ci.get("projects")
    assert project == {
        "id": "local",
        "name": project["name"],
        "backend": "local",
        "instance": "local",
        "host": None,
        "identity": project["identity"],
    }
    assert project["identity"].startswith("local:")


async def test_mine_lists_every_local_pipeline(ci: CIClient, jp_fetch: Any) -> None:
    """The local runner's pipelines are all its one user's: scope=mine filters nothing."""
    first = await ci.post("projects", "local", "pipelines")
    second = await ci.post("projects", "local", "pipelines")
    every = await ci.get("projects", "local", "pipelines")
    r = await jp_fetch(
        "ci-terminal", "api", "projects", "local", "pipelines", params={"scope": "mine"}
    )
    mine = json.loads(r.body)
    assert [p["id"] for p in mine] == [p["id"] for p in every]
    assert {first["id"], second["id"]} <= {p["id"] for p in mine}
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(
            "ci-terminal", "api", "projects", "local", "pipelines", params={"scope": "ours"}
        )
    assert e.value.code == 400
    assert "use mine or all" in json.loads(e.value.response.body)["message"]
