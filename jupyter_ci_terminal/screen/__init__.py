"""A server-side model of what a terminal shows, so a (re)connecting viewer gets it back.

:class:`ScreenModel` applies all output (pure Python, tens of MB/s: see
``docs/terminal-model.md``), as it arrives or queued and applied in larger pieces, and turns it
into one payload that makes a fresh xterm.js show the same scrollback, screen, cursor and
modes, re-wrapped at the viewer's width.
"""

from __future__ import annotations

from . import skip
from .model import ScreenModel
from .terminal import Terminal

__all__ = ["ScreenModel", "Terminal", "skip"]
