"""Run the local runner as a real subprocess on loopback, against a throwaway project."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gitlab
import pytest
import requests

from jupyter_ci_terminal.runner.runtime import runtime_file_path, wait_for_runtime_file

REPO = Path(__file__).resolve().parents[2]

SIMPLE = """
stages: [build, test]
variables:
  GREETING: hello
build:
  stage: build
  script:
    - echo "$GREETING from $CI_JOB_NAME"
test:
  stage: test
  script:
    - echo testing
"""

#: A job that runs long enough to attach a terminal and do things.
LONG = """
slow:
  script:
    - echo started
    - sleep 60
"""


class Runner:
    """A running ``jupyter-ci-runner serve`` process and clients for it."""

    def __init__(
        self, proc: subprocess.Popen[bytes], info: dict[str, Any], project: Path, log: Path
    ):
        self.proc, self.info, self.project, self.log = proc, info, project, log
        self.url: str = info["url"]
        self.token: str = info["token"]
        self.gl = gitlab.Gitlab(self.url.rstrip("/"), private_token=self.token)
        self.http = requests.Session()
        self.http.headers["PRIVATE-TOKEN"] = self.token

    @property
    def api(self) -> str:
        """Return the API base URL."""
        return self.url + "api/v4"

    def get(self, path: str, **kw: Any) -> requests.Response:
        """GET an API path with the token."""
        return self.http.get(self.api + path, timeout=10, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        """POST to an API path with the token."""
        return self.http.post(self.api + path, timeout=10, **kw)

    def job(self, job_id: int) -> dict[str, Any]:
        """Return a job's JSON."""
        return self.get(f"/projects/1/jobs/{job_id}").json()  # type: ignore[no-any-return]

    def jobs(self, pipeline_id: int) -> dict[str, dict[str, Any]]:
        """Return a pipeline's jobs by name."""
        return {j["name"]: j for j in self.get(f"/projects/1/pipelines/{pipeline_id}/jobs").json()}

    def wait_job(
        self, job_id: int, pred: Callable[[dict[str, Any]], bool], timeout: float = 30
    ) -> dict[str, Any]:
        """Poll a job until ``pred`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if pred(job):
                return job
            if time.monotonic() > deadline:
                pytest.fail(f"job {job_id} stuck: {job['status']}\n{self.trace(job_id)}")
            time.sleep(0.1)

    def wait_status(self, job_id: int, *statuses: str, timeout: float = 30) -> dict[str, Any]:
        """Poll a job until its status is one of ``statuses``."""
        return self.wait_job(job_id, lambda j: j["status"] in statuses, timeout)

    def wait_pipeline(self, pipeline_id: int, timeout: float = 30) -> dict[str, Any]:
        """Poll a pipeline until it finished."""
        deadline = time.monotonic() + timeout
        while True:
            p = self.get(f"/projects/1/pipelines/{pipeline_id}").json()
            if p["status"] in ("success", "failed", "canceled", "skipped"):
                return p  # type: ignore[no-any-return]
            if time.monotonic() > deadline:
                pytest.fail(f"pipeline {pipeline_id} stuck: {p['status']}")
            time.sleep(0.1)

    def trace(self, job_id: int) -> str:
        """Return a job's trace."""
        return self.get(f"/projects/1/jobs/{job_id}/trace").text

    def create_pipeline(self, **body: Any) -> dict[str, Any]:
        """Create a pipeline through the API."""
        r = self.post("/projects/1/pipeline", json={"ref": "main", **body})
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def channel(self, job_id: int) -> dict[str, Any]:
        """Return a job's terminal Channel."""
        r = self.get(f"/projects/1/jobs/{job_id}/terminal")
        assert r.status_code == 200, r.text
        return r.json()["Channel"]  # type: ignore[no-any-return]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Signal the runner and wait for it to exit."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail("the runner did not stop on SIGTERM")


def alive(pid: int) -> bool:
    """Return whether ``pid`` runs (a zombie awaiting its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def ssl_context(ca_pem: str) -> ssl.SSLContext:
    """Trust only the runner's certificate."""
    return ssl.create_default_context(cadata=ca_pem)


def write_project(path: Path, ci_yaml: str, files: dict[str, str] | None = None) -> Path:
    """Create a project folder with a .gitlab-ci.yml."""
    path.mkdir(parents=True, exist_ok=True)
    (path / ".gitlab-ci.yml").write_text(ci_yaml)
    for name, text in (files or {}).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    return path


@pytest.fixture
def runtime_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point Jupyter's runtime directory at a private folder."""
    rt = tmp_path / "runtime"
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(rt))
    return rt


def launch(project: Path, log: Path, *args: str) -> Runner:
    """Start ``jupyter-ci-runner serve`` on ``project`` (output to ``log``) and wait until it serves."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    cmd = [
        sys.executable,
        "-m",
        "jupyter_ci_terminal.runner.cli",
        "serve",
        "--project",
        str(project),
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*cmd, "--port", "0", *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        info = wait_for_runtime_file(proc.pid, timeout=30)
    except TimeoutError:
        proc.kill()
        proc.wait()
        pytest.fail(f"runner did not start:\n{log.read_text()}")
    return Runner(proc, info, project, log)


def shut_down(runner: Runner) -> None:
    """Stop a runner started by :func:`launch` and check it cleaned up after itself."""
    runner.http.close()
    runner.gl.session.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        runner.stop()
    assert not runtime_file_path(runner.proc.pid).exists()


@pytest.fixture
def start_runner(tmp_path: Path, runtime_dir: Path) -> Iterator[Callable[..., Runner]]:
    """Return a function starting a runner on a project; every runner is stopped afterwards."""
    started: list[Runner] = []

    def start(project: Path, *args: str) -> Runner:
        runner = launch(project, tmp_path / f"runner-{len(started)}.log", *args)
        started.append(runner)
        return runner

    yield start
    for runner in started:
        shut_down(runner)
