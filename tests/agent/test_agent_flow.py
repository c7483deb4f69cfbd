"""The agent stops reading its shell while the server says pause, and goes on at resume."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from labprocess import AMBIENT_GITLAB
from websockets.asyncio.server import ServerConnection, serve

TOTAL = 8_000_000


async def output_until_quiet(ws: ServerConnection, quiet: float) -> tuple[int, bool]:
    """Bytes of shell output received until none came for ``quiet`` s; whether END-7 was seen."""
    received, tail = 0, b""
    while True:
        try:
            frame = await asyncio.wait_for(ws.recv(), quiet)
        except (asyncio.TimeoutError, TimeoutError):
            return received, False
        if isinstance(frame, bytes) and frame[:1] == b"\x01":
            received += len(frame) - 1
            tail = (tail + frame[1:])[-64:]
            if b"END-7" in tail:
                return received, True


async def test_paused_agent_holds_its_shells_output_until_resumed(tmp_path: Path) -> None:
    results: dict[str, object] = {}

    async def debugger(ws: ServerConnection) -> None:
        await ws.send(json.dumps({"type": "open"}))
        while json.loads(await ws.recv()).get("type") != "opened":
            pass
        await ws.send(json.dumps({"type": "pause"}))
        command = f"head -c {TOTAL} /dev/zero | tr '\\0' x; echo END-$((3+4))\r"
        await ws.send(b"\x00" + command.encode())
        results["paused"] = await output_until_quiet(ws, 2.0)
        await ws.send(json.dumps({"type": "resume"}))
        results["resumed"] = await output_until_quiet(ws, 30.0)
        await ws.send(json.dumps({"type": "close"}))
        await ws.wait_closed()

    async with serve(debugger, "127.0.0.1", 0, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k not in AMBIENT_GITLAB}
        env.update(
            JUPYTER_CI_TERMINAL_URL=f"http://127.0.0.1:{port}/",
            JUPYTER_CI_TERMINAL_TOKEN="agent-token",
            CI_JOB_TOKEN="job-token",
            CI_PROJECT_DIR=str(tmp_path),
        )
        agent = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "jupyter_ci_terminal.agent", "--wait", "--timeout", "90",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(agent.communicate(), 90)

    assert agent.returncode == 0, output.decode()
    paused, ended_while_paused = results["paused"]  # type: ignore[misc]
    assert not ended_while_paused
    assert paused < TOTAL // 2  # at most what was in flight when the pause came
    resumed, ended = results["resumed"]  # type: ignore[misc]
    assert ended
    assert paused + resumed >= TOTAL
