"""Formatting limits and symbols Mono cannot show (it runs .NET Framework's code)."""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression, to_dotnet_string
from certgate.errors import ExpressionRuntimeError


def run(text: str) -> object:
    return compile_expression(text).evaluate(None)


@pytest.mark.parametrize(
    "text",
    [
        '@($"{1,2147483647}")',  # an interpolation has no width limit: a 2 G-character string
        '@($"{1,-2147483647}")',
        '@(5.ToString("D999999999"))',  # .NET 8 takes precisions up to 999,999,999
        '@(5.ToString("X99999999"))',
        '@((1.5).ToString("E999999999"))',
        '@((1.5).ToString("F999999999"))',
        '@((1.5m).ToString("N999999999"))',
    ],
)
def test_a_width_or_precision_past_the_memory_limit_throws_before_building(text: str) -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        run(text)
    assert caught.value.exception_type == "OutOfMemoryException"


def test_widths_and_precisions_within_the_limit_are_built() -> None:
    assert run('@($"{1,1000}".Length)') == 1000
    assert run('@((1.5).ToString("F2000").Length)') == 2002  # past the old 1,200-digit context
    assert run('@(12345.ToString("E2000").Length)') == 2007


def test_string_format_reads_no_alignment_past_a_million() -> None:
    """.NET 8's AppendFormatHelper stops reading digits at WidthLimit (1,000,000); Mono, like
    .NET Framework, reads any width."""
    assert run('@(string.Format("{0,1000000}", 1).Length)') == 1_000_000
    for width in ("1000001", "-1000001", "99999999"):
        with pytest.raises(ExpressionRuntimeError) as caught:
            run(f'@(string.Format("{{0,{width}}}", 1))')
        assert caught.value.exception_type == "FormatException"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@((1.0 / 0).ToString())", "Infinity"),  # the invariant culture's symbols
        ("@((-1.0 / 0).ToString())", "-Infinity"),
        ('@((1.0 / 0).ToString("F2"))', "Infinity"),
        ("@((1f / 0f).ToString())", "Infinity"),
        ('@(double.Parse("∞") == double.PositiveInfinity)', "True"),  # parsing takes both
        ('@(double.Parse("-Infinity") == double.NegativeInfinity)', "True"),
    ],
)
def test_infinity_prints_as_the_invariant_culture_writes_it(text: str, expected: str) -> None:
    assert to_dotnet_string(run(text)) == expected


def test_a_float_literal_below_the_smallest_subnormal_is_zero() -> None:
    """`1e-50f` crashed the compiler: the search for the nearest binary32 stepped below +0."""
    assert to_dotnet_string(run("@(1e-50f)")) == "0"
    assert to_dotnet_string(run("@(-1e-50f)")) == "-0"
    assert to_dotnet_string(run('@(float.Parse("8e-46"))')) == "1E-45"


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # .NET Core 3.0+ as dotnet/runtime#32458 and dotnet/coreclr#27619 record it (by design)
        ('@((-0.1).ToString("0"))', "-0"),
        ('@((-0.01).ToString("0.#;-0.#"))', "-0"),  # rounds to zero: section 0, with its sign
        ('@((-0.1).ToString("p#;n#"))', "-p"),
        ('@((-0.1).ToString("p0#;n0#"))', "-p00"),
        ('@((-0.0).ToString("0.00"))', "-0.00"),
        ('@((-0.1m).ToString("0"))', "0"),  # decimal has no negative zero
        ('@((-0.0049m).ToString("E+0%"))', "E+0%"),
    ],
)
def test_a_negative_double_rounded_to_zero_keeps_its_sign(text: str, expected: str) -> None:
    assert to_dotnet_string(run(text)) == expected
