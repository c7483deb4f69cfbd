"""The embedded runner's process lifecycle: server shutdown under load, and a runner that dies."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import requests
from serverprocess import ServerProcess, runner_pids
from termframes import read_until

from jupyter_ci_terminal.runner.runtime import find_runners, runtime_file_path

from .conftest import CIClient

STOPPING = "The Jupyter server is stopping: it starts no CI runner any more."


def _poll(server: ServerProcess, stop: threading.Event, answers: list[tuple[int, str]]) -> None:
    """GET the pipelines in a loop over one kept-alive connection, as a JupyterLab tab does."""
    with requests.Session() as http:
        http.headers["Authorization"] = f"token {server.token}"
        url = f"{server.base}ci-terminal/api/projects/local/pipelines"
        while not stop.is_set():
            try:
                r = http.get(url, timeout=30)
            except requests.RequestException:
                return  # the server is gone
            answers.append((r.status_code, r.text))


def test_sigterm_while_clients_poll_leaves_no_runner_behind(project: Path, tmp_path: Path) -> None:
    server = ServerProcess(project, tmp_path / "home")
    stop = threading.Event()
    answers: list[tuple[int, str]] = []
    threads = [threading.Thread(target=_poll, args=(server, stop, answers)) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while not any(code == 200 for code, _ in answers):
            assert time.monotonic() < deadline, (answers[-3:], server.log.read_text()[-3000:])
            time.sleep(0.05)
        assert runner_pids(project), "the first poll starts the embedded runner"

        assert server.stop(signal.SIGTERM) == 0
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        server.stop(signal.SIGKILL)

    assert runner_pids(project) == [], server.log.read_text()[-3000:]
    assert server.runtime_files() == []
    # Polls that landed while the server stopped were told so, not handed a new runner.
    refused = [(code, text) for code, text in answers if code != 200]
    assert all(code == 503 and STOPPING in text for code, text in refused), refused[:3]


async def test_a_killed_runner_is_named_to_viewers_and_its_runtime_file_removed(
    ci: CIClient, jp_ws_fetch: Any, jp_serverapp: Any
) -> None:
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    ws.write_message(json.dumps(["stdin", "echo up-$((3+4))\r"]))
    await read_until(ws, "up-7")

    (runner,) = find_runners()
    os.kill(runner["pid"], signal.SIGKILL)
    seen = await read_until(ws, "(its process is gone)")
    assert "the runner serving this job stopped (its process is gone)" in seen
    assert "the shell exited or the job ended" not in seen
    info = await ci.get("terminals", session["name"])
    assert info["ended"] == "the runner serving this job stopped (its process is gone)"

    # A killed process cannot remove its runtime file, with its dead token: discovery does.
    stale = runtime_file_path(runner["pid"])
    assert stale.exists()
    assert all(r["pid"] != runner["pid"] for r in find_runners())
    assert not stale.exists()
    # The next use starts a fresh runner, which keeps serving the same project.
    projects = await ci.get("projects")
    assert [p["id"] for p in projects] == ["local"]
    (fresh,) = find_runners()
    assert fresh["pid"] != runner["pid"]


async def test_a_cancelled_job_is_not_taken_for_a_dead_runner(
    ci: CIClient, jp_ws_fetch: Any
) -> None:
    job = await ci.running_job("shell-job")
    session = await ci.post("terminals", body={"project": "local", "job": job["id"]})
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    ws.write_message(json.dumps(["stdin", "echo up-$((3+4))\r"]))
    await read_until(ws, "up-7")
    await ci.post("projects", "local", "jobs", str(job["id"]), "cancel")
    seen = await read_until(ws, "CI terminal closed")
    assert "the shell exited or the job ended" in seen
