"""The syntax of CI/CD variable expressions: GitLab's lexemes, binding and syntax errors.

Follows ``Gitlab::Ci::Pipeline::Expression::Lexer`` and ``Parser``. The lexer tries GitLab's
lexemes in GitLab's order at each position, skipping whitespace::

    (  )  $[[ inputs.NAME ]]  $NAME  "text"  'text'  /regex/flags  null  true  false
    ==  =~  !=  !~  &&  ||  !

There are no escapes in strings and no ``${NAME}`` form (GitLab rejects it); a regex literal
needs at least two characters between its slashes and may not end in a backslash; ``\\/``
stands for ``/``; it must compile with RE2. An expression has at most 99 tokens. Binding,
tightest first: ``!``; the comparisons ``== != =~ !~`` (left to right); ``&&``; ``||``.

GitLab parses with a shunting-yard loop that also accepts some ill-formed token orders
(``$A $B ==``, ``$A ()``); this recursive-descent parser rejects them as syntax errors.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final, TypeAlias

from ...errors import ConfigError
from .untrusted_regexp import UntrustedRegexp, untrusted_regexp

__all__ = ["MAX_TOKENS", "Binary", "Literal", "Node", "Not", "Value", "Variable", "parse"]

#: GitLab's ``Lexer::MAX_TOKENS``: its loop reads at most this many tokens minus one.
MAX_TOKENS: Final = 100

#: A value as GitLab's Ruby code has it: text, boolean, regex, or nil.
Value: TypeAlias = "str | bool | UntrustedRegexp | None"

# GitLab's lexemes in its lexer's order. Ruby's StringScanner matches at the scan position as if
# the text started there, so GitLab's leading ``^``/``\b`` always hold and are left out here.
# Ruby's ``\w`` and ``\s`` are ASCII (spelled out below) while its ``\b`` is Unicode-aware.
_W: Final = "[A-Za-z0-9_]"
_S: Final = "[ \t\r\n\f\v]"
_LEXEMES: Final = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("(", r"\("),
        (")", r"\)"),
        ("input", rf"\$\[\[{_S}*inputs\.([A-Za-z0-9_-]+){_S}*\]\]"),
        ("variable", rf"\$({_W}+)"),
        ("string", r"\"(.*?)\"|'(.*?)'"),
        ("pattern", r"/(?:[^/]|\\/)+[^\\]/[ismU]*"),
        ("null", r"null"),
        ("boolean", r"(?:true|false)\b"),
        ("==", r"=="),
        ("=~", r"=~"),
        ("!=", r"!="),
        ("!~", r"!~"),
        ("&&", r"&&"),
        ("||", r"\|\|"),
        ("!", r"!"),
    )
)
_SPACE: Final = re.compile(f"{_S}+")
_COMPARISONS: Final = frozenset({"==", "!=", "=~", "!~"})


class _SyntaxError(Exception):
    """A reason the expression cannot be read; turned into GitLab's message at the API edge."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    value: Value = None


# Nodes print as GitLab's parse tree ``inspect``: ``or($A, equals($B, "x"))``.
_NAMES: Final = {
    "==": "equals",
    "!=": "not_equals",
    "=~": "matches",
    "!~": "not_matches",
    "&&": "and",
    "||": "or",
}


@dataclass(frozen=True)
class Literal:
    """A string, regex, boolean or null literal (an input reference is null)."""

    value: Value

    def __str__(self) -> str:
        if isinstance(self.value, str):
            return f'"{self.value}"'
        if isinstance(self.value, UntrustedRegexp):
            return f"/{self.value.source}/"
        return "null" if self.value is None else str(self.value).lower()


@dataclass(frozen=True)
class Variable:
    """``$NAME``."""

    name: str

    def __str__(self) -> str:
        return f"${self.name}"


@dataclass(frozen=True)
class Not:
    """``!operand``."""

    operand: Node

    def __str__(self) -> str:
        return f"not({self.operand})"


