"""Terminal output escaped for JSON once, shared by every viewer's message and the recording.

(Its UTF-8 bytes, for viewers that asked for binary output, are likewise encoded once.)

Escaping a frame for JSON was done once per viewer and once more for the recording, a large
share of the server's CPU per byte. JSON string escaping works character by character, so the
escaped text of several frames joined is the escaped text of the frames' concatenation: a
viewer's batch is joined from the escaped pieces. Output comes from an incremental UTF-8
decoder with ``errors="replace"``, so it holds no lone surrogate (``ensure_ascii=False`` may
leave other characters as they are and the message stays valid UTF-8).
"""

from __future__ import annotations

import json.encoder
from collections.abc import Callable, Sequence

#: ``json.dumps(text, ensure_ascii=False)`` for one string, without the call's overhead.
quote: Callable[[str], str] = json.encoder.encode_basestring


class Output:
    """A piece of terminal output, its JSON string literal and its UTF-8, computed on first use."""

    __slots__ = ("_literal", "_utf8", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._literal: str | None = None
        self._utf8: bytes | None = None

    def __len__(self) -> int:
        return len(self.text)

    @property
    def literal(self) -> str:
        """The text as a JSON string, quotes included."""
        if self._literal is None:
            self._literal = quote(self.text)
        return self._literal

    @property
    def utf8(self) -> bytes:
        """The text in UTF-8: whole characters, so each piece decodes on its own."""
        if self._utf8 is None:
            # "replace": a lone surrogate (none comes from the decoder) stays one character.
            self._utf8 = self.text.encode("utf-8", "replace")
        return self._utf8


def joined(pieces: Sequence[Output], before: str = "", after: str = "") -> str:
    """The JSON string literal of the pieces' text, between ``before`` and ``after``.

    A batch is large, so it is built with one copy of the text (a ``join`` or an f-string, not
    a concatenation per part).
    """
    if len(pieces) == 1:
        return f"{before}{pieces[0].literal}{after}"
    return "".join([before, '"', *(piece.literal[1:-1] for piece in pieces), '"', after])
