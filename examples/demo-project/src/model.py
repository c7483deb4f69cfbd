"""A nearest-centroid classifier: enough model for a demo, no third-party packages."""

from __future__ import annotations

import math


def centroids(rows: list[tuple[float, float, str]]) -> dict[str, tuple[float, float]]:
    sums: dict[str, list[float]] = {}
    for x, y, label in rows:
        s = sums.setdefault(label, [0.0, 0.0, 0.0])
        s[0] += x
        s[1] += y
        s[2] += 1
    return {label: (s[0] / s[2], s[1] / s[2]) for label, s in sums.items()}


def predict(model: dict[str, tuple[float, float]], x: float, y: float) -> str:
    return min(model, key=lambda label: math.dist(model[label], (x, y)))
