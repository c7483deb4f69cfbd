"""End to end in headless Chromium: a CI terminal shows exactly what the job's shell shows.

Two pages view one job's shell; one of them reloads (the server sends it a restore payload made
from its screen model, see docs/terminal-model.md) and both pages' xterm.js buffers are compared:
at the same width cell for cell (text, colours and attributes, wrap flags, cursor, active buffer,
modes, the screen and the last 1,000 scrollback lines), at another width line for line.

Each test gets a job of its own in one JupyterLab shared by the module, so a test that fails
inside a full-screen program leaves the others a clean shell.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from labdriver import Lab, RunningJob, run_lab, start_job, write_project
from pagedriver import (
    new_page,
    open_job_terminal,
    open_lab,
    reload_workspace,
    send_to_terminal,
    wait_for_saved_layout,
    wait_for_tab,
    xterm_state,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

SHELL_JOB = "shell"
SHELL_CI = f"""\
{SHELL_JOB}:
  variables:
    PROMPT_COMMAND: 'echo "prompt-at=$(stty size)."'
  script:
    - echo "a shell to attach to"
    - sleep 3600
"""

#: Scrollback lines a reloaded viewer must get back (the server's and xterm.js's default).
SCROLLBACK = 1000

#: What the job's shell says before its first prompt (PROMPT_SETUP replaces it).
SAID_SIZE = re.compile(r"prompt-at=(\d+) (\d+)\.")

#: A prompt that counts (so that a test knows when a command is done) and has colours.
PROMPT_SETUP = r"n=0; PROMPT_COMMAND='n=$((n+1))'; PS1='\[\e[1;32m\][$n]\[\e[0m\] \w\$ '"
PROMPT = re.compile(r"\[(\d+)\] .*[#$] $")

#: A header drawn once, then one row updated 200,000 times by cursor address and another
#: 100,000 times after a carriage return (copied into the job's build directory).
FLOOD_PY = r"""import sys
w = sys.stdout.write
w("\x1b[H\x1b[2J\x1b[1;37;44m BUILD 42: header drawn once \x1b[0m\n")
w("".join(f"\x1b[3;1H\x1b[32mcompiling unit {i}\x1b[0m\x1b[K" for i in range(200_000)))
w("\x1b[5;1H" + "".join(f"\r\x1b[33m{i} files\x1b[0m" for i in range(100_000)))
w("\x1b[7;1Hflood done\n")
"""
FLOOD_ROWS = {
    0: " BUILD 42: header drawn once",
    2: "compiling unit 199999",
    4: "99999 files",
    6: "flood done",
}

#: The last of the long lines ``test_other_width_reload_keeps_every_line`` prints.
LAST_LINE_NUMBER = 59
LAST_LINE = f"{LAST_LINE_NUMBER:03d}-"

#: A file for the pagers and the editor.
LONG_TXT = "".join(f"line {i} of the file\n" for i in range(1, 401))

#: Viewports whose terminals are about 20x60 and 30x100.
SMALL, LARGE = (790, 450), (1080, 600)


@pytest.fixture(scope="module")
def shell_lab(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab whose project has one long job; ``browser`` skips the module without one."""
    base = tmp_path_factory.mktemp("fidelity")
    root = write_project(base / "project", SHELL_CI)
    (root / "flood.py").write_text(FLOOD_PY)
    (root / "long.txt").write_text(LONG_TXT)
    with run_lab(root, base / "home") as server:
        yield server


@pytest.fixture
def job(shell_lab: Lab) -> Iterator[RunningJob]:
    """A running job of its own (a fresh shell) for each test; cancelled after it, so that
    the runner's job slots stay free."""
    running = start_job(shell_lab, SHELL_JOB)
    yield running
    shell_lab.api("POST", f"projects/{running.project}/jobs/{running.job}/cancel")


