"""Mask secret values in a job's log as GitLab's runner does: each occurrence becomes ``[MASKED]``.

Sans-I/O and streaming: :class:`Masker` takes output in whatever chunks it arrives and holds
back only the bytes that could be the start of a secret, so a value split across two chunks is
masked too (as gitlab-runner's trace masking does). Which values can be masked is GitLab's rule
(docs.gitlab.com, CI/CD variables, "Mask a CI/CD variable"): at least 8 characters, a single line
with no spaces; :func:`mask_problem` says why a value falls short.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MASK = b"[MASKED]"
#: Shorter values are never masked: they would blank out ordinary words (GitLab refuses them).
MIN_LENGTH = 8


def mask_problem(value: str) -> str:
    """Why GitLab would not mask ``value``, as the end of a sentence; "" when it would."""
    if len(value) < MIN_LENGTH:
        return f"is shorter than {MIN_LENGTH} characters"
    if any(c.isspace() for c in value):
        return "is not a single line without spaces"
    return ""


def masked_values(env: Mapping[str, str], names: Iterable[str]) -> tuple[list[str], list[str]]:
    """The values of the variables ``names`` in ``env`` to mask, and a warning for each that cannot be.

    A name ``env`` lacks is skipped; a warning names the variable, never its value.
    """
    values: list[str] = []
    warnings: list[str] = []
    for name in dict.fromkeys(names):
        value = env.get(name)
        if not value:
            continue
        problem = mask_problem(value)
        if problem:
            warnings.append(f"{name} is not masked in the job log: its value {problem}.")
        else:
            values.append(value)
    return values, warnings


class Masker:
    """Replaces secrets in a byte stream with ``[MASKED]``, chunk by chunk.

    :meth:`feed` returns what is safe to pass on now; :meth:`flush` returns the held-back rest
    at the end of the stream. At most about twice the longest secret is ever held back.
    """

    def __init__(self, secrets: Iterable[str | bytes] = ()) -> None:
        self._secrets: set[bytes] = set()
        self._held = b""
        self._pattern: re.Pattern[bytes] | None = None
        self._prefixes: frozenset[bytes] = frozenset()
        self._longest = 0
        self.add(secrets)

    def add(self, secrets: Iterable[str | bytes]) -> None:
        """Mask these values too, from the next :meth:`feed` on (short ones are ignored)."""
        for secret in secrets:
            raw = secret.encode() if isinstance(secret, str) else secret
            if len(raw) >= MIN_LENGTH:
                self._secrets.add(raw)
        if not self._secrets:
            return
        # Longest first: where two secrets start at one place, the longer one is masked whole.
        ordered = sorted(self._secrets, key=len, reverse=True)
        self._pattern = re.compile(b"|".join(re.escape(s) for s in ordered))
        self._prefixes = frozenset(s[:k] for s in ordered for k in range(1, len(s)))
        self._longest = len(ordered[0])

    def feed(self, data: bytes) -> bytes:
        """Mask ``data`` (after what was held back); return what can be passed on now."""
        if self._pattern is None:
            return data
        text = self._held + data
        cut = self._hold_from(text)
        out: list[bytes] = []
        pos = 0
        for match in self._pattern.finditer(text):
            if match.end() > cut:
                # A secret reaching into the held-back tail may be the start of a longer one.
                cut = min(cut, match.start())
                break
            out += (text[pos : match.start()], MASK)
            pos = match.end()
        out.append(text[pos:cut])
        self._held = text[cut:]
        return b"".join(out)

    def flush(self) -> bytes:
        """The end of the stream: mask and return what was held back."""
        held, self._held = self._held, b""
        if self._pattern is None:
            return held
        return self._pattern.sub(MASK, held)

    def _hold_from(self, text: bytes) -> int:
        """Where the longest tail of ``text`` that could begin a secret starts (len: none)."""
        for start in range(max(0, len(text) - self._longest + 1), len(text)):
            if text[start:] in self._prefixes:
                return start
        return len(text)
