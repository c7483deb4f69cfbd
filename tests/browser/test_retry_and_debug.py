"""End to end in headless Chromium: "Retry and Debug" lands in the shell of the retried job."""

from __future__ import annotations

import contextlib
import re
import urllib.error
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
from labdriver import RETRY_FLAG, RETRY_JOB, DemoPipeline, Lab, wait_for_job
from pagedriver import (
    TerminalFrames,
    current_tab_label,
    execute,
    job_row,
    open_lab,
    open_panel,
    output_line,
    tab_labels,
    type_command,
    wait_for_tab,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

RETRY_DEBUG = "ci-terminal:retry-debug-job"
#: ``GET …/jobs/<id>`` and ``POST …/jobs/<id>/retry`` (ServerConnection adds a cache-buster).
JOB_URL = re.compile(r"/ci-terminal/api/projects/[^/]+/jobs/\d+(/retry)?(\?[^/]*)?$")


def test_retry_and_debug(page: Page, lab: Lab, pipeline: DemoPipeline) -> None:
    """A job that failed without ``CI_DEBUG_HOLD`` shows Retry and Debug beside Retry; it retries
    the job and says it waits for the new job, which can be stopped. From the context menu of a
    canceled job, it opens the new job's terminal as soon as the job runs; a command round-trips.
    """
    project = pipeline.project
    failed = wait_for_job(lab, project, pipeline.id, RETRY_JOB, lambda j: j["status"] == "failed")
    # The first new job is seen as pending (no runner yet) until this is cleared.
    hold_pending = {"on": True}
    fetches: Counter[int] = Counter()

    def pending_while_held(route: Route) -> None:
        response = route.fetch()
        job: dict[str, Any] = response.json()
        fetches[job.get("id", 0)] += 1
        if hold_pending["on"] and job.get("name") == RETRY_JOB and job["id"] > failed["id"]:
            job["status"] = "pending"
        route.fulfill(response=response, json=job)

    def newer_job(than: int) -> int:
        job = wait_for_job(lab, project, pipeline.id, RETRY_JOB, lambda j: j["id"] > than)
        return int(job["id"])

    flag = lab.root / RETRY_FLAG
    flag.touch()  # the retries run for minutes
    retried: list[int] = []
    frames = TerminalFrames(page)
    page.route(JOB_URL, pending_while_held)
    try:
        open_lab(page, lab)
        open_panel(page, pipeline.id)
        button = job_row(page, failed["id"]).locator(".jp-CIPanel-retryDebug")
        expect(button).to_have_text("Retry and Debug")
        assert job_row(page, pipeline.running.job).locator(".jp-CIPanel-retryDebug").count() == 0
        label = page.evaluate(
            "id => window.jupyterapp.commands.label(id, {isPalette: true})", RETRY_DEBUG
        )
        assert label == "CI: Retry job and debug…"

        # The button: the notification follows the new job; Stop Waiting ends the wait.
        button.click()
        retried.append(newer_job(failed["id"]))
        first = retried[0]
        waiting = page.get_by_text(f"Waiting for {RETRY_JOB} #{first} to start… (pending)")
        expect(waiting).to_be_visible(timeout=20_000)
        page.get_by_role("button", name="Stop Waiting").click()
        expect(waiting).to_have_count(0)
        # The job is seen running now, but no longer asked about: no tab opens.
        hold_pending["on"] = False
        asked = fetches[first]
        page.wait_for_timeout(2500)
        assert fetches[first] == asked
        assert f"CI: {RETRY_JOB} #{first}" not in tab_labels(page)

        # The context menu, on the first retry once canceled (no button there): the tab of the
        # new job opens as it runs.
        lab.api("POST", f"projects/{project}/jobs/{first}/cancel")
        execute(page, "ci-terminal:refresh")
        row = job_row(page, first)
        expect(row).to_have_attribute("data-status", "canceled", timeout=20_000)
        assert row.locator(".jp-CIPanel-retryDebug").count() == 0
        row.locator(".jp-CIPanel-jobName").click(button="right")
        page.locator(".lm-Menu .lm-Menu-item", has_text="Retry and Debug").click()
        retried.append(newer_job(first))
        second = retried[1]
        title = f"CI: {RETRY_JOB} #{second}"
        wait_for_tab(page, title, timeout=60)
        assert current_tab_label(page) == title
        frames.wait_for_prompt(page)
        start = len(frames.frames)
        type_command(page, 'echo "debugging-$CI_JOB_ID"')
        frames.wait_for(
            page,
            lambda f: output_line(f.stdout(start), f"debugging-{second}"),
            what=f"a stdout line debugging-{second}",
        )
        assert lab.api("GET", f"projects/{project}/jobs/{second}")["status"] == "running"
        expect(page.get_by_text(f"Waiting for {RETRY_JOB} #")).to_have_count(0)
    finally:
        flag.unlink(missing_ok=True)
        for job in retried:
            with contextlib.suppress(urllib.error.HTTPError):
                lab.api("POST", f"projects/{project}/jobs/{job}/cancel")