@dataclass
class Viewer:
    """One page showing the job's terminal tab."""

    page: Page
    lab: Lab
    job: RunningJob
    workspace: str = field(default_factory=lambda: f"fidelity-{secrets.token_hex(4)}")

    def open(self) -> None:
        open_lab(self.page, self.lab, self.workspace)
        assert open_job_terminal(self.page, self.job) == self.job.title
        self.wait_for(has_output, "output")

    def state(self, keep: int = 100_000) -> dict[str, Any]:
        """The tab's xterm.js state (see ``pagedriver.xterm_state``); {} before it exists."""
        return xterm_state(self.page, self.job.title, keep) or {}

    def send(self, text: str) -> None:
        send_to_terminal(self.page, self.job.title, text)

    def wait_for(
        self, ready: Callable[[dict[str, Any]], bool], what: str, timeout: float = 60
    ) -> dict[str, Any]:
        """Poll the (recent part of the) buffers until ``ready``; return that state."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.state(keep=300)
            if state and ready(state):
                return state
            if time.monotonic() > deadline:
                shown = "\n".join(render(state, state["active"])[-30:]) if state else "(none)"
                raise AssertionError(f"timed out waiting for {what}; the terminal shows:\n{shown}")
            self.page.wait_for_timeout(100)

    def reload(self, viewport: tuple[int, int] | None = None) -> None:
        """Reload the page (at another viewport size); wait until the tab has its screen back."""
        wait_for_saved_layout(self.lab, self.workspace, ["ci-terminal:"])
        if viewport is not None:
            self.page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
        reload_workspace(self.page, self.lab, self.workspace)
        wait_for_tab(self.page, self.job.title)
        self.wait_for(has_output, "output")

    def leave(self) -> None:
        """Leave the page (its layout saved, so that :meth:`reload` brings the tab back)."""
        wait_for_saved_layout(self.lab, self.workspace, ["ci-terminal:"])
        self.page.goto("about:blank")

    def close(self) -> None:
        self.page.context.close()


@pytest.fixture
def open_viewer(
    browser: Browser, shell_lab: Lab, job: RunningJob, screenshots: Path, request: Any
) -> Iterator[Callable[..., Viewer]]:
    """Open the test's job in a new page (``viewport`` in CSS pixels); screenshot them all."""
    opened: list[Viewer] = []
    with contextlib.ExitStack() as stack:

        def open_one(viewport: tuple[int, int] = (1280, 800)) -> Viewer:
            viewer = Viewer(stack.enter_context(new_page(browser, viewport)), shell_lab, job)
            viewer.open()
            opened.append(viewer)
            return viewer

        try:
            yield open_one
        finally:
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            for n, viewer in enumerate(opened):
                if not viewer.page.is_closed():
                    viewer.page.screenshot(path=str(screenshots / f"{name}-{n}.png"))


# --- reading the buffers --------------------------------------------------------------------


def has_output(state: dict[str, Any]) -> bool:
    """Whether the normal buffer shows anything (a restored screen, a prompt)."""
    return any(line["text"].strip() for line in state["normal"]["lines"])


def screen_top(state: dict[str, Any], buffer: str = "normal") -> int:
    """Index in ``state[buffer]["lines"]`` of the screen's first row (the rest is scrollback)."""
    return len(state[buffer]["lines"]) - int(state["rows"])


def cursor_line(state: dict[str, Any]) -> str:
    """The logical line of the active buffer up to the cursor."""
    buf = state[state["active"]]
    x, y = buf["cursor"]
    lines = buf["lines"]
    i = screen_top(state, state["active"]) + y
    text = lines[i]["text"][:x]
    while i > 0 and lines[i]["wrapped"]:
        i -= 1
        text = lines[i]["text"] + text
    return str(text)


def prompt_number(state: dict[str, Any]) -> int | None:
    """The counter of the prompt the cursor is at (see ``PROMPT_SETUP``), if it is at one."""
    if state.get("active") != "normal":
        return None
    found = PROMPT.search(cursor_line(state))
    return int(found[1]) if found else None


def logical_lines(lines: list[dict[str, Any]]) -> list[str]:
    """Rows joined where xterm.js wrapped them, trailing blanks and blank last lines left out."""
    out: list[str] = []
    for line in lines:
        if line["wrapped"] and out:
            out[-1] += line["text"]
        else:
            out.append(line["text"])
    out = [line.rstrip() for line in out]
    while out and not out[-1]:
        out.pop()
    return out


