"""The agent tests' one server and runner (see agent_support.py), shared by a module's tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from agent_support import AGENT_TOKEN, DialOut
from labprocess import AMBIENT_GITLAB
from serverprocess import ServerProcess

from jupyter_ci_terminal.runner.runtime import wait_for_runtime_file


@pytest.fixture(scope="module")
def detached_timeout() -> float:
    """``CITerminalApp.detached_timeout``: the viewer leaving ends the session (and so the
    hold) one second later; a module that opens sessions without a viewer overrides it."""
    return 1


@pytest.fixture(scope="module")
def dialout(tmp_path_factory: pytest.TempPathFactory, detached_timeout: float) -> Iterator[DialOut]:
    """One server and one runner for the module's tests (each test runs its own pipeline)."""
    home = tmp_path_factory.mktemp("home")
    project = tmp_path_factory.mktemp("project")
    (project / ".gitlab-ci.yml").write_text("placeholder:\n  script: [true]\n")
    args = [
        "--CITerminalApp.embedded_runner=False",
        f"--CITerminalApp.agent_token={AGENT_TOKEN}",
        f"--CITerminalApp.detached_timeout={detached_timeout}",
    ]
    with ServerProcess(project, home, args) as server, pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_RUNTIME_DIR", str(server.runtime_dir))
        env = {k: v for k, v in os.environ.items() if k not in AMBIENT_GITLAB}
        log = (home / "runner.log").open("wb")
        runner = subprocess.Popen(
            [sys.executable, "-m", "jupyter_ci_terminal.runner.cli", "serve",
             f"--project={project}", "--no-session-server"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            info = wait_for_runtime_file(runner.pid, timeout=60)
            yield DialOut(server, info, project)
        finally:
            runner.send_signal(signal.SIGTERM)
            try:
                runner.wait(30)
            except subprocess.TimeoutExpired:
                runner.kill()
                runner.wait()
            log.close()
