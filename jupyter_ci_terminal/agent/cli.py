"""``ci-terminal-agent [--wait | --hold on_failure|always] [--timeout S] [--size-wait S]``,
configured by variables.

``JUPYTER_CI_TERMINAL_URL`` (the Jupyter server's base URL), ``JUPYTER_CI_TERMINAL_TOKEN`` (the
server's agent token), and the job's own ``CI_JOB_TOKEN``, ``CI_PROJECT_DIR``, ``CI_SERVER_URL``
and ``CI_JOB_STATUS``. Tokens are never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from ..runner.terminals.terminal import DEFAULT_SIZE_WAIT
from . import wire
from .budget import hold_budget
from .dialer import Target, hold

#: Variables the shell does not get: the agent token opens the connect route of the server.
PRIVATE = ("JUPYTER_CI_TERMINAL_TOKEN",)


def seconds(text: str) -> float:
    """A number of seconds, 0 or more (argparse's ``type``)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        msg = f"{text!r} is not a number of seconds (0 or more)"
        raise argparse.ArgumentTypeError(msg)
    return value


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="ci-terminal-agent",
        description="Keep a CI job open and let a Jupyter server open its shell as a terminal tab.",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--wait",
        action="store_true",
        help="wait for a debugger to attach and leave (the default)",
    )
    mode.add_argument(
        "--hold",
        choices=("on_failure", "always"),
        help="from after_script: hold the job when CI_JOB_STATUS is failed, or always",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="longest hold in seconds, debugging included (default 1800); capped so the job "
        "and its after_script end before GitLab's timeouts",
    )
    p.add_argument(
        "--size-wait",
        type=seconds,
        default=DEFAULT_SIZE_WAIT,
        metavar="S",
        help=f"how long the shell waits for the debugger's terminal size, to start at it "
        f"(seconds, default {DEFAULT_SIZE_WAIT:g}); typing or 0 starts it at once at 24x80",
    )
    return p


def should_hold(mode: str | None, env: Mapping[str, str]) -> str | None:
    """Why the job is held, or None when it is not (``--hold on_failure`` on a passing job)."""
    status = env.get("CI_JOB_STATUS", "")
    if mode == "on_failure" and status != "failed":
        return None
    if mode is None:
        return "--wait"
    return f"--hold {mode} (CI_JOB_STATUS={status or 'unset'})"


def target(env: Mapping[str, str]) -> Target:
    """The dial target from the job's variables; a missing one raises ``ValueError``."""
    missing = [
        name
        for name in ("JUPYTER_CI_TERMINAL_URL", "JUPYTER_CI_TERMINAL_TOKEN", "CI_JOB_TOKEN")
        if not env.get(name)
    ]
    if missing:
        msg = f"Set {', '.join(missing)} (CI/CD variables) to reach the Jupyter server."
        raise ValueError(msg)
    return Target(
        url=wire.connect_url(env["JUPYTER_CI_TERMINAL_URL"]),
        agent_token=env["JUPYTER_CI_TERMINAL_TOKEN"],
        job_token=env["CI_JOB_TOKEN"],
        server_url=env.get("CI_SERVER_URL", ""),
        project_dir=Path(env.get("CI_PROJECT_DIR") or Path.cwd()),
        env={k: v for k, v in env.items() if k not in PRIVATE},
    )


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    args = parser().parse_args(argv)
    env = dict(os.environ)
    why = should_hold(args.hold, env)
    if why is None:
        wire.say(
            f"ci-terminal-agent: CI_JOB_STATUS is {env.get('CI_JOB_STATUS') or 'unset'}, "
            "not failed: the job is not held."
        )
        sys.exit(0)
    try:
        where = target(env)
    except ValueError as e:
        wire.say(f"ci-terminal-agent: {e}")
        sys.exit(1)
    # --hold runs from after_script, which has its own timeout; both leave the job time to end.
    budget = hold_budget(args.timeout, args.hold is not None, env, time.time())
    wire.say(f"ci-terminal-agent: holding the job ({why}) for at most {budget:g} s.")
    sys.exit(asyncio.run(hold(where, budget, args.size_wait)))
