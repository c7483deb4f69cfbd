"""GitLab's checks of ``cache:`` and ``artifacts:reports:``, normalised for the runner.

A cache is ``{key, paths, untracked, policy, when, unprotect, fallback_keys}`` with GitLab's
defaults filled in (``Entry::Cache#value``); ``key`` stays a string or a ``{files,
files_commits, prefix}`` hash, resolved when the job runs. Reports map a type to its paths.
"""

from __future__ import annotations

import re
from typing import Any, NoReturn
from urllib.parse import unquote

from ...errors import ConfigError
from .values import string_list

CACHE_KEYS = frozenset(
    {"key", "untracked", "paths", "when", "policy", "unprotect", "fallback_keys"}
)
#: ``Entry::Cache::ALLOWED_POLICY``: unanchored, as GitLab's.
POLICY = re.compile(r"pull-push|push|pull|\$\w{1,255}")
CACHE_WHEN = ("on_success", "on_failure", "always")
MAX_CACHES = 4
MAX_FALLBACK_KEYS = 5
KEY_FILES_KEYS = frozenset({"files", "files_commits", "prefix"})
REPORT_TYPES = frozenset(
    {
        "junit",
        "codequality",
        "sast",
        "secret_detection",
        "dependency_scanning",
        "container_scanning",
        "dast",
        "performance",
        "browser_performance",
        "load_performance",
        "license_scanning",
        "metrics",
        "lsif",
        "dotenv",
        "terraform",
        "accessibility",
        "coverage_fuzzing",
        "api_fuzzing",
        "cluster_image_scanning",
        "requirements",
        "requirements_v2",
        "coverage_report",
        "cyclonedx",
        "annotations",
        "repository_xray",
    }
)


def _fail(msg: str) -> NoReturn:
    raise ConfigError(msg)


def _key(value: Any, where: str) -> str | dict[str, Any]:
    if value is None:
        return "default"  # Entry::Key.default
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value)
        path = unquote(text)
        if "/" in path:
            _fail(f'{where}:key config cannot contain the "/" character')
        if path in (".", ".."):
            _fail(f'{where}:key config cannot be "." or ".."')
        return text
    if not isinstance(value, dict):
        _fail(f"{where}:key config should be a hash, a string or a symbol")
    extra = sorted(set(value) - KEY_FILES_KEYS)
    if extra:
        _fail(f"{where}:key config contains unknown keys: {', '.join(extra)}")
    kinds = [k for k in ("files", "files_commits") if k in value]
    if len(kinds) != 1:
        _fail(f"{where}:key config must contain exactly one of: files, files_commits")
    files = string_list(value[kinds[0]], f"{where}:key:{kinds[0]}")
    if not 1 <= len(files) <= 2:
        _fail(f"{where}:key:{kinds[0]} config has too many items (maximum is 2)")
    out: dict[str, Any] = {kinds[0]: files}
    if value.get("prefix") is not None:
        out["prefix"] = str(value["prefix"])
    return out


def _one_cache(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(f"{where} config should be a hash")
    extra = sorted(set(value) - CACHE_KEYS)
    if extra:
        _fail(f"{where} config contains unknown keys: {', '.join(extra)}")
    policy = value.get("policy") or "pull-push"
    if not isinstance(policy, str) or not POLICY.search(policy):
        _fail(f"{where} policy should be a variable or one of: pull-push, push, pull")
    when = value.get("when") or "on_success"
    if when not in CACHE_WHEN:
        _fail(f"{where} when should be one of: {', '.join(CACHE_WHEN)}")
    fallback = string_list(value.get("fallback_keys"), f"{where}:fallback_keys")
    if len(fallback) > MAX_FALLBACK_KEYS:
        _fail(f"{where} fallback keys has to many entries (maximum {MAX_FALLBACK_KEYS})")
    for flag in ("untracked", "unprotect"):
        if not isinstance(value.get(flag, False), bool):
            _fail(f"{where}:{flag} config should be a boolean value")
    return {
        "key": _key(value.get("key"), where),
        "paths": string_list(value.get("paths"), f"{where}:paths"),
        "untracked": bool(value.get("untracked", False)),
        "policy": policy,
        "when": when,
        "unprotect": bool(value.get("unprotect", False)),
        "fallback_keys": fallback,
    }


def cache_spec(value: Any, where: str) -> list[dict[str, Any]]:
    """Check a job's ``cache:`` (a hash or up to four of them) and return the list."""
    if value is None:
        return []
    if not isinstance(value, dict | list):
        _fail(f"{where} config can only be a Hash or an Array")
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_CACHES:
        _fail(f"{where} config no more than {MAX_CACHES} caches can be created")
    return [_one_cache(item, where) for item in items]


def reports_spec(value: Any, where: str) -> dict[str, list[str]]:
    """Check ``artifacts:reports`` and return each report type's paths."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(f"{where} config should be a hash")
    extra = sorted(set(value) - REPORT_TYPES)
    if extra:
        _fail(f"{where} config contains unknown keys: {', '.join(extra)}")
    out: dict[str, list[str]] = {}
    for kind, paths in value.items():
        if kind == "coverage_report":
            if not isinstance(paths, dict) or "path" not in paths:
                _fail(f"{where}:coverage_report config should be a hash")
            paths = paths["path"]
        if not isinstance(paths, str | list):
            _fail(f"{where} {kind} should be an array of strings or a string")
        out[kind] = string_list(paths, f"{where}:{kind}")
    return out


#: ``artifacts:`` keys accepted and recorded but without effect here, with why.
ARTIFACT_NOTES = {
    "expire_in": "is not supported by the local runner; kept until deleted",
    "expose_as": "is not supported by the local runner: no merge requests",
    "public": "is not supported by the local runner: no access control",
    "access": "is not supported by the local runner: no access control",
}


def artifacts_notes(value: dict[str, Any], reports: dict[str, list[str]], where: str) -> list[str]:
    """Return the warnings for ``artifacts:`` keys and reports the local runner only stores."""
    notes = [f"{where}:{k} {text}" for k, text in ARTIFACT_NOTES.items() if k in value]
    notes += [
        f"{where}:reports:{kind} is not supported by the local runner; the report is stored"
        for kind in reports
        if kind != "dotenv"
    ]
    return notes
