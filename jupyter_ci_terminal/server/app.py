"""``CITerminalApp``: the Jupyter server extension, its settings, routes and lifecycle."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Dict, Enum, Float, Int, List, Unicode, default

from ..backends.gitlab_config import TOKEN_TYPES, ci_job_credentials
from ..errors import CIError
from ..sessions import ProjectRegistry, SessionManager, SessionSettings
from ..sessions.journal import recover
from ..sessions.recording import AuditLog, prune
from . import options, redact, wiring
from .agents import CONNECT_ROUTE, AgentConnectHandler, AgentRegistry
from .frontends import ROUTE as FRONTENDS_ROUTE
from .frontends import FrontEnds, FrontEndSocket
from .gitlab_handlers import gitlab_handlers
from .handlers import OPEN_TERMINAL_SCHEMA, default_handlers
from .termsocket import CITermSocket


class CITerminalApp(ExtensionApp):
    """Open CI jobs' shells as JupyterLab terminals."""

    name = "jupyter_ci_terminal"

    terminals_enabled = Bool(
        None,
        allow_none=True,
        config=True,
        help="""Allow CI job terminals. Job state, logs and actions stay available when False.
        Default (None): follow ServerApp.terminals_enabled.""",
    )
    project_dir = Unicode(
        "",
        config=True,
        help="Folder whose .gitlab-ci.yml the embedded local runner serves. Default: the server's root_dir.",
    )
    embedded_runner = Bool(
        True,
        config=True,
        help="""Start the local runner (`jupyter ci-runner serve`) for project_dir on first use when
        none serves it yet, and stop it with the server. Default: True.""",
    )
    runner_concurrent = Int(
        4,
        config=True,
        help="Jobs the embedded runner runs at the same time (the runner's Scheduler.concurrent). Default: 4.",
    )
    runner_session_timeout = Int(
        1800,
        config=True,
        help="Seconds the embedded runner keeps a finished job open while a terminal is attached (gitlab-runner's session_timeout). Default: 1800.",
    )
    runner_masked_variables = List(
        Unicode(),
        default_value=[],
        config=True,
        help="""Variables (names) whose values the embedded runner's job logs show as [MASKED], as
        GitLab does for masked CI/CD variables (the runner's Scheduler.masked_variables); the
        runner takes project variables from its environment. CI_JOB_TOKEN and
        JUPYTER_CI_TERMINAL_TOKEN always are. Default: empty.""",
    )
    runner_session_server = Bool(
        True,
        config=True,
        help="""Whether the embedded runner serves job terminals on a [session_server]. False
        (`--no-session-server`): its jobs have no terminal, as on a runner GitLab cannot dial,
        and are debugged through ci-terminal-agent (see agent_token). Default: True.""",
    )
    start_pipeline = Bool(
        False,
        config=True,
        help="""Start the embedded runner with the server and run a pipeline at once (demos: the
        Debug button is there when JupyterLab opens). Default: False (start on first use).""",
    )
    runner_startup_timeout = Float(
        30.0, config=True, help="Seconds to wait for the embedded runner to start. Default: 30."
    )
    connect_timeout = Float(
        10.0, config=True, help="Seconds to wait when dialing a job's terminal. Default: 10."
    )
    terminal_ready_timeout = Float(
        60.0,
        config=True,
        help="Seconds to wait for a job's terminal that is not ready yet, showing progress in the tab (gitlab-runner holds such a request 60 s, then answers 503). Default: 60.",
    )
    max_terminal_input = Int(
        4 * 1024 * 1024,
        config=True,
        help="Bytes of one terminal message (a paste) taken whole and relayed in pieces; a larger one closes the tab's socket with 1009. Default: 4194304 (4 MiB).",
    )
    ping_interval = Float(
        30.0,
        config=True,
        help="Seconds between websocket pings toward the runner, keeping idle sessions alive through proxies. Default: 30.",
    )
    max_viewer_backlog = Int(
        1024 * 1024,
        config=True,
        help="Characters of output queued for one browser before it gets the current screen instead (the memory bound; see viewer_max_lag). Default: 1048576.",
    )
    viewer_max_lag = Float(
        0.25,
        config=True,
        help="Seconds a browser may lag behind the output (the age of the oldest output it has not been sent, or not yet displayed once it acknowledges) before its queue is dropped and it gets the current screen, as mosh does; the shell is never slowed for a slow browser. Default: 0.25.",
    )
    detached_timeout = Float(
        600.0,
        config=True,
        help="Seconds a session with no browser attached stays open before it is closed (0: never). Default: 600.",
    )
    hold_grace = Float(
        30.0,
        config=True,
        help="Seconds a held job's session may have no browser attached (long enough for a reload) before its hold is ended and the job finishes with its script's status (0: wait for the runner's session_timeout). Default: 30.",
    )
    scrollback = Int(
        1000, config=True, help="Lines of scrollback restored on reconnect. Default: 1000."
    )
    record_sessions = Bool(
        True, config=True, help="Save every session as an asciicast v2 file. Default: True."
    )
    recordings_dir = Unicode(
        "",
        config=True,
        help="Folder for recordings. Default: <jupyter data dir>/ci-terminal/recordings.",
    )
    recordings_keep_days = Float(
        30.0,
        config=True,
        help="Days to keep recordings; older ones are deleted at start (0: keep forever). Default: 30.",
    )
    record_input = Bool(
        False,
        config=True,
        help="Also record keystrokes (they can include passwords typed into the shell). Default: False.",
    )
    audit_log = Unicode(
        "",
        config=True,
        help="JSON-lines file of every attach and detach. Default: <jupyter data dir>/ci-terminal/audit.jsonl; '-' disables it.",
    )
    agent_token = Unicode(
        "",
        config=True,
        help="""Token that CI jobs running ci-terminal-agent present (JUPYTER_CI_TERMINAL_TOKEN) to
        dial out to this server, for runners without a session server; it opens only the
        agents' connect route. Default: empty (agents are refused).""",
    )
    runner_agent_variables = Bool(
        False,
        config=True,
        help="""Give the embedded runner's jobs JUPYTER_CI_TERMINAL_URL (this server's URL) and
        JUPYTER_CI_TERMINAL_TOKEN (agent_token) in their environment, as the CI/CD variables a
        GitLab project sets for ci-terminal-agent, so a local job that runs the agent dials out
        here with nothing else to set (demos, trying the agent). Needs agent_token.
        Default: False.""",
    )
    agent_allowed_users = List(
        Unicode(),
        default_value=[],
        config=True,
        help="""Jupyter usernames who may open or join the shell of any job served by its agent.
        Otherwise only the GitLab user who started the job may (recognized by their GitLab web
        session), as in GitLab's web terminal; a single-user server's one user always may.
        Default: empty.""",
    )
    stty_resize = Bool(
        False,
        config=True,
        help="On runners that cannot resize (terminal.gitlab.com), type `stty rows R cols C` into the shell on resize. Default: False.",
    )

    gitlab_url = Unicode(
        config=True,
        help="""GitLab instance whose projects are shown beside the local runner (URL, e.g.
        https://gitlab.example.com), as the CI backend named gitlab. Default: $GITLAB_URL;
        inside a GitLab CI job without GITLAB_TOKEN, $CI_SERVER_URL; empty: no gitlab
        backend.""",
    )
    gitlab_token = Unicode(
        config=True,
        help="""API token for gitlab_url: a personal, project or group access token with the api
        scope (see gitlab_token_type for other kinds). Default: $GITLAB_TOKEN; inside a GitLab CI
        job without GITLAB_TOKEN, $CI_JOB_TOKEN.""",
    )
    gitlab_token_type = Enum(
        TOKEN_TYPES,
        config=True,
        help="""What kind of token gitlab_token is. "private": a personal, project or group
        access token (sent as PRIVATE-TOKEN), for everything. "job": a CI job's CI_JOB_TOKEN
        (JOB-TOKEN), when Jupyter runs inside a GitLab CI job and no other token is at hand: it
        reads only the pipelines and jobs of that job's project, while the job runs (no logs,
        actions or new pipelines). "oauth": an OAuth 2 access token (Authorization: Bearer), as
        JupyterHub's GitLab login hands out. Default: "job" when the token is $CI_JOB_TOKEN,
        else "private".""",
    )
    gitlab_instances = List(
        Dict(),
        config=True,
        help="""More GitLab instances, each shown as a CI backend of its own beside gitlab_url's:
        a list of dicts with "name" (required; project ids become <name>-<GitLab id>), "url"
        (required), "token_env" (the name of an environment variable holding the token, so no
        token sits in a config file) or "token", and optionally "token_type" (as
        gitlab_token_type; default "private"), "projects" (as gitlab_projects) and "ca_bundle"
        (as gitlab_ca_bundle). An entry with a duplicate name, a bad url or no token is skipped
        with one log line; the others are kept. Default: [] (none).""",
    )
    gitlab_projects = List(
        Unicode(),
        config=True,
        help="""GitLab projects to show (paths such as group/project, or numeric ids). Default:
        $GITLAB_PROJECTS (comma- or space-separated); empty: the token user's projects with CI,
        most recently active first.""",
    )
    gitlab_ca_bundle = Unicode(
        config=True,
        help="""PEM file of the CA(s) GitLab's certificate is checked against, for REST and
        terminals (path). Default: $GITLAB_CA_BUNDLE; empty: the system's CAs.""",
    )
    gitlab_max_projects = Int(
        20, config=True, help="Projects listed when gitlab_projects is empty. Default: 20."
    )
    gitlab_retries = Int(
        3,
        config=True,
        help="""Retries of a GitLab REST call after 429, 5xx or a lost connection, waiting 0.1 s,
        0.2 s, 0.4 s ... (or GitLab's Retry-After). Default: 3.""",
    )
    gitlab_timeout = Float(
        15.0, config=True, help="Seconds to wait for one GitLab REST answer. Default: 15."
    )
    gitlab_sessions_per_user = Bool(
        None,
        allow_none=True,
        config=True,
        help="""Keep a GitLab web session per Jupyter user. Default (None): per user, unless the
        server uses Jupyter's own token or password login, where every client (browser, kernel)
        is the server's one user.""",
    )

    @default("gitlab_url")
    def _gitlab_url_default(self) -> str:
        ci = ci_job_credentials(os.environ)
        return os.environ.get("GITLAB_URL", "") or (ci[0] if ci else "")

    @default("gitlab_token")
    def _gitlab_token_default(self) -> str:
        ci = ci_job_credentials(os.environ)
        return os.environ.get("GITLAB_TOKEN", "") or (ci[1] if ci else "")

    @default("gitlab_token_type")
    def _gitlab_token_type_default(self) -> str:
        ci = ci_job_credentials(os.environ)
        return "job" if ci and self.gitlab_token == ci[1] else "private"

    @default("gitlab_projects")
    def _gitlab_projects_default(self) -> list[str]:
        return [p for p in re.split(r"[,\s]+", os.environ.get("GITLAB_PROJECTS", "")) if p]

    @default("gitlab_ca_bundle")
    def _gitlab_ca_bundle_default(self) -> str:
        return os.environ.get("GITLAB_CA_BUNDLE", "")

    _redactor: redact.Redactor | None = None

    def _link_jupyter_server_extension(self, serverapp: Any) -> None:
        """Mask secrets in the server's log first: linking logs the whole config at DEBUG.

        A setting that cannot be applied stops the server with one sentence: Jupyter would log
        a traceback and run the extension with every setting back at its default.
        """
        secrets = redact.config_secrets(serverapp.config, os.environ)
        self._redactor = redact.install(serverapp.log, secrets)
        sentence = options.problem(self, serverapp.config)
        if sentence is not None:
            self.log.critical("%s", sentence)
            # SystemExit, not an Exception: Jupyter catches those and starts without the settings.
            raise SystemExit(1)
        super()._link_jupyter_server_extension(serverapp)

    def load_config_file(self, *args: Any, **kwargs: Any) -> None:
        """Load the extension's config files; their tokens are masked in the log too."""
        super().load_config_file(*args, **kwargs)
        if self._redactor is not None:
            self._redactor.add(redact.config_secrets(self.config, os.environ))

    def _data_path(self, value: str, default: str) -> Path:
        return (
            Path(value).expanduser()
            if value
            else Path(jupyter_data_dir()) / "ci-terminal" / default
        )

    def initialize_settings(self) -> None:
        """Build the project registry and the session manager."""
        recordings = (
            self._data_path(self.recordings_dir, "recordings") if self.record_sessions else None
        )
        if recordings is not None:
            recover(recordings)  # journals of sessions live when a server stopped
            prune(recordings, keep_days=self.recordings_keep_days)
        audit = None if self.audit_log == "-" else self._data_path(self.audit_log, "audit.jsonl")
        cfg = SessionSettings(
            connect_timeout=self.connect_timeout,
            ready_timeout=self.terminal_ready_timeout,
            max_input=self.max_terminal_input,
            ping_interval=self.ping_interval,
            max_backlog=self.max_viewer_backlog,
            max_lag=self.viewer_max_lag,
            detached_timeout=self.detached_timeout,
            hold_grace=self.hold_grace,
            scrollback=self.scrollback,
            recordings_dir=recordings,
            record_input=self.record_input,
            stty_resize=self.stty_resize,
            audit=AuditLog(audit),
            agents=AgentRegistry(),
            agent_allowed_users=frozenset(self.agent_allowed_users),
        )
        assert self.serverapp is not None
        if self.serverapp.event_logger is not None:
            # %ci_attach in a kernel asks JupyterLab to open the tab through this event.
            self.serverapp.event_logger.register_event_schema(OPEN_TERMINAL_SCHEMA)
        self._local = wiring.local_backend(self)
        registry = ProjectRegistry([self._local, *wiring.gitlab_backends(self, self._redactor)])
        enabled = self.terminals_enabled
        if enabled is None:
            enabled = bool(getattr(self.serverapp, "terminals_enabled", True))
        self.settings.update(
            ci_terminal_registry=registry,
            ci_terminal_sessions=SessionManager(registry, cfg),
            ci_terminal_terminals_enabled=enabled,
            ci_terminal_agents=cfg.agents,
            ci_terminal_agent_token=self.agent_token,
            ci_terminal_frontends=FrontEnds(),
        )

    def initialize_handlers(self) -> None:
        """Register the REST routes and the terminal websocket."""
        self.handlers.extend(default_handlers)
        self.handlers.extend(gitlab_handlers)
        self.handlers.append((r"/ci-terminal/terminals/websocket/(?P<name>[\w.-]+)", CITermSocket))
        self.handlers.append((CONNECT_ROUTE, AgentConnectHandler))
        self.handlers.append((FRONTENDS_ROUTE, FrontEndSocket))

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        """With ``start_pipeline``, start the embedded runner now rather than on first use."""
        if self.start_pipeline and self.embedded_runner:
            self._starting = asyncio.ensure_future(self._start_local())

    async def _start_local(self) -> None:
        try:
            await self._local.client()
        except CIError as e:
            self.log.warning("The embedded CI runner did not start: %s", e)

    async def stop_extension(self) -> None:
        """Close every bridge, then stop what the backends started."""
        assert self.serverapp is not None
        settings: dict[str, Any] = self.serverapp.web_app.settings
        settings["ci_terminal_agents"].disconnect_all()  # before sessions tell agents "done"
        await settings["ci_terminal_sessions"].shutdown()
        await settings["ci_terminal_registry"].close()
