"""End to end in headless Chromium: a notebook's outputs show a job's state after a wait or an
action, never a stale one (a job that became held is not "running 0s"; a cancelled job is not
"running")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from labdriver import Lab, first_project, run_lab, wait_for_job, write_project
from pagedriver import open_lab

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

#: ``held`` runs until the test creates its release file, then fails into a debug hold.
HELD_CI = """
held:
  variables: {{CI_DEBUG_HOLD: on_failure}}
  script:
    - while [ ! -f {release} ]; do sleep 0.2; done
    - exit 4
"""


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The file that lets ``held`` fail (its build folder is a copy: this one is outside it)."""
    return tmp_path_factory.mktemp("release") / "go"


@pytest.fixture(scope="module")
def held_lab(tmp_path_factory: pytest.TempPathFactory, release: Path) -> Iterator[Lab]:
    """JupyterLab serving a project whose job fails into a hold once released."""
    base = tmp_path_factory.mktemp("outputs-lab")
    root = write_project(base / "project", HELD_CI.format(release=release))
    with run_lab(root, base / "home") as lab:
        yield lab


def start_cell(page: Page, code: str, *, new_notebook: bool = False) -> None:
    """Run ``code`` in a new cell below the active one (in a new notebook: its first cell);
    return without waiting for the cell to finish (JupyterLab's run command waits for that)."""
    page.evaluate(
        """async ([code, newNotebook]) => {
            const app = window.jupyterapp;
            if (newNotebook) {
                const panel = await app.commands.execute(
                    'notebook:create-new', {kernelName: 'python3'});
                await panel.context.ready;
                await panel.sessionContext.ready;
            } else {
                await app.commands.execute('notebook:insert-cell-below');
            }
            app.shell.currentWidget.content.activeCell.model.sharedModel.setSource(code);
            void app.commands.execute('notebook:run-cell');
        }""",
        [code, new_notebook],
    )


def cell_output(page: Page, index: int) -> Locator:
    """The first output of code cell ``index`` of the current notebook."""
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(index)
    return cell.locator(".jp-OutputArea-output").first


def test_a_wait_shows_the_hold_and_cancel_shows_canceled(
    page: Page, held_lab: Lab, release: Path
) -> None:
    """The wait's live line says "running" while the job runs, then "failed, held for
    debugging, …" once it is held (not "running 0s"); ``job.cancel()`` shows "canceled"."""
    project = first_project(held_lab)
    pipeline = int(held_lab.api("POST", f"projects/{project}/pipelines", {})["id"])
    job = wait_for_job(held_lab, project, pipeline, "held", lambda j: j["status"] == "running")
    open_lab(page, held_lab)
    code = (
        "from jupyter_ci_terminal import ci\n"
        f"job = ci.job({job['id']}, project={project!r})\n"
        "job.wait(until='held', timeout=180)"
    )
    start_cell(page, code, new_notebook=True)
    line = cell_output(page, 0)
    expect(line).to_contain_text(f"Job {job['id']} held", timeout=120_000)
    expect(line).to_contain_text("running")
    expect(line.locator("progress")).to_have_count(1)  # still waiting

    release.touch()
    expect(line).to_contain_text("failed, held for debugging", timeout=60_000)
    expect(line).not_to_contain_text("running")
    expect(line.locator("progress")).to_have_count(0)  # the wait is over
    held = wait_for_job(held_lab, project, pipeline, "held", lambda j: bool(j.get("hold")))
    assert held["hold_status"] == "failed"

    start_cell(page, "job.cancel()")
    result = cell_output(page, 1)
    expect(result).to_contain_text("canceled", timeout=60_000)
    expect(result).not_to_contain_text("running")
    done = wait_for_job(held_lab, project, pipeline, "held", lambda j: j["status"] != "running")
    assert done["status"] == "canceled"
