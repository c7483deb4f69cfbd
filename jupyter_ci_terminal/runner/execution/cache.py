"""``cache:`` as GitLab computes its keys and gitlab-runner's local cache stores and restores it.

The key is GitLab's (``default``, ``key:files`` content hash, ``key:files_commits``, with the
``-protected``/``-non_protected`` suffix unless ``unprotect``), then expanded and sanitised by the
runner. Archives live in ``<state_dir>/cache/<key>/cache.zip``, shared by every job and
pipeline, restored before ``before_script`` and saved after ``after_script`` with the runner's
log lines.
"""

from __future__ import annotations

import asyncio
import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..pipeline.variables import git
from . import archiver, globs
from .trace import BOLD_GREEN, BOLD_YELLOW, Trace

NO_URL_DOWN = (
    "No URL provided, cache will not be downloaded from shared cache server. "
    "Instead a local version of cache will be extracted."
)
NO_URL_UP = (
    "No URL provided, cache will not be uploaded to shared cache server. "
    "Cache will be stored only locally."
)
POLICIES = ("", "pull-push", "pull", "push")


class CacheError(RuntimeError):
    """A cache the runner cannot handle (the job fails, as gitlab-runner's script build does)."""


def _blob_id(path: Path) -> str:
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _digest(hashes: list[str]) -> str | None:
    unique = sorted({h for h in hashes if h})
    return (
        hashlib.sha1("-".join(unique).encode(), usedforsecurity=False).hexdigest()
        if unique
        else None
    )


def files_digest(build_dir: Path, key: dict[str, Any]) -> str:
    """Return GitLab's digest part of a ``key:files``/``key:files_commits`` key.

    ``files``: the SHA-1 of the files' git blob ids (their content), so equal files give equal
    keys on every branch; ``files_commits``: of the last commits that changed them. ``default``
    when none is found.
    """
    if "files" in key:
        names: list[str] = []
        for pattern in dict.fromkeys(f for f in key["files"] if f):
            names += globs.glob(build_dir, pattern) if "*" in pattern else [pattern]
        paths = [build_dir / n for n in dict.fromkeys(names)]
        return _digest([_blob_id(p) for p in paths if p.is_file()]) or "default"
    commits = [
        (git(build_dir, "log", "-1", "--format=%H", "HEAD", "--", f) or "").strip()
        for f in dict.fromkeys(f for f in key["files_commits"] if f)
    ]
    return _digest(commits) or "default"


def gitlab_key(entry: dict[str, Any], index: int, build_dir: Path, protected: bool) -> list[str]:
    """Return the key and fallback keys GitLab sends the runner for one ``cache:`` entry."""
    key = entry["key"]
    if isinstance(key, dict):
        prefix = key.get("prefix") or str(index)
        key = "-".join(p for p in (prefix, files_digest(build_dir, key)) if p)
    suffix = "protected" if protected and not entry["unprotect"] else "non_protected"
    return [f"{k}-{suffix}" for k in [key, *entry["fallback_keys"]]]


def sanitize(key: str) -> str:
    """Return the runner's sanitised key (``cachekey.Sanitize``): no escaping the cache dir."""
    for enc, dec in (("%2f", "/"), ("%2F", "/"), ("%2e", "."), ("%2E", "."), ("\\", "/")):
        key = key.replace(enc, dec)
    parts = posixpath.normpath("/" + key)[1:].split("/")
    while parts and not parts[-1].rstrip():
        parts.pop()
    if parts:
        parts[-1] = parts[-1].rstrip()
    return "/".join(parts)


@dataclass(frozen=True)
class Cache:
    """One ``cache:`` entry as the runner executes it (keys expanded and sanitised)."""

    keys: list[str]
    paths: list[str]
    untracked: bool
    policy: str
    when: str


def archive_path(state_dir: Path, key: str) -> Path:
    """Return where the local cache of ``key`` lives."""
    return state_dir / "cache" / key / "cache.zip"


def _human_key(raw: str, env: dict[str, str], notes: list[str]) -> str:
    expanded = archiver.expand(raw, env)
    key = sanitize(expanded)
    if key != expanded:
        notes.append(f'cache key "{expanded}" sanitized to "{key}"')
    return key


@dataclass
class Resolved:
    """The job's caches (None where an entry caches nothing) and the runner's key warnings."""

    caches: list[Cache | None]
    notes: list[str]


