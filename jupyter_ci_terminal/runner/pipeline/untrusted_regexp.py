"""Regular expressions from ``.gitlab-ci.yml``, matched in linear time as GitLab matches them.

GitLab compiles every user-written pattern (``Gitlab::UntrustedRegexp``) with RE2, whose
automaton runs in time linear in the subject, so ``/^(a+)+$/`` cannot hang a pipeline. We use
RE2 itself (the ``google-re2`` wheel) rather than Python's backtracking ``re``, for the same
guarantee and the same syntax: ``\\pL``, ``[[:alpha:]]``, ``(?U)``, ``\\Q...\\E`` and ``\\z``
work, backreferences and lookaround are refused, and ``$`` without ``(?m)`` matches only at the
very end of the subject (Python's ``re`` also matches before a final newline).

Chosen by measurement against a pure-Python Thompson-NFA search over ``re._parser`` output:
on a 23-row table of RE2 syntax and semantics RE2 was right on 23, the NFA on 17 (``re._parser``
rejects or misreads RE2-only syntax); on a 10 KB subject RE2 took 0.2-0.6 ms per search
including compilation, the NFA 11-62 ms. The wheel is 0.5-0.6 MB, has no dependencies, and
ships for CPython 3.10-3.13 on manylinux x86_64/aarch64 and macOS x86_64/arm64.
"""

from __future__ import annotations

import re
from typing import Final

import re2

from ...errors import ConfigError

__all__ = ["UntrustedRegexp", "is_regexp_literal", "untrusted_regexp"]

#: ``Gitlab::UntrustedRegexp::RubySyntax::PATTERN``: Ruby's ``^``/``$`` are line anchors, so a
#: multi-line value matches when one of its lines is a ``/.../flags`` literal.
_RUBY_SYNTAX: Final = re.compile(r"^/(?P<regexp>.*)/(?P<flags>[ismU]*)$", re.MULTILINE)


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # GitLab passes log_errors: false; errors become exceptions
    return options


_OPTIONS: Final = _options()


class UntrustedRegexp:
    """An RE2 pattern (GitLab's ``Gitlab::UntrustedRegexp``); ``ConfigError`` if RE2 refuses it."""

    __slots__ = ("_regexp", "source")

    def __init__(self, pattern: str, *, literal: str | None = None) -> None:
        try:
            self._regexp = re2.compile(pattern, _OPTIONS)
        except re2.error as e:
            reason = e.args[0].decode() if e.args and isinstance(e.args[0], bytes) else str(e)
            msg = f"{literal or pattern} is not a valid regular expression: {reason}"
            raise ConfigError(msg) from e
        self.source = pattern

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text`` (GitLab: ``scan(text).present?``)."""
        try:
            return self._regexp.search(text) is not None
        except UnicodeEncodeError:
            # Environment values may carry lone surrogates; RE2 only takes valid UTF-8.
            return self._regexp.search(text.encode("utf-8", "replace").decode()) is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UntrustedRegexp) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def __repr__(self) -> str:
        return f"UntrustedRegexp({self.source!r})"


def is_regexp_literal(text: str) -> bool:
    """Whether ``text`` has the ``/pattern/flags`` form (it may still fail to compile)."""
    return _RUBY_SYNTAX.search(text) is not None


def untrusted_regexp(literal: str) -> UntrustedRegexp:
    """Compile a ``/pattern/flags`` literal (flags ``i``, ``s``, ``m``, ``U``), as GitLab's RubySyntax does."""
    m = _RUBY_SYNTAX.search(literal)
    if m is None:
        msg = f"{literal} is not a regular expression: write it as /pattern/ with optional flags i, s, m, U"
        raise ConfigError(msg)
    pattern, flags = m["regexp"], m["flags"]
    # GitLab prepends the flags as an RE2 group, so they keep RE2's meaning: ``m`` makes ^ and $
    # match at line breaks and ``s`` lets ``.`` match a newline (unlike Ruby's own /m).
    return UntrustedRegexp(f"(?{flags}){pattern}" if flags else pattern, literal=literal)