@dataclass(frozen=True)
class Binary:
    """``left op right`` for the comparisons, ``&&`` and ``||``."""

    op: str
    left: Node
    right: Node

    def __str__(self) -> str:
        return f"{_NAMES[self.op]}({self.left}, {self.right})"


Node: TypeAlias = "Literal | Variable | Not | Binary"


def _tokens(expression: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    for _ in range(MAX_TOKENS):
        space = _SPACE.match(expression, pos)
        pos = space.end() if space else pos
        if pos == len(expression):
            return tokens
        for kind, pattern in _LEXEMES:
            m = pattern.match(expression, pos)
            if m:
                tokens.append(_token(kind, m))
                pos = m.end()
                break
        else:
            msg = f"cannot read {expression[pos : pos + 20]!r}"
            raise _SyntaxError(msg)
    msg = f"more than {MAX_TOKENS - 1} tokens"
    raise _SyntaxError(msg)


def _token(kind: str, m: re.Match[str]) -> _Token:
    text = m.group()
    if kind == "variable":
        return _Token(kind, text, m[1])
    if kind == "string":
        return _Token(kind, text, m[1] if m[1] is not None else m[2])
    if kind == "boolean":
        return _Token(kind, text, text == "true")
    if kind == "pattern":
        try:
            return _Token(kind, text, untrusted_regexp(text.replace("\\/", "/")))
        except ConfigError as e:
            raise _SyntaxError(str(e)) from e
    # ``$[[ inputs.NAME ]]`` reads pipeline inputs, which are interpolated before rules run.
    return _Token(kind, text)


class _Parser:
    """Recursive descent over the token list, with GitLab's binding strengths."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def parse(self) -> Node:
        if not self.tokens:
            msg = "the expression is empty"
            raise _SyntaxError(msg)
        node = self.binary(("||", "&&"))
        if self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            what = (
                "unmatched parenthesis"
                if token.kind == ")"
                else f"expected an operator before {token.text}"
            )
            raise _SyntaxError(what)
        return node

    def peek(self) -> str | None:
        return self.tokens[self.pos].kind if self.pos < len(self.tokens) else None

    def binary(self, levels: tuple[str, ...]) -> Node:
        if not levels:
            return self.comparison()
        op = levels[0]
        node = self.binary(levels[1:])
        while self.peek() == op:
            self.pos += 1
            node = Binary(op, node, self.binary(levels[1:]))
        return node

    def comparison(self) -> Node:
        node = self.unary()
        while (op := self.peek()) in _COMPARISONS:
            assert op is not None
            self.pos += 1
            node = Binary(op, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek() == "!":
            self.pos += 1
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        if self.pos == len(self.tokens):
            after = self.tokens[-1].text
            msg = f"expected a value after {after}"
            raise _SyntaxError(msg)
        token = self.tokens[self.pos]
        self.pos += 1
        if token.kind == "(":
            node = self.binary(("||", "&&"))
            if self.peek() != ")":
                msg = "unmatched parenthesis"
                raise _SyntaxError(msg)
            self.pos += 1
            return node
        if token.kind == "variable":
            assert isinstance(token.value, str)
            return Variable(token.value)
        if token.kind in ("string", "pattern", "null", "boolean", "input"):
            return Literal(token.value)
        msg = f"expected a value before {token.text}"
        raise _SyntaxError(msg)


@functools.lru_cache(maxsize=1024)
def parse(expression: str) -> Node:
    """The parse tree of ``expression``; :class:`ConfigError` with GitLab's wording if it is invalid."""
    try:
        return _Parser(_tokens(expression)).parse()
    except _SyntaxError as e:
        # GitLab's wording ("jobs:x:rules:rule if invalid expression syntax"); we add why.
        msg = f"invalid expression syntax: {expression} ({e})"
        raise ConfigError(msg) from None
