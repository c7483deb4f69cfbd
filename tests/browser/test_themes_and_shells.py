"""The extension in the dark theme, and in Notebook 7's pages."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from labdriver import DemoPipeline, Lab
from pagedriver import (
    OPEN_LOG,
    OPEN_TERMINAL,
    PageErrors,
    execute,
    job_row,
    open_job_terminal,
    open_lab,
    open_panel,
    wait_for_tab,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

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


@pytest.mark.skipif(
    importlib.util.find_spec("notebook") is None, reason="Notebook 7 is not installed"
)
@pytest.mark.parametrize("path", ["tree", "notebooks/demo.ipynb"])
def test_notebook7_pages_load_the_extension(
    page: Page, lab: Lab, pipeline: DemoPipeline, path: str
) -> None:
    """Notebook 7's pages activate every plugin without errors; the panel shows where there is
    a side area; a job tab, for which a notebook page has no room, opens in JupyterLab."""
    notebook = lab.root / "demo.ipynb"
    if not notebook.exists():
        notebook.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    errors = PageErrors(page)
    page.goto(f"{lab.url}{path}?token={lab.token}")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored")
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

    page.keyboard.press("Control+Shift+C")
    page.keyboard.type("CI: ")
    items = page.locator(".lm-CommandPalette-itemLabel").all_inner_texts()
    assert {"CI: Open job terminal…", "CI: Show pipelines", "CI: Run pipeline"} <= set(items)
    page.keyboard.press("Escape")
    # Keyboard: "CI: Show pipelines" opens the panel.
    execute(page, "ci-terminal:show-pipelines")
    open_panel(page)
