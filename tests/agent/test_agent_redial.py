"""A held agent whose connection drops dials again, and a stale "already connected" passes."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from http import HTTPStatus
from typing import Any

from labprocess import AMBIENT_GITLAB
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response


async def test_held_agent_redials_after_a_drop_and_a_stale_409(tmp_path: Any) -> None:
    attempts: list[str] = []

    def admit(connection: ServerConnection, request: Request) -> Response | None:
        attempts.append(request.headers.get("JOB-TOKEN", ""))
        if len(attempts) == 2:  # the server has not yet noticed that the first one left
            return connection.respond(HTTPStatus.CONFLICT, "Another agent is already connected.")
        return None

    async def agent_connection(ws: ServerConnection) -> None:
        if len(attempts) == 1:
            return  # drop the first connection at once
        await ws.send(json.dumps({"type": "close"}))  # the third: the session ends
        await ws.wait_closed()

    async with serve(agent_connection, "127.0.0.1", 0, process_request=admit) as server:
        port = server.sockets[0].getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k not in AMBIENT_GITLAB}
        env.update(
            JUPYTER_CI_TERMINAL_URL=f"http://127.0.0.1:{port}/",
            JUPYTER_CI_TERMINAL_TOKEN="agent-token",
            CI_JOB_TOKEN="job-token",
            CI_SERVER_URL="https://gitlab.example.com",
            CI_PROJECT_DIR=str(tmp_path),
        )
        agent = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "jupyter_ci_terminal.agent", "--wait", "--timeout", "60",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(agent.communicate(), 60)

    text = output.decode()
    assert agent.returncode == 0, text
    assert attempts == ["job-token"] * 3
    assert "The connection to the Jupyter server at 127.0.0.1:" in text
    assert "answered HTTP 409; trying again." in text
    assert text.rstrip().endswith("The debugging session ended: the job goes on.")
