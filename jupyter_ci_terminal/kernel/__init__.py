"""The notebook side: the ``ci`` API, Job objects, magics and the attach output.

``from jupyter_ci_terminal import ci`` for the API; ``%load_ext jupyter_ci_terminal`` for the
magics. Both talk to the Jupyter server's CI terminal extension, or, outside Jupyter, to a local
runner or GitLab directly (``ci.connect_runner()``, ``ci.connect_gitlab()``).
"""

from __future__ import annotations

from .api import CI, ci
from .attachment import MIME_TYPE, Attachment
from .discovery import ServerInfo, find_server
from .errors import (
    CITimeoutError,
    CommandFailedError,
    JobStateError,
    NoServerError,
    ServerAuthError,
)
from .jobs import Job, JobList
from .jobterminal import JobTerminal
from .pipelines import Pipeline, PipelineList
from .shell import RunResult

__all__ = [
    "CI",
    "MIME_TYPE",
    "Attachment",
    "CITimeoutError",
    "CommandFailedError",
    "Job",
    "JobList",
    "JobStateError",
    "JobTerminal",
    "NoServerError",
    "Pipeline",
    "PipelineList",
    "RunResult",
    "ServerAuthError",
    "ServerInfo",
    "ci",
    "find_server",
]
