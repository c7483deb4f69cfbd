"""A setting the extension cannot take stops `jupyter server` with one sentence naming it.

Without the check, traitlets undoes every one of the extension's settings, Jupyter logs a
traceback and the server runs with the defaults (a second ``--CITerminalApp.x=`` was enough).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from labprocess import free_port
from serverprocess import server_command

from .conftest import CI_YAML

SECRET = "glpat-startup-option-secret"


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (
            ["--CITerminalApp.runner_concurrent=2", "--CITerminalApp.runner_concurrent=3"],
            "CITerminalApp.runner_concurrent is given 2 times on the command line; give it once.",
        ),
        (
            [f"--CITerminalApp.gitlab_token={SECRET}", f"--CITerminalApp.gitlab_token={SECRET}x"],
            "CITerminalApp.gitlab_token is given 2 times on the command line; give it once.",
        ),
        (
            ["--CITerminalApp.hold_grace=soon"],
            "CITerminalApp.hold_grace must be a float; the value given is not.",
        ),
    ],
)
def test_a_bad_option_stops_the_server_with_one_sentence(
    tmp_path: Path, args: list[str], sentence: str
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / ".gitlab-ci.yml").write_text(CI_YAML)
    argv, env = server_command(root, tmp_path / "home", free_port(), "t" * 48, args)
    done = subprocess.run(
        argv, cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-3000:]
    assert sentence in output
    assert "Traceback" not in output
    assert "is running at" not in output  # it never served with the defaults
    assert SECRET not in output
