"""Run JupyterLab with the CI terminal extension and a CI job to attach to.

Shared by the browser tests and ``scripts/screenshot.py``:

- :func:`run_lab` starts ``jupyter lab`` on 127.0.0.1 with a random token, isolated Jupyter
  config/data/runtime/settings/workspace folders and JupyterLab's news popup switched off;
- :func:`start_job` runs a pipeline through the CI terminal REST API and waits for a running job.

The page side is in :mod:`pagedriver`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labprocess import AMBIENT_GITLAB

#: Job of :data:`GITLAB_CI` whose shell the tests attach to.
JOB_NAME = "debug-me"
#: Job that fails at once, with colours and a collapsed section in its log.
FAILING_JOB = "lint"
#: Job whose script ends at once and is then held open (``CI_DEBUG_HOLD``).
HELD_JOB = "held"

GITLAB_CI = f"""\
stages: [test, debug]

{FAILING_JOB}:
  stage: test
  allow_failure: true
  script:
    - |
      printf '\\033[0Ksection_start:%s:install_deps[collapsed=true]\\r\\033[0KInstalling dependencies\\n' "$(date +%s)"
      echo "pip install -r requirements.txt"
      for i in $(seq 1 40); do echo "Collecting package-$i"; done
      printf '\\033[0Ksection_end:%s:install_deps\\r\\033[0K\\n' "$(date +%s)"
    - printf '\\033[32mPASSED\\033[0m tests/test_answer.py::test_question\\n'
    - printf '\\033[33mwarning:\\033[0m unused import os\\n'
    - printf '\\033[31mFAILED\\033[0m tests/test_answer.py::test_answer - assert 41 == 42\\n'
    - exit 3

{HELD_JOB}:
  stage: debug
  needs: []
  variables:
    CI_DEBUG_HOLD: always
  script:
    - echo "built; held open for debugging"

{JOB_NAME}:
  stage: debug
  needs: []
  script:
    - echo "ready for a terminal"
    # Longer than the whole browser session: the tests that use it run minutes apart.
    - for i in $(seq 1 3600); do echo "step $i of 3600"; sleep 1; done
"""

#: Job of :data:`RETRY_CI` that fails until the project has :data:`RETRY_FLAG`, then runs long.
RETRY_JOB = "flaky"
#: The file :data:`RETRY_JOB` needs in the project folder (its build directory is a copy of it).
RETRY_FLAG = "flaky.ok"

#: A job for "Retry and debug", added to :data:`GITLAB_CI` by the browser tests: it fails at once
#: (no ``CI_DEBUG_HOLD``), and its retry runs long enough to be debugged once the test has created
#: :data:`RETRY_FLAG`. Allowed to fail, so that it leaves the pipeline's status alone.
RETRY_CI = f"""
{RETRY_JOB}:
  stage: test
  allow_failure: true
  script:
    - test -f {RETRY_FLAG} || {{ echo "{RETRY_FLAG} is missing"; exit 1; }}
    - sleep 300
"""

#: JupyterLab settings overrides: no news/update popup over the page.
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    }
}


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_project(root: Path, gitlab_ci: str = GITLAB_CI) -> Path:
    """Create a project folder with a ``.gitlab-ci.yml``; return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / ".gitlab-ci.yml").write_text(gitlab_ci)
    return root


@dataclass
class Lab:
    """A running ``jupyter lab`` process."""

    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Call the server with the token; ``path`` is relative to the base URL."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as response:
            text = response.read().decode()
        return json.loads(text) if text else None

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call ``ci-terminal/api/<path>``."""
        return self.request(method, f"ci-terminal/api/{path}", body)

    def workspace_url(self, workspace: str) -> str:
        """URL of a fresh Lab workspace (``?reset`` drops any saved layout)."""
        return f"{self.url}lab/workspaces/{workspace}?reset&token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server log, for failure messages."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def lab_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment with every per-user Jupyter folder moved below ``home``.

    No GitLab from the caller's environment is configured; ``extra`` is added last (e.g.
    ``GITLAB_URL``/``GITLAB_TOKEN`` of a mock GitLab).
    """
    env = {k: v for k, v in os.environ.items() if k not in AMBIENT_GITLAB}
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "user-settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ]:
        env[var] = str(home / sub)
    env.pop("JUPYTER_TOKEN", None)
    env.update(extra or {})
    return env


@contextlib.contextmanager
def run_lab(
    root: Path,
    home: Path,
    *extra_args: str,
    timeout: float = 60,
    env: dict[str, str] | None = None,
) -> Iterator[Lab]:
    """Run ``jupyter lab`` serving ``root`` until the block exits.

    Args:
        root: the server's root folder (the CI project when it has a ``.gitlab-ci.yml``).
        home: an empty folder for Jupyter's per-user files, settings and the server log.
        extra_args: more command-line options, e.g. ``--CITerminalApp.start_pipeline=True``.
        timeout: seconds to wait for the server to answer.
        env: more environment variables for the server (see :func:`lab_env`).
    """
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--allow-root",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        *extra_args,
    ]
    if importlib.util.find_spec("notebook") is not None:
        # Notebook 7 pages are served by the same server; expose their app too.
        argv.append("--JupyterNotebookApp.expose_app_in_browser=True")
    with serve_lab(argv, root, home, timeout=timeout, env=env) as lab:
        yield lab


