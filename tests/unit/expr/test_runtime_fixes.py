"""Runtime fixes: what the Mono oracle cannot check (.NET 8's exception messages, certgate's
limitations, the sandbox, runtime-made arrays). Behaviour Mono shares is in
`tests/conformance/vectors/runtime_fixes.yaml`."""

from __future__ import annotations

import pytest

from certgate.core.expr import CsArray, compile_expression, runtime, to_dotnet_string
from certgate.core.expr.arrays import clr_element_name
from certgate.core.expr.dictionary import STRING_COMPARERS
from certgate.errors import ExpressionError, ExpressionRuntimeError, NotSupportedError

from .conftest import evaluate, make_context


def _error(text: str) -> ExpressionRuntimeError:
    with pytest.raises(ExpressionRuntimeError) as info:
        compile_expression(text).evaluate(None)
    return info.value


# --- array type names ----------------------------------------------------------------------------


def test_arrays_made_without_an_element_type_guess_from_their_items() -> None:
    """`Split`, LINQ's `ToArray` and the context's header values carry no element type."""
    assert CsArray(["a", "b"]).ToString() == "System.String[]"
    assert CsArray([1, "a"]).ToString() == "System.Object[]"
    assert CsArray([1], "System.Int64").ToString() == "System.Int64[]"


def test_only_plain_clr_names_become_element_names() -> None:
    assert clr_element_name("System.Int32") == "System.Int32"
    assert clr_element_name("System.Int32", nullable=True) == "System.Nullable`1[System.Int32]"
    assert clr_element_name("System.String[]") == "System.String[]"
    # generic and anonymous types print otherwise in .NET (List`1[...]): left to the guess
    assert clr_element_name("System.Collections.Generic.List<System.Int32>") is None
    assert clr_element_name("System.Tuple`1") is None
    assert clr_element_name("<anonymous type>") is None


def test_header_values_stay_string_arrays(typed: bool) -> None:
    context = make_context(headers={"X-A": ["1", "2"]})
    text = '@(context.Request.Headers["X-A"].ToString())'
    assert to_dotnet_string(evaluate(text, context, typed=typed)) == "System.String[]"


@pytest.mark.parametrize("member", ["element_name", "_items"])
def test_the_element_name_is_unreachable(member: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(f"@(new int[1].{member})")


# --- decimal.ToOACurrency ------------------------------------------------------------------------


def test_currency_overflow_message() -> None:
    error = _error("@(decimal.ToOACurrency(922337203685477.58075m))")
    assert error.exception_type == "OverflowException"
    assert error.message == "Value was either too large or too small for a Currency."


# --- Convert.ToBase64CharArray / FromBase64CharArray: .NET 8's argument messages ---------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "@(Convert.ToBase64CharArray(new byte[] {1}, 0, -1, new char[4], 0))",
            "length ('-1') must be a non-negative value. (Parameter 'length')\n"
            "Actual value was -1.",
        ),
        (
            "@(Convert.ToBase64CharArray(new byte[] {1}, 1, 1, new char[4], 0))",
            "offsetIn ('1') must be less than or equal to '0'. (Parameter 'offsetIn')\n"
            "Actual value was 1.",
        ),
        (
            "@(Convert.ToBase64CharArray(new byte[] {1, 2, 3}, 0, 3, new char[3], 0))",
            "offsetOut ('0') must be less than or equal to '-1'. (Parameter 'offsetOut')\n"
            "Actual value was 0.",
        ),
        (
            '@(Convert.FromBase64CharArray("AQID".ToCharArray(), 1, 4))',
            "offset ('1') must be less than or equal to '0'. (Parameter 'offset')\n"
            "Actual value was 1.",
        ),
        (
            '@(Convert.FromBase64CharArray("AQID".ToCharArray(), -2, 0))',
            "offset ('-2') must be a non-negative value. (Parameter 'offset')\n"
            "Actual value was -2.",
        ),
    ],
)
def test_base64_char_array_range_messages(text: str, message: str) -> None:
    error = _error(text)
    assert error.exception_type == "ArgumentOutOfRangeException"
    assert error.message == message


