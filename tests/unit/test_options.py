"""Settings the extension cannot take are named in one sentence before traitlets applies any."""

from __future__ import annotations

import pytest
from traitlets.config import Config
from traitlets.config.loader import KVArgParseConfigLoader

from jupyter_ci_terminal.server.app import CITerminalApp
from jupyter_ci_terminal.server.options import problem

TWICE = "CITerminalApp.runner_concurrent is given 2 times on the command line; give it once."


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], None),
        (["--CITerminalApp.runner_concurrent=2", "--CITerminalApp.scrollback=50"], None),
        (["--CITerminalApp.runner_concurrent=2", "--CITerminalApp.runner_concurrent=3"], TWICE),
        # The same value twice is still two values to traitlets.
        (["--CITerminalApp.runner_concurrent=2", "--CITerminalApp.runner_concurrent=2"], TWICE),
        # A list takes every value given.
        (["--CITerminalApp.agent_allowed_users=a", "--CITerminalApp.agent_allowed_users=b"], None),
        (["--CITerminalApp.terminals_enabled=None"], None),
        (
            ["--CITerminalApp.runner_concurrent=many"],
            "CITerminalApp.runner_concurrent must be an int; the value given is not.",
        ),
        (
            ["--CITerminalApp.gitlab_token_type=pat"],
            (
                "CITerminalApp.gitlab_token_type must be any of ['private', 'job', 'oauth']; "
                "the value given is not."
            ),
        ),
        # Settings of a parent class's section are the extension's too.
        (
            ["--ExtensionApp.open_browser=1", "--ExtensionApp.open_browser=0"],
            "ExtensionApp.open_browser is given 2 times on the command line; give it once.",
        ),
        (["--ServerApp.port=1", "--ServerApp.port=2"], None),  # not the extension's to judge
        (["--CITerminalApp.no_such_option=1", "--CITerminalApp.no_such_option=2"], None),
    ],
)
def test_command_line(argv: list[str], expected: str | None) -> None:
    config = KVArgParseConfigLoader(argv).load_config()
    assert problem(CITerminalApp(), config) == expected


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"runner_concurrent": 2, "hold_grace": 1}, None),
        ({"terminals_enabled": None}, None),
        (
            {"detached_timeout": "soon"},
            "CITerminalApp.detached_timeout must be a float; the value given is not.",
        ),
    ],
)
def test_config_file(settings: dict[str, object], expected: str | None) -> None:
    config = Config({"CITerminalApp": settings})
    config.CITerminalApp.agent_allowed_users.append("ana")  # left for traitlets to apply
    assert problem(CITerminalApp(), config) == expected


def test_no_value_reaches_the_sentence() -> None:
    argv = ["--CITerminalApp.gitlab_token=glpat-first-secret", "--CITerminalApp.gitlab_token=x2"]
    sentence = problem(CITerminalApp(), KVArgParseConfigLoader(argv).load_config())
    assert (
        sentence == "CITerminalApp.gitlab_token is given 2 times on the command line; give it once."
    )
