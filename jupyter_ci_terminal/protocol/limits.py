"""The limits of every terminal codec, in one place, and the errors that enforce them.

Input is capped per message (``max_input`` bytes, a big paste) and refused with 1009 beyond;
malformed data is refused with 1007. Sentences fit a close frame and never echo what may be
huge (a number, a paste).
"""

from __future__ import annotations

from typing import Any

from ..errors import ProtocolError

#: Default cap on the bytes one input frame or message may carry (a big paste), in bytes.
DEFAULT_MAX_INPUT = 4 * 1024 * 1024
#: Largest terminal dimension accepted, in rows or columns.
MAX_DIMENSION = 10000
#: Largest count one ``["ack", n]`` may carry: far more than any output between two acks.
MAX_ACK = 2**31 - 1
#: RFC 6455 close codes: inconsistent data, and a message too big to process.
CLOSE_INVALID, CLOSE_TOO_BIG = 1007, 1009
#: A close frame's reason holds at most this many UTF-8 bytes.
MAX_CLOSE_REASON = 123


def too_big(what: str, max_input: int) -> ProtocolError:
    """The error for input over the cap (closes with 1009)."""
    error = ProtocolError(f"{what} exceeds the limit of {_size_text(max_input)} per message.")
    error.close_code = CLOSE_TOO_BIG
    return error


def _size_text(n: int) -> str:
    return f"{n // 1024**2} MiB" if n % 1024**2 == 0 else f"{n} bytes"


def message_limit(max_input: int) -> int:
    """Bytes of one websocket message a server buffers before refusing it unread.

    Twice what input of ``max_input`` bytes takes on the wire at most (JSON escapes, base64),
    so that input a little over the cap is still read and refused with a sentence.
    """
    return 4 * max_input + 4096


def wire_limit(max_input: int) -> int:
    """Encoded size beyond which a message is refused before it is decoded, in bytes."""
    return 2 * max_input + 1024


def close_reason(error: ProtocolError) -> str:
    """The error's sentence, cut to fit a close frame (whole characters only)."""
    return str(error).encode()[:MAX_CLOSE_REASON].decode(errors="ignore")


def dimension(value: Any) -> int:
    """One terminal dimension (rows or columns) from a number or digit string, else ValueError."""
    if isinstance(value, bool):
        raise ValueError  # noqa: TRY004 - callers catch ValueError for any unusable size
    if isinstance(value, str):
        # Bounded before int(): a long digit string costs quadratic time to convert.
        if not 0 < len(value.strip()) <= 6:
            raise ValueError
        return int(value)
    if isinstance(value, (int, float)):
        # int(inf) raises OverflowError, int(nan) ValueError: both mean "no size".
        try:
            return int(value)
        except OverflowError:
            raise ValueError from None
    raise ValueError
