"""End to end in headless Chromium: the CI panel keeps the keyboard focus through its re-renders
(a job changing state, a retry replacing a job, an error shown and gone, another pipeline
shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from labdriver import JOB_NAME, DemoPipeline, Lab
from pagedriver import execute, job_row, pipeline_button, pipeline_row
from panelsetup import own_running_pipeline

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

REFRESH = "ci-terminal:refresh"

#: The focused element's focus key and the job or pipeline of its row.
FOCUSED = """() => {
    const el = document.activeElement;
    const row = el && el.closest('.jp-CIPanel-job, .jp-CIPanel-pipeline');
    return {
        focus: el?.dataset?.focus ?? null,
        job: row?.dataset.job ?? null,
        pipeline: row?.dataset.pipeline ?? null,
        name: el?.firstChild?.nodeType === Node.TEXT_NODE ? el.firstChild.textContent : null,
    };
}"""


def focused(page: Page) -> dict[str, Any]:
    """What has the focus: its focus key, the job or pipeline of its row, and its leading text
    (a job's name; a pipeline button starts with its status icon)."""
    result: dict[str, Any] = page.evaluate(FOCUSED)
    return result


def test_focus_stays_on_a_job_row_that_changes(
    page: Page, lab: Lab, pipeline: DemoPipeline
) -> None:
    """A job row's focused button keeps the focus while the job is canceled (its Cancel
    button turns into Retry in place) and while a retry replaces the job with a new one."""
    with own_running_pipeline(page, lab, pipeline.project) as (_, running):
        row = job_row(page, running["id"])
        cancel = row.locator(".jp-CIPanel-cancel")
        cancel.focus()
        before = focused(page)
        assert before["job"] == str(running["id"]), before

        lab.api("POST", f"projects/{pipeline.project}/jobs/{running['id']}/cancel")
        execute(page, REFRESH)
        expect(row).to_have_attribute("data-status", "canceled", timeout=20_000)
        retry = row.locator(".jp-CIPanel-retry")
        expect(retry).to_be_focused()
        assert focused(page)["focus"] == before["focus"]

        name = row.locator(".jp-CIPanel-jobName")
        name.focus()
        key = focused(page)["focus"]
        again = lab.api("POST", f"projects/{pipeline.project}/jobs/{running['id']}/retry")
        execute(page, REFRESH)
        # The new attempt takes the row (keyed by the job's name), with the focus.
        expect(job_row(page, again["id"])).to_be_visible(timeout=20_000)
        now = focused(page)
        assert now == {"focus": key, "job": str(again["id"]), "pipeline": None, "name": JOB_NAME}


def test_focus_stays_on_a_pipeline_through_an_error(
    page: Page, lab: Lab, pipeline: DemoPipeline
) -> None:
    """A failed refresh shows an error above the pipelines and the next one removes it: the
    focused pipeline button keeps the focus through both, and the arrow keys work at once."""
    # A pipeline of its own: the arrows then have the demo pipeline's row to go to.
    with own_running_pipeline(page, lab, pipeline.project) as (mine, _):
        button = pipeline_button(page, mine)
        button.focus()
        before = focused(page)

        def fail(route: Route) -> None:
            route.fulfill(status=503, content_type="application/json", body='{"message": "down"}')

        pattern = "**/ci-terminal/api/projects/*/pipelines*"
        page.route(pattern, fail)
        execute(page, REFRESH)
        error = page.locator(".jp-CIPanel .jp-CIPanel-error")
        expect(error).to_be_visible(timeout=20_000)
        expect(button).to_be_focused()
        page.unroute(pattern, fail)
        execute(page, REFRESH)
        expect(error).to_have_count(0, timeout=20_000)
        expect(button).to_be_focused()
        assert focused(page) == before

        # Right after the re-render, with another one (a refresh) on its way.
        buttons = page.locator(".jp-CIPanel .jp-CIPanel-pipelineSelect")
        index = buttons.evaluate_all(
            "(els, id) => els.findIndex(el => el.parentElement.dataset.pipeline === id)",
            str(mine),
        )
        target, key = (index - 1, "ArrowUp") if index > 0 else (index + 1, "ArrowDown")
        page.evaluate(f"() => void window.jupyterapp.commands.execute('{REFRESH}')")
        page.keyboard.press(key)
        expect(buttons.nth(target)).to_be_focused()
        page.keyboard.press("Enter")
        shown = buttons.nth(target)
        expect(shown).to_have_attribute("aria-current", "true", timeout=20_000)
        # The jobs of the pipeline now shown replaced the others below: the focus stayed.
        expect(shown).to_be_focused()
        assert pipeline_row(page, mine).locator("[aria-current]").count() == 0
