"""System.Single (C# float): what the Mono oracle cannot check (csc's load-time refusals, .NET
Core 3.0+ formatting Mono lacks, untyped code paths, the sandbox). Behaviour Mono shares is in
`tests/conformance/vectors/single.yaml`."""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression, to_dotnet_string
from certgate.core.expr.singles import CsSingle, parse, shortest, to_f32
from certgate.errors import ExpressionError, ExpressionRuntimeError

from .conftest import evaluate, load_error, make_context, text_of


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@(1f + 1m)", "Operator '+' cannot be applied to operands of type 'float' and 'decimal'"),
        ("@(1m < 1f)", "Operator '<' cannot be applied to operands of type 'decimal' and 'float'"),
        ("@(1f + true)", "Operator '+' cannot be applied to operands of type 'float' and 'bool'"),
        ("@{ float f = 1.5; return f; }", "use an 'F' suffix"),
        ("@{ double d = 1.5; float f = d; return f; }", "Cannot implicitly convert type"),
        ("@{ int n = 1.5f; return n; }", "An explicit conversion exists"),
        ("@{ decimal d = 1.5f; return d; }", "Cannot implicitly convert type 'System.Single'"),
        ("@{ float f = 1.5m; return f; }", "Cannot implicitly convert type 'System.Decimal'"),
        ("@{ float f = null; return f; }", "Cannot convert null"),
        ('@((float)"1")', "Cannot convert type 'System.String' to 'System.Single'"),
        ("@(1e39f)", "outside the range of type 'float'"),
    ],
)
def test_csc_refusals(text: str, message: str) -> None:
    assert message in load_error(text)


def test_accepted_twins_of_the_refusals() -> None:
    assert text_of("@(1f + (float)1m)") == "2"
    assert text_of("@{ float f = (float)1.5; return f; }") == "1.5"
    assert text_of("@{ double d = 1.5f; return d; }") == "1.5"
    assert text_of("@{ int n = (int)1.5f; return n; }") == "1"
    assert text_of("@{ float? f = null; return f == null; }") == "True"
    assert text_of("@(3.4028234e38f)") == "3.4028235E+38"


def test_static_types() -> None:
    """float op double is a double, float op int a float, Math.Abs(float) a float."""
    assert "Cannot implicitly convert" in load_error("@{ float f = 1f * 2.0; return f; }")
    assert text_of("@{ float f = 1f * 2; return f; }") == "2"
    assert text_of("@{ float f = Math.Abs(-1f); return f; }") == "1"
    assert "Cannot implicitly convert" in load_error("@{ float f = Math.Sqrt(4f); return f; }")


# --- .NET Core 3.0+ formatting ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1, "0.1"),
        (1 / 3, "0.33333334"),
        (16777216.0, "16777216"),
        (1e7, "10000000"),
        (1e9, "1E+09"),
        (3.4028234663852886e38, "3.4028235E+38"),
        (1.401298464324817e-45, "1E-45"),
        (-0.0, "-0"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (float("nan"), "NaN"),
        (123456.7, "123456.7"),
        (0.00001, "1E-05"),
    ],
)
def test_shortest_round_trip(value: float, text: str) -> None:
    assert shortest(to_f32(value)) == text


def test_standard_formats_use_the_exact_value() -> None:
    assert text_of('@(0.1f.ToString("F10"))') == "0.1000000015"
    assert text_of('@(0.1f.ToString("R"))') == "0.1"
    assert text_of('@(1e7f.ToString("G"))') == "10000000"
    assert text_of('@(1e9f.ToString("G"))') == "1E+09"


def test_parse_rounds_the_decimal_value_once() -> None:
    """1.00000005960464477539062500001 is just above the tie between 1 and the next float: the
    double nearest it is the tie itself, which would round to even (1)."""
    assert parse("1.00000005960464477539062500001").value == to_f32(1.0000001192092896)
    assert parse("1.000000059604644775390625").value == 1.0  # the exact tie: to even
    assert to_dotnet_string(parse("1e39")) == "Infinity"
    with pytest.raises(ExpressionRuntimeError):
        parse("1e")


# --- untyped code and the sandbox ---------------------------------------------------------------


def test_untyped_operators(typed: bool) -> None:
    context = make_context(variables={"f": CsSingle(1.5), "d": 0.25})
    text = '@((float)context.Variables["f"] * 2)'
    assert to_dotnet_string(evaluate(text, context, typed=typed)) == "3"
    text = '@(context.Variables["f"] == context.Variables["f"])'
    assert evaluate(text, context, typed=typed) is True
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate('@((float)context.Variables["d"])', context, typed=typed)
    assert info.value.exception_type == "InvalidCastException"


@pytest.mark.parametrize("member", ["value", "value_key", "__class__"])
def test_python_internals_are_unreachable(member: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(f"@(1.5f.{member})")
