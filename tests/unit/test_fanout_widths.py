"""Which viewers get the model's screen again when the pty's size changes: those whose width
the pty takes after it had another one (their screen was re-wrapped as text, not cut as
xterm.js and the model cut the cursor's line)."""

from __future__ import annotations

import pytest

from jupyter_ci_terminal.sessions.fanout import Fanout
from jupyter_ci_terminal.sessions.settings import SessionSettings

Size = tuple[int, int] | None

#: (pty before, pty after, each viewer's size before, the viewer that moved and its new
#: size, the viewers resynced)
CASES: dict[
    str, tuple[tuple[int, int], tuple[int, int], list[Size], tuple[int, Size], set[int]]
] = {
    "a reloaded viewer's first size narrows the pty": (
        (44, 131),
        (44, 77),
        [(44, 131), None],
        (1, (44, 77)),
        {1},
    ),
    "a viewer that was at the pty's width narrows it (its xterm.js cut the line too)": (
        (44, 131),
        (44, 77),
        [(44, 131)],
        (0, (44, 77)),
        set(),
    ),
    "the smaller viewer left: the wider one gets the width it shows": (
        (44, 77),
        (44, 131),
        [(44, 131), (44, 77)],
        (1, None),
        {0},
    ),
    "only rows change: every width stays": (
        (44, 77),
        (30, 77),
        [(44, 77), (44, 131)],
        (0, (30, 77)),
        set(),
    ),
    "a first size wider than the pty: the pty keeps the other viewer's width": (
        (44, 77),
        (40, 77),
        [(44, 77), None],
        (1, (40, 200)),
        set(),
    ),
    "an unsized viewer counts not": (
        (24, 80),
        (44, 131),
        [None, None],
        (0, (44, 131)),
        {0},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_viewers_resynced_when_the_pty_takes_their_width(name: str) -> None:
    old, new, sizes, (moved, now), expected = CASES[name]

    async def ignore(message: str) -> None:
        del message

    fanout = Fanout(lambda: "", SessionSettings())
    viewers = [fanout.add(ignore, f"user{i}") for i in range(len(sizes))]
    for viewer, size in zip(viewers, sizes, strict=True):
        viewer.size = size
    was = viewers[moved].size
    if now is None:  # the viewer left
        fanout.remove(viewers[moved])
        moved_viewer = None
    else:
        viewers[moved].size = now
        moved_viewer = viewers[moved]
    fanout.pty_resized(old, new, moved_viewer, was)
    assert {i for i, v in enumerate(viewers) if v.resync_due} == expected
    for viewer in viewers:
        await viewer.stop()
