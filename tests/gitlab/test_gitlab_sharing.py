"""Who may join an open GitLab terminal when the Jupyter server tells its users apart.

GitLab lets only the person who started a job into its shell, and the shell runs with their web
session. A session opened by Alice is therefore shared only with Jupyter users whose own web
session signs in the same GitLab user; everyone else gets the sentence, on every way in.
"""

from __future__ import annotations

from typing import Any

import pytest
from gitlab_support import ALICE_SESSION, BOB_SESSION, CI
from tornado.httpclient import HTTPClientError

ALICE = {"headers": {"X-Jupyter-User": "alice"}}
BOB = {"headers": {"X-Jupyter-User": "bob"}}
NOBODY = {"headers": {"X-Jupyter-User": "dave"}}
#: Another Jupyter user (a second browser profile, say) signed in to GitLab as Alice.
ALICE_TOO = {"headers": {"X-Jupyter-User": "alice-laptop"}}


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    jp_server_config["ServerApp"]["identity_provider_class"] = (
        "gitlab_support.HeaderIdentityProvider"
    )
    return jp_server_config


async def open_as(ci: CI, job: dict[str, Any], who: dict[str, Any]) -> tuple[int, Any]:
    body = {"project": "gitlab-42", "job": job["id"]}
    return await ci.call("POST", "api", "terminals", body=body, **who)


async def test_an_open_gitlab_terminal_is_shared_only_with_its_gitlab_user(
    ci: CI, jp_ws_fetch: Any
) -> None:
    assert (await ci.give_session(ALICE_SESSION, **ALICE))[0] == 204
    assert (await ci.give_session(BOB_SESSION, **BOB))[0] == 204
    assert (await ci.give_session(ALICE_SESSION, **ALICE_TOO))[0] == 204
    job = await ci.running_job()
    code, session = await open_as(ci, job, ALICE)
    assert code == 200, session
    name = session["name"]

    refused = (
        "This job's terminal is open as GitLab user @alice, and GitLab lets only that user into"
        " it: it is not shared with you."
    )
    for who in (BOB, NOBODY):
        code, body = await open_as(ci, job, who)
        assert (code, body["reason"], body["message"]) == (403, "ForbiddenError", refused)
        code, body = await ci.call("GET", "api", "terminals", name, "recording", **who)
        assert (code, body["message"]) == (403, refused)
        code, body = await ci.call("DELETE", "api", "terminals", name, **who)
        assert (code, body["message"]) == (403, refused)
        with pytest.raises(HTTPClientError) as e:
            await jp_ws_fetch("ci-terminal", "terminals", "websocket", name, **who)
        assert e.value.code == 403

    # The same GitLab user from another Jupyter identity joins the same session.
    code, again = await open_as(ci, job, ALICE_TOO)
    assert (code, again["name"]) == (200, name)
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", name, **ALICE_TOO)
    ws.close()
    code, _ = await ci.call("DELETE", "api", "terminals", name, **ALICE)
    assert code == 204
