"""End to end in headless Chromium: the job log viewer, and job actions from the panel."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from labdriver import FAILING_JOB, JOB_NAME, DemoPipeline, Lab, wait_for_job
from pagedriver import (
    OPEN_LOG,
    ax_roles,
    current_tab_label,
    execute,
    job_row,
    open_lab,
    open_panel,
    pipeline_row,
    wait_for_tab,
)
from panelsetup import own_running_pipeline

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

LOG = ".jp-CILogWidget:not(.lm-mod-hidden)"


def test_log_viewer_colours_sections_failure(page: Page, lab: Lab, pipeline: DemoPipeline) -> None:
    """The failed job's log opens (from the keyboard) at its failure, with ANSI colours and
    collapsible sections, the one marked ``[collapsed=true]`` collapsed."""
    page.set_viewport_size({"width": 1280, "height": 360})  # so that the log overflows
    open_lab(page, lab)
    open_panel(page, pipeline.id)
    name = job_row(page, pipeline.failed).locator(".jp-CIPanel-jobName")
    name.focus()
    page.keyboard.press("Enter")
    label = f"Log: {FAILING_JOB} #{pipeline.failed}"
    wait_for_tab(page, label)
    assert current_tab_label(page) == label

    log = page.locator(LOG)
    failure = log.locator(".jp-CILog-line.jp-mod-failure")
    failure.wait_for(timeout=20_000)
    assert failure.inner_text().split("\n")[-1].startswith("ERROR: Job failed: exit code 3")
    # Opened scrolled down to the failure, which is in view.
    view = log.locator(".jp-CILog")
    assert view.evaluate("n => n.scrollHeight > n.clientHeight && n.scrollTop > 0")
    assert failure.evaluate(
        """(n) => {
            const box = n.getBoundingClientRect();
            const view = n.closest('.jp-CILog').getBoundingClientRect();
            return box.top >= view.top && box.bottom <= view.bottom;
        }"""
    )

    # Colours: the job's `\e[31m` and `\e[33m`, the runner's bold cyan section headers.
    red = log.locator('.jp-CILog-text span.ansi-red-fg:text-is("FAILED")')
    assert red.count() == 1
    assert red.evaluate("n => getComputedStyle(n).color") != log.locator(
        ".jp-CILog-text"
    ).first.evaluate("n => getComputedStyle(n).color")
    assert log.locator('span.ansi-yellow-fg:text-is("warning:")').count() == 1
    assert log.locator(".jp-CILog-sectionHeader span.ansi-cyan-fg.ansi-bold").count() >= 4

    # Sections: the runner's, expanded, with durations; the job's own, collapsed.
    sections = log.locator(".jp-CILog-section").evaluate_all(
        "ns => ns.map(n => [n.dataset.section, n.classList.contains('jp-mod-collapsed')])"
    )
    assert ["step_script", False] in sections
    assert ["install_deps", True] in sections
    deps = log.locator('.jp-CILog-section[data-section="install_deps"]')
    body = deps.locator(".jp-CILog-sectionBody")
    assert not body.is_visible()
    header = deps.locator(".jp-CILog-sectionHeader")
    assert header.get_attribute("aria-expanded") == "false"
    header.click()
    assert body.is_visible()
    assert "pip install -r requirements.txt" in body.inner_text()
    header.focus()
    page.keyboard.press("Enter")
    assert not body.is_visible()
    assert header.get_attribute("aria-expanded") == "false"
    duration = log.locator('.jp-CILog-section[data-section="step_script"] .jp-CILog-duration')
    assert duration.first.inner_text().count(":") == 1  # "00:01"


def test_log_follows_running_job(page: Page, lab: Lab, pipeline: DemoPipeline) -> None:
    """A running job's log opens at its end and keeps following the new lines."""
    running = pipeline.running
    page.set_viewport_size({"width": 1280, "height": 420})  # so that the log overflows soon
    open_lab(page, lab)
    execute(page, OPEN_LOG, {"project": running.project, "job": running.job})
    wait_for_tab(page, f"Log: {running.name} #{running.job}")
    log = page.locator(LOG)
    log.locator(".jp-CILog-line", has_text="step ").first.wait_for(timeout=20_000)
    at_end = "n => n.scrollTop + n.clientHeight >= n.scrollHeight - 8"
    last = log.locator(".jp-CILog-line .jp-CILog-lineNumber").last
    first_count = int(last.inner_text())
    page.wait_for_function(
        "([sel, count]) => Number([...document.querySelectorAll(sel)].pop().textContent) > count",
        arg=[f"{LOG} .jp-CILog-line .jp-CILog-lineNumber", first_count + 2],
        timeout=15_000,
    )
    view = log.locator(".jp-CILog")
    view.evaluate(  # wait until it overflows
        """n => new Promise(resolve => {
            const check = () => n.scrollHeight > n.clientHeight ? resolve() : setTimeout(check, 100);
            check();
        })"""
    )
    page.wait_for_timeout(2500)  # a few more lines
    assert view.evaluate(at_end)
    assert "running" in log.locator(".jp-CIStrip-status").inner_text()


