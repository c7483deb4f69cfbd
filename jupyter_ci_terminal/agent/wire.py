"""The agent connection's wire: JSON control messages in text frames, terminal data in binary.

Binary frames carry ``channel.k8s.io`` frames (the server sends stdin and resize, the agent
stdout), so resizing works as with a runner's session server. Control messages:

* server → agent: ``{"type": "open"}`` (start the shell, at the size of the first binary frame
  that follows when it is a resize; or hand over the one kept from an earlier connection),
  ``{"type": "close"}`` (end it),
  ``{"type": "pause"}`` / ``{"type": "resume"}`` (stop and restart reading the shell's output
  while the server's viewers are behind);
* agent → server: ``{"type": "opened"}``, ``{"type": "exited", "reason": "..."}``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

#: The connect route under the Jupyter server's base URL.
CONNECT_PATH = "ci-terminal/agents/connect"
#: Request headers: the agent token (opens only the connect route), and the job's own token.
AGENT_TOKEN_HEADER = "CI-Terminal-Agent-Token"  # noqa: S105 (a header name)
JOB_TOKEN_HEADER = "JOB-TOKEN"  # noqa: S105
#: The job's CI_SERVER_URL: which configured GitLab (or local runner) to check the job token with.
SERVER_URL_HEADER = "CI-Server-URL"

OPEN, OPENED, CLOSE, EXITED = "open", "opened", "close", "exited"
PAUSE, RESUME = "pause", "resume"


def control(kind: str, **fields: Any) -> str:
    """Encode one control message."""
    return json.dumps({"type": kind, **fields})


def parse_control(text: str) -> dict[str, Any]:
    """Decode one control message; anything that is not a JSON object is ``{}``."""
    try:
        message = json.loads(text)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


def connect_url(base: str) -> str:
    """``ws(s)://…/ci-terminal/agents/connect`` for the Jupyter server at ``base`` (http(s) URL)."""
    if base.startswith("https://"):
        base = "wss://" + base[len("https://") :]
    elif base.startswith("http://"):
        base = "ws://" + base[len("http://") :]
    elif not base.startswith(("ws://", "wss://")):
        msg = f"JUPYTER_CI_TERMINAL_URL must be an http(s) URL, not {base[:60]!r}."
        raise ValueError(msg)
    return base.rstrip("/") + "/" + CONNECT_PATH


def say(text: str) -> None:
    """One line for the job's log (stdout, flushed: the log is read live)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
