"""A viewer that falls behind, or (re)connects while output flows, gets the restore payload
made at that moment and then the live output after it. That splice must show what a viewer
that got every byte shows, wherever the output was cut: between lines, inside a line, inside
an escape sequence, a UTF-8 character's decoding aside (the session decodes before the model).
"""

from __future__ import annotations

import re

import pytest
from real_output import REAL
from screen_state import cells
from test_screen_chunks import EDGES
from test_screen_oracle import STREAMS as ORACLE_STREAMS
from test_screen_restore import STREAMS as RESTORE_STREAMS
from test_screen_xterm import XTERM_DIFFERENT, xterm, xterm_needed

from jupyter_ci_terminal.screen import ScreenModel

#: The restore streams' long floods are cut to a size where every cut point stays cheap.
SPLICED = {
    **ORACLE_STREAMS,
    **REAL,
    **EDGES,
    **{name: text[:20_000] for name, text in RESTORE_STREAMS.items()},
    # A counter after CR in colour: a cut inside its SGR must not print the SGR's tail.
    "cr_counter_in_colour": "\x1b[5;1H"
    + "".join(f"\r\x1b[33m{i} files\x1b[0m" for i in range(300)),
    # The cursor waits to wrap above a row the line continues on (the payload cannot leave it
    # there by writing the text in order): a narrow and a wide last character.
    "pending_wrap_above_a_wrapped_row": "x" * 25 + "\x1b[A\x1b[20G\x1b[1myZ\x1b[0m more",
    "wide_pending_wrap_above_a_wrapped_row": "x" * 25 + "\x1b[A\x1b[19G表Z more",
    "osc_title_cut": "a\x1b]2;a title\x07b\x1b]0;other\x1b\\c",
}


def cut_points(text: str, most: int = 24) -> list[int]:
    """Cuts inside escape sequences (just after ESC, and one before their end) and spread
    over the text."""
    inside = [p for m in re.finditer(r"\x1b[^\x1b]{0,3}", text) for p in (m.start() + 1, m.end())]
    step = max(1, len(inside) // (most // 2))
    spread = range(1, len(text), max(1, len(text) // (most // 2)))
    return sorted({*inside[::step], *spread} - {0, len(text)})


def model_of(*pieces: str, queue: int = 0) -> ScreenModel:
    model = ScreenModel(5, 20, history=1000, queue=queue)
    for piece in pieces:
        model.feed(piece)
    return model


@pytest.mark.parametrize("queue", [0, 4096])
@pytest.mark.parametrize("name", list(SPLICED))
def test_restore_payload_then_the_rest_equals_the_whole(name: str, queue: int) -> None:
    text = SPLICED[name]
    whole = cells(model_of(text))
    for cut in cut_points(text):
        server = model_of(text[:cut], queue=queue)
        viewer = model_of(server.snapshot(1000), text[cut:])
        assert cells(viewer) == whole, f"cut at {cut}: {text[max(0, cut - 12) : cut + 12]!r}"


@xterm_needed
@pytest.mark.parametrize("name", [n for n in SPLICED if n not in XTERM_DIFFERENT])
def test_xterm_shows_the_splice_as_the_whole(name: str) -> None:
    """The same splice, shown by the real xterm.js (what the browser's tab runs)."""
    text = SPLICED[name]
    cuts = cut_points(text, most=8)
    whole, *spliced = xterm(
        {"rows": 5, "cols": 20, "writes": [text]},
        *(
            {"rows": 5, "cols": 20, "writes": [model_of(text[:cut]).snapshot(1000), text[cut:]]}
            for cut in cuts
        ),
    )
    for cut, dump in zip(cuts, spliced, strict=True):
        assert dump == whole, f"cut at {cut}: {text[max(0, cut - 12) : cut + 12]!r}"
