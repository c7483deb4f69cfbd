"""Setting up a CI panel test: a pipeline of the test's own, in a Lab that has finished opening.

``Lab.workspace_url`` opens a fresh workspace with ``?reset``. JupyterLab's
``apputils:reset-on-load`` route command (``@jupyterlab/apputils-extension``, state plugin)
clears the state database, saves the workspace, and only then calls ``router.navigate`` to the
URL without ``reset``: ``Router.navigate`` (``@jupyterlab/application/src/router.ts``,
``navigate``) routes a second time on the next animation frame, typically 1-2 s after
``app.restored`` (more on a loaded machine). On that second route the file browser's restore
(``@jupyterlab/filebrowser-extension``, ``restoreBrowser``, connected to ``router.routed``) runs
``launcher:create`` when the main area is empty, and the shell activates the new Launcher
(``LabShell.add`` → ``MainAreaWidget.onActivateRequest`` → ``_focusContent``), which takes the
keyboard focus from wherever it was, the CI panel included.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from labdriver import JOB_NAME, Lab, wait_for_job
from pagedriver import open_lab, open_panel

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Page

#: True once the URL has lost ``reset`` and the Launcher of the second route has the focus.
SETTLED = """() => !/[?&]reset\\b/.test(location.search)
    && document.activeElement?.closest('#jp-main-dock-panel .jp-Launcher') != null"""


def wait_for_launcher_focus(page: Page, timeout: float = 30) -> None:
    """Wait until a fresh workspace's Launcher has been created and focused (see above), so
    that a test's keyboard focus is not taken away by it later. Only for a workspace whose
    main area was left empty."""
    page.wait_for_function(SETTLED, timeout=timeout * 1000)


@contextmanager
def own_running_pipeline(
    page: Page, lab: Lab, project: str
) -> Iterator[tuple[int, dict[str, Any]]]:
    """A new pipeline of ``project`` (the demo pipeline's running job is shared by other tests),
    shown in the CI panel of a settled Lab once its ``JOB_NAME`` job runs: yields the
    pipeline's id and that job; cancels the pipeline on exit."""
    mine = int(lab.api("POST", f"projects/{project}/pipelines", {})["id"])
    try:
        running = wait_for_job(lab, project, mine, JOB_NAME, lambda j: j["status"] == "running")
        open_lab(page, lab)
        wait_for_launcher_focus(page)
        open_panel(page, mine)
        yield mine, running
    finally:
        lab.api("POST", f"projects/{project}/pipelines/{mine}/cancel")
