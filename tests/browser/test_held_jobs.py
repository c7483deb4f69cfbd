"""End to end in headless Chromium: held jobs look held, End debugging, Retry and Debug with a
hold, and CI terminal sessions in JupyterLab's Running panel."""

from __future__ import annotations

import contextlib
import re
import urllib.error
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from labdriver import Lab, first_project, run_lab, wait_for_job, write_project
from pagedriver import (
    TerminalFrames,
    current_tab_label,
    job_row,
    open_lab,
    open_panel,
    output_line,
    type_command,
    wait_for_tab,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

#: ``broken`` fails into a debug hold; ``fast`` fails at once, with no hold of its own.
HELD_CI = """
broken:
  variables: {CI_DEBUG_HOLD: on_failure}
  script: [echo clue > clue.txt, exit 4]
fast:
  script: [exit 3]
"""
HELD_WORDS = re.compile(r"held for debugging, \d+ min left")


@pytest.fixture(scope="module")
def held_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab serving a project whose jobs fail (one of them into a debug hold)."""
    base = tmp_path_factory.mktemp("held-lab")
    root = write_project(base / "project", HELD_CI)
    with run_lab(root, base / "home", "--CITerminalApp.runner_session_timeout=1800") as lab:
        yield lab


def failed_pipeline(lab: Lab) -> tuple[str, int, dict[str, int]]:
    """Run a pipeline; once ``broken`` is held and ``fast`` failed, return their ids."""
    project = first_project(lab)
    pipeline = int(lab.api("POST", f"projects/{project}/pipelines", {})["id"])
    broken = wait_for_job(lab, project, pipeline, "broken", lambda j: bool(j.get("hold")))
    fast = wait_for_job(lab, project, pipeline, "fast", lambda j: j["status"] == "failed")
    return project, pipeline, {"broken": int(broken["id"]), "fast": int(fast["id"])}


def show_running_panel(page: Page) -> None:
    """Show JupyterLab's Running panel (left sidebar)."""
    page.evaluate("() => window.jupyterapp.shell.activateById('jp-running-sessions')")


def test_held_job_shows_failed_and_held_then_end_debugging_ends_it_failed(
    page: Page, held_lab: Lab
) -> None:
    """The panel and the tab's strip show a held failed job with the failed icon and "held for
    debugging, N min left"; the Running panel lists its session with its viewers; End debugging
    in the panel ends the job with status failed (not canceled)."""
    project, pipeline, jobs = failed_pipeline(held_lab)
    broken = jobs["broken"]
    open_lab(page, held_lab)
    label = page.evaluate(
        "() => window.jupyterapp.commands.label('ci-terminal:end-hold', {isPalette: true})"
    )
    assert label == "CI: End debugging…"
    open_panel(page, pipeline)
    row = job_row(page, broken)
    expect(row.locator(".jp-CIStatus.jp-CIStatus-failed")).to_have_count(1)
    expect(row.locator(".jp-CIPanel-held")).to_have_text(HELD_WORDS)
    expect(row).to_have_attribute("data-held", "true")

    row.locator(".jp-CIPanel-debug").click()
    title = f"CI: broken #{broken}"
    wait_for_tab(page, title, timeout=60)
    strip = page.locator(".jp-CIStrip").filter(has_text="End debugging")
    expect(strip.locator(".jp-CIStatus-failed")).to_have_count(1, timeout=20_000)
    expect(strip.locator(".jp-CIStrip-status")).to_have_text(
        re.compile(r"Job failed, held for debugging, \d+ min left")
    )
    expect(strip.locator(".jp-CIStrip-countdown")).to_have_text(
        re.compile(r"Held for debugging: closes in \d+:\d\d")
    )

    show_running_panel(page)
    item = page.locator(".jp-CIRunning-item", has_text=title)
    expect(item).to_have_count(1, timeout=20_000)
    expect(item).to_contain_text("1 viewer")

    open_panel(page, pipeline)
    job_row(page, broken).locator(".jp-CIPanel-endHold").click()
    done = wait_for_job(held_lab, project, pipeline, "broken", lambda j: j["status"] != "running")
    assert (done["status"], done["failure_reason"]) == ("failed", "script_failure")
    expect(job_row(page, broken)).to_have_attribute("data-status", "failed", timeout=20_000)
    expect(job_row(page, broken).locator(".jp-CIPanel-endHold")).to_have_count(0)


def test_retry_and_debug_of_a_job_that_fails_at_once_opens_its_shell(
    page: Page, held_lab: Lab
) -> None:
    """On the local runner, Retry and Debug retries with a hold: the retry of a job that fails in
    well under a second still opens its terminal on its shell, and the toast says why; the
    Running panel's shut down ends the session, and with it the hold (status failed)."""
    project, pipeline, jobs = failed_pipeline(held_lab)
    retried: list[int] = []
    frames = TerminalFrames(page)
    try:
        open_lab(page, held_lab)
        open_panel(page, pipeline)
        job_row(page, jobs["fast"]).locator(".jp-CIPanel-retryDebug").click()
        retry = wait_for_job(held_lab, project, pipeline, "fast", lambda j: j["id"] > jobs["fast"])
        retried.append(int(retry["id"]))
        title = f"CI: fast #{retry['id']}"
        wait_for_tab(page, title, timeout=60)
        assert current_tab_label(page) == title
        expect(page.get_by_text("runs with CI_DEBUG_HOLD=on_failure")).to_be_visible(timeout=20_000)
        frames.wait_for_prompt(page)
        start = len(frames.frames)
        type_command(page, 'echo "shell-of-$CI_JOB_ID"')
        frames.wait_for(
            page,
            lambda f: output_line(f.stdout(start), f"shell-of-{retry['id']}"),
            what=f"a stdout line shell-of-{retry['id']}",
        )
        held = wait_for_job(held_lab, project, pipeline, "fast", lambda j: bool(j.get("hold")))
        assert (held["id"], held["hold_status"]) == (retry["id"], "failed")

        show_running_panel(page)
        item = page.locator(".jp-CIRunning-item", has_text=title)
        expect(item).to_have_count(1, timeout=20_000)
        item.hover()
        item.locator(".jp-RunningSessions-itemShutdown").click()
        done = wait_for_job(
            held_lab, project, pipeline, "fast", lambda j: j["status"] != "running", timeout=60
        )
        assert (done["status"], done["failure_reason"]) == ("failed", "script_failure")
        expect(item).to_have_count(0, timeout=20_000)
    finally:
        for job in retried:
            with contextlib.suppress(urllib.error.HTTPError):
                held_lab.api("POST", f"projects/{project}/jobs/{job}/cancel")