@contextlib.contextmanager
def serve_lab(
    argv: list[str],
    root: Path,
    home: Path,
    *,
    timeout: float = 60,
    env: dict[str, str] | None = None,
) -> Iterator[Lab]:
    """Run the JupyterLab command ``argv`` (from ``root``) until the block exits.

    It gets a free port on 127.0.0.1, a random token, no browser and no news popup as more
    options, and the per-user folders below ``home`` (see :func:`lab_env`); ``root`` is the
    server's root folder.
    """
    home.mkdir(parents=True, exist_ok=True)
    app_settings = home / "app-settings"
    app_settings.mkdir(exist_ok=True)
    (app_settings / "overrides.json").write_text(json.dumps(OVERRIDES))
    port, token = free_port(), secrets.token_hex(16)
    argv = [
        *argv,
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--no-browser",
        f"--ServerApp.token={token}",
        f"--LabApp.app_settings_dir={app_settings}",
    ]
    log = home / "jupyter-lab.log"
    with log.open("wb") as out:
        # A session of its own, so the runner it starts can be stopped with it.
        process = subprocess.Popen(
            argv,
            cwd=root,
            env=lab_env(home, env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    lab = Lab(f"http://127.0.0.1:{port}/", token, root, log, process)
    try:
        _wait_until_up(lab, timeout)
        yield lab
    finally:
        _stop(process)


def _wait_until_up(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            msg = f"jupyter lab exited with code {lab.process.returncode}:\n{lab.log_tail()}"
            raise RuntimeError(msg)
        with contextlib.suppress(OSError):
            lab.request("GET", "api/status")
            return
        time.sleep(0.25)
    msg = f"jupyter lab did not answer within {timeout:g} s:\n{lab.log_tail()}"
    raise RuntimeError(msg)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server (it stops the runner it started), then clean up its process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)


@dataclass(frozen=True)
class RunningJob:
    """A job whose shell a terminal can attach to."""

    project: str
    pipeline: int
    job: int
    name: str

    @property
    def title(self) -> str:
        """The tab title the extension must show."""
        return f"CI: {self.name} #{self.job}"


@dataclass(frozen=True)
class DemoPipeline:
    """The demo pipeline once its jobs have settled: one running, one failed, one held."""

    project: str
    id: int
    running: RunningJob
    failed: int
    held: int


def first_project(lab: Lab, timeout: float = 60) -> str:
    """The id of the server's first CI project (the embedded runner may still be starting)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            projects: list[dict[str, Any]] = lab.api("GET", "projects")
        except urllib.error.HTTPError as e:
            if time.monotonic() > deadline:
                raise RuntimeError(f"GET projects failed: {e}\n{lab.log_tail()}") from e
            projects = []
        if projects:
            return str(projects[0]["id"])
        if time.monotonic() > deadline:
            raise RuntimeError(f"no CI project after {timeout:g} s\n{lab.log_tail()}")
        time.sleep(0.5)


def wait_for_job(
    lab: Lab,
    project: str,
    pipeline: int,
    name: str,
    ready: Callable[[dict[str, Any]], bool],
    timeout: float = 90,
) -> dict[str, Any]:
    """Poll the pipeline until its (latest) job ``name`` satisfies ``ready``; return that job."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        jobs = lab.api("GET", f"projects/{project}/pipelines/{pipeline}/jobs")
        named = [job for job in jobs if job["name"] == name]
        if named:
            last = max(named, key=lambda job: job["id"])
            if ready(last):
                return last
        time.sleep(0.5)
    state = last and (last["id"], last["status"], last.get("hold"))
    msg = f"job {name} of pipeline #{pipeline} not ready after {timeout:g} s: {state}\n{lab.log_tail()}"
    raise RuntimeError(msg)


def start_job(lab: Lab, name: str = JOB_NAME, timeout: float = 90) -> RunningJob:
    """Run a pipeline of the first project and wait until its job ``name`` is running."""
    project = first_project(lab)
    pipeline = lab.api("POST", f"projects/{project}/pipelines", {})["id"]

    def running(job: dict[str, Any]) -> bool:
        if job["status"] in {"failed", "canceled", "success"}:
            msg = f"job {name} ended as {job['status']} before a terminal could attach"
            raise RuntimeError(msg)
        return bool(job["status"] == "running")

    job = wait_for_job(lab, project, pipeline, name, running, timeout)
    return RunningJob(project, pipeline, job["id"], name)