def row_text(line: dict[str, Any]) -> str:
    """A row for reading: ``~`` when it continues a wrapped line, its text, its attributes."""
    attrs = f" {line['attrs']}" if line["attrs"] else ""
    return f"{'~' if line['wrapped'] else ' '}|{line['text'].rstrip()}|{attrs}"


def render_rows(lines: list[dict[str, Any]]) -> list[str]:
    return [row_text(line) for line in lines]


def render(state: dict[str, Any], buffer: str = "normal") -> list[str]:
    """The buffer's rows, numbered from screen row 0 (negative in the scrollback)."""
    top = screen_top(state, buffer)
    return [f"{i - top:5d}{row_text(ln)}" for i, ln in enumerate(state[buffer]["lines"])]


def differences(stayed: dict[str, Any], restored: dict[str, Any]) -> str:
    """What differs between two viewers at the same size, readably; empty when nothing does.

    Compared: size, active buffer, modes, cursor visibility, and for each buffer the cursor and
    the last ``SCROLLBACK`` + rows lines (text of every cell, wrap flag, attributes).
    """
    out: list[str] = []
    for key in ("cols", "rows", "active", "modes", "cursorHidden"):
        if stayed.get(key) != restored.get(key):
            out.append(f"{key}: stayed {stayed.get(key)!r}, reloaded {restored.get(key)!r}")
    keep = SCROLLBACK + int(stayed["rows"])
    for buffer in ("normal", "alternate"):
        a, b = stayed.get(buffer), restored.get(buffer)
        if a is None or b is None:
            if (a is None) != (b is None):
                out.append(f"{buffer} buffer: only the {'reloaded' if a is None else 'stayed'}")
            continue
        if a["cursor"] != b["cursor"]:
            out.append(f"{buffer} cursor (x, y): stayed {a['cursor']}, reloaded {b['cursor']}")
        if a["lines"][-keep:] != b["lines"][-keep:]:
            # Rows without numbers (a shift shows as a few lines, not all), numbered in the
            # hunk headers: line n is row n - 1 - (lines - rows), negative in the scrollback.
            rows_a, rows_b = (render_rows(x["lines"][-keep:]) for x in (a, b))
            top_a = min(keep, len(a["lines"])) - int(stayed["rows"])
            top_b = min(keep, len(b["lines"])) - int(restored["rows"])
            diff = difflib.unified_diff(
                rows_a,
                rows_b,
                f"{buffer} buffer of the viewer that stayed (screen row 0 is line {top_a + 1})",
                f"of the viewer that reloaded (screen row 0 is line {top_b + 1})",
                n=2,
                lineterm="",
            )
            shown = list(diff)[:80] or ["(the rows differ only in trailing blanks)"]
            out.append("\n".join(shown))
    return "\n".join(out)


def wait_same(reference: Callable[[], dict[str, Any]], viewer: Viewer, what: str) -> None:
    """Wait until ``viewer`` shows exactly what ``reference()`` returns, else fail with a diff."""
    deadline = time.monotonic() + 20
    while True:
        expected, got = reference(), viewer.state()
        diff = differences(expected, got) if expected and got else "a terminal is missing"
        if not diff:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: the terminals differ\n{diff}")
        viewer.page.wait_for_timeout(250)


def run(command: str, *viewers: Viewer, timeout: float = 60) -> None:
    """Type ``command`` in the first viewer; wait until every viewer shows the next prompt."""
    before = prompt_number(viewers[0].state(keep=300))
    viewers[0].send(command + "\r")
    for viewer in viewers:
        viewer.wait_for(
            lambda s: prompt_number(s) == (before or 0) + 1,
            f"the prompt after {command[:60]!r}",
            timeout,
        )


def open_shell(open_viewer: Callable[..., Viewer], *viewports: tuple[int, int]) -> list[Viewer]:
    """Open the job in one page per viewport, set the counting prompt up and clear the screen
    and scrollback.

    The shell's first prompt is drawn at the first page's size; a smaller second page makes
    bash redraw it, which pages that joined at different moments show differently: clearing
    keeps that out of the comparisons."""
    viewers = [open_viewer(size) for size in viewports]
    run(f"{PROMPT_SETUP}; clear", *viewers)
    return viewers


