"""End to end in headless Chromium: the README's first command, ``./scripts/run``, opens JupyterLab
on ``examples/`` with the demo project and the demo notebook in the file browser, and the
notebook open."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from labdriver import Lab, first_project, serve_lab

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

CHECKOUT = Path(__file__).parents[2]
CURRENT_TAB = "#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """``scripts/run`` of a copy of the checkout's scripts and examples (so the pipeline it starts
    writes nowhere in the checkout), with the Python environment that runs the tests."""
    base = tmp_path_factory.mktemp("first-run")
    copy = base / "checkout"
    shutil.copytree(CHECKOUT / "scripts", copy / "scripts")
    shutil.copytree(
        CHECKOUT / "examples", copy / "examples", ignore=shutil.ignore_patterns(".jupyter-ci")
    )
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {"SKIP_SETUP": "1", "PATH": path}
    argv = ["bash", str(copy / "scripts" / "run"), "--LabApp.expose_app_in_browser=True"]
    with serve_lab(argv, copy, base / "home", env=env) as lab:
        yield lab


def test_the_first_command_shows_the_demo_project_and_the_open_notebook(
    page: Page, first_run: Lab
) -> None:
    """The default page (``/``, where the command's browser goes) shows the file browser at
    ``examples/`` listing ``demo-project`` and ``demo.ipynb``, with the notebook's tab open and
    current; the embedded runner serves the demo project."""
    page.goto(f"{first_run.url}?token={first_run.token}")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored")
    listing = page.locator(".jp-FileBrowser .jp-DirListing-item .jp-DirListing-itemText")
    expect(listing.filter(has_text="demo-project")).to_have_count(1, timeout=60_000)
    expect(listing.filter(has_text="demo.ipynb")).to_have_count(1)
    expect(page.locator(CURRENT_TAB)).to_have_text("demo.ipynb", timeout=60_000)
    # The notebook's own first cell, rendered (not only an empty panel).
    title = page.locator(".jp-NotebookPanel .jp-MarkdownOutput h1")
    expect(title.first).to_contain_text("CI jobs from a notebook", timeout=60_000)
    path = page.evaluate("() => window.jupyterapp.shell.currentWidget?.context?.path")
    assert path == "demo.ipynb"

    project = first_project(first_run)
    (found,) = [p for p in first_run.api("GET", "projects") if str(p["id"]) == project]
    assert found["name"] == "demo-project"
    assert first_run.api("GET", f"projects/{project}/pipelines"), "no pipeline was started"
