"""StringBuilder and Regex in UTF-16 units: what Mono cannot show. A pattern is compiled once
(from its unit form when it holds astral characters or surrogates) and serves narrow and wide
inputs alike; every string a member returns is canonical (a pair is one code point, so it equals
the literal); narrow text takes the fast path. Behaviour Mono shows is in
`tests/conformance/vectors/utf16_builder_regex.yaml`.
"""

from __future__ import annotations

import pytest

from certgate.core.expr import regexp
from certgate.core.expr.regexp import Regex, compile_pattern
from certgate.core.expr.stringbuilder import StringBuilder
from certgate.core.expr.types import CsChar
from certgate.errors import ExpressionRuntimeError

from .conftest import exception_of, value_of

GRIN = "\U0001f600"
HIGH, LOW = "\ud83d", "\ude00"

# --- Regex: one compiled pattern ------------------------------------------------------------------


def test_a_narrow_pattern_compiled_once_serves_narrow_and_wide_inputs() -> None:
    compile_pattern.cache_clear()
    regex = Regex("b+")
    compiled = regex._compiled
    assert regex.Match("abb").Index == 1
    assert regex.Match(GRIN + "abb").Index == 3  # the pair counts two units
    assert regex.Match("x" + HIGH + "b").Index == 2
    assert regex._compiled is compiled
    assert compile_pattern.cache_info().misses == 1


def test_static_calls_reuse_the_compiled_pattern_for_both_kinds_of_input() -> None:
    compile_pattern.cache_clear()
    assert regexp.match("ab", "b").Index == 1
    assert regexp.match(GRIN + "b", "b").Index == 2
    assert regexp.replace(GRIN + "b", "b", "c") == GRIN + "c"
    info = compile_pattern.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_a_wide_pattern_is_compiled_once_from_its_unit_form() -> None:
    compile_pattern.cache_clear()
    regex = Regex("a" + GRIN + "?")
    assert not regex.Match("ab").Success  # `?` repeats the low surrogate only: "a\ud83d" needed
    assert not Regex(GRIN + "?a").IsMatch("a")
    assert regex.Match("a" + GRIN).Length == 3
    assert compile_pattern("a" + GRIN + "?", 0) is regex._compiled
    assert compile_pattern.cache_info().misses == 2


def test_an_invalid_unit_form_fails_at_construction_and_quotes_the_pattern() -> None:
    pattern = "[" + GRIN + "-\U0001f602]"  # [\ud83d\ude00-\ud83d\ude02]: \ude00-\ud83d reversed
    with pytest.raises(ExpressionRuntimeError) as info:
        Regex(pattern)
    assert info.value.exception_type == "ArgumentException"
    assert pattern in info.value.message
    assert HIGH not in info.value.message


# --- Regex: canonical results ---------------------------------------------------------------------


def test_match_values_are_canonical() -> None:
    m = regexp.match("x" + GRIN + GRIN, "(?:" + GRIN + ")+")
    assert (m.Index, m.Length, m.Value) == (1, 4, GRIN * 2)
    assert len(m.Value) == 2  # one code point per pair, not four surrogates
    halves = regexp.matches(GRIN, ".")
    assert [c.Value for c in halves] == [HIGH, LOW]


def test_halves_from_separate_evaluator_results_join() -> None:
    result = regexp.replace("ab", "[ab]", lambda m: HIGH if m.Value == "a" else LOW)
    assert result == GRIN
    assert len(result) == 1


def test_substitutions_rejoin_a_pair_taken_apart() -> None:
    assert regexp.replace(GRIN + "x", "(.)(.)x", "$1$2") == GRIN
    assert regexp.replace(GRIN + "x", "(.)(.)x", "$2$1") == LOW + HIGH  # no pair: two halves


def test_split_parts_and_captures_are_canonical() -> None:
    parts = regexp.split("a" + GRIN + "b" + HIGH, "(b)")
    assert list(parts) == ["a" + GRIN, "b", HIGH]  # type: ignore[call-overload]


def test_narrow_input_keeps_its_text() -> None:
    text = "plain text"
    assert Regex("q").Replace(text, "y") == text
    assert Regex("t").Match(text, 5).Index == 6
    assert next(iter(Regex("q").Split(text, 1))) is text  # type: ignore[call-overload]


def test_match_range_past_the_end_throws_as_dotnet_8() -> None:
    """Mono searches to the end; .NET 8 slices input.AsSpan(beginning, length) first."""
    assert exception_of('@(new Regex("b").Match("ab", 1, 2).Index)') == (
        "ArgumentOutOfRangeException"
    )
    assert value_of('@(new Regex("b").Match("ab", 1, 1).Index)') == 1


# --- StringBuilder --------------------------------------------------------------------------------


def test_builder_holds_units_and_gives_canonical_text() -> None:
    sb = StringBuilder("a" + GRIN)
    assert sb.Length == 3
    assert sb.get_item(1) == CsChar(HIGH)
    sb.Append(CsChar(HIGH)).Append(LOW)  # two appended halves make one character
    assert sb.ToString() == "a" + GRIN * 2
    assert len(sb.ToString()) == 3


def test_builder_setting_half_a_pair_leaves_a_lone_surrogate() -> None:
    sb = StringBuilder(GRIN)
    sb.set_item(0, CsChar("x"))
    assert sb.ToString() == "x" + LOW


def test_builder_equals_compares_units() -> None:
    joined = StringBuilder().Append(CsChar(HIGH)).Append(CsChar(LOW))
    assert StringBuilder(GRIN).Equals(joined)
    assert not StringBuilder(GRIN).Equals(StringBuilder(HIGH))


def test_builder_narrow_text_is_returned_as_is() -> None:
    text = "plain text"
    assert StringBuilder(text).ToString() is text


def test_builder_equals_ignores_capacity_as_dotnet_core() -> None:
    """.NET Core 3.0+ compares the characters only; Mono (.NET Framework) also Capacity."""
    assert value_of('@(new StringBuilder("ab", 5).Equals(new StringBuilder("ab")))') is True


def test_builder_insert_count_is_checked_before_the_index() -> None:
    assert exception_of('@(new StringBuilder("a").Insert(9, "x", -1))') == (
        "ArgumentOutOfRangeException"
    )
    assert value_of('@(new StringBuilder("a").Insert(1, "", 5).Length)') == 1
