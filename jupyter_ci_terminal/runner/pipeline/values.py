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
    """Normalise a list-like value (string, list, nested lists) to a list of strings."""
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


#: GitLab's ``Entry::Commands`` nesting limit for script arrays.
MAX_NESTING = 10


def commands(value: Any, where: str) -> list[str]:
    """Flatten a ``script``-like value as GitLab's ``Entry::Commands`` does.

    A string is one command (never iterated); arrays may nest up to 10 levels, and only strings
    are commands: a number or a YAML boolean is refused, as GitLab refuses it.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    out: list[str] = []
    if isinstance(value, list) and _flatten(value, 1, out):
        return out
    msg = f"{where} config should be a string or a nested array of strings up to {MAX_NESTING} levels deep"
    raise ConfigError(msg)


def _flatten(items: list[Any], level: int, out: list[str]) -> bool:
    if level > MAX_NESTING:
        return False
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif not (isinstance(item, list) and _flatten(item, level + 1, out)):
            return False
    return True


class VariableMap(dict[str, str]):
    """A ``variables:`` mapping's values, with what GitLab keeps beside them.

    ``raw`` names the variables declared ``expand: false`` (passed on unexpanded, as GitLab's
    "raw" variables); ``options`` and ``descriptions`` are the global forms GitLab shows when a
    pipeline is run by hand.
    """

    def __init__(self, *args: Any, **kwargs: str) -> None:
        # Accepts dict's arguments: dataclasses.asdict() rebuilds dicts through their type.
        super().__init__(*args, **kwargs)
        self.raw: set[str] = set()
        self.options: dict[str, list[str]] = {}
        self.descriptions: dict[str, str] = {}


#: Data keys of a variable hash: global ``variables:`` take all, job ones only value/expand.
GLOBAL_DATA = ("value", "description", "expand", "options")
JOB_DATA = ("value", "expand")


def _scalar(item: Any) -> bool:
    return item is None or (isinstance(item, str | int | float) and not isinstance(item, bool))


def variables_map(value: Any, where: str, *, data: tuple[str, ...] | None = None) -> VariableMap:
    """Normalise a ``variables:`` mapping (plain values or ``{value, expand, ...}`` hashes).

    ``data`` are the hash keys allowed; by default all of them for the top-level ``variables``
    and ``value``/``expand`` elsewhere, as GitLab's ``Entry::Variables`` allows.
    """
    out = VariableMap()
    if value is None:
        return out
    if not isinstance(value, dict):
        msg = f"{where} config should be a hash of key value pairs"
        raise ConfigError(msg)
    allowed = data if data is not None else (GLOBAL_DATA if where == "variables" else JOB_DATA)
    for key, item in value.items():
        name = str(key)
        if isinstance(item, dict):
            item = _variable_hash(name, item, f"{where}:{name}", allowed, out)
        if not _scalar(item):
            msg = f"{where} config should be a hash of key value pairs, value can be a hash"
            raise ConfigError(msg)
        out[name] = "" if item is None else str(item)
    return out


def _variable_hash(
    name: str, item: dict[Any, Any], where: str, allowed: tuple[str, ...], out: VariableMap
) -> Any:
    extra = [str(k) for k in item if k not in allowed]
    if extra:
        msg = f"{where} config uses invalid data keys: {', '.join(extra)}"
        raise ConfigError(msg)
    value = item.get("value")
    if not _scalar(value):
        msg = f"{where} config value must be a string"
        raise ConfigError(msg)
    if "description" in item:
        if not _scalar(item["description"]):
            msg = f"{where} config description must be a string"
            raise ConfigError(msg)
        out.descriptions[name] = str(item["description"])
    expand = item.get("expand", True)
    if not isinstance(expand, bool):
        msg = f"{where} config expand should be a boolean value"
        raise ConfigError(msg)
    if not expand:
        out.raw.add(name)
    if "options" in item:
        options = item["options"]
        if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
            msg = f"{where} config options should be an array of strings"
            raise ConfigError(msg)
        if options and ("" if value is None else str(value)) not in options:
            msg = f"{where} config value must be present in options"
            raise ConfigError(msg)
        out.options[name] = list(options)
    return value


def int_list(value: Any, where: str) -> list[int]:
    """Normalise an integer or a list of integers (exit codes)."""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        msg = f"{where} config should be an integer or an array of integers"
        raise ConfigError(msg)
    return [int(i) for i in items]
