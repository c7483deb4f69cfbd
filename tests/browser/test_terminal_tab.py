"""End to end in headless Chromium: a CI job's shell in a JupyterLab terminal tab."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import TYPE_CHECKING

import pytest
from labdriver import FAILING_JOB, HELD_JOB, JOB_NAME, DemoPipeline, Lab, RunningJob
from pagedriver import (
    OPEN_LOG,
    OPEN_TERMINAL,
    TerminalFrames,
    current_tab_label,
    execute,
    job_row,
    new_page,
    open_job_terminal,
    open_lab,
    open_panel,
    output_line,
    reload_workspace,
    run_in_new_notebook,
    stty_sizes,
    tab_labels,
    type_command,
    wait_for_saved_layout,
    wait_for_tab,
)

from jupyter_ci_terminal.kernel.attachment import MIME_TYPE as ATTACH_MIME_TYPE

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

#: The terminal manager polls its session list every 10 s and disposes unknown sessions.
MANAGER_POLL = 10

#: The visible terminal tab.
CURRENT_TERMINAL = ".jp-CITerminal:not(.lm-mod-hidden)"


def read_stty_size(page: Page, frames: TerminalFrames) -> tuple[int, int]:
    """Type ``stty size`` into the current terminal and read its answer from the frames."""
    start = len(frames.frames)
    type_command(page, "stty size")
    frames.wait_for(page, lambda f: stty_sizes(f.stdout(start)), what="the output of stty size")
    return stty_sizes(frames.stdout(start))[-1]


def test_command_opens_job_terminal(page: Page, lab: Lab, running_job: RunningJob) -> None:
    """The command opens a tab titled after the job; typing reaches the job's shell; resizing
    the tab resizes the job's terminal; the session survives the terminal manager's poll."""
    frames = TerminalFrames(page)
    open_lab(page, lab)

    label = open_job_terminal(page, running_job)
    opened = time.monotonic()
    assert label == running_job.title
    frames.wait_for_prompt(page)
    # The stock widget renames itself "Terminal <name>" on connect; the job title must stay.
    page.wait_for_timeout(500)
    assert current_tab_label(page) == running_job.title

    start = len(frames.frames)
    type_command(page, "echo $CI_JOB_NAME")
    frames.wait_for(
        page,
        lambda f: output_line(f.stdout(start), running_job.name),
        what=f"a stdout line {running_job.name!r}",
    )

    rows, cols = read_stty_size(page, frames)
    page.set_viewport_size({"width": 900, "height": 560})
    page.wait_for_timeout(700)  # the widget fits xterm, then sends set_size
    smaller = read_stty_size(page, frames)
    assert smaller[0] < rows
    assert smaller[1] < cols
    page.set_viewport_size({"width": 1280, "height": 800})

    # Still connected after the terminal manager's poll has run.
    page.wait_for_timeout(max(0.0, MANAGER_POLL + 1.5 - (time.monotonic() - opened)) * 1000)
    start = len(frames.frames)
    type_command(page, 'echo "alive-$CI_JOB_ID"')
    frames.wait_for(
        page,
        lambda f: output_line(f.stdout(start), f"alive-{running_job.job}"),
        what="output after the manager's poll",
    )
    assert current_tab_label(page) == running_job.title


def test_panel_lists_pipeline_and_debug_reuses_tab(
    page: Page, lab: Lab, pipeline: DemoPipeline
) -> None:
    """The panel lists the pipeline, its stages and jobs; Debug opens the running job's tab once."""
    running = pipeline.running
    open_lab(page, lab)
    open_panel(page, pipeline.id)
    assert page.locator(f'.jp-CIPanel-pipeline[data-pipeline="{pipeline.id}"]').is_visible()
    stages = page.locator(".jp-CIPanel-stage").evaluate_all("ns => ns.map(n => n.dataset.stage)")
    # In pipeline order, unless a retry (test_retry_creates_new_job) hid the stage's first job
    # while the server does not list replaced attempts (include_retried).
    assert sorted(stages) == ["debug", "test"]
    names = page.locator(".jp-CIPanel-jobName").all_inner_texts()
    assert {FAILING_JOB, HELD_JOB, JOB_NAME} <= set(names)
    tag = job_row(page, pipeline.held).locator(".jp-CIPanel-tag").inner_text()
    assert re.fullmatch(r"held for debugging, \d+ min left", tag), tag
    # A failed job offers Retry, not Debug; a running one offers Debug.
    assert job_row(page, pipeline.failed).locator(".jp-CIPanel-debug").count() == 0

    debug = job_row(page, running.job).locator(".jp-CIPanel-debug")
    debug.click(timeout=30_000)
    wait_for_tab(page, running.title)
    # Keyboard: the same button, focused and pressed with Enter, shows the same tab.
    debug.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert tab_labels(page).count(running.title) == 1
    assert current_tab_label(page) == running.title


