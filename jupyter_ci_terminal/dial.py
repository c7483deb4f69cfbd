"""One dialer for every backend: open a websocket to a job's terminal Channel.

TLS is verified against the Channel's ``CAPem`` when given (that PEM is then the only root, as
Workhorse does), against the system roots otherwise, and never skipped. The Channel's headers
(the runner token, or a GitLab web session) are sent; no ``Origin`` unless configured, because
gitlab-runner's upgrader refuses a foreign one. HTTP failures become sentences a person can act on.

Reaching the runner is bounded by ``connect_timeout``; once connected, the runner may hold the
upgrade while the job's shell is not ready (gitlab-runner: up to 60 s, then 503), so the
answer is awaited ``ready_timeout`` longer.
"""

from __future__ import annotations

import asyncio
import ssl
from urllib.parse import urlsplit

from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.httputil import HTTPHeaders
from tornado.websocket import WebSocketClientConnection, websocket_connect

from .channel import Channel
from .errors import (
    ChannelError,
    NoTerminalError,
    ShellNotReadyError,
    TerminalInUseError,
    TLSVerifyError,
    TokenRefusedError,
)

_STATUS_ERRORS: dict[int, tuple[type[ChannelError], str]] = {
    401: (TokenRefusedError, "The runner refused the session token."),
    403: (TokenRefusedError, "The terminal endpoint refused this connection (HTTP 403)."),
    404: (NoTerminalError, "The job is not running or has no terminal."),
    423: (TerminalInUseError, "Another client holds this job's terminal."),
    503: (ShellNotReadyError, "The job has not started its shell yet."),
}


def ssl_context(ca_pem: str | None) -> ssl.SSLContext:
    """Build a verifying TLS context; a given PEM is the only trusted root."""
    ctx = ssl.create_default_context(cadata=ca_pem) if ca_pem else ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def endpoint(url: str) -> str:
    """``host:port`` of a websocket URL, for messages (never its path, which may hold a secret)."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def tls_error(host: str, e: ssl.SSLError) -> TLSVerifyError:
    """One sentence for a failed TLS handshake with ``host``."""
    if isinstance(e, ssl.SSLCertVerificationError):
        return TLSVerifyError(f"The certificate of {host} did not verify: {e.verify_message}.")
    return TLSVerifyError(f"TLS with {host} failed: {e.reason or e}.")


def refusal(channel: Channel, code: int) -> ChannelError:
    """The error an HTTP refusal ``code`` of the upgrade stands for at ``channel``'s endpoint."""
    cls, text = channel.refusals.get(code) or _STATUS_ERRORS.get(
        code, (ChannelError, f"The runner at {endpoint(channel.url)} answered HTTP {code}.")
    )
    return cls(text)


async def dial(
    channel: Channel,
    *,
    connect_timeout: float = 10.0,
    ready_timeout: float = 60.0,
    ping_interval: float | None = 30.0,
    origin: str | None = None,
    max_message_size: int = 16 * 1024 * 1024,
) -> WebSocketClientConnection:
    """Connect to ``channel``; failures raise a :class:`ChannelError` subclass."""
    headers = HTTPHeaders()
    for name, values in channel.header.items():
        for value in values:
            headers.add(name, value)
    if origin:
        headers["Origin"] = origin
    request = HTTPRequest(
        channel.url,
        headers=headers,
        connect_timeout=connect_timeout,
        request_timeout=connect_timeout + ready_timeout,
        ssl_options=ssl_context(channel.ca_pem) if channel.url.startswith("wss:") else None,
    )
    host = endpoint(channel.url)
    try:
        return await asyncio.wait_for(
            websocket_connect(
                request,
                subprotocols=list(channel.subprotocols) or None,
                ping_interval=ping_interval,
                max_message_size=max_message_size,
            ),
            timeout=connect_timeout + ready_timeout + 1,
        )
    except HTTPClientError as e:
        if e.code == 599 and "connecting" not in str(e):
            # Connected, but no answer: the runner held the request for the job's shell.
            msg = f"The job's terminal was not ready within {ready_timeout:g} s."
            raise ShellNotReadyError(msg) from None
        if e.code == 599:
            msg = f"The runner at {host} did not answer within {connect_timeout:g} s."
            raise ChannelError(msg) from None
        raise refusal(channel, e.code) from None
    except ssl.SSLError as e:
        raise tls_error(host, e) from None
    except (asyncio.TimeoutError, TimeoutError):
        msg = f"The runner at {host} did not answer within {connect_timeout:g} s."
        raise ChannelError(msg) from None
    except OSError as e:
        msg = f"The runner at {host} cannot be reached ({e.strerror or e})."
        raise ChannelError(msg) from None
