"""The errors the notebook side adds to the package's hierarchy, and how they cross the REST edge.

::

    CIError (jupyter_ci_terminal.errors)
    ├── NoServerError         no Jupyter server with the extension was found or reached
    ├── ForbiddenError
    │   └── ServerAuthError   the Jupyter server refused the token
    ├── JobStateError         the job cannot reach the state asked for (it ended, it is manual)
    ├── CommandFailedError    RunResult.check(): the command exited with a non-zero code
    └── CITimeoutError        a wait or a command took too long (also a TimeoutError)

The server answers errors as ``{"message", "reason"}``; :func:`from_response` raises the class
named by ``reason``, so ``except NotFoundError`` works the same in the kernel as in the server.
"""

from __future__ import annotations

from typing import Any

import requests

from ..errors import BackendError, CIError, ForbiddenError


class NoServerError(CIError):
    """No Jupyter server with the CI terminal extension was found, or it cannot be reached."""


class ServerAuthError(ForbiddenError):
    """The Jupyter server refused the token."""


class JobStateError(CIError):
    """The job cannot reach the state asked for: it already ended, or waits to be played."""

    status = 409


class CommandFailedError(CIError):
    """A command run in a job exited with a non-zero code."""

    def __init__(self, message: str, exit_code: int, stdout: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.stdout = stdout


class CITimeoutError(CIError, TimeoutError):
    """A wait, a command or a request took longer than allowed."""

    status = 504


def _classes(base: type[CIError] = CIError) -> dict[str, type[CIError]]:
    found = {base.__name__: base}
    for sub in base.__subclasses__():
        found.update(_classes(sub))
    return found


def from_response(response: requests.Response, server: str) -> CIError:
    """The error an unsuccessful answer of ``server`` stands for, with its one-sentence message."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    message = str(body.get("message") or "") if isinstance(body, dict) else ""
    reason = body.get("reason") if isinstance(body, dict) else None
    cls = _classes().get(reason) if isinstance(reason, str) else None
    if cls is not None and message:
        return cls(message)
    code = response.status_code
    if code in (401, 403):
        return ServerAuthError(
            f"The Jupyter server at {server} refused the token (HTTP {code}); give the right "
            "one to ci.connect(url, token), attach's --token, or JUPYTER_CI_SERVER_TOKEN."
        )
    if code == 404:
        return NoServerError(
            f"The Jupyter server at {server} does not serve the CI terminal API; enable it with "
            "`jupyter server extension enable jupyter_ci_terminal`."
        )
    detail = message.rstrip(".") or response.reason or "no details"
    return BackendError(f"The Jupyter server at {server} answered HTTP {code}: {detail}.")
