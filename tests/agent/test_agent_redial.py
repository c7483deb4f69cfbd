"""A held agent whose connection drops dials again, and a stale "already connected" passes."""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path

from agent_support import run_agent
from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response


async def test_held_agent_redials_after_a_drop_and_a_stale_409(tmp_path: Path) -> None:
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

    status, text = await run_agent(agent_connection, tmp_path, 60, process_request=admit)
    assert status == 0, text
    assert attempts == ["job-token"] * 3
    assert "The connection to the Jupyter server at 127.0.0.1:" in text
    assert "answered HTTP 409; trying again." in text
    assert text.rstrip().endswith("The debugging session ended: the job goes on.")
