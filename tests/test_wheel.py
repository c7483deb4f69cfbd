"""Release packaging: the built wheel alone gives a working Jupyter with both extensions.

Builds the sdist and the wheel (the wheel from the sdist, as `python -m build` does), installs the
wheel into a fresh virtual environment, and starts a Jupyter server from it on a copy of the demo
project: both extensions load and the demo pipeline runs.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str | Path, timeout: float = 600) -> str:
    result = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.timeout(900)
def test_built_wheel_installs_and_runs_the_demo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--outdir", dist, ROOT, timeout=900)
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(
        n.endswith("share/jupyter/labextensions/jupyter-ci-terminal/package.json") for n in names
    )
    assert any(
        n.endswith("etc/jupyter/jupyter_server_config.d/jupyter_ci_terminal.json") for n in names
    )
    with tarfile.open(sdist) as tar:
        members = tar.getnames()
    assert any(m.endswith("labextension/yarn.lock") for m in members)
    assert not any("node_modules" in m for m in members)

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    bin_ = venv / "bin"
    run(bin_ / "python", "-m", "pip", "install", "--quiet", f"{wheel}", "jupyterlab>=4.4,<5")
    assert re.search(
        r"jupyter_ci_terminal \S+ OK", run(bin_ / "jupyter", "server", "extension", "list")
    )
    assert re.search(
        r"jupyter-ci-terminal v\S+ enabled\s+OK", run(bin_ / "jupyter", "labextension", "list")
    )

    project = tmp_path / "demo-project"
    shutil.copytree(
        ROOT / "examples" / "demo-project", project, ignore=shutil.ignore_patterns(".jupyter-ci")
    )
    port, token = free_port(), secrets.token_hex(16)
    env_dirs = {
        name: tmp_path / name.lower() for name in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR")
    }
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [
            bin_ / "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={project}",
            "--CITerminalApp.start_pipeline=True",
        ],
        env={
            **{k: str(v) for k, v in env_dirs.items()},
            "PATH": f"{bin_}:/usr/bin:/bin",
            "HOME": str(tmp_path),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}/ci-terminal/api/"

        def get(path: str) -> object:
            request = urllib.request.Request(
                base + path, headers={"Authorization": f"token {token}"}
            )
            with urllib.request.urlopen(request, timeout=10) as r:
                return json.loads(r.read())

        deadline = time.monotonic() + 120
        jobs: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            try:
                pipelines = get("projects/local/pipelines")
                assert isinstance(pipelines, list)
                if pipelines:
                    found = get(f"projects/local/pipelines/{pipelines[0]['id']}/jobs")
                    assert isinstance(found, list)
                    jobs = found
                    if any(j["name"] == "train-model" and j["status"] == "running" for j in jobs):
                        break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail(
                f"the demo pipeline did not start: {jobs}\n{(tmp_path / 'server.log').read_text()[-3000:]}"
            )
        lab = urllib.request.urlopen(
            f"http://127.0.0.1:{port}/lab?token={token}", timeout=10
        ).read()
        assert b"jupyter-ci-terminal" in lab  # the labextension is in the page config
    finally:
        server.terminate()
        server.wait(60)
        log.close()
