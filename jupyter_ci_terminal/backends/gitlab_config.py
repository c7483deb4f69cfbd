"""Which GitLabs to show: the ``gitlab_*`` settings, ``gitlab_instances``, a CI job's own token.

Pure functions over plain values (no I/O besides reading the environment mapping given), so every
refusal is one sentence that names the instance and never its token or URL credentials.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

#: Kinds of API token: python-gitlab's ``private_token``, ``job_token`` and ``oauth_token``.
TOKEN_TYPES = ("private", "job", "oauth")

#: The keys of one ``gitlab_instances`` entry.
INSTANCE_KEYS = ("name", "url", "token", "token_env", "token_type", "projects", "ca_bundle")

#: Project ids are ``<name>-<GitLab id>`` in REST paths: the name must be URL-safe.
_NAME = re.compile(r"[A-Za-z0-9_.~]+(?:-[A-Za-z0-9_.~]+)*")

#: Names other backends use.
RESERVED_NAMES = frozenset({"local"})


@dataclass(frozen=True)
class InstanceSettings:
    """One GitLab instance to show; the token is left out of ``repr``."""

    name: str
    url: str
    token: str = field(repr=False)
    auth: str = "private"
    projects: tuple[str, ...] = ()
    ca_bundle: str = ""


def host_of(url: str) -> str:
    """``host[:port]`` of ``url``, never its user name or password ("" when it has none)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{host}:{port}" if host and port else host


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a GitLab's address, or None."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError:
        return "its url is not a valid URL"
    if parts.scheme not in ("https", "http"):
        return "its url must start with https:// (or http://)"
    if not parts.hostname:
        return "its url has no host"
    if parts.username is not None or parts.password is not None:
        return "its url must not hold a user name or password (give the token on its own)"
    return None


def split_projects(value: Any) -> tuple[str, ...]:
    """Project paths or ids from a list, or from one comma- or space-separated string."""
    items = value if isinstance(value, list | tuple) else re.split(r"[,\s]+", str(value or ""))
    return tuple(str(p).strip() for p in items if str(p).strip())


def ci_job_credentials(env: Mapping[str, str]) -> tuple[str, str] | None:
    """``(CI_SERVER_URL, CI_JOB_TOKEN)`` inside a GitLab CI job, when no GITLAB_TOKEN is set.

    A job token is only good for its own GitLab, so a GITLAB_URL pointing elsewhere wins.
    """
    url, token = env.get("CI_SERVER_URL", ""), env.get("CI_JOB_TOKEN", "")
    if env.get("GITLAB_TOKEN") or not url or not token:
        return None
    other = env.get("GITLAB_URL", "")
    if other and other.rstrip("/") != url.rstrip("/"):
        return None
    return url, token


def _token(entry: Mapping[str, Any], env: Mapping[str, str]) -> tuple[str, str | None]:
    """The entry's token, or why there is none."""
    token, variable = entry.get("token"), entry.get("token_env")
    if token and variable:
        return "", "give token or token_env, not both"
    if variable:
        value = env.get(str(variable), "")
        return (value, None) if value else ("", f"the environment variable {variable} is not set")
    if token and isinstance(token, str):
        return token, None
    return "", "give token_env (the name of an environment variable holding its token) or token"


def _instance(
    entry: Any, index: int, env: Mapping[str, str], taken: set[str]
) -> InstanceSettings | str:
    """One ``gitlab_instances`` entry as settings, or the sentence saying why it is skipped."""
    if not isinstance(entry, Mapping):
        return f"GitLab instance #{index} of gitlab_instances is skipped: it is not a dict."
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return (
            f"GitLab instance #{index} of gitlab_instances is skipped: give it a name of letters,"
            " digits, '_', '.', '~' and inner '-'."
        )
    skipped = f"GitLab instance {name!r} (gitlab_instances) is skipped"
    unknown = sorted(set(entry) - set(INSTANCE_KEYS))
    if unknown:
        keys = ", ".join(map(repr, unknown))
        return f"{skipped}: unknown key(s) {keys}; use {', '.join(INSTANCE_KEYS)}."
    if name in RESERVED_NAMES or name in taken:
        return f"{skipped}: the name is already used by another CI backend."
    problem = url_problem(str(entry.get("url") or ""))
    if problem:
        return f"{skipped}: {problem}."
    token, problem = _token(entry, env)
    if problem:
        return f"{skipped}: {problem}."
    token_type = entry.get("token_type", "private")
    if token_type not in TOKEN_TYPES:
        return f"{skipped}: token_type must be one of {', '.join(TOKEN_TYPES)}."
    return InstanceSettings(
        name,
        str(entry["url"]).strip(),
        token,
        auth=str(token_type),
        projects=split_projects(entry.get("projects")),
        ca_bundle=str(entry.get("ca_bundle") or ""),
    )


def instances(
    single: InstanceSettings | None, entries: Sequence[Any], env: Mapping[str, str]
) -> tuple[list[InstanceSettings], list[str]]:
    """The GitLab instances to show (``single`` first), and one sentence per skipped entry."""
    found = [single] if single is not None else []
    problems: list[str] = []
    taken = {s.name for s in found}
    for index, entry in enumerate(entries, 1):
        result = _instance(entry, index, env, taken)
        if isinstance(result, str):
            problems.append(result)
        else:
            found.append(result)
            taken.add(result.name)
    return found, problems


def single_instance(
    url: str, token: str, token_type: str, projects: Sequence[str], ca_bundle: str
) -> tuple[InstanceSettings | None, str | None]:
    """The ``gitlab_*`` settings as the instance named ``gitlab``, or why it is not shown."""
    if not url:
        return None, None
    skipped = f"GitLab at {host_of(url) or 'gitlab_url'} is not shown"
    problem = url_problem(url)
    if problem:
        return None, f"{skipped}: gitlab_url (GITLAB_URL) is wrong, {problem}."
    if not token:
        return None, f"{skipped}: set a token (GITLAB_TOKEN, or CITerminalApp.gitlab_token)."
    return InstanceSettings(
        "gitlab", url.strip(), token, token_type, tuple(projects), ca_bundle
    ), None
