"""REST routes under ``<base>/ci-terminal/api/``: CI state, actions and terminal sessions.

Glue only: parse the request, call the registry or the session manager, write GitLab's JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from ..errors import ConfigError, NoFrontEndError
from ..sessions.recording import pieces as recording_pieces
from .base import AUTH_RESOURCE, CIHandlerMixin, translate_errors
from .stages import with_stage_status

_ID = r"(?P<project>[\w.~-]+)"

OPEN_TERMINAL_EVENT = "https://events.jupyter.org/jupyter_ci_terminal/open-terminal/v1"
OPEN_TERMINAL_SCHEMA = Path(__file__).parent / "events" / "open-terminal.yaml"

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
#: Opening a shell is ``execute`` on ``terminals``, as for Jupyter's own terminals.
authorized_execute = cast(Callable[[F], F], authorized("execute"))


class _Base(CIHandlerMixin, APIHandler):
    auth_resource = AUTH_RESOURCE

    def body(self) -> dict[str, Any]:
        """The JSON body as a dict (empty when there is none)."""
        if not self.request.body:
            return {}
        try:
            data = json.loads(self.request.body)
        except ValueError:
            msg = "The request body is not valid JSON."
            raise ConfigError(msg) from None
        if not isinstance(data, dict):
            msg = "The request body must be a JSON object."
            raise ConfigError(msg)
        return data


class ProjectsHandler(_Base):
    """``GET projects``."""

    @web.authenticated
    @authorized
    @translate_errors
    async def get(self) -> None:
        """List projects of every backend."""
        self.finish(json.dumps([p.to_json() for p in await self.registry.projects()]))


class PipelinesHandler(_Base):
    """``GET|POST projects/<p>/pipelines``."""

    @web.authenticated
    @authorized
    @translate_errors
    async def get(self, project: str) -> None:
        """Recent pipelines; ``?scope=mine``: only those the current user started."""
        scope = self.get_query_argument("scope", "all")
        if scope not in ("all", "mine"):
            msg = f"Unknown pipeline scope {scope!r}; use mine or all."
            raise ConfigError(msg)
        backend, proj = await self.registry.resolve(project)
        self.finish(json.dumps(await backend.pipelines(proj, mine=scope == "mine")))

    @web.authenticated
    @authorized
    @translate_errors
    async def post(self, project: str) -> None:
        """Run a pipeline on ``ref`` (default branch when omitted)."""
        ref = self.body().get("ref")
        backend, proj = await self.registry.resolve(project)
        self.set_status(201)
        self.finish(json.dumps(await backend.create_pipeline(proj, str(ref) if ref else None)))


class PipelineJobsHandler(_Base):
    """``GET projects/<p>/pipelines/<id>/jobs``."""

    @web.authenticated
    @authorized
    @translate_errors
    async def get(self, project: str, pipeline: str) -> None:
        """A pipeline's jobs."""
        include_retried = self.get_query_argument("include_retried", "false") == "true"
        backend, proj = await self.registry.resolve(project)
        jobs = await backend.pipeline_jobs(proj, int(pipeline), include_retried=include_retried)
        jobs = with_stage_status(jobs)
        self.finish(json.dumps(self.settings["ci_terminal_agents"].mark(proj.id, jobs)))


class PipelineActionHandler(_Base):
    """``POST projects/<p>/pipelines/<id>/(retry|cancel)``."""

    @web.authenticated
    @authorized
    @translate_errors
    async def post(self, project: str, pipeline: str, action: str) -> None:
        """Run the action."""
        backend, proj = await self.registry.resolve(project)
        self.finish(json.dumps(await backend.pipeline_action(proj, int(pipeline), action)))


class JobHandler(_Base):
    """``GET projects/<p>/jobs/<id>``."""

    @web.authenticated
    @authorized
    @translate_errors
    async def get(self, project: str, job: str) -> None:
        """One job."""
        backend, proj = await self.registry.resolve(project)
        body = await backend.job(proj, int(job))
        self.finish(json.dumps(self.settings["ci_terminal_agents"].mark(proj.id, [body])[0]))


class TraceHandler(_Base):
    """``GET projects/<p>/jobs/<id>/trace``."""

    @web.authenticated
    @authorized
    @translate_errors
    async def get(self, project: str, job: str) -> None:
        """The job's log as text."""
        backend, proj = await self.registry.resolve(project)
        text = await backend.trace(proj, int(job))
        self.finish(text, set_content_type="text/plain; charset=utf-8")


class JobActionHandler(_Base):
    """``POST projects/<p>/jobs/<id>/(retry|cancel|play)``."""

    @web.authenticated
    @authorized
    @translate_errors
    async def post(self, project: str, job: str, action: str) -> None:
        """Run the action; a retry may ask for ``{"hold": "on_failure"}`` (local runner only)."""
        hold = self.body().get("hold") if action == "retry" else None
        backend, proj = await self.registry.resolve(project)
        if hold is not None:
            result = await backend.retry_job(proj, int(job), str(hold))
        else:
            result = await backend.job_action(proj, int(job), action)
        self.finish(json.dumps(result))


