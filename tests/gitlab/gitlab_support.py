"""What the GitLab tests share besides fixtures: the secrets, and REST clients."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from jupyter_server.auth.identity import IdentityProvider
from jupyter_server.auth.identity import User as JupyterUser
from mock_gitlab import MockGitLab, User
from tornado.httpclient import AsyncHTTPClient, HTTPRequest

ALICE_TOKEN = "glpat-AliceSecretToken-4f9c2e71"
ALICE_SESSION = "a11ce5e55104c0ffee0ddba11f00d5ec"
BOB_TOKEN = "glpat-BobSecretToken-0b0b0b0b"
BOB_SESSION = "b0b5e55104deadbeefcafe0000b0b0b0"
ALICE_OAUTH = "0a0a11ce0a0a11ce0a0a11ce0a0a11ce0a0a11ce0a0a11ce0a0a11ce0a0a11ce"
#: Carol's, on a second GitLab.
CAROL_TOKEN = "glpat-CarolSecretToken-c4r01c4r"
CAROL_SESSION = "c4r01e5e55104c4r01e5e55104c4r01e"
#: A CI_JOB_TOKEN, as GitLab puts it in a job's environment.
JOB_TOKEN = "glcbt-64_JobTokenOfAlicesJob-7a3f9c"
SECRETS = (
    ALICE_TOKEN,
    ALICE_SESSION,
    BOB_TOKEN,
    BOB_SESSION,
    ALICE_OAUTH,
    CAROL_TOKEN,
    CAROL_SESSION,
    JOB_TOKEN,
)


class CI:
    """The extension's REST API; every response body is kept for the secrets check."""

    def __init__(self, fetch: Any) -> None:
        self.fetch = fetch
        self.bodies: list[str] = []

    async def call(self, method: str, *parts: str, body: Any = None, **kw: Any) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body)
        r = await self.fetch(
            "ci-terminal", *parts, method=method, body=data, raise_error=False, **kw
        )
        text = r.body.decode()
        self.bodies.append(text)
        if r.code >= 400 or "json" in r.headers.get("Content-Type", ""):
            return r.code, json.loads(text) if text else None
        return r.code, text

    async def get(self, *parts: str, **kw: Any) -> Any:
        code, body = await self.call("GET", "api", *parts, **kw)
        assert code == 200, body
        return body

    async def post(self, *parts: str, body: Any = None) -> Any:
        code, answer = await self.call("POST", "api", *parts, body=body or {})
        assert code in (200, 201), answer
        return answer

    async def give_session(self, value: str, **kw: Any) -> tuple[int, Any]:
        body = {"backend": "gitlab", "session": value}
        return await self.call("PUT", "api", "gitlab", "session", body=body, **kw)

    async def job(self, pipeline: int, name: str, *statuses: str, timeout: float = 60) -> Any:
        """Poll a pipeline's jobs (through the extension) until ``name`` is in ``statuses``."""
        deadline = time.monotonic() + timeout
        while True:
            jobs = await self.get("projects", "gitlab-42", "pipelines", str(pipeline), "jobs")
            job = next(j for j in jobs if j["name"] == name)
            if job["status"] in statuses:
                return job
            assert time.monotonic() < deadline, f"{name} stuck in {job['status']}"
            await asyncio.sleep(0.2)

    async def running_job(self) -> Any:
        """Run a pipeline as the token's user (Alice) and wait for its job to run."""
        pipeline = await self.post("projects", "gitlab-42", "pipelines", body={"ref": "main"})
        return await self.job(pipeline["id"], "shell-job", "running")


async def gitlab_api(gl: MockGitLab, user: User, method: str, path: str, body: Any = None) -> Any:
    """Call the mock's REST API directly, as ``user`` (e.g. Bob starting his own pipeline)."""
    request = HTTPRequest(
        f"{gl.url}/api/v4{path}",
        method=method,
        headers={"PRIVATE-TOKEN": user.token, "Content-Type": "application/json"},
        body=json.dumps(body) if body is not None else None,
    )
    response = await AsyncHTTPClient().fetch(request)
    return json.loads(response.body)


async def eventually(check: Any, timeout: float = 10) -> None:
    """Wait until ``check()`` is true."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


class HeaderIdentityProvider(IdentityProvider):
    """Token auth as usual, but the Jupyter user is named by ``X-Jupyter-User`` (as a hub would)."""

    async def get_user(self, handler: Any) -> JupyterUser | None:  # type: ignore[override]
        if await super()._get_user(handler) is None:
            return None
        name = handler.request.headers.get("X-Jupyter-User", "nobody")
        return JupyterUser(username=name, name=name)
