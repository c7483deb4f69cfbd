"""Jupyter inside a GitLab CI job: CI_SERVER_URL + CI_JOB_TOKEN alone configure the gitlab backend.

Alice's pipeline runs ``shell-job``; its job token is what the server has. It reads the job's own
project, pipelines and jobs (what GitLab opens to job tokens) and acts as Alice; everything else
gets a sentence saying why, and the token never leaves the server.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from gitlab_support import ALICE_SESSION, CI, JOB_TOKEN, SECRETS, gitlab_api
from mock_gitlab import MockGitLab, User
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest


@pytest.fixture
def jp_server_config(
    jp_server_config: dict[str, Any], mock_gitlab: MockGitLab, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """What a GitLab CI job's environment holds, and no GITLAB_* at all."""
    for name in ("GITLAB_URL", "GITLAB_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("CI_SERVER_URL", mock_gitlab.url)
    monkeypatch.setenv("CI_JOB_TOKEN", JOB_TOKEN)
    return jp_server_config


async def start_as(gl: MockGitLab, user: User) -> dict[str, Any]:
    """Start a pipeline as ``user`` (with their own token) and wait until its job runs."""
    pipeline = await gitlab_api(gl, user, "POST", "/projects/42/pipeline", {"ref": "main"})
    deadline = time.monotonic() + 60
    while True:
        path = f"/projects/42/pipelines/{pipeline['id']}/jobs"
        (job,) = await gitlab_api(gl, user, "GET", path)
        if job["status"] == "running":
            return dict(job)
        assert time.monotonic() < deadline, job
        await asyncio.sleep(0.2)


async def end(gl: MockGitLab, user: User, job: dict[str, Any]) -> None:
    """Cancel the job and wait until it no longer runs."""
    await gitlab_api(gl, user, "POST", f"/projects/42/jobs/{job['id']}/cancel", {})
    deadline = time.monotonic() + 30
    while (await gitlab_api(gl, user, "GET", f"/projects/42/jobs/{job['id']}"))["status"] in (
        "running",
        "canceling",
    ):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)


async def with_job_token(gl: MockGitLab, path: str, token: str = JOB_TOKEN) -> int:
    """The status of the mock's answer to a GET with a job token (or, given, a private one)."""
    header = "JOB-TOKEN" if token == JOB_TOKEN else "PRIVATE-TOKEN"
    request = HTTPRequest(f"{gl.url}/api/v4{path}", headers={header: token})
    try:
        return (await AsyncHTTPClient().fetch(request)).code
    except HTTPClientError as e:
        return e.code


async def test_the_mock_opens_to_job_tokens_what_gitlab_does(
    mock_gitlab: MockGitLab, alice: User
) -> None:
    job = await start_as(mock_gitlab, alice)
    assert await with_job_token(mock_gitlab, "/job") == 401  # not a token of any job yet
    mock_gitlab.job_tokens[JOB_TOKEN] = job["id"]
    assert await with_job_token(mock_gitlab, "/job") == 200
    assert await with_job_token(mock_gitlab, "/projects/42/pipelines") == 200
    assert (
        await with_job_token(mock_gitlab, f"/projects/42/pipelines/{job['pipeline']['id']}/jobs")
        == 200
    )
    assert await with_job_token(mock_gitlab, "/projects/42/jobs") == 200
    for closed in ("/user", "/projects", "/projects/42", f"/projects/42/jobs/{job['id']}"):
        assert await with_job_token(mock_gitlab, closed) == 401, closed
    assert await with_job_token(mock_gitlab, f"/projects/42/jobs/{job['id']}/trace") == 401
    assert await with_job_token(mock_gitlab, "/projects/43/pipelines") == 404  # not its project
    assert await with_job_token(mock_gitlab, "/job", alice.token) == 404  # not a job token
    await end(mock_gitlab, alice, job)
    assert await with_job_token(mock_gitlab, "/job") == 401  # revoked when the job ends


