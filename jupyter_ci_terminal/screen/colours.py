"""Which SGR sequences set one colour and nothing else (for the flood skip, :mod:`.skip`).

A counter or a bar recoloured at every update sends copies of one shape whose SGRs differ in
their colour only. Such an SGR sets one *slot* of the pen (foreground or background) whatever
its number, so copies can be matched by a regular expression that takes any colour of its kind.
"""

from __future__ import annotations

import re

#: Sequences that save or restore the cursor, and with it a pen: DECSC/DECRC, SCOSC/SCORC and
#: the private modes that do it (1048, and 1049 with the alternate screen).
SAVES = re.compile(r"\x1b[78]|\x1b\[[su]|\x1b\[\?104[89][hl]")
#: SGR parameters that set one colour only: 30-37 and 39, 90-97 (and their backgrounds), 256
#: colours and RGB, in the ``;`` form (the model reads them as such whatever their value).
ONE_COLOUR = (
    r"([34])[0-79]|(9|10)[0-7]|([34])8;5;[0-9]{1,3}|([34])8;2;[0-9]{1,3};[0-9]{1,3};[0-9]{1,3}"
)
_ONE = re.compile(rf"\x1b\[(?:{ONE_COLOUR})m")
_PATTERNS = (
    r"\x1b\[{}[0-79]m",
    r"\x1b\[{}[0-7]m",
    r"\x1b\[{}8;5;[0-9]{{1,3}}m",
    r"\x1b\[{}8;2;[0-9]{{1,3}};[0-9]{{1,3}};[0-9]{{1,3}}m",
)


def varies(seq: str) -> tuple[str, str] | None:
    """("fg" or "bg", a regular expression for any SGR of the same kind) when the escape
    sequence ``seq`` is an SGR that sets one colour only; None otherwise."""
    m = _ONE.fullmatch(seq)
    if m is None:
        return None
    kind = m.lastindex or 0
    prefix = m.group(kind)
    background = prefix in ("4", "10")
    return ("bg" if background else "fg"), _PATTERNS[kind - 1].format(prefix)
