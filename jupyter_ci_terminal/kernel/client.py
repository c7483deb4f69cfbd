"""The REST and websocket client of the server extension: one choke point per transport.

Everything goes through the Jupyter server (``<url>ci-terminal/api/…`` with its token), so a
kernel needs no CI or runner credentials of its own.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

import requests
from websockets.exceptions import InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from ..errors import NotFoundError
from .discovery import ServerInfo
from .errors import CITimeoutError, NoServerError, ServerAuthError, from_response
from .service import JSON
from .terminals import TerminadoTerminal

API = "ci-terminal/api/"
SOCKET = "ci-terminal/terminals/websocket/"


class ServerClient:
    """Calls the CI terminal extension of one Jupyter server (a :class:`~.service.Service`)."""

    def __init__(self, server: ServerInfo, *, timeout: float = 30.0) -> None:
        self.server = server
        self.where = server.url
        self.lab_url = f"{server.url}lab"
        self.timeout = timeout
        self._http = requests.Session()
        self._headers = {"Authorization": f"token {server.token}"} if server.token else {}
        self._http.headers.update(self._headers)

    def __repr__(self) -> str:
        return f"<ServerClient {self.server.url}>"

    def request(
        self,
        method: str,
        *parts: object,
        body: dict[str, Any] | None = None,
        query: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send one request to ``<url>ci-terminal/api/<parts>``; errors become :class:`CIError`."""
        url = self.server.url + API + "/".join(quote(str(p), safe="") for p in parts)
        try:
            response = self._http.request(
                method, url, json=body, params=query, timeout=self.timeout
            )
        except requests.Timeout:
            msg = (
                f"The Jupyter server at {self.server.url} did not answer within {self.timeout:g} s."
            )
            raise CITimeoutError(msg) from None
        except requests.RequestException:
            msg = f"The Jupyter server at {self.server.url} cannot be reached; is it still running?"
            raise NoServerError(msg) from None
        if not response.ok:
            raise from_response(response, self.server.url)
        return response

    def get(self, *parts: object) -> Any:
        """GET a JSON resource."""
        return self.request("GET", *parts).json()

    def post(self, *parts: object, body: dict[str, Any] | None = None) -> Any:
        """POST (a JSON body) and return the JSON answer."""
        return self.request("POST", *parts, body=body or {}).json()

    def text(self, *parts: object) -> str:
        """GET a text resource."""
        response = self.request("GET", *parts)
        response.encoding = response.encoding or "utf-8"
        return response.text

    # -- the Service interface -----------------------------------------------------------------

    def projects(self) -> list[JSON]:
        """Projects of every backend the server has."""
        return list(self.get("projects"))

    def pipelines(self, project: str, *, mine: bool = False) -> list[JSON]:
        """Recent pipelines, newest first (``?scope=mine``: the user's own)."""
        query = {"scope": "mine"} if mine else None
        return list(self.request("GET", "projects", project, "pipelines", query=query).json())

    def create_pipeline(self, project: str, ref: str | None) -> JSON:
        """Start a pipeline."""
        return dict(self.post("projects", project, "pipelines", body={"ref": ref} if ref else {}))

    def pipeline_jobs(self, project: str, pipeline: int) -> list[JSON]:
        """A pipeline's jobs."""
        return list(self.get("projects", project, "pipelines", pipeline, "jobs"))

    def job(self, project: str, job: int) -> JSON:
        """One job."""
        return dict(self.get("projects", project, "jobs", job))

    def trace(self, project: str, job: int) -> str:
        """The job's log."""
        return self.text("projects", project, "jobs", job, "trace")

    def job_action(self, project: str, job: int, action: str) -> JSON:
        """Retry, cancel or play."""
        return dict(self.post("projects", project, "jobs", job, action))

    def open_terminal(self, project: str, job: int, *, open_tab: bool) -> JSON:
        """Open (or join) the job's terminal session on the server."""
        body: dict[str, Any] = {"project": project, "job": job}
        if open_tab:
            # Asks the server to tell JupyterLab to open the tab, next to this notebook if known.
            body.update(open=True, notebook=os.environ.get("JPY_SESSION_NAME"))
        return dict(self.post("terminals", body=body))

    def terminal(self, name: str) -> TerminadoTerminal:
        """Join session ``name`` as one more viewer."""
        return TerminadoTerminal(self.terminal_socket(name))

    def attach_command(self, project: str, job: int) -> str:
        """``jupyter ci-runner attach`` for the job, through this server."""
        return f"jupyter ci-runner attach {job} --project {project}"

    def set_web_session(self, value: str, backend: str | None = None) -> None:
        """Hand the server the user's GitLab web session (checked by GitLab, kept in memory)."""
        body = {"session": value, **({"backend": backend} if backend else {})}
        self.request("PUT", "gitlab", "session", body=body)

    def terminal_socket(self, name: str, *, open_timeout: float = 10.0) -> ClientConnection:
        """Open the terminado websocket of session ``name`` as one more viewer."""
        url = self.server.ws_url + SOCKET + quote(name, safe="")
        try:
            # No ping timeout: a long silent command must not look like a dead connection.
            return connect(
                url,
                additional_headers=self._headers,
                open_timeout=open_timeout,
                ping_timeout=None,
                max_size=None,
                compression=None,
            )
        except InvalidStatus as e:
            code = e.response.status_code
            if code in (401, 403):
                msg = f"The Jupyter server at {self.server.url} refused the terminal (HTTP {code})."
                raise ServerAuthError(msg) from None
            if code == 404:
                msg = f"The CI terminal session {name!r} does not exist (any more)."
                raise NotFoundError(msg) from None
            msg = f"The Jupyter server at {self.server.url} refused the terminal (HTTP {code})."
            raise NoServerError(msg) from None
        except TimeoutError:
            msg = f"The terminal of session {name!r} did not open within {open_timeout:g} s."
            raise CITimeoutError(msg) from None
        except (OSError, InvalidHandshake):
            msg = f"The Jupyter server at {self.server.url} cannot be reached; is it still running?"
            raise NoServerError(msg) from None

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._http.close()
