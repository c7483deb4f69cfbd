"""A real ``jupyter server`` process with the extension, whose root folder holds a CI project.

Kernel-side code is synchronous (requests, websockets' sync client), so the server runs in its own
process rather than on the test's event loop. Its runtime, config and data folders are private,
and this process's JUPYTER_RUNTIME_DIR points at them, so discovery finds that server only. The
extension starts the real local runner on first use and stops it with the server.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from jupyter_client.blocking.client import BlockingKernelClient
from labwindow import lab_window as open_lab_window

from jupyter_ci_terminal.kernel import CI, Job

CI_YAML = """
stages: [test]
shell-job:
  stage: test
  script:
    - echo started
    - sleep 600
quick-job:
  stage: test
  script:
    - echo quick done
"""


#: The server's options unless a module overrides ``server_args``: finished jobs are kept 30 s.
SERVER_ARGS = ("--CITerminalApp.runner_session_timeout=30",)


@dataclass
class Server:
    """A running Jupyter server and where its files are."""

    url: str
    token: str
    root: Path
    runtime_dir: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes]
    log: Path
    jobs: dict[str, int] = field(default_factory=dict)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start_server(
    base: Path,
    ci_yaml: str,
    project: Path | None = None,
    extra_args: tuple[str, ...] = SERVER_ARGS,
) -> Server:
    """Start ``jupyter server`` on a free port with private Jupyter folders.

    The root folder gets ``ci_yaml`` as its .gitlab-ci.yml, or is a copy of ``project``;
    ``extra_args`` are more options (each given once: traitlets refuses a repeated one).
    """
    root, runtime = base / "root", base / "runtime"
    if project is not None:
        shutil.copytree(project, root, ignore=shutil.ignore_patterns(".jupyter-ci"))
    for folder in (root, runtime, base / "config", base / "data", base / "home"):
        folder.mkdir(parents=True, exist_ok=True)
    if project is None:
        (root / ".gitlab-ci.yml").write_text(ci_yaml)
    config = {"ServerApp": {"jpserver_extensions": {"jupyter_ci_terminal": True}}}
    (base / "config" / "jupyter_server_config.json").write_text(json.dumps(config))
    env = {
        **os.environ,
        "HOME": str(base / "home"),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    for name in ("JUPYTER_CI_SERVER_URL", "JUPYTER_CI_SERVER_TOKEN", "JUPYTER_SERVER_URL"):
        env.pop(name, None)
    token = "kernel-tests-token"
    log = base / "server.log"
    argv = [
        sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", "--port=0",
        f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
        *extra_args,
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    info_file = runtime / f"jpserver-{proc.pid}.json"
    deadline = time.monotonic() + 30
    while not info_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("jupyter server did not start:\n" + log.read_text())
        time.sleep(0.1)
    time.sleep(0.1)  # the file is written in one go, but give the rename a moment
    info = json.loads(info_file.read_text())
    return Server(info["url"], token, root, runtime, env, proc, log)


def stop_server(server: Server) -> None:
    """SIGTERM, so the extension stops the runner it started; then make sure."""
    server.proc.send_signal(signal.SIGTERM)
    try:
        server.proc.wait(30)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    """Attach the server's log to the report of a failed test that used it."""
    report = yield
    server = getattr(item, "funcargs", {}).get("server")
    if report.failed and isinstance(server, Server):
        report.sections.append(("jupyter server log (tail)", server.log_tail()))
    return report


@pytest.fixture(scope="module")
def ci_yaml() -> str:
    """The project's .gitlab-ci.yml (override in a module for another pipeline)."""
    return CI_YAML


@pytest.fixture(scope="module")
def project() -> Path | None:
    """A project folder to serve instead of ``ci_yaml`` alone (override in a module)."""
    return None


