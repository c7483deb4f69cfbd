"""The extension's CI backends, built from its settings: the embedded local runner (its command
line and environment) and one GitLab backend per instance."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backends.gitlab import GitLabBackend
from ..backends.gitlab_config import InstanceSettings, instances, single_instance
from ..backends.local import LocalBackend

if TYPE_CHECKING:
    from .app import CITerminalApp
    from .redact import Redactor


def local_backend(app: CITerminalApp) -> LocalBackend:
    """The embedded runner's backend for ``project_dir`` (default: the server's root folder)."""
    assert app.serverapp is not None
    root = Path(app.project_dir or app.serverapp.root_dir).expanduser()
    if app.runner_agent_variables and not app.agent_token:
        app.log.warning(
            "CITerminalApp.runner_agent_variables is set but agent_token is not: the "
            "embedded runner's jobs get no agent variables."
        )
    return LocalBackend(
        root,
        start=app.embedded_runner,
        runner_args=_runner_args(app, app.serverapp),
        runner_env=_runner_env(app, app.serverapp),
        startup_timeout=app.runner_startup_timeout,
    )


def _runner_args(app: CITerminalApp, serverapp: Any) -> Callable[[], list[str]]:
    args = [
        f"--session-timeout={app.runner_session_timeout}",
        f"--concurrent={app.runner_concurrent}",
    ]
    if app.start_pipeline:
        args.append("--run-pipeline")
    if not app.runner_session_server:
        args.append("--no-session-server")
    args += [f"--mask={name}" for name in app.runner_masked_variables]

    def runner_args() -> list[str]:
        # CI_JOB_URL then opens the job's log here (the runner has no web pages); asked at
        # start, since the server's port is known only once it listens.
        return [*args, f"--ServeApp.web_url={serverapp.connection_url}"]

    return runner_args


def _runner_env(app: CITerminalApp, serverapp: Any) -> Callable[[], dict[str, str]]:
    def runner_env() -> dict[str, str]:
        # The environment, not the command line: a token there would be in every `ps`.
        if not (app.runner_agent_variables and app.agent_token):
            return {}
        return {
            "JUPYTER_CI_TERMINAL_URL": serverapp.connection_url,
            "JUPYTER_CI_TERMINAL_TOKEN": app.agent_token,
        }

    return runner_env


def gitlab_backends(app: CITerminalApp, redactor: Redactor | None) -> list[GitLabBackend]:
    """One backend per GitLab instance configured; a bad entry is skipped with one log line."""
    single, problem = single_instance(
        app.gitlab_url,
        app.gitlab_token,
        app.gitlab_token_type,
        app.gitlab_projects,
        app.gitlab_ca_bundle,
    )
    found, problems = instances(single, app.gitlab_instances, os.environ)
    if redactor is not None:
        redactor.add(settings.token for settings in found)
    for sentence in [problem, *problems]:
        if sentence:
            app.log.warning("%s", sentence)
    return [_gitlab(app, settings) for settings in found]


def _gitlab(app: CITerminalApp, settings: InstanceSettings) -> GitLabBackend:
    assert app.serverapp is not None
    per_user = app.gitlab_sessions_per_user
    if per_user is None:
        # Jupyter's own logins share one token or password, so they identify no user.
        provider = type(app.serverapp.identity_provider).__module__
        per_user = not provider.startswith("jupyter_server.")
    return GitLabBackend(
        settings.url,
        settings.token,
        projects=settings.projects,
        ca_bundle=settings.ca_bundle,
        max_projects=app.gitlab_max_projects,
        retries=app.gitlab_retries,
        timeout=app.gitlab_timeout,
        per_user_sessions=per_user,
        name=settings.name,
        auth=settings.auth,
    )
