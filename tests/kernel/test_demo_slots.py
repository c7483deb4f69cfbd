"""The demo notebook's Run All when held jobs of earlier runs keep every runner slot: its wait
ends their debugging (they finish failed) and the demo runs to the end."""

from __future__ import annotations

import contextlib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from jupyter_ci_terminal.errors import CIError
from jupyter_ci_terminal.kernel import CI, Job

from .conftest import Server
from .test_demo import DEMO, EXAMPLES, outputs


@pytest.fixture(scope="module")
def project() -> Path:
    return EXAMPLES / "demo-project"


@pytest.fixture(scope="module")
def server_args() -> tuple[str, ...]:
    """Two slots, and holds that outlast the test."""
    return ("--CITerminalApp.runner_concurrent=2", "--CITerminalApp.runner_session_timeout=600")


def leave_held_check_schema(api: CI) -> Job:
    """Run the demo pipeline with only ``check-schema``, and leave it held, as an earlier run
    that stopped early does."""
    pipeline = api.run_pipeline()
    for job in pipeline.jobs():
        if job.name != "check-schema":
            with contextlib.suppress(CIError):  # it may have ended already
                job.cancel()
    held = next(j for j in api.jobs(pipeline.id) if j.name == "check-schema")
    return held.wait(until="held", timeout=120, progress=False)


@pytest.mark.usefixtures("lab_window")  # the notebook's %ci_attach opens a tab
def test_run_all_ends_the_holds_that_keep_every_slot_and_runs_to_the_end(
    api: CI, server: Server
) -> None:
    leftovers = [leave_held_check_schema(api), leave_held_check_schema(api)]

    nb = nbformat.read(DEMO, as_version=4)
    client = NotebookClient(
        nb, timeout=150, kernel_name="python3", resources={"metadata": {"path": str(server.root)}}
    )
    client.execute()

    by_source = {c.source.splitlines()[0]: c for c in nb.cells if c.cell_type == "code"}
    wait_cell = next(s for s in by_source if s.startswith('job = ci.job("train-model").wait('))
    (line, result) = by_source[wait_cell].outputs
    freed = ", ".join(f"check-schema #{j.id}" for j in leftovers)
    assert line["data"]["text/plain"].endswith(
        f"train-model: running, ended debugging on {freed} to free their slots"
    )
    assert "'train-model': running" in result["data"]["text/plain"]
    for old in leftovers:
        done = old.refresh()
        assert (done.status, done.data["failure_reason"]) == ("failed", "script_failure")
    (canceled,) = [c for c in nb.cells if "failed.cancel()" in c.source]
    assert "canceled" in outputs(canceled)["text/plain"]
