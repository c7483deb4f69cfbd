"""The panel's REST API over the gitlab backend, configured by GITLAB_URL + GITLAB_TOKEN only."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from gitlab_support import ALICE_OAUTH, BOB_SESSION, CI, gitlab_api
from mock_gitlab import MockGitLab, User

from jupyter_ci_terminal.backends.gitlab import GitLabBackend


async def test_projects_are_the_token_users_active_ones_with_url_safe_ids(
    ci: CI, mock_gitlab: MockGitLab
) -> None:
    projects = await ci.get("projects")
    host = mock_gitlab.url.split("://")[1]
    assert projects == [
        {
            "id": "gitlab-42",
            "name": "acme/app",
            "backend": "gitlab",
            "instance": "gitlab",
            "host": host,
            "identity": f"gitlab:{mock_gitlab.url}/acme/app",
        },
        {
            "id": "gitlab-43",
            "name": "acme/docs",
            "backend": "gitlab",
            "instance": "gitlab",
            "host": host,
            "identity": f"gitlab:{mock_gitlab.url}/acme/docs",
        },
    ]  # most recently active first; archived and foreign projects are left out
    listing = [path for method, path in mock_gitlab.api_calls if path == "/api/v4/projects"]
    assert listing


async def test_pipelines_jobs_trace_and_actions_pass_gitlab_through(
    ci: CI, mock_gitlab: MockGitLab
) -> None:
    job = await ci.running_job()
    assert job["user"]["username"] == "alice"
    assert job["web_url"] == f"{mock_gitlab.url}/acme/app/-/jobs/{job['id']}"
    assert job["stage"] == "test"
    assert job["terminal"] == {"available": True, "reason": ""}

    pipelines = await ci.get("projects", "gitlab-42", "pipelines")
    assert pipelines[0]["id"] == job["pipeline"]["id"]
    one = await ci.get("projects", "gitlab-42", "jobs", str(job["id"]))
    assert one["id"] == job["id"]
    assert one["terminal"]["available"] is True
    _, trace = await ci.call("GET", "api", "projects", "gitlab-42", "jobs", str(job["id"]), "trace")
    assert "started" in trace

    assert "terminal" in await ci.post("projects", "gitlab-42", "jobs", str(job["id"]), "cancel")
    canceled = await ci.job(job["pipeline"]["id"], "shell-job", "canceled")
    assert canceled["terminal"]["available"] is False
    assert canceled["terminal"]["reason"].startswith("The job is canceled;")
    assert "only running jobs can be debugged" in canceled["terminal"]["reason"]
    retried = await ci.post("projects", "gitlab-42", "jobs", str(job["id"]), "retry")
    assert retried["id"] != job["id"]
    assert retried["user"]["username"] == "alice"
    assert "terminal" in retried
    pipeline = str(job["pipeline"]["id"])
    every = await ci.get(
        "projects", "gitlab-42", "pipelines", pipeline, "jobs", params={"include_retried": "true"}
    )
    assert {j["id"] for j in every} == {job["id"], retried["id"]}
    assert all("terminal" in j for j in every)
    canceled_pipeline = await ci.post("projects", "gitlab-42", "pipelines", pipeline, "cancel")
    assert canceled_pipeline["id"] == job["pipeline"]["id"]


async def test_a_job_started_by_someone_else_is_not_debuggable_with_gitlabs_reason(
    ci: CI, mock_gitlab: MockGitLab, bob: User
) -> None:
    theirs = await gitlab_api(mock_gitlab, bob, "POST", "/projects/42/pipeline", {"ref": "main"})
    job = await ci.job(theirs["id"], "shell-job", "running")
    assert job["user"]["username"] == "bob"
    assert job["terminal"] == {
        "available": False,
        "reason": "Only the person who started a job can debug it; @bob started this one.",
    }


async def test_a_project_without_pipelines_and_unknown_ids(ci: CI) -> None:
    assert await ci.get("projects", "gitlab-43", "pipelines") == []
    code, body = await ci.call("GET", "api", "projects", "gitlab-999", "pipelines")
    assert code == 404
    assert body["message"] == "There is no CI project 'gitlab-999'."
    code, body = await ci.call("GET", "api", "projects", "gitlab-42", "jobs", "987654")
    assert code == 404
    assert body["message"].endswith(".")


async def test_rate_limits_and_5xx_are_retried(ci: CI, mock_gitlab: MockGitLab) -> None:
    await ci.get("projects")
    before = len(mock_gitlab.api_calls)
    mock_gitlab.fail_next = [429, 502, 503]
    assert [p["id"] for p in await ci.get("projects")] == ["gitlab-42", "gitlab-43"]
    assert len(mock_gitlab.api_calls) - before == 4
    mock_gitlab.fail_next = [500] * 10  # more than gitlab_retries (3)
    code, body = await ci.call("GET", "api", "projects", "gitlab-42", "pipelines")
    assert code == 502
    assert body["message"].startswith("GitLab at 127.0.0.1:")
    assert "answered HTTP 500" in body["message"]
    mock_gitlab.fail_next = []


class TestWrongToken:
    @pytest.fixture
    def jp_server_config(
        self, jp_server_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> dict[str, Any]:
        monkeypatch.setenv("GITLAB_TOKEN", "glpat-not-a-valid-token")
        return jp_server_config

    async def test_401_is_one_sentence(self, ci: CI) -> None:
        code, body = await ci.call("GET", "api", "projects")
        assert code == 502
        assert body["message"].endswith(
            "rejected the API token (CITerminalApp.gitlab_token or GITLAB_TOKEN): it is wrong,"
            " expired or revoked."
        )
        assert "glpat-not-a-valid-token" not in str(body)


class TestConfiguredProjects:
    @pytest.fixture
    def jp_server_config(
        self, jp_server_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> dict[str, Any]:
        monkeypatch.setenv("GITLAB_PROJECTS", "43, acme/app other/secret")
        return jp_server_config

    async def test_paths_and_ids_and_an_invisible_one_is_skipped_with_a_warning(
        self, ci: CI, caplog: pytest.LogCaptureFixture
    ) -> None:
        with caplog.at_level(logging.WARNING):
            projects = await ci.get("projects")
        assert [p["name"] for p in projects] == ["acme/docs", "acme/app"]
        assert "has no project 'other/secret' the API token's user can see" in caplog.text


class TestBesideTheLocalRunner:
    @pytest.fixture
    def ci_yaml(self) -> str:
        return "job:\n  script: [echo hi]\n"

    async def test_both_backends_show_up(self, ci: CI, jp_serverapp: Any) -> None:
        projects = await ci.get("projects")
        assert {(p["id"], p["backend"]) for p in projects} == {
            ("local", "local"),
            ("gitlab-42", "gitlab"),
            ("gitlab-43", "gitlab"),
        }
        registry = jp_serverapp.web_app.settings["ci_terminal_registry"]
        assert [type(b) for b in registry.backends][-1] is GitLabBackend


class TestIncompleteConfiguration:
    @pytest.fixture
    def jp_server_config(
        self, jp_server_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> dict[str, Any]:
        monkeypatch.delenv("GITLAB_TOKEN")
        return jp_server_config

    async def test_a_url_without_token_shows_nothing(self, ci: CI, jp_serverapp: Any) -> None:
        assert await ci.get("projects") == []
        registry = jp_serverapp.web_app.settings["ci_terminal_registry"]
        assert not any(isinstance(b, GitLabBackend) for b in registry.backends)
        code, body = await ci.call("GET", "api", "gitlab", "session")
        assert code == 404
        assert "GITLAB_URL" in body["message"]


async def test_mine_is_gitlabs_username_filter_for_whoever_terminals_open_as(
    ci: CI, mock_gitlab: MockGitLab, bob: User
) -> None:
    alices = (await ci.running_job())["pipeline"]["id"]
    bobs = (await gitlab_api(mock_gitlab, bob, "POST", "/projects/42/pipeline", {"ref": "main"}))[
        "id"
    ]
    every = [p["id"] for p in await ci.get("projects", "gitlab-42", "pipelines")]
    assert {alices, bobs} <= set(every)

    def ids(pipelines: list[dict[str, Any]]) -> set[int]:
        return {p["id"] for p in pipelines}

    mine = await ci.get("projects", "gitlab-42", "pipelines", params={"scope": "mine"})
    assert alices in ids(mine)  # the API token's user
    assert bobs not in ids(mine)
    # With Bob's web session given, terminals open as Bob, and "mine" are Bob's.
    assert (await ci.give_session(BOB_SESSION))[0] == 204
    mine = await ci.get("projects", "gitlab-42", "pipelines", params={"scope": "mine"})
    assert ids(mine) == {bobs}
    assert await ci.get("projects", "gitlab-43", "pipelines", params={"scope": "mine"}) == []
    code, body = await ci.call(
        "GET", "api", "projects", "gitlab-42", "pipelines", params={"scope": "theirs"}
    )
    assert code == 400
    assert body["message"] == "Unknown pipeline scope 'theirs'; use mine or all."


class TestOAuthToken:
    """An OAuth access token goes as ``Authorization: Bearer`` (PRIVATE-TOKEN would be refused)."""

    @pytest.fixture
    def jp_server_config(
        self, jp_server_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> dict[str, Any]:
        monkeypatch.setenv("GITLAB_TOKEN", ALICE_OAUTH)
        jp_server_config["CITerminalApp"]["gitlab_token_type"] = "oauth"
        return jp_server_config

    async def test_projects_and_mine_with_an_oauth_token(
        self, ci: CI, mock_gitlab: MockGitLab
    ) -> None:
        assert [p["id"] for p in await ci.get("projects")] == ["gitlab-42", "gitlab-43"]
        assert await ci.get("projects", "gitlab-43", "pipelines", params={"scope": "mine"}) == []
        assert {how for how, _ in mock_gitlab.auth_log} == {"bearer"}
        assert ("GET", "/api/v4/user") in mock_gitlab.api_calls
        assert ALICE_OAUTH not in "\n".join(ci.bodies)


class TestWrongOAuthToken:
    @pytest.fixture
    def jp_server_config(
        self, jp_server_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> dict[str, Any]:
        monkeypatch.setenv("GITLAB_TOKEN", "not-an-oauth-token")
        jp_server_config["CITerminalApp"]["gitlab_token_type"] = "oauth"
        return jp_server_config

    async def test_401_names_the_oauth_token(self, ci: CI) -> None:
        code, body = await ci.call("GET", "api", "projects")
        assert code == 502
        assert "rejected the OAuth token" in body["message"]
        assert "not-an-oauth-token" not in str(body)
