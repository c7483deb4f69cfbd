"""Without ``CITerminalApp.agent_token`` the connect route refuses every agent, with a sentence."""

from __future__ import annotations

from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from jupyter_ci_terminal.agent.dialer import refusal_sentence


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    """The extension with its defaults (no agent token) and authentication required."""
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_ci_terminal": True},
            "allow_unauthenticated_access": False,
        },
        "CITerminalApp": {"embedded_runner": False, "audit_log": "-", "record_sessions": False},
    }


async def test_server_without_agent_token_refuses_agents_with_403(
    jp_fetch: Any, jp_http_port: int, jp_base_url: str
) -> None:
    await jp_fetch("api", "status")  # the server is up
    url = f"ws://127.0.0.1:{jp_http_port}{jp_base_url}ci-terminal/agents/connect"
    headers = {"CI-Terminal-Agent-Token": "anything", "JOB-TOKEN": "x", "CI-Server-URL": "http://x"}
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, additional_headers=headers):
            pass
    assert refused.value.response.status_code == 403
    assert refusal_sentence(refused.value) == (
        "This Jupyter server accepts no CI terminal agents (CITerminalApp.agent_token is not set)."
    )
