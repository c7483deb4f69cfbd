"""End to end in headless Chromium: tabs restored by project identity, a manual job's log, and
job rows at the sidebar's default width."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from labdriver import Lab, first_project, run_lab, wait_for_job, write_project
from pagedriver import (
    OPEN_LOG,
    OPEN_TERMINAL,
    TERMINAL_SOCKET,
    chromium_path,
    execute,
    job_row,
    open_lab,
    open_panel,
    reload_workspace,
    tab_labels,
    wait_for_tab,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

BUILD = "build-the-training-dataset"
HELD = "held-for-a-debugging-session"
MANUAL = "deploy-to-the-staging-environment"

#: Long job names, a held job and a manual one; two folders with this file number their jobs
#: alike, so a tab keyed by job id alone would show the other folder's job.
CI = f"""\
stages: [build, deploy]

{BUILD}:
  stage: build
  script:
    - echo "dataset built"

{HELD}:
  stage: build
  variables:
    CI_DEBUG_HOLD: always
  script:
    - echo "held open"

{MANUAL}:
  stage: deploy
  needs: []
  when: manual
  script:
    - echo "deployed"
"""

#: JupyterLab's default left sidebar width, in CSS pixels.
SIDEBAR_WIDTH = 250


class Settled:
    """The served project's pipeline once its build job passed and its held job is held."""

    def __init__(self, lab: Lab) -> None:
        self.project = first_project(lab)
        self.pipeline = int(lab.api("POST", f"projects/{self.project}/pipelines", {})["id"])
        jobs = {
            name: wait_for_job(lab, self.project, self.pipeline, name, ready)
            for name, ready in [
                (BUILD, lambda j: j["status"] == "success"),
                (HELD, lambda j: bool(j.get("hold"))),
                (MANUAL, lambda j: j["status"] == "manual"),
            ]
        }
        self.ids: dict[str, int] = {name: int(job["id"]) for name, job in jobs.items()}


@pytest.fixture(scope="module")
def other_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Lab, Path]]:
    """JupyterLab serving a second folder with the same ``.gitlab-ci.yml``; and its home."""
    if chromium_path() is None:
        pytest.skip("Chromium is not installed (Debian: apt install chromium)")
    base = tmp_path_factory.mktemp("other")
    with run_lab(write_project(base / "other-project", CI), base / "home") as lab:
        yield lab, base / "home"


@pytest.fixture(scope="module")
def other(other_lab: tuple[Lab, Path]) -> Settled:
    return Settled(other_lab[0])


class Traffic:
    """The page's failed CI requests, CI terminal websockets and console warnings/errors."""

    def __init__(self, page: Page) -> None:
        self.failed: list[str] = []
        self.sockets: list[str] = []
        self.console: list[str] = []
        page.on("response", self._on_response)
        page.on("websocket", lambda ws: self._on_socket(ws.url))
        page.on("console", self._on_console)

    def _on_response(self, response: Any) -> None:
        if "/ci-terminal/" in response.url and response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def _on_socket(self, url: str) -> None:
        if TERMINAL_SOCKET in url:
            self.sockets.append(url)

    def _on_console(self, message: Any) -> None:
        if message.type in {"error", "warning"}:
            self.console.append(f"console.{message.type}: {message.text}")

    def clear(self) -> None:
        self.failed.clear()
        self.sockets.clear()
        self.console.clear()


def saved_tabs(lab: Lab, workspace: str) -> dict[str, Any]:
    """The CI tabs the workspace saved on the server, by restorer key."""
    data: dict[str, Any] = lab.request("GET", f"lab/api/workspaces/{workspace}")["data"]
    return {key: value for key, value in data.items() if key.startswith("ci-terminal")}


def wait_until(predicate: Any, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)


def ci_tabs(page: Page) -> list[str]:
    return [label for label in tab_labels(page) if label.startswith(("CI:", "Log:"))]


def test_restored_tabs_of_another_folder_are_dropped_with_one_notice(
    page: Page,
    tmp_path: Path,
    other_lab: tuple[Lab, Path],
    other: Settled,
) -> None:
    """A log and a terminal tab of one folder's jobs, reloaded from a server of another folder
    (same workspace, same job numbers): neither comes back, one notice says so, no request
    about them fails, and the next reload does not try again."""
    lab_b, home_b = other_lab
    workspace = f"moved-{time.monotonic_ns()}"
    traffic = Traffic(page)
    shared = {"JUPYTERLAB_WORKSPACES_DIR": str(home_b / "workspaces")}
    with run_lab(write_project(tmp_path / "project", CI), tmp_path / "home", env=shared) as lab_a:
        mine = Settled(lab_a)
        assert mine.ids == other.ids  # the other folder's jobs have the same numbers
        open_lab(page, lab_a, workspace)
        execute(page, OPEN_LOG, {"project": mine.project, "job": mine.ids[BUILD]})
        wait_for_tab(page, f"Log: {BUILD} #{mine.ids[BUILD]}")
        execute(page, OPEN_TERMINAL, {"project": mine.project, "job": mine.ids[HELD]})
        wait_for_tab(page, f"CI: {HELD} #{mine.ids[HELD]}")
        wait_until(lambda: len(saved_tabs(lab_a, workspace)) == 2, "both tabs saved")
        saved = saved_tabs(lab_a, workspace).values()
        assert all(tab["data"]["identity"].startswith("local:") for tab in saved)

    traffic.clear()
    reload_workspace(page, lab_b, workspace)
    notice = page.get_by_text("2 tabs were not restored")
    expect(notice).to_have_count(1, timeout=20_000)
    assert f"Log: {BUILD} #{mine.ids[BUILD]}" in notice.inner_text()
    assert ci_tabs(page) == []
    page.wait_for_timeout(2000)  # a late tab or a second notice would show by now
    assert ci_tabs(page) == []
    expect(page.get_by_text("not restored")).to_have_count(1)
    # (the first server's own requests may still end while it stops)
    assert [r for r in traffic.failed if lab_b.url in r] == []
    assert [s for s in traffic.sockets if lab_b.url.split("//")[1] in s] == []
    assert [m for m in traffic.console if "CI" in m or "ci-terminal" in m] == []
    wait_until(lambda: saved_tabs(lab_b, workspace) == {}, "the dropped tabs forgotten")

    # Forgotten: the next reload neither retries them nor tells again.
    reload_workspace(page, lab_b, workspace)
    page.wait_for_timeout(2000)
    expect(page.get_by_text("not restored")).to_have_count(0)
    assert [r for r in traffic.failed if lab_b.url in r] == []


