"""The README's "use it in your own environment" lines work as written in a fresh environment.

The lines install the repository (``.``) with its ``lab`` extra, then start ``jupyter lab`` in a
folder with a ``.gitlab-ci.yml``. The wheel built once by ``test_wheel``'s ``dist`` fixture
stands for ``.`` (it is what pip builds from it).
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from labprocess import LabProcess
from test_wheel import ROOT, dist, run

__all__ = ["dist"]  # the wheel fixture, shared with test_wheel


def readme_install_lines() -> list[str]:
    """The commands of the README's block after "To use it in your own environment"."""
    text = (ROOT / "README.md").read_text()
    section = text.split("To use it in your own environment", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "the README shows no install commands after 'To use it in your own environment'"
    return block[1].strip().splitlines()


def test_readme_names_jupyterlab_in_its_install_line() -> None:
    assert readme_install_lines() == ['pip install ".[lab]"', "jupyter lab"]


@pytest.mark.timeout(900)
def test_readme_install_line_gives_a_jupyter_lab_with_the_extension(
    dist: tuple[Path, Path], tmp_path: Path
) -> None:
    wheel, _ = dist
    install, start = readme_install_lines()
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    bin_ = venv / "bin"
    pip, *args = shlex.split(install)
    assert pip == "pip"
    args = [str(wheel) + arg[1:] if arg.startswith(".[") else arg for arg in args]
    run(bin_ / "pip", *args)
    assert (bin_ / "jupyter-lab").exists()
    assert re.search(
        r"jupyter-ci-terminal v\S+ enabled\s+OK", run(bin_ / "jupyter", "labextension", "list")
    )

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
