"""Ended sessions are forgotten (their screen model goes), their recording stays downloadable."""

from __future__ import annotations

import asyncio
import gc
import json
import time
import weakref
from typing import Any

import pytest
from termframes import read_until
from tornado.httpclient import HTTPClientError

from .conftest import CIClient


async def _unlisted(ci: CIClient, name: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while any(s["name"] == name for s in await ci.get("terminals")):
        assert time.monotonic() < deadline, f"session {name} is still listed"
        await asyncio.sleep(0.05)


async def test_a_session_whose_job_ended_is_forgotten_but_its_recording_kept(
    ci: CIClient, jp_ws_fetch: Any, jp_fetch: Any, jp_serverapp: Any
) -> None:
    sessions = jp_serverapp.web_app.settings["ci_terminal_sessions"]
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    name = session["name"]
    live = weakref.ref(sessions.get(name))
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", name)
    ws.write_message(json.dumps(["stdin", "echo kept-$((5*5))\r"]))
    await read_until(ws, "kept-25")

    await ci.post("projects", "local", "jobs", str(job["id"]), "cancel")
    await read_until(ws, "CI terminal closed")
    assert json.loads(await ws.read_message()) == ["disconnect", 1]
    await _unlisted(ci, name)
    ws.close()  # the tab closes on disconnect, as JupyterLab's does
    deadline = time.monotonic() + 20
    gc.collect()
    while live() is not None:  # freed: its screen model, scrollback and viewers
        assert time.monotonic() < deadline, gc.get_referrers(live())
        await asyncio.sleep(0.05)
        gc.collect()

    described = await ci.get("terminals", name)
    assert described["ended"]
    assert described["job"] == job["id"]
    r = await jp_fetch("ci-terminal", "api", "terminals", name, "recording")
    assert r.headers["Content-Type"] == "application/x-asciicast"
    assert "kept-25" in r.body.decode()
    # A new tab is not attached to what is gone.
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("ci-terminal", "terminals", "websocket", name)
    assert e.value.code in (400, 404)  # 404 before the upgrade; 400 when not a websocket

    # The retried job gets a session of its own, listed while it lives.
    retried = await ci.post("projects", "local", "jobs", str(job["id"]), "retry")
    deadline = time.monotonic() + 60
    while (await ci.get("projects", "local", "jobs", str(retried["id"])))["status"] != "running":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    again = await ci.post("terminals", body={"project": "local", "job": retried["id"]})
    assert [s["name"] for s in await ci.get("terminals")] == [again["name"]]


async def test_a_session_ended_from_jupyter_keeps_its_recording(
    ci: CIClient, jp_ws_fetch: Any, jp_fetch: Any
) -> None:
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    ws.write_message(json.dumps(["stdin", "echo ended-$((4*4))\r"]))
    await read_until(ws, "ended-16")
    await jp_fetch("ci-terminal", "api", "terminals", session["name"], method="DELETE")
    assert await ci.get("terminals") == []
    r = await jp_fetch("ci-terminal", "api", "terminals", session["name"], "recording")
    assert "ended-16" in r.body.decode()