def test_restored_log_tabs_keep_their_job_names(
    page: Page, other_lab: tuple[Lab, Path], other: Settled
) -> None:
    """A restored log tab in the background is titled with its job's name before it loads."""
    lab = other_lab[0]
    workspace = f"titles-{time.monotonic_ns()}"
    open_lab(page, lab, workspace)
    labels = [f"Log: {name} #{other.ids[name]}" for name in (BUILD, MANUAL)]
    for name, label in zip((BUILD, MANUAL), labels, strict=True):
        execute(page, OPEN_LOG, {"project": other.project, "job": other.ids[name]})
        wait_for_tab(page, label)
    wait_until(
        lambda: (
            sorted(t["data"]["title"] for t in saved_tabs(lab, workspace).values())
            == sorted(labels)
        ),
        "the titles saved",
    )
    reload_workspace(page, lab, workspace)
    for label in labels:
        wait_for_tab(page, label)
    assert sorted(ci_tabs(page)) == sorted(labels)


def test_manual_job_log_says_it_has_not_run(
    page: Page, other_lab: tuple[Lab, Path], other: Settled
) -> None:
    """A manual job's log, opened before it has run, says so instead of failing to load."""
    open_lab(page, other_lab[0])
    open_panel(page, other.pipeline)
    job_row(page, other.ids[MANUAL]).locator(".jp-CIPanel-jobName").click()
    wait_for_tab(page, f"Log: {MANUAL} #{other.ids[MANUAL]}")
    log = page.locator(".jp-CILogWidget:not(.lm-mod-hidden)")
    expect(log.locator(".jp-CILog-empty")).to_have_text(
        "This job has not run yet: it is manual, Play starts it.", timeout=20_000
    )
    expect(log.locator(".jp-CIStrip-status")).to_have_text("manual")
    assert log.locator(".jp-CIPanel-error").count() == 0


def set_sidebar_width(page: Page, width: int) -> None:
    """Drag the left sidebar's splitter until the sidebar is ``width`` pixels wide."""
    side = page.locator("#jp-left-stack")
    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
    for _ in range(3):
        box, grip = side.bounding_box(), handle.bounding_box()
        assert box is not None
        assert grip is not None
        if abs(box["width"] - width) < 1:
            return
        x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + width - box["width"], y, steps=5)
        page.mouse.up()
    box = side.bounding_box()
    assert box is not None
    assert abs(box["width"] - width) < 1, box


#: Every element of a job row that is cut: its content is wider than its box, or it reaches
#: past the row's right edge; with its class, text and whether it has a tooltip.
CUT = """(rows) => rows.flatMap(row => {
    const right = row.getBoundingClientRect().right;
    return [...row.querySelectorAll(':scope > *')]
      .filter(e => e.scrollWidth > e.clientWidth + 0.5
                || e.getBoundingClientRect().right > right + 0.5)
      .map(e => [e.className, e.textContent, e.title !== ''])
  })"""


def test_job_rows_are_readable_in_a_250px_sidebar(
    page: Page, tmp_path: Path, other_lab: tuple[Lab, Path], other: Settled
) -> None:
    """At the sidebar's default width no job name, tag, duration or button is cut."""
    open_lab(page, other_lab[0])
    open_panel(page, other.pipeline)
    set_sidebar_width(page, SIDEBAR_WIDTH)
    rows = page.locator(".jp-CIPanel-job")
    expect(job_row(page, other.ids[HELD]).locator(".jp-CIPanel-tag")).to_contain_text(
        "held for debugging"
    )
    paths = [tmp_path / "rows-250px.png", tmp_path / "panel-250px.png"]
    page.screenshot(path=str(paths[0]))
    page.locator(".jp-CIPanel").screenshot(path=str(paths[1]))
    print("screenshots:", *paths)
    assert rows.count() == 3
    assert rows.evaluate_all(CUT) == []
    for name in (BUILD, HELD, MANUAL):
        title = job_row(page, other.ids[name]).locator(".jp-CIPanel-jobName").get_attribute("title")
        assert title is not None
        assert title.startswith(f"{name} #")
