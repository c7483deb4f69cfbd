"""A GitLab stand-in: the REST v4 routes the gitlab backend uses, and Workhorse's ``terminal.ws``.

In-process (tornado, a free loopback port). Project ``acme/app`` (id 42) runs on a real local
runner: its pipelines, jobs, traces and actions are the runner's, re-labelled as GitLab would
show them (project id, ``user`` = whoever created the pipeline or retried/played the job).

REST: ``PRIVATE-TOKEN`` (personal access tokens) and ``Authorization: Bearer`` (those, or OAuth
tokens) auth, 401 without; a ``_gitlab_session`` cookie authenticates GET requests too, as GitLab's
API does. Projects a user is not a member of are 404; writes need Developer (30). ``fail_next``
makes the next REST answers 429/5xx, to exercise retries.

CI job tokens (``JOB-TOKEN`` header or ``job_token`` query; ``job_tokens`` maps each to its job)
work as GitLab's do: only on the routes GitLab opens to them (``route_setting :authentication,
job_token_allowed: true`` in GitLab's ``lib/api/ci/jobs.rb`` and ``pipelines.rb``: ``GET /job``,
the pipeline and job lists), only while their job runs, and only on their job's project (404
elsewhere, as GitLab's allowlist answers). Anywhere else the token counts for nothing, and the
mock answers such anonymous calls 401 (GitLab: 401, or 404 on a private project's GET routes).
The token acts as the user who started the job.

``GET /projects/:id/pipelines`` honours ``username`` as GitLab's ``PipelinesFinder`` does: the
pipelines that user started, paginated after filtering; an unknown user has none.

The terminal side, ``/<ns>/<proj>/-/jobs/<id>/terminal.ws``, is :mod:`mock_workhorse`.
"""

from __future__ import annotations

import json
import re
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from mock_workhorse import Workhorse
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets


@dataclass
class User:
    id: int
    username: str
    token: str
    session: str
    oauth: str = ""  # an OAuth access token (Authorization: Bearer only)

    def to_json(self, base: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "name": self.username.title(),
            "state": "active",
            "avatar_url": None,
            "web_url": f"{base}/{self.username}",
        }


@dataclass
class MockProject:
    id: int
    path: str
    members: dict[str, int]  # username → access level (30 Developer, 20 Reporter)
    runner: bool = False  # backed by the local runner
    archived: bool = False
    activity: str = "2026-08-01T10:00:00.000Z"

    def to_json(self, base: str) -> dict[str, Any]:
        ns, name = self.path.rsplit("/", 1)
        return {
            "id": self.id,
            "name": name,
            "path": name,
            "path_with_namespace": self.path,
            "name_with_namespace": f"{ns} / {name}",
            "namespace": {"id": 7, "name": ns, "path": ns, "kind": "group", "full_path": ns},
            "web_url": f"{base}/{self.path}",
            "default_branch": "main",
            "archived": self.archived,
            "jobs_enabled": True,
            "builds_access_level": "enabled",
            "last_activity_at": self.activity,
            "visibility": "private",
        }


