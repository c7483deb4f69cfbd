"""Drive JupyterLab in headless Chromium: the page side of the browser tests and screenshots.

- :func:`open_browser` launches the system Chromium (never a downloaded browser) with a fresh
  profile: ``$CHROMIUM_PATH``, else ``chromium`` on ``PATH`` (Debian: ``apt install chromium``);
- :func:`open_lab`, :func:`open_job_terminal` and :func:`type_command` drive the page;
- :class:`TerminalFrames` reads the CI terminal websockets' frames, since xterm.js draws to a canvas;
- :func:`xterm_state` reads a CI terminal tab's xterm.js buffers cell by cell.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labdriver import Lab, RunningJob
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, WebSocket

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

OPEN_TERMINAL = "ci-terminal:open-terminal"
OPEN_LOG = "ci-terminal:open-log"
PANEL_TAB = '.jp-SideBar .lm-TabBar-tab[title="CI Pipelines"]'
TAB_LABELS = "#jp-main-dock-panel .lm-TabBar-tabLabel"
TERMINAL_SOCKET = "/ci-terminal/terminals/websocket/"


def chromium_path() -> str | None:
    """The Chromium executable to drive, or None when there is none."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    return path if path and Path(path).exists() else None


def _chromium_executable() -> str:
    executable = chromium_path()
    if executable is None:
        msg = (
            "Chromium was not found: install it (Debian: apt install chromium) or set CHROMIUM_PATH"
        )
        raise RuntimeError(msg)
    return executable


