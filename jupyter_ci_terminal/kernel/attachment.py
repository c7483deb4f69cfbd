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
    server: str = ""

    @property
    def command(self) -> str:
        """The shell command that attaches a terminal to this session."""
        return f"jupyter ci-runner attach {self.job} --project {self.project}"

    def to_json(self) -> dict[str, Any]:
        """The payload of the custom MIME type."""
        return {
            "project": self.project,
            "job": self.job,
            "name": self.name,
            "title": self.title,
            "status": self.status,
        }

    @property
    def lab_url(self) -> str:
        """JupyterLab on the server that holds the session (no token in it)."""
        return f"{self.server}lab" if self.server else ""

    def __repr__(self) -> str:
        where = f" at {self.lab_url}" if self.lab_url else ""
        return (
            f"{self.title} ({self.status}): its terminal session {self.name!r} is open.\n"
            f"Open it in JupyterLab{where} (CI Pipelines panel), or attach from a shell with:\n"
            f"    {self.command}"
        )

    def _repr_html_(self) -> str:
        lab = escape(self.lab_url)
        where = f' at <a href="{lab}" target="_blank">{lab}</a>' if lab else ""
        return (
            f"<div><b>{escape(self.title)}</b> {badge(self.status)} — terminal session "
            f"<code>{escape(self.name)}</code> is open.<br>Open it in JupyterLab{where} "
            "(<i>CI Pipelines</i> panel), or attach from a shell with "
            f"<code>{escape(self.command)}</code>.</div>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            MIME_TYPE: self.to_json(),
            "text/plain": repr(self),
            "text/html": self._repr_html_(),
        }
