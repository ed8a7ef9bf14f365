"""The remaining string and scalar members (`strings_more`, `scalars`, and the additions to
`binary`, `encoding`, `guid`, `stringbuilder`, `csexc`): the .NET 8 behaviour Mono cannot show
(where .NET Core changed .NET Framework's), and certgate's own choices. The rest is checked
against Mono by `tests/conformance/vectors/members_text.yaml`.
"""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression
from certgate.core.expr.scalars import comparison
from certgate.core.expr.static import BYTE, DECIMAL, INT, LONG, NULL, SINGLE, UNKNOWN
from certgate.errors import ExpressionRuntimeError

from .conftest import exception_of, load_error, text_of

# --- .NET 5+: LastIndexOf finds an empty value at the end of the searched range --------------


def test_last_index_of_empty_value_is_the_end_of_the_range() -> None:
    assert text_of('@("hello".LastIndexOf("", 2))') == "3"  # .NET Framework: 2
    assert text_of('@("hello".LastIndexOf("", 4, 2))') == "5"
    assert text_of('@("hello".LastIndexOf("", StringComparison.Ordinal))') == "5"
    assert text_of('@("hello".LastIndexOf("", 5, 0))') == "5"  # startIndex == Length is allowed
    assert text_of('@("".LastIndexOf("", 0, 0))') == "0"


def test_last_index_of_culture_comparisons_search_ordinally() -> None:
    assert text_of('@("aXbx".LastIndexOf("x", StringComparison.CurrentCulture))') == "3"
    assert text_of('@("aXbx".LastIndexOf("X", 2, StringComparison.InvariantCulture))') == "1"


# --- .NET 5+ (ICU): Normalize and IsNormalized refuse invalid UTF-16 ----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "@(new string((char)0xD800, 1).Normalize())",
        "@(new string(new[] { 'a', (char)0xDC00 }).IsNormalized())",
        '@("a\\uFFFEb".Normalize())',
        '@("\\uFFFE".IsNormalized())',
    ],
)
def test_normalization_refuses_invalid_utf16(text: str) -> None:
    assert exception_of(text) == "ArgumentException"


def test_normalize_keeps_astral_characters() -> None:
    assert text_of('@("😀e\\u0301".Normalize() == "😀\\u00e9")') == "True"
    assert text_of('@("😀".IsNormalized())') == "True"


# --- Encoding: GetChars into a given char[] -----------------------------------------------------


def test_get_chars_into_an_array_is_not_supported_yet() -> None:
    """`GetChars(bytes, byteIndex, byteCount, chars, charIndex)` returns an int, while the
    other overloads return the char[] the name is typed with."""
    expression = compile_expression(
        "@{ var a = new char[2]; try { return Encoding.UTF8.GetChars(new byte[] { 72 }, 0, 1, a,"
        ' 0).ToString(); } catch (Exception) { return "caught"; } }'
    )
    with pytest.raises(ExpressionRuntimeError) as info:
        expression.evaluate(None)
    assert info.value.exception_type == "NotSupportedException"
    assert info.value.message.startswith("not supported yet: member 'GetChars(")


def test_get_chars_is_typed_char_array() -> None:
    assert text_of(
        "@(Encoding.ASCII.GetChars(new byte[] { 104, 105 }).Select(c => (int)c).Sum())"
    ) == ("209")
    assert text_of("@(Encoding.UTF8.GetChars(Encoding.UTF8.GetBytes(\"ab\"))[1] == 'b')") == "True"


# --- BitConverter: NaN has .NET's bits --------------------------------------------------------


def test_nan_from_helpers_has_the_sign_bit_set() -> None:
    """certgate's helpers return Python's NaN (sign bit clear); x64's NaN has it set."""
    assert text_of("@(BitConverter.DoubleToInt64Bits(Math.Log(-1)))") == "-2251799813685248"
    assert text_of('@(BitConverter.SingleToInt32Bits(float.Parse("NaN")))') == "-4194304"
    assert text_of("@(double.IsNegative(double.NaN))") == "True"


def test_bit_casts_round_trip() -> None:
    assert text_of("@(BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(-2.5)))") == (
        "-2.5"
    )
    assert text_of("@(BitConverter.SingleToInt32Bits(BitConverter.Int32BitsToSingle(-7)))") == (
        "-7"
    )


def test_to_char_and_to_single_take_a_span_of_the_array() -> None:
    """`ToChar(ReadOnlySpan<byte>)`: a byte[] converts implicitly; too short throws."""
    assert text_of("@(BitConverter.ToChar(new byte[] { 66, 0, 1 }))") == "B"
    assert text_of("@(BitConverter.ToSingle(new byte[] { 0, 0, 32, 64 }))") == "2.5"
    assert exception_of("@(BitConverter.ToChar(new byte[] { 66 }))") == (
        "ArgumentOutOfRangeException"
    )


# --- number CompareTo / Equals: the overload the static types pick ----------------------------


def test_comparison_is_left_to_the_run_time_without_static_types() -> None:
    assert comparison("CompareTo", INT, UNKNOWN, None) is None
    assert comparison("CompareTo", INT.as_nullable(), INT, None) is None
    assert comparison("CompareTo", DECIMAL, INT, None) is None  # decimal has its own members
    assert comparison("CompareTo", SINGLE, INT, None) is None
    assert comparison("ToString", INT, INT, None) is None


def test_comparison_of_null_takes_the_object_overload() -> None:
    compare = comparison("CompareTo", BYTE, NULL, None)
    assert compare is not None
    assert compare(1, None) == 1
    equals = comparison("Equals", LONG, NULL, None)
    assert equals is not None
    assert equals(1, None) is False


def test_small_integral_compare_to_returns_the_difference() -> None:
    assert text_of("@{ byte a = 10; byte b = 250; return a.CompareTo(b); }") == "-240"
    assert text_of("@{ long a = 10; long b = 250; return a.CompareTo(b); }") == "-1"
    assert text_of("@{ ushort u = 1; char c = 'A'; return u.CompareTo(c); }") == "-64"


def test_comparison_with_an_object_argument_checks_the_boxed_type() -> None:
    assert exception_of("@{ object o = 5L; return (5).CompareTo((long)o); }") == (
        "ArgumentException"
    )
    assert text_of("@{ int? n = null; return (5).Equals(n); }") == "False"


# --- bool.Parse / TryParse ---------------------------------------------------------------------


def test_bool_parse_trims_white_space_and_nul_only() -> None:
    assert text_of('@(bool.Parse("\\t true \\0"))') == "True"
    assert exception_of('@(bool.Parse("true\\u001c"))') == "FormatException"  # not white space
    assert text_of('@(bool.TryParse("\\u2003False", out var b) + "|" + b)') == "True|False"


def test_bool_try_parse_needs_its_out_argument() -> None:
    assert load_error('@(bool.TryParse("true"))') == (
        "No overload for method 'TryParse' takes 1 arguments"
    )


# --- String.IsInterned: every string counts as interned ------------------------------------------


def test_is_interned_returns_its_argument() -> None:
    """.NET's pool holds whatever the process interned; certgate answers as for a literal."""
    assert text_of('@(String.IsInterned("ab" + "c".ToUpper()))') == "abC"