@dataclass
class MockGitLab:
    """The state the handlers share; tests read and steer it."""

    runner_url: str
    runner_token: str
    runner_path: str  # the runner's path_with_namespace, e.g. local/app
    users: list[User]
    projects: list[MockProject]
    url: str = ""
    fail_next: list[int] = field(default_factory=list)
    api_calls: list[tuple[str, str]] = field(default_factory=list)
    terminal_log: list[dict[str, Any]] = field(default_factory=list)
    creator: dict[str, User] = field(default_factory=dict)  # "pipeline:<id>" / "job:<id>" → user
    job_tokens: dict[str, int] = field(default_factory=dict)  # CI_JOB_TOKEN → its job's id
    auth_log: list[tuple[str, str]] = field(default_factory=list)  # (how, path) per REST call
    server: HTTPServer | None = None

    def user_by(self, *, token: str = "", session: str = "", oauth: str = "") -> User | None:
        for user in self.users:
            if (
                (token and user.token == token)
                or (session and user.session == session)
                or (oauth and user.oauth == oauth)
            ):
                return user
        return None

    def project(self, ref: str, user: User) -> MockProject | None:
        ref = unquote(ref)
        for p in self.projects:
            if ref in (str(p.id), p.path) and user.username in p.members:
                return p
        return None

    def job_user(self, job: dict[str, Any]) -> User | None:
        return self.creator.get(f"job:{job['id']}") or self.creator.get(
            f"pipeline:{job['pipeline']['id']}"
        )

    async def runner(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call the local runner's API (project 1) with its token."""
        request = HTTPRequest(
            f"{self.runner_url}api/v4/projects/1{path}",
            method=method,
            headers={"PRIVATE-TOKEN": self.runner_token, "Content-Type": "application/json"},
            body=json.dumps(body or {}) if method == "POST" else None,
        )
        try:
            response = await AsyncHTTPClient().fetch(request)
        except HTTPClientError as e:
            return e.code, None
        text = response.body.decode()
        ctype = response.headers.get("Content-Type", "")
        return response.code, json.loads(text) if "json" in ctype else text

    def relabel(self, item: dict[str, Any], project: MockProject) -> dict[str, Any]:
        """Show a runner pipeline or job as GitLab would for ``project``."""
        text = json.dumps(item).replace(
            f"{self.runner_url}{self.runner_path}", f"{self.url}/{project.path}"
        )
        item = json.loads(text.replace(f"/{self.runner_path}/", f"/{project.path}/"))
        item["project_id"] = project.id
        if "pipeline" in item:  # a job
            item["pipeline"]["project_id"] = project.id
            user = self.job_user(item)
        else:
            user = self.creator.get(f"pipeline:{item['id']}")
        if "user" in item:
            item["user"] = user.to_json(self.url) if user else None
        return item

    async def start(self, ssl_options: ssl.SSLContext | None = None) -> None:
        sockets = bind_sockets(0, "127.0.0.1")
        scheme = "https" if ssl_options else "http"
        self.url = f"{scheme}://127.0.0.1:{sockets[0].getsockname()[1]}"
        args = {"gl": self}
        p = r"/api/v4/projects/([^/]+)"
        app = web.Application(
            [
                (r"/api/v4/user", UserApi, args),
                (r"/api/v4/job", JobApi, args),
                (r"/api/v4/projects", ProjectsApi, args),
                (p, ProjectsApi, args),
                (p + r"/pipeline", CreatePipelineApi, args),
                (
                    p + r"/(pipelines|pipelines/\d+/jobs|jobs|jobs/\d+|jobs/\d+/trace)",
                    ReadApi,
                    args,
                ),
                (p + r"/jobs/(\d+)/(retry|cancel|play)", JobActionApi, args),
                (p + r"/pipelines/(\d+)/(retry|cancel)", PipelineActionApi, args),
                (r"/users/sign_in", SignIn),
                (r"/(.+)/-/jobs/(\d+)/terminal\.ws", Workhorse, args),
            ]
        )
        self.server = HTTPServer(app, ssl_options=ssl_options)
        self.server.add_sockets(sockets)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            await self.server.close_all_connections()


#: The GET routes GitLab lets a CI job token use, of those the mock serves.
JOB_TOKEN_ROUTES = re.compile(
    r"/api/v4/(job|projects/[^/]+/(pipelines|pipelines/\d+|pipelines/\d+/jobs|jobs))"
)


class Api(web.RequestHandler):
    """GitLab's API conventions: auth first, JSON bodies, ``{"message": ...}`` errors."""

    def initialize(self, gl: MockGitLab) -> None:
        self.gl = gl
        self.user: User | None = None
        self.job: dict[str, Any] | None = None  # the CI job token's job, when it authenticated

    async def prepare(self) -> None:
        self.gl.api_calls.append((self.request.method or "", self.request.path))
        if self.gl.fail_next:
            status = self.gl.fail_next.pop(0)
            if status == 429:
                self.set_header("Retry-After", "0")
            self.reply({"message": f"{status} injected"}, status)
            return
        headers = self.request.headers
        bearer = headers.get("Authorization", "")
        bearer = bearer[7:] if bearer.startswith("Bearer ") else ""
        job_token = headers.get("JOB-TOKEN", "") or self.get_query_argument("job_token", "")
        how = "none"
        if headers.get("PRIVATE-TOKEN"):
            how, self.user = "private", self.gl.user_by(token=headers["PRIVATE-TOKEN"])
        elif bearer:
            how = "bearer"
            self.user = self.gl.user_by(token=bearer) or self.gl.user_by(oauth=bearer)
        elif job_token:
            how = "job"
            await self.job_token_user(job_token)
        if self.user is None and self.request.method == "GET":
            self.user = self.gl.user_by(session=self.get_cookie("_gitlab_session", ""))
            how = "cookie" if self.user is not None else how
        self.gl.auth_log.append((how, self.request.path))
        if self.user is None:
            self.reply({"message": "401 Unauthorized"}, 401)

    async def job_token_user(self, token: str) -> None:
        """Authenticate a CI job token where GitLab would; elsewhere it counts for nothing."""
        allowed = self.request.method == "GET" and JOB_TOKEN_ROUTES.fullmatch(self.request.path)
        job_id = self.gl.job_tokens.get(token)
        if not allowed or job_id is None:
            return
        status, job = await self.gl.runner("GET", f"/jobs/{job_id}")
        if status != 200 or job["status"] != "running":  # revoked when the job ends
            return
        self.job, self.user = job, self.gl.job_user(job)

    def reply(self, body: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def project(self, ref: str, level: int = 20) -> MockProject:
        assert self.user is not None
        project = self.gl.project(ref, self.user)
        if self.job is not None and project is not None and not project.runner:
            project = None  # a job token reaches its own job's project only (the allowlist)
        if project is None:
            self.reply({"message": "404 Project Not Found"}, 404)
            raise web.Finish
        if project.members[self.user.username] < level:
            self.reply({"message": "403 Forbidden"}, 403)
            raise web.Finish
        return project


class UserApi(Api):
    def get(self) -> None:
        assert self.user is not None
        self.reply(self.user.to_json(self.gl.url))


class JobApi(Api):
    """``GET /job``: the CI job token's own job; any other credential gets 404, as on GitLab."""

    def get(self) -> None:
        if self.job is None:
            self.reply({"message": "404 Job Not Found"}, 404)
            return
        project = next(p for p in self.gl.projects if p.runner)
        self.reply(self.gl.relabel(self.job, project))


class ProjectsApi(Api):
    def get(self, ref: str | None = None) -> None:
        assert self.user is not None
        if ref is not None:
            self.reply(self.project(ref).to_json(self.gl.url))
            return
        rows = [p for p in self.gl.projects if self.user.username in p.members]
        if self.get_query_argument("archived", "") == "false":
            rows = [p for p in rows if not p.archived]
        rows.sort(key=lambda p: p.activity, reverse=True)
        per_page = int(self.get_query_argument("per_page", "20"))
        self.reply([p.to_json(self.gl.url) for p in rows[:per_page]])


class CreatePipelineApi(Api):
    async def post(self, ref: str) -> None:
        assert self.user is not None
        project = self.project(ref, 30)
        if not project.runner:
            self.reply({"message": {"base": ["Missing CI config file"]}}, 400)
            return
        body = json.loads(self.request.body or b"{}")
        status, pipeline = await self.gl.runner("POST", "/pipeline", {"ref": body.get("ref")})
        self.gl.creator[f"pipeline:{pipeline['id']}"] = self.user
        self.reply(self.gl.relabel(pipeline, project), status)


class ReadApi(Api):
    async def get(self, ref: str, rest: str) -> None:
        project = self.project(ref)
        if not project.runner:
            self.reply(
                [] if rest in ("pipelines", "jobs") else {"message": "404 Not found"},
                200 if rest in ("pipelines", "jobs") else 404,
            )
            return
        if rest == "pipelines" and self.get_query_argument("username", ""):
            await self.pipelines_of(project, self.get_query_argument("username"))
            return
        status, body = await self.gl.runner("GET", f"/{rest}?{self.request.query}")
        if status != 200:
            self.reply({"message": f"{status} Not found"}, status)
        elif isinstance(body, str):
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(body)
        elif isinstance(body, list):
            self.reply([self.gl.relabel(item, project) for item in body])
        else:
            self.reply(self.gl.relabel(body, project))

    async def pipelines_of(self, project: MockProject, username: str) -> None:
        """GitLab's ``username`` filter: the pipelines that user started, then the page."""
        query = dict(parse_qsl(self.request.query))
        per_page = int(query.pop("per_page", "20"))
        page = int(query.pop("page", "1"))
        query.pop("username")
        status, body = await self.gl.runner("GET", f"/pipelines?{urlencode(query)}&per_page=100")
        assert status == 200, body
        user = next((u for u in self.gl.users if u.username == username), None)
        mine = [
            p
            for p in body
            if user is not None and self.gl.creator.get(f"pipeline:{p['id']}") is user
        ]
        start = (page - 1) * per_page
        self.reply([self.gl.relabel(p, project) for p in mine[start : start + per_page]])


class JobActionApi(Api):
    async def post(self, ref: str, job_id: str, action: str) -> None:
        assert self.user is not None
        project = self.project(ref, 30)
        status, job = await self.gl.runner("POST", f"/jobs/{job_id}/{action}")
        if job is None:
            self.reply({"message": f"{status} Job Not Found"}, status)
            return
        if action != "cancel":  # GitLab: the retried or played job is the actor's
            self.gl.creator[f"job:{job['id']}"] = self.user
        self.reply(self.gl.relabel(job, project), status)


class PipelineActionApi(Api):
    async def post(self, ref: str, pipeline_id: str, action: str) -> None:
        project = self.project(ref, 30)
        status, pipeline = await self.gl.runner("POST", f"/pipelines/{pipeline_id}/{action}")
        if pipeline is None:
            self.reply({"message": f"{status} Not found"}, status)
            return
        self.reply(self.gl.relabel(pipeline, project), status)


class SignIn(web.RequestHandler):
    def get(self) -> None:
        self.finish("<html><body>Sign in</body></html>")
