"""A recording's journal: what a live session writes, made an asciicast v2 file afterwards.

An asciicast event is a JSON line, so writing one escapes every character of the output. At a
flood's rate that escape and the text file's UTF-8 encoding were a quarter of the server's CPU
per byte. A live session therefore writes a journal instead: the asciicast header line, then
events as a fixed binary header (seconds, kind, length) and the UTF-8 bytes the binary viewers
are sent anyway. The journal becomes the ``.cast`` file when the session ends, or when it is
downloaded meanwhile (converted as it is streamed), or at the next start if the server stopped
without converting it.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from ..protocol.jsontext import quote

#: seconds since the start (float64), kind (``o``, ``i`` or ``r``), payload length (uint32).
EVENT = struct.Struct("<dcI")
#: The journal's suffix; the asciicast file it becomes has ``.cast``.
SUFFIX = ".journal"
#: Events converted per piece when a journal is streamed (about a 64 KiB frame each).
EVENTS_PER_PIECE = 16
#: Each kind's part of the event's line, up to the data's JSON string.
_KINDS = {b"o": ', "o", ', b"i": ', "i", ', b"r": ', "r", '}


def journal_path(cast: Path) -> Path:
    """Where the journal of the asciicast file ``cast`` is written."""
    return cast.with_suffix(SUFFIX)


def event(seconds: float, kind: bytes, data: bytes) -> bytes:
    """The header of one event; ``data`` follows it in the journal."""
    return EVENT.pack(seconds, kind, len(data))


def cast_pieces(journal: IO[bytes]) -> Iterator[bytes]:
    """The asciicast v2 text of a journal, in pieces; stops at an event not yet complete."""
    header = journal.readline()
    if not header.endswith(b"\n"):
        return
    yield header
    lines: list[str] = []
    while len(head := journal.read(EVENT.size)) == EVENT.size:
        seconds, kind, size = EVENT.unpack(head)
        data = journal.read(size)
        if len(data) < size or kind not in _KINDS:
            break
        # The line json.dumps(ensure_ascii=False) writes: floats as repr, ", " between items.
        lines.append(f"[{round(seconds, 6)!r}{_KINDS[kind]}")
        lines.append(quote(data.decode("utf-8", "replace")))
        lines.append("]\n")
        if len(lines) >= 3 * EVENTS_PER_PIECE:
            yield "".join(lines).encode()
            lines.clear()
    if lines:
        yield "".join(lines).encode()


def convert(journal: Path, cast: Path, source: IO[bytes] | None = None) -> None:
    """Write the asciicast file of ``journal`` (atomically) and delete the journal; ``source``:
    the journal, already open for reading (it is closed)."""
    partial = cast.with_suffix(".cast-partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with source or journal.open("rb") as reader, os.fdopen(fd, "wb") as target:
        for piece in cast_pieces(reader):
            target.write(piece)
    partial.replace(cast)
    journal.unlink(missing_ok=True)


def recover(folder: Path) -> int:
    """Convert the journals of sessions that ended without it (a server stopped); returns how
    many. A journal locked by the session writing it, or by a server converting it, is left."""
    if not folder.is_dir():
        return 0
    converted = 0
    for journal in folder.glob(f"*{SUFFIX}"):
        try:
            source = journal.open("rb")
        except FileNotFoundError:
            continue  # converted meanwhile
        try:
            lock(source.fileno())
        except BlockingIOError:
            source.close()
            continue
        # Read from this open file: should the journal be converted and deleted by its own
        # server in the meantime, the same events make the same file.
        convert(journal, journal.with_suffix(".cast"), source)
        converted += 1
    return converted


def lock(fd: int) -> None:
    """Lock a journal for its writer or its converter (for other servers sharing the folder);
    raises BlockingIOError when another process holds it. Closing ``fd`` releases it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: recordings work, unguarded against a second server
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
