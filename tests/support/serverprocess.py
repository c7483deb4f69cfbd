"""A `jupyter server` subprocess with the extension, in folders of its own, and a look at /proc.

Its runtime, data and config folders are private, so the runners it starts (and their runtime
files) can be told apart from any other; its log goes to a file the caller can read.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import requests
import websocket
from labprocess import AMBIENT_GITLAB, free_port

if TYPE_CHECKING:
    from typing import Self  # Python 3.11+; annotations are not evaluated at runtime


def server_command(
    root: Path,
    home: Path,
    port: int,
    token: str,
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of a ``jupyter server`` for ``root``, kept in ``home``."""
    environ = {k: v for k, v in os.environ.items() if k not in AMBIENT_GITLAB}
    environ.update(
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    environ.update(env or {})
    argv = [
        sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1",
        f"--CITerminalApp.recordings_dir={home / 'recordings'}",
        f"--CITerminalApp.audit_log={home / 'audit.jsonl'}", *args,
    ]  # fmt: skip
    return argv, environ


class ServerProcess:
    """``python -m jupyter_server`` serving ``root`` (a CI project), stopped on exit."""

    def __init__(
        self,
        root: Path,
        home: Path,
        args: Sequence[str] = (),
        *,
        env: dict[str, str] | None = None,
        token: str | None = None,
        port: int | None = None,
    ) -> None:
        self.root, self.home = root, home
        self.port, self.token = port or free_port(), token or secrets.token_hex(24)
        self.runtime_dir = home / "runtime"
        self.log = home / "server.log"
        argv, environ = server_command(root, home, self.port, self.token, args, env)
        home.mkdir(parents=True, exist_ok=True)
        self._argv, self._env = argv, environ
        self._out = self.log.open("wb")
        self.proc = subprocess.Popen(
            argv, cwd=root, env=environ, stdout=self._out, stderr=subprocess.STDOUT
        )
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {self.token}"
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise

    @property
    def base(self) -> str:
        """The server's URL, ending in ``/``."""
        return f"http://127.0.0.1:{self.port}/"

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text(errors="replace")[-3000:]
            try:
                if self.http.get(f"{self.base}api/status", timeout=5).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"jupyter server did not start: {self.log.read_text()[-3000:]}")

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, typ: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        self.http.close()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Signal the server and wait for it to exit; returns its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            self._out.close()

    def restart(self) -> None:
        """Stop the server, then start it again on the same port, token and folders."""
        self.stop()
        self._out = self.log.open("ab")
        self.proc = subprocess.Popen(
            self._argv, cwd=self.root, env=self._env, stdout=self._out, stderr=subprocess.STDOUT
        )
        self._wait_ready()

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A request to ``ci-terminal/api/<path>``."""
        kwargs.setdefault("timeout", 30)
        return self.http.request(method, f"{self.base}ci-terminal/api/{path}", **kwargs)

    def runtime_files(self) -> list[Path]:
        """The runners' runtime files in this server's runtime folder."""
        return sorted(self.runtime_dir.glob("ci-runner-*.json"))


def runner_pids(project: Path) -> list[int]:
    """Live ``jupyter-ci-runner serve`` processes serving ``project`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        text = [a.decode(errors="replace") for a in argv]
        is_runner = any(
            a.startswith("jupyter_ci_terminal.runner") or a.endswith("jupyter-ci-runner")
            for a in text
        )
        if is_runner and "serve" in text and str(project) in text:
            found.append(int(entry.name))
    return found


def kill_all(pids: Sequence[int]) -> None:
    """SIGKILL processes a failed test left behind (only ones it found for its own project)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def running_job(server: ServerProcess) -> dict[str, Any]:
    """Start a pipeline of the project and return its first job once it runs."""
    pipeline = server.api("POST", "projects/local/pipelines").json()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        jobs = server.api("GET", f"projects/local/pipelines/{pipeline['id']}/jobs").json()
        if jobs and jobs[0]["status"] == "running":
            return dict(jobs[0])
        time.sleep(0.2)
    raise AssertionError(f"no job ran: {server.log.read_text()[-3000:]}")


def read_until(ws: websocket.WebSocket, needle: str) -> str:
    """Terminado ``stdout`` text read from ``ws`` until it holds ``needle``."""
    seen = ""
    while needle not in seen:
        kind, *content = json.loads(ws.recv())
        if kind == "stdout":
            seen += content[0]
    return seen
