"""Auth, Origin, the admin switch, and secrets kept out of responses, recordings and logs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from termframes import read_until
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from .conftest import CIClient, login_cookie


async def test_cross_origin_upgrade_is_refused_with_cookie_auth(
    ci: CIClient, jp_fetch: Any, jp_http_port: int, jp_base_url: str
) -> None:
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    cookie = await login_cookie(jp_fetch)
    url = f"ws://127.0.0.1:{jp_http_port}{jp_base_url}ci-terminal/terminals/websocket/{session['name']}"
    host = f"127.0.0.1:{jp_http_port}"
    evil = HTTPRequest(
        url, headers={"Cookie": cookie, "Host": host, "Origin": "http://evil.example"}
    )
    with pytest.raises(HTTPClientError) as e:
        await websocket_connect(evil)
    assert e.value.code == 403
    same = HTTPRequest(url, headers={"Cookie": cookie, "Host": host, "Origin": f"http://{host}"})
    ws = await websocket_connect(same)
    assert json.loads(await ws.read_message()) == ["setup", {}]
    ws.close()


async def test_unknown_session_is_404_and_non_running_job_explains(
    ci: CIClient, jp_fetch: Any, jp_ws_fetch: Any
) -> None:
    with pytest.raises(HTTPClientError) as e:
        await jp_ws_fetch("ci-terminal", "terminals", "websocket", "nope-1")
    assert e.value.code == 404
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch(
            "ci-terminal",
            "api",
            "terminals",
            method="POST",
            body=json.dumps({"project": "local", "job": 99999}),
        )
    assert e.value.code == 404
    assert json.loads(e.value.response.body)["message"] == "There is no job 99999 in root_dir."


async def test_bad_request_bodies_get_one_sentence(jp_fetch: Any) -> None:
    for body in ("not json", "[1]", "{}", '{"job": "x"}'):
        with pytest.raises(HTTPClientError) as e:
            await jp_fetch("ci-terminal", "api", "terminals", method="POST", body=body)
        assert e.value.code == 400
        message = json.loads(e.value.response.body)["message"]
        assert message.endswith(".")


async def test_recording_and_audit_log_hold_the_session_but_no_secret(
    ci: CIClient, jp_fetch: Any, jp_ws_fetch: Any, jp_serverapp: Any, tmp_path: Path
) -> None:
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    await ws.read_message()
    ws.write_message(json.dumps(["stdin", "echo recorded-$((3*3))\r"]))
    await read_until(ws, "recorded-9")
    ws.close()

    r = await jp_fetch("ci-terminal", "api", "terminals", session["name"], "recording")
    assert r.headers["Content-Type"] == "application/x-asciicast"
    lines = r.body.decode().splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 2
    assert header["title"] == f"CI: shell-job #{job['id']}"
    events = [json.loads(line) for line in lines[1:]]
    assert any(kind == "o" and "recorded-9" in data for _, kind, data in events)
    assert not any(kind == "i" for _, kind, _ in events)  # keystrokes are off by default

    live = jp_serverapp.web_app.settings["ci_terminal_sessions"].get(session["name"])
    channel = await live.backend.channel(live.project, live.job_id)
    secrets = [v for values in channel.header.values() for v in values]
    secrets.append(channel.url.rsplit("/session/", 1)[1].split("/")[0])  # the session path secret
    assert secrets
    await ws_closed(live)
    audit = (tmp_path / "audit.jsonl").read_text()
    records = [json.loads(line) for line in audit.splitlines()]
    assert [rec["event"] for rec in records] == ["attach", "detach"]
    assert records[1]["bytes_in"] > 0
    assert records[1]["bytes_out"] > 0
    assert records[0]["job"] == job["id"]
    everything = audit + r.body.decode() + json.dumps(await ci.get("terminals"))
    for secret in secrets:
        assert secret not in everything


async def ws_closed(live: Any) -> None:
    """Wait until the server noticed the viewer left."""
    for _ in range(100):
        if not live.viewers:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("viewer still attached")


class TestTerminalsDisabled:
    @pytest.fixture
    def jp_server_config(self, jp_server_config: dict[str, Any]) -> dict[str, Any]:
        jp_server_config["CITerminalApp"]["terminals_enabled"] = False
        return jp_server_config

    async def test_job_state_stays_but_terminals_are_refused_with_the_reason(
        self, ci: CIClient, jp_fetch: Any
    ) -> None:
        job = await ci.running_job("shell-job")
        assert (await ci.get("projects", "local", "jobs", str(job["id"])))["status"] == "running"
        with pytest.raises(HTTPClientError) as e:
            await jp_fetch(
                "ci-terminal",
                "api",
                "terminals",
                method="POST",
                body=json.dumps({"project": "local", "job": job["id"]}),
            )
        assert e.value.code == 403
        assert "disabled" in json.loads(e.value.response.body)["message"]


class TestUnderAHubPrefix:
    @pytest.fixture
    def jp_base_url(self) -> str:
        return "/user/alice/"

    async def test_the_whole_path_works_under_base_url(
        self, ci: CIClient, jp_ws_fetch: Any
    ) -> None:
        job = await ci.running_job("shell-job")
        session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
        ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
        assert json.loads(await ws.read_message()) == ["setup", {}]
        ws.write_message(json.dumps(["stdin", "echo prefixed-$((5*5))\r"]))
        await read_until(ws, "prefixed-25")


class TestNoPipeline:
    @pytest.fixture
    def ci_yaml(self) -> str:
        return ""

    async def test_a_folder_without_gitlab_ci_yml_lists_no_project(self, ci: CIClient) -> None:
        assert await ci.get("projects") == []
        with pytest.raises(HTTPClientError) as e:
            await ci.get("projects", "local", "pipelines")
        assert e.value.code == 404
