"""Two GitLabs in one Jupyter server (``gitlab`` from GITLAB_URL, ``work`` from gitlab_instances).

Both serve a project ``acme/app`` with GitLab id 42, run by the same real local runner; Carol
is the second GitLab's user. Broken entries of ``gitlab_instances`` are skipped with one log
line each, and an instance that cannot be reached hides nothing of the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gitlab_support import ALICE_SESSION, CAROL_SESSION, CAROL_TOKEN, CI, SECRETS
from mock_gitlab import MockGitLab, MockProject, User
from termframes import read_until

DOWN_TOKEN = "glpat-DownSecretToken-d0wn"
DUPLICATE_TOKEN = "glpat-DuplicateSecretToken-dup"


@pytest.fixture
def second_gitlab(runner: dict[str, Any], jp_asyncio_loop: Any) -> Iterator[MockGitLab]:
    """Another GitLab, with a same-named project (and the same GitLab id) as the first one."""
    carol = User(1, "carol", CAROL_TOKEN, CAROL_SESSION)
    gl = MockGitLab(
        runner_url=runner["url"],
        runner_token=runner["token"],
        runner_path=f"local/{Path(runner['project_dir']).name}",
        users=[carol],
        projects=[MockProject(42, "acme/app", {"carol": 30}, runner=True)],
    )
    jp_asyncio_loop.run_until_complete(gl.start())
    yield gl
    jp_asyncio_loop.run_until_complete(gl.stop())


@pytest.fixture
def startup_log(jp_serverapp: Any, capfd: pytest.CaptureFixture[str]) -> str:
    """What the server printed while it started (its extension's logger does not propagate)."""
    out, err = capfd.readouterr()
    return out + err


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def jp_server_config(
    jp_server_config: dict[str, Any],
    second_gitlab: MockGitLab,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],  # from before the server starts: see startup_log
) -> dict[str, Any]:
    monkeypatch.setenv("WORK_GITLAB_TOKEN", CAROL_TOKEN)
    monkeypatch.setenv("DUPLICATE_GITLAB_TOKEN", DUPLICATE_TOKEN)
    monkeypatch.setenv("DOWN_GITLAB_TOKEN", DOWN_TOKEN)
    jp_server_config["CITerminalApp"].update(
        gitlab_retries=0,
        gitlab_instances=[
            {"name": "work", "url": second_gitlab.url, "token_env": "WORK_GITLAB_TOKEN"},
            {"name": "work", "url": second_gitlab.url, "token_env": "DUPLICATE_GITLAB_TOKEN"},
            {"name": "ftp", "url": "ftp://gitlab.example", "token": "x"},
            {"name": "tokenless", "url": "https://gitlab.example", "token_env": "NOT_SET_ANYWHERE"},
            {
                "name": "down",
                "url": f"http://127.0.0.1:{closed_port()}",
                "token_env": "DOWN_GITLAB_TOKEN",
            },
        ],
    )
    return jp_server_config


