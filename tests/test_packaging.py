"""The installed package is what Jupyter sees: both extensions enabled and OK, one version."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jupyter_ci_terminal

ROOT = Path(__file__).resolve().parents[1]


def jupyter(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)  # drop colours


def test_server_extension_is_enabled_and_validates() -> None:
    out = jupyter("server", "extension", "list")
    assert re.search(r"jupyter_ci_terminal \S+ OK", out), out


def test_labextension_is_enabled_and_ok() -> None:
    out = jupyter("labextension", "list")
    assert re.search(r"jupyter-ci-terminal v\S+ enabled\s+OK", out), out


def test_one_version_source() -> None:
    package = json.loads((ROOT / "labextension" / "package.json").read_text())
    assert jupyter_ci_terminal.__version__ == package["version"]


def test_runner_console_script_answers() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "jupyter_ci_terminal.runner", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "--session-timeout" in result.stdout
