"""The kernel API on a job served by its agent: ``ci.job(...).run(...)`` and ``%ci_attach``.

Real processes: ``jupyter server``, ``jupyter-ci-runner serve --no-session-server``, and the
job's agent; the kernel side (the ``ci`` API, the magics in an IPython shell) runs in the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from agent_support import AGENT, DialOut
from IPython.core.interactiveshell import InteractiveShell
from labwindow import lab_window

from jupyter_ci_terminal.kernel import CI, Attachment
from jupyter_ci_terminal.kernel.magics import CIMagics


@pytest.fixture(scope="module")
def detached_timeout() -> float:
    """Sessions opened by the kernel have no viewer between commands: keep them open."""
    return 120


@pytest.fixture
def api(dialout: DialOut) -> Iterator[CI]:
    ci = CI().connect(dialout.server.base, dialout.server.token)
    yield ci
    ci.client.close()


@pytest.fixture
def ip(api: CI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setattr(CIMagics, "api", api)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyter_ci_terminal.kernel.magics")
    yield shell
    InteractiveShell.clear_instance()


def test_kernel_runs_commands_and_attaches_on_a_job_served_by_its_agent(
    dialout: DialOut, api: CI, ip: InteractiveShell
) -> None:
    dialout.write_ci([f"{AGENT} --wait --timeout 300", "echo after-the-hold"])
    job_id = dialout.run_pipeline()
    dialout.wait_job(job_id, lambda j: j.get("agent") is True)

    result = api.job(job_id, project="local").run("echo $CI_JOB_NAME", timeout=30)
    assert (result.stdout, result.exit_code) == ("debug-me\n", 0)

    with lab_window(dialout.server.base, dialout.server.token):
        attachment = ip.run_line_magic("ci_attach", str(job_id))
    assert isinstance(attachment, Attachment)
    assert attachment.job == job_id
    session = dialout.server.api("GET", f"terminals/{attachment.name}").json()
    assert session["runner"] == "agent"
    again = api.job(job_id, project="local").run("echo again-$((6*7)); exit 4", timeout=30)
    assert (again.stdout, again.exit_code) == ("again-42\n", 4)

    # Closing the session from Jupyter ends the hold: the job's script goes on.
    assert dialout.server.api("DELETE", f"terminals/{attachment.name}").status_code == 204
    done = dialout.wait_job(job_id, lambda j: j["status"] not in ("pending", "running"))
    assert done["status"] == "success"
    assert "after-the-hold" in dialout.trace(job_id)
