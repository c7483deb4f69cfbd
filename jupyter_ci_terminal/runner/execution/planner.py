"""Plan pipelines off the event loop: in a child process, with a wall-clock and a memory bound.

Why a process and not a thread: a hostile ``.gitlab-ci.yml`` (a YAML alias bomb, a regular
expression that backtracks for hours, a file nested thousands of levels deep) can hold the GIL
inside C code or grow memory without end. A thread would stall the API and the terminals with
it, and could neither be stopped nor have its memory taken back. A child process keeps its
memory to itself (capped with ``RLIMIT_AS`` where the system honours it) and is killed when the
time is up. Children are forked from a small "forkserver" that imported the planner once, so a
pipeline costs a fork, not a Python start-up.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from ..pipeline.config import too_many_jobs
from ..pipeline.plan import Plan, plan_pipeline
from ..pipeline.variables import GitInfo

#: Address space a planning child may use (bytes); a bigger config is refused, not swapped in.
MEMORY_LIMIT = 1024 * 1024 * 1024
#: Where GitLab's message for too many jobs points.


@dataclass(frozen=True)
class Request:
    """What planning one pipeline needs (everything picklable)."""

    project: Path
    git: GitInfo
    ref: str
    source: str
    project_id: int
    server_url: str
    api_variables: dict[str, str]
    skip: tuple[Path, ...]
    #: GitLab's ``ci_pipeline_size`` limit: most jobs one pipeline may have (0: no limit).
    max_jobs: int = 0
    #: A child pipeline's configuration instead of the project's file (see ``config.load``).
    root: dict[str, Any] | None = None


@dataclass(frozen=True)
class Outcome:
    """A plan, or the one-sentence reason there is none."""

    plan: Plan | None = None
    error: str | None = None


def plan_request(request: Request) -> Outcome:
    """Plan a pipeline in this process (the child's work)."""
    try:
        plan = plan_pipeline(
            request.project,
            git=request.git,
            ref=request.ref,
            source=request.source,
            project_id=request.project_id,
            server_url=request.server_url,
            api_variables=request.api_variables,
            skip=request.skip,
            root=request.root,
            max_jobs=request.max_jobs,
        )
    except ConfigError as e:
        return Outcome(error=str(e))
    except MemoryError:
        return Outcome(error=_too_big())
    except RecursionError:
        return Outcome(error="The CI configuration is nested too deeply to process.")
    if request.max_jobs and len(plan.jobs) > request.max_jobs:
        return Outcome(error=too_many_jobs(request.max_jobs))
    return Outcome(plan=plan)


def _too_big() -> str:
    limit = MEMORY_LIMIT // (1024 * 1024)
    return f"The CI configuration needs more than {limit} MiB of memory to process."


def _child(conn: Connection, request: Request) -> None:
    # Not enforced everywhere (macOS ignores it): the time bound still holds there.
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    try:
        outcome = plan_request(request)
    except MemoryError:
        outcome = Outcome(error=_too_big())
    except Exception as e:  # noqa: BLE001 - whatever it is, the answer is one sentence
        outcome = Outcome(error=f"The CI configuration could not be processed: {e}")
    conn.send(outcome)
    conn.close()


def _preload() -> list[str]:
    """Return what the forkserver imports once: this module, and the program's main module.

    Every child re-runs the main module (multiprocessing's rule); with its imports already done
    in the forkserver that costs milliseconds instead of a second of imports.
    """
    main = sys.modules.get("__main__")
    spec_name = getattr(getattr(main, "__spec__", None), "name", None)
    if spec_name:
        return [__name__, spec_name]
    return [__name__, "__main__"] if getattr(main, "__file__", None) else [__name__]


def _noop() -> None:
    """Start the forkserver early, so the first pipeline does not pay for it."""


class Planner:
    """Runs :func:`plan_request` in child processes, one per pipeline, each bounded in time."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        methods = multiprocessing.get_all_start_methods()
        self._ctx: Any = multiprocessing.get_context(
            "forkserver" if "forkserver" in methods else "spawn"
        )
        if "forkserver" in methods:
            self._ctx.set_forkserver_preload(_preload())
        self._children: set[Any] = set()
        self._lock = threading.Lock()
        self._closed = False

    def warm_up(self) -> None:
        """Start the forkserver (blocking: call it from a worker thread)."""
        child = self._ctx.Process(target=_noop, daemon=True)
        child.start()
        child.join()

    def run(self, request: Request) -> Outcome:
        """Plan in a child and give up after ``timeout`` seconds (blocking: call from a thread).

        The clock starts once the child runs: starting the forkserver (the first pipeline after
        start-up, on a busy machine up to a second) is not the configuration's fault.
        """
        if self._closed:
            return Outcome(error="The runner is shutting down.")
        receiver, sender = self._ctx.Pipe(duplex=False)
        child = self._ctx.Process(target=_child, args=(sender, request), daemon=True)
        with self._lock:
            child.start()
            self._children.add(child)
        sender.close()
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                left = deadline - time.monotonic()
                # Short polls, so that close() at shutdown is noticed promptly.
                if receiver.poll(max(0.0, min(left, 0.05))):
                    try:
                        outcome: Outcome = receiver.recv()
                    except (EOFError, OSError):
                        return Outcome(error=_too_big())  # killed by the memory cap
                    return outcome
                if self.closed:
                    return Outcome(error="The runner is shutting down.")
                if left <= 0:
                    return Outcome(
                        error=f"The CI configuration took longer than {self.timeout:g}s to process "
                        "and was stopped (the limit is Scheduler.plan_timeout).",
                    )
                if not child.is_alive() and not receiver.poll():
                    return Outcome(error=_too_big())
        finally:
            receiver.close()
            if child.is_alive():
                child.kill()
            child.join()
            with self._lock:
                self._children.discard(child)

    @property
    def closed(self) -> bool:
        """Return whether :meth:`close` was called."""
        return self._closed

    def close(self) -> None:
        """Kill every planning child (runner shutdown)."""
        with self._lock:
            self._closed = True
            for child in self._children:
                if child.is_alive():
                    child.kill()