async def test_a_ci_job_token_shows_its_project_and_acts_as_the_jobs_user(
    ci: CI,
    jp_serverapp: Any,
    mock_gitlab: MockGitLab,
    alice: User,
    bob: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job = await start_as(mock_gitlab, alice)
    mock_gitlab.job_tokens[JOB_TOKEN] = job["id"]
    theirs = await start_as(mock_gitlab, bob)
    mock_gitlab.auth_log.clear()  # from here on, only the Jupyter server calls GitLab
    backend = jp_serverapp.web_app.settings["ci_terminal_registry"].backends[-1]
    assert (backend.name, backend.url, backend.auth) == ("gitlab", mock_gitlab.url, "job")

    host = mock_gitlab.url.split("://")[1]
    assert await ci.get("projects") == [
        {
            "id": "gitlab-42",
            "name": "acme/app",
            "backend": "gitlab",
            "instance": "gitlab",
            "host": host,
            "identity": f"gitlab:{mock_gitlab.url}/acme/app",
        }
    ]
    every = await ci.get("projects", "gitlab-42", "pipelines")
    mine = await ci.get("projects", "gitlab-42", "pipelines", params={"scope": "mine"})
    assert {job["pipeline"]["id"], theirs["pipeline"]["id"]} <= {p["id"] for p in every}
    assert job["pipeline"]["id"] in {p["id"] for p in mine}
    assert theirs["pipeline"]["id"] not in {p["id"] for p in mine}  # Bob's

    (listed,) = await ci.get(
        "projects", "gitlab-42", "pipelines", str(job["pipeline"]["id"]), "jobs"
    )
    assert listed["terminal"] == {
        "available": True,
        "reason": "",
    }  # the job token's user started it
    one = await ci.get("projects", "gitlab-42", "jobs", str(job["id"]))  # through the job list
    assert one["id"] == job["id"]
    assert ("GET", f"/api/v4/projects/42/jobs/{job['id']}") not in mock_gitlab.api_calls
    assert ("GET", "/api/v4/user") not in mock_gitlab.api_calls
    assert {how for how, _ in mock_gitlab.auth_log} == {"job"}

    # What a job token cannot do is one sentence.
    code, body = await ci.call(
        "GET", "api", "projects", "gitlab-42", "jobs", str(job["id"]), "trace"
    )
    assert code == 502
    assert "refused the CI job token: a job token works only while its job runs" in body["message"]
    code, body = await ci.call("POST", "api", "projects", "gitlab-42", "pipelines", body={})
    assert code == 502
    assert "no logs, actions or new pipelines" in body["message"]

    # Debug still works: the terminal is the web session's business, not the token's.
    assert (await ci.give_session(ALICE_SESSION))[0] == 204
    code, session = await ci.call(
        "POST", "api", "terminals", body={"project": "gitlab-42", "job": job["id"]}
    )
    assert code == 200, session
    await ci.call("DELETE", "api", "terminals", session["name"])

    # The job ends: its token is revoked, and the sentence says so.
    await end(mock_gitlab, alice, job)
    code, body = await ci.call("GET", "api", "projects", "gitlab-42", "pipelines")
    assert code == 502
    assert "works only while its job runs" in body["message"]
    for secret in SECRETS:
        assert secret not in "\n".join(ci.bodies)
        assert secret not in caplog.text


class TestJobTokenWithConfiguredProjects:
    @pytest.fixture
    def jp_server_config(
        self, jp_server_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> dict[str, Any]:
        monkeypatch.setenv("GITLAB_PROJECTS", "acme/docs")
        return jp_server_config

    async def test_only_the_jobs_project_with_a_warning(
        self, ci: CI, mock_gitlab: MockGitLab, alice: User, caplog: pytest.LogCaptureFixture
    ) -> None:
        job = await start_as(mock_gitlab, alice)
        mock_gitlab.job_tokens[JOB_TOKEN] = job["id"]
        assert [p["name"] for p in await ci.get("projects")] == ["acme/app"]
        assert "a CI job token reads only its own job's project (acme/app)" in caplog.text


class TestOutsideItsGitLab:
    """GITLAB_URL names another GitLab: the job token is not sent there."""

    @pytest.fixture
    def jp_server_config(
        self, jp_server_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> dict[str, Any]:
        monkeypatch.setenv("GITLAB_URL", "https://gitlab.elsewhere.example")
        return jp_server_config

    async def test_no_gitlab_without_a_token(self, ci: CI, jp_serverapp: Any) -> None:
        assert await ci.get("projects") == []
        registry = jp_serverapp.web_app.settings["ci_terminal_registry"]
        assert [b.kind for b in registry.backends] == ["local"]
