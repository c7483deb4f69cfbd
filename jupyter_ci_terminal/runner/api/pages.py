"""The pages ``CI_JOB_URL`` and ``CI_PIPELINE_URL`` point at: something a person can open.

GitLab's job and pipeline URLs are web pages. The local runner has no web UI of its own, so its
``…/-/jobs/<id>`` and ``…/-/pipelines/<id>`` answer without a token: with a redirect to the
JupyterLab that started the runner (``ServeApp.web_url``), which opens the job's log or the CI
panel, or else with a short page naming the job and how to reach it. Neither shows the log: the
page needs no token, so it tells no more than a job's name and status.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from tornado import web

from .base import ApiState

#: The project id the Jupyter server extension gives the embedded runner's project.
LAB_PROJECT = "local"


def lab_url(web_url: str, kind: str, item: int) -> str:
    """The JupyterLab URL that opens a job's log (or, for a pipeline, the CI panel)."""
    base = web_url.rstrip("/") + "/lab"
    if kind == "jobs":
        return f"{base}?ci-open={quote(f'log:{item}:{LAB_PROJECT}', safe=':')}"
    return base


class WebPageHandler(web.RequestHandler):
    """``GET /<namespace>/<project>/-/(jobs|pipelines)/<id>``, with no token."""

    def initialize(self, state: ApiState) -> None:
        """Receive the shared state."""
        self.state = state

    def get(self, kind: str, item: str) -> None:
        """Redirect to JupyterLab, or describe the job or pipeline."""
        number = int(item)
        store = self.state.scheduler.store
        row = store.job(number) if kind == "jobs" else store.pipeline(number)
        if row is None:
            raise web.HTTPError(404)
        title = f"Job {row['name']} #{number}" if kind == "jobs" else f"Pipeline #{number}"
        status = str(row["status"])
        if self.state.web_url:
            self.redirect(lab_url(self.state.web_url, kind, number))
            return
        how = (
            f"Open its log in JupyterLab's CI panel, or its shell with "
            f"<code>jupyter ci-runner attach {number} --project-dir "
            f"{html.escape(str(self.state.scheduler.project))}</code> while it runs."
            if kind == "jobs"
            else "Open it in JupyterLab's CI panel."
        )
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            f"<!doctype html><title>{html.escape(title)}</title>"
            f"<h1>{html.escape(title)}: {html.escape(status)}</h1>"
            f"<p>This ran on the local CI runner, which has no web pages of its own. {how}</p>"
        )
