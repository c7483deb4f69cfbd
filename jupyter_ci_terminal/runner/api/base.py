"""The API's shared plumbing: GitLab auth, JSON errors, pagination headers, lookups."""

from __future__ import annotations

import hmac
import json
import math
import urllib.parse
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from tornado import web
from tornado.log import app_log, gen_log

from ...errors import CIError, ConfigError, NotFoundError
from .. import accesslog
from ..execution.scheduler import Scheduler
from ..terminals.session import SessionRegistry
from . import serialize
from .store import STATUSES


@dataclass
class ApiState:
    """What the handlers share."""

    token: str
    scheduler: Scheduler
    registry: SessionRegistry
    ctx: serialize.Context
    session_base: str
    ca_pem: str
    #: JupyterLab's URL, where job and pipeline pages redirect ("": describe them instead).
    web_url: str = ""


class BaseHandler(web.RequestHandler):
    """Auth (``PRIVATE-TOKEN``, ``Authorization: Bearer`` or ``private_token``), JSON and errors."""

    def initialize(self, state: ApiState) -> None:
        """Receive the shared state."""
        self.state = state

    def prepare(self) -> None:
        """Answer 401 unless the request carries the runner's token."""
        headers = self.request.headers
        presented = headers.get("PRIVATE-TOKEN") or self.get_query_argument("private_token", "")
        bearer = headers.get("Authorization", "")
        if not presented and bearer.startswith("Bearer "):
            presented = bearer[len("Bearer ") :]
        if not hmac.compare_digest(presented.encode(), self.state.token.encode()):
            self.send_json({"message": "401 Unauthorized"}, 401)

    def send_json(self, body: Any, status: int = 200) -> None:
        """Finish with a JSON body."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Render errors as GitLab does: ``{"message": ...}``."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = str(exc) if isinstance(exc, CIError) else f"{status_code} {self._reason}"
        if isinstance(exc, ConfigError):
            self.finish(json.dumps({"message": {"base": [message]}}))
        else:
            self.finish(json.dumps({"message": message}))

    def log_exception(
        self,
        typ: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """A CIError is an answer, not a crash: one line, no traceback."""
        if isinstance(value, CIError):
            gen_log.info("%s %s: %s", self.request.method, self.request.path, value)
            return
        if isinstance(value, web.HTTPError):
            super().log_exception(typ, value, tb)  # through _request_summary below
            return
        # Tornado's own line holds repr(request): the URI, with a ?private_token= in it.
        app_log.error("Uncaught exception %s", self._request_summary(), exc_info=(typ, value, tb))  # type: ignore[arg-type]

    def _request_summary(self) -> str:
        """The request in log lines, with no query string (it may hold ``private_token``)."""
        return accesslog.request_line(self.request)

    def send_error(self, status_code: int = 500, **kwargs: Any) -> None:
        """Use the status of :class:`CIError` exceptions."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, CIError):
            status_code = exc.status
        self.set_header("Content-Type", "application/json")
        super().send_error(status_code, **kwargs)

    def check_project(self, project_id: str) -> None:
        """Accept the project's id or its url-encoded path."""
        ctx = self.state.ctx
        if urllib.parse.unquote(project_id) not in (str(ctx.project_id), ctx.path):
            msg = "404 Project Not Found"
            raise NotFoundError(msg)

    def scopes(self) -> list[str]:
        """Return the ``scope[]``/``scope`` filter, checked against GitLab's statuses."""
        scopes = self.get_query_arguments("scope[]") + self.get_query_arguments("scope")
        if any(s not in STATUSES for s in scopes):
            self.send_json({"error": "scope does not have a valid value"}, 400)
            raise web.Finish
        return scopes

    def paginate(self, items: list[Any]) -> None:
        """Send one page of ``items`` with GitLab's pagination headers."""
        try:
            page = max(1, int(self.get_query_argument("page", "1")))
            per_page = min(100, max(1, int(self.get_query_argument("per_page", "20"))))
        except ValueError:
            page, per_page = 1, 20
        total = len(items)
        pages = max(1, math.ceil(total / per_page))
        self.set_header("X-Page", str(page))
        self.set_header("X-Per-Page", str(per_page))
        self.set_header("X-Total", str(total))
        self.set_header("X-Total-Pages", str(pages))
        self.set_header("X-Next-Page", str(page + 1) if page < pages else "")
        self.set_header("X-Prev-Page", str(page - 1) if page > 1 else "")
        links = []
        for rel, target in (("prev", page - 1), ("next", page + 1), ("first", 1), ("last", pages)):
            if 1 <= target <= pages and (rel in ("first", "last") or target != page):
                query = dict(self.request.query_arguments)
                query.update({"page": [str(target).encode()], "per_page": [str(per_page).encode()]})
                pairs = [(k, v.decode()) for k, vs in query.items() for v in vs]
                url = self.request.full_url().split("?")[0] + "?" + urllib.parse.urlencode(pairs)
                links.append(f'<{url}>; rel="{rel}"')
        self.set_header("Link", ", ".join(links))
        self.send_json(items[(page - 1) * per_page : page * per_page])

    def pipeline_json(self, pipeline_id: int) -> dict[str, Any]:
        """Return one pipeline's full JSON."""
        return serialize.pipeline(self.state.ctx, self.state.scheduler.find_pipeline(pipeline_id))

    def job_json(self, job: dict[str, Any]) -> dict[str, Any]:
        """Return one job's JSON."""
        pipeline = self.state.scheduler.find_pipeline(job["pipeline_id"])
        scheduler = self.state.scheduler
        return serialize.job(
            self.state.ctx,
            job,
            pipeline,
            scheduler.explain.pending_reason(job),
            scheduler.explain.slot_holders(job),
        )

    def find_job(self, project_id: str, job_id: str) -> dict[str, Any]:
        """Return a job of this project or raise 404."""
        self.check_project(project_id)
        return self.state.scheduler.find_job(int(job_id))
