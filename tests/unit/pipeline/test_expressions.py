"""GitLab's CI/CD variable expressions (``rules:if``), table-driven from GitLab's own specs."""

from __future__ import annotations

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline import expression_syntax
from jupyter_ci_terminal.runner.pipeline.expressions import (
    MAX_TOKENS,
    evaluate,
    evaluate_if,
    validate,
)
from jupyter_ci_terminal.runner.pipeline.untrusted_regexp import UntrustedRegexp

# The variables of GitLab's statement_spec.rb.
SPEC_VARIABLES = {
    "PRESENT_VARIABLE": "my variable",
    "PATH_VARIABLE": "a/path/variable/value",
    "FULL_PATH_VARIABLE": "/a/full/path/variable/value",
    "EMPTY_VARIABLE": "",
}

# statement_spec.rb "#evaluate": the raw value GitLab computes.
STATEMENT_VALUES = [
    ('$PRESENT_VARIABLE == "my variable"', True),
    ('"my variable" == $PRESENT_VARIABLE', True),
    ("$PRESENT_VARIABLE == null", False),
    ("$EMPTY_VARIABLE == null", False),
    ('"" == $EMPTY_VARIABLE', True),
    ("$EMPTY_VARIABLE", ""),
    ("$UNDEFINED_VARIABLE == null", True),
    ("null == $UNDEFINED_VARIABLE", True),
    ("$PRESENT_VARIABLE", "my variable"),
    ("$UNDEFINED_VARIABLE", None),
    ("$PRESENT_VARIABLE =~ /var.*e$/", True),
    (r"$PRESENT_VARIABLE =~ /va\r.*e$/", False),
    (r"$PRESENT_VARIABLE =~ /va\/r.*e$/", False),
    ("$PRESENT_VARIABLE =~ /^var.*/", False),
    ("$EMPTY_VARIABLE =~ /var.*/", False),
    ("$UNDEFINED_VARIABLE =~ /var.*/", False),
    ("$PRESENT_VARIABLE =~ /VAR.*/i", True),
    (r"$PATH_VARIABLE =~ /path\/variable/", True),
    (r"$FULL_PATH_VARIABLE =~ /^\/a\/full\/path\/variable\/value$/", True),
    (r"$FULL_PATH_VARIABLE =~ /\/path\/variable\/value$/", True),
    ('$PRESENT_VARIABLE != "my variable"', False),
    ('"my variable" != $PRESENT_VARIABLE', False),
    ("$PRESENT_VARIABLE != null", True),
    ("$EMPTY_VARIABLE != null", True),
    ('"" != $EMPTY_VARIABLE', False),
    ("$UNDEFINED_VARIABLE != null", False),
    ("null != $UNDEFINED_VARIABLE", False),
    ("$PRESENT_VARIABLE !~ /var.*e$/", False),
    ("$PRESENT_VARIABLE !~ /^var.*/", True),
    (r"$PRESENT_VARIABLE !~ /^v\ar.*/", True),
    (r"$PRESENT_VARIABLE !~ /^v\/ar.*/", True),
    ("$EMPTY_VARIABLE !~ /var.*/", True),
    ("$UNDEFINED_VARIABLE !~ /var.*/", True),
    ("$PRESENT_VARIABLE !~ /VAR.*/i", False),
    ('$PRESENT_VARIABLE && "string"', "string"),
    ("$PRESENT_VARIABLE && $PRESENT_VARIABLE", "my variable"),
    ("$PRESENT_VARIABLE && $EMPTY_VARIABLE", ""),
    ("$PRESENT_VARIABLE && null", None),
    ('"string" && $PRESENT_VARIABLE', "my variable"),
    ("$EMPTY_VARIABLE && $PRESENT_VARIABLE", "my variable"),
    ("null && $PRESENT_VARIABLE", None),
    ('$EMPTY_VARIABLE && "string"', "string"),
    ("$EMPTY_VARIABLE && $EMPTY_VARIABLE", ""),
    ('"string" && $EMPTY_VARIABLE', ""),
    ('"string" && null', None),
    ('null && "string"', None),
    ('"string" && "string"', "string"),
    ("null && null", None),
    ("$PRESENT_VARIABLE =~ /my var/ && $EMPTY_VARIABLE =~ /nope/", False),
    ('$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE', "my variable"),
    ('$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE != "nope"', True),
    ("$PRESENT_VARIABLE && $UNDEFINED_VARIABLE", None),
    ("$UNDEFINED_VARIABLE && $EMPTY_VARIABLE", None),
    ("$UNDEFINED_VARIABLE && $PRESENT_VARIABLE", None),
    (
        r"$FULL_PATH_VARIABLE =~ /^\/a\/full\/path\/variable\/value$/ && $PATH_VARIABLE =~ /path\/variable/",
        True,
    ),
    (
        r"$FULL_PATH_VARIABLE =~ /^\/a\/bad\/path\/variable\/value$/ && $PATH_VARIABLE =~ /path\/variable/",
        False,
    ),
    (
        r"$FULL_PATH_VARIABLE =~ /^\/a\/full\/path\/variable\/value$/ && $PATH_VARIABLE =~ /bad\/path\/variable/",
        False,
    ),
    (
        r"$FULL_PATH_VARIABLE =~ /^\/a\/bad\/path\/variable\/value$/ && $PATH_VARIABLE =~ /bad\/path\/variable/",
        False,
    ),
    (
        r"$FULL_PATH_VARIABLE =~ /^\/a\/full\/path\/variable\/value$/ || $PATH_VARIABLE =~ /path\/variable/",
        True,
    ),
    (
        r"$FULL_PATH_VARIABLE =~ /^\/a\/bad\/path\/variable\/value$/ || $PATH_VARIABLE =~ /path\/variable/",
        True,
    ),
    (
        r"$FULL_PATH_VARIABLE =~ /^\/a\/full\/path\/variable\/value$/ || $PATH_VARIABLE =~ /bad\/path\/variable/",
        True,
    ),
    (
        r"$FULL_PATH_VARIABLE =~ /^\/a\/bad\/path\/variable\/value$/ || $PATH_VARIABLE =~ /bad\/path\/variable/",
        False,
    ),
    ("$PRESENT_VARIABLE =~ /my var/ || $EMPTY_VARIABLE =~ /nope/", True),
    ('$EMPTY_VARIABLE == "" || $PRESENT_VARIABLE', True),
    ('$PRESENT_VARIABLE != "nope" || $EMPTY_VARIABLE == ""', True),
    ('$PRESENT_VARIABLE && null || $EMPTY_VARIABLE == ""', True),
    ("$PRESENT_VARIABLE || $UNDEFINED_VARIABLE", "my variable"),
    ("$UNDEFINED_VARIABLE || $PRESENT_VARIABLE", "my variable"),
    ("$UNDEFINED_VARIABLE == null || $PRESENT_VARIABLE", True),
    ("$PRESENT_VARIABLE || $UNDEFINED_VARIABLE == null", "my variable"),
    ("($PRESENT_VARIABLE)", "my variable"),
    ("(($PRESENT_VARIABLE))", "my variable"),
    ('(($PRESENT_VARIABLE && null) || $EMPTY_VARIABLE == "")', True),
    ('($PRESENT_VARIABLE) && (null || $EMPTY_VARIABLE == "")', True),
    ('("string" || "test") == "string"', True),
    ('(null || ("test" == "string"))', False),
    ('("string" == ("test" && "string"))', True),
    ('("string" == ("test" || "string"))', False),
    ('("string" == "test" || "string")', "string"),
    ('("string" == ("string" || (("1" == "1") && ("2" == "3"))))', True),
    # Beyond GitLab's table: the same rules, at corners users hit.
    ("$EMPTY_VARIABLE || $PRESENT_VARIABLE", ""),
    ("/my var/", UntrustedRegexp("my var")),
    ("true", True),
    ('$PRESENT_VARIABLE == true || "x"', "x"),
    ("$UNDEFINED_VARIABLE || null", None),
]


