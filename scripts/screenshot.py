"""Take the README screenshots: a CI job's terminal tab, a job log, and the CI Pipelines panel.

Starts JupyterLab on a throwaway copy of the browser tests' demo project, runs a pipeline with the
embedded local runner, and drives headless Chromium at 1280x800:

- ``screenshot.png``: the CI Pipelines panel and the terminal tab Debug opened on the running job,
  after typing a command;
- ``log-viewer.png``: the failed job's log, opened at its failure;
- ``panel.png``: the panel close up, with a job row's context menu.

Usage: python scripts/screenshot.py [--output-dir docs] [--command "..."]
Needs the package installed with its labextension, the playwright package and Chromium
(``$CHROMIUM_PATH`` or ``chromium`` on PATH).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))
sys.path.insert(0, str(REPO / "tests" / "support"))

from labdriver import (
    FAILING_JOB,
    HELD_JOB,
    run_lab,
    start_job,
    wait_for_job,
    write_project,
)
from pagedriver import (
    TerminalFrames,
    job_row,
    open_browser,
    open_lab,
    open_panel,
    output_line,
    type_command,
    wait_for_tab,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

DEFAULT_COMMAND = 'echo "Attached to $CI_JOB_NAME (job $CI_JOB_ID)"; uname -sm'

#: Width of the left sidebar in the pictures (JupyterLab's default is narrower).
SIDEBAR_WIDTH = 330


def widen_sidebar(page: Page, width: int) -> None:
    """Drag the handle between the left sidebar and the main area to ``width`` pixels."""
    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
    box = handle.bounding_box()
    if box is None:
        return
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(width, y, steps=5)
    page.mouse.up()


def main() -> int:
    """Take the screenshots; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=REPO / "docs")
    parser.add_argument(
        "--command", default=DEFAULT_COMMAND, help="command typed into the job shell"
    )
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args()
    out: Path = args.output_dir
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="ci-terminal-screenshot-") as tmp:
        root = write_project(Path(tmp) / "demo-project")
        with run_lab(root, Path(tmp) / "home") as lab:
            job = start_job(lab)
            failed = wait_for_job(
                lab, job.project, job.pipeline, FAILING_JOB, lambda j: j["status"] == "failed"
            )
            wait_for_job(lab, job.project, job.pipeline, HELD_JOB, lambda j: bool(j.get("hold")))
            with open_browser((args.width, args.height)) as page:
                frames = TerminalFrames(page)
                open_lab(page, lab, "screenshot")
                open_panel(page)
                widen_sidebar(page, SIDEBAR_WIDTH)

                # The panel's Debug button opens the job's terminal tab.
                job_row(page, job.job).locator(".jp-CIPanel-debug").click()
                wait_for_tab(page, job.title)
                frames.wait_for_prompt(page)
                start = len(frames.frames)
                type_command(page, args.command)
                frames.wait_for(
                    page,
                    lambda f: (
                        output_line(f.stdout(start), f"Attached to {job.name} (job {job.job})")
                        or args.command != DEFAULT_COMMAND
                    ),
                    what="the command's output",
                )
                page.locator(".jp-CITerminal:not(.lm-mod-hidden) .jp-CIStrip-runner").wait_for()
                page.wait_for_timeout(1000)
                page.screenshot(path=str(out / "screenshot.png"))

                # A job's name opens its log, at the failure for a failed job.
                job_row(page, failed["id"]).locator(".jp-CIPanel-jobName").click()
                wait_for_tab(page, f"Log: {FAILING_JOB} #{failed['id']}")
                page.locator(".jp-CILog-line.jp-mod-failure").wait_for()
                page.wait_for_timeout(500)
                page.screenshot(path=str(out / "log-viewer.png"))

                # The panel close up, with the actions of a job row's context menu.
                job_row(page, job.job).locator(".jp-CIPanel-jobName").click(button="right")
                menu = page.locator(".lm-Menu").first
                menu.wait_for()
                panel = page.locator(".jp-CIPanel").bounding_box()
                box = menu.bounding_box()
                if panel is None or box is None:
                    print("the panel or its context menu is not shown", file=sys.stderr)
                    return 1
                width = max(panel["x"] + panel["width"], box["x"] + box["width"]) + 16
                height = box["y"] + box["height"] + 16
                page.screenshot(
                    path=str(out / "panel.png"),
                    clip={"x": 0, "y": 0, "width": width, "height": height},
                )
                page.keyboard.press("Escape")
    for name in ("screenshot.png", "log-viewer.png", "panel.png"):
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