async def test_both_gitlabs_are_listed_and_told_apart(
    ci: CI,
    jp_serverapp: Any,
    mock_gitlab: MockGitLab,
    second_gitlab: MockGitLab,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    startup_log: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    first, second = (gl.url.split("://")[1] for gl in (mock_gitlab, second_gitlab))
    projects = await ci.get("projects")
    assert [(p["id"], p["name"], p["instance"], p["host"]) for p in projects] == [
        ("gitlab-42", "acme/app", "gitlab", first),
        ("gitlab-43", "acme/docs", "gitlab", first),
        ("work-42", "acme/app", "work", second),
    ]
    assert {p["backend"] for p in projects} == {"gitlab"}
    registry = jp_serverapp.web_app.settings["ci_terminal_registry"]
    assert [getattr(b, "name", b.kind) for b in registry.backends] == [
        "local",
        "gitlab",
        "work",
        "down",
    ]
    # The skipped entries, in one sentence each (when the server started); the unreachable one
    # when it failed, once rather than at every poll.
    await ci.get("projects")
    records = [r.getMessage() for when in ("setup", "call") for r in caplog.get_records(when)]
    out, err = capfd.readouterr()
    logged = "\n".join([*records, startup_log, out, err])
    assert "'work' (gitlab_instances) is skipped: the name is already used" in logged
    assert "'ftp' (gitlab_instances) is skipped: its url must start with https://" in logged
    assert "environment variable NOT_SET_ANYWHERE is not set" in logged
    assert "CI projects of one backend are not shown: GitLab at 127.0.0.1:" in logged
    assert logged.count("is not reachable") == 1
    for secret in (*SECRETS, DOWN_TOKEN, DUPLICATE_TOKEN):
        assert secret not in logged
        assert secret not in json.dumps(projects)


async def test_rest_and_terminals_reach_the_instance_of_the_project(
    ci: CI, jp_ws_fetch: Any, mock_gitlab: MockGitLab, second_gitlab: MockGitLab
) -> None:
    # Carol runs a pipeline on the second GitLab, through Jupyter.
    pipeline = await ci.post("projects", "work-42", "pipelines", body={"ref": "main"})
    assert ("POST", "/api/v4/projects/42/pipeline") in second_gitlab.api_calls
    assert ("POST", "/api/v4/projects/42/pipeline") not in mock_gitlab.api_calls
    assert second_gitlab.creator[f"pipeline:{pipeline['id']}"].username == "carol"
    first_calls = len(mock_gitlab.api_calls)
    job = await wait_for_running(ci, "work-42", pipeline["id"])
    assert job["user"]["username"] == "carol"
    assert job["terminal"] == {"available": True, "reason": ""}
    assert len(mock_gitlab.api_calls) == first_calls  # the first GitLab was not asked

    # Web sessions are per instance: the session call names the instance.
    code, body = await ci.call("GET", "api", "gitlab", "session")
    assert code == 400
    assert "(gitlab, work, down)" in body["message"]
    code, _ = await ci.call(
        "PUT", "api", "gitlab", "session", body={"backend": "work", "session": CAROL_SESSION}
    )
    assert code == 204
    # The first GitLab does not know Carol's session: it is checked with the right one.
    code, body = await ci.call(
        "PUT", "api", "gitlab", "session", body={"backend": "gitlab", "session": CAROL_SESSION}
    )
    assert code == 403
    assert mock_gitlab.url.split("://")[1] in body["message"]
    assert await ci.get("gitlab", "session", params={"backend": "work"}) == {"present": True}
    assert await ci.get("gitlab", "session", params={"backend": "gitlab"}) == {"present": False}

    code, session = await ci.call(
        "POST", "api", "terminals", body={"project": "work-42", "job": job["id"]}
    )
    assert code == 200, session
    assert session["runner"] == second_gitlab.url.split("://")[1]
    assert [e["status"] for e in second_gitlab.terminal_log] == [101]
    assert mock_gitlab.terminal_log == []
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", session["name"])
    await ws.read_message()
    ws.write_message(json.dumps(["stdin", "echo second-$((40+2))\r"]))
    await read_until(ws, "second-42")
    ws.close()

    # The same job through the first GitLab is not Alice's: no terminal there.
    assert (await ci.give_session(ALICE_SESSION))[0] == 204
    theirs = await ci.get("projects", "gitlab-42", "jobs", str(job["id"]))
    assert theirs["terminal"]["available"] is False
    for secret in (*SECRETS, DOWN_TOKEN, DUPLICATE_TOKEN):
        assert secret not in "\n".join(ci.bodies)


async def wait_for_running(ci: CI, project: str, pipeline: int) -> Any:
    """Poll the pipeline's jobs (through Jupyter) until its one job runs."""
    deadline = time.monotonic() + 60
    while True:
        (job,) = await ci.get("projects", project, "pipelines", str(pipeline), "jobs")
        if job["status"] == "running":
            return job
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.2)