@pytest.mark.parametrize(("expression", "value"), STATEMENT_VALUES)
def test_expression_value_is_gitlabs_statement_value(expression: str, value: object) -> None:
    assert evaluate(expression, SPEC_VARIABLES) == value
    assert type(evaluate(expression, SPEC_VARIABLES)) is type(value)


@pytest.mark.parametrize(
    ("expression", "variables", "expected"),
    [
        # statement_spec.rb "#truthful?"
        ('$PRESENT_VARIABLE == "my variable"', SPEC_VARIABLES, True),
        ("$PRESENT_VARIABLE == 'no match'", SPEC_VARIABLES, False),
        ("$UNDEFINED_VARIABLE == null", SPEC_VARIABLES, True),
        ("$PRESENT_VARIABLE", SPEC_VARIABLES, True),
        ("$UNDEFINED_VARIABLE", SPEC_VARIABLES, False),
        ("$EMPTY_VARIABLE", SPEC_VARIABLES, False),
        ("$PRESENT_VARIABLE =~ /var.*/", SPEC_VARIABLES, True),
        ("$UNDEFINED_VARIABLE =~ /var.*/", SPEC_VARIABLES, False),
        ("$PRESENT_VARIABLE !~ /var.*/", SPEC_VARIABLES, False),
        ("$UNDEFINED_VARIABLE !~ /var.*/", SPEC_VARIABLES, True),
        # statement_spec.rb "when variables have patterns" (GitLab >= 15 reads /.../ values as regexes)
        ('$teststring =~ "abcde"', {"teststring": "abcde"}, True),
        ("$teststring =~ $teststring", {"teststring": "abcde"}, True),
        ("$teststring =~ $pattern1", {"teststring": "abcde", "pattern1": "/^ab.*/"}, True),
        ("$teststring =~ $pattern2", {"teststring": "abcde", "pattern2": "/^at.*/"}, False),
        ("$teststring !~ $pattern2", {"teststring": "abcde", "pattern2": "/^at.*/"}, True),
        ("$T =~ $P", {"T": "ABC", "P": "/^ab/i"}, True),
        (r"$T =~ $P", {"T": "a/b", "P": r"/^a\/b$/"}, True),
        ("$T =~ $P", {"T": "a", "P": "/a/"}, True),  # one character is fine in a value
        # A value that is not a /.../ regex: GitLab's String#scan, true when the value contains the subject.
        ("$T =~ $P", {"T": "bc", "P": "abcd"}, True),
        ("$T =~ $P", {"T": "abcd", "P": "bc"}, False),
        ("$T =~ $P", {"T": "y", "P": "/(x/"}, False),
        ("$T =~ $P", {"T": "(x", "P": "/(x/"}, True),
        ("$T =~ $P", {"P": "anything"}, True),  # nil subject reads as "", found in any text
        ('$T =~ "abc"', {"T": "c"}, True),
        ("$T =~ $UNDEFINED", {"T": "x"}, False),
        ("$T !~ $UNDEFINED", {"T": "x"}, True),
        ("$T =~ null", {"T": "x"}, False),
        ("$T !~ null", {"T": "x"}, True),
        # nil and "" as subjects of a regex.
        ("$UNDEFINED =~ /^$/", {}, True),
        ("$UNDEFINED =~ /xy/", {}, False),
        ("$EMPTY =~ /^$/", {"EMPTY": ""}, True),
        ("null =~ /^$/", {}, True),
        # present?: a blank string is false, "0" and "false" are text and true.
        ("$V", {"V": "  \t"}, False),
        ("$V", {"V": "\u3000"}, False),
        ("$V", {"V": "0"}, True),
        ("$V", {"V": "false"}, True),
        ('$V || "x"', {"V": " "}, False),  # " " is true for ||, then blank for the rule
        # Issue 358775: an empty variable on the left of || wins and the rule fails.
        ("$a || $b == '1'", {"a": "", "b": "1"}, False),
        ("$b == '1' || $a", {"a": "", "b": "1"}, True),
        # ! (GitLab 17.x): not present, binds tightest.
        ("!$V", {"V": "x"}, False),
        ("!$V", {"V": ""}, True),
        ("!$UNDEFINED", {}, True),
        ("!!$V", {"V": "x"}, True),
        ('!($V == "x")', {"V": "x"}, False),
        ('!$V == "false"', {"V": "x"}, True),  # (!$V) == "false", boolean read as text
        ("!($A || $B)", {"A": "", "B": "b"}, True),
        ('$V != "x" && !$W', {"V": "y"}, True),
        # Boolean literals compare with text as "true"/"false".
        ("$V == true", {"V": "true"}, True),
        ("$V == false", {"V": "true"}, False),
        ("$V != false", {"V": "true"}, True),
        ("true == false", {}, False),
        ("false", {}, False),
        ("null", {}, False),
        # Regex flags are RE2's: m for line anchors, s for dot-all, U for ungreedy.
        ("$V =~ /^b$/", {"V": "a\nb"}, False),
        ("$V =~ /^b$/m", {"V": "a\nb"}, True),
        ("$V =~ /a.b/", {"V": "a\nb"}, False),
        ("$V =~ /a.b/s", {"V": "a\nb"}, True),
        ("$V =~ /x$/", {"V": "x\n"}, False),  # RE2's $ is the very end without m
        (r"$V =~ /\pL\d/", {"V": "é1"}, True),
        ("$V =~ /[[:digit:]]+/", {"V": "v12"}, True),
        # Whitespace and no whitespace.
        ('$V=="x"&&$W!="y"', {"V": "x", "W": "z"}, True),
        ('\t$V ==\n"x" ', {"V": "x"}, True),
        # Strings have no escapes and end at the first matching quote.
        ('$V == "it\'s"', {"V": "it's"}, True),
        ("$V == 'say \"hi\"'", {"V": 'say "hi"'}, True),
        (r'$V == "a\n"', {"V": "a\\n"}, True),
        ('$V == ""', {"V": ""}, True),
        ("$V == ''", {}, False),
        # Comparisons chain left to right: ($A == $B) == "true".
        ('$A == $B == "true"', {"A": "x", "B": "x"}, True),
        # Inputs are interpolated before rules run; an unresolved reference is nil.
        ("$[[ inputs.env ]] == null", {}, True),
        ("$[[inputs.env]]", {"inputs": "x"}, False),
        # Variable names are \w+, case-sensitive; `$VARx` is one name.
        ("$var", {"VAR": "x"}, False),
        ("$V_2", {"V_2": "x"}, True),
    ],
)
def test_rules_if_evaluates_as_gitlab(
    expression: str, variables: dict[str, str], expected: bool
) -> None:
    assert evaluate_if(expression, variables) is expected


