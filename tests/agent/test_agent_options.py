"""The agent's options and variables, as pure functions."""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_ci_terminal.agent.cli import main, parser, seconds, should_hold, target
from jupyter_ci_terminal.agent.wire import connect_url
from jupyter_ci_terminal.runner.cli import ServeApp


@pytest.mark.parametrize(
    ("mode", "status", "held"),
    [
        (None, "running", True),  # --wait, from script
        ("always", "success", True),
        ("always", "failed", True),
        ("on_failure", "failed", True),
        ("on_failure", "success", False),
        ("on_failure", "", False),
    ],
)
def test_hold_on_failure_holds_only_failed_jobs(mode: str | None, status: str, held: bool) -> None:
    assert (should_hold(mode, {"CI_JOB_STATUS": status}) is not None) is held


@pytest.mark.parametrize(("text", "value"), [("2", 2.0), ("0", 0.0), ("0.25", 0.25)])
def test_size_wait_takes_seconds(text: str, value: float) -> None:
    assert seconds(text) == value
    assert parser().parse_args(["--size-wait", text]).size_wait == value


@pytest.mark.parametrize("text", ["-1", "soon", "inf", "nan", ""])
def test_size_wait_refuses_what_is_no_number_of_seconds(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="is not a number of seconds"):
        seconds(text)


def test_size_wait_defaults_to_the_runners_wait() -> None:
    assert parser().parse_args([]).size_wait == ServeApp.size_wait.default_value


@pytest.mark.parametrize(
    ("base", "url"),
    [
        (
            "https://hub.example.com/user/ada/",
            "wss://hub.example.com/user/ada/ci-terminal/agents/connect",
        ),
        ("http://127.0.0.1:8888", "ws://127.0.0.1:8888/ci-terminal/agents/connect"),
        ("wss://lab.example.com/", "wss://lab.example.com/ci-terminal/agents/connect"),
    ],
)
def test_connect_url_is_under_the_servers_base_url(base: str, url: str) -> None:
    assert connect_url(base) == url


def test_missing_variables_are_named_and_the_agent_token_stays_out_of_the_shell() -> None:
    with pytest.raises(ValueError, match="Set JUPYTER_CI_TERMINAL_TOKEN, CI_JOB_TOKEN"):
        target({"JUPYTER_CI_TERMINAL_URL": "https://x/"})
    env = {
        "JUPYTER_CI_TERMINAL_URL": "https://x/",
        "JUPYTER_CI_TERMINAL_TOKEN": "agent-secret",
        "CI_JOB_TOKEN": "job-secret",
        "CI_PROJECT_DIR": "/builds/p",
    }
    where = target(env)
    assert "JUPYTER_CI_TERMINAL_TOKEN" not in where.env
    assert "secret" not in repr(where)
    assert where.headers()["JOB-TOKEN"] == "job-secret"
    assert "secret" not in where.url


def test_console_script_and_module_run_the_agent() -> None:
    pyproject = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    entry = re.search(r'^ci-terminal-agent = "([\w.]+):(\w+)"$', pyproject, re.MULTILINE)
    assert entry is not None
    assert getattr(importlib.import_module(entry[1]), entry[2]) is main
    helped = subprocess.run(
        [sys.executable, "-m", "jupyter_ci_terminal.agent", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "--hold {on_failure,always}" in helped.stdout
