"""The shell executor: a clean build directory per job, and job scripts run by non-interactive bash.

Each script runs in its own session (``start_new_session``), so cancelling, timing out or
finishing a job takes down everything it started. Output goes to the trace as it is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .procs import signal_session
from .trace import Trace, script_lines

SCRIPT_PRELUDE = "set -eo pipefail\nset +o noclobber\n"


@dataclass(frozen=True)
class Outcome:
    """How a script ended: an exit code, or why it was stopped."""

    exit_code: int | None
    stopped: str | None = None


class Stop:
    """A one-shot reason to stop a job (cancel, shutdown); the first reason wins."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.status = "canceled"
        self.event = asyncio.Event()

    def set(self, reason: str, status: str = "canceled") -> None:
        """Ask the job to stop."""
        if self.reason is None:
            self.reason, self.status = reason, status
            self.event.set()


def _copy_project(project: Path, build_dir: Path, skip: list[Path]) -> bool:
    project = project.resolve()
    skip_resolved = {p.resolve() for p in skip}

    def ignore(directory: str, names: list[str]) -> set[str]:
        base = Path(directory)
        ignored = {n for n in names if (base / n).resolve() in skip_resolved}
        if base.resolve() == project:
            ignored |= {".git"} & set(names)
        return ignored

    if build_dir.exists():
        shutil.rmtree(build_dir)
    shutil.copytree(project, build_dir, symlinks=True, ignore=ignore)
    return (project / ".git").exists()


async def _run_quiet(*argv: str) -> int:
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    return await proc.wait()


async def prepare_build_dir(project: Path, build_dir: Path, skip: list[Path], trace: Trace) -> None:
    """Copy the project (uncommitted changes included) and give the copy its own ``.git``.

    The copy's ``.git`` is a ``--shared`` clone whose index is reset to HEAD, so ``git status``
    in the build shows exactly the user's uncommitted changes and nothing can touch their repo.
    """
    if not await asyncio.to_thread(_copy_project, project, build_dir, skip):
        trace.line(f"Copied the project folder to {build_dir}")
        return
    clone = build_dir.parent / f"{build_dir.name}.git-tmp"
    await asyncio.to_thread(shutil.rmtree, clone, True)
    code = await _run_quiet(
        "git", "clone", "-q", "--shared", "--no-checkout", str(project), str(clone)
    )
    if code == 0:
        await asyncio.to_thread((clone / ".git").rename, build_dir / ".git")
        await _run_quiet("git", "-C", str(build_dir), "reset", "-q")
        trace.line(f"Copied the project folder to {build_dir} (uncommitted changes included)")
    else:
        trace.warning("could not clone the project's git repository; the build has no .git")
    await asyncio.to_thread(shutil.rmtree, clone, True)


def write_script(path: Path, commands: list[str]) -> Path:
    """Write a job script file for :func:`run_script`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SCRIPT_PRELUDE + script_lines(commands))
    return path


async def _pump(stream: asyncio.StreamReader, trace: Trace) -> None:
    while chunk := await stream.read(65536):
        trace.write(chunk)


async def run_script(
    script: Path,
    *,
    cwd: Path,
    env: dict[str, str],
    trace: Trace,
    timeout: float | None,
    stop: Stop,
    kill_grace: float,
    on_start: Callable[[int], None] = lambda pid: None,
) -> Outcome:
    """Run ``script`` with bash; stop it on ``stop`` or after ``timeout`` seconds."""
    proc = await asyncio.create_subprocess_exec(
        "bash",
        "--noprofile",
        "--norc",
        str(script),
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    assert proc.stdout is not None
    on_start(proc.pid)
    reader = asyncio.create_task(_pump(proc.stdout, trace))
    waiter = asyncio.create_task(proc.wait())
    stopper = asyncio.create_task(stop.event.wait())
    try:
        done, _ = await asyncio.wait(
            {waiter, stopper}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        stopped = None if waiter in done else (stop.reason or "timeout")
        if stopped is not None:
            signal_session(proc.pid, signal.SIGTERM)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(waiter), kill_grace)
    finally:
        stopper.cancel()
        # Whatever the script left behind (background jobs, daemons) goes with it.
        signal_session(proc.pid, signal.SIGKILL)
        await waiter
        try:
            await asyncio.wait_for(reader, 5)
        except asyncio.TimeoutError:
            reader.cancel()
    return Outcome(proc.returncode if stopped is None else None, stopped)


def job_environment(variables: dict[str, str]) -> dict[str, str]:
    """Return the process environment of a job: the runner's, overridden by the job's variables."""
    env = dict(os.environ)
    # Terminal-related variables of the runner's own terminal make no sense in a job.
    for key in ("TERM", "COLUMNS", "LINES", "JPY_SESSION_NAME"):
        env.pop(key, None)
    env.update(variables)
    return env