@pytest.mark.parametrize(
    ("expression", "tree"),
    [
        # parser_spec.rb
        ('$VAR1 == "123"', 'equals($VAR1, "123")'),
        ('$VAR1 == "123" == $VAR2', 'equals(equals($VAR1, "123"), $VAR2)'),
        ("$VAR", "$VAR"),
        ('"some value"', '"some value"'),
        ("null", "null"),
        ("$VAR1 || $VAR2 && $VAR3", "or($VAR1, and($VAR2, $VAR3))"),
        ("$VAR1 && $VAR2 || $VAR3", "or(and($VAR1, $VAR2), $VAR3)"),
        ("$VAR1 && $VAR2 || $VAR3 && $VAR4", "or(and($VAR1, $VAR2), and($VAR3, $VAR4))"),
        ("$VAR1 && ($VAR2 || $VAR3) && $VAR4", "and(and($VAR1, or($VAR2, $VAR3)), $VAR4)"),
        (
            '$VAR1 == "a" || $VAR2 == "b" && $VAR3 == "c" || $VAR4 == "d" && $VAR5 == "e"',
            (
                'or(or(equals($VAR1, "a"), and(equals($VAR2, "b"), equals($VAR3, "c"))), '
                'and(equals($VAR4, "d"), equals($VAR5, "e")))'
            ),
        ),
        (
            '(($VAR1 == "a" || $VAR2 == "b") && $VAR3 == "c" || $VAR4 == "d") && $VAR5 == "e"',
            (
                'and(or(and(or(equals($VAR1, "a"), equals($VAR2, "b")), equals($VAR3, "c")), '
                'equals($VAR4, "d")), equals($VAR5, "e"))'
            ),
        ),
        # ! takes the next operand only; =~ and !~ bind like ==.
        ('!$A == "x"', 'equals(not($A), "x")'),
        ("!($A || $B) && $C", "and(not(or($A, $B)), $C)"),
        ("$A =~ /ab/ || $B !~ /cd/i", "or(matches($A, /ab/), not_matches($B, /(?i)cd/))"),
        ("$A != null && true", "and(not_equals($A, null), true)"),
        # pattern_spec.rb: the literal ends at the first unescaped slash; \/ stands for /.
        (r"$A =~ /some .* \/ pattern/", "matches($A, /some .* / pattern/)"),
        (r"$A =~ /some numeric \$ pattern/", r"matches($A, /some numeric \$ pattern/)"),
    ],
)
def test_operators_bind_as_gitlabs_parser_does(expression: str, tree: str) -> None:
    assert str(expression_syntax.parse(expression)) == tree