def resolve(spec: dict[str, Any], env: dict[str, str], build_dir: Path) -> Resolved:
    """Compute the job's cache keys (in a thread: ``key:files`` reads files and git)."""
    protected = env.get("CI_COMMIT_REF_PROTECTED") == "true"
    out: list[Cache | None] = []
    notes: list[str] = []
    for i, entry in enumerate(spec.get("cache") or []):
        if not entry["paths"] and not entry["untracked"]:
            out.append(None)
            continue
        raw = gitlab_key(entry, i, build_dir, protected)
        keys = [_human_key(k, env, notes) for k in raw]
        policy = archiver.expand(entry["policy"], env)
        if policy not in POLICIES:
            msg = f"unknown cache policy {policy} for {keys[0]}"
            raise CacheError(msg)
        paths = [archiver.expand(p, env) for p in entry["paths"]]
        out.append(Cache(keys, paths, entry["untracked"], policy, entry["when"]))
    return Resolved(out, notes)


def _fallback(env: dict[str, str], trace: Trace) -> str | None:
    key = env.get("CACHE_FALLBACK_KEY", "")
    if not key:
        return None
    if key.rstrip(". ").endswith("-protected"):
        trace.line(f'CACHE_FALLBACK_KEY "{key}" not allowed to end in "-protected"', BOLD_YELLOW)
        return None
    return sanitize(archiver.expand(key, env)) or None


async def restore(
    resolved: Resolved, env: dict[str, str], state_dir: Path, build_dir: Path, t: Trace
) -> None:
    """Extract each cache (or its first fallback that exists) into the build directory."""
    caches = resolved.caches
    if not any(caches):
        return  # gitlab-runner skips the stage, section included
    t.section_start("restore_cache", "Restoring cache")
    for note in resolved.notes:
        t.line(note, BOLD_YELLOW)
    for cache in caches:
        if cache is None:
            continue
        if not cache.keys[0]:
            t.line("Skipping cache extraction due to empty cache key", BOLD_GREEN)
            continue
        if cache.policy == "push":
            t.line(f"Not downloading cache {cache.keys[0]} due to policy", BOLD_GREEN)
            continue
        fallback = _fallback(env, t)
        for key in dict.fromkeys([*filter(None, cache.keys), *filter(None, [fallback])]):
            t.line(f"Checking cache for {key}...", BOLD_GREEN)
            t.line(NO_URL_DOWN)
            archive = archive_path(state_dir, key)
            if not archive.is_file():
                t.warning("Cache file does not exist")
                t.line("Failed to extract cache", BOLD_YELLOW)
                continue
            try:
                await asyncio.to_thread(archiver.extract, archive, build_dir)
            except (OSError, ValueError) as e:
                t.line(f"FATAL: {e}", BOLD_YELLOW)
                t.line("Failed to extract cache", BOLD_YELLOW)
                continue
            t.line("Successfully extracted cache", BOLD_GREEN)
            break
    t.section_end("restore_cache")


def _up_to_date(archive: Path, sel: archiver.Selection) -> bool:
    # The runner's isFileChanged: no chosen file is newer than the archive.
    if not archive.is_file():
        return False
    mtime = archive.stat().st_mtime
    return all(p.lstat().st_mtime <= mtime for p in sel.entries.values())


def _save_one(cache: Cache, state_dir: Path, build_dir: Path) -> list[tuple[bool, str]]:
    # Runs in a thread: returns the log lines instead of writing the trace.
    sel = archiver.select(build_dir, cache.paths, [], cache.untracked)
    lines = list(sel.messages)
    archive = archive_path(state_dir, cache.keys[0])
    if not sel.entries:
        lines.append((True, "No files to cache."))
    elif _up_to_date(archive, sel):
        lines.append((False, "Archive is up to date!"))
    else:
        archiver.write_zip(sel, archive)
        lines.append((False, NO_URL_UP))
    return lines


async def save(
    resolved: Resolved, success: bool, state_dir: Path, build_dir: Path, t: Trace
) -> None:
    """Archive the caches whose ``when`` matches the job's result and whose policy pushes."""
    chosen = [
        c
        for c in resolved.caches
        if c is not None and (c.when == "always" or (c.when == "on_success") == success)
    ]
    if not chosen:
        return
    name = "archive_cache" if success else "archive_cache_on_failure"
    t.section_start(name, f"Saving cache for {'successful' if success else 'failed'} job")
    for cache in chosen:
        if not cache.keys[0]:
            t.line("Skipping cache archiving due to empty cache key", BOLD_GREEN)
            continue
        if cache.policy == "pull":
            t.line(f"Not uploading cache {cache.keys[0]} due to policy", BOLD_GREEN)
            continue
        t.line(f"Creating cache {cache.keys[0]}...", BOLD_GREEN)
        try:
            lines = await asyncio.to_thread(_save_one, cache, state_dir, build_dir)
        except OSError as e:
            t.line(f"FATAL: {e}")
            t.line("Failed to create cache", BOLD_YELLOW)
            continue
        for warning, text in lines:
            t.warning(text) if warning else t.line(text)
        t.line("Created cache", BOLD_GREEN)
    t.section_end(name)
