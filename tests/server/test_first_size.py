"""The job's shell draws its first prompt at the first viewer's size (real server, runner and
bash): the runner starts a resizable terminal's shell at the first size it is sent."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest

from jupyter_ci_terminal.screen import ScreenModel

from .conftest import CIClient
from .test_sessions import attach, open_sized
from .test_viewer_width import watch

#: The shell prints the pty's size before each prompt, the first one included. The prompt is
#: as wide whatever the paths: wider than 80 columns, narrower than 120.
PS1 = "p" * 100 + "$ "
CI_YAML = f"""
stages: [test]
shell-job:
  stage: test
  variables:
    PROMPT_COMMAND: 'echo "prompt-at=$(stty size)."; PS1="{PS1}"'
  script:
    - sleep 300
"""
SAID = re.compile(r"prompt-at=(\d+ \d+)\.")


@pytest.fixture
def ci_yaml() -> str:
    return CI_YAML


def said(rows: list[str]) -> list[str]:
    """The sizes the shell said, in order."""
    return [m.group(1) for row in rows if (m := SAID.search(row))]


def prompted(rows: list[str]) -> bool:
    """Whether the shell said its size and drew a prompt on the next row."""
    text = [row.rstrip() for row in rows]
    return any(SAID.search(a) and b.endswith(("#", "$")) for a, b in itertools.pairwise(text))


async def test_the_first_prompt_is_drawn_at_the_first_viewers_width(
    ci: CIClient, jp_ws_fetch: Any
) -> None:
    name, viewer = await open_sized(ci, jp_ws_fetch, 30, 120)
    await watch(viewer, ScreenModel(30, 120), prompted)

    # A viewer attached now gets the restore payload: one prompt, said at 30x120, unwrapped.
    later = await attach(jp_ws_fetch, name)
    kind, payload = json.loads(await later.read_message())
    assert kind == "stdout"
    shown = ScreenModel(30, 120)
    shown.feed(payload)
    rows = [row.rstrip() for row in shown.display() if row.strip()]
    assert said(rows) == ["30 120"]
    prompt = rows[rows.index("prompt-at=30 120.") + 1]
    assert 80 < len(prompt) < 120  # longer than the default width: no wrapped fragment
    assert prompt.endswith(("#", "$"))
