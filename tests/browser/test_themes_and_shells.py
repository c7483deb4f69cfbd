"""The extension in the dark theme, and in Notebook 7's pages."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from labdriver import FAILING_JOB, HELD_JOB, JOB_NAME, DemoPipeline, Lab
from pagedriver import (
    OPEN_LOG,
    OPEN_TERMINAL,
    PageErrors,
    TerminalFrames,
    execute,
    job_row,
    open_job_terminal,
    open_lab,
    open_panel,
    output_line,
    type_command,
    wait_for_tab,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

#: Skips a test when Notebook 7 is not installed.
needs_notebook = pytest.mark.skipif(
    importlib.util.find_spec("notebook") is None, reason="Notebook 7 is not installed"
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

#: Ids of the extension's plugins.
PLUGINS = [
    "jupyter-ci-terminal:plugin",
    "jupyter-ci-terminal:logs",
    "jupyter-ci-terminal:panel",
    "jupyter-ci-terminal:open-from-url",
    "jupyter-ci-terminal:attach-renderer",
]

#: What identifies an error as ours.
OURS = ("jupyter-ci-terminal", "ci-terminal", "CIPanel", "CITerminal", "CILog")


def _luminance(css_colour: str) -> float:
    """Relative luminance (0-1) of an ``rgb(...)`` / ``rgba(...)`` colour."""
    parts = css_colour[css_colour.index("(") + 1 : css_colour.index(")")].split(",")
    r, g, b = (float(part) / 255 for part in parts[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_dark_theme(page: Page, lab: Lab, pipeline: DemoPipeline, screenshots: Path) -> None:
    """Panel, strip and log follow JupyterLab's dark theme (its CSS variables only)."""
    errors = PageErrors(page)
    open_lab(page, lab)
    execute(page, "apputils:change-theme", {"theme": "JupyterLab Dark"})
    try:
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
        open_panel(page, pipeline.id)
        open_job_terminal(page, pipeline.running)
        page.locator(".jp-CITerminal:not(.lm-mod-hidden) .jp-CIStrip-runner").wait_for()
        panel = page.locator(".jp-CIPanel")
        assert _luminance(panel.evaluate("n => getComputedStyle(n).backgroundColor")) < 0.3
        assert _luminance(panel.evaluate("n => getComputedStyle(n).color")) > 0.5
        strip = page.locator(".jp-CITerminal:not(.lm-mod-hidden) .jp-CIStrip-status")
        assert _luminance(strip.evaluate("n => getComputedStyle(n).color")) > 0.5
        # Status colours resolve through the theme's variables.
        badge = job_row(page, pipeline.running.job).locator(".jp-CIStatus")
        assert badge.evaluate("n => getComputedStyle(n).borderTopColor") not in ("", "rgb(0, 0, 0)")
        page.screenshot(path=str(screenshots / "test_dark_theme-dark.png"))
    finally:
        execute(page, "apputils:change-theme", {"theme": "JupyterLab Light"})
    assert errors.about(*OURS) == []


def _open_notebook_page(page: Page, lab: Lab, path: str) -> None:
    """Open a Notebook 7 page and wait until its plugins are active."""
    page.goto(f"{lab.url}{path}?token={lab.token}")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored")


@needs_notebook
@pytest.mark.parametrize("path", ["tree", "notebooks/demo.ipynb"])
def test_notebook7_pages_load_the_extension(
    page: Page, lab: Lab, pipeline: DemoPipeline, path: str
) -> None:
    """Notebook 7's pages activate every plugin without errors; a notebook page shows the panel
    in its side area, and a job log, for which it has no room, opens in JupyterLab."""
    notebook = lab.root / "demo.ipynb"
    if not notebook.exists():
        notebook.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    errors = PageErrors(page)
    _open_notebook_page(page, lab, path)
    activated = page.evaluate(
        "ids => ids.map(id => window.jupyterapp.isPluginActivated(id))", PLUGINS
    )
    assert activated == [True] * len(PLUGINS)
    for command in (OPEN_TERMINAL, OPEN_LOG):
        assert page.evaluate(f"() => window.jupyterapp.commands.hasCommand('{command}')")
    if path.startswith("notebooks/"):
        execute(page, "ci-terminal:show-pipelines")
        page.locator(".jp-CIPanel-job").first.wait_for(timeout=30_000)
        with page.context.expect_page() as popup:
            execute(page, OPEN_LOG, {"project": pipeline.project, "job": pipeline.failed})
        lab_page = popup.value
        lab_page.wait_for_load_state()
        assert "/lab" in lab_page.url
        wait_for_tab(lab_page, f"Log: lint #{pipeline.failed}", timeout=60)
        assert "ci-open" not in lab_page.url
        lab_page.close()
    page.wait_for_timeout(1000)
    assert errors.about(*OURS) == []


