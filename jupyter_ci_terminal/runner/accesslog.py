"""The runner's access log, without the secrets a request line can carry.

GitLab accepts the API token as ``?private_token=``, so the runner does too, and tornado's own
access log writes the full URI of every request (4xx and 5xx ones at warning level). Log lines
here carry the path and never the query string; a terminal path's session id
(``/session/<64 hex>/exec``) is masked too, should such a path reach them.
"""

from __future__ import annotations

import re
from typing import TypeVar

from tornado import httputil, web
from tornado.log import access_log

_SESSION = re.compile(r"(/session/)[^/]+")
MASK = "[secret]"

App = TypeVar("App", bound=web.Application)


def request_line(request: httputil.HTTPServerRequest) -> str:
    """``METHOD /path (ip)``, with no query string and no session token."""
    path = _SESSION.sub(rf"\g<1>{MASK}", request.path)
    return f"{request.method} {path} ({request.remote_ip})"


def log_request(handler: web.RequestHandler) -> None:
    """Tornado's ``log_function``: one line per request, at tornado's levels."""
    status = handler.get_status()
    if status < 400:
        log = access_log.info
    elif status < 500:
        log = access_log.warning
    else:
        log = access_log.error
    elapsed = 1000.0 * handler.request.request_time()
    log("%d %s %.2fms", status, request_line(handler.request), elapsed)


def quiet(app: App) -> App:
    """Make ``app`` log requests with :func:`log_request`; returns it."""
    app.settings["log_function"] = log_request
    return app
