"""How a held job reads in notebooks: the hold's words and the time left (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_ci_terminal.kernel.display import hold_text, shown_status, time_left

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
UNTIL = "2027-01-15T08:28:00.000Z"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s left"),
        (-5, "0 s left"),
        (44.2, "45 s left"),
        (60, "1 min left"),
        (1621, "28 min left"),
    ],
)
def test_time_left_counts_seconds_then_whole_minutes_up(seconds: float, text: str) -> None:
    assert time_left(seconds) == text


@pytest.mark.parametrize(
    ("job", "text"),
    [
        ({"hold": False, "hold_reason": None, "hold_until": None}, ""),
        (
            {"hold": True, "hold_reason": "on_failure", "hold_until": UNTIL},
            "held for debugging, 28 min left",
        ),
        (
            {"hold": True, "hold_reason": "always", "hold_until": UNTIL},
            "held for debugging, 28 min left",
        ),
        (
            {"hold": True, "hold_reason": "retention", "hold_until": UNTIL},
            "kept open while its terminal is attached, 28 min left",
        ),
        ({"hold": True}, "held for debugging"),  # a runner without the hold fields
    ],
)
def test_hold_text_says_why_and_how_long(job: dict[str, Any], text: str) -> None:
    assert hold_text(job, now=NOW) == text


@pytest.mark.parametrize(
    ("job", "status"),
    [
        ({"status": "running", "hold": True, "hold_status": "failed"}, "failed"),
        ({"status": "running", "hold": True, "hold_status": "success"}, "success"),
        ({"status": "running", "hold": False, "hold_status": None}, "running"),
        ({"status": "running", "hold": True}, "running"),
    ],
)
def test_a_held_job_shows_the_status_it_ends_with(job: dict[str, Any], status: str) -> None:
    assert shown_status(job) == status
