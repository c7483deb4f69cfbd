"""The notebook API against GitLab: through a Jupyter server configured for it, and directly.

The kernel side is synchronous (requests, websockets' sync client) while the mock GitLab and the
Jupyter server run on the test's event loop, so each scenario runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from gitlab_support import ALICE_SESSION, ALICE_TOKEN, JOB_TOKEN, SECRETS, gitlab_api
from IPython.core.interactiveshell import InteractiveShell
from mock_gitlab import MockGitLab, User

from jupyter_ci_terminal.errors import (
    ConfigError,
    NoTerminalError,
    WebSessionRefusedError,
    WebSessionRequiredError,
)
from jupyter_ci_terminal.kernel import CI, MIME_TYPE
from jupyter_ci_terminal.kernel.magics import CIMagics
from jupyter_ci_terminal.server.handlers import OPEN_TERMINAL_EVENT

T = TypeVar("T")
PROJECT = "gitlab-42"


async def in_thread(fn: Callable[[], T]) -> T:
    return await asyncio.to_thread(fn)


@pytest.fixture
def through_server(
    jp_serverapp: Any, jp_fetch: Any, jp_http_port: int, jp_base_url: str
) -> Iterator[CI]:
    """``ci`` connected to the pytest-jupyter server (configured by GITLAB_URL/GITLAB_TOKEN).

    ``jp_fetch`` is asked for because it is what attaches the HTTP server to the port.
    """
    url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}"
    api = CI().connect(url, jp_serverapp.identity_provider.token)
    yield api
    api.close()


@pytest.fixture
def direct(mock_gitlab: MockGitLab) -> Iterator[CI]:
    """``ci`` talking to the mock GitLab itself, with Alice's token."""
    api = CI().connect_gitlab(mock_gitlab.url, ALICE_TOKEN, projects=["acme/app"])
    yield api
    api.close()


def _shell_job_scenario(api: CI, give_session: Callable[[], None]) -> dict[str, Any]:
    """Start a pipeline, wait for its job, give the web session, run commands in the job."""
    pipeline = api.run_pipeline("main", project=PROJECT)
    job = api.job("shell-job", project=PROJECT)
    assert job.pipeline_id == pipeline.id
    job.wait(until="running", timeout=60, interval=0.2, progress=False)
    # GitLab serves terminals to web sessions only: without one, the sentence says so.
    with pytest.raises(WebSessionRequiredError, match="_gitlab_session cookie once"):
        job.run("true")
    give_session()
    name = job.run("echo $CI_JOB_NAME", timeout=30)
    failed = job.run("exit 3", timeout=30)
    attachment = job.attach(open_tab=False)
    return {
        "projects": [p["name"] for p in api.projects()],
        "jobs": [j.name for j in api.jobs(pipeline.id, project=PROJECT)],
        "name": (name.stdout.strip(), name.exit_code),
        "failed": failed.exit_code,
        "bundle": attachment._repr_mimebundle_(),
        "log": job.log(),
        "job": job,
    }


async def test_the_kernel_api_works_through_a_server_configured_for_gitlab(
    through_server: CI,
) -> None:
    def give_session() -> None:
        through_server.gitlab_web_session(ALICE_SESSION)

    seen = await in_thread(lambda: _shell_job_scenario(through_server, give_session))
    assert "acme/app" in seen["projects"]
    assert seen["jobs"] == ["shell-job"]
    assert seen["name"] == ("shell-job", 0)
    assert seen["failed"] == 3
    # Through a server the attach output carries the "Open terminal" button's MIME type.
    assert seen["bundle"][MIME_TYPE]["job"] == seen["job"].id
    assert "started" in seen["log"]


async def test_the_kernel_api_works_directly_against_gitlab(
    direct: CI, mock_gitlab: MockGitLab
) -> None:
    def give_session() -> None:
        with pytest.raises(WebSessionRefusedError):
            direct.gitlab_web_session("not-a-live-session")
        direct.gitlab_web_session(ALICE_SESSION)

    seen = await in_thread(lambda: _shell_job_scenario(direct, give_session))
    assert seen["projects"] == ["acme/app"]
    assert seen["name"] == ("shell-job", 0)
    assert seen["failed"] == 3
    bundle = seen["bundle"]
    # No Jupyter server holds a session, so no "Open terminal" button; the text says how to attach.
    assert MIME_TYPE not in bundle
    assert f"--gitlab {mock_gitlab.url}" in bundle["text/plain"]
    for text in (bundle["text/plain"], bundle["text/html"], repr(direct), repr(seen["job"])):
        assert not any(secret in text for secret in SECRETS)


