"""A notebook's open terminal (``job.terminal()``) is a viewer of the job's session until it
closes, so a held job debugged from a notebook alone outlives ``hold_grace``."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest
import requests

from jupyter_ci_terminal.errors import ChannelError
from jupyter_ci_terminal.kernel import CI, Job

from .conftest import Server

CI_YAML = """
kept:
  variables: {CI_DEBUG_HOLD: on_failure}
  script: [exit 4]
control:
  variables: {CI_DEBUG_HOLD: on_failure}
  script: [exit 5]
"""


@pytest.fixture(scope="module")
def ci_yaml() -> str:
    """Two jobs that fail into a debug hold."""
    return CI_YAML


@pytest.fixture(scope="module")
def server_args() -> tuple[str, ...]:
    """A short grace, and holds far longer than the test."""
    return ("--CITerminalApp.hold_grace=2", "--CITerminalApp.runner_session_timeout=600")


def held_jobs(api: CI) -> dict[str, Job]:
    """Run a pipeline; return its jobs once both are held."""
    pipeline = api.run_pipeline().id
    jobs = {j.name: j for j in api.jobs(pipeline)}
    for job in jobs.values():
        job.wait(until="held", timeout=60, progress=False)
    return jobs


def viewers(server: Server, job: Job) -> int:
    """How many viewers the server counts on the job's terminal session (0 without one)."""
    response = requests.get(
        f"{server.url}ci-terminal/api/terminals",
        headers={"Authorization": f"token {server.token}"},
        timeout=30,
    )
    response.raise_for_status()
    return sum(int(s["viewers"]) for s in response.json() if s["job"] == job.id)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll ``condition`` until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_held_job_outlives_hold_grace_while_a_notebook_terminal_is_open(
    api: CI, server: Server
) -> None:
    jobs = held_jobs(api)
    kept, control = jobs["kept"], jobs["control"]
    term = kept.terminal()
    assert term.run("echo kept").stdout == "kept\n"
    assert viewers(server, kept) == 1
    # The control job's session loses its only viewer once its command is done: its grace
    # starts after the kept job's terminal opened, so when it ends, a grace went by for both.
    assert control.run("echo control").exit_code == 0
    # Less than the default grace (30 s): the server took the short one.
    done = control.wait(until="finished", timeout=25, progress=False)
    assert (done.status, done.data["failure_reason"]) == ("failed", "script_failure")

    assert kept.refresh().hold
    assert term.run("echo still held").stdout == "still held\n"
    assert "open" in repr(term)

    term.close()
    assert term.closed
    with pytest.raises(ChannelError, match=r"^The terminal of kept #\d+ is closed; open it again"):
        term.run("true")
    wait_until(lambda: viewers(server, kept) == 0, "the closed terminal to leave the session")
    done = kept.wait(until="finished", timeout=60, progress=False)
    assert (done.status, done.data["failure_reason"]) == ("failed", "script_failure")


def test_a_notebook_terminal_closes_with_its_block_and_when_it_is_garbage_collected(
    api: CI, server: Server
) -> None:
    job = held_jobs(api)["kept"]
    try:
        with job.terminal() as term:
            assert viewers(server, job) == 1
            assert term.run("exit 7").exit_code == 7  # a subshell: the job's shell stays
        wait_until(lambda: viewers(server, job) == 0, "the block's terminal to leave")

        term = job.terminal()
        assert viewers(server, job) == 1
        del term
        gc.collect()
        wait_until(lambda: viewers(server, job) == 0, "the collected terminal to leave")
    finally:
        job.end_hold()