def test_retry_creates_new_job(page: Page, lab: Lab, pipeline: DemoPipeline) -> None:
    """Retry on the failed job makes a new job of the same name, which replaces it in the panel."""
    open_lab(page, lab)
    open_panel(page, pipeline.id)
    old = job_row(page, pipeline.failed)
    old.locator(".jp-CIPanel-retry").click()
    page.wait_for_function(
        "([name, old]) => [...document.querySelectorAll('.jp-CIPanel-job')].some(row =>"
        " row.querySelector('.jp-CIPanel-jobName').textContent === name"
        " && Number(row.dataset.job) > old)",
        arg=[FAILING_JOB, pipeline.failed],
        timeout=20_000,
    )
    assert old.count() == 0  # the replaced attempt is not listed
    new = wait_for_job(
        lab, pipeline.project, pipeline.id, FAILING_JOB, lambda j: j["id"] > pipeline.failed
    )
    assert job_row(page, new["id"]).count() == 1


def test_cancel_and_retry_pipeline(page: Page, lab: Lab, pipeline: DemoPipeline) -> None:
    """A running pipeline's row offers Cancel (also in its context menu), which cancels its
    jobs; the canceled pipeline offers Retry, which (pressed with Enter) runs them again.

    The rows form a list whose items hold the pipeline's main button and, beside it, its
    action button: both are buttons to assistive technologies (as they are not in a listbox
    option), and the arrow keys, Home, End and Enter choose the pipeline shown."""
    with own_running_pipeline(page, lab, pipeline.project) as (mine, running):
        row = pipeline_row(page, mine)
        expect(row).to_have_attribute("data-status", "running", timeout=20_000)
        assert row.locator(".jp-CIPanel-retry").count() == 0

        # Roles as assistive technologies see them.
        panel = page.locator(".jp-CIPanel")
        pipelines = panel.get_by_role("list", name="Recent pipelines")
        expect(pipelines.locator(f'[data-pipeline="{mine}"]')).to_have_role("listitem")
        assert panel.get_by_role("listbox").count() == 0
        assert panel.get_by_role("option").count() == 0
        shown = row.get_by_role("button", name=re.compile(rf"#{mine}\b"))
        expect(shown).to_have_attribute("aria-current", "true")
        expect(shown).not_to_have_accessible_name(re.compile("Cancel"))
        cancel = row.get_by_role("button", name="Cancel", exact=True)
        expect(cancel).to_have_accessible_description(f"Cancel pipeline #{mine}")
        roles = ax_roles(page, f'.jp-CIPanel-pipeline[data-pipeline="{mine}"] > .jp-CIPanel-cancel')
        assert roles[:3] == ["button", "listitem", "list"], roles

        # Keyboard: arrows, Home and End move between the rows' main buttons, also from an
        # action button; Enter shows the pipeline whose button has the focus.
        buttons = panel.locator(".jp-CIPanel-pipelineSelect")
        count = buttons.count()
        assert count >= 2  # the demo pipeline's and this one
        index = buttons.evaluate_all(
            "(els, id) => els.findIndex(el => el.parentElement.dataset.pipeline === id)", str(mine)
        )
        other, toward, back = (index + 1, "ArrowDown", "ArrowUp")
        if index == count - 1:
            other, toward, back = (index - 1, "ArrowUp", "ArrowDown")
        shown.focus()
        page.keyboard.press("End")
        expect(buttons.nth(count - 1)).to_be_focused()
        page.keyboard.press("Home")
        expect(buttons.nth(0)).to_be_focused()
        page.keyboard.press("ArrowUp")  # nothing above the first row
        expect(buttons.nth(0)).to_be_focused()
        cancel.focus()
        page.keyboard.press(toward)
        expect(buttons.nth(other)).to_be_focused()
        page.keyboard.press("Enter")
        expect(buttons.nth(other)).to_have_attribute("aria-current", "true", timeout=20_000)
        expect(shown).not_to_have_attribute("aria-current", "true")
        # The arrow works right after Enter, also while the panel refreshes again.
        page.evaluate("() => void window.jupyterapp.commands.execute('ci-terminal:refresh')")
        page.keyboard.press(back)
        expect(shown).to_be_focused()
        page.keyboard.press("Enter")
        expect(shown).to_have_attribute("aria-current", "true", timeout=20_000)

        row.locator(".jp-CIPanel-id").click(button="right")
        menu_item = page.locator(".lm-Menu .lm-Menu-item", has_text="Cancel Pipeline")
        expect(menu_item).to_be_visible()
        page.keyboard.press("Escape")
        cancel.click()
        expect(job_row(page, running["id"])).to_have_attribute(
            "data-status", "canceled", timeout=20_000
        )
        expect(row).to_have_attribute("data-status", "canceled", timeout=20_000)
        expect(shown).to_have_attribute("aria-current", "true")

        retry = row.get_by_role("button", name="Retry", exact=True)
        retry.focus()
        page.keyboard.press("Enter")
        page.wait_for_function(
            "([name, old]) => [...document.querySelectorAll('.jp-CIPanel-job')].some(row =>"
            " row.querySelector('.jp-CIPanel-jobName').textContent === name"
            " && Number(row.dataset.job) > old && row.dataset.status === 'running')",
            arg=[JOB_NAME, running["id"]],
            timeout=30_000,
        )
        assert job_row(page, running["id"]).count() == 0  # the canceled attempt was replaced
        expect(cancel).to_be_visible(timeout=20_000)
