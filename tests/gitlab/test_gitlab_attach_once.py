"""``%ci_attach`` opens the job's terminal session once: the kernel's request creates it, the
event JupyterLab listens to names it, and nothing asks GitLab for the job again after that.

The server runs in-process (pytest-jupyter), so its session creations can be counted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from gitlab_support import ALICE_SESSION
from IPython.core.interactiveshell import InteractiveShell
from mock_gitlab import MockGitLab

from jupyter_ci_terminal.kernel import CI
from jupyter_ci_terminal.kernel.client import ServerClient
from jupyter_ci_terminal.kernel.magics import CIMagics
from jupyter_ci_terminal.server.handlers import OPEN_TERMINAL_EVENT
from jupyter_ci_terminal.sessions import TerminalSession, manager

PROJECT = "gitlab-42"


@pytest.fixture
def through_server(
    jp_serverapp: Any, jp_fetch: Any, jp_http_port: int, jp_base_url: str
) -> Iterator[CI]:
    """``ci`` connected to the pytest-jupyter server (``jp_fetch`` binds its port)."""
    api = CI().connect(
        f"http://127.0.0.1:{jp_http_port}{jp_base_url}", jp_serverapp.identity_provider.token
    )
    yield api
    api.close()


@pytest.fixture
def created(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the terminal sessions the server creates."""
    names: list[str] = []

    class Counted(TerminalSession):
        def __init__(self, name: str, *args: Any, **kwargs: Any) -> None:
            names.append(name)
            super().__init__(name, *args, **kwargs)

    monkeypatch.setattr(manager, "TerminalSession", Counted)
    return names


@pytest.fixture
def ip(through_server: CI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """IPython with the magics, talking to the server."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setattr(CIMagics, "api", through_server)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyter_ci_terminal.kernel.magics")
    yield shell
    InteractiveShell.clear_instance()


async def test_ci_attach_creates_the_session_once_and_the_event_names_it(
    through_server: CI,
    ip: Any,
    jp_serverapp: Any,
    mock_gitlab: MockGitLab,
    created: list[str],
    jp_ws_fetch: Any,
) -> None:
    events: list[dict[str, Any]] = []

    async def listen(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        events.append(data)

    jp_serverapp.event_logger.add_listener(schema_id=OPEN_TERMINAL_EVENT, listener=listen)
    kernel_requests: list[tuple[str, str]] = []
    client = cast(ServerClient, through_server.client)
    send = client.request

    def counted(method: str, *parts: object, **kwargs: Any) -> Any:
        kernel_requests.append((method, "/".join(map(str, parts))))
        return send(method, *parts, **kwargs)

    def scenario() -> tuple[int, Any]:
        through_server.gitlab_web_session(ALICE_SESSION)
        pipeline = through_server.run_pipeline("main", project=PROJECT)
        job = through_server.jobs(pipeline.id, project=PROJECT)[0]
        job.wait(until="running", timeout=60, interval=0.2, progress=False)
        client.request = counted  # type: ignore[method-assign]
        mock_gitlab.api_calls.clear()
        return job.id, ip.run_line_magic("ci_attach", f"{job.id} --project {PROJECT}")

    lab_window = await jp_ws_fetch("ci-terminal", "frontends", "websocket")  # a Lab is there
    try:
        job_id, attachment = await asyncio.to_thread(scenario)
    finally:
        lab_window.close()
    assert created == [attachment.name]
    # The kernel looks the job up once and asks for the session once.
    assert kernel_requests == [
        ("GET", f"projects/{PROJECT}/jobs/{job_id}"),
        ("POST", "terminals"),
    ]
    # GitLab is asked for the job by the kernel's lookup, and once while the server creates the
    # session (its metadata and the terminal's availability come from the same answer).
    job_path = f"/api/v4/projects/42/jobs/{job_id}"
    assert [c for c in mock_gitlab.api_calls if c[1] == job_path] == [("GET", job_path)] * 2
    while not events:  # the event bus hands events to listeners as tasks
        await asyncio.sleep(0.05)
    assert [(e["job"], e["name"]) for e in events] == [(job_id, attachment.name)]