@needs_notebook
def test_notebook7_tree_tab_and_debug(page: Page, lab: Lab, pipeline: DemoPipeline) -> None:
    """Notebook 7's file browser page has a CI Pipelines tab beside Files and Running, listing
    the project's pipeline and jobs; Debug opens the job's terminal as Notebook opens its own
    terminals: on Notebook's terminal page, in a new browser tab, which a reload keeps."""
    running = pipeline.running
    errors = PageErrors(page)
    _open_notebook_page(page, lab, "tree")
    tabs = page.locator(".jp-TreePanel").get_by_role("tab")
    expect(tabs).to_have_text(["Files", "Running", "CI Pipelines"])
    ci_tab = tabs.filter(has_text="CI Pipelines")
    # Hidden, and so fetching nothing, until its tab is chosen.
    assert page.locator(".jp-TreePanel .jp-CIPanel").is_hidden()
    ci_tab.click()
    expect(ci_tab).to_have_attribute("aria-selected", "true")
    open_panel(page, pipeline.id)
    names = page.locator(".jp-TreePanel .jp-CIPanel-jobName").all_inner_texts()
    assert {FAILING_JOB, HELD_JOB, JOB_NAME} <= set(names)
    # "CI: Show pipelines" shows the tab.
    tabs.filter(has_text="Files").click()
    execute(page, "ci-terminal:show-pipelines")
    expect(ci_tab).to_have_attribute("aria-selected", "true")

    opened: list[tuple[TerminalFrames, PageErrors]] = []
    page.context.on("page", lambda new: opened.append((TerminalFrames(new), PageErrors(new))))
    with page.context.expect_page() as popup:
        job_row(page, running.job).get_by_role("button", name="Debug", exact=True).click()
    terminal = popup.value
    frames, terminal_errors = opened[0]
    terminal.wait_for_load_state()
    url = urlsplit(terminal.url)
    assert url.path.endswith("/terminals/")
    assert parse_qs(url.query)["ci-open"] == [f"terminal:{running.job}:{running.project}"]

    def echo(word: str) -> None:
        start = len(frames.frames)
        type_command(terminal, f'echo "{word}-$CI_JOB_NAME"')
        frames.wait_for(
            terminal,
            lambda f: output_line(f.stdout(start), f"{word}-{running.name}"),
            what=f"a stdout line {word}-{running.name}",
        )

    frames.wait_for_prompt(terminal, timeout=60)
    echo("first")
    expect(terminal.locator(".jp-CITerminal .jp-CIStrip-status")).to_be_visible()
    # The page keeps its ci-open parameter: a reload attaches again.
    sockets, start = len(frames.urls), len(frames.frames)
    terminal.reload()
    frames.wait_for(
        terminal,
        lambda f: len(f.urls) > sockets and ["setup", {}] in f.messages(start),
        timeout=60,
        what="the terminal of the reloaded page",
    )
    echo("reloaded")
    terminal.close()
    assert errors.about(*OURS) == []
    assert terminal_errors.about(*OURS) == [], terminal_errors.messages


@pytest.mark.usefixtures("pipeline")  # the panel opened at the end lists its jobs
def test_launcher_card_and_palette_entries(page: Page, lab: Lab) -> None:
    """The launcher card and the palette's CI entries exist, labelled as on the palette."""
    open_lab(page, lab)
    labels = page.evaluate(
        """() => {
            const c = window.jupyterapp.commands;
            return ['ci-terminal:open-terminal', 'ci-terminal:show-pipelines',
                    'ci-terminal:run-pipeline', 'ci-terminal:open-log']
              .map(id => c.label(id, {isPalette: true}));
        }"""
    )
    assert labels == [
        "CI: Open job terminal…",
        "CI: Show pipelines",
        "CI: Run pipeline",
        "CI: Open job log…",
    ]
    execute(page, "launcher:create")
    card = page.locator('.jp-LauncherCard[title^="Open the live shell"]')
    card.wait_for(timeout=10_000)
    assert card.inner_text() == "CI Job Terminal"

    # The palette is read in the task that opens it, because JupyterLab closes it a moment
    # later (traced with JupyterLab 4.6.6; nothing of this extension runs then). A Lab opened
    # with `?reset` (`Lab.workspace_url`) routes a second time 1-2 s after `app.restored`: the
    # `apputils:reset-on-load` route command (@jupyterlab/apputils-extension, state plugin)
    # clears and saves the state, then calls `router.navigate` to the URL without `reset`, and
    # `Router.navigate` (@jupyterlab/application/src/router.ts:71-93) routes again on the next
    # animation frame, executing `apputils:load-statedb` and `router:tree`. The palette hides
    # on every executed command (`ModalCommandPalette`'s constructor connects
    # `commands.commandExecuted` to `hideAndReset`: @jupyterlab/apputils/src/commandpalette.ts
    # :28-32), and `hideAndReset` gives the focus back to the Launcher it was opened from.
    items = page.evaluate(
        """async () => {
            await window.jupyterapp.commands.execute('apputils:activate-command-palette');
            const input = document.querySelector('.lm-CommandPalette-input');
            input.value = 'CI: ';
            input.dispatchEvent(new Event('input', {bubbles: true}));
            await new Promise(requestAnimationFrame);
            return [...document.querySelectorAll('.lm-CommandPalette-itemLabel')]
              .map(e => e.textContent);
        }"""
    )
    assert {"CI: Open job terminal…", "CI: Show pipelines", "CI: Run pipeline"} <= set(items)
    page.keyboard.press("Escape")
    # Keyboard: "CI: Show pipelines" opens the panel.
    execute(page, "ci-terminal:show-pipelines")
    open_panel(page)
