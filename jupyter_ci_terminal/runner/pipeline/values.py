"""GitLab's value forms: durations, script lists, variable maps, exit-code lists."""

from __future__ import annotations

import re
from typing import Any

from ...errors import ConfigError

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]*)")
_UNITS = {
    "": 1,
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}


def parse_duration(value: Any, where: str) -> float:
    """Parse a GitLab duration (``"1h 30m"``, ``"90 minutes"``, ``3600``) into seconds."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int | float) and value >= 0:
        return float(value)
    text = str(value).strip().lower().replace(" and ", " ").replace(",", " ")
    total, pos = 0.0, 0
    for m in _DURATION.finditer(text):
        if text[pos : m.start()].strip() or m.group(2) not in _UNITS:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    else:
        if pos and not text[pos:].strip():
            return total
    msg = f"{where} config should be a duration"
    raise ConfigError(msg)


def string_list(value: Any, where: str) -> list[str]:
    """Normalise a script-like value (string, list, nested lists) to a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            if isinstance(item, list):
                out.extend(string_list(item, where))
            elif isinstance(item, str | int | float) and not isinstance(item, bool):
                out.append(str(item))
            else:
                break
        else:
            return out
    msg = f"{where} config should be a string or a nested array of strings up to 10 levels deep"
    raise ConfigError(msg)


def variables_map(value: Any, where: str) -> dict[str, str]:
    """Normalise a ``variables:`` mapping (plain values or ``{value: ...}`` hashes)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        msg = f"{where} config should be a hash of key value pairs"
        raise ConfigError(msg)
    out: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            item = item.get("value", "")
        if isinstance(item, bool) or (not isinstance(item, str | int | float) and item is not None):
            msg = f"{where} config should be a hash of key value pairs, value can be a hash"
            raise ConfigError(msg)
        out[str(key)] = "" if item is None else str(item)
    return out


def int_list(value: Any, where: str) -> list[int]:
    """Normalise an integer or a list of integers (exit codes)."""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        msg = f"{where} config should be an integer or an array of integers"
        raise ConfigError(msg)
    return [int(i) for i in items]
