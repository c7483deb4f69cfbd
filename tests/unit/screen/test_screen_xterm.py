"""The restore payload against the real xterm.js (the JupyterLab terminal's own package, run in
Node without a page): a viewer that reloads must show what a viewer that stayed shows."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from real_output import REAL
from test_screen_chunks import EDGES
from test_screen_flood import FLOODS
from test_screen_oracle import STREAMS as ORACLE_STREAMS
from test_screen_restore import LINE_STREAMS, STREAMS, feed

ROOT = Path(__file__).resolve().parents[3]
XTERM = ROOT / "labextension" / "node_modules" / "@xterm" / "xterm"
DUMP = ROOT / "tests" / "support" / "xterm_dump.js"
NODE = shutil.which("node")

xterm_needed = pytest.mark.skipif(
    NODE is None or not XTERM.is_dir(), reason="needs node and the labextension's @xterm/xterm"
)
pytestmark = xterm_needed

#: More streams where pyte is no oracle (it lacks these) or that stress one feature.
XTERM_STREAMS = {
    **ORACLE_STREAMS,
    **{f"flood_{name}": "HEADER\r\n" + data for name, data in FLOODS.items()},
    "lf_after_a_full_row": "x" * 20 + "\ny",
    "tab_stops_cleared_and_set": "\x1b[3g\x1bH  \x1bH\rA\tB\tC",
    "line_drawing_charset": "\x1b(0lqqk\x1b(B ok \x0e x \x0f",
    # DECSC keeps the charsets (and the shift), which DECRC and leaving the alternate screen
    # (the next output here does) bring back: a reloaded viewer's saved slot must hold them.
    "line_drawing_charset_saved_with_the_cursor": "\x1b(0abc\x1b7\x1b[3;1Hxy\x1b8qq",
    "charset_saved_then_changed": "\x1b(0\x1b7\x1b(Bab\x1b8qq\x1b(B",
    "shifted_charset_saved_with_the_cursor": "\x1b)0\x0e\x1b7\x1b[3;1Hxy\x1b8qq\x0f",
    "charset_saved_on_the_alternate_screen": "\x1b[?1049h\x1b(0\x1b[2;3H\x1b7\x1b(Bzz",
    "erase_with_a_background_colour": "\x1b[44mabc\x1b[K\x1b[0m\r\n\x1b[45m\x1b[2J",
    "scroll_up_and_down": "1\r\n2\r\n3\r\n4\r\n5\x1b[2S\x1b[1T",
    "repeat_character": "ab\x1b[3b",
    "soft_reset": "\x1b[?25l\x1b[2;4r\x1b[!pafter",
    "full_reset": "junk\r\n\x1bcclean",
    "alternate_screen_1047": "main\x1b[?1047hALT\x1b[?1047l",
    "title": "\x1b]0;my title\x07t",
    # top's inverse header fills the row, then EL with the wrap pending: xterm.js erases nothing.
    "erase_line_with_a_wrap_pending": "\x1b[7m" + "h" * 20 + "\x1b[m\x1b[K\r\nnext",
    "erase_display_with_a_wrap_pending": "\x1b[7m" + "h" * 20 + "\x1b[m\x1b[J\r\nnext",
    # ECH, ICH and DCH cancel a pending wrap: the next character overwrites the last column.
    "erase_chars_with_a_wrap_pending": "h" * 20 + "\x1b[X" + "z",
    "insert_chars_with_a_wrap_pending": "h" * 20 + "\x1b[@" + "z",
    "delete_chars_with_a_wrap_pending": "h" * 20 + "\x1b[P" + "z",
    **REAL,
    **EDGES,
}
#: Known, documented differences (docs/terminal-model.md): combining marks are composed; the
#: oldest scrollback row of a wrapped line cut by the scrollback limit loses its wrapped flag.
XTERM_DIFFERENT = {"flood_wrap_at_the_right_edge"}
MORE = "\x1b[?1049l\r\nnext output " + "n" * 25 + "\r\n$ "


def xterm(*terminals: dict[str, Any]) -> list[dict[str, Any]]:
    """Buffers of xterm.js terminals after their writes (see xterm_dump.js)."""
    job = json.dumps({"module": str(XTERM), "terminals": list(terminals)})
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(DUMP)], input=job, capture_output=True, text=True, timeout=300, check=True
    )
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def logical(dump: dict[str, Any]) -> list[str]:
    """The buffer's lines with wrapped rows joined and blanks left out (what reflow keeps)."""
    lines: list[str] = []
    for line in dump["lines"]:
        text = line["text"].replace(" ", "")
        if line["wrapped"] and lines:
            lines[-1] += text
        else:
            lines.append(text)
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.mark.parametrize("name", list(STREAMS))
def test_reloaded_viewer_matches_one_that_stayed_at_the_same_width(name: str) -> None:
    data = STREAMS[name]
    snap = feed(data).snapshot(1000)
    stayed, reloaded = xterm(
        {"rows": 5, "cols": 20, "writes": [data], "after": [MORE]},
        {"rows": 5, "cols": 20, "writes": [snap], "after": [MORE]},
    )
    assert reloaded == stayed
    now_stayed, now_reloaded = xterm(
        {"rows": 5, "cols": 20, "writes": [data]}, {"rows": 5, "cols": 20, "writes": [snap]}
    )
    assert now_reloaded == now_stayed


