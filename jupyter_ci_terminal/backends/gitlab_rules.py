"""GitLab's rules for job terminals, and its answers, as pure functions (no I/O).

GitLab opens a job's terminal (``create_build_terminal``) only when the job is running with a
runner session, the user started the job and may update it, and the project is not archived.
The REST API exposes no terminal field, so the panel's Debug button is computed here from what
it does expose; the runner session itself only shows when Workhorse answers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from ..errors import ChannelError, NoTerminalError, WebSessionRefusedError
from .websession import COOKIE

#: The one subprotocol offered: gorilla's choice between two differs across versions.
SUBPROTOCOL = "terminal.gitlab.com"


def terminal_state(
    job: dict[str, Any], me: dict[str, Any] | None, archived: bool
) -> dict[str, Any]:
    """``{"available", "reason"}`` for ``job`` as seen by the GitLab user ``me``."""
    status = str(job.get("status", ""))
    if archived:
        return _no("The project is archived; GitLab opens no terminals in archived projects.")
    if status != "running":
        return _no(
            f"The job is {status.replace('_', ' ') or 'not running'}; only running jobs can be debugged."
        )
    starter = job.get("user") or {}
    if me is None or starter.get("id") != me.get("id"):
        who = f"@{starter['username']}" if starter.get("username") else "someone else"
        return _no(f"Only the person who started a job can debug it; {who} started this one.")
    return {"available": True, "reason": ""}


def _no(reason: str) -> dict[str, Any]:
    return {"available": False, "reason": reason}


def terminal_url(gitlab_url: str, path_with_namespace: str, job_id: int) -> str:
    """``wss://<gitlab>/<namespace>/<project>/-/jobs/<id>/terminal.ws`` (ws:// for http)."""
    parts = urlsplit(gitlab_url.rstrip("/"))
    scheme = "wss" if parts.scheme == "https" else "ws"
    path = f"{parts.path}/{quote(path_with_namespace)}/-/jobs/{int(job_id)}/terminal.ws"
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def project_path(gitlab_url: str, web_url: str) -> str:
    """``namespace/project`` from a job's ``web_url`` (``<gitlab>/<path>/-/jobs/<id>``), or ""."""
    base = urlsplit(gitlab_url.rstrip("/")).path
    path = urlsplit(web_url).path
    if base and path.startswith(base + "/"):
        path = path[len(base) :]
    head, sep, _ = path.strip("/").partition("/-/")
    return unquote(head) if sep and head else ""


def needs_session(host: str) -> str:
    """Why a terminal needs the user's web session, and where to find it."""
    return (
        f"GitLab opens job terminals only for a signed-in browser session, never for API tokens:"
        f" give Jupyter your {COOKIE} cookie once (in a browser signed in to {host}, open the"
        f" developer tools → Application or Storage → Cookies → {host} → {COOKIE}, and copy its"
        " value)."
    )


def session_refused(host: str) -> str:
    """GitLab sent the web session to sign-in."""
    return (
        f"GitLab at {host} did not accept the web session (expired?): sign in to GitLab again"
        f" and give Jupyter the new {COOKIE} cookie."
    )


NO_TERMINAL = (
    "GitLab has no terminal for this job: it is not running, was started by someone else,"
    " or its runner has no [session_server]."
)
UNREACHABLE = "GitLab could not reach the job's runner, or another terminal is open on this job."


def workhorse_refusals(host: str) -> dict[int, tuple[type[ChannelError], str]]:
    """What Workhorse's answers to ``terminal.ws`` mean (it passes Rails' refusals through)."""
    refused = (WebSessionRefusedError, session_refused(host))
    return {
        404: (NoTerminalError, NO_TERMINAL),
        500: (ChannelError, UNREACHABLE),
        301: refused,
        302: refused,
        401: refused,
    }
