"""The API and magics in a real kernel that the Jupyter server started, as in JupyterLab."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from jupyter_ci_terminal.kernel import MIME_TYPE

from .conftest import Kernel, Server

OPEN_TERMINAL_EVENT = "https://events.jupyter.org/jupyter_ci_terminal/open-terminal/v1"


def text(outputs: list[dict[str, Any]]) -> str:
    return "".join(o.get("text", "") for o in outputs if o["type"] == "stream")


@pytest.mark.usefixtures("lab_window")
def test_api_and_magics_in_a_kernel(kernel: Kernel, shell_job: int) -> None:
    outputs = kernel.run(
        "from jupyter_ci_terminal.kernel import ci\n"
        f"job = ci.job({shell_job}).wait(until='running', timeout=60)\n"
        "r = job.run('echo $CI_JOB_NAME')\n"
        "print(ci.client.server.url, r.exit_code, r.stdout, end='')"
    )
    assert text(outputs).endswith(" 0 shell-job\n")
    assert "localhost:9" not in text(outputs)  # not the decoy
    assert kernel.run("print(job.run('exit 3').exit_code)") == [
        {"type": "stream", "name": "stdout", "text": "3\n"}
    ]

    kernel.run("%load_ext jupyter_ci_terminal.kernel.magics")
    (jobs,) = kernel.run("%ci_jobs")
    assert jobs["type"] == "execute_result"
    assert "<table>" in jobs["data"]["text/html"]
    assert "shell-job" in jobs["data"]["text/plain"]

    (attach,) = kernel.run(f"%ci_attach {shell_job}")
    assert attach["data"][MIME_TYPE]["job"] == shell_job
    assert attach["data"][MIME_TYPE]["status"] == "running"


def test_errors_in_a_kernel_are_one_line(kernel: Kernel) -> None:
    kernel.run("%load_ext jupyter_ci_terminal.kernel.magics")
    for code in ("%ci_status 999999", "from jupyter_ci_terminal.kernel import ci; ci.job(999999)"):
        (error,) = kernel.run(code)
        assert error["type"] == "error"
        assert error["ename"] == "NotFoundError"
        assert error["evalue"] == "There is no job 999999 in CI project 'local'."
        assert len(error["traceback"]) == 1


def test_the_wait_progress_is_one_updating_output(kernel: Kernel, shell_job: int) -> None:
    outputs = kernel.run(
        f"from jupyter_ci_terminal.kernel import ci; ci.job({shell_job}).wait(); None"
    )
    (progress,) = [o for o in outputs if o["type"] == "display_data"]
    assert "running" in progress["data"]["text/html"]
    assert progress["transient"] == {"display_id": progress["transient"]["display_id"]}


@pytest.mark.usefixtures("lab_window")
def test_ci_attach_asks_the_frontend_to_open_the_tab(
    kernel: Kernel, server: Server, shell_job: int
) -> None:
    url = f"{server.url.replace('http', 'ws', 1)}api/events/subscribe"
    with connect(url, additional_headers={"Authorization": f"token {server.token}"}) as events:
        kernel.run(f"%load_ext jupyter_ci_terminal.kernel.magics\n%ci_attach {shell_job}")
        event = json.loads(events.recv(timeout=10))
    assert event["schema_id"] == OPEN_TERMINAL_EVENT
    assert event["project"] == "local"
    assert event["job"] == shell_job
    assert event["notebook"] == "demo.ipynb"
    assert Path(server.root / event["notebook"]).exists()
