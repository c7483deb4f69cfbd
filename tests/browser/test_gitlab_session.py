"""End to end in headless Chromium against a GitLab: the web-session dialog opens the Debug tab.

The mock GitLab and its Workhorse (``tests/gitlab``) run in a thread of their own, with their own
asyncio loop, in front of a real local runner; JupyterLab's only GitLab configuration is
``GITLAB_URL`` + ``GITLAB_TOKEN`` (Alice's token, so the pipeline is Alice's too).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from labdriver import Lab, RunningJob, lab_env, run_lab, wait_for_job, write_project
from pagedriver import (
    TerminalFrames,
    execute,
    job_row,
    open_lab,
    open_panel,
    output_line,
    pipeline_row,
    tab_labels,
    type_command,
    wait_for_tab,
)

# tests/gitlab is no package (one named "gitlab" would shadow python-gitlab): import its modules.
GITLAB_TESTS = str(Path(__file__).resolve().parents[1] / "gitlab")
if GITLAB_TESTS not in sys.path:
    sys.path.insert(0, GITLAB_TESTS)

from gitlab_support import ALICE_SESSION, ALICE_TOKEN, BOB_SESSION, BOB_TOKEN
from mock_gitlab import MockGitLab, MockProject, User

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Response

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

T = TypeVar("T")

#: The job the tests attach to: it runs until they are done.
JOB_NAME = "shell-job"
CI_YAML = f"""\
stages: [test]
{JOB_NAME}:
  stage: test
  script:
    - echo started
    - sleep 300
"""

#: GitLab's project ``acme/app`` as the extension names it (backend ``gitlab``, GitLab id 42).
PROJECT = "gitlab-42"
#: A well-formed ``_gitlab_session`` value that signs in nobody.
WRONG_SESSION = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e"
FORGET = "ci-terminal:forget-gitlab-session"
MINE = "ci-terminal:toggle-my-pipelines"

DIALOG = ".jp-CIWebSessionDialog"
DIALOG_INPUT = f"{DIALOG} input.jp-CIWebSession-input"
DIALOG_ERROR = f"{DIALOG} .jp-CIWebSession-error"
DIALOG_ACCEPT = f"{DIALOG} .jp-Dialog-button.jp-mod-accept"
DIALOG_CANCEL = f"{DIALOG} .jp-Dialog-button.jp-mod-reject"


def _runtime_info(path: Path, process: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
    """The runner's runtime file, once written (atomically)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the runner exited with code {process.returncode}")
        with contextlib.suppress(OSError, ValueError):
            return dict(json.loads(path.read_text()))
        time.sleep(0.1)
    raise RuntimeError(f"the runner wrote no runtime file within {timeout:g} s")


