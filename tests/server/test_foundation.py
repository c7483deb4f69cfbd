"""The thin end-to-end path: browser websocket → extension → local runner → the job's shell."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from termframes import read_until
from tornado.httpclient import HTTPClientError

from .conftest import CIClient


async def test_a_keystroke_reaches_the_jobs_shell_and_comes_back(
    ci: CIClient, jp_ws_fetch: Any
) -> None:
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    assert session["title"] == f"CI: shell-job #{job['id']}"
    assert "token" not in json.dumps(session).lower()

    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    assert json.loads(await ws.read_message()) == ["setup", {}]
    ws.write_message(json.dumps(["set_size", 24, 80, 600, 800]))
    ws.write_message(json.dumps(["stdin", 'echo $CI_JOB_NAME; echo "$GREETING"\r']))
    seen = await read_until(ws, "hello from the job")
    # The echoed command line holds "$CI_JOB_NAME"; the output line holds the value.
    assert re.search(r"[\r\n]shell-job\r\n", seen), repr(seen)
    ws.close()

    listed = await ci.get("terminals")
    assert [s["name"] for s in listed] == [session["name"]]


async def test_the_same_job_gets_the_same_session(ci: CIClient) -> None:
    job = await ci.running_job("shell-job")
    first = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    second = await ci.post("terminals", body={"job": job["id"]})  # one project: optional
    assert first["name"] == second["name"]


async def test_websocket_without_credentials_is_refused(ci: CIClient, jp_ws_fetch: Any) -> None:
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    with pytest.raises(HTTPClientError) as e:
        await jp_ws_fetch(
            "ci-terminal", "terminals", "websocket", session["name"], headers={"Authorization": ""}
        )
    assert e.value.code == 403


async def test_rest_without_credentials_is_refused(jp_fetch: Any) -> None:
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("ci-terminal", "api", "terminals", headers={"Authorization": ""})
    assert e.value.code == 403


async def test_delete_ends_the_session(ci: CIClient, jp_fetch: Any, jp_ws_fetch: Any) -> None:
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    assert json.loads(await ws.read_message()) == ["setup", {}]
    r = await jp_fetch("ci-terminal", "api", "terminals", session["name"], method="DELETE")
    assert r.code == 204
    seen = await read_until(ws, "CI terminal closed")
    assert "shut down from Jupyter" in seen
    assert await ci.get("terminals") == []
