"""GitLab's ``Gitlab::UntrustedRegexp``: ``/pattern/flags`` literals matched by RE2 in linear time."""

from __future__ import annotations

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline.untrusted_regexp import (
    UntrustedRegexp,
    is_regexp_literal,
    untrusted_regexp,
)


@pytest.mark.parametrize(
    ("literal", "text", "found"),
    [
        # Unanchored search, as GitLab's scan(text).present?
        ("/awesome.string$/", "my-awesome-string", True),
        ("/something/", "my-string", False),
        ("/pattern/", "", False),
        ("//", "", True),
        ("//", "anything", True),
        ("/^$/", "", True),
        ("/text-string/", "My awesome contents\n\nMy-text-string!\n", True),
        ("/text-string/", "My awesome contents\n\nMy-terrible-string!\n", False),
        # Flags are prepended as (?flags): RE2's meaning, not Ruby's.
        ("/AWESOME/i", "my awesome content", True),
        ("/(?i)awesome/", "My AWESOME content", True),
        ("/^b$/", "a\nb\nc", False),
        ("/^b$/m", "a\nb\nc", True),
        ("/a.b/", "a\nb", False),
        ("/a.b/s", "a\nb", True),
        ("/a.b/m", "a\nb", False),  # Ruby's /m would be dot-all; RE2's m is line anchors
        ("/a+?$/U", "aaa", True),
        ("/^B$/im", "a\nb", True),
        # $ without m is the end of the text only (Python's re would also match before a final \n).
        ("/x$/", "x\n", False),
        (r"/x\z/", "x", True),
        (r"/\Ax/", "yx", False),
        # RE2 syntax that Python's re lacks.
        (r"/\pL+\d/", "été2", True),
        (r"/\p{Greek}/", "λ", True),
        ("/[[:upper:]]/", "abc", False),
        ("/[[:upper:]]/", "aBc", True),
        (r"/\Qa.b\E/", "axb", False),
        (r"/\Qa.b\E/", "a.b", True),
        ("/(?P<name>x)/", "x", True),
        # Multi-byte text and the classes RE2 keeps ASCII (\d, \w, \s).
        (r"/^\w+$/", "héllo", False),
        (r"/^\d$/", "٣", False),
        ("/^.$/", "é", True),
        ("/^.$/", "😀", True),
        ("/release-[0-9]+/", "release-12.0", True),
        ("/^(feature|fix)\\//", "fix/login", True),
    ],
)
def test_untrusted_regexp_searches_like_gitlabs_re2(literal: str, text: str, found: bool) -> None:
    assert untrusted_regexp(literal).search(text) is found


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        # RE2 refuses what could backtrack or is not regular.
        (r"/(a)\1/", "invalid escape sequence"),
        ("/(?=a)b/", "invalid perl operator"),
        ("/(?<!a)b/", "invalid perl operator"),
        ("/a++/", "bad repetition operator"),
        ("/(?>a)/", "invalid perl operator"),
        ("/(a/", "missing )"),
        ("/[a/", "missing ]"),
        ("/a{1001}/", "invalid repetition size"),
        ("/x/q", "is not a regular expression"),
        ("abc", "is not a regular expression"),
        ("/abc", "is not a regular expression"),
        ("", "is not a regular expression"),
    ],
)
def test_invalid_literal_raises_config_error(literal: str, message: str) -> None:
    with pytest.raises(
        ConfigError, match=r"^.* (is not a valid regular expression: |is not a regular expression)"
    ) as info:
        untrusted_regexp(literal)
    assert message in str(info.value)
    assert str(info.value).startswith(literal)


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("/abc/", True),
        ("/abc/imsU", True),
        ("//", True),
        ("/a/b/", True),
        ("/abc/x", False),
        ("abc", False),
        ("/abc", False),
        # Ruby's ^ and $ are line anchors: one /.../ line in a multi-line value is enough.
        ("notes\n/abc/i", True),
    ],
)
def test_regexp_literal_form_is_gitlabs_ruby_syntax(text: str, literal: bool) -> None:
    assert is_regexp_literal(text) is literal


def test_multiline_value_uses_its_literal_line() -> None:
    assert untrusted_regexp("notes\n/ABC/i") == UntrustedRegexp("(?i)ABC")
    assert untrusted_regexp("notes\n/ABC/i").search("xabcx")


def test_regexps_are_equal_by_source() -> None:
    assert untrusted_regexp("/abc/i") == UntrustedRegexp("(?i)abc")
    assert untrusted_regexp("/abc/") != UntrustedRegexp("(?i)abc")
    assert untrusted_regexp("/abc/") != "abc"
    assert len({untrusted_regexp("/abc/"), UntrustedRegexp("abc")}) == 1


@pytest.mark.parametrize(
    ("literal", "text", "found"),
    [
        # A backtracking engine needs exponential time on each of these; RE2 is linear.
        ("/^(a+)+$/", "a" * 5000 + "b", False),
        ("/^(a|a?)+$/", "a" * 5000 + "b", False),
        ("/(x+x+)+y/", "x" * 10_000, False),
        ("/^(\\w+\\s?)*$/", "word " * 2000 + "!", False),
        ("/^(a+)+$/", "a" * 10_000, True),
    ],
)
def test_catastrophic_patterns_finish(literal: str, text: str, found: bool) -> None:
    assert untrusted_regexp(literal).search(text) is found


def test_text_that_is_not_utf8_is_still_searched() -> None:
    # os.environ keeps undecodable bytes as lone surrogates.
    assert UntrustedRegexp("a").search("\udcff a") is True
    assert UntrustedRegexp("^b").search("\udcff b") is False
