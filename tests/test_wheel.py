"""Release packaging: the built wheel alone gives a working Jupyter with both extensions.

Builds the sdist and the wheel (the wheel from the sdist, as `python -m build` does), installs the
wheel into a fresh virtual environment, and starts a Jupyter server from it on a copy of the demo
project: both extensions load and the demo pipeline runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import pytest
from labprocess import LabProcess

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str | Path, timeout: float = 600) -> str:
    result = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


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
    env = {
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "PATH": f"{bin_}:/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    args = [f"--ServerApp.root_dir={project}", "--CITerminalApp.start_pipeline=True"]
    with LabProcess(bin_ / "jupyter", args, env=env, log=tmp_path / "server.log") as lab:
        lab.wait_for_running_job("train-model")
        page = urllib.request.urlopen(lab.url("lab"), timeout=10).read()
        assert b"jupyter-ci-terminal" in page  # the labextension is in the page config
