"""The demo notebook runs top to bottom against the demo pipeline, so it never rots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import Server

EXAMPLES = Path(__file__).parents[2] / "examples"
DEMO = EXAMPLES / "demo.ipynb"


@pytest.fixture(scope="module")
def project() -> Path:
    return EXAMPLES / "demo-project"


def outputs(cell: Any) -> dict[str, Any]:
    """The MIME bundle or text of a cell's last output."""
    out = cell.outputs[-1]
    return dict(out.get("data") or {"text/plain": out.get("text") or out.get("evalue")})


@pytest.mark.usefixtures("lab_window")  # the notebook's %ci_attach opens a tab
def test_the_demo_notebook_runs(server: Server) -> None:
    nb = nbformat.read(DEMO, as_version=4)
    client = NotebookClient(
        nb, timeout=150, kernel_name="python3", resources={"metadata": {"path": str(server.root)}}
    )
    client.execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    by_source = {c.source.splitlines()[0]: c for c in code}
    assert "train-model" in outputs(by_source["%ci_jobs"])["text/html"]
    assert (
        outputs(by_source['result = job.run("echo $CI_JOB_NAME trains for $EPOCHS epochs")'])[
            "text/plain"
        ]
        == "('train-model trains for 900 epochs\\n', 0)"
    )
    assert outputs(by_source['job.run("ls /nonexistent-folder").exit_code'])["text/plain"] == "2"
    held = by_source['failed = ci.job("check-schema").wait(until="held", timeout=120)']
    printed = "".join(o.get("text", "") for o in held.outputs if o.output_type == "stream")
    assert "src" in printed.split()  # `ls -a` in the held job, through the notebook's terminal
    attach = outputs(by_source["%ci_attach train-model"])
    assert attach["application/vnd.jupyter-ci-terminal.attach+json"]["status"] == "running"
    (error,) = by_source["ci.job(999999)"].outputs
    assert (error.ename, len(error.traceback)) == ("NotFoundError", 1)
