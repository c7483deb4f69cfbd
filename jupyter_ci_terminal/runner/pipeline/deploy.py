"""Deployment and cancellation keywords: ``environment``, ``resource_group``, ``interruptible``
and ``workflow:auto_cancel``."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ...errors import ConfigError

ACTIONS = ("start", "prepare", "stop", "verify", "access")
TIERS = ("production", "staging", "testing", "development", "other")
ENVIRONMENT_KEYS = frozenset(
    {"name", "url", "action", "deployment_tier", "on_stop", "auto_stop_in", "kubernetes"}
)
#: GitLab's ``Environment#guess_tier`` patterns, tried in this order.
_TIER_GUESSES = (
    ("development", re.compile(r"(dev|review|trunk)", re.IGNORECASE)),
    ("testing", re.compile(r"(test|tst|int|ac(ce|)pt|qa|qc|control|quality)", re.IGNORECASE)),
    ("staging", re.compile(r"(st(a|)g|mod(e|)l|pre|demo|non)", re.IGNORECASE)),
    ("production", re.compile(r"(pr(o|)d|live)", re.IGNORECASE)),
)


#: Environment keys that are recorded but have no effect here (a warning names them).
_NOT_ACTED_ON = ("on_stop", "auto_stop_in", "kubernetes")


def environment_spec(
    value: Any, where: str, warnings: list[str] | None = None
) -> dict[str, Any] | None:
    """Check ``environment:`` (a name, or a hash) and return it as a hash with every key.

    ``on_stop``, ``auto_stop_in`` and ``kubernetes`` are kept but not acted on: each use adds a
    warning to ``warnings``.
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        msg = f"{where}:environment config should be a hash or a string"
        raise ConfigError(msg)
    extra = sorted(set(value) - ENVIRONMENT_KEYS)
    if extra:
        msg = f"{where}:environment config contains unknown keys: {', '.join(extra)}"
        raise ConfigError(msg)
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        msg = f"{where}:environment name can't be blank"
        raise ConfigError(msg)
    action = value.get("action", "start")
    if action not in ACTIONS:
        msg = f"{where}:environment action should be start, stop, prepare, verify, or access"
        raise ConfigError(msg)
    tier = value.get("deployment_tier")
    if tier is not None and tier not in TIERS:
        msg = f"{where}:environment deployment_tier must be one of {', '.join(TIERS)}"
        raise ConfigError(msg)
    for key in ("url", "on_stop", "auto_stop_in"):
        if value.get(key) is not None and not isinstance(value[key], str):
            msg = f"{where}:environment {key} should be a string"
            raise ConfigError(msg)
    for key in _NOT_ACTED_ON:
        if key in value and warnings is not None:
            warnings.append(f"{where}:environment:{key} is not supported by the local runner")
    return {
        "name": name,
        "url": value.get("url"),
        "action": action,
        "deployment_tier": tier,
        "on_stop": value.get("on_stop"),
        "auto_stop_in": value.get("auto_stop_in"),
    }


def resource_group_spec(value: Any, where: str) -> str | None:
    """Check ``resource_group:`` (a non-empty string)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        msg = f"{where}:resource_group config should be a string"
        raise ConfigError(msg)
    return value


def interruptible_spec(value: Any, where: str) -> bool:
    """Check ``interruptible:`` (a boolean, false when absent)."""
    if value is None:
        return False
    if not isinstance(value, bool):
        msg = f"{where}:interruptible config should be a boolean value"
        raise ConfigError(msg)
    return value


def guess_tier(name: str) -> str:
    """Return the deployment tier GitLab infers from an environment's name."""
    for tier, pattern in _TIER_GUESSES:
        if pattern.search(name):
            return tier
    return "other"


def environment_slug(name: str) -> str:
    """Return GitLab's ``CI_ENVIRONMENT_SLUG``: DNS-safe, at most 24 characters, stable."""
    slug = re.sub(r"[^a-z0-9]", "-", name.lower())
    if not slug[:1].isalpha() or not slug[:1].isascii():
        slug = "env-" + slug
    slug = re.sub(r"-+", "-", slug)
    if len(slug) > 24 or slug != name:
        # A changed or shortened name gets a suffix derived from the original, as in GitLab.
        suffix = _base36(int(hashlib.sha256(name.encode()).hexdigest(), 16))[-6:]
        slug = slug[:17]
        return slug + ("" if slug.endswith("-") else "-") + suffix
    return slug.rstrip("-")


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


#: ``workflow:auto_cancel`` keys and their values; the first value is GitLab's default.
AUTO_CANCEL = {
    "on_new_commit": ("conservative", "interruptible", "none"),
    "on_job_failure": ("none", "all"),
}


def auto_cancel_spec(value: Any) -> dict[str, str]:
    """Check ``workflow:auto_cancel`` and return both settings (defaults filled in)."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        msg = "workflow:auto_cancel config should be a hash"
        raise ConfigError(msg)
    extra = sorted(set(value) - set(AUTO_CANCEL))
    if extra:
        msg = f"workflow:auto_cancel config contains unknown keys: {', '.join(extra)}"
        raise ConfigError(msg)
    out = {}
    for key, allowed in AUTO_CANCEL.items():
        chosen = value.get(key, allowed[0])
        if chosen not in allowed:
            msg = f"workflow:auto_cancel {key} must be one of: {', '.join(allowed)}"
            raise ConfigError(msg)
        out[key] = chosen
    return out
