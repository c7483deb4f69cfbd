"""Session recordings (asciicast v2) and the audit log (JSON lines).

Both hold what the terminal showed and who attached; neither ever holds a runner token, a GitLab
token or a web session, because they only see terminal text and public job metadata.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..protocol.jsontext import Output
from .journal import cast_pieces, convert, event, journal_path, lock

#: Bytes read per piece when an asciicast file is streamed.
CHUNK = 256 * 1024


class Recording:
    """An asciicast v2 file: a header line, then ``[seconds, "o"|"i"|"r", data]`` events.

    While the session runs they go to a journal (see :mod:`.journal`), which becomes
    :attr:`path` when the recording is closed.
    """

    def __init__(self, path: Path, *, rows: int, cols: int, title: str, record_input: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        #: The asciicast file, once the session has ended.
        self.path = path
        self.journal = journal_path(path)
        self.record_input = record_input
        self._start = time.monotonic()
        fd = os.open(self.journal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        lock(fd)
        self._file: IO[bytes] | None = os.fdopen(fd, "wb")
        header = {
            "version": 2,
            "width": cols,
            "height": rows,
            "timestamp": int(time.time()),
            "title": title,
            "env": {"TERM": "xterm-256color"},
        }
        self._file.write(json.dumps(header, ensure_ascii=False).encode() + b"\n")

    def _event(self, kind: bytes, data: bytes) -> None:
        if self._file is not None:
            self._file.write(event(time.monotonic() - self._start, kind, data))
            self._file.write(data)

    def output(self, out: Output) -> None:
        """Record terminal output (its UTF-8 is shared with the viewers' binary frames)."""
        self._event(b"o", out.utf8)

    def input(self, text: str) -> None:
        """Record keystrokes, when enabled (they may contain passwords typed into the shell)."""
        if self.record_input:
            self._event(b"i", text.encode("utf-8", "replace"))

    def resize(self, rows: int, cols: int) -> None:
        """Record a size change."""
        self._event(b"r", f"{cols}x{rows}".encode())

    def flush(self) -> None:
        """Make everything recorded so far readable (from the journal, while it is live)."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> threading.Thread | None:
        """Close the journal and convert it to :attr:`path` on a thread (a long session's
        recording takes a while); returns that thread."""
        if self._file is None:
            return None
        journal, self._file = self._file, None
        journal.flush()
        thread = threading.Thread(
            target=self._convert, args=(journal,), name="recording", daemon=False
        )
        thread.start()
        return thread

    def _convert(self, journal: IO[bytes]) -> None:
        try:
            convert(self.journal, self.path)
        finally:
            journal.close()  # the lock is held until the asciicast file is there


def pieces(path: Path) -> Iterator[bytes]:
    """The asciicast text of the recording ``path``: converted from its journal while there is
    one (the session is live, or its conversion has not finished), else the file itself."""
    try:
        source = journal_path(path).open("rb")
    except FileNotFoundError:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
        return
    with source:
        yield from cast_pieces(source)


def prune(folder: Path, *, keep_days: float) -> int:
    """Delete recordings older than ``keep_days``; returns how many were removed."""
    if keep_days <= 0 or not folder.is_dir():
        return 0
    cutoff = time.time() - keep_days * 86400
    removed = 0
    for path in folder.glob("*.cast"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


class AuditLog:
    """Append-only JSON lines: one per attach and one per detach."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)

    def write(self, event: str, **fields: Any) -> None:
        """Append one event with a UTC timestamp."""
        if self.path is None:
            return
        record = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": event}
        record.update(fields)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
