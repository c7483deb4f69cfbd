"""The embedded runner's command line and environment, from the extension's settings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from jupyter_ci_terminal.server.app import CITerminalApp
from jupyter_ci_terminal.server.wiring import _runner_args, _runner_env

SERVER = SimpleNamespace(connection_url="http://127.0.0.1:8888/lab-base/")
DEFAULTS = ["--session-timeout=1800", "--concurrent=4"]
WEB_URL = "--ServeApp.web_url=http://127.0.0.1:8888/lab-base/"


@pytest.mark.parametrize(
    ("settings", "args"),
    [
        ({}, [*DEFAULTS, WEB_URL]),
        (
            {"runner_session_timeout": 60, "runner_concurrent": 3},
            ["--session-timeout=60", "--concurrent=3", WEB_URL],
        ),
        ({"start_pipeline": True}, [*DEFAULTS, "--run-pipeline", WEB_URL]),
        ({"runner_session_server": False}, [*DEFAULTS, "--no-session-server", WEB_URL]),
        (
            {"runner_masked_variables": ["API_KEY", "DB_PASSWORD"]},
            [*DEFAULTS, "--mask=API_KEY", "--mask=DB_PASSWORD", WEB_URL],
        ),
        # A token never goes on the command line, where every `ps` shows it.
        (
            {"agent_token": "s3cret-agent-token", "runner_agent_variables": True},
            [*DEFAULTS, WEB_URL],
        ),
    ],
)
def test_runner_args(settings: dict[str, Any], args: list[str]) -> None:
    app = CITerminalApp(**settings)
    assert _runner_args(app, SERVER)() == args


@pytest.mark.parametrize(
    ("settings", "env"),
    [
        ({}, {}),
        ({"agent_token": "s3cret-agent-token"}, {}),
        ({"runner_agent_variables": True}, {}),
        (
            {"agent_token": "s3cret-agent-token", "runner_agent_variables": True},
            {
                "JUPYTER_CI_TERMINAL_URL": "http://127.0.0.1:8888/lab-base/",
                "JUPYTER_CI_TERMINAL_TOKEN": "s3cret-agent-token",
            },
        ),
    ],
)
def test_runner_env(settings: dict[str, Any], env: dict[str, str]) -> None:
    app = CITerminalApp(**settings)
    assert _runner_env(app, SERVER)() == env
