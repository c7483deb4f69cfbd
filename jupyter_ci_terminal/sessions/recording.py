"""Session recordings (asciicast v2) and the audit log (JSON lines).

Both hold what the terminal showed and who attached; neither ever holds a runner token, a GitLab
token or a web session, because they only see terminal text and public job metadata.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import IO, Any

from ..protocol.jsontext import Output


class Recording:
    """An asciicast v2 file: a header line, then ``[seconds, "o"|"i"|"r", data]`` events."""

    def __init__(self, path: Path, *, rows: int, cols: int, title: str, record_input: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.record_input = record_input
        self._start = time.monotonic()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file: IO[str] | None = os.fdopen(fd, "w", encoding="utf-8")
        header = {
            "version": 2,
            "width": cols,
            "height": rows,
            "timestamp": int(time.time()),
            "title": title,
            "env": {"TERM": "xterm-256color"},
        }
        self._write(header)

    def _write(self, obj: Any) -> None:
        if self._file is not None:
            self._file.write(json.dumps(obj, ensure_ascii=False) + "\n")

    def _now(self) -> float:
        return round(time.monotonic() - self._start, 6)

    def _event(self, kind: str, data: str) -> None:
        self._write([self._now(), kind, data])

    def output(self, out: Output) -> None:
        """Record terminal output (its JSON escaping is shared with the viewers' messages)."""
        if self._file is not None:
            # The line json.dumps writes (floats as repr, ", " between items), pre-escaped.
            self._file.write(f'[{self._now()!r}, "o", {out.literal}]\n')

    def input(self, text: str) -> None:
        """Record keystrokes, when enabled (they may contain passwords typed into the shell)."""
        if self.record_input:
            self._event("i", text)

    def resize(self, rows: int, cols: int) -> None:
        """Record a size change."""
        self._event("r", f"{cols}x{rows}")

    def flush(self) -> None:
        """Make everything recorded so far readable from the file."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Flush and close the file."""
        if self._file is not None:
            self._file.close()
            self._file = None


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
