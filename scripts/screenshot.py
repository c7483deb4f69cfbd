"""Take the README screenshot: JupyterLab with a CI job's terminal open, after typing a command.

Starts JupyterLab on a throwaway project whose ``.gitlab-ci.yml`` job sleeps, runs a pipeline
with the embedded local runner, opens the CI Pipelines panel and the job's terminal in headless
Chromium, types a command and saves a 1280x800 PNG.

Usage: python scripts/screenshot.py [--output docs/screenshot.png] [--command "..."]
Needs the package installed with its labextension, the playwright package and Chromium
(``$CHROMIUM_PATH`` or ``chromium`` on PATH).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from labdriver import run_lab, start_job, write_project
from pagedriver import (
    TerminalFrames,
    open_browser,
    open_job_terminal,
    open_lab,
    output_line,
    type_command,
)

DEFAULT_COMMAND = 'echo "Attached to $CI_JOB_NAME (job $CI_JOB_ID)"; uname -sm'


def main() -> int:
    """Take the screenshot; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "screenshot.png")
    parser.add_argument(
        "--command", default=DEFAULT_COMMAND, help="command typed into the job shell"
    )
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ci-terminal-screenshot-") as tmp:
        root = write_project(Path(tmp) / "demo-project")
        with run_lab(root, Path(tmp) / "home") as lab:
            job = start_job(lab)
            with open_browser((args.width, args.height)) as page:
                frames = TerminalFrames(page)
                open_lab(page, lab, "screenshot")
                page.locator('.jp-SideBar .lm-TabBar-tab[title="CI Pipelines"]').click()
                page.locator(f'.jp-CIPanel-job[data-job="{job.job}"]').wait_for()
                label = open_job_terminal(page, job)
                if label != job.title:
                    print(f"unexpected tab title {label!r}", file=sys.stderr)
                    return 1
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
                page.wait_for_timeout(1000)
                args.output.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.output))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