@contextlib.contextmanager
def run_runner(project: Path, home: Path) -> Iterator[dict[str, Any]]:
    """A real local runner serving ``project``; yields its runtime info (URL, API token)."""
    argv = [sys.executable, "-m", "jupyter_ci_terminal.runner", "serve", "--project", str(project)]
    home.mkdir(parents=True, exist_ok=True)
    with (home / "runner.log").open("wb") as log:
        process = subprocess.Popen(
            [*argv, "--port", "0", "--session-timeout", "5"],
            env=lab_env(home),  # its runtime file goes below home, out of the lab's sight
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield _runtime_info(home / "runtime" / f"ci-runner-{process.pid}.json", process, 30)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class LoopThread:
    """An asyncio loop running in a thread of its own, for the in-process mock GitLab."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="mock-gitlab")
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        """Run ``coro`` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Cancel what is left, stop the loop and join the thread."""

        async def cancel_the_rest() -> None:
            me = asyncio.current_task()
            rest = [t for t in asyncio.all_tasks() if t is not me]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        self.run(cancel_the_rest())
        self.run(self.loop.shutdown_asyncgens())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


@pytest.fixture(scope="module")
def gitlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockGitLab]:
    """The mock GitLab (Alice and Bob, project ``acme/app`` on a real runner)."""
    base = tmp_path_factory.mktemp("gitlab")
    project = write_project(base / "app", CI_YAML)
    with run_runner(project, base / "runner-home") as runner:
        gl = MockGitLab(
            runner_url=runner["url"],
            runner_token=runner["token"],
            runner_path=f"local/{project.name}",
            users=[
                User(1, "alice", ALICE_TOKEN, ALICE_SESSION),
                User(2, "bob", BOB_TOKEN, BOB_SESSION),
            ],
            projects=[
                MockProject(42, "acme/app", {"alice": 30, "bob": 30}, runner=True),
            ],
        )
        loop = LoopThread()
        try:
            loop.run(gl.start())
            yield gl
        finally:
            with contextlib.suppress(Exception):
                loop.run(gl.stop())
            loop.close()


@pytest.fixture(scope="module")
def gitlab_lab(tmp_path_factory: pytest.TempPathFactory, gitlab: MockGitLab) -> Iterator[Lab]:
    """JupyterLab whose only CI project is GitLab's ``acme/app`` (no local pipeline)."""
    base = tmp_path_factory.mktemp("gitlab-lab")
    root = base / "notebooks"
    root.mkdir()
    env = {"GITLAB_URL": gitlab.url, "GITLAB_TOKEN": ALICE_TOKEN}
    with run_lab(root, base / "home", env=env) as server:
        yield server


@pytest.fixture(scope="module")
def gitlab_job(gitlab_lab: Lab) -> RunningJob:
    """A running job of a pipeline the token's user (Alice) started."""
    pipeline = gitlab_lab.api("POST", f"projects/{PROJECT}/pipelines", {"ref": "main"})["id"]
    job = wait_for_job(
        gitlab_lab, PROJECT, pipeline, JOB_NAME, lambda j: j["status"] == "running", timeout=60
    )
    return RunningJob(PROJECT, pipeline, job["id"], JOB_NAME)


def session_held(lab: Lab) -> bool:
    """Whether the server holds a web session for the (one) Jupyter user."""
    return bool(lab.api("GET", "gitlab/session")["present"])


class Traffic:
    """What the page sent and received over HTTP."""

    def __init__(self, page: Page) -> None:
        self.requests: list[Request] = []
        self.responses: list[Response] = []
        page.on("request", lambda request: self.requests.append(request))
        page.on("response", lambda response: self.responses.append(response))

    def bodies_sent_with(self, secret: str) -> list[str]:
        """``METHOD path`` of every request whose body holds ``secret``."""
        found = []
        for request in self.requests:
            with contextlib.suppress(Exception):  # e.g. a binary body
                if secret in (request.post_data or ""):
                    found.append(f"{request.method} {request.url.split('?')[0]}")
        return found

    def response_bodies(self) -> dict[str, str]:
        """``METHOD url`` → body of every response with one (redirects have none)."""
        out = {}
        for i, response in enumerate(self.responses):
            with contextlib.suppress(Exception):
                body = response.body().decode(errors="replace")
                out[f"{i} {response.request.method} {response.url}"] = body
        return out


def press_debug(page: Page, job: RunningJob) -> None:
    debug = job_row(page, job.job).locator(".jp-CIPanel-debug")
    debug.click(timeout=30_000)


def give_in_dialog(page: Page, value: str) -> None:
    page.locator(DIALOG_INPUT).fill(value)
    page.locator(DIALOG_ACCEPT).click()


def test_debug_asks_for_the_web_session_then_opens_the_tab(
    page: Page, gitlab_lab: Lab, gitlab_job: RunningJob, gitlab: MockGitLab
) -> None:
    """Debug on a GitLab job without a web session shows the dialog; a wrong value is refused
    in the dialog (no tab); the right one opens the job's shell; the value is never sent back."""
    lab, job = gitlab_lab, gitlab_job
    lab.api("DELETE", "gitlab/session")
    traffic = Traffic(page)
    frames = TerminalFrames(page)
    uncaught: list[str] = []
    page.on("pageerror", lambda e: uncaught.append(f"{e}\n{e.stack}"))
    open_lab(page, lab)
    open_panel(page)

    press_debug(page, job)
    dialog = page.locator(DIALOG)
    dialog.wait_for(timeout=20_000)
    text = dialog.inner_text()
    # The server's sentence says why and where; the dialog adds where the value is kept.
    assert "signed-in browser session, never for API tokens" in text
    assert f"Cookies → {gitlab.url.split('://')[1]} → _gitlab_session" in text
    assert "memory only, never in this browser" in text
    field = page.locator(DIALOG_INPUT)
    assert field.get_attribute("type") == "password"
    assert field.get_attribute("autocomplete") == "off"
    assert page.get_by_label("_gitlab_session value").count() == 1
    assert field.evaluate("n => n === document.activeElement")

    # A value GitLab does not accept: the refusal, in the dialog, which stays open.
    give_in_dialog(page, WRONG_SESSION)
    error = page.locator(DIALOG_ERROR)
    error.wait_for(state="visible", timeout=20_000)
    assert "did not accept the web session" in error.inner_text()
    assert dialog.is_visible()
    assert field.input_value() == ""
    # Nothing typed: asked for a value, not sent.
    page.locator(DIALOG_ACCEPT).click()
    page.wait_for_function(
        "s => document.querySelector(s).textContent.includes('Paste the value')",
        arg=DIALOG_ERROR,
    )
    page.locator(DIALOG_CANCEL).click()
    dialog.wait_for(state="detached")
    page.wait_for_timeout(500)
    assert job.title not in tab_labels(page)
    assert frames.urls == []
    assert not session_held(lab)

    # Debug again: the right value opens the tab on the job's shell.
    press_debug(page, job)
    dialog.wait_for()
    give_in_dialog(page, ALICE_SESSION)
    dialog.wait_for(state="detached", timeout=20_000)
    wait_for_tab(page, job.title)
    assert session_held(lab)
    frames.wait_for_prompt(page)
    start = len(frames.frames)
    type_command(page, "echo $CI_JOB_NAME")
    frames.wait_for(
        page, lambda f: output_line(f.stdout(start), JOB_NAME), what=f"a line {JOB_NAME!r}"
    )
    (dialed,) = [e for e in gitlab.terminal_log if e["status"] == 101]
    assert dialed["job"] == job.job
    assert dialed["path"] == "acme/app"

    # The value went to the server once, in the PUT that gave it, and nowhere else.
    assert traffic.bodies_sent_with(ALICE_SESSION) == [
        f"PUT {lab.url}ci-terminal/api/gitlab/session"
    ]
    puts = [r for r in traffic.requests if r.method == "PUT" and "gitlab/session" in r.url]
    assert [json.loads(r.post_data or "{}") for r in puts] == [
        {"backend": "gitlab", "session": value} for value in (WRONG_SESSION, ALICE_SESSION)
    ]
    assert traffic.bodies_sent_with(WRONG_SESSION) == [
        f"PUT {lab.url}ci-terminal/api/gitlab/session"
    ]
    storage = page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    inputs = page.evaluate("() => [...document.querySelectorAll('input')].map(n => n.value)")
    received = traffic.response_bodies()
    rest = [key for key in received if "/api/" in key]
    assert any("/ci-terminal/api/gitlab/session" in key for key in rest)
    assert any("/ci-terminal/api/terminals" in key for key in rest)
    haystack = "\n".join([storage, *inputs, *received.values(), *frames.frames])
    assert JOB_NAME in haystack  # the haystack is the real one
    for secret in (ALICE_SESSION, WRONG_SESSION, ALICE_TOKEN):
        assert secret not in haystack
    assert uncaught == []


def test_forget_gitlab_web_session_command(
    page: Page, gitlab_lab: Lab, gitlab_job: RunningJob
) -> None:
    """The palette command is enabled once the page has seen a GitLab project, and makes the
    server drop the web session."""
    lab = gitlab_lab
    lab.api("PUT", "gitlab/session", {"backend": "gitlab", "session": ALICE_SESSION})
    assert session_held(lab)
    open_lab(page, lab)

    def enabled() -> bool:
        return bool(page.evaluate(f"() => window.jupyterapp.commands.isEnabled('{FORGET}')"))

    assert page.evaluate(f"() => window.jupyterapp.commands.hasCommand('{FORGET}')")
    assert not enabled()  # the panel has listed no project yet
    open_panel(page)
    page.wait_for_function(f"() => window.jupyterapp.commands.isEnabled('{FORGET}')")

    # From the command palette, as a user would.
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
    palette.fill("Forget GitLab web session")
    active = ".lm-CommandPalette-item.lm-mod-active"
    page.locator(active, has_text="CI: Forget GitLab web session").wait_for()
    palette.press("Enter")  # the panel's polls re-render the palette: no mouse click
    page.get_by_text("no longer holds your GitLab web session").wait_for(timeout=10_000)
    assert not session_held(lab)


def test_an_expired_web_session_is_asked_for_again(
    page: Page, gitlab_lab: Lab, gitlab_job: RunningJob, gitlab: MockGitLab
) -> None:
    """When GitLab no longer accepts the session the server holds, Debug says so in the dialog
    (with why and where), and the new session opens the tab."""
    lab, job = gitlab_lab, gitlab_job
    lab.api("PUT", "gitlab/session", {"backend": "gitlab", "session": ALICE_SESSION})
    with contextlib.suppress(urllib.error.HTTPError):  # a tab of an earlier test
        lab.api("DELETE", f"terminals/{PROJECT}-{job.job}")
    alice = gitlab.users[0]
    renewed = "a11ce5e5519ed1a9a1a1ce5e55104000"
    alice.session = renewed  # Alice signed out and in again: GitLab expired the old session
    try:
        frames = TerminalFrames(page)
        open_lab(page, lab)
        open_panel(page)
        press_debug(page, job)
        dialog = page.locator(DIALOG)
        dialog.wait_for(timeout=20_000)
        text = dialog.inner_text()
        assert "did not accept the web session (expired?)" in text
        assert "not for API tokens" in text
        host = gitlab.url.split("://")[1]
        assert f"GitLab web session needed for {host}" in text  # the GitLab of the Debug pressed
        assert f"Application (or Storage) → Cookies → {host} → _gitlab_session" in text
        assert not session_held(lab)  # the server forgot the refused session
        give_in_dialog(page, renewed)
        dialog.wait_for(state="detached", timeout=20_000)
        wait_for_tab(page, job.title)
        frames.wait_for_prompt(page)
        start = len(frames.frames)
        type_command(page, 'echo "job-$CI_JOB_ID"')
        frames.wait_for(
            page, lambda f: output_line(f.stdout(start), f"job-{job.job}"), what="the job id"
        )
    finally:
        alice.session = ALICE_SESSION


def start_pipeline_as(gitlab: MockGitLab, token: str) -> int:
    """Start a pipeline on ``acme/app`` with a user's own token, as GitLab's UI would."""
    request = urllib.request.Request(
        f"{gitlab.url}/api/v4/projects/42/pipeline",
        data=json.dumps({"ref": "main"}).encode(),
        headers={"PRIVATE-TOKEN": token, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(json.loads(response.read())["id"])


def test_only_my_pipelines(
    page: Page, gitlab_lab: Lab, gitlab_job: RunningJob, gitlab: MockGitLab
) -> None:
    """The panel's "Only my pipelines" asks for scope=mine (GitLab's username filter): Bob's
    pipeline goes, Alice's stays; the command follows the button, and turning it off brings
    Bob's back."""
    lab = gitlab_lab
    bobs = start_pipeline_as(gitlab, BOB_TOKEN)
    try:
        traffic = Traffic(page)
        open_lab(page, lab)
        open_panel(page)
        toggle = page.locator(".jp-CIPanel-mine")
        pipelines = page.locator(".jp-CIPanel-pipeline")
        pipeline_row(page, bobs).wait_for(timeout=30_000)
        assert toggle.get_attribute("aria-pressed") == "false"

        toggle.click()
        page.locator('.jp-CIPanel-mine[aria-pressed="true"]').wait_for(timeout=10_000)
        pipeline_row(page, bobs).wait_for(state="detached", timeout=30_000)
        pipeline_row(page, gitlab_job.pipeline).wait_for(timeout=30_000)
        assert str(bobs) not in pipelines.all_inner_texts()
        assert page.evaluate(f"() => window.jupyterapp.commands.isToggled('{MINE}')")
        assert any(
            f"/ci-terminal/api/projects/{PROJECT}/pipelines?scope=mine" in r.url
            for r in traffic.requests
        )

        execute(page, MINE)  # the command, as from the palette
        page.locator('.jp-CIPanel-mine[aria-pressed="false"]').wait_for(timeout=10_000)
        pipeline_row(page, bobs).wait_for(timeout=30_000)
    finally:
        lab.api("POST", f"projects/{PROJECT}/pipelines/{bobs}/cancel")
