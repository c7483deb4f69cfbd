"""The GitLab REST v4 subset, with GitLab's routes, auth, pagination headers and JSON fields.

Plus local routes: ``GET /api/v4/projects/:id/jobs/:job_id/terminal``, answering what GitLab's
``terminal.ws/authorize`` gives Workhorse (the Channel), 404 when the job has no terminal, and
``POST .../jobs/:job_id/end_hold`` with ``retry``'s ``hold`` option (see :mod:`.hold`).
"""

from __future__ import annotations

import json
import zipfile
from typing import Any

from tornado import web

from ..._version import __version__
from ...channel import Channel
from ...errors import NotFoundError
from ...protocol.frames import SERVER_PREFERENCE
from ..execution import actions, bridges
from ..execution.artifacts import archive_path
from . import hold, serialize
from .base import ApiState, BaseHandler
from .bridges import BridgesHandler
from .job_token import CurrentJobHandler
from .pages import WebPageHandler


class VersionHandler(BaseHandler):
    """``GET /version``."""

    def get(self) -> None:
        """Return the version."""
        self.send_json({"version": f"17.0.0-local ({__version__})", "revision": "local"})


class UserHandler(BaseHandler):
    """``GET /user``."""

    def get(self) -> None:
        """Return the local user."""
        self.send_json(serialize.user(self.state.ctx))


class ProjectsHandler(BaseHandler):
    """``GET /projects`` (filters such as ``membership`` and ``order_by`` are accepted)."""

    def get(self) -> None:
        """List the one project."""
        search = self.get_query_argument("search", "")
        items = [serialize.project(self.state.ctx)]
        self.paginate([p for p in items if search.lower() in p["name"].lower()])


class ProjectHandler(BaseHandler):
    """``GET /projects/:id``."""

    def get(self, project_id: str) -> None:
        """Return the project."""
        self.check_project(project_id)
        self.send_json(serialize.project(self.state.ctx))


class CreatePipelineHandler(BaseHandler):
    """``POST /projects/:id/pipeline``."""

    async def post(self, project_id: str) -> None:
        """Create a pipeline for ``ref`` (default: the folder's branch, else main)."""
        self.check_project(project_id)
        body: dict[str, Any] = {}
        if self.request.body and "json" in self.request.headers.get("Content-Type", ""):
            body = json.loads(self.request.body)
        ref = body.get("ref") or self.get_argument("ref", "") or None
        variables = {
            str(v["key"]): str(v.get("value", ""))
            for v in body.get("variables") or []
            if "key" in v
        }
        pipeline_id = await self.state.scheduler.create_pipeline(ref, variables)
        self.send_json(self.pipeline_json(pipeline_id), 201)


class PipelinesHandler(BaseHandler):
    """``GET /projects/:id/pipelines``."""

    def get(self, project_id: str) -> None:
        """List pipelines, newest first (``status``, ``ref``, ``scope`` filters)."""
        self.check_project(project_id)
        status = self.get_query_argument("status", None)
        scope = self.get_query_argument("scope", None)
        statuses = [status] if status else []
        if scope in ("running", "pending"):
            statuses = [scope]
        elif scope == "finished":
            statuses = ["success", "failed", "canceled", "skipped"]
        rows = self.state.scheduler.store.pipelines(
            statuses, ref=self.get_query_argument("ref", None)
        )
        # GitLab leaves child pipelines out unless they are asked for with source=parent_pipeline.
        source = self.get_query_argument("source", None)
        rows = [
            p for p in rows if (p["source"] == source if source else not p["parent_pipeline_id"])
        ]
        if self.get_query_argument("sort", "desc") == "asc":
            rows.reverse()
        self.paginate([serialize.pipeline_basic(self.state.ctx, p) for p in rows])


class PipelineHandler(BaseHandler):
    """``GET /projects/:id/pipelines/:pipeline_id``."""

    def get(self, project_id: str, pipeline_id: str) -> None:
        """Return one pipeline."""
        self.check_project(project_id)
        self.send_json(self.pipeline_json(int(pipeline_id)))


class PipelineActionHandler(BaseHandler):
    """``POST /projects/:id/pipelines/:pipeline_id/(cancel|retry)``."""

    def post(self, project_id: str, pipeline_id: str, action: str) -> None:
        """Cancel or retry a pipeline."""
        self.check_project(project_id)
        scheduler = self.state.scheduler
        scheduler.find_pipeline(int(pipeline_id))
        if action == "cancel":
            actions.cancel_pipeline(scheduler, int(pipeline_id))
        else:
            actions.retry_pipeline(scheduler, int(pipeline_id))
        self.send_json(self.pipeline_json(int(pipeline_id)), 201 if action == "retry" else 200)


class JobsHandler(BaseHandler):
    """``GET /projects/:id/jobs`` and ``GET /projects/:id/pipelines/:pipeline_id/jobs``."""

    def get(self, project_id: str, pipeline_id: str | None = None) -> None:
        """List jobs, newest first, filtered by ``scope[]``."""
        self.check_project(project_id)
        scheduler = self.state.scheduler
        if pipeline_id is not None:
            scheduler.find_pipeline(int(pipeline_id))
        include_retried = self.get_query_argument("include_retried", "false") == "true"
        rows = scheduler.store.jobs(
            int(pipeline_id) if pipeline_id else None,
            self.scopes(),
            include_retried or pipeline_id is None,
        )
        if pipeline_id is not None:
            rows.sort(key=lambda j: j["id"])
        # Trigger jobs are listed at .../bridges, as GitLab lists them.
        self.paginate([self.job_json(j) for j in rows if not bridges.is_bridge(j)])


