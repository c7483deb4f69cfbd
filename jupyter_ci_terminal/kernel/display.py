"""How jobs, pipelines and waits look: HTML in notebooks, aligned text elsewhere.

Pure rendering, plus the two places that talk to IPython's display machinery: the progress of
:meth:`Job.wait` and the one-line rendering of :class:`CIError` in cells.
"""

from __future__ import annotations

import datetime
import math
import sys
import time
from collections.abc import Sequence
from html import escape
from typing import Any

from ..errors import CIError

#: GitLab's status colours.
COLOURS = {
    "success": "#108548",
    "failed": "#dd2b0e",
    "running": "#1f75cb",
    "pending": "#c17d10",
    "created": "#737278",
    "waiting_for_resource": "#c17d10",
    "preparing": "#c17d10",
    "scheduled": "#737278",
    "manual": "#737278",
    "canceling": "#737278",
    "canceled": "#737278",
    "skipped": "#737278",
}


#: What a hold is, by ``hold_reason`` (the words the panel and the tab's strip show too).
HOLD_WORDS = {
    "on_failure": "held for debugging",
    "always": "held for debugging",
    "retention": "kept open while its terminal is attached",
}


def time_left(seconds: float) -> str:
    """``45 s left``, ``28 min left`` (whole minutes, rounded up, from one minute on)."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{math.ceil(seconds)} s left"
    return f"{math.ceil(seconds / 60)} min left"


def hold_text(job: dict[str, Any], now: float | None = None) -> str:
    """``held for debugging, 28 min left`` for a held job's JSON; empty when it is not held."""
    if not job.get("hold"):
        return ""
    words = HOLD_WORDS.get(str(job.get("hold_reason")), "held for debugging")
    until = job.get("hold_until")
    if not isinstance(until, str):
        return words
    end = datetime.datetime.fromisoformat(until.replace("Z", "+00:00")).timestamp()
    return f"{words}, {time_left(end - (time.time() if now is None else now))}"


def shown_status(job: dict[str, Any]) -> str:
    """The status a job looks like: a held job's is the one it ends with (its script's)."""
    if job.get("hold") and job.get("hold_status"):
        return str(job["hold_status"])
    return str(job.get("status", ""))


def badge(status: str, hold: bool | str = False) -> str:
    """A coloured status label (HTML); ``hold``: the hold's words (True: ``held``)."""
    colour = COLOURS.get(status, "#737278")
    if hold is True:
        hold = "held"
    label = f"{status}, {hold}" if hold else status
    return (
        f'<span style="color:{colour};border:1px solid {colour};border-radius:8px;'
        f'padding:0 6px;font-size:90%">{escape(label)}</span>'
    )


def duration(seconds: object) -> str:
    """``1m 05s`` style, or empty."""
    if not isinstance(seconds, int | float):
        return ""
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def table_text(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An aligned plain-text table."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def table_html(columns: Sequence[str], rows: Sequence[Sequence[object]], *, raw: int = -1) -> str:
    """An HTML table; cells are escaped except column ``raw`` (pre-rendered HTML)."""
    head = "".join(f"<th style='text-align:left'>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td style='text-align:left'>{v if i == raw else escape(_cell(v))}</td>"
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def in_notebook() -> bool:
    """True inside a Jupyter kernel (rich outputs), False in a terminal IPython or a script."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


class Progress:
    """Shows a wait: an updating HTML line in notebooks, a line per status change elsewhere."""

    def __init__(self, what: str, goal: str, *, enabled: bool = True) -> None:
        self.what = what
        self.goal = goal
        self.enabled = enabled
        self.started = time.monotonic()
        self._last: str | None = None
        self._handle: Any = None

    def _html(self, status: str, hold: str, done: bool) -> str:
        elapsed = duration(time.monotonic() - self.started)
        bar = "" if done else "<progress style='width:8em;vertical-align:middle'></progress> "
        return f"{bar}{escape(self.what)} {badge(status, hold)} <small>{elapsed}</small>"

    def update(self, status: str, *, hold: str = "", done: bool = False) -> None:
        """Show the current status (``hold``: a held job's words, shown beside it)."""
        if not self.enabled:
            return
        html = self._html(status, hold, done)
        status = f"{status}, {hold}" if hold else status
        if in_notebook():
            from IPython.display import display

            bundle = {"text/html": html, "text/plain": f"{self.what}: {status}"}
            if self._handle is None:
                self._handle = display(bundle, raw=True, display_id=True)  # type: ignore[no-untyped-call]
            else:
                self._handle.update(bundle, raw=True)
        elif status != self._last:
            elapsed = duration(time.monotonic() - self.started)
            tail = "" if done else f", waiting until {self.goal}"
            sys.stderr.write(f"{self.what}: {status} ({elapsed}{tail})\n")
            sys.stderr.flush()
        self._last = status


def _show_ci_error(
    shell: Any, etype: type[BaseException], value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    # A CIError is a sentence for a person, never a bug: show it alone, as an error output.
    stb = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb


def show_errors_briefly(shell: Any) -> None:
    """Make IPython show a :class:`CIError` raised in a cell as one line, not a traceback.

    Leaves any other custom exception handler in place.
    """
    if shell is None or shell.custom_exceptions not in ((), (CIError,)):
        return
    shell.set_custom_exc((CIError,), _show_ci_error)
