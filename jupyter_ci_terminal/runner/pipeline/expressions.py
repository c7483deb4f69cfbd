"""CI/CD variable expressions (``rules:if``, ``only/except:variables``), evaluated as GitLab does.

Follows ``Gitlab::Ci::Pipeline::Expression``; the syntax (lexemes, binding, the 99-token
limit) is in :mod:`.expression_syntax`.

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

Departures, all on input GitLab mishandles: where GitLab fails internally (a boolean or a
regex where it expects text) we use its text (``"true"``, ``"/re/"``) or compare as unequal;
``$[[ inputs.NAME ]]`` (interpolated before rules run) is nil; and see
:mod:`.expression_syntax` for ill-formed token orders.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Final

from ...errors import ConfigError
from .expression_syntax import MAX_TOKENS, Literal, Node, Not, Value, Variable, parse
from .untrusted_regexp import UntrustedRegexp, is_regexp_literal, untrusted_regexp

__all__ = ["MAX_TOKENS", "Value", "evaluate", "evaluate_if", "validate"]

# Ruby's String#blank?: empty or only [[:space:]] (Unicode White_Space).
_BLANK: Final = re.compile(
    "[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*"
)


def validate(expression: str) -> None:
    """Raise :class:`ConfigError` unless GitLab would accept ``expression`` (checked at load time)."""
    parse(expression)


def evaluate(expression: str, variables: Mapping[str, str]) -> Value:
    """The value of ``expression`` (GitLab's ``Statement#evaluate``): text, boolean, regex or None."""
    return _evaluate(parse(expression), variables)


def evaluate_if(expression: str, variables: Mapping[str, str]) -> bool:
    """Whether ``expression`` holds with ``variables``; bad syntax raises :class:`ConfigError`."""
    return _present(evaluate(expression, variables))


def _evaluate(node: Node, variables: Mapping[str, str]) -> Value:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Variable):
        return variables.get(node.name)
    if isinstance(node, Not):
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
