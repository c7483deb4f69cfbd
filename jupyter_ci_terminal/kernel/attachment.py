"""The output of ``%ci_attach`` / ``Job.attach()``: a job's open terminal session.

Its MIME bundle carries ``application/vnd.jupyter-ci-terminal.attach+json``, which the
labextension renders as an "Open terminal" button; front ends without it show the HTML or
text fallback, which says how to attach from a shell.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from .display import badge

MIME_TYPE = "application/vnd.jupyter-ci-terminal.attach+json"


@dataclass(frozen=True)
class Attachment:
    """A job's terminal session, open on the Jupyter server."""

    project: str
    job: int
    name: str
    title: str
    status: str
    #: The shell command that attaches a terminal to this job.
    command: str = ""
    #: JupyterLab on the server that holds the session (no token in it); "" without a server.
    lab_url: str = ""

    def to_json(self) -> dict[str, Any]:
        """The payload of the custom MIME type."""
        return {
            "project": self.project,
            "job": self.job,
            "name": self.name,
            "title": self.title,
            "status": self.status,
        }

    def __repr__(self) -> str:
        if not self.lab_url:  # no Jupyter server holds a session: only a shell can attach
            return f"{self.title} ({self.status}): attach from a shell with:\n    {self.command}"
        return (
            f"{self.title} ({self.status}): its terminal session {self.name!r} is open.\n"
            f"Open it in JupyterLab at {self.lab_url} (CI Pipelines panel), or attach from a "
            f"shell with:\n    {self.command}"
        )

    def _repr_html_(self) -> str:
        command = f"<code>{escape(self.command)}</code>"
        head = f"<b>{escape(self.title)}</b> {badge(self.status)}"
        if not self.lab_url:
            return f"<div>{head} — attach from a shell with {command}.</div>"
        lab = escape(self.lab_url)
        return (
            f"<div>{head} — terminal session <code>{escape(self.name)}</code> is open.<br>"
            f'Open it in JupyterLab at <a href="{lab}" target="_blank">{lab}</a> '
            f"(<i>CI Pipelines</i> panel), or attach from a shell with {command}.</div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = {"text/plain": repr(self), "text/html": self._repr_html_()}
        # The "Open terminal" button opens the session on JupyterLab's server: only when it has one.
        return {MIME_TYPE: self.to_json(), **bundle} if self.lab_url else bundle
