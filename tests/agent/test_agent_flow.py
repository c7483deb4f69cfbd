"""The agent stops reading its shell while the server says pause, and goes on at resume."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from agent_support import run_agent
from websockets.asyncio.server import ServerConnection

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

    status, text = await run_agent(debugger, tmp_path, 90, max_size=None)
    assert status == 0, text
    paused, ended_while_paused = results["paused"]  # type: ignore[misc]
    assert not ended_while_paused
    assert paused < TOTAL // 2  # at most what was in flight when the pause came
    resumed, ended = results["resumed"]  # type: ignore[misc]
    assert ended
    assert paused + resumed >= TOTAL