@pytest.mark.parametrize(
    "expression",
    [
        # statement_spec.rb and parser_spec.rb
        '$VAR "text"',
        '== "123"',
        "$VAR ==",
        "12345",
        "",
        "   ",
        "$VAR == (",
        '$VAR2 == ("aa"',
        '$VAR2 == ("aa"))',
        '$VAR2 == "aa")',
        '(($VAR2 == "aa")',
        '($VAR2 == "aa"))',
        "$INVALID = 1",
        "invalid &&",
        # lexer: no ${VAR}, no bare words, no single & or |
        "${VAR}",
        '${VAR} == "x"',
        "$VAR == main",
        "$A & $B",
        "$A | $B",
        "$A === $B",
        "nullx",
        "$A == truex",
        # pattern literals: two characters at least, no trailing backslash, RE2 syntax, known flags only
        "$A =~ /a/",
        "$A =~ //",
        "$A =~ /ab/x",
        r"$A =~ /ab\\/",
        "$A =~ /(ab/",
        r"$A =~ /(a)\1/",
        "$A =~ /(?=a)b/",
        "$A =~ /(?<!a)b/",
        # unterminated strings
        '$A == "x',
        "$A == 'x",
        # operators out of place
        "()",
        "$A ()",
        "$A !",
        "! == $A",
        "$A && || $B",
    ],
)
def test_bad_syntax_is_gitlabs_invalid_expression_syntax(expression: str) -> None:
    with pytest.raises(ConfigError, match=r"^invalid expression syntax: "):
        evaluate_if(expression, {"VAR": "x", "A": "a"})
    with pytest.raises(ConfigError, match=r"^invalid expression syntax: "):
        validate(expression)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("${VAR}", "cannot read '${VAR}'"),
        ("$A ==", "expected a value after =="),
        ("($A", "unmatched parenthesis"),
        ("$A)", "unmatched parenthesis"),
        ("$A $B", "expected an operator before $B"),
        ("", "the expression is empty"),
        ("$A =~ /(a/", "missing )"),
        ("$A =~ /a/", "cannot read '/a/'"),
    ],
)
def test_syntax_error_says_why(expression: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate(expression)
    assert reason in str(info.value)
    assert expression in str(info.value)


def test_expression_limit_is_gitlabs_99_tokens() -> None:
    fits = " && ".join(["$A"] * 50)  # 99 tokens
    assert evaluate_if(fits, {"A": "a"}) is True
    with pytest.raises(ConfigError, match=f"more than {MAX_TOKENS - 1} tokens"):
        validate(fits + " &&")


def test_catastrophic_regex_does_not_backtrack() -> None:
    # A backtracking engine takes ~2^5000 steps here; RE2 answers in linear time.
    assert evaluate_if("$X =~ /^(a+)+$/", {"X": "a" * 5000 + "b"}) is False
    assert evaluate_if("$X =~ $P", {"X": "a" * 5000 + "b", "P": "/^(a|a?)+$/"}) is False
    assert evaluate_if("$X =~ /^(a+)+$/", {"X": "a" * 5000}) is True


def test_valid_expression_passes_validate() -> None:
    validate('($CI_COMMIT_BRANCH == "main" || $CI_COMMIT_TAG) && $CI_PIPELINE_SOURCE != "schedule"')