def test_debug_disabled_when_refused(page: Page, lab: Lab, pipeline: DemoPipeline) -> None:
    """Debug is disabled, with the reason as its tooltip, for a job whose backend says it has
    no terminal, and everywhere once the server refuses terminals (ForbiddenError)."""
    no_terminal = "This job's runner has no session server."
    disabled = "CI terminals are disabled on this Jupyter server."

    def jobs_with_terminal_field(route: Route) -> None:
        response = route.fetch()
        jobs = response.json()
        for job in jobs:
            if job["name"] == FAILING_JOB:  # shown as a running GitLab job without terminal
                job.update(status="running", terminal={"available": False, "reason": no_terminal})
        route.fulfill(response=response, json=jobs)

    def refuse_terminals(route: Route) -> None:
        if route.request.method == "POST":
            route.fulfill(status=403, json={"message": disabled, "reason": "ForbiddenError"})
        else:
            route.continue_()

    page.route(
        f"**/ci-terminal/api/projects/*/pipelines/{pipeline.id}/jobs*", jobs_with_terminal_field
    )
    # ServerConnection adds a cache-busting query string.
    page.route(re.compile(r"/ci-terminal/api/terminals(\?[^/]*)?$"), refuse_terminals)
    open_lab(page, lab)
    open_panel(page, pipeline.id)
    failing_row = page.locator(".jp-CIPanel-job").filter(
        has=page.locator(f'.jp-CIPanel-jobName:text-is("{FAILING_JOB}")')
    )
    gitlab_debug = failing_row.locator(".jp-CIPanel-debug")
    gitlab_debug.wait_for()
    assert gitlab_debug.get_attribute("aria-disabled") == "true"
    assert gitlab_debug.get_attribute("title") == no_terminal

    running_debug = job_row(page, pipeline.running.job).locator(".jp-CIPanel-debug")
    assert running_debug.get_attribute("aria-disabled") is None
    running_debug.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for()
    assert disabled in dialog.inner_text()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "sel => document.querySelector(sel)?.getAttribute('aria-disabled') === 'true'",
        arg=f'.jp-CIPanel-job[data-job="{pipeline.running.job}"] .jp-CIPanel-debug',
    )
    assert running_debug.get_attribute("title") == disabled
    assert not page.evaluate(f"() => window.jupyterapp.commands.isEnabled('{OPEN_TERMINAL}')")


def test_status_strip_and_read_only_end(page: Page, lab: Lab, pipeline: DemoPipeline) -> None:
    """The strip shows the held job's state, runner and hold countdown; when the shell exits
    the tab stays open, read-only, with the reason; after a reload one notice says it ended."""
    frames = TerminalFrames(page)
    workspace = f"ended-{time.monotonic_ns()}"
    open_lab(page, lab, workspace)
    open_panel(page, pipeline.id)
    job_row(page, pipeline.held).locator(".jp-CIPanel-debug").click()
    wait_for_tab(page, f"CI: {HELD_JOB} #{pipeline.held}")
    frames.wait_for_prompt(page)

    strip = page.locator(f"{CURRENT_TERMINAL} .jp-CIStrip")
    strip.locator(".jp-CIStrip-countdown").wait_for(timeout=20_000)
    assert "held for debugging" in strip.locator(".jp-CIStrip-status").inner_text()
    assert strip.locator(".jp-CIStrip-runner").inner_text().startswith("Runner 127.0.0.1:")
    first = strip.locator(".jp-CIStrip-countdown").inner_text()
    # The countdown is the runner's hold_until from the job's JSON (30 minutes after its
    # script ended, which was minutes ago when the session's other tests ran first).
    countdown = re.search(r"closes in (\d+):(\d\d)$", first)
    assert countdown is not None, first
    job = lab.api("GET", f"projects/{pipeline.project}/jobs/{pipeline.held}")
    left = (
        datetime.fromisoformat(job["hold_until"].replace("Z", "+00:00")).timestamp() - time.time()
    )
    assert 0 < left <= 30 * 60
    assert abs(int(countdown[1]) * 60 + int(countdown[2]) - left) <= 15
    page.wait_for_timeout(1100)
    assert strip.locator(".jp-CIStrip-countdown").inner_text() != first  # it counts down

    type_command(page, "exit")
    ended = strip.locator(".jp-CIStrip-ended")
    expect(ended).to_contain_text("Session ended: the runner closed the terminal", timeout=20_000)
    assert "Read-only" in ended.inner_text()
    tab = page.locator(CURRENT_TERMINAL)
    assert "jp-mod-readonly" in (tab.get_attribute("class") or "")
    assert page.locator(f"{CURRENT_TERMINAL} textarea.xterm-helper-textarea").is_disabled()
    assert current_tab_label(page) == f"CI: {HELD_JOB} #{pipeline.held}"
    # The job ends with the session; the strip follows it.
    expect(strip.locator(".jp-CIStrip-status")).to_have_text("Job success", timeout=20_000)

    # The server forgets an ended session (its recording stays downloadable), so a reload
    # does not bring the tab back: one notice names it.
    wait_for_saved_layout(lab, workspace, ["ci-terminal:"])
    reload_workspace(page, lab, workspace)
    notice = page.get_by_text(f'The tab "CI: {HELD_JOB} #{pipeline.held}" was not restored')
    expect(notice).to_have_count(1, timeout=20_000)
    expect(page.locator(CURRENT_TERMINAL)).to_have_count(0)


