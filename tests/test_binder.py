"""Binder: binder/postBuild in a fresh environment gives a JupyterLab that serves the demo.

repo2docker cannot run here (no container engine), so this runs what it would run: postBuild
from the repository root with a fresh environment's tools first on PATH and a fresh HOME, then
`jupyter lab` from that root, as Binder starts it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from labprocess import LabProcess

ROOT = Path(__file__).resolve().parents[1]


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if line]


@pytest.mark.timeout(900)
def test_post_build_then_lab_serves_the_demo_pipeline(tmp_path: Path) -> None:
    repo, home = tmp_path / "repo", tmp_path / "home"
    for name in tracked_files():
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    home.mkdir()
    venv = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    # postBuild installs with `pip install .`, which needs JupyterLab's jlpm in the environment,
    # as Binder's environment.yml provides.
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "jupyterlab>=4.4,<5"],
        check=True,
        capture_output=True,
        timeout=600,
    )
    # A fresh HOME and the fresh environment first on PATH; the rest (proxies, CA bundles) as is.
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "HOME": str(home)}
    for name in ("VIRTUAL_ENV", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_PATH"):
        env.pop(name, None)
    build = subprocess.run(
        ["bash", "binder/postBuild"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = build.stdout + build.stderr
    errors = [line for line in output.splitlines() if "YN0001" in line or "rror" in line]
    assert build.returncode == 0, "\n".join(errors[-30:]) + output[-2000:]
    assert (home / ".jupyter" / "jupyter_server_config.py").is_file()

    lab_env = {**env, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    with LabProcess(
        venv / "bin" / "jupyter", [], env=lab_env, log=tmp_path / "lab.log", cwd=repo
    ) as lab:
        lab.wait_for_running_job("train-model")
        notebook = urllib.request.urlopen(lab.url("lab/tree/examples/demo.ipynb"), timeout=10)
        assert notebook.status == 200
