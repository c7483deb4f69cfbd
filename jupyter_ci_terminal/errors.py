"""One error hierarchy for the whole package, translated to HTTP/websocket/IPython only at the edges.

::

    CIError                       anything this package raises on purpose
    ├── ConfigError               bad settings or a broken .gitlab-ci.yml
    ├── ProtocolError             a malformed frame or message (terminado or runner side)
    ├── NotFoundError             unknown project, pipeline, job or terminal session
    ├── ForbiddenError            the action is switched off or not allowed
    │   └── WebSessionRequiredError   GitLab needs the user's web session for terminals
    ├── NoFrontEndError           no JupyterLab with the extension is connected to open a tab
    ├── BackendError              a CI backend (local runner, GitLab) failed or is unreachable
    └── ChannelError              dialing a job's terminal failed
        ├── TokenRefusedError     401 from the runner
        ├── TerminalInUseError    423: another client holds the job's terminal
        ├── ShellNotReadyError    503: the job has not started its shell yet
        ├── NoTerminalError       404: job not running or no terminal
        ├── TLSVerifyError        the runner's certificate did not verify
        └── WebSessionRefusedError  GitLab refused the web session (expired, signed out)

Every message is one sentence a person can act on, and never contains a secret.
"""

from __future__ import annotations


class CIError(Exception):
    """Base class of every error this package raises on purpose."""

    #: HTTP status used when the error reaches a REST edge.
    status: int = 500


class ConfigError(CIError):
    """Bad settings, or a `.gitlab-ci.yml` that cannot run."""

    status = 400


class ProtocolError(CIError):
    """A malformed frame or message."""

    status = 400
    #: Websocket close code when the error ends a connection (the codec that raises it decides:
    #: RFC 6455 1007 for malformed data, 1009 for a message too big).
    close_code: int = 1007


class NotFoundError(CIError):
    """An unknown project, pipeline, job or terminal session."""

    status = 404


class ForbiddenError(CIError):
    """The action is switched off or not allowed for this user."""

    status = 403


class WebSessionRequiredError(ForbiddenError):
    """GitLab opens job terminals only for a signed-in web session, which this user has not given."""


class NoFrontEndError(CIError):
    """A kernel asked for a terminal tab, and no JupyterLab with the extension is there to open it."""

    status = 409


class BackendError(CIError):
    """A CI backend failed or could not be reached."""

    status = 502


class ChannelError(CIError):
    """Dialing a job's terminal channel failed."""

    status = 502


class TokenRefusedError(ChannelError):
    """The runner refused the session token (HTTP 401)."""


class TerminalInUseError(ChannelError):
    """Another client holds this job's terminal (HTTP 423)."""

    status = 423


class ShellNotReadyError(ChannelError):
    """The job has not started its shell yet (HTTP 503)."""

    status = 503


class NoTerminalError(ChannelError):
    """The job is not running or has no terminal (HTTP 404)."""

    status = 404


class TLSVerifyError(ChannelError):
    """The runner's TLS certificate did not verify against the pinned CA."""


class WebSessionRefusedError(ChannelError):
    """GitLab did not accept the user's web session (302 to sign-in, or 401)."""

    # 403, not 401: a 401 from a Jupyter API reads as "your Jupyter login expired" to clients.
    status = 403