def test_strip_shows_shared_viewers(
    page: Page, browser: Browser, lab: Lab, running_job: RunningJob
) -> None:
    """With the job's terminal open in two pages, both strips say it is shared with 2 viewers;
    once one page is gone, the other's no longer does."""
    viewers = f"{CURRENT_TERMINAL} .jp-CIStrip-viewers"
    with new_page(browser) as other:
        for tab in (page, other):
            open_lab(tab, lab)
            assert open_job_terminal(tab, running_job) == running_job.title
        for tab in (page, other):
            # The strip polls the session every 3 s.
            expect(tab.locator(viewers)).to_have_text("Shared with 2 viewers", timeout=20_000)
    expect(page.locator(viewers)).to_have_count(0, timeout=20_000)


def test_reload_restores_tabs(page: Page, lab: Lab, pipeline: DemoPipeline) -> None:
    """After a reload the terminal and log tabs come back, and the terminal is live again."""
    running = pipeline.running
    workspace = f"restore-{time.monotonic_ns()}"
    frames = TerminalFrames(page)
    open_lab(page, lab, workspace)
    open_job_terminal(page, running)
    frames.wait_for_prompt(page)
    execute(page, OPEN_LOG, {"project": pipeline.project, "job": pipeline.failed})
    log_label = f"Log: {FAILING_JOB} #{pipeline.failed}"
    wait_for_tab(page, log_label)
    wait_for_saved_layout(lab, workspace, ["ci-terminal:", "ci-terminal-log:"])

    before, restored = len(frames.urls), len(frames.frames)
    reload_workspace(page, lab, workspace)
    wait_for_tab(page, running.title)
    wait_for_tab(page, log_label)
    frames.wait_for(page, lambda f: len(f.urls) > before, what="a new terminal websocket")
    # Type only once the new socket has delivered the restored screen: keys pressed into a
    # terminal still connecting are lost.
    frames.wait_for(page, lambda f: f.stdout(restored) != "", what="the restored screen")
    start = len(frames.frames)
    page.locator(f'#jp-main-dock-panel .lm-TabBar-tab[title^="{running.title}"]').click()
    type_command(page, 'echo "back-$CI_JOB_NAME"')
    frames.wait_for(
        page,
        lambda f: output_line(f.stdout(start), f"back-{running.name}"),
        what="output after the reload",
    )


def test_attach_output_opens_terminal(page: Page, lab: Lab, running_job: RunningJob) -> None:
    """A notebook output of the attach MIME type renders a button that opens the job's tab."""
    bundle = {
        ATTACH_MIME_TYPE: {
            "project": running_job.project,
            "job": running_job.job,
            "name": "",
            "title": running_job.title,
            "status": "running",
        },
        "text/plain": "fallback",
    }
    code = f"from IPython.display import display\ndisplay({bundle!r}, raw=True)"
    open_lab(page, lab)
    run_in_new_notebook(page, code)
    button = page.locator(".jp-CIAttach button")
    button.click(timeout=30_000)
    wait_for_tab(page, running_job.title)
    assert current_tab_label(page) == running_job.title


def test_ci_attach_magic_opens_the_tab(page: Page, lab: Lab, running_job: RunningJob) -> None:
    """%ci_attach in a notebook opens the job's tab through Jupyter's event bus."""
    open_lab(page, lab)
    code = f"%load_ext jupyter_ci_terminal\n%ci_attach {running_job.job} --project {running_job.project}"
    # The tab opening hides the notebook (and its output): wait for the tab, not the output.
    run_in_new_notebook(page, code, wait=False)
    wait_for_tab(page, running_job.title, timeout=60)
    assert current_tab_label(page) == running_job.title
