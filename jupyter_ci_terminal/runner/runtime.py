"""Runtime files: how the server extension, kernels and scripts discover a running local runner.

Same convention as Jupyter's own ``jpserver-<pid>.json``: one JSON file per process in
:func:`jupyter_core.paths.jupyter_runtime_dir` (honours ``JUPYTER_RUNTIME_DIR``), mode 0600
because it holds the API token, removed when the runner exits.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_runtime_dir

PREFIX = "ci-runner-"


def runtime_file_path(pid: int | None = None) -> Path:
    """Return the runtime file path of the runner with this pid (default: this process)."""
    return Path(jupyter_runtime_dir()) / f"{PREFIX}{pid or os.getpid()}.json"


def write_runtime_file(info: dict[str, Any]) -> Path:
    """Write ``info`` atomically with mode 0600 and return the path."""
    path = runtime_file_path(int(info["pid"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # Create with 0600 from the start: the token must never be world-readable, even briefly.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(info, f, indent=2)
    tmp.replace(path)
    return path


def remove_runtime_file(pid: int | None = None) -> None:
    """Remove the runtime file, if any."""
    runtime_file_path(pid).unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (one of another user counts; a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed child stays a zombie until its parent reaps it: it serves nothing any more.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): kill(0) is all there is
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def _read(path: Path) -> dict[str, Any] | None:
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or not isinstance(info.get("pid"), int):
        return None
    return info


def find_runners() -> list[dict[str, Any]]:
    """Return the runtime info of every live runner, newest first.

    A file whose process is gone (the runner was killed, so it could not remove it) is deleted:
    its token is dead, and leaving it would make every later lookup consider it again.
    """
    found: list[tuple[float, dict[str, Any]]] = []
    for path in Path(jupyter_runtime_dir()).glob(f"{PREFIX}*.json"):
        info = _read(path)
        if info is None:
            continue
        if not pid_alive(info["pid"]):
            path.unlink(missing_ok=True)
            continue
        try:
            found.append((path.stat().st_mtime, info))
        except OSError:
            continue  # removed by its runner while we looked
    return [info for _, info in sorted(found, key=lambda item: item[0], reverse=True)]


def wait_for_runtime_file(pid: int, timeout: float = 30.0) -> dict[str, Any]:
    """Wait until the runner ``pid`` has written its runtime file and return its content.

    Raises :class:`TimeoutError` after ``timeout`` seconds or when the process died first.
    """
    path = runtime_file_path(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = _read(path)
        if info is not None:
            return info
        if not pid_alive(pid):
            msg = f"The runner process {pid} exited before writing {path.name}."
            raise TimeoutError(msg)
        time.sleep(0.05)
    msg = f"The runner process {pid} did not write {path.name} within {timeout:g} s."
    raise TimeoutError(msg)
