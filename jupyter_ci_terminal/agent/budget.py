"""How long the agent may hold a job: its ``--timeout``, capped so the job still ends in time.

GitLab kills a job at its timeout (``CI_JOB_TIMEOUT`` seconds from ``CI_JOB_STARTED_AT``) and
an ``after_script`` at ``RUNNER_AFTER_SCRIPT_TIMEOUT`` (a Go duration, 5m by default). A hold
that ran into either would end as a timeout failure, not with the job's own status, so the
agent leaves a margin before both.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping

#: Seconds left for the job to finish after the hold (after_script, artifacts, cache).
JOB_MARGIN = 60.0
#: Seconds left for the rest of ``after_script`` after the hold.
AFTER_SCRIPT_MARGIN = 10.0
#: gitlab-runner's default ``after_script`` timeout (s).
AFTER_SCRIPT_DEFAULT = 300.0

_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")
_GO_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}


def go_duration(text: str) -> float | None:
    """Seconds in a Go duration (``5m``, ``1h30m``, ``90s``); None when it is not one."""
    text = text.strip()
    parts = _GO_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _GO_UNITS[u] for n, u in parts)


def _job_time_left(env: Mapping[str, str], now: float) -> float | None:
    try:
        timeout = float(env["CI_JOB_TIMEOUT"])
        started = datetime.datetime.fromisoformat(env["CI_JOB_STARTED_AT"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return timeout - (now - started.timestamp())


def hold_budget(
    requested: float, in_after_script: bool, env: Mapping[str, str], now: float
) -> float:
    """The longest hold in seconds: ``requested``, capped by the job's and after_script's time."""
    limits = [requested]
    left = _job_time_left(env, now)
    if left is not None:
        limits.append(left - JOB_MARGIN)
    if in_after_script:
        after = go_duration(env.get("RUNNER_AFTER_SCRIPT_TIMEOUT", "")) or AFTER_SCRIPT_DEFAULT
        limits.append(after - AFTER_SCRIPT_MARGIN)
    return max(0.0, min(limits))
