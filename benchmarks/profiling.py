"""Hot spots with py-spy (``--profile``): find it, summarize its collapsed stacks, print them."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any


def find_py_spy() -> str | None:
    spy = shutil.which("py-spy")
    beside = Path(sys.executable).with_name("py-spy")
    return spy or (str(beside) if beside.exists() else None)


def summarize_profile(path: Path, top: int = 12) -> dict[str, Any] | None:
    """Self and inclusive sample shares per function from py-spy's collapsed (raw) stacks."""
    if not path.exists():
        return None
    own: dict[str, int] = {}
    incl: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [
            f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0] + ")" if " (" in f else f
            for f in stack.split(";")
        ]
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for f in set(frames):
            incl[f] = incl.get(f, 0) + n

    def best(d: dict[str, int], cap: float = 1.0) -> list[tuple[str, float]]:
        ranked = sorted(d.items(), key=lambda kv: -kv[1])
        return [(k, round(v / total, 3)) for k, v in ranked if v <= cap * total][:top]

    # Inclusive: leave out the event loop's outer frames (in 90 % of the samples or more).
    return {"samples": total, "self": best(own), "inclusive": best(incl, 0.9)}


def print_profiles(profiles: dict[str, Any]) -> None:
    for name, prof in profiles.items():
        print(f"\nprofile {name} ({prof['samples']} busy samples at 250 Hz): top self time")
        for frame, share in prof["self"]:
            print(f"  {share:6.1%}  {frame}")
        print("  inclusive:")
        for frame, share in prof["inclusive"]:
            print(f"  {share:6.1%}  {frame}")
