"""The browser websocket's wire details against a real Jupyter server and the real runner.

Malformed terminado messages, invalid UTF-8 from the job, a big paste, and a job whose terminal
is not ready yet. Clients are ``websockets`` (standards-following: invalid UTF-8 in a text frame
is a protocol error for them) or pytest-jupyter's tornado client.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest
from termframes import read_until
from websockets.asyncio.client import ClientConnection, connect

from .conftest import CIClient

#: Holds the job before its shell exists: a git hook in the build's clone waits for this file.
HOOK = """#!/bin/sh
while [ ! -e '{gate}' ]; do sleep 0.05; done
"""


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    """Reaching the runner times out after 1 s: waiting for the shell must not."""
    jp_server_config["CITerminalApp"]["connect_timeout"] = 1.0
    return jp_server_config


def manager(jp_serverapp: Any) -> Any:
    return jp_serverapp.web_app.settings["ci_terminal_sessions"]


async def open_session(ci: CIClient) -> dict[str, Any]:
    job = await ci.running_job("shell-job")
    session: dict[str, Any] = await ci.post(
        "terminals", body={"project": "local", "job": job["id"]}
    )
    return session


async def attach(jp_ws_fetch: Any, name: str) -> Any:
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", name)
    assert json.loads(await ws.read_message()) == ["setup", {}]
    return ws


def browser(port: int, base_url: str, auth: dict[str, str], name: str) -> Any:
    """A ``websockets`` client of a session, as a browser tab."""
    url = f"ws://127.0.0.1:{port}{base_url}ci-terminal/terminals/websocket/{name}"
    return connect(url, additional_headers=auth, max_size=None)


async def stdout_until(ws: ClientConnection, needle: str, timeout: float = 30) -> str:
    """Read terminado stdout from a ``websockets`` client until ``needle`` appears."""
    seen = ""
    async with asyncio.timeout(timeout):
        while needle not in seen:
            kind, *content = json.loads(await ws.recv())
            if kind == "stdout":
                seen += content[0]
    return seen


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ('["set_size", Infinity, 80]', "A terminal message may not hold Infinity."),
        ('["set_size", NaN, 80]', "A terminal message may not hold NaN."),
        ('["set_size", 1e400, 80]', 'A "set_size" message must carry rows and columns.'),
        (
            '["set_size", ' + "9" * 100_000 + ", 80]",
            "A terminal message holds a number too long to be a size.",
        ),
        ("[" * 100_000 + "]" * 100_000, "A terminal message is not valid JSON."),
    ],
)
async def test_malformed_messages_close_with_1007_and_a_sentence_and_no_traceback(
    ci: CIClient,
    jp_ws_fetch: Any,
    caplog: pytest.LogCaptureFixture,
    message: str,
    reason: str,
) -> None:
    session = await open_session(ci)
    ws = await attach(jp_ws_fetch, session["name"])
    caplog.clear()
    with caplog.at_level(logging.INFO):
        ws.write_message(message)
        while (await ws.read_message()) is not None:
            pass
    assert (ws.close_code, ws.close_reason) == (1007, reason)
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert "9" * 40 not in caplog.text  # a huge number is not logged in full
    # The session lives on for the next tab.
    again = await attach(jp_ws_fetch, session["name"])
    again.write_message(json.dumps(["stdin", "echo still-$((40+2))\r"]))
    await read_until(again, "still-42")


async def test_a_lone_surrogate_is_typed_as_a_replacement_character(
    ci: CIClient, jp_ws_fetch: Any
) -> None:
    session = await open_session(ci)
    ws = await attach(jp_ws_fetch, session["name"])
    # JSON.stringify writes a lone surrogate as this escape; the browser's TextEncoder would
    # send U+FFFD for it.
    ws.write_message(r'["stdin", "echo lone-\ud800-$((1+1)) | od -An -tx1\r"]')
    await read_until(ws, "ef bf bd")


async def test_invalid_utf8_from_the_job_reaches_the_browser_as_replacement_characters(
    ci: CIClient, jp_http_port: int, jp_base_url: str, jp_auth_header: dict[str, str]
) -> None:
    session = await open_session(ci)
    async with browser(jp_http_port, jp_base_url, jp_auth_header, session["name"]) as ws:
        await ws.send(json.dumps(["stdin", "printf 'bad-\\377\\376-end\\n'\r"]))
        await stdout_until(ws, "bad-\ufffd\ufffd-end")


async def test_a_1_mib_paste_reaches_the_shell_whole_and_the_session_stays(
    ci: CIClient, jp_http_port: int, jp_base_url: str, jp_auth_header: dict[str, str]
) -> None:
    # Pasted lines end in \r, as xterm.js sends them; canonical mode takes lines under 4 KiB.
    paste = ("x" * 1023 + "\r") * 1024
    session = await open_session(ci)
    async with browser(jp_http_port, jp_base_url, jp_auth_header, session["name"]) as ws:
        await ws.send(json.dumps(["stdin", "stty -echo; echo ready-$((1+1)); wc -c\r"]))
        await stdout_until(ws, "ready-2")
        await ws.send(json.dumps(["stdin", paste]))  # one message
        await ws.send(json.dumps(["stdin", "\x04"]))
        await stdout_until(ws, str(len(paste)), timeout=60)
        await ws.send(json.dumps(["stdin", "echo alive-$((3*4))\r"]))
        await stdout_until(ws, "alive-12")


async def test_a_paste_over_the_cap_closes_only_that_socket_with_1009_and_a_sentence(
    ci: CIClient, jp_ws_fetch: Any, jp_serverapp: Any
) -> None:
    session = await open_session(ci)
    manager(jp_serverapp).get(session["name"]).cfg.max_input = 64 * 1024
    ws = await attach(jp_ws_fetch, session["name"])
    ws.write_message(json.dumps(["stdin", "x" * (64 * 1024 + 1)]))
    while (await ws.read_message()) is not None:
        pass
    assert ws.close_code == 1009
    assert ws.close_reason == "A paste of 65537 bytes exceeds the limit of 65536 bytes per message."
    again = await attach(jp_ws_fetch, session["name"])
    again.write_message(json.dumps(["stdin", "echo still-$((40+2))\r"]))
    await read_until(again, "still-42")


@pytest.fixture
def gate(jp_root_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make the project a git repository whose build clones wait until the gate file exists."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(jp_root_dir)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "ci"], check=True)
    hooks, gate = tmp_path / "hooks", tmp_path / "gate"
    hooks.mkdir()
    hook = hooks / "reference-transaction"
    hook.write_text(HOOK.format(gate=gate))
    hook.chmod(0o755)
    # Inherited by the runner the extension starts, and by the git it runs.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.hooksPath")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", str(hooks))
    yield gate
    gate.touch()


async def test_a_terminal_not_ready_yet_shows_progress_until_the_shell_arrives(
    ci: CIClient, jp_ws_fetch: Any, gate: Path
) -> None:
    session = await open_session(ci)  # answers while the runner still holds the request
    ws = await attach(jp_ws_fetch, session["name"])
    ws.write_message(json.dumps(["set_size", 33, 99, 600, 900]))
    seen = await read_until(ws, "Waiting for the job's terminal… (3 s)")
    assert "session/" not in seen  # no URL (its path is a secret), no token
    gate.touch()  # past connect_timeout (1 s): the dial still waits for the shell
    # Typed while waiting: reaches the shell once it is there, after the size.
    ws.write_message(json.dumps(["stdin", "echo arrived-$((2*3)) $(stty size)\r"]))
    await read_until(ws, "arrived-6 33 99", timeout=30)


async def test_a_terminal_that_never_gets_ready_ends_the_session_with_the_reason(
    ci: CIClient, jp_ws_fetch: Any, jp_serverapp: Any, gate: Path
) -> None:
    manager(jp_serverapp).cfg.ready_timeout = 3.0
    session = await open_session(ci)
    ws = await attach(jp_ws_fetch, session["name"])
    seen = await read_until(ws, "CI terminal closed")
    assert "Waiting for the job's terminal…" in seen
    assert "The job's terminal was not ready within 3 s" in seen
    assert json.loads(await ws.read_message()) == ["disconnect", 1]
