"""Release packaging: the built wheel alone gives a working Jupyter with both extensions.

Builds the sdist and the wheel once (the wheel from the sdist, as `python -m build` does; it
stands for ``.`` in the README's lines, since it is what pip builds from it), then:

- runs the README's "use it in your own environment" lines (``pip install ".[lab]"``, then
  ``jupyter lab`` in a folder with a ``.gitlab-ci.yml``) in a fresh virtual environment: both
  extensions load, the demo project is served, and the demo pipeline runs in that environment;
- installs the wheel into another fresh environment in one pip resolution with Hydra and
  OmegaConf (a common ML stack the package must fit into), and runs a pipeline with that
  environment's ``jupyter-ci-runner``.

The two environments are made once each: building one costs minutes.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from labprocess import LabProcess

from jupyter_ci_terminal.runner.runtime import wait_for_runtime_file

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str | Path, timeout: float = 600) -> str:
    result = subprocess.run(
        [str(a) for a in argv], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Build the sdist and the wheel once for this module; return (wheel, sdist)."""
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT, timeout=900)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


def readme_install_lines() -> list[str]:
    """The commands of the README's block after "To use it in your own environment"."""
    text = (ROOT / "README.md").read_text()
    section = text.split("To use it in your own environment", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "the README shows no install commands after 'To use it in your own environment'"
    return block[1].strip().splitlines()


def test_readme_names_jupyterlab_in_its_install_line() -> None:
    assert readme_install_lines() == ['pip install ".[lab]"', "jupyter lab"]


@pytest.fixture(scope="module")
def readme_venv(dist: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment made by the README's install line; return its ``bin`` folder."""
    wheel, _ = dist
    venv = tmp_path_factory.mktemp("readme") / "venv"
    run(sys.executable, "-m", "venv", venv)
    bin_ = venv / "bin"
    pip, *args = shlex.split(readme_install_lines()[0])
    assert pip == "pip"
    args = [str(wheel) + arg[1:] if arg.startswith(".[") else arg for arg in args]
    run(bin_ / "pip", *args)
    return bin_


# The first test of a worker to use ``dist`` builds it (a minute or two on a busy machine), and
# a fixture's failure is kept for the module: each test of it gets the build's time limit.
@pytest.mark.timeout(900)
def test_wheel_carries_both_extensions_and_the_sdist_no_node_modules(
    dist: tuple[Path, Path],
) -> None:
    wheel, sdist = dist
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


def _demo_env(bin_: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = shutil.copytree(
        ROOT / "examples" / "demo-project",
        tmp_path / "demo-project",
        ignore=shutil.ignore_patterns(".jupyter-ci"),
    )
    env = {
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "PATH": f"{bin_}:/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    return project, env


@pytest.mark.timeout(900)
def test_readme_install_line_gives_a_jupyter_lab_with_the_extension(
    readme_venv: Path, tmp_path: Path
) -> None:
    bin_ = readme_venv
    assert (bin_ / "jupyter-lab").exists()
    assert re.search(
        r"jupyter_ci_terminal \S+ OK", run(bin_ / "jupyter", "server", "extension", "list")
    )
    assert re.search(
        r"jupyter-ci-terminal v\S+ enabled\s+OK", run(bin_ / "jupyter", "labextension", "list")
    )
    project, env = _demo_env(bin_, tmp_path)
    start = readme_install_lines()[1]
    assert shlex.split(start) == ["jupyter", "lab"]  # LabProcess runs `jupyter lab`
    with LabProcess(bin_ / "jupyter", [], env=env, log=tmp_path / "server.log", cwd=project) as lab:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = urllib.request.urlopen(lab.url("lab"), timeout=10).read()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()[-3000:]
                time.sleep(0.5)
        assert b"jupyter-ci-terminal" in page  # the labextension is in the page config
        assert [p["name"] for p in lab.api("projects")] == ["demo-project"]


@pytest.mark.timeout(900)
def test_installed_wheel_runs_the_demo_pipeline(readme_venv: Path, tmp_path: Path) -> None:
    project, env = _demo_env(readme_venv, tmp_path)
    args = [f"--ServerApp.root_dir={project}", "--CITerminalApp.start_pipeline=True"]
    with LabProcess(readme_venv / "jupyter", args, env=env, log=tmp_path / "server.log") as lab:
        lab.wait_for_running_job("train-model")


HYDRA_PROJECT = """
stages: [check]
hydra:
  stage: check
  script:
    - python -c "import hydra, omegaconf; print('hydra', hydra.__version__, 'ok')"
"""


@pytest.fixture
def runner_proc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Hold the runner process a test starts; it is stopped afterwards."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    procs: list[Any] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.timeout(900)
def test_wheel_installs_next_to_hydra_and_omegaconf_and_runs_a_pipeline(
    dist: tuple[Path, Path], tmp_path: Path, runner_proc: list[Any]
) -> None:
    wheel, _ = dist
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    bin_ = venv / "bin"
    # One resolution, with today's Hydra: unpinned, pip "succeeds" by backtracking to Hydra 0.11
    # and OmegaConf 1.4 when a dependency of ours pins an antlr4 runtime Hydra 1.3 cannot use.
    stack = ("hydra-core>=1.3,<2", "omegaconf>=2.3,<3")
    run(bin_ / "python", "-m", "pip", "install", "--quiet", wheel, *stack)
    run(bin_ / "python", "-m", "pip", "check")
    versions = run(bin_ / "python", "-m", "pip", "list")

    project = tmp_path / "project"
    project.mkdir()
    (project / ".gitlab-ci.yml").write_text(HYDRA_PROJECT)
    env = {
        **{k: v for k, v in os.environ.items() if k in ("LANG", "LC_ALL", "TMPDIR")},
        "JUPYTER_RUNTIME_DIR": os.environ["JUPYTER_RUNTIME_DIR"],
        "PATH": f"{bin_}:/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    # What is checked here is the installation; a fresh environment's first pipeline on a busy
    # machine may take longer than the default planning budget, which other tests cover.
    cmd = [bin_ / "jupyter-ci-runner", "serve", "--project", project, "--port=0", "--run-pipeline"]
    cmd.append("--Scheduler.plan_timeout=60")
    log = tmp_path / "runner.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    runner_proc.append(proc)
    try:
        info = wait_for_runtime_file(proc.pid, timeout=60)
    except TimeoutError:
        pytest.fail(f"the runner did not start:\n{log.read_text()}")
    http = requests.Session()
    http.headers["PRIVATE-TOKEN"] = info["token"]
    api = info["url"] + "api/v4/projects/1"

    job: dict[str, Any] = {}
    deadline = time.monotonic() + 120
    while job.get("status") not in ("success", "failed", "canceled"):
        if time.monotonic() > deadline:
            pytest.fail(f"the job did not finish: {job}\n{log.read_text()[-3000:]}\n{versions}")
        time.sleep(0.2)
        pipelines = http.get(f"{api}/pipelines", timeout=10).json()
        if pipelines:
            jobs = http.get(f"{api}/pipelines/{pipelines[0]['id']}/jobs", timeout=10).json()
            job = jobs[0] if jobs else {}
    trace = http.get(f"{api}/jobs/{job['id']}/trace", timeout=10).text
    assert job["status"] == "success", f"{trace}\n{versions}"
    assert re.search(r"^hydra 1\.\S+ ok", trace, re.MULTILINE), trace
