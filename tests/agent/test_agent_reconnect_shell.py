"""A held agent whose connection drops keeps the job's shell for its next connection; a shell
that cannot start ends the session with a sentence.

The real agent process and its bash, dialing a websocket server that plays the Jupyter server's
part of the wire (``agent/wire.py``): it asks for the shell, sends ``channel.k8s.io`` frames,
and drops the connection at the moments under test.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from agent_support import run_agent
from websockets.asyncio.server import ServerConnection

from jupyter_ci_terminal.protocol.frames import K8S, Frame, client_codec

CODEC = client_codec(K8S)
SAID = re.compile(r"pid=(\d+) size=(\d+ \d+)\.")

Step = Callable[[ServerConnection], Awaitable[None]]


async def ask_for_the_shell(ws: ServerConnection) -> None:
    """Send ``open`` and take the agent's ``opened``."""
    await ws.send(json.dumps({"type": "open"}))
    assert json.loads(await asyncio.wait_for(ws.recv(), 30)) == {"type": "opened"}


async def say_pid_and_size(ws: ServerConnection, rows: int, cols: int) -> tuple[str, str]:
    """Resize first, then ask the shell for its pid and size: what it printed."""
    for frame in CODEC.encode_resize(rows, cols) + CODEC.encode_input(
        b'echo "pid=$$ size=$(stty size)."\r'
    ):
        await ws.send(frame.payload)
    seen = b""
    while (found := SAID.search(seen.decode(errors="replace"))) is None:
        message = await asyncio.wait_for(ws.recv(), 30)
        assert isinstance(message, bytes), message
        seen += CODEC.decode_output(Frame(message))
    return found.group(1), found.group(2)


async def serve_in_turn(tmp_path: Path, connections: list[Step]) -> str:
    """Run the agent against a server that serves ``connections`` in turn; its output."""
    served = iter(connections)

    async def handler(ws: ServerConnection) -> None:
        await next(served)(ws)

    status, text = await run_agent(handler, tmp_path, 120)
    assert status == 0, text
    return text


async def test_a_dropped_connection_leaves_the_shell_running_for_the_next_one(
    tmp_path: Path,
) -> None:
    shells: list[tuple[str, str]] = []

    async def first(ws: ServerConnection) -> None:
        await ask_for_the_shell(ws)
        shells.append(await say_pid_and_size(ws, 37, 117))
        # Returning drops the connection with the shell running.

    async def second(ws: ServerConnection) -> None:
        await ask_for_the_shell(ws)
        shells.append(await say_pid_and_size(ws, 41, 99))
        await ws.send(json.dumps({"type": "close"}))  # the session ends, and so the hold
        await ws.wait_closed()

    text = await serve_in_turn(tmp_path, [first, second])
    assert shells[0][1] == "37 117"
    assert shells[1] == (shells[0][0], "41 99")  # the same shell, resized
    assert "A debugger opened this job's shell." in text
    assert "A debugger opened this job's shell again (it went on while away)." in text
    assert text.rstrip().endswith("The debugging session ended: the job goes on.")


async def test_a_connection_dropped_before_the_first_size_starts_no_shell(
    tmp_path: Path,
) -> None:
    said: list[tuple[str, str]] = []

    async def first(ws: ServerConnection) -> None:
        await ask_for_the_shell(ws)  # and drop before any size

    async def second(ws: ServerConnection) -> None:
        await ask_for_the_shell(ws)
        said.append(await say_pid_and_size(ws, 37, 117))
        await ws.send(json.dumps({"type": "close"}))
        await ws.wait_closed()

    text = await serve_in_turn(tmp_path, [first, second])
    # The shell waited for the second connection's first size: it started at that size.
    assert said[0][1] == "37 117"
    assert text.count("A debugger opened this job's shell.") == 2
    assert "shell again" not in text


async def test_a_shell_that_cannot_start_ends_the_session_with_a_sentence(tmp_path: Path) -> None:
    answers: list[dict[str, str]] = []

    async def debugger(ws: ServerConnection) -> None:
        await ask_for_the_shell(ws)
        await ws.send(CODEC.encode_resize(37, 117)[0].payload)
        answers.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))

    missing = tmp_path / "no-such-folder"
    status, text = await run_agent(debugger, tmp_path, 60, {"CI_PROJECT_DIR": str(missing)})
    assert status == 0, text
    assert answers[0]["type"] == "exited"
    assert answers[0]["reason"].startswith("the job's shell could not start (")
    assert str(missing) in answers[0]["reason"]
    assert text.rstrip().endswith("The debugging session ended: the job goes on.")
