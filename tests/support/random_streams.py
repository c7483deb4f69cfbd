"""Random terminal output from a grammar of what programs print: text (wide, combining-free),
controls, cursor moves, erases, edits, SGRs, scroll regions, modes, charsets, tab stops, the
alternate screen, saved cursors, hyperlinks, titles, and repeats of a random update (so that the
flood paths see them). Seeded, so a failing stream is reproduced from its seed."""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import pairwise

WORDS = ["ok", "error:", "build", "│", "─", "日本", "語", "✓", "€", "~/x", "a.c:12:", "=" * 7]


def _text(r: random.Random, cols: int) -> str:
    pick = r.random()
    if pick < 0.2:
        return r.choice("abcxyz0123456789") * r.randint(1, cols * 2 + 3)
    return " ".join(r.choice(WORDS) for _ in range(r.randint(1, 4)))


def _n(r: random.Random, top: int) -> str:
    # Parameters as programs write them: often none, sometimes 0, sometimes past the edge.
    pick = r.random()
    if pick < 0.25:
        return ""
    if pick < 0.3:
        return "0"
    return str(r.randint(1, top))


def _sgr(r: random.Random) -> str:
    parts = []
    for _ in range(r.randint(1, 3)):
        pick = r.random()
        if pick < 0.15:
            parts.append("0")
        elif pick < 0.4:
            parts.append(
                str(r.choice([1, 2, 3, 4, 5, 7, 8, 9, 21, 22, 23, 24, 25, 27, 28, 29, 53]))
            )
        elif pick < 0.6:
            parts.append(str(r.choice([*range(30, 38), 39, *range(90, 98)])))
        elif pick < 0.75:
            parts.append(str(r.choice([*range(40, 48), 49, *range(100, 108)])))
        elif pick < 0.9:
            parts.append(f"{r.choice([38, 48])};5;{r.randint(0, 255)}")
        else:
            rgb = ";".join(str(r.randint(0, 255)) for _ in range(3))
            parts.append(f"{r.choice([38, 48])};2;{rgb}")
    return "\x1b[" + ";".join(parts) + "m"


def _op(r: random.Random, rows: int, cols: int) -> str:
    kind = r.choices(list(OPS), weights=[w for w, _ in OPS.values()])[0]
    return OPS[kind][1](r, rows, cols)


Op = Callable[[random.Random, int, int], str]
OPS: dict[str, tuple[float, Op]] = {
    "text": (12, lambda r, rows, cols: _text(r, cols)),
    "crlf": (5, lambda r, rows, cols: "\r\n"),
    "control": (4, lambda r, rows, cols: r.choice(["\r", "\n", "\b", "\t", "\x07", "\x0b"])),
    "cup": (
        3,
        lambda r, rows, cols: f"\x1b[{_n(r, rows + 2)};{_n(r, cols + 3)}" + r.choice(["H", "f"]),
    ),
    "move": (
        4,
        lambda r, rows, cols: (
            f"\x1b[{_n(r, max(rows, cols))}"
            + r.choice(["A", "B", "C", "D", "E", "F", "G", "d", "`", "a", "e", "I", "Z"])
        ),
    ),
    "erase": (
        3,
        lambda r, rows, cols: (
            "\x1b["
            + r.choice(["", "0", "1", "2"])
            + r.choice(["K", "J"])
            + ("" if r.random() < 0.8 else "\x1b[3J")
        ),
    ),
    "edit": (
        3,
        lambda r, rows, cols: (
            f"\x1b[{_n(r, cols)}" + r.choice(["X", "@", "P", "L", "M", "S", "T", "b"])
        ),
    ),
    "sgr": (6, lambda r, rows, cols: _sgr(r)),
    "region": (
        1,
        lambda r, rows, cols: (
            "\x1b[r" if r.random() < 0.3 else f"\x1b[{r.randint(1, rows)};{r.randint(1, rows)}r"
        ),
    ),
    "esc": (
        2,
        lambda r, rows, cols: (
            "\x1b" + r.choice(["7", "8", "D", "E", "M", "H", "=", ">", "(0", "(B", ")0", ")B"])
        ),
    ),
    "shift": (1, lambda r, rows, cols: r.choice(["\x0e", "\x0f"])),
    "save": (1, lambda r, rows, cols: r.choice(["\x1b[s", "\x1b[u"])),
    "mode": (
        2,
        lambda r, rows, cols: (
            "\x1b["
            + r.choice(["?7", "4", "?6", "?25", "?2004", "?1", "?1000", "?1006", "?1002", "?5"])
            + r.choice("hl")
        ),
    ),
    "screen": (
        1,
        lambda r, rows, cols: "\x1b[?" + r.choice(["1049", "1047", "47", "1048"]) + r.choice("hl"),
    ),
    "tabs": (1, lambda r, rows, cols: r.choice(["\x1b[g", "\x1b[3g", "\x1b[0g"])),
    "osc": (
        1,
        lambda r, rows, cols: r.choice(
            [
                "\x1b]0;title\x07",
                "\x1b]2;other\x1b\\",
                "\x1b]8;;https://e.x/a\x07link\x1b]8;;\x07",
                "\x1b]8;id=1;https://e.x/b\x1b\\lk\x1b]8;;\x1b\\",
            ]
        ),
    ),
    "style": (1, lambda r, rows, cols: f"\x1b[{r.randint(0, 6)} q"),
    "reset": (0.2, lambda r, rows, cols: r.choice(["\x1b[!p", "\x1bc"])),
    "unknown": (
        0.5,
        lambda r, rows, cols: r.choice(
            ["\x1b[>c", "\x1b[?1;2$p", "\x1bP+q544e\x1b\\", "\x1b_x\x1b\\", "\x1b[6n"]
        ),
    ),
}


def update(r: random.Random, rows: int, cols: int) -> str:
    """A few ops, as one redraw of a progress line or status row."""
    return "".join(_op(r, rows, cols) for _ in range(r.randint(1, 5)))


def pieces(seed: int, rows: int, cols: int, ops: int = 60) -> list[str]:
    """A random stream's ``ops`` ops, now and then one update repeated up to 3,000 times."""
    r = random.Random(seed)
    out: list[str] = []
    for _ in range(ops):
        if r.random() < 0.03:
            one = update(r, rows, cols)
            out.append(one * r.randint(2, 3000))
        else:
            out.append(_op(r, rows, cols))
    return out


def stream(seed: int, rows: int, cols: int, ops: int = 60) -> str:
    """A random stream (see :func:`pieces`)."""
    return "".join(pieces(seed, rows, cols, ops))


def chunks(seed: int, data: str) -> list[str]:
    """``data`` cut at random places (inside sequences too), as a relay hands it over."""
    r = random.Random(seed)
    cuts = (
        sorted(r.sample(range(1, len(data)), min(len(data) - 1, r.randint(0, 8)))) if data else []
    )
    edges = [0, *cuts, len(data)]
    return [data[a:b] for a, b in pairwise(edges)]