async def test_direct_gitlab_refuses_a_job_started_by_someone_else(
    direct: CI, mock_gitlab: MockGitLab, bob: User
) -> None:
    theirs = await gitlab_api(mock_gitlab, bob, "POST", "/projects/42/pipeline", {"ref": "main"})

    def scenario() -> tuple[str, str]:
        direct.gitlab_web_session(ALICE_SESSION)
        job = direct.jobs(theirs["id"], project=PROJECT)[0]
        job.wait(until="running", timeout=60, interval=0.2, progress=False)
        with pytest.raises(NoTerminalError) as refused:
            job.run("true")
        return str(refused.value), str(job.refresh().data["terminal"]["reason"])

    message, reason = await in_thread(scenario)
    assert (
        message
        == reason
        == "Only the person who started a job can debug it; @bob started this one."
    )


def test_connect_gitlab_needs_a_url_and_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITLAB_URL", raising=False)
    monkeypatch.delenv("GITLAB_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="GITLAB_URL and GITLAB_TOKEN"):
        CI().connect_gitlab()
    with pytest.raises(ConfigError, match="its url must start with https://"):
        CI().connect_gitlab("gitlab.example.com", "glpat-x")
    with pytest.raises(ConfigError, match="must not hold a user name or password") as e:
        CI().connect_gitlab("https://me:secret@gitlab.example.com", "glpat-x")
    assert "secret" not in str(e.value)


async def test_mine_keeps_the_pipelines_you_started(
    through_server: CI, direct: CI, mock_gitlab: MockGitLab, bob: User
) -> None:
    theirs = await gitlab_api(mock_gitlab, bob, "POST", "/projects/42/pipeline", {"ref": "main"})

    def scenario(api: CI) -> tuple[set[int], set[int], int]:
        ours = api.run_pipeline("main", project=PROJECT).id
        every = {p.id for p in api.pipelines(PROJECT)}
        mine = {p.id for p in api.pipelines(PROJECT, mine=True)}
        return every, mine, ours

    for api in (through_server, direct):
        every, mine, ours = await in_thread(lambda api=api: scenario(api))
        assert {ours, theirs["id"]} <= every
        assert ours in mine
        assert theirs["id"] not in mine


async def test_inside_a_ci_job_its_job_token_is_enough(
    mock_gitlab: MockGitLab, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kernel runs in Alice's CI job: CI_SERVER_URL and that job's CI_JOB_TOKEN only."""
    pipeline = await gitlab_api(
        mock_gitlab, alice, "POST", "/projects/42/pipeline", {"ref": "main"}
    )
    jobs_path = f"/projects/42/pipelines/{pipeline['id']}/jobs"
    while (job := (await gitlab_api(mock_gitlab, alice, "GET", jobs_path))[0])[
        "status"
    ] != "running":
        await asyncio.sleep(0.2)
    mock_gitlab.job_tokens[JOB_TOKEN] = job["id"]
    for name in ("GITLAB_URL", "GITLAB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CI_SERVER_URL", mock_gitlab.url)
    monkeypatch.setenv("CI_JOB_TOKEN", JOB_TOKEN)

    def scenario() -> tuple[list[str], str, int]:
        api = CI()
        try:
            api.connect_gitlab()
            api.gitlab_web_session(ALICE_SESSION)
            result = api.job(job["id"]).run("echo $CI_JOB_NAME", timeout=30)
            return [p["name"] for p in api.projects()], result.stdout.strip(), result.exit_code
        finally:
            api.close()

    assert await in_thread(scenario) == (["acme/app"], "shell-job", 0)


async def test_magics_list_gitlab_jobs_and_ci_attach_opens_a_tab(
    through_server: CI,
    jp_serverapp: Any,
    jp_ws_fetch: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``%ci_jobs`` and ``%ci_attach`` on a GitLab job: the server tells JupyterLab to open it."""
    events: list[dict[str, Any]] = []

    async def listen(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        events.append(data)

    jp_serverapp.event_logger.add_listener(schema_id=OPEN_TERMINAL_EVENT, listener=listen)
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setattr(CIMagics, "api", through_server)
    ip = InteractiveShell.instance()
    lab_window = await jp_ws_fetch("ci-terminal", "frontends", "websocket")  # a Lab is there
    try:
        ip.run_line_magic("load_ext", "jupyter_ci_terminal.kernel.magics")

        def scenario() -> tuple[Any, Any]:
            through_server.gitlab_web_session(ALICE_SESSION)
            pipeline = through_server.run_pipeline("main", project=PROJECT)
            job = through_server.jobs(pipeline.id, project=PROJECT)[0]
            job.wait(until="running", timeout=60, interval=0.2, progress=False)
            jobs = ip.run_line_magic("ci_jobs", f"--project {PROJECT} --status running")
            attachment = ip.run_line_magic("ci_attach", f"{job.id} --project {PROJECT}")
            return jobs, attachment

        jobs, attachment = await in_thread(scenario)
    finally:
        lab_window.close()
        InteractiveShell.clear_instance()
    assert [j.name for j in jobs] == ["shell-job"]
    assert attachment.title == f"CI: shell-job #{attachment.job}"
    await asyncio.sleep(0.1)  # the event bus hands events to listeners as tasks
    assert [(e["project"], e["job"], e["name"]) for e in events] == [
        (PROJECT, attachment.job, attachment.name)
    ]