@pytest.mark.parametrize("name", [n for n in XTERM_STREAMS if n not in XTERM_DIFFERENT])
def test_reloaded_viewer_matches_for_every_feature(name: str) -> None:
    data = XTERM_STREAMS[name]
    stayed, reloaded = xterm(
        {"rows": 5, "cols": 20, "writes": [data], "after": [MORE]},
        {"rows": 5, "cols": 20, "writes": [feed(data).snapshot(1000)], "after": [MORE]},
    )
    assert reloaded == stayed


@pytest.mark.parametrize("cols", [13, 31, 80])
@pytest.mark.parametrize("name", LINE_STREAMS)
def test_reloaded_viewer_of_another_width_loses_no_line(name: str, cols: int) -> None:
    data = STREAMS[name]
    snap = feed(data).snapshot(1000)
    at_that_width, reloaded = xterm(
        {"rows": 5, "cols": cols, "writes": [data]}, {"rows": 5, "cols": cols, "writes": [snap]}
    )
    assert logical(reloaded) == logical(at_that_width)


def test_reload_after_the_pty_width_changed_keeps_earlier_output() -> None:
    before = "".join(f"early {i} " + "e" * (i % 30) + "\r\n" for i in range(60))
    after = "".join(f"late {i} " + "l" * (i % 40) + "\r\n" for i in range(10)) + "$ "
    model = feed(before)
    model.resize(5, 33)
    model.feed(after)
    stayed, reloaded = xterm(
        {"rows": 5, "cols": 20, "writes": [before], "resize": [5, 33], "after": [after]},
        {"rows": 5, "cols": 33, "writes": [model.snapshot(1000)]},
    )
    assert logical(reloaded) == logical(stayed)
    assert reloaded["x"] == stayed["x"]


PROMPT = "[3] /builds/1/the-project# "
RESIZED = {
    "log_lines": ("".join(f"line {i} " + "z" * (i % 40) + "\r\n" for i in range(60)) + "$ ", ""),
    "full_screen_program_during_the_resize": (
        "".join(f"line {i} " + "z" * (i % 40) + "\r\n" for i in range(30))
        + "$ vim\r\n\x1b[?1049h\x1b[Hvim",
        "\x1b[?1049l$ ",
    ),
    "a_short_screen": ("a\r\nb\r\n$ ", "more\r\n"),
    # xterm.js does not re-wrap the line with the cursor: the shell redraws its prompt from the
    # start of the cursor's row (a re-wrapped prompt once left a stray copy of its first row).
    "a_prompt_redrawn_after_the_resize": (
        "output\r\n" + PROMPT,
        f"\r{PROMPT}stty size\r\n5 12\r\n{PROMPT}",
    ),
}


@pytest.mark.parametrize("size", [(5, 33), (5, 12), (8, 20), (3, 20), (9, 14)])
@pytest.mark.parametrize("name", list(RESIZED))
def test_pty_resize_then_reload_matches_a_viewer_that_stayed(
    name: str, size: tuple[int, int]
) -> None:
    """The model follows the pty's size change as xterm.js follows its own: re-wrapped rows,
    rows pulled from or pushed to the scrollback, the shell's cursor under a full-screen program."""
    data, after = RESIZED[name]
    rows, cols = size
    model = feed(data)
    model.resize(rows, cols)
    model.feed(after)
    stayed, reloaded = xterm(
        {"rows": 5, "cols": 20, "writes": [data], "resize": [rows, cols], "after": [after]},
        {"rows": rows, "cols": cols, "writes": [model.snapshot(1000)]},
    )
    assert reloaded == stayed
