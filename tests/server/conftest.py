"""A real Jupyter server with the extension, whose root folder holds a CI project.

The extension starts the real local runner (a subprocess) for that folder on first use and
stops it when the server stops; JUPYTER_RUNTIME_DIR is per test, so runners never mix.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serverprocess import kill_all, runner_pids

CI_YAML = """
stages: [test]
shell-job:
  stage: test
  variables:
    GREETING: hello from the job
  script:
    - echo started
    - sleep 300
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A CI project folder for a server process of its own; any runner serving it is killed
    after the test."""
    root = (tmp_path / "project").resolve()
    root.mkdir()
    (root / ".gitlab-ci.yml").write_text(CI_YAML)
    yield root
    kill_all(runner_pids(root))


@pytest.fixture
def ci_yaml() -> str:
    """The project's .gitlab-ci.yml (override for other pipelines; empty: no file)."""
    return CI_YAML


@pytest.fixture
def jp_server_config(jp_root_dir: Path, tmp_path: Path, ci_yaml: str) -> dict[str, Any]:
    """Enable the extension, with authentication required everywhere."""
    if ci_yaml:
        (jp_root_dir / ".gitlab-ci.yml").write_text(ci_yaml)
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_ci_terminal": True},
            "allow_unauthenticated_access": False,
        },
        "CITerminalApp": {
            "recordings_dir": str(tmp_path / "recordings"),
            "audit_log": str(tmp_path / "audit.jsonl"),
            "runner_session_timeout": 30,
        },
    }


class CIClient:
    """REST helpers over jp_fetch."""

    def __init__(self, fetch: Any) -> None:
        self.fetch = fetch

    async def get(self, *parts: str) -> Any:
        r = await self.fetch("ci-terminal", "api", *parts)
        return json.loads(r.body)

    async def post(self, *parts: str, body: dict[str, Any] | None = None) -> Any:
        r = await self.fetch(
            "ci-terminal", "api", *parts, method="POST", body=json.dumps(body or {})
        )
        return json.loads(r.body)

    async def running_job(self, name: str, timeout: float = 60) -> dict[str, Any]:
        """Start a pipeline and wait until job ``name`` runs."""
        pipeline = await self.post("projects", "local", "pipelines")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = await self.get("projects", "local", "pipelines", str(pipeline["id"]), "jobs")
            job = next(j for j in jobs if j["name"] == name)
            if job["status"] == "running":
                return dict(job)
            assert job["status"] in ("created", "pending"), job
            await asyncio.sleep(0.2)
        raise AssertionError(f"job {name} did not start running within {timeout} s")


async def login_cookie(jp_fetch: Any) -> str:
    """The login cookie Jupyter sets for a token-authenticated request (for cookie-auth tests)."""
    r = await jp_fetch("api", "status")
    cookies = [
        c.split(";")[0] for c in r.headers.get_list("Set-Cookie") if c.startswith("username")
    ]
    assert cookies, "token auth should set the login cookie"
    return cookies[0]


@pytest.fixture
def ci(jp_fetch: Any) -> CIClient:
    """REST client of the extension."""
    return CIClient(jp_fetch)


@pytest.fixture
def jp_ws_fetch(jp_ws_fetch: Any) -> Any:
    """pytest-jupyter's websocket client, with every socket closed after the test."""
    opened: list[Any] = []

    async def fetch(*parts: str, **kwargs: Any) -> Any:
        ws = await jp_ws_fetch(*parts, **kwargs)
        opened.append(ws)
        return ws

    yield fetch
    for ws in opened:
        ws.close()
