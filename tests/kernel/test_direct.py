"""The notebook API without a Jupyter server: ``ci.connect_runner()`` drives the local runner itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_ci_terminal.errors import BackendError, NoTerminalError
from jupyter_ci_terminal.kernel import CI, MIME_TYPE
from jupyter_ci_terminal.kernel.errors import CITimeoutError
from jupyter_ci_terminal.runner.runtime import find_runners

from .conftest import wait_running


@pytest.fixture
def direct(project_dir: Path) -> Iterator[CI]:
    """``ci`` on a runner it starts itself (and stops on close)."""
    api = CI().connect_runner(project_dir, start=True)
    yield api
    api.close()


def test_without_a_runner_the_sentence_says_how_to_start_one(project_dir: Path) -> None:
    api = CI().connect_runner(project_dir)
    try:
        with pytest.raises(BackendError, match=r"start one with `jupyter ci-runner serve"):
            api.projects()
    finally:
        api.close()


def test_the_api_drives_a_local_runner_without_jupyter(direct: CI, project_dir: Path) -> None:
    job = wait_running(direct, "shell-job")
    projects = [(p["id"], p["name"], p["backend"]) for p in direct.projects()]
    assert projects == [("local", "proj", "local")]
    assert repr(direct) == f"<CI {project_dir}>"

    echoed = job.run("echo $CI_JOB_NAME", timeout=30)
    assert (echoed.stdout.strip(), echoed.exit_code) == ("shell-job", 0)
    assert job.run("exit 3", timeout=30).exit_code == 3
    with job.terminal() as term:  # one connection to the runner, kept for both commands
        assert term.run("echo one", timeout=30).stdout == "one\n"
        assert term.run("echo two", timeout=30).stdout == "two\n"
    assert term.closed
    assert "started" in job.log()

    attachment = job.attach()
    bundle = attachment._repr_mimebundle_()
    # No Jupyter server holds a session: no "Open terminal" button, and attach points at the folder.
    assert MIME_TYPE not in bundle
    assert (
        f"jupyter ci-runner attach {job.id} --project local --project-dir {project_dir}"
        in (bundle["text/plain"])
    )

    quick = next(j for j in direct.jobs(job.pipeline_id) if j.name == "quick-job")
    quick.wait(until="finished", timeout=60, progress=False)
    with pytest.raises(NoTerminalError, match="not running"):
        quick.run("true")
    job.cancel()


def test_close_stops_the_runner_it_started(project_dir: Path) -> None:
    api = CI().connect_runner(project_dir, start=True)
    api.projects()
    (runner,) = [r for r in find_runners() if Path(r["project_dir"]) == project_dir]
    api.close()
    deadline = time.monotonic() + 20
    while any(r["pid"] == runner["pid"] for r in find_runners()):
        assert time.monotonic() < deadline, "the runner outlived ci.close()"
        time.sleep(0.1)
    with pytest.raises(ProcessLookupError):
        os.kill(runner["pid"], 0)


def test_a_runner_started_for_a_script_stops_when_the_script_ends(project_dir: Path) -> None:
    script = (
        "from jupyter_ci_terminal.kernel import CI\n"
        f"CI().connect_runner({str(project_dir)!r}, start=True).projects()\n"
        "from jupyter_ci_terminal.runner.runtime import find_runners\n"
        "print(find_runners()[0]['pid'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    pid = int(done.stdout.split()[-1])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert find_runners() == []


def test_waiting_says_what_the_job_waits_for(project_dir: Path) -> None:
    (project_dir / ".gitlab-ci.yml").write_text(
        "stages: [build, test]\n"
        "build:\n  stage: build\n  script: [sleep 600]\n"
        "test:\n  stage: test\n  script: [echo tested]\n"
    )
    api = CI().connect_runner(project_dir, start=True)
    try:
        pipeline = api.run_pipeline().id
        later = next(j for j in api.jobs(pipeline) if j.name == "test")
        with pytest.raises(
            CITimeoutError, match=r"after 2 s: waiting for earlier stages: build\.$"
        ):
            later.wait(timeout=2, interval=0.2, progress=False)
        assert later.pending_reason == "waiting for earlier stages: build"
        next(j for j in api.jobs(pipeline) if j.name == "build").cancel()
    finally:
        api.close()