class JobHandler(BaseHandler):
    """``GET /projects/:id/jobs/:job_id``."""

    def get(self, project_id: str, job_id: str) -> None:
        """Return one job (a trigger job is not one, as in GitLab)."""
        job = self.find_job(project_id, job_id)
        if bridges.is_bridge(job):
            msg = "404 Job Not Found"
            raise NotFoundError(msg)
        self.send_json(self.job_json(job))


class TraceHandler(BaseHandler):
    """``GET /projects/:id/jobs/:job_id/trace``."""

    def get(self, project_id: str, job_id: str) -> None:
        """Return the job's log as plain text."""
        job = self.find_job(project_id, job_id)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(self.state.scheduler.store.trace(job["id"]))


class JobActionHandler(BaseHandler):
    """``POST /projects/:id/jobs/:job_id/(cancel|retry|play)``."""

    def post(self, project_id: str, job_id: str, action: str) -> None:
        """Cancel, retry or play a job."""
        job = self.find_job(project_id, job_id)
        scheduler = self.state.scheduler
        if action == "cancel":
            self.send_json(self.job_json(actions.cancel_job(scheduler, job["id"])), 201)
        elif action == "retry":
            mode = hold.requested_hold(self)
            retried = actions.retry_job(scheduler, job["id"])
            # The new job has not started yet (it waits for its turn on the event loop).
            spec = hold.set_hold(retried["spec"], mode)
            if spec != retried["spec"]:
                scheduler.store.update_job(retried["id"], spec=spec)
                retried = {**retried, "spec": spec}
            self.send_json(self.job_json(retried), 201)
        else:
            self.send_json(self.job_json(actions.play_job(scheduler, job["id"])), 200)


class ArtifactsHandler(BaseHandler):
    """``GET /projects/:id/jobs/:job_id/artifacts`` (the zip) and ``.../artifacts/<path>`` (one file)."""

    async def get(self, project_id: str, job_id: str, path: str | None = None) -> None:
        """Send the archive or one file from it."""
        job = self.find_job(project_id, job_id)
        archive = archive_path(self.state.scheduler.settings.state_dir, job["id"])
        if not job["artifacts"] or not archive.is_file():
            msg = "404 Not found"
            raise NotFoundError(msg)
        if path is None:
            self.set_header("Content-Type", "application/zip")
            self.set_header("Content-Disposition", 'attachment; filename="artifacts.zip"')
            self.finish(archive.read_bytes())
            return
        with zipfile.ZipFile(archive) as zf:
            try:
                data = zf.read(path)
            except KeyError:
                msg = "404 Not found"
                raise NotFoundError(msg) from None
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(data)


class TerminalHandler(BaseHandler):
    """``GET /projects/:id/jobs/:job_id/terminal``: the Channel, as GitLab's authorize gives Workhorse."""

    def get(self, project_id: str, job_id: str) -> None:
        """Return the Channel of a running (or held) job; 404 otherwise."""
        job = self.find_job(project_id, job_id)
        session = self.state.registry.for_job(job["id"])
        # Without a session server (session_base ""), jobs have no terminal, as in GitLab.
        if job["status"] != "running" or session is None or not self.state.session_base:
            msg = "404 Terminal Not Found"
            raise NotFoundError(msg)
        channel = Channel(
            url=f"{self.state.session_base}{session.endpoint}/exec",
            subprotocols=SERVER_PREFERENCE,
            header={"Authorization": [session.token]},
            ca_pem=self.state.ca_pem,
        )
        self.set_header("Cache-Control", "no-store")
        self.send_json(channel.to_authorize_json())


class NotFoundHandler(BaseHandler):
    """Any other route: GitLab's JSON 404."""

    def prepare(self) -> None:
        """Answer 404 (after auth, like GitLab)."""
        super().prepare()
        if not self._finished:
            self.send_json({"error": "404 Not Found"}, 404)


def make_app(state: ApiState) -> web.Application:
    """Build the API application."""
    p = r"/api/v4/projects/([^/]+)"
    routes: list[tuple[str, type[BaseHandler]]] = [
        (r"/api/v4/version", VersionHandler),
        (r"/api/v4/user", UserHandler),
        (r"/api/v4/job", CurrentJobHandler),
        (r"/api/v4/projects/?", ProjectsHandler),
        (p + r"/?", ProjectHandler),
        (p + r"/pipeline", CreatePipelineHandler),
        (p + r"/pipelines", PipelinesHandler),
        (p + r"/pipelines/(\d+)", PipelineHandler),
        (p + r"/pipelines/(\d+)/jobs", JobsHandler),
        (p + r"/pipelines/(\d+)/(?:bridges|trigger_jobs)", BridgesHandler),
        (p + r"/pipelines/(\d+)/(cancel|retry)", PipelineActionHandler),
        (p + r"/jobs", JobsHandler),
        (p + r"/jobs/(\d+)", JobHandler),
        (p + r"/jobs/(\d+)/trace", TraceHandler),
        (p + r"/jobs/(\d+)/(cancel|retry|play)", JobActionHandler),
        (p + r"/jobs/(\d+)/artifacts", ArtifactsHandler),
        (p + r"/jobs/(\d+)/artifacts/(.+)", ArtifactsHandler),
        (p + r"/jobs/(\d+)/terminal", TerminalHandler),
        (p + r"/jobs/(\d+)/end_hold", hold.EndHoldHandler),
    ]
    pages = [(r"/[^/]+/[^/]+/-/(jobs|pipelines)/(\d+)", WebPageHandler)]
    last = [(r".*", NotFoundHandler)]
    return web.Application(
        [(route, handler, {"state": state}) for route, handler in [*routes, *pages, *last]]
    )
