"""Secrets masked in log lines: the runner's request lines and the server's log filter."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

from jupyter_ci_terminal.runner.accesslog import request_line
from jupyter_ci_terminal.server.redact import Redactor, config_secrets

HEX = "ab" * 32


@pytest.mark.parametrize(
    ("uri", "line"),
    [
        ("/api/v4/projects/1/jobs?private_token=s3cret", "GET /api/v4/projects/1/jobs (127.0.0.1)"),
        ("/api/v4/nothing?page=2&private_token=s3cret", "GET /api/v4/nothing (127.0.0.1)"),
        (f"/session/{HEX}/exec", "GET /session/[secret]/exec (127.0.0.1)"),
        (f"/session/{HEX}/exec?x=1", "GET /session/[secret]/exec (127.0.0.1)"),
        ("/api/v4/version", "GET /api/v4/version (127.0.0.1)"),
    ],
)
def test_runner_request_lines_carry_no_query_and_no_session_id(uri: str, line: str) -> None:
    start = RequestStartLine("GET", uri, "HTTP/1.1")
    request = HTTPServerRequest(start_line=start, headers=HTTPHeaders({"Host": "127.0.0.1"}))
    request.remote_ip = "127.0.0.1"
    assert request_line(request) == line


def _record(msg: str, *args: Any) -> logging.LogRecord:
    return logging.LogRecord("ServerApp", logging.DEBUG, __file__, 1, msg, args, None)


@pytest.mark.parametrize(
    ("secrets", "msg", "args", "shown"),
    [
        (
            ["glpat-abcdefgh"],
            "Config changed: %r",
            ({"gitlab_token": "glpat-abcdefgh"},),
            "Config changed: {'gitlab_token': '[secret]'}",
        ),
        (
            ["tok-12345678", "tok-12345678-longer"],
            "%s %s",
            ("tok-12345678-longer", "tok-12345678"),
            "[secret] [secret]",
        ),
        (["short"], "a short word", (), "a short word"),  # too short to be a token: not masked
        (["glpat-abcdefgh"], "nothing secret %d", (3,), "nothing secret 3"),
    ],
)
def test_server_log_filter_masks_known_secrets(
    secrets: list[str], msg: str, args: tuple[Any, ...], shown: str
) -> None:
    record = _record(msg, *args)
    assert Redactor(secrets).filter(record)
    assert record.getMessage() == shown


@pytest.mark.parametrize(
    ("config", "environ", "expected"),
    [
        ({"CITerminalApp": {"gitlab_token": "glpat-config1"}}, {}, {"glpat-config1"}),
        (
            {},
            {"GITLAB_TOKEN": "glpat-env1", "CI_JOB_TOKEN": "glcbt-job1"},
            {"glpat-env1", "glcbt-job1"},
        ),
        (
            {
                "CITerminalApp": {
                    "gitlab_instances": [
                        {"token": "t-inline", "name": "a"},
                        {"token_env": "MY_TOKEN"},
                    ]
                }
            },
            {"MY_TOKEN": "t-from-env"},
            {"t-inline", "t-from-env"},
        ),
        ({"IdentityProvider": {"token": "jupyter-tok"}}, {}, {"jupyter-tok"}),
        (
            {"CITerminalApp": {"agent_token": "agent-tok", "gitlab_token_type": "job"}},
            {},
            {"agent-tok"},
        ),
        ({"CITerminalApp": {"gitlab_url": "https://gitlab.example.com"}}, {}, set()),
    ],
)
def test_secrets_are_collected_from_config_and_environment(
    config: dict[str, Any], environ: dict[str, str], expected: set[str]
) -> None:
    assert config_secrets(config, environ) == expected
