"""Cell widths against the real xterm.js (the JupyterLab terminal's own package, in Node): the
screen model must count every character as the viewers do, or a restored row moves."""

from __future__ import annotations

import json
import subprocess

import pytest
from test_screen_xterm import NODE, ROOT, XTERM, xterm, xterm_needed

from jupyter_ci_terminal.screen import ScreenModel
from jupyter_ci_terminal.screen.widths import width

pytestmark = xterm_needed

WIDTHS = ROOT / "tests" / "support" / "xterm_widths.js"
#: Every printable code point of the Basic Multilingual Plane and of the planes with emoji and
#: symbols, and the edges of the wide ideograph planes and the tag/variation-selector block.
CODEPOINTS = [
    *range(0xA0, 0xD800),
    *range(0xE000, 0x20010),
    *range(0x2FFF0, 0x30010),
    *range(0x3FFF0, 0x40010),
    *range(0xE0000, 0xE0200),
]


def xterm_widths(codepoints: list[int]) -> list[int]:
    job = json.dumps({"module": str(XTERM), "codepoints": codepoints})
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(WIDTHS)], input=job, capture_output=True, text=True, timeout=300, check=True
    )
    result: list[int] = json.loads(done.stdout)
    return result


def test_every_character_takes_the_cells_xterm_js_gives_it() -> None:
    theirs = xterm_widths(CODEPOINTS)
    assert len(theirs) == len(CODEPOINTS)
    differ = [
        (hex(c), width(chr(c)), w)
        for c, w in zip(CODEPOINTS, theirs, strict=True)
        if w != width(chr(c))
    ]
    assert differ == []


@pytest.mark.parametrize(
    "data",
    [
        # Emoji count one cell in xterm.js (two in Unicode's East Asian Width): the wrap and the
        # text after them stay where the viewer has them.
        "✅ passed " * 6 + "\r\n" + "🚀" * 30 + "\r\n$ ",
        # A prompt with an emoji, the cursor after it, an overwrite further along the row.
        "🐍 (venv) ~/src \u276f make test\x1b[5D\x1b[1mTEST\x1b[0m\x1b[2C",
        # Wide ideographs and fullwidth forms (two cells in both), mixed with emoji.
        "中文 \uff21\uff22 ✅ 表示" * 3 + "\x1b[3G*",
    ],
    ids=["emoji_lines_that_wrap", "emoji_prompt_and_cursor_moves", "wide_and_emoji_mixed"],
)
def test_restored_row_puts_each_character_where_xterm_js_has_it(data: str) -> None:
    model = ScreenModel(5, 20, history=1000)
    model.feed(data)
    stayed, reloaded = xterm(
        {"rows": 5, "cols": 20, "writes": [data]},
        {"rows": 5, "cols": 20, "writes": [model.snapshot(1000)]},
    )
    assert reloaded == stayed