@contextlib.contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Yield headless system Chromium; give each test its own context (:func:`new_page`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=_chromium_executable(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def new_page(browser: Browser, viewport: tuple[int, int] = (1280, 800)) -> Iterator[Page]:
    """Yield a page in a fresh browser context (no cookies or storage from other tests)."""
    width, height = viewport
    context = browser.new_context(viewport={"width": width, "height": height})
    closed: list[BrowserContext] = []

    def on_close(closing: BrowserContext) -> None:
        # A test may close its page's context itself (a viewer leaving): nothing to undo then.
        closed.append(closing)

    context.on("close", on_close)
    try:
        yield context.new_page()
    finally:
        if not closed:
            # A test's route handler still running when its page closes would otherwise raise
            # into the next test's first browser call.
            context.unroute_all(behavior="ignoreErrors")
            for page in context.pages:
                page.unroute_all(behavior="ignoreErrors")
            context.close()


@contextlib.contextmanager
def open_browser(viewport: tuple[int, int] = (1280, 800)) -> Iterator[Page]:
    """Yield a page of headless system Chromium with a fresh profile."""
    with launch_chromium() as browser, new_page(browser, viewport) as page:
        yield page


def open_lab(page: Page, lab: Lab, workspace: str | None = None) -> None:
    """Open Lab in a fresh workspace and wait until it is restored and the extension is active."""
    page.goto(lab.workspace_url(workspace or f"ci-{secrets.token_hex(4)}"))
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored")
    if not page.evaluate(f"() => window.jupyterapp.commands.hasCommand('{OPEN_TERMINAL}')"):
        msg = (
            "The jupyter-ci-terminal labextension is not active: build and install it "
            "(pip install -e . or jupyter-builder develop --overwrite .)"
        )
        raise RuntimeError(msg)


def open_job_terminal(page: Page, job: RunningJob) -> str | None:
    """Run the open-terminal command for ``job``; return the new tab's label."""
    label = page.evaluate(
        """async ([command, project, job]) => {
            const widget = await window.jupyterapp.commands.execute(command, {project, job});
            return widget ? widget.title.label : null;
        }""",
        [OPEN_TERMINAL, job.project, job.job],
    )
    return None if label is None else str(label)


def current_tab_label(page: Page) -> str:
    """The label of the current main-area tab."""
    selector = "#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel"
    return page.locator(selector).first.inner_text()


def tab_labels(page: Page) -> list[str]:
    """The labels of every main-area tab."""
    return page.locator(TAB_LABELS).all_inner_texts()


def wait_for_tab(page: Page, label: str, timeout: float = 30) -> None:
    """Wait until a main-area tab is labelled ``label``."""
    page.wait_for_function(
        "([selector, label]) => [...document.querySelectorAll(selector)]"
        ".some(e => e.textContent === label)",
        arg=[TAB_LABELS, label],
        timeout=timeout * 1000,
    )


def execute(page: Page, command: str, args: dict[str, Any] | None = None) -> Any:
    """Run a JupyterLab command; return what it returns when that is JSON-able, else None."""
    return page.evaluate(
        """async ([command, args]) => {
            const result = await window.jupyterapp.commands.execute(command, args);
            try { return JSON.parse(JSON.stringify(result ?? null)); } catch { return null; }
        }""",
        [command, args or {}],
    )


def open_panel(page: Page, pipeline: int | None = None) -> None:
    """Show the CI Pipelines panel and wait for its first job row.

    With ``pipeline``, show that pipeline's jobs rather than the newest pipeline's (other tests
    may have started newer pipelines).
    """
    if not page.locator(".jp-CIPanel").is_visible():
        page.locator(PANEL_TAB).click()
    if pipeline is not None:
        pipeline_button(page, pipeline).click(timeout=30_000)
        pipeline_button(page, pipeline, current=True).wait_for(timeout=30_000)
    page.locator(".jp-CIPanel-job").first.wait_for(timeout=30_000)


def pipeline_row(page: Page, pipeline: int) -> Locator:
    """The panel row of pipeline ``pipeline``."""
    return page.locator(f'.jp-CIPanel-pipeline[data-pipeline="{pipeline}"]')


def pipeline_button(page: Page, pipeline: int, *, current: bool = False) -> Locator:
    """The main button of pipeline ``pipeline``'s row (it shows the pipeline's jobs); with
    ``current``, only while that pipeline is the one shown."""
    state = '[aria-current="true"]' if current else ""
    return pipeline_row(page, pipeline).locator(f".jp-CIPanel-pipelineSelect{state}")


def job_row(page: Page, job: int) -> Locator:
    """The panel row of job ``job``."""
    return page.locator(f'.jp-CIPanel-job[data-job="{job}"]')


def ax_roles(page: Page, selector: str) -> list[str]:
    """Roles in Chromium's own accessibility tree, from the element ``selector`` up to the
    root, leaving out the nodes it ignores (e.g. ``['button', 'listitem', 'list', …]``)."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        backend = cdp.send("DOM.describeNode", {"nodeId": node})["node"]["backendNodeId"]
        nodes = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": True})
    finally:
        cdp.detach()
    by_id = {n["nodeId"]: n for n in nodes["nodes"]}
    current = next((n for n in nodes["nodes"] if n.get("backendDOMNodeId") == backend), None)
    roles = []
    while current is not None:
        if not current.get("ignored"):
            roles.append(str(current.get("role", {}).get("value", "")))
        current = by_id.get(current.get("parentId", ""))
    return roles


class PageErrors:
    """Uncaught exceptions and console errors of a page, with their stacks."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("pageerror", lambda e: self.messages.append(f"{e}\n{e.stack}"))
        page.on(
            "console",
            lambda m: (
                self.messages.append(f"console.{m.type}: {m.text} {m.location}")
                if m.type == "error"
                else None
            ),
        )

    def about(self, *needles: str) -> list[str]:
        """The messages that mention any of ``needles``."""
        return [m for m in self.messages if any(n in m for n in needles)]


class TerminalFrames:
    """Text of the frames the CI terminal websockets receive (xterm draws to a canvas); a binary
    frame (the tabs ask for ``?output=binary``) is kept as the stdout message it stands for."""

    def __init__(self, page: Page) -> None:
        self.frames: list[str] = []
        self.binary = 0  # how many frames were binary
        self.urls: list[str] = []
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, ws: WebSocket) -> None:
        if TERMINAL_SOCKET in ws.url:
            self.urls.append(ws.url)
            ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            self.binary += 1
            payload = json.dumps(["stdout", payload.decode()])  # the server cuts no character
        self.frames.append(payload)

    def messages(self, start: int = 0) -> list[list[Any]]:
        """Decoded terminado messages from frame ``start`` on."""
        out = []
        for frame in self.frames[start:]:
            with contextlib.suppress(ValueError):
                message = json.loads(frame)
                if isinstance(message, list) and message:
                    out.append(message)
        return out

    def stdout(self, start: int = 0) -> str:
        """Concatenated ``stdout`` text from frame ``start`` on."""
        return "".join(str(m[1]) for m in self.messages(start) if m[0] == "stdout" and len(m) > 1)

    def wait_for_prompt(self, page: Page, timeout: float = 30) -> None:
        """Wait for the setup frame, then for output ending in a shell prompt (``$`` or ``#``)."""
        self.wait_for(page, lambda f: ["setup", {}] in f.messages(), timeout, "the setup frame")
        self.wait_for(
            page,
            lambda f: re.search(r"[$#] ?$", plain_text(f.stdout())) is not None,
            timeout,
            "a shell prompt",
        )

    def wait_for(self, page: Page, predicate: Any, timeout: float = 30, what: str = "") -> None:
        """Wait (letting the page run) until ``predicate(self)`` is true."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                tail = self.stdout()[-2000:]
                msg = f"timed out waiting for {what or predicate}; terminal output so far:\n{tail}"
                raise AssertionError(msg)
            page.wait_for_timeout(100)


#: Terminal control sequences (CSI, OSC, other two-byte escapes).
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def plain_text(text: str) -> str:
    """Terminal output without control sequences and carriage returns."""
    return _ESCAPES.sub("", text).replace("\r", "")


def output_line(text: str, line: str) -> bool:
    """Whether ``text`` (terminal output) has a line that is exactly ``line``, escapes aside."""
    return line in plain_text(text).split("\n")


def stty_sizes(text: str) -> list[tuple[int, int]]:
    """Every ``rows cols`` line (the output of ``stty size``) in terminal output."""
    found = re.findall(r"^(\d+) (\d+)$", plain_text(text), flags=re.MULTILINE)
    return [(int(rows), int(cols)) for rows, cols in found]


def type_command(page: Page, command: str) -> None:
    """Focus the current CI terminal and type ``command`` + Enter."""
    page.locator(".jp-CITerminal:not(.lm-mod-hidden) .jp-Terminal .xterm").first.click()
    page.keyboard.type(command)
    page.keyboard.press("Enter")


def run_in_new_notebook(page: Page, code: str, timeout: float = 60, *, wait: bool = True) -> None:
    """Create a notebook with the default Python kernel and run ``code`` in its first cell.

    With ``wait``, return once the cell shows an output.
    """
    page.evaluate(
        """async code => {
            const app = window.jupyterapp;
            const panel = await app.commands.execute('notebook:create-new', {kernelName: 'python3'});
            await panel.context.ready;
            await panel.sessionContext.ready;
            panel.content.activeCell.model.sharedModel.setSource(code);
            await app.commands.execute('notebook:run-cell');
        }""",
        code,
    )
    if wait:
        page.locator(".jp-Notebook .jp-OutputArea-output").first.wait_for(timeout=timeout * 1000)


def reload_workspace(page: Page, lab: Lab, workspace: str) -> None:
    """Load ``workspace`` again, without ``?reset``, and wait until its layout is restored."""
    page.goto(f"{lab.url}lab/workspaces/{workspace}?token={lab.token}")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored")


def wait_for_saved_layout(lab: Lab, workspace: str, keys: list[str], timeout: float = 20) -> None:
    """Wait until the workspace saved on the server mentions every restorer key in ``keys``."""
    deadline = time.monotonic() + timeout
    data: dict[str, object] = {}
    while time.monotonic() < deadline:
        data = lab.request("GET", f"lab/api/workspaces/{workspace}")["data"]
        if all(any(name.startswith(key) for name in data) for key in keys):
            return
        time.sleep(0.25)
    raise AssertionError(f"workspace {workspace} never saved {keys}: {sorted(data)}")


#: JavaScript: the xterm.js ``Terminal`` of the CI terminal tab labelled ``label``, or null. The
#: stock terminal widget keeps it in ``_term`` (no public accessor).
_XTERM = """label => {
    for (const w of window.jupyterapp.shell.widgets('main')) {
        if (w.hasClass('jp-CITerminal') && w.title.label === label) {
            return w.content._term ? w : null;
        }
    }
    return null;
}"""

#: JavaScript: one xterm.js buffer as ``{type, cursor, lines: [{text, wrapped, attrs}]}``.
#: ``attrs`` is empty for a line of default cells, else runs of ``fg/bg/flags*count``.
_READ_BUFFER = """(term, buf, keep) => {
    const cell = buf.getNullCell();
    const key = c => `${c.getFgColorMode()}:${c.getFgColor()}/${c.getBgColorMode()}:${c.getBgColor()}/`
        + [c.isBold(), c.isDim(), c.isItalic(), c.isUnderline(), c.isBlink(), c.isInverse(),
           c.isInvisible(), c.isStrikethrough(), c.isOverline?.()].map(f => f ? 1 : 0).join('');
    const plain = key(cell);
    const lines = [];
    for (let y = Math.max(0, buf.length - keep); y < buf.length; y++) {
        const line = buf.getLine(y);
        const runs = [];
        let last = null, count = 0;
        for (let x = 0; x < term.cols; x++) {
            const k = line.getCell(x, cell) ? key(cell) : plain;
            if (k === last) {
                count++;
            } else {
                if (last !== null) runs.push(`${last}*${count}`);
                last = k;
                count = 1;
            }
        }
        runs.push(`${last}*${count}`);
        const attrs = runs.length === 1 && last === plain ? '' : runs.join(' ');
        lines.push({text: line.translateToString(false), wrapped: line.isWrapped, attrs});
    }
    return {type: buf.type, cursor: [buf.cursorX, buf.cursorY], lines};
}"""


def xterm_state(page: Page, label: str, keep: int = 100_000) -> dict[str, Any] | None:
    """The xterm.js state of the CI terminal tab ``label`` (None until its terminal exists).

    ``{cols, rows, active: "normal"|"alternate", modes, cursorHidden, normal, alternate}``; each
    buffer (``alternate`` only while active) is ``{type, cursor: [x, y], lines}`` with its last
    ``keep`` lines (scrollback and screen), each ``{text, wrapped, attrs}``: the text of every
    cell (``translateToString``), xterm.js's ``isWrapped``, and the cells' colours and flags.
    """
    state = page.evaluate(
        f"""([label, keep]) => {{
            const widget = ({_XTERM})(label);
            if (!widget) return null;
            const term = widget.content._term;
            const read = {_READ_BUFFER};
            const buffers = term.buffer;
            const active = buffers.active.type;
            return {{
                cols: term.cols,
                rows: term.rows,
                active,
                modes: {{...term.modes}},
                cursorHidden: term._core?.coreService?.isCursorHidden ?? null,
                normal: read(term, buffers.normal, keep),
                alternate: active === 'alternate' ? read(term, buffers.alternate, keep) : null,
            }};
        }}""",
        [label, keep],
    )
    return None if state is None else dict(state)


def send_to_terminal(page: Page, label: str, text: str) -> None:
    """Send ``text`` to the shell of the CI terminal tab ``label``, as keystrokes would."""
    page.evaluate(
        f"""([label, text]) => ({_XTERM})(label).content.session.send(
            {{type: 'stdin', content: [text]}})""",
        [label, text],
    )
