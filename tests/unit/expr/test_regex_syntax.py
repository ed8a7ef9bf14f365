""".NET pattern syntax (regexsyntax.py): what the vectors in regex_syntax.yaml cannot show.

The vectors compare results with Mono; these pin the parts Mono cannot judge: which compiled
form runs on which input, the errors' shape, and that no pattern text gets anything but .NET's
own exceptions out of the parser.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgate.core.expr import compile_expression
from certgate.core.expr.regexp import Regex, compile_pattern
from certgate.core.expr.regexsyntax import translate
from certgate.errors import ExpressionRuntimeError, NotSupportedError


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"^\w+$", "abc_1", True),  # ASCII input: the faster form, the same answer
        (r"^\w+$", "ab-c", False),
        (r"^\w+$", "Ⅻ", False),  # a letter-number: .NET's \w leaves it out, `regex`'s takes it
        (r"^\w+$", "é\u0301", True),  # a non-spacing mark is a word character in both
        (r"^\w+$", "\u0903", False),  # a spacing mark is not, in .NET
        (r"^\W$", "\u0903", True),
        (r"^[\w-]+$", "Ⅻ-", False),
        (r"^[\W]$", "Ⅻ", True),
        (r"a\b", "a\u200d", False),  # a joiner is a word character for \b only
        (r"a\b", "a ", True),
    ],
)
def test_word_characters_follow_dotnet_on_any_input(
    pattern: str, text: str, expected: bool
) -> None:
    assert Regex(pattern).IsMatch(text) is expected


def test_the_faster_form_runs_only_on_ascii_input() -> None:
    compiled = compile_pattern(r"\w+", 0)
    assert compiled.ascii_pattern is not None
    assert compiled.engine("abc") is compiled.ascii_pattern
    assert compiled.engine("abé") is compiled.pattern
    assert compile_pattern(r"\d+", 0).ascii_pattern is None  # no \w or \b: one form only


def test_the_translation_keeps_dotnet_group_order() -> None:
    found = translate(r"(?<name>a)(b)(?:c)(?<2>d)", 0)
    assert found.groups == ("name", None, "2")
    assert "(?P<g1>" in found.text and "(?P<g3>" in found.text


def test_an_invalid_pattern_names_itself_and_the_offset() -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        Regex("ab(?<1x>c)")
    assert caught.value.exception_type == "ArgumentException"
    assert caught.value.message.startswith("Invalid pattern 'ab(?<1x>c)' at offset ")
    assert caught.value.message.endswith("(Parameter 'pattern')")


def test_an_astral_character_in_a_class_subtraction_is_two_units() -> None:
    """.NET classes hold UTF-16 units: the pair's halves are two members of the class."""
    assert Regex("^[😀-[a]]+$").IsMatch("😀") is True
    assert Regex("^[😀-[\ude00]]+$").IsMatch("😀") is False  # the low half is taken out
    with pytest.raises(ExpressionRuntimeError, match="must be the last element"):
        Regex("^[a-z-[b]😀]$")


_PIECES = st.sampled_from(
    [*"ab()[]{}|*+?.^$\\-,:=!<>'#&0129xkpPcuwWbBdDeE_ \n", "(?", "(?<", "(?'", "(?(", "\\p{",
     "IsBasicLatin", "Lu", "}", "-[", "(?#", "(?x)", "(?i)", "(?n)", "{2,1}", "{1,3}", "\\k<"]
)  # fmt: skip


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(_PIECES, max_size=16).map("".join), st.sampled_from([0, 1, 4, 32, 256 | 1]))
def test_any_pattern_compiles_or_raises_a_dotnet_exception(pattern: str, options: int) -> None:
    try:
        compiled = compile_pattern(pattern, options)
    except ExpressionRuntimeError as error:
        assert error.exception_type in ("ArgumentException", "NotSupportedException")
        return
    compiled.engine("ab(c)").search("ab(c) x{2}")


@pytest.mark.parametrize(
    "text",
    [
        '@(Regex.IsMatch("a", "^(?<o>a)(?<-o>b)$"))',
        '@(Regex.Replace("ab", "(?<o>a)(?<c-o>b)", "x"))',
        '@(new Regex("x{100000000}").IsMatch("a"))',
    ],
)
def test_a_literal_pattern_certgate_cannot_run_is_refused_at_load(text: str) -> None:
    with pytest.raises(NotSupportedError, match="not supported yet: ") as caught:
        compile_expression(text)
    assert caught.value.line == 1 and caught.value.column is not None


def test_a_built_pattern_is_judged_when_it_is_built() -> None:
    """The rejected twin: the same pattern built at run time loads, and throws when it runs."""
    expression = compile_expression(
        '@{ var p = "^(?<o>a)"; return Regex.IsMatch("a", p + "(?<-o>b)$"); }'
    )
    with pytest.raises(ExpressionRuntimeError) as caught:
        expression.evaluate(None)
    assert caught.value.exception_type == "NotSupportedException"


def test_an_invalid_literal_pattern_loads_and_throws_when_it_runs() -> None:
    """APIM saves such a policy (it compiles C#, not patterns); the Regex throws at run time."""
    expression = compile_expression('@(Regex.IsMatch("a", "(a"))')
    with pytest.raises(ExpressionRuntimeError) as caught:
        expression.evaluate(None)
    assert caught.value.exception_type == "ArgumentException"
