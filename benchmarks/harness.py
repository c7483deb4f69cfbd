"""The Jupyter server under test, on a throw-away project, and the file the ``cat`` reads.

:class:`JupyterServer` writes the project, starts ``jupyter server`` (loopback only, random token,
throw-away config/data/runtime folders), talks to its REST API and stops it and its runner.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from common import MB

from jupyter_ci_terminal.runner.runtime import pid_alive


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class JupyterServer:
    """A ``jupyter server`` subprocess on a throw-away project; stopped by :meth:`stop`."""

    def __init__(self, work: Path, jobs: int, *, record: bool = True) -> None:
        self.work = work
        self.jobs = jobs
        self.record = record  # False: --CITerminalApp.record_sessions=False
        self.project = work / "project"
        self.env_dirs = {
            "JUPYTER_CONFIG_DIR": work / "jupyter-config",
            "JUPYTER_DATA_DIR": work / "jupyter-data",
            "JUPYTER_RUNTIME_DIR": work / "jupyter-runtime",
        }
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.ws_base = f"ws://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = work / "jupyter-server.log"
        self._log: Any = None

    def _write_project(self) -> None:
        self.project.mkdir(parents=True)
        lines = ["stages: [hold]", ""]
        for i in range(1, self.jobs + 1):
            lines += [f"hold-{i:03d}:", "  stage: hold", "  script:", "    - sleep 3600", ""]
        (self.project / ".gitlab-ci.yml").write_text("\n".join(lines))
        for d in self.env_dirs.values():
            d.mkdir(parents=True)

    def start(self) -> None:
        self._write_project()
        env = dict(os.environ)
        env.update({k: str(v) for k, v in self.env_dirs.items()})
        # Both terminals then run `bash -l` (terminado: $SHELL -l; the runner: bash -l).
        env["SHELL"] = shutil.which("bash") or "/bin/sh"
        argv = [
            sys.executable,
            "-m",
            "jupyter_server",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.token={self.token}",
            "--ServerApp.open_browser=False",
            "--allow-root",
            f"--ServerApp.root_dir={self.project}",
            # The embedded runner runs 4 jobs at once by default; every session needs its job.
            f"--CITerminalApp.runner_concurrent={self.jobs}",
            f"--CITerminalApp.record_sessions={self.record}",
        ]
        self._log = open(self.log_path, "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            argv,
            env=env,
            cwd=self.work,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                msg = f"jupyter server exited with {self.proc.returncode}; see {self.log_path}"
                raise RuntimeError(msg)
            with contextlib.suppress(OSError, urllib.error.URLError):
                self.rest("GET", "api/status")
                return
            time.sleep(0.2)
        msg = f"jupyter server did not answer within 90 s; see {self.log_path}"
        raise RuntimeError(msg)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def runner_pids(self) -> list[int]:
        """Pids of runners that wrote a runtime file in this benchmark's runtime folder."""
        pids = []
        for path in self.env_dirs["JUPYTER_RUNTIME_DIR"].glob("ci-runner-*.json"):
            with contextlib.suppress(OSError, ValueError, KeyError):
                pids.append(int(json.loads(path.read_text())["pid"]))
        return pids

    def rest(self, method: str, path: str, body: Any = None, timeout: float = 120) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # loopback only
            raw = resp.read()
        return json.loads(raw) if raw else None

    async def arest(self, method: str, path: str, body: Any = None) -> Any:
        return await asyncio.to_thread(self.rest, method, path, body)

    def stop(self) -> None:
        """Shut the server down (it stops the runner it started); force only what is left."""
        runners = self.runner_pids()
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(OSError, urllib.error.URLError):
                self.rest("POST", "api/shutdown", timeout=10)
            try:
                self.proc.wait(45)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        for pid in runners:  # only runners this server started (they live in our runtime dir)
            deadline = time.monotonic() + 20
            while pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if pid_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()


def write_data(path: Path, mb: int) -> int:
    """``mb`` MB of printable 100-byte lines (no backslash, no upper case: markers stay unique)."""
    alphabet = (string.ascii_lowercase + string.digits) * 4
    lines = mb * MB // 100
    with open(path, "w") as f:
        f.writelines(
            "".join(
                f"{i:010d} {alphabet[i % 36 : i % 36 + 88]}\n"
                for i in range(start, min(lines, start + 10_000))
            )
            for start in range(0, lines, 10_000)
        )
    return lines
