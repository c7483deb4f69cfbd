"""Output of real programs, captured on a pty, against the real xterm.js: the screen model must
restore what real tools print (their own bars, colours, cursor moves and timing), not only the
shapes the other tables generate."""

from __future__ import annotations

import codecs
import fcntl
import os
import select
import shlex
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from test_screen_xterm import MORE, logical, xterm, xterm_needed

from jupyter_ci_terminal.screen import ScreenModel

pytestmark = xterm_needed

ROWS, COLS = 12, 60
#: Seconds a captured program may run.
DEADLINE = 60.0

TQDM_WITH_LOG = """
from tqdm import tqdm
for i in tqdm(range(3000), mininterval=0, desc="train"):
    if i % 150 == 0:
        tqdm.write(f"epoch {i // 150}: loss {1 / (i + 1):.4f}")
"""
TQDM_NESTED = """
from tqdm import tqdm
for epoch in tqdm(range(4), position=0, desc="epochs", mininterval=0):
    for step in tqdm(range(400), position=1, leave=False, desc="steps", mininterval=0):
        pass
print("done")
"""
RICH_WITH_LOG = """
from rich.progress import Progress
with Progress(auto_refresh=False) as progress:
    task = progress.add_task("train", total=1000)
    for i in range(1000):
        progress.update(task, advance=1)
        progress.refresh()
        if i % 40 == 0:
            progress.console.log(f"step {i}: [bold green]ok[/] loss={1 / (i + 1):.3f}")
"""
RICH_TABLE = """
from rich.console import Console
from rich.table import Table
table = Table(title="Jobs")
for name in ("job", "stage", "status", "duration"):
    table.add_column(name)
for i in range(40):
    status = "[green]passed ✅[/]" if i % 7 else "[red]failed ❌[/]"
    table.add_row(f"test-{i}", ("build", "test", "deploy")[i % 3], status, f"{i * 1.7:.1f} s")
Console().print(table)
"""
PYTEST_TESTS = """
import pytest
@pytest.mark.parametrize("n", range(60))
def test_case(n):
    assert n % 17
"""
#: A repository with branches and merges, its graph and a coloured diff (git's own colours).
GIT = """
set -e
export GIT_AUTHOR_NAME=dev GIT_AUTHOR_EMAIL=dev@example.com GIT_COMMITTER_NAME=dev
export GIT_COMMITTER_EMAIL=dev@example.com GIT_CONFIG_NOSYSTEM=1 HOME=$PWD
git init -q -b main repo && cd repo && git commit -q --allow-empty -m init
for i in 1 2 3; do
  git checkout -q -b feature-$i main
  printf 'line %s\\nchanged on %s\\n' $i feature-$i > f$i.txt && git add f$i.txt
  git commit -q -m "feature $i: add f$i.txt"
  git checkout -q main && echo "main $i" >> main.txt && git add main.txt
  git commit -q -m "main: step $i"
  git merge -q --no-ff -m "Merge feature-$i" feature-$i
done
git --no-pager log --graph --color=always --oneline --decorate --all
git --no-pager diff --color=always HEAD~4 --stat
git --no-pager diff --color=always HEAD~4
"""
C_WARNINGS = "int main(void) {\n" + "".join(f"  int unused_{i};\n" for i in range(40)) + "}\n"


def capture(argv: list[str], cwd: Path) -> str:
    """Everything ``argv`` writes to a ROWS x COLS pty until it exits, decoded as a viewer would."""
    master, slave = os.openpty()
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS)}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True
    )
    os.close(slave)
    out = bytearray()
    end = time.monotonic() + DEADLINE
    try:
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], end - time.monotonic())
            if not ready:
                break
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the program and its children closed the pty
                break
            if not data:
                break
            out += data
    finally:
        os.close(master)
        proc.kill()
        proc.wait()
    assert proc.returncode is not None
    return codecs.decode(bytes(out), "utf-8", "replace")


PY = sys.executable
#: name -> (command, files it needs in its folder).
PROGRAMS: dict[str, tuple[list[str], dict[str, str]]] = {
    "tqdm_with_tqdm_write": ([PY, "-c", TQDM_WITH_LOG], {}),
    "tqdm_nested_bars": ([PY, "-c", TQDM_NESTED], {}),
    "rich_progress_with_console_log": ([PY, "-c", RICH_WITH_LOG], {}),
    "rich_table_with_emoji": ([PY, "-c", RICH_TABLE], {}),
    "pytest_verbose_in_colour": (
        [PY, *shlex.split("-m pytest -v --color=yes -p no:cacheprovider -W ignore test_cases.py")],
        {"test_cases.py": PYTEST_TESTS},
    ),
    "gcc_warnings_in_colour": (
        [*shlex.split("gcc -Wall -fdiagnostics-color=always -c unused.c -o"), os.devnull],
        {"unused.c": C_WARNINGS},
    ),
    "git_graph_and_diff": (["sh", "-c", GIT], {}),
    # A full-screen program that draws, is typed into and quits (the shell screen comes back).
    "vim_edit_and_quit": (
        shlex.split(
            "vim -u NONE -N -i NONE -n -c 'set number' -c 'normal! 30ohello from vim'"
            " -c redraw! -c 'sleep 200m' -c wq notes.txt"
        ),
        {},
    ),
    # top in its interactive mode: cursor-addressed screens, three of them, then it exits.
    "top_three_screens": (["top", "-d", "0.2", "-n", "3", "-w", str(COLS)], {}),
    "ls_in_colour": (["ls", "--color=always", "-l", "-a", sys.prefix + "/bin"], {}),
}
NEEDS = {
    "gcc_warnings_in_colour": "gcc",
    "git_graph_and_diff": "git",
    "vim_edit_and_quit": "vim",
    "top_three_screens": "top",
}


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = {}
    for name, (argv, files) in PROGRAMS.items():
        if NEEDS.get(name) and shutil.which(NEEDS[name]) is None:
            continue
        folder = tmp_path_factory.mktemp(name)
        for file, text in files.items():
            (folder / file).write_text(text)
        out[name] = capture(argv, folder)
    return out


def output(captured: dict[str, str], name: str) -> str:
    if name not in captured:
        pytest.skip(f"needs {NEEDS[name]}, which this machine lacks")
    data = captured[name]
    assert len(data) > 300, data  # the program ran and drew something
    return data


def feed(data: str) -> ScreenModel:
    """The model as a session feeds it: in pieces of what one pty read gives."""
    model = ScreenModel(ROWS, COLS, history=1000)
    for k in range(0, len(data), 4096):
        model.feed(data[k : k + 4096])
    return model


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_reloaded_viewer_shows_what_a_viewer_that_stayed_shows(
    captured: dict[str, str], name: str
) -> None:
    data = output(captured, name)
    stayed, reloaded = xterm(
        {"rows": ROWS, "cols": COLS, "writes": [data], "after": [MORE]},
        {"rows": ROWS, "cols": COLS, "writes": [feed(data).snapshot(1000)], "after": [MORE]},
    )
    assert reloaded == stayed


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_reloaded_viewer_of_another_width_loses_no_line(
    captured: dict[str, str], name: str
) -> None:
    data = output(captured, name)
    snap = feed(data).snapshot(1000)
    at_that_width, reloaded = xterm(
        {"rows": ROWS, "cols": 97, "writes": [data]}, {"rows": ROWS, "cols": 97, "writes": [snap]}
    )
    assert logical(reloaded) == logical(at_that_width)
