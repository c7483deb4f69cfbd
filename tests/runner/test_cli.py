"""The runner command: settings from a config file, plain-HTTP terminals on loopback, bad settings."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import LONG, REPO, write_project
from .wsclient import read_until, send


def test_config_file_settings(
    tmp_path: Path, start_runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    settings = {"ServeApp": {"session_tls": False}, "Scheduler": {"default_job_timeout": 3}}
    (config_dir / "jupyter_ci_runner_config.json").write_text(json.dumps(settings))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config_dir))
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    job = next(iter(runner.jobs(runner.create_pipeline()["id"]).values()))
    runner.wait_job(job["id"], lambda j: "\nstarted" in runner.trace(j["id"]))
    channel = runner.channel(job["id"])
    assert channel["Url"].startswith("ws://127.0.0.1:")
    assert channel["CAPem"] == ""

    async def talk() -> None:
        from websockets.asyncio.client import connect

        headers = {"Authorization": channel["Header"]["Authorization"][0]}
        async with connect(
            channel["Url"], additional_headers=headers, subprotocols=["terminal.gitlab.com"]
        ) as ws:  # type: ignore[list-item]
            await send(ws, b"echo plain-$((40+2))\r")
            await read_until(ws, "plain-42")

    asyncio.run(talk())
    done = runner.wait_status(job["id"], "failed")
    assert done["failure_reason"] == "job_execution_timeout"
    assert "execution took longer than 3s seconds" in runner.trace(job["id"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--listen-address", "0.0.0.0:0", "--ServeApp.session_tls=False"],
            "loopback listen_address only",
        ),
        (["--advertise-address", "https://example.com:8093"], "url not valid, scheme defined"),
        (["--listen-address", "8093"], "must be host:port"),
    ],
)
def test_bad_settings_exit_with_a_message(
    tmp_path: Path, runtime_dir: Path, args: list[str], message: str
) -> None:
    project = write_project(tmp_path / "proj", LONG)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    cmd = [
        sys.executable,
        "-m",
        "jupyter_ci_terminal.runner",
        "serve",
        "--project",
        str(project),
        *args,
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert message in done.stderr
    assert not list(runtime_dir.glob("ci-runner-*.json"))


def test_help_lists_the_settings() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    cmd = [sys.executable, "-m", "jupyter_ci_terminal.runner", "serve", "--help-all"]
    out = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    for name in (
        "--session-timeout",
        "--listen-address",
        "--advertise-address",
        "--run-pipeline",
        "Scheduler.concurrent",
    ):
        assert name in out


def test_attach_is_dispatched() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    cmd = [sys.executable, "-m", "jupyter_ci_terminal.runner", "attach", "--help"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    assert "attach" in done.stdout
