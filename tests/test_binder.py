"""Binder: what repo2docker makes of binder/, and a JupyterLab from binder/postBuild serves the demo.

repo2docker builds its image with a container engine, which these tests do not need: its
`--no-build` mode only writes the Dockerfile, from which the first test checks what the image
would do with our files. The second runs what that Dockerfile runs: postBuild from the repository
root with a fresh environment's tools first on PATH and a fresh HOME, then `jupyter lab` from
that root, as Binder starts it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from labprocess import LabProcess
from websockets.sync.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
BINDER_USER = ("--user-id", "1000", "--user-name", "jovyan")  # what BinderHub passes
#: The end of a shell prompt (``bash-5.2$ ``, ``#`` for root), after the terminal's escapes.
PROMPT = re.compile(r"[$#] $")
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def clean_copy(dest: Path) -> Path:
    """The repository's tracked files as they are in the working tree, as a clone would have them."""
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    for name in out.splitlines():
        if (ROOT / name).is_file():  # not deleted in the working tree
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


def wait_for_agent(lab: LabProcess, name: str, timeout: float = 120) -> dict[str, Any]:
    """Wait until job ``name`` of the newest local pipeline has its agent connected."""
    deadline = time.monotonic() + timeout
    while True:
        pipeline = lab.api("projects/local/pipelines")[0]
        jobs = lab.api(f"projects/local/pipelines/{pipeline['id']}/jobs")
        job: dict[str, Any] = next(j for j in jobs if j["name"] == name)
        if job.get("agent") is True:
            return job
        log = lab.log.read_text(errors="replace")[-3000:]
        assert job["status"] in ("created", "pending", "running"), (job, log)
        assert time.monotonic() < deadline, (job, log)
        time.sleep(0.2)


def open_job_shell(lab: LabProcess, job_id: int) -> ClientConnection:
    """Open the job's terminal through the REST API, then its websocket."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{lab.port}/ci-terminal/api/terminals",
        data=json.dumps({"project": "local", "job": job_id}).encode(),
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        name = json.loads(r.read())["name"]
    url = f"ws://127.0.0.1:{lab.port}/ci-terminal/terminals/websocket/{name}"
    return connect(url, additional_headers={"Authorization": f"token {lab.token}"})


def read_until(ws: ClientConnection, done: Any, timeout: float = 30) -> str:
    """Read terminado frames until ``done(output)`` holds for their stdout, escapes removed."""
    seen = ""
    deadline = time.monotonic() + timeout
    while not done(seen):
        left = deadline - time.monotonic()
        assert left > 0, f"not seen in {seen[-800:]!r}"
        kind, *content = json.loads(ws.recv(timeout=left))
        if kind == "stdout":
            seen = ESCAPES.sub("", seen + content[0])
    return seen


def test_repo2docker_builds_from_binder_folder(tmp_path: Path) -> None:
    repo = clean_copy(tmp_path / "repo")
    # cwd elsewhere than the repository, so repo2docker reads no repo2docker_config.py.
    result = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", *BINDER_USER, str(repo)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    dockerfile, log = result.stdout, result.stderr
    assert result.returncode == 0, log[-3000:]

    # The conda buildpack, on the Python that environment.yml pins (repo2docker only reads an
    # exact `python=X.Y`; anything else builds on its default Python and conda must re-solve).
    spec = (repo / "binder" / "environment.yml").read_text()
    pinned = re.search(r"^\s*-\s*python=(\d+\.\d+)\s*$", spec, re.MULTILINE)
    assert pinned, "binder/environment.yml needs an exact `- python=X.Y`"
    assert f"Building conda environment for python={pinned[1]}" in log, log
    assert "Python version unspecified" not in log
    # Our environment.yml updates the notebook environment, before the repository is copied in.
    lines = dockerfile.splitlines()
    env_copy = (
        "COPY --chown=1000:1000 src/binder/environment.yml ${REPO_DIR}/binder/environment.yml"
    )
    assert env_copy in lines
    assert 'env update -p ${NB_PYTHON_PREFIX} --file "binder/environment.yml"' in dockerfile
    # postBuild runs as the user, from the repository root, once the whole repository is there
    # (it installs it with `pip install .`).
    copy_all = lines.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/")
    post_build = lines.index("RUN ./binder/postBuild")
    assert copy_all < post_build
    assert "USER ${NB_USER}" in lines[copy_all:post_build]
    # With no binder/start, Jupyter starts in WORKDIR, the repository root, which is also HOME
    # and no other config dir is set: the setup the next test runs (cwd the repository root,
    # postBuild's config in ~/.jupyter), so the README's urlpath opens examples/ from there.
    assert not (repo / "binder" / "start").exists()
    assert "ARG REPO_DIR=${HOME}" in lines
    assert "WORKDIR ${REPO_DIR}" in lines
    assert "JUPYTER_CONFIG_DIR" not in dockerfile
    readme = (repo / "README.md").read_text()
    assert set(re.findall(r"urlpath=lab/tree/([\w./-]+)", readme)) == {"examples/demo.ipynb"}
    assert (repo / "examples" / "demo.ipynb").is_file()


@pytest.mark.timeout(900)
def test_post_build_then_lab_serves_the_demo_pipeline(tmp_path: Path) -> None:
    repo, home = clean_copy(tmp_path / "repo"), tmp_path / "home"
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
        # The demo's agent job dials out to this server with the variables the Binder config
        # gives the embedded runner's jobs, and its shell opens through the agent.
        job = wait_for_agent(lab, "debug-with-agent")
        assert lab.api(f"projects/local/jobs/{job['id']}")["agent"] is True
        with open_job_shell(lab, job["id"]) as ws:
            read_until(ws, lambda out: PROMPT.search(out) is not None)
            ws.send(json.dumps(["stdin", "echo job=$CI_JOB_NAME\r"]))
            read_until(ws, lambda out: "job=debug-with-agent" in out)
