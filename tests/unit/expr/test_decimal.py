"""System.Decimal: what the Mono oracle cannot check (csc's load-time refusals, .NET 7 members,
untyped code paths, the sandbox, certgate's decisions). Behaviour Mono shares is in
`tests/conformance/vectors/decimal.yaml`."""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression, to_dotnet_string
from certgate.core.expr.decimals import CsDecimal, from_double, parse
from certgate.errors import ExpressionError, ExpressionRuntimeError, NotSupportedError

from .conftest import evaluate, exception_of, load_error, make_context, text_of

# --- csc's refusals, at load time ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "@(1m + 1.0)",
            "Operator '+' cannot be applied to operands of type 'decimal' and 'double'",
        ),
        (
            "@(1.0 * 2m)",
            "Operator '*' cannot be applied to operands of type 'double' and 'decimal'",
        ),
        ("@(1m == 1.0)", "Operator '==' cannot be applied to operands of type 'decimal' and"),
        ("@(1m < 2.0)", "Operator '<' cannot be applied to operands of type 'decimal' and"),
        ("@(1m + true)", "Operator '+' cannot be applied to operands of type 'decimal' and 'bool'"),
        ("@(1m / 0)", "Division by constant zero"),
        ("@(1m % 0m)", "Division by constant zero"),
        ("@{ decimal d = 1.5; return d; }", "use an 'M' suffix"),
        ("@{ double x = 1.5; decimal d = x; return d; }", "Cannot implicitly convert type"),
        ("@{ double y = 1.5m; return y; }", "Cannot implicitly convert type 'System.Decimal'"),
        ("@{ int n = 1.5m; return n; }", "An explicit conversion exists"),
        ("@{ decimal d = null; return d; }", "Cannot convert null to 'System.Decimal'"),
        ('@((decimal)"1")', "Cannot convert type 'System.String' to 'System.Decimal'"),
        ("@((bool)1m)", "Cannot convert type 'System.Decimal' to 'System.Boolean'"),
        ("@(79228162514264337593543950336m)", "outside the range of type 'decimal'"),
        ("@(!1m)", "Operator '!' cannot be applied to operand of type 'decimal'"),
    ],
)
def test_csc_refusals(text: str, message: str) -> None:
    assert message in load_error(text)


def test_accepted_twins_of_the_refusals() -> None:
    assert text_of("@(1m + 1)") == "2"
    assert text_of("@(1.0 * (double)2m)") == "2"
    assert text_of("@{ decimal d = 5; return d / 2; }") == "2.5"
    assert text_of("@{ decimal d = (decimal)1.5; return d; }") == "1.5"
    assert text_of("@{ int n = (int)1.5m; return n; }") == "1"
    assert text_of("@{ decimal? d = null; return d == null; }") == "True"
    assert text_of("@(79228162514264337593543950335m)") == "79228162514264337593543950335"


def test_decimal_is_not_a_double_statically() -> None:
    """`var` keeps the decimal type: a double may not be mixed in later."""
    assert "cannot be applied" in load_error("@{ var d = 1.5m; return d + 0.5; }")
    assert "cannot be applied" in load_error("@(Math.Round(1.5m) + 0.5)")  # Math.Round: decimal
    assert text_of("@(Math.Round(1.5) + 0.5)") == "2.5"


# --- .NET 7+ members Mono lacks ----------------------------------------------------------------


def test_scale_property() -> None:
    assert text_of("@(1.50m.Scale)") == "2"
    assert text_of("@((1m / 3m).Scale)") == "28"
    assert "read only" in load_error("@{ decimal d = 1.5m; d.Scale = 3; return d; }")


def test_unimplemented_members_stay_not_supported_yet() -> None:
    for text in ("@(decimal.IsInteger(1m))", "@(decimal.IsEvenInteger(2m))"):
        with pytest.raises(NotSupportedError):
            compile_expression(text)


# --- the sandbox -----------------------------------------------------------------------------------


@pytest.mark.parametrize("member", ["coef", "scale", "exact", "value_key", "__class__"])
def test_python_internals_are_unreachable(member: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(f"@(1.5m.{member})")


# --- untyped code (types known only at run time) ------------------------------------------------


def _with_variables(values: dict[str, object]) -> object:
    return make_context(variables=values)


def test_stored_decimal_in_variables(typed: bool) -> None:
    context = _with_variables({"price": CsDecimal(1250, 2), "n": 3})
    text = '@(context.Variables.GetValueOrDefault<decimal>("price") * 2)'
    assert to_dotnet_string(evaluate(text, context, typed=typed)) == "25.00"
    text = '@((decimal)context.Variables["price"] + (int)context.Variables["n"])'
    assert to_dotnet_string(evaluate(text, context, typed=typed)) == "15.50"


def test_wrong_stored_type_throws(typed: bool) -> None:
    context = _with_variables({"price": 1.5})
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate('@((decimal)context.Variables["price"])', context, typed=typed)
    assert info.value.exception_type == "InvalidCastException"


def test_untyped_operators(typed: bool) -> None:
    context = _with_variables({"d": CsDecimal(15, 1), "x": 1.5})
    assert evaluate('@(context.Variables["d"] == context.Variables["d"])', context, typed=typed)
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate('@(context.Variables["d"] < context.Variables["x"])', context, typed=False)
    assert info.value.exception_type == "InvalidCastException"


# --- certgate's decisions ------------------------------------------------------------------------


def test_no_negative_zero() -> None:
    """.NET keeps a sign on -0.0m (only `(double)-0.0m` shows it, "-0"); certgate has none."""
    assert text_of("@(-0.0m)") == "0.0"
    assert text_of("@((double)(-0.0m))") == "0"


def test_parse_of_huge_inputs_is_bounded() -> None:
    assert to_dotnet_string(parse("0." + "0" * 100_000 + "1")) == "0.0000000000000000000000000000"
    assert exception_of("@(decimal.Parse(new string('1', 100000)))") == "OverflowException"


def test_double_conversion_keeps_15_digits() -> None:
    assert to_dotnet_string(from_double(0.1 + 0.2)) == "0.3"
    assert to_dotnet_string(from_double(1 / 3)) == "0.333333333333333"
    assert to_dotnet_string(from_double(123456789012345678.0)) == "123456789012346000"
    with pytest.raises(ExpressionRuntimeError):
        from_double(float("nan"))
