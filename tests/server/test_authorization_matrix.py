"""Every route of the extension, for every kind of caller, generated from the server's route table.

The routes come from the running server itself, so a new route is tested the day it is added:
it fails here until :data:`ACTIONS` says which action it needs. Callers: no credentials, a wrong
token, a user whose Authorizer grants only ``read`` on ``terminals``, and one granted everything.
Path parameters name things that do not exist, so no call changes anything; authorization runs
before the handler body, so a 404 proves the caller got through.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from authmatrix import TOKENS
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketHandler, websocket_connect

#: The action on ``terminals`` each route needs, as docs/security.md states it.
ACTIONS = {
    ("ProjectsHandler", "GET"): "read",
    ("PipelinesHandler", "GET"): "read",
    ("PipelinesHandler", "POST"): "write",
    ("PipelineJobsHandler", "GET"): "read",
    ("PipelineActionHandler", "POST"): "write",
    ("JobHandler", "GET"): "read",
    ("TraceHandler", "GET"): "read",
    ("JobActionHandler", "POST"): "write",
    ("EndHoldHandler", "POST"): "execute",  # ends a job's shell
    ("TerminalsHandler", "GET"): "read",
    ("TerminalsHandler", "POST"): "execute",
    ("TerminalHandler", "GET"): "read",
    ("TerminalHandler", "DELETE"): "execute",
    ("RecordingHandler", "GET"): "execute",  # a recording is the shell's output
    ("WebSessionHandler", "GET"): "read",
    ("WebSessionHandler", "PUT"): "write",
    ("WebSessionHandler", "DELETE"): "write",
    ("CITermSocket", "GET"): "execute",
    ("FrontEndSocket", "GET"): "execute",  # only a window that may open a terminal asks for one
    # A job's agent dials in with the agent token and its job token, never a Jupyter login:
    # every Jupyter caller, even one granted everything, is refused there.
    ("AgentConnectHandler", "GET"): "agent-token",
}
#: A value for each path parameter that names nothing on the server.
SAMPLES = {
    "project": "no-such-project",
    "pipeline": "987654",
    "job": "987654",
    "name": "no-such-session",
}
CALLERS = {
    "no credentials": None,
    "wrong token": "not-a-token",
    "read-only user": "reader-secret-token",
    "execute user": "executor-secret-token",
}
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    """The extension's usual server, with two users and a read-only Authorizer."""
    server = dict(jp_server_config["ServerApp"])
    server["identity_provider_class"] = "authmatrix.TwoUsers"
    server["authorizer_class"] = "authmatrix.ReadOnlyReader"
    return {**jp_server_config, "ServerApp": server}


def _fill(pattern: str) -> str:
    def sample(m: re.Match[str]) -> str:
        name, body = m.group(1), m.group(2)
        if name == "action":
            return body.split("|")[0]
        assert name in SAMPLES, f"add a sample value for path parameter {name!r}"
        return SAMPLES[name]

    return re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", sample, pattern).rstrip("$")


def _routes(app: Any) -> list[tuple[str, str, str, bool]]:
    """(handler name, method, path, is websocket) for every route of the extension."""
    routes = []
    rules = [r for host in app.default_router.rules for r in getattr(host.target, "rules", [])]
    for rule in rules:
        pattern = rule.matcher.regex.pattern
        if "/ci-terminal/" not in pattern:
            continue
        handler = rule.target
        is_ws = issubclass(handler, WebSocketHandler)
        for method in METHODS:
            if is_ws and method != "GET":
                continue
            own = getattr(handler, method.lower(), None)
            base = getattr(WebSocketHandler if is_ws else _PlainBase, method.lower(), None)
            if own is not None and own is not base:
                routes.append((handler.__name__, method, _fill(pattern), is_ws))
    return routes


class _PlainBase:
    """What tornado's RequestHandler defines for every verb (its 405 answer)."""

    from tornado.web import RequestHandler

    get = RequestHandler.get
    post = RequestHandler.post
    put = RequestHandler.put
    delete = RequestHandler.delete
    patch = RequestHandler.patch


async def _status(client: Any, port: int, path: str, method: str, token: str | None) -> int:
    # An empty header keeps pytest-jupyter's client from adding its own token.
    headers = {"Authorization": f"token {token}" if token else ""}
    if method == "WEBSOCKET":
        request = HTTPRequest(f"ws://localhost:{port}{path}", headers=headers, request_timeout=30)
        try:
            ws = await websocket_connect(request)
        except HTTPClientError as e:
            return e.code
        ws.close()
        return 101
    body = json.dumps({}) if method in ("POST", "PUT", "PATCH") else None
    response = await client.fetch(
        path, method=method, headers=headers, body=body, raise_error=False, request_timeout=30
    )
    return int(response.code)


async def test_every_route_is_in_the_action_table(jp_serverapp: Any) -> None:
    found = {(name, method) for name, method, _, _ in _routes(jp_serverapp.web_app)}
    assert found, "the extension's routes were not found in the server"
    missing = sorted(found - set(ACTIONS))
    assert not missing, f"routes with no expected action: {missing}"
    stale = sorted(set(ACTIONS) - found)
    assert not stale, f"the table names routes the server does not serve: {stale}"


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_each_route_lets_in_exactly_the_callers_its_action_allows(
    jp_serverapp: Any, http_server_client: Any, jp_http_port: int, caller: str
) -> None:
    token = CALLERS[caller]
    user = TOKENS.get(token or "")
    routes = _routes(jp_serverapp.web_app)
    assert len(routes) >= len(ACTIONS), "the extension's routes were not found in the server"
    wrong = []
    for name, method, path, is_ws in routes:
        # The route's pattern already holds the server's base_url.
        verb = "WEBSOCKET" if is_ws else method
        status = await _status(http_server_client, jp_http_port, path, verb, token)
        action = ACTIONS[(name, method)]
        allowed = action != "agent-token" and (
            user == "executor" or (user == "reader" and action == "read")
        )
        refused = status in (401, 403)
        if refused == allowed:
            wrong.append(f"{method} {path} ({name}): {status}")
    assert not wrong, f"{caller}: " + "; ".join(wrong)
