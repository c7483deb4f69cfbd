"""The Channel: how to reach one job's terminal, in the shape GitLab hands Workhorse.

GitLab's ``terminal.ws/authorize`` answers ``{"Channel": {"Url", "Subprotocols", "Header",
"CAPem", "MaxSessionTime"}}``; the local runner's terminal route answers the same, so every
backend resolves a job to this one object and one dialer serves them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import BackendError, ChannelError


@dataclass(frozen=True)
class Channel:
    """Where a job's terminal lives and how to authenticate to it.

    ``header`` holds secrets (the runner's session token, a GitLab web session): it is
    never logged and never leaves the Jupyter server; ``repr`` hides it.
    """

    url: str
    subprotocols: tuple[str, ...]
    header: dict[str, list[str]] = field(default_factory=dict, repr=False)
    ca_pem: str | None = field(default=None, repr=False)
    max_session_time: int | None = None
    #: What an HTTP refusal of the upgrade means at this endpoint, by status: the error to raise
    #: and its sentence. GitLab's Workhorse answers differently from a runner (404/500/302).
    refusals: Mapping[int, tuple[type[ChannelError], str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def from_authorize_json(cls, body: dict[str, Any]) -> Channel:
        """Parse an authorize response; a malformed one raises :class:`BackendError`."""
        try:
            spec = body["Channel"]
            url = str(spec["Url"])
            subprotocols = tuple(str(p) for p in spec.get("Subprotocols") or ())
            header = {str(k): [str(v) for v in vs] for k, vs in (spec.get("Header") or {}).items()}
            ca_pem = spec.get("CAPem") or None
            max_time = spec.get("MaxSessionTime")
        except (KeyError, TypeError, AttributeError) as e:
            msg = "The backend answered a terminal request with a malformed Channel."
            raise BackendError(msg) from e
        if not url.startswith(("ws://", "wss://")):
            msg = "The backend's terminal Channel is not a websocket URL."
            raise BackendError(msg)
        return cls(url, subprotocols, header, ca_pem, int(max_time) if max_time else None)

    def to_authorize_json(self) -> dict[str, Any]:
        """Render the GitLab authorize-response shape."""
        return {
            "Channel": {
                "Subprotocols": list(self.subprotocols),
                "Url": self.url,
                "Header": self.header,
                "CAPem": self.ca_pem or "",
                "MaxSessionTime": self.max_session_time,
            }
        }
