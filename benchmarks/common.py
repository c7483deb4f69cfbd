"""Names and small helpers every part of the terminal benchmark shares."""

from __future__ import annotations

import math
import time

MB = 1_000_000
MIB = 1024 * 1024
TERMINADO = "terminado"
CI = "ci"
KINDS = (TERMINADO, CI)
LABEL = {TERMINADO: "terminado", CI: "CI terminal"}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def log(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", flush=True)