class EndHoldHandler(_Base):
    """``POST projects/<p>/jobs/<id>/end_hold``: End debugging of a held job."""

    @web.authenticated
    @authorized_execute
    @translate_errors
    async def post(self, project: str, job: str) -> None:
        """End the hold: the job finishes with its script's status (it ends a shell: execute)."""
        backend, proj = await self.registry.resolve(project)
        self.finish(json.dumps(await backend.end_hold(proj, int(job))))


class TerminalsHandler(_Base):
    """``GET|POST terminals``."""

    @web.authenticated
    @authorized
    @translate_errors
    async def get(self) -> None:
        """Every session."""
        self.finish(json.dumps([s.to_json() for s in self.sessions.list()]))

    @web.authenticated
    @authorized_execute
    @translate_errors
    async def post(self) -> None:
        """Open (or return) the terminal session of ``{"project", "job"}``."""
        self.check_terminals_enabled()
        body = self.body()
        try:
            job = int(body["job"])
        except (KeyError, TypeError, ValueError):
            msg = 'Give the job as {"job": <job id>} (and "project" when there are several).'
            raise ConfigError(msg) from None
        project = body.get("project")
        if project is None:
            projects = await self.registry.projects()
            if len(projects) != 1:
                msg = 'Several CI projects exist: give "project" with the job.'
                raise ConfigError(msg)
            project = projects[0].id
        open_tab = body.get("open") is True
        if open_tab and not self.frontends:
            # A session no tab opens would keep a held job only until hold_grace runs out.
            msg = (
                "No JupyterLab with the CI terminal extension is connected to this Jupyter "
                "server to open the tab, so no terminal session was opened."
            )
            raise NoFrontEndError(msg)
        session = await self.sessions.create(str(project), job)
        if open_tab:
            # A kernel asked for a tab (%ci_attach): JupyterLab listens on the event bus.
            self.event_logger.emit(
                schema_id=OPEN_TERMINAL_EVENT,
                data={
                    "project": session.project.id,
                    "job": session.job_id,
                    "name": session.name,
                    "title": session.title,
                    "notebook": self._notebook_path(body.get("notebook")),
                },
            )
        self.finish(json.dumps(session.to_json()))

    def _notebook_path(self, value: object) -> str | None:
        """The kernel's JPY_SESSION_NAME relative to the root folder, or None."""
        if not isinstance(value, str) or not value:
            return None
        path = Path(value)
        if not path.is_absolute():
            return path.as_posix()
        try:
            root = Path(self.settings["server_root_dir"]).resolve()
            return path.resolve().relative_to(root).as_posix()
        except (KeyError, ValueError):
            return None


class TerminalHandler(_Base):
    """``GET|DELETE terminals/<name>``."""

    @web.authenticated
    @authorized
    @translate_errors
    async def get(self, name: str) -> None:
        """One session (an ended one too, after the list has dropped it)."""
        self.finish(json.dumps(self.sessions.describe(name)))

    @web.authenticated
    @authorized_execute
    @translate_errors
    async def delete(self, name: str) -> None:
        """End a session."""
        await self.sessions.terminate(name)
        self.set_status(204)
        self.finish()


class RecordingHandler(_Base):
    """``GET terminals/<name>/recording``: the session's asciicast v2 file."""

    @web.authenticated
    @authorized_execute
    @translate_errors
    async def get(self, name: str) -> None:
        """Download the recording (what the shell showed: only for those who may join it)."""
        path = self.sessions.recording_path(name)
        self.set_header("Content-Type", "application/x-asciicast")
        self.set_header("Content-Disposition", f'attachment; filename="{name}.cast"')
        # A long session's recording can be large: stream it instead of reading it whole.
        for piece in recording_pieces(path):
            self.write(piece)
            await self.flush()
        self.finish(set_content_type="application/x-asciicast")


_API = r"/ci-terminal/api"
_NAME = r"(?P<name>[\w.-]+)"

default_handlers: list[tuple[str, type[web.RequestHandler]]] = [
    (rf"{_API}/projects", ProjectsHandler),
    (rf"{_API}/projects/{_ID}/pipelines", PipelinesHandler),
    (rf"{_API}/projects/{_ID}/pipelines/(?P<pipeline>\d+)/jobs", PipelineJobsHandler),
    (
        rf"{_API}/projects/{_ID}/pipelines/(?P<pipeline>\d+)/(?P<action>retry|cancel)",
        PipelineActionHandler,
    ),
    (rf"{_API}/projects/{_ID}/jobs/(?P<job>\d+)", JobHandler),
    (rf"{_API}/projects/{_ID}/jobs/(?P<job>\d+)/trace", TraceHandler),
    (rf"{_API}/projects/{_ID}/jobs/(?P<job>\d+)/(?P<action>retry|cancel|play)", JobActionHandler),
    (rf"{_API}/projects/{_ID}/jobs/(?P<job>\d+)/end_hold", EndHoldHandler),
    (rf"{_API}/terminals", TerminalsHandler),
    (rf"{_API}/terminals/{_NAME}", TerminalHandler),
    (rf"{_API}/terminals/{_NAME}/recording", RecordingHandler),
]