def stty_size(viewer: Viewer) -> tuple[int, int]:
    """Run ``stty size``; return what it printed."""
    run("stty size", viewer)
    state = viewer.state(keep=300)
    answers = [ln for ln in logical_lines(state["normal"]["lines"]) if re.fullmatch(r"\d+ \d+", ln)]
    rows, cols = answers[-1].split()
    return int(rows), int(cols)


def wait_for_pty_size(viewer: Viewer, size: tuple[int, int], why: str) -> None:
    """Run ``stty size`` until it prints ``size`` (resizes reach the server on their own)."""
    deadline = time.monotonic() + 20
    while (got := stty_size(viewer)) != size:
        if time.monotonic() > deadline:
            raise AssertionError(f"{why}: stty size says {got}, expected {size}")
        viewer.page.wait_for_timeout(250)


def terminal_size(viewer: Viewer) -> tuple[int, int]:
    state = viewer.state(keep=1)
    return int(state["rows"]), int(state["cols"])


# --- the tests ------------------------------------------------------------------------------


def said_size(state: dict[str, Any]) -> tuple[int, int] | None:
    """The pty's size the shell said before its first prompt, once it did."""
    said = [m for line in logical_lines(state["normal"]["lines"]) if (m := SAID_SIZE.search(line))]
    return (int(said[0][1]), int(said[0][2])) if said else None


def test_the_first_prompt_is_drawn_at_the_tabs_size(open_viewer: Callable[..., Viewer]) -> None:
    """The job's shell starts at the first tab's size (the tab sends it once fitted, the runner
    waits for it), so its first prompt is not drawn at 80 columns and redrawn."""
    viewer = open_viewer((1280, 800))
    state = viewer.wait_for(lambda s: said_size(s) is not None, "the size the shell said")
    assert state["cols"] > 80
    assert said_size(state) == (state["rows"], state["cols"])