@pytest.mark.parametrize(
    ("text", "param"),
    [
        ("@(Convert.ToBase64CharArray(null, 0, 0, new char[4], 0))", "inArray"),
        ("@(Convert.ToBase64CharArray(new byte[] {1}, 0, 1, null, 0))", "outArray"),
        ("@(Convert.FromBase64CharArray(null, 0, 0))", "inArray"),
    ],
)
def test_base64_char_array_null_arguments(text: str, param: str) -> None:
    error = _error(text)
    assert error.exception_type == "ArgumentNullException"
    assert error.message.endswith(f"(Parameter '{param}')")


def test_base64_formatting_options_stay_not_supported_yet() -> None:
    """`0` converts to any enum in C#, so the six-argument overload is reachable without the
    (unmodelled) Base64FormattingOptions type."""
    error = _error("@(Convert.ToBase64CharArray(new byte[] {1}, 0, 1, new char[4], 0, 0))")
    assert error.message == "not supported yet: Base64FormattingOptions"


def test_written_chars_are_chars() -> None:
    text = "@{ var c = new char[4]; Convert.ToBase64CharArray(new byte[] {1}, 0, 1, c, 0); "
    assert compile_expression(text + "return c[2] == '=' && c[0] is char; }").evaluate(None)


# --- Nullable ------------------------------------------------------------------------------------


def test_get_underlying_type_stays_not_supported_yet() -> None:
    """It takes and returns a System.Type, outside the allow-list."""
    with pytest.raises(NotSupportedError):
        compile_expression("@(Nullable.GetUnderlyingType(null))")


def test_nullable_value_from_the_context(typed: bool) -> None:
    context = make_context(variables={"n": 42})
    text = '@(Nullable.Compare(context.Variables.GetValueOrDefault<int?>("n"), 41))'
    assert evaluate(text, context, typed=typed) == 1
    text = '@(Nullable.Equals(context.Variables.GetValueOrDefault<int?>("missing"), null))'
    assert evaluate(text, context, typed=typed) is True


# --- StringComparer ------------------------------------------------------------------------------


def test_comparers_by_name() -> None:
    assert STRING_COMPARERS["Ordinal"] is STRING_COMPARERS["Ordinal"]
    assert STRING_COMPARERS["InvariantCulture"] is STRING_COMPARERS["InvariantCulture"]
    assert STRING_COMPARERS["CurrentCulture"] is not STRING_COMPARERS["CurrentCulture"]
    assert STRING_COMPARERS["CurrentCultureIgnoreCase"].ignore_case
    assert len(STRING_COMPARERS) == 6
    with pytest.raises(KeyError):
        STRING_COMPARERS["Invariant"]


@pytest.mark.parametrize("member", ["ordinal", "ignore_case", "reader", "name"])
def test_comparer_internals_are_unreachable(member: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(f"@(StringComparer.Ordinal.{member})")


# --- CompareTo(object) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('@(5.CompareTo((object)"a"))', "Object must be of type Int32."),
        ("@(5.CompareTo((object)5.0))", "Object must be of type Int32."),
        ('@(5.5.CompareTo((object)"a"))', "Object must be of type Double."),
        ("@(5.5.CompareTo((object)true))", "Object must be of type Double."),
    ],
)
def test_compare_to_names_the_receiver_type(text: str, message: str) -> None:
    error = _error(text)
    assert error.exception_type == "ArgumentException"
    assert error.message == message


# --- AsEnumerable on null ------------------------------------------------------------------------


def test_only_as_enumerable_passes_a_null_source_through() -> None:
    assert runtime.call(None, "AsEnumerable") is None
    with pytest.raises(ExpressionRuntimeError) as info:
        runtime.call(None, "ToList")
    assert info.value.exception_type == "ArgumentNullException"
    with pytest.raises(ExpressionRuntimeError) as info:
        runtime.call(None, "Trim")
    assert info.value.exception_type == "NullReferenceException"
