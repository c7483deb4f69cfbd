"""What a waiting job's wait says about the held jobs keeping the runner's slots."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_ci_terminal.kernel.slots import FREE_HINT, held_holders, waiting_text

HELD_3 = {"id": 3, "name": "check-schema", "pipeline": 1, "hold": True}
HELD_7 = {"id": 7, "name": "check-schema", "pipeline": 2, "hold": True}
RUNNING = {"id": 4, "name": "train-model", "pipeline": 1, "hold": False}
REASON = "waiting for a free slot: 2 of 2 busy — check-schema (held), check-schema (held)"


def job(*holders: dict[str, Any], pipeline: int = 2, reason: str = REASON) -> dict[str, Any]:
    """A pending job's JSON, in pipeline ``pipeline``."""
    return {
        "pipeline": {"id": pipeline},
        "pending_reason": reason,
        "slot_holders": list(holders) if holders else None,
    }


@pytest.mark.parametrize(
    ("data", "other_pipelines", "expected"),
    [
        (job(HELD_3, RUNNING), False, [HELD_3]),
        (job(HELD_3, HELD_7), False, [HELD_3, HELD_7]),
        (job(HELD_3, HELD_7), True, [HELD_3]),  # HELD_7 is of the job's own pipeline
        (job(RUNNING), False, []),
        (job(), False, []),  # not waiting for a slot
        ({"status": "running"}, True, []),  # no pipeline, no slot_holders
    ],
)
def test_held_holders(data: dict[str, Any], other_pipelines: bool, expected: list[Any]) -> None:
    assert held_holders(data, other_pipelines=other_pipelines) == expected


@pytest.mark.parametrize(
    ("data", "freed", "expected"),
    [
        (
            job(HELD_3, HELD_7),
            [],
            f"{REASON}; held for debugging: check-schema #3, check-schema #7. {FREE_HINT}",
        ),
        (
            job(HELD_3, HELD_7),
            [HELD_3],
            (
                f"{REASON}; ended debugging on check-schema #3 to free their slots; "
                f"held for debugging: check-schema #7. {FREE_HINT}"
            ),
        ),
        (
            job(RUNNING, reason="waiting for a free slot: 1 of 1 busy"),
            [],
            "waiting for a free slot: 1 of 1 busy",
        ),
        (job(reason="waiting for needs: build"), [], "waiting for needs: build"),
        (job(reason=""), [], ""),
    ],
)
def test_waiting_text(data: dict[str, Any], freed: list[Any], expected: str) -> None:
    assert waiting_text(data, freed) == expected