@pytest.fixture(scope="module")
def server_args() -> tuple[str, ...]:
    """More options for the module's server (override in a module)."""
    return SERVER_ARGS


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    ci_yaml: str,
    project: Path | None,
    server_args: tuple[str, ...],
) -> Iterator[Server]:
    """One server per test module; this process's discovery sees it alone."""
    started = start_server(tmp_path_factory.mktemp("server"), ci_yaml, project, server_args)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_RUNTIME_DIR", str(started.runtime_dir))
        for name in ("JUPYTER_CI_SERVER_URL", "JUPYTER_CI_SERVER_TOKEN", "JUPYTER_SERVER_URL"):
            mp.delenv(name, raising=False)
        try:
            yield started
        finally:
            stop_server(started)


@pytest.fixture
def api(server: Server) -> Iterator[CI]:
    """A ``ci`` connected to the server explicitly."""
    ci = CI().connect(server.url, server.token)
    yield ci
    ci.client.close()


def wait_running(api: CI, name: str, *, pipeline: int | None = None, timeout: float = 60) -> Job:
    """Start a pipeline (unless given) and wait until its job ``name`` runs."""
    pipeline = pipeline or api.run_pipeline().id
    job = next(j for j in api.jobs(pipeline) if j.name == name)
    return job.wait(until="running", timeout=timeout, progress=False)


@pytest.fixture
def lab_window(server: Server) -> Iterator[None]:
    """A JupyterLab window with the extension is connected: kernels may ask it for tabs."""
    with open_lab_window(server.url, server.token):
        yield


@pytest.fixture(scope="module")
def shell_job(server: Server) -> Iterator[int]:
    """The id of a running ``shell-job`` shared by the module's tests (which must not end it)."""
    ci = CI().connect(server.url, server.token)
    try:
        yield wait_running(ci, "shell-job").id
    finally:
        ci.client.close()


class Kernel:
    """A kernel of a notebook session, reached through its connection file."""

    def __init__(self, client: BlockingKernelClient) -> None:
        self.client = client

    def run(self, code: str, timeout: float = 90) -> list[dict[str, Any]]:
        outputs: list[dict[str, Any]] = []

        def keep(msg: dict[str, Any]) -> None:
            kind = msg["header"]["msg_type"]
            if kind in ("stream", "display_data", "execute_result", "error"):
                outputs.append({"type": kind, **msg["content"]})

        self.client.execute_interactive(code, output_hook=keep, timeout=timeout)
        return outputs


@pytest.fixture
def kernel(server: Server) -> Iterator[Kernel]:
    """Open a notebook session on the server, which starts the kernel as its child process.

    A decoy runtime file (another live server, this test process) makes discovery choose by
    ancestry, not by "the only server".
    """
    (server.root / "demo.ipynb").write_text("{}")
    decoy = server.runtime_dir / f"jpserver-{os.getpid()}.json"
    decoy.write_text(json.dumps({"url": "http://localhost:9/", "token": "x", "pid": os.getpid()}))
    headers = {"Authorization": f"token {server.token}"}
    body = {"path": "demo.ipynb", "type": "notebook", "kernel": {"name": "python3"}}
    session = requests.post(f"{server.url}api/sessions", json=body, headers=headers, timeout=30)
    session.raise_for_status()
    kernel_id = session.json()["kernel"]["id"]
    client = BlockingKernelClient(
        connection_file=str(server.runtime_dir / f"kernel-{kernel_id}.json")
    )
    client.load_connection_file()
    # jupyter_client calls a kernel dead after 1 s without a heartbeat, which a loaded 2-core
    # machine can exceed while the kernel imports; a dead kernel still shows within 10 s.
    client.hb_channel.time_to_dead = 10.0
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        yield Kernel(client)
    finally:
        client.stop_channels()
        decoy.unlink(missing_ok=True)
        requests.delete(
            f"{server.url}api/sessions/{session.json()['id']}", headers=headers, timeout=30
        )


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder for a runner without a server; runtime files go to a private folder,
    so only the runner a test starts is found."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / ".gitlab-ci.yml").write_text(CI_YAML)
    return folder