def test_same_width_reload_is_identical(open_viewer: Callable[..., Viewer]) -> None:
    """Wrapped output, colours and thousands of lines of scrollback: a reloaded page shows
    what the page that stayed shows, cell for cell, also after more output. The last command's
    output wraps (a reload once dropped an output line and left a stray prompt fragment)."""
    stayed, reloaded = open_shell(open_viewer, (1280, 800), (1280, 800))
    cols = stayed.state(keep=1)["cols"]
    run("seq 1 3000", stayed, reloaded)
    run(
        r"printf '\e[31mred \e[1;44mbold on blue\e[0m \e[38;5;208m256 colours\e[0m "
        r"\e[38;2;10;200;30mtrue colour\e[0m \e[4;3munderlined italic\e[7m inverse\e[0m\n'",
        stayed,
        reloaded,
    )
    exact, long = "a" * cols, "b" * (2 * cols + 7)
    code = f"print('{exact}'); print('{long}'); print('\\x1b[33m' + 'c' * {cols + 3} + '\\x1b[0m')"
    run(f'python3 -c "{code}"', stayed, reloaded)
    run("echo " + " ".join(f"word{i}" for i in range(cols // 4)), stayed, reloaded)
    run(f"python3 -c \"print('w' * {cols + 10})\"", stayed, reloaded)
    wait_same(stayed.state, reloaded, "before the reload")
    assert len(stayed.state()["normal"]["lines"]) >= SCROLLBACK  # the scrollback is full

    reloaded.reload()
    wait_same(stayed.state, reloaded, "after a reload at the same width")
    run("echo more output after the reload", stayed, reloaded)
    wait_same(stayed.state, reloaded, "after more output")


def test_other_width_reload_keeps_every_line(open_viewer: Callable[..., Viewer]) -> None:
    """A page whose terminal got narrower (a wider sidebar: the pty follows it) and reloads
    keeps its earlier output and scrollback, re-wrapped; so does one reloaded wider."""
    stayed, other = open_shell(open_viewer, (1280, 800), (1280, 800))
    run("seq -f 'number %g' 1 1500", stayed, other)
    lines = "; ".join(
        f"print('\\x1b[3{i % 8}m{i:03d}' + '-abcdefghij' * {i * 7 % 31} + '\\x1b[0m')"
        for i in range(LAST_LINE_NUMBER + 1)
    )
    run(f'python3 -c "{lines}"', stayed, other)

    # Narrower (as with a wider sidebar; a narrower window keeps that width over a reload):
    # the pty follows the smaller viewer, and xterm.js re-wraps on its own.
    other.page.set_viewport_size({"width": 900, "height": 800})
    narrow = other.wait_for(lambda s: s["cols"] < stayed.state(keep=1)["cols"], "a narrower tab")
    wait_for_pty_size(stayed, (narrow["rows"], narrow["cols"]), "the smaller viewer's size")
    shown = prompt_number(stayed.state(keep=300))
    other.wait_for(lambda s: prompt_number(s) == shown, "the last prompt")
    before = other.state()
    other.reload()
    wait_same(lambda: before, other, "reloaded at the width it had (after a resize)")
    narrow = other.state()
    assert_same_lines(stayed.state(), narrow, "reloaded narrower")
    assert len(narrow["normal"]["lines"]) == SCROLLBACK + narrow["rows"]  # a full scrollback
    narrow_lines = through_output(narrow["normal"]["lines"])

    # Wider than the other viewer: the pty goes back to that one's size.
    other.reload((2000, 800))
    wait_for_pty_size(stayed, terminal_size(stayed), "the pty back at the smaller viewer's size")
    wide = other.state()
    assert wide["cols"] > stayed.state(keep=1)["cols"]
    assert_same_lines(stayed.state(), wide, "reloaded wider")
    # Growing loses nothing the narrower model held (lines the scrollback limit dropped while
    # it was narrow are gone, as they would be from xterm.js).
    assert len(through_output(wide["normal"]["lines"])) >= len(narrow_lines)


def assert_same_lines(stayed: dict[str, Any], restored: dict[str, Any], what: str) -> None:
    """At another width: up to the last line of output (``LAST_LINE``), the restored viewer's
    lines are the stayed one's last lines.

    Later rows are left out: the shell redraws its prompt after a resize for the pty's width,
    which a viewer of another width shows differently (as any terminal would)."""
    a = through_output(stayed["normal"]["lines"])
    b = through_output(restored["normal"]["lines"])
    # The first line of either may be the tail of a line the scrollback limit cut.
    n = min(len(a), len(b)) - 1
    assert n > 0
    if a[-n:] != b[-n:]:
        diff = difflib.unified_diff(a[-n:], b[-n:], "stayed", "reloaded", n=2, lineterm="")
        raise AssertionError(f"{what}: lines differ\n" + "\n".join(list(diff)[:80]))
    # Lines longer than both widths are in the comparison, so re-wrapping is tested.
    assert max(map(len, b[-n:])) > max(stayed["cols"], restored["cols"])


def through_output(lines: list[dict[str, Any]]) -> list[str]:
    """The logical lines up to the last one starting with ``LAST_LINE``."""
    text = logical_lines(lines)
    last = max(i for i, line in enumerate(text) if line.startswith(LAST_LINE))
    return text[: last + 1]


@dataclass(frozen=True)
class App:
    """A full-screen program: how to start it, bring it to a steady screen, and leave it."""

    name: str
    command: str
    keys: list[tuple[str, str, str]]  # keys to send, text the screen then shows, and does not
    leave: str
    alternate: bool = True  # whether it uses the alternate screen (top draws on the shell's)


APPS = [
    App(
        "vim",
        "vim -u NONE -N -c 'set ruler hlsearch' long.txt",
        [("", "long.txt", ""), ("120G", "120,1", ""), ("/file\r", "120,17", "")],
        ":q\r",
    ),
    App(
        "less",
        "LESS= less long.txt",
        [("", "line 1 of", ""), ("/line 200\r", "line 201 of", "")],
        "q",
    ),
    # top refreshes every 0.5 s; a 100 s delay freezes its screen for the comparison.
    App(
        "top",
        "top -d 0.5",
        [("", "PID", ""), ("d", "Change delay", ""), ("100\r", "PID", "Change delay")],
        "q",
        alternate=False,
    ),
]


@pytest.mark.parametrize("app", APPS, ids=[app.name for app in APPS])
def test_full_screen_program_comes_back(open_viewer: Callable[..., Viewer], app: App) -> None:
    """Reloaded under a full-screen program, a page shows its screen as the page that stayed
    does; after the program exits, both show the shell's screen as it was.

    The page to reload leaves before the program starts: vim asks the terminal questions
    (cursor position, version, colours), and every viewer answers them, so with two viewers
    the second answers reach vim as keystrokes."""
    stayed, reloaded = open_shell(open_viewer, (1280, 800), (1280, 800))
    run("seq -f 'output before the program %g' 1 80", stayed, reloaded)
    before = stayed.state()
    number = prompt_number(before)
    reloaded.leave()
    stayed.send(app.command + "\r")
    for keys, shown, absent in app.keys:
        stayed.send(keys)
        stayed.wait_for(
            lambda s, shown=shown, absent=absent: app_shows(s, app, shown, absent),
            f"{app.name} showing {shown!r}",
        )
    reloaded.reload()
    wait_same(stayed.state, reloaded, f"under {app.name}, after a reload")

    stayed.send(app.leave)
    for viewer in (stayed, reloaded):
        viewer.wait_for(lambda s: prompt_number(s) == (number or 0) + 1, f"{app.name} to exit")
    wait_same(stayed.state, reloaded, f"after {app.name} exited")
    if app.alternate:
        # The shell's screen is back as it was: the rows above the command's prompt.
        after = reloaded.state()
        assert rows_above_prompt(after, number) == rows_above_prompt(before, number)


def rows_above_prompt(state: dict[str, Any], number: int | None) -> list[str]:
    """The last 80 rows above the (last) prompt numbered ``number``."""
    lines = state["normal"]["lines"]
    starts = [i for i, ln in enumerate(lines) if ln["text"].startswith(f"[{number}] ")]
    assert starts, f"no prompt [{number}]"
    return render_rows(lines[starts[-1] - 80 : starts[-1]])


def app_shows(state: dict[str, Any], app: App, shown: str, absent: str) -> bool:
    """Whether the app's screen shows ``shown`` but not ``absent``."""
    if app.alternate != (state["active"] == "alternate"):
        return False
    lines = state[state["active"]]["lines"][screen_top(state, state["active"]) :]
    text = "\n".join(ln["text"] for ln in lines)
    return shown in text and not (absent and absent in text)


def test_flood_under_a_header(open_viewer: Callable[..., Viewer]) -> None:
    """A header drawn once, then rows updated 300,000 times: a page reloaded afterwards shows
    the header on row 0 and the same screen as the page that stayed."""
    stayed, reloaded = open_shell(open_viewer, (1280, 800), (1280, 800))
    run("python3 flood.py", stayed, reloaded, timeout=180)
    wait_same(stayed.state, reloaded, "after the flood")
    reloaded.reload()
    wait_same(stayed.state, reloaded, "reloaded after the flood")
    state = reloaded.state()
    screen = state["normal"]["lines"][screen_top(state) :]
    assert {row: screen[row]["text"].rstrip() for row in FLOOD_ROWS} == FLOOD_ROWS


def test_pty_follows_the_smallest_viewer(open_viewer: Callable[..., Viewer]) -> None:
    """Two viewers of different sizes: the pty has the smaller size; once the small one has
    left, it has the larger one's."""
    large, small = open_shell(open_viewer, LARGE, SMALL)
    (rows, cols), (small_rows, small_cols) = terminal_size(large), terminal_size(small)
    assert small_rows < rows
    assert small_cols < cols
    wait_for_pty_size(large, (small_rows, small_cols), "two viewers")
    small.close()
    wait_for_pty_size(large, (rows, cols), "after the smaller viewer left")
