"""A viewer whose width the pty takes shows what the screen model holds (real server, runner
and bash): the shell redraws a long prompt from the cursor's row after SIGWINCH."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from typing import Any

from jupyter_ci_terminal.screen import ScreenModel

from .conftest import CIClient
from .test_sessions import attach, manager, open_sized, shows_size

#: A prompt longer than every width below; ``$((6*7))`` tells it from the command's echo.
LONG_PS1 = "PS1='[$((6*7))]" + "p" * 120 + "# '"
PROMPT_START = "[42]" + "p" * 20


async def watch(ws: Any, shown: ScreenModel, ready: Callable[[list[str]], bool]) -> None:
    """Feed the stdout ``ws`` sends to ``shown`` (the viewer's terminal) until its rows are
    ``ready``."""
    async with asyncio.timeout(30):
        while not ready(shown.display()):
            message = await ws.read_message()
            assert message is not None, "the socket closed"
            kind, *content = json.loads(message)
            if kind == "stdout":
                shown.feed(content[0])


def prompt_after(line: str) -> Callable[[list[str]], bool]:
    """Ready once a row starts with the long prompt (after a row ``line``)."""

    def ready(rows: list[str]) -> bool:
        text = [row.rstrip() for row in rows]
        return any(a == line and b.startswith(PROMPT_START) for a, b in itertools.pairwise(text))

    return ready


async def test_a_viewer_restored_at_another_width_keeps_one_copy_of_the_prompt(
    ci: CIClient, jp_ws_fetch: Any, jp_serverapp: Any
) -> None:
    """Its restore payload was made at the wider pty's width and re-wrapped as text; once the
    pty takes its width it gets the model's screen again, so bash's redraw lands as in the
    model (it once left a second copy of the prompt's first row)."""
    name, wide = await open_sized(ci, jp_ws_fetch, 30, 100)
    live = manager(jp_serverapp).get(name)
    await shows_size(wide, "30 100")
    wide.write_message(json.dumps(["stdin", f"clear; {LONG_PS1}\r"]))
    await watch(wide, ScreenModel(30, 100), lambda rows: rows[0].startswith(PROMPT_START))

    narrow = await attach(jp_ws_fetch, name)
    shown = ScreenModel(30, 60)  # the narrow viewer's terminal
    await watch(narrow, shown, lambda rows: rows[0].startswith(PROMPT_START))  # made at 100
    narrow.write_message(json.dumps(["set_size", 30, 60, 600, 600]))
    narrow.write_message(json.dumps(["stdin", "echo size=$(stty size)=$((1+1))\r"]))
    await watch(narrow, shown, prompt_after("size=30 60=2"))

    held = live.out.screen
    assert held.size == (30, 60)
    assert shown.display() == held.display()
    prompts = [row for row in shown.display() if row.startswith(PROMPT_START)]
    assert len(prompts) == 2  # before the command and after it: no stray copy
