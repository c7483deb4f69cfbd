"""A Jupyter server whose only configuration is ``GITLAB_URL`` + ``GITLAB_TOKEN``, against the mock.

The mock GitLab (in-process) runs project ``acme/app`` on a real local runner (a subprocess,
found through its runtime file). Alice owns the API token; Bob is another Developer.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gitlab_support import ALICE_OAUTH, ALICE_SESSION, ALICE_TOKEN, BOB_SESSION, BOB_TOKEN, CI
from mock_gitlab import MockGitLab, MockProject, User

from jupyter_ci_terminal.runner.runtime import find_runners, wait_for_runtime_file
from jupyter_ci_terminal.runner.terminals.tls import Certificate

CI_YAML = """
stages: [test]
shell-job:
  stage: test
  script:
    - echo started
    - sleep 300
"""


@pytest.fixture
def runner(jp_environ: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A real local runner serving ``app/``; its runtime info."""
    project = tmp_path / "app"
    project.mkdir()
    (project / ".gitlab-ci.yml").write_text(CI_YAML)
    log = (tmp_path / "runner.log").open("wb")
    argv = [sys.executable, "-m", "jupyter_ci_terminal.runner", "serve", "--project", str(project)]
    proc = subprocess.Popen(
        [*argv, "--port", "0", "--session-timeout", "5"], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        info = wait_for_runtime_file(proc.pid, timeout=30)
        assert any(r["pid"] == proc.pid for r in find_runners())
        yield info
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def alice() -> User:
    return User(1, "alice", ALICE_TOKEN, ALICE_SESSION, oauth=ALICE_OAUTH)


@pytest.fixture
def bob() -> User:
    return User(2, "bob", BOB_TOKEN, BOB_SESSION)


@pytest.fixture
def gitlab_tls() -> Certificate | None:
    """The mock's TLS certificate; None: plain HTTP (override to test CA bundles)."""
    return None


@pytest.fixture
def mock_gitlab(
    runner: dict[str, Any],
    alice: User,
    bob: User,
    jp_asyncio_loop: Any,
    gitlab_tls: Certificate | None,
) -> Iterator[MockGitLab]:
    """The mock GitLab on a free loopback port."""
    team = {"alice": 30, "bob": 30}
    gl = MockGitLab(
        runner_url=runner["url"],
        runner_token=runner["token"],
        runner_path=f"local/{Path(runner['project_dir']).name}",
        users=[alice, bob],
        projects=[
            MockProject(42, "acme/app", team, runner=True, activity="2026-08-03T10:00:00.000Z"),
            MockProject(43, "acme/docs", {"alice": 30}, activity="2026-08-02T10:00:00.000Z"),
            MockProject(44, "acme/attic", {"alice": 30}, archived=True),
            MockProject(45, "other/secret", {"bob": 40}),
        ],
    )
    ssl_options = gitlab_tls.server_context() if gitlab_tls else None
    jp_asyncio_loop.run_until_complete(gl.start(ssl_options))
    yield gl
    jp_asyncio_loop.run_until_complete(gl.stop())


@pytest.fixture
def ci_yaml() -> str:
    """The Jupyter root's .gitlab-ci.yml; empty: none (no local project)."""
    return ""


@pytest.fixture
def jp_server_config(
    mock_gitlab: MockGitLab,
    gitlab_tls: Certificate | None,
    monkeypatch: pytest.MonkeyPatch,
    jp_root_dir: Path,
    tmp_path: Path,
    ci_yaml: str,
) -> dict[str, Any]:
    """Only the two environment variables point the extension at GitLab."""
    monkeypatch.setenv("GITLAB_URL", mock_gitlab.url)
    monkeypatch.setenv("GITLAB_TOKEN", ALICE_TOKEN)
    monkeypatch.delenv("GITLAB_PROJECTS", raising=False)
    monkeypatch.delenv("GITLAB_CA_BUNDLE", raising=False)
    if gitlab_tls is not None:
        bundle = tmp_path / "gitlab-ca.pem"
        bundle.write_text(gitlab_tls.cert_pem)
        monkeypatch.setenv("GITLAB_CA_BUNDLE", str(bundle))
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
        },
    }


@pytest.fixture
def ci(jp_fetch: Any) -> CI:
    return CI(jp_fetch)
