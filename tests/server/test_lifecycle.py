"""Fixed-size runners, server shutdown, the idle culler's view, XSRF, recording retention."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from termframes import read_until
from tornado.httpclient import HTTPClientError

from jupyter_ci_terminal.protocol.frames import GITLAB
from jupyter_ci_terminal.sessions.recording import prune

from .conftest import CIClient, login_cookie


@pytest.fixture
def gitlab_protocol_only(jp_serverapp: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the real runner's Channel offer only terminal.gitlab.com, as GitLab's does."""
    local = jp_serverapp.web_app.settings["ci_terminal_registry"].backends[0]
    original = local.channel

    async def channel(project: Any, job_id: int, job: Any = None) -> Any:
        channel = await original(project, job_id, job=job)
        return dataclasses.replace(channel, subprotocols=(GITLAB,))

    monkeypatch.setattr(local, "channel", channel)


@pytest.mark.usefixtures("gitlab_protocol_only")
async def test_a_runner_that_cannot_resize_says_so_once(ci: CIClient, jp_ws_fetch: Any) -> None:
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    assert session["resizable"] is False
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    await ws.read_message()
    ws.write_message(json.dumps(["set_size", 30, 100, 600, 900]))
    ws.write_message(json.dumps(["set_size", 31, 101, 600, 900]))
    seen = await read_until(ws, "cannot resize")
    ws.write_message(json.dumps(["stdin", "echo after-$((1+1))\r"]))
    seen += await read_until(ws, "after-2")
    assert seen.count("cannot resize") == 1
    assert "stty" not in seen.split("cannot resize")[0]  # no keystrokes were injected


@pytest.mark.usefixtures("gitlab_protocol_only")
async def test_stty_resize_option_types_the_size_into_the_shell(
    ci: CIClient, jp_ws_fetch: Any, jp_serverapp: Any
) -> None:
    jp_serverapp.web_app.settings["ci_terminal_sessions"].cfg.stty_resize = True
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    await ws.read_message()
    ws.write_message(json.dumps(["set_size", 33, 99, 600, 900]))
    await asyncio.sleep(0.3)
    ws.write_message(json.dumps(["stdin", "echo size=$(stty size)\r"]))
    await read_until(ws, "size=33 99")


async def test_traffic_is_activity_for_the_idle_culler(
    ci: CIClient, jp_ws_fetch: Any, jp_serverapp: Any
) -> None:
    settings = jp_serverapp.web_app.settings
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    await ws.read_message()
    before = settings["ci_terminal_last_activity"]
    await asyncio.sleep(0.05)
    ws.write_message(json.dumps(["stdin", "echo active-$((2+2))\r"]))
    await read_until(ws, "active-4")
    assert settings["ci_terminal_last_activity"] > before
    assert jp_serverapp.web_app.last_activity() >= settings["ci_terminal_last_activity"]


async def test_server_shutdown_closes_every_bridge_with_the_reason(
    ci: CIClient, jp_ws_fetch: Any, jp_serverapp: Any
) -> None:
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    await ws.read_message()
    sessions = jp_serverapp.web_app.settings["ci_terminal_sessions"]
    live = sessions.get(session["name"])
    await sessions.shutdown()
    seen = await read_until(ws, "shutting down")
    assert "CI terminal closed" in seen
    assert live.ended == "the Jupyter server is shutting down"


async def test_posts_with_cookie_auth_need_the_xsrf_token(jp_fetch: Any) -> None:
    cookie = await login_cookie(jp_fetch)
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(
            "ci-terminal",
            "api",
            "terminals",
            method="POST",
            body=json.dumps({"job": 1}),
            headers={"Authorization": "", "Cookie": cookie},
        )
    assert e.value.code == 403
    # The same request with a matching XSRF cookie and header gets through to the handler.
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(
            "ci-terminal",
            "api",
            "terminals",
            method="POST",
            body=json.dumps({"job": "x"}),
            headers={
                "Authorization": "",
                "Cookie": f"{cookie}; _xsrf=61626364",
                "X-XSRFToken": "61626364",
            },
        )
    assert e.value.code == 400
    assert "Give the job" in json.loads(e.value.response.body)["message"]


def test_recordings_older_than_the_retention_are_pruned(tmp_path: Path) -> None:
    old, new = tmp_path / "old.cast", tmp_path / "new.cast"
    old.write_text("{}")
    new.write_text("{}")
    stale = time.time() - 3 * 86400
    os.utime(old, (stale, stale))
    assert prune(tmp_path, keep_days=2) == 1
    assert not old.exists()
    assert new.exists()
    assert prune(tmp_path, keep_days=0) == 0  # 0 keeps everything


class TestKeepAlive:
    @pytest.fixture
    def jp_server_config(self, jp_server_config: dict[str, Any]) -> dict[str, Any]:
        jp_server_config["ServerApp"]["tornado_settings"] = {"ws_ping_interval": 200}  # ms
        return jp_server_config

    async def test_idle_browser_sockets_are_pinged(self, ci: CIClient, jp_ws_fetch: Any) -> None:
        job = await ci.running_job("shell-job")
        session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
        ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
        pings: list[bytes] = []
        ws.on_ping = pings.append
        # Keep reading: tornado's client stops reading frames (pings too) while a message waits.
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                await asyncio.wait_for(ws.read_message(), deadline - time.monotonic())
            except asyncio.TimeoutError:
                break
        assert len(pings) >= 3
