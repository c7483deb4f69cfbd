"""``%ci_attach`` in a kernel no JupyterLab is there to open the tab for (a console, another editor).

No terminal session is opened (a held job would end unwatched once its hold grace passed), and
one sentence says what to use instead, with no secret in it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from labwindow import lab_window

from jupyter_ci_terminal.kernel import MIME_TYPE

from .conftest import Kernel, Server


def _api(server: Server, method: str, path: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"token {server.token}"}
    url = f"{server.url}ci-terminal/api/{path}"
    return requests.request(method, url, headers=headers, timeout=30, **kwargs)


def _sessions(server: Server) -> list[dict[str, Any]]:
    return list(_api(server, "GET", "terminals").json())


def _tab_refused(server: Server) -> bool:
    """Whether the server refuses tabs now; asked for a job that does not exist, so no
    session can be opened either way (404 once a window is there)."""
    body = {"project": "local", "job": 987654, "open": True}
    return _api(server, "POST", "terminals", json=body).status_code == 409


def _wait_until(condition: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the server did not notice the window closing")
        time.sleep(0.05)


def test_ci_attach_opens_nothing_without_a_lab_and_says_what_to_do(
    kernel: Kernel, server: Server, shell_job: int
) -> None:
    (error,) = kernel.run(f"%load_ext jupyter_ci_terminal.kernel.magics\n%ci_attach {shell_job}")
    assert (error["type"], error["ename"], len(error["traceback"])) == (
        "error",
        "NoFrontEndError",
        1,
    )
    sentence = error["evalue"]
    assert sentence.startswith(
        f"No JupyterLab with the CI terminal extension is connected to {server.url} to show "
        f"the terminal of job {shell_job} (shell-job), so none was opened: open {server.url}lab "
    )
    assert f"ci.job({shell_job}, project='local').terminal()" in sentence
    assert f"`jupyter ci-runner attach {shell_job} --project local`" in sentence
    assert server.token not in sentence + "".join(error["traceback"])
    assert _sessions(server) == []

    # What the sentence offers works with no window: the kernel keeps the shell open itself.
    (out,) = kernel.run(
        "from jupyter_ci_terminal.kernel import ci\n"
        f"with ci.job({shell_job}, project='local').terminal() as term:\n"
        "    print(term.run('echo $CI_JOB_NAME').stdout, end='')"
    )
    assert out["text"] == "shell-job\n"

    # The same request with a JupyterLab window connected opens the session for its tab.
    with lab_window(server.url, server.token):
        (attach,) = kernel.run(f"%ci_attach {shell_job}")
        assert attach["data"][MIME_TYPE]["job"] == shell_job
        assert [s["name"] for s in _sessions(server)] == [attach["data"][MIME_TYPE]["name"]]
        assert not _tab_refused(server)
    _wait_until(lambda: _tab_refused(server))
