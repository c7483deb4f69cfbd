"""CI/CD variable expressions (``rules:if``, ``only/except:variables``), evaluated as GitLab does.

Follows ``Gitlab::Ci::Pipeline::Expression``. The lexer tries GitLab's lexemes in GitLab's order
at each position, skipping whitespace::

    (  )  $[[ inputs.NAME ]]  $NAME  "text"  'text'  /regex/flags  null  true  false
    ==  =~  !=  !~  &&  ||  !

There are no escapes in strings and no ``${NAME}`` form (GitLab rejects it); a regex literal
needs at least two characters between its slashes and may not end in a backslash; ``\\/``
stands for ``/``. An expression has at most 99 tokens. Binding, tightest first: ``!``; the
comparisons ``== != =~ !~`` (left to right); ``&&``; ``||``.

Values are GitLab's Ruby values, and the quirks that follow are GitLab's own:

* an undefined variable and ``null`` are nil: ``$UNDEFINED == null`` is true, and
  ``$UNDEFINED =~ /^$/`` is true because the subject of a match is the text of the value ("");
* a right operand of ``=~``/``!~`` that is nil gives false/true without matching;
* a string on the right (a variable's value) is used as a regex when it reads ``/.../flags``
  and compiles; otherwise GitLab falls back to ``String#scan``, so ``$A =~ $B`` is true when
  the value of B *contains* the value of A;
* ``&&`` and ``||`` return an operand, and only nil and false are false inside them, so with
  EMPTY set to "", ``$EMPTY || $OTHER`` is "" and the whole rule is false;
* the result counts when it is "present": not nil, not false, not a blank string;
* ``==`` between a boolean and a string compares ``"true"``/``"false"`` with the string.

Two departures, both on input GitLab mishandles: its shunting-yard parser also accepts some
ill-formed token orders (``$A $B ==``, ``$A ()``), which we reject as syntax errors; and where
GitLab fails internally (a boolean or a regex where it expects text) we use its text
(``"true"``, ``"/re/"``) or compare as unequal.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, TypeAlias

from ...errors import ConfigError
from .untrusted_regexp import UntrustedRegexp, is_regexp_literal, untrusted_regexp

__all__ = ["MAX_TOKENS", "Value", "evaluate", "evaluate_if", "validate"]

#: GitLab's ``Lexer::MAX_TOKENS``: its loop reads at most this many tokens minus one.
MAX_TOKENS: Final = 100

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
# Ruby's String#blank?: empty or only [[:space:]] (Unicode White_Space).
_BLANK: Final = re.compile(
    "[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*"
)


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
class _Literal:
    value: Value

    def __str__(self) -> str:
        if isinstance(self.value, str):
            return f'"{self.value}"'
        return "null" if self.value is None else _text(self.value)


@dataclass(frozen=True)
class _Variable:
    name: str

    def __str__(self) -> str:
        return f"${self.name}"


@dataclass(frozen=True)
class _Not:
    operand: _Node

    def __str__(self) -> str:
        return f"not({self.operand})"


@dataclass(frozen=True)
class _Binary:
    op: str
    left: _Node
    right: _Node

    def __str__(self) -> str:
        return f"{_NAMES[self.op]}({self.left}, {self.right})"


_Node: TypeAlias = "_Literal | _Variable | _Not | _Binary"


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

    def parse(self) -> _Node:
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

    def binary(self, levels: tuple[str, ...]) -> _Node:
        if not levels:
            return self.comparison()
        op = levels[0]
        node = self.binary(levels[1:])
        while self.peek() == op:
            self.pos += 1
            node = _Binary(op, node, self.binary(levels[1:]))
        return node

    def comparison(self) -> _Node:
        node = self.unary()
        while (op := self.peek()) in _COMPARISONS:
            assert op is not None
            self.pos += 1
            node = _Binary(op, node, self.unary())
        return node

    def unary(self) -> _Node:
        if self.peek() == "!":
            self.pos += 1
            return _Not(self.unary())
        return self.primary()

    def primary(self) -> _Node:
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
            return _Variable(token.value)
        if token.kind in ("string", "pattern", "null", "boolean", "input"):
            return _Literal(token.value)
        msg = f"expected a value before {token.text}"
        raise _SyntaxError(msg)


@functools.lru_cache(maxsize=1024)
def _parse(expression: str) -> _Node:
    try:
        return _Parser(_tokens(expression)).parse()
    except _SyntaxError as e:
        # GitLab's wording ("jobs:x:rules:rule if invalid expression syntax"); we add why.
        msg = f"invalid expression syntax: {expression} ({e})"
        raise ConfigError(msg) from None


def validate(expression: str) -> None:
    """Raise :class:`ConfigError` unless GitLab would accept ``expression`` (checked at load time)."""
    _parse(expression)


def evaluate(expression: str, variables: Mapping[str, str]) -> Value:
    """The value of ``expression`` (GitLab's ``Statement#evaluate``): text, boolean, regex or None."""
    return _evaluate(_parse(expression), variables)


def evaluate_if(expression: str, variables: Mapping[str, str]) -> bool:
    """Whether ``expression`` holds with ``variables``; bad syntax raises :class:`ConfigError`."""
    return _present(evaluate(expression, variables))


def _evaluate(node: _Node, variables: Mapping[str, str]) -> Value:
    if isinstance(node, _Literal):
        return node.value
    if isinstance(node, _Variable):
        return variables.get(node.name)
    if isinstance(node, _Not):
        return not _present(_evaluate(node.operand, variables))
    left = _evaluate(node.left, variables)
    if node.op == "&&":
        return _evaluate(node.right, variables) if _truthy(left) else left
    if node.op == "||":
        return left if _truthy(left) else _evaluate(node.right, variables)
    right = _evaluate(node.right, variables)
    if node.op == "==":
        return _equal(left, right)
    if node.op == "!=":
        return not _equal(left, right)
    if not _truthy(right):  # GitLab: ``return false unless regexp`` (true for !~)
        return node.op == "!~"
    return _matches(left, right) == (node.op == "=~")


def _truthy(value: Value) -> bool:
    """Ruby truthiness: only nil and false are false (an empty string is true)."""
    return value is not None and value is not False


def _present(value: Value) -> bool:
    """ActiveSupport's ``present?``: not nil, not false, not a blank string."""
    if isinstance(value, str):
        return _BLANK.fullmatch(value) is None
    return _truthy(value)


def _text(value: Value) -> str:
    """Ruby's ``to_s`` of a value (a regex reads as its literal)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, UntrustedRegexp):
        return f"/{value.source}/"
    return value


def _equal(left: Value, right: Value) -> bool:
    if isinstance(left, bool) != isinstance(right, bool) and (
        isinstance(left, str) or isinstance(right, str)
    ):
        return _text(left) == _text(right)  # GitLab's boolean/string coercion
    return left == right


def _matches(left: Value, right: Value) -> bool:
    subject = _text(left)
    if isinstance(right, UntrustedRegexp):
        return right.search(subject)
    data = _text(right)
    regexp = _value_regexp(data)
    if regexp is not None:
        return regexp.search(subject)
    return subject in data  # GitLab's fallback: ``value.scan(subject)``, a substring search


@functools.lru_cache(maxsize=256)
def _value_regexp(data: str) -> UntrustedRegexp | None:
    """A variable's value as a regex, when it reads ``/.../flags`` and compiles (GitLab ≥ 15)."""
    literal = data.replace("\\/", "/")
    if not is_regexp_literal(literal):
        return None
    try:
        return untrusted_regexp(literal)
    except ConfigError:
        return None
