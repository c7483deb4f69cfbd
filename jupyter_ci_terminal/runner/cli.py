"""``jupyter ci-runner serve --project DIR``: the embedded local runner as a command.

Serves, on one asyncio loop: the GitLab REST v4 subset (plain HTTP on ``ip:port``), the
gitlab-runner-compatible session server (TLS on ``listen_address``), and the pipelines of
``DIR/.gitlab-ci.yml``. Writes ``ci-runner-<pid>.json`` to Jupyter's runtime directory while up.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import secrets
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from jupyter_core.application import JupyterApp
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from traitlets import Bool, Float, Int, Unicode

from .._version import __version__
from ..errors import CIError, ConfigError
from . import accesslog, runtime
from .api import routes, serialize
from .api.base import ApiState
from .api.store import Store
from .execution.scheduler import Scheduler
from .pipeline.variables import git_info
from .terminals import session_server, tls
from .terminals.session import SessionRegistry
from .terminals.terminal import DEFAULT_SIZE_WAIT

PROJECT_ID = 1
_WILDCARD = {"0.0.0.0", "::", ""}  # noqa: S104


def split_host_port(address: str, what: str) -> tuple[str, int]:
    """Split ``host:port`` (``[v6]:port`` too); a scheme is refused as gitlab-runner does."""
    if "://" in address:
        msg = f"{what} {address!r}: url not valid, scheme defined"
        raise ConfigError(msg)
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        msg = f"{what} {address!r} must be host:port"
        raise ConfigError(msg)
    return host.strip("[]"), int(port)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class ServeApp(JupyterApp):
    """Run a folder's pipelines and serve their terminals and a GitLab API subset."""

    name = "jupyter-ci-runner"
    description = (
        "Run the .gitlab-ci.yml pipelines of a folder, with a terminal for every running job."
    )
    classes = [Scheduler]

    project = Unicode(
        ".", help="The project folder whose .gitlab-ci.yml is run (path), default '.'."
    ).tag(config=True)
    ip = Unicode("127.0.0.1", help="Address the API listens on (host), default 127.0.0.1.").tag(
        config=True
    )
    port = Int(0, help="Port of the API (port), default 0: any free port.").tag(config=True)
    listen_address = Unicode(
        "127.0.0.1:0",
        help="[session_server] listen_address (host:port), default 127.0.0.1:0 (any free port).",
    ).tag(config=True)
    advertise_address = Unicode(
        "",
        help="[session_server] advertise_address (host:port, no scheme), default: the listen address.",
    ).tag(config=True)
    session_timeout = Float(
        1800.0,
        help="[session_server] session_timeout: how long a connected terminal keeps a finished job (s), "
        "default 1800.",
    ).tag(config=True)
    session_tls = Bool(
        True,
        help="Serve terminals over TLS with a generated certificate (bool), default True; False only on loopback.",
    ).tag(config=True)
    ready_timeout = Float(
        60.0, help="How long a terminal request waits for the job's shell (s), default 60."
    ).tag(config=True)
    ping_interval = Float(
        30.0, help="Websocket ping interval of terminals (s), default 30; 0 disables."
    ).tag(config=True)
    max_input = Int(
        4 * 1024 * 1024,
        help="Largest terminal input frame taken whole, e.g. a paste (bytes), default 4194304 "
        "(4 MiB); a larger one closes the terminal with 1009.",
    ).tag(config=True)
    size_wait = Float(
        DEFAULT_SIZE_WAIT,
        help="How long a resizing (channel.k8s.io) terminal's shell waits for the client's first "
        "frame, to start at the size it sets (s), default 5; 0 starts it at once at 24x80.",
    ).tag(config=True)
    state_dir = Unicode(
        "", help="Where state, builds and artifacts live (path), default PROJECT/.jupyter-ci."
    ).tag(config=True)
    token = Unicode(
        "", help="API token (string), default: a random one, written to the runtime file."
    ).tag(config=True)
    web_url = Unicode(
        "",
        help="JupyterLab's URL (http(s) URL), default '': where CI_JOB_URL and CI_PIPELINE_URL "
        "redirect (the job's log, the CI panel); empty: they show a short page instead.",
    ).tag(config=True)
    run_pipeline = Bool(False, help="Start a pipeline at startup (bool), default False.").tag(
        config=True
    )
    session_server = Bool(
        True,
        help="Serve job terminals on a [session_server] (bool), default True; False: jobs have no "
        "terminal, as on a runner without one (a job can still dial out with ci-terminal-agent).",
    ).tag(config=True)

    def _log_level_default(self) -> int:
        return logging.INFO

    aliases = {
        "project": "ServeApp.project",
        "ip": "ServeApp.ip",
        "port": "ServeApp.port",
        "listen-address": "ServeApp.listen_address",
        "advertise-address": "ServeApp.advertise_address",
        "session-timeout": "ServeApp.session_timeout",
        "state-dir": "ServeApp.state_dir",
        "concurrent": "Scheduler.concurrent",
        "mask": "Scheduler.masked_variables",
        "log-level": "Application.log_level",
        "config": "JupyterApp.config_file",
    }
    flags = {
        "run-pipeline": ({"ServeApp": {"run_pipeline": True}}, "Start a pipeline at startup."),
        "debug": ({"Application": {"log_level": 10}}, "Log debug messages."),
        "no-session-server": (
            {"ServeApp": {"session_server": False}},
            "Serve no job terminals, as a runner without [session_server].",
        ),
    }

    def start(self) -> None:
        """Serve until SIGTERM or SIGINT."""
        try:
            project, state_dir = self._folders()
            asyncio.run(self.serve(project, state_dir))
        except CIError as e:
            self.log.critical("%s", e)
            self.exit(1)

    def _folders(self) -> tuple[Path, Path]:
        project = Path(self.project).expanduser().resolve()
        if not project.is_dir():
            msg = f"The project folder {project} does not exist."
            raise ConfigError(msg)
        state_dir = project / ".jupyter-ci"
        if self.state_dir:
            state_dir = Path(self.state_dir).expanduser().resolve()
        state_dir.mkdir(parents=True, exist_ok=True)
        ignore = state_dir / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Local CI runner state: never commit.\n*\n")
        return project, state_dir

    async def serve(self, project: Path, state_dir: Path) -> None:
        """Start every server, write the runtime file, and wait for a signal."""
        store = Store(state_dir / "ci.sqlite3")

        api_sockets = bind_sockets(self.port, self.ip)
        api_port = api_sockets[0].getsockname()[1]
        base_url = f"http://{_url_host(self.ip)}:{api_port}/"
        listen_host, listen_port = split_host_port(self.listen_address, "listen_address")
        session_sockets = (
            bind_sockets(listen_port, listen_host or None) if self.session_server else []
        )
        session_port = session_sockets[0].getsockname()[1] if session_sockets else 0
        advertise = self._advertise(listen_host, session_port)
        adv_host, _ = split_host_port(advertise, "advertise_address")

        cert = tls.generate(adv_host) if self.session_tls and self.session_server else None
        if cert is None and self.session_server and not _is_loopback(listen_host):
            msg = "Plain-HTTP terminals (session_tls = False) are allowed on a loopback listen_address only."
            raise ConfigError(msg)

        registry = SessionRegistry()
        scheduler = Scheduler(
            project=project,
            store=store,
            registry=registry,
            state_dir=state_dir,
            server_url=base_url,
            session_timeout=self.session_timeout,
            project_id=PROJECT_ID,
            parent=self,
        )
        recovered = scheduler.recover()
        warm_up = asyncio.ensure_future(scheduler.warm_up())
        if recovered:
            self.log.warning(
                "Marked %d job(s) failed that were running when the runner stopped.", len(recovered)
            )

        token = self.token or secrets.token_urlsafe(32)
        git = git_info(project)
        ctx = serialize.Context(base_url, project, PROJECT_ID, time.time(), git.branch or "main")
        scheme = "wss" if cert else "ws"
        state = ApiState(
            token,
            scheduler,
            registry,
            ctx,
            f"{scheme}://{advertise}" if self.session_server else "",
            cert.cert_pem if cert else "",
            self.web_url,
        )
        api_server = HTTPServer(accesslog.quiet(routes.make_app(state)), xheaders=False)
        api_server.add_sockets(api_sockets)
        terminals = session_server.make_app(
            registry,
            self.ready_timeout,
            self.ping_interval,
            self.log,
            self.max_input,
            self.size_wait,
        )
        session_http = HTTPServer(terminals, ssl_options=cert.server_context() if cert else None)
        session_http.add_sockets(session_sockets)

        stop = asyncio.Event()
        received: list[str] = []
        loop = asyncio.get_running_loop()

        def on_signal(sig: signal.Signals) -> None:
            received.append(sig.name)
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal, sig)
        info: dict[str, Any] = {
            "url": base_url,
            "token": token,
            "project_dir": str(project),
            "project_id": PROJECT_ID,
            "pid": os.getpid(),
            "session_url": (f"https://{advertise}" if cert else f"http://{advertise}")
            if self.session_server
            else None,
            "state_dir": str(state_dir),
            "version": __version__,
        }
        try:
            path = runtime.write_runtime_file(info)
            self.log.info("Local CI runner %s serving %s", __version__, project)
            self.log.info(
                "API %s (token in %s); terminals on %s",
                base_url,
                path,
                info["session_url"] or "none (--no-session-server)",
            )
            if self.run_pipeline:
                try:
                    await scheduler.create_pipeline()
                except ConfigError as e:
                    self.log.error("The startup pipeline was not created: %s", e)
            await stop.wait()
            reason = f"the runner is shutting down ({received[0] if received else 'stop'})"
            self.log.info("Stopping: %s", reason)
            api_server.stop()
            await scheduler.shutdown(reason)
            await warm_up
        finally:
            runtime.remove_runtime_file()
            session_http.stop()
            for sess in registry.all():
                registry.remove(sess, "runner stopped")
            store.close()

    def _advertise(self, listen_host: str, port: int) -> str:
        if self.advertise_address:
            split_host_port(self.advertise_address, "advertise_address")
            return self.advertise_address
        host = listen_host
        if host in _WILDCARD:
            host = socket.gethostname()
            self.log.warning(
                "listen_address is a wildcard: advertising %s; set advertise_address to change it.",
                host,
            )
        return f"{_url_host(host)}:{port}"


class CIRunnerApp(JupyterApp):
    """The ``jupyter ci-runner`` command."""

    name = "jupyter-ci-runner"
    description = "The embedded local CI runner of jupyter_ci_terminal."
    version = __version__
    subcommands = {"serve": (ServeApp, ServeApp.description)}
    examples = """
jupyter ci-runner serve --project . --run-pipeline
jupyter ci-runner attach 12        # this terminal becomes job 12's shell
"""

    def start(self) -> None:
        """Run the subcommand, or print help when there is none."""
        if self.subapp is None:
            self.print_help()
            self.exit(2)
        super().start()


def main(argv: list[str] | None = None) -> None:
    """Console entry point of ``jupyter-ci-runner`` (``serve``, and ``attach`` for a job's shell)."""
    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["attach"]:
        # attach is a plain argparse command living with the kernel-side client.
        from ..attach import main as attach_main

        sys.exit(attach_main(args[1:]))
    CIRunnerApp.launch_instance(args)


if __name__ == "__main__":
    main()
