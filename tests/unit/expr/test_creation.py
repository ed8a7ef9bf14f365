"""Object creation, initializers, anonymous types, is/as, casts, bitwise operators, checked,
interpolation holes, named arguments, lambdas with blocks, qualified names, generic types.

Behaviour against real C# is in tests/conformance/vectors/expressions.yaml (run with Mono).
"""

from __future__ import annotations

import pytest

from certgate.core.expr import compile_expression
from certgate.errors import ExpressionError, ExpressionRuntimeError, NotSupportedError

from .conftest import Context, evaluate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('@(new List<string> { "a", "b" }.Count)', 2),
        ('@(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }["b"])', 2),
        ("@(new HashSet<int> { 1, 1, 2 }.Count)", 2),
        ("@(new Queue<int>(new[] { 1, 2 }).Peek())", 1),
        ("@(new Stack<int>(new[] { 1, 2 }).Peek())", 2),
        ('@(new KeyValuePair<string, int>("k", 3).Value)', 3),
        ("@(new byte[4].Length)", 4),
        ("@(new string[2][0] == null)", True),
        ('@(new JObject { { "a", 1 } }.Count)', 1),
        ('@(new JArray { 1, "x" }.Count)', 2),
        ('@(new { a = 1, b = "x" }.b)', "x"),
        ("@(new { context.Request.StatusCode }.StatusCode)", 200),
        ('@(new Exception("m").Message)', "m"),
        ('@(context.Variables["s"] is string s && s.Length == 4)', True),
        ('@(context.Variables["n"] is int)', True),
        # constant patterns (C# 7; the Mono oracle's mcs cannot compile them)
        ('@(context.Variables["n"] is 42 && !(context.Variables["s"] is "x"))', True),
        ('@(context.Variables["n"] is string)', False),
        ('@(context.Variables.GetValueOrDefault("missing") is null)', None),
        ('@(context.Variables["s"] as string)', "text"),
        ('@(context.Variables["n"] as string)', None),
        ("@((int)3.99 + (int)-3.99)", 0),
        ("@((long)int.MaxValue + 1)", 2147483648),
        ("@(unchecked((sbyte)200))", -56),
        ("@((ushort)-1 == ushort.MaxValue)", None),
        ("@((char)65)", None),
        ("@(5 & 3 | 8 ^ 1)", 9),
        ("@(~0)", -1),
        ("@(1L << 62 >> 61)", 2),
        ("@(true ^ true)", False),
        ('@($"{42,6:D4}|{3.14159:F2}|{"x",-3}|")', "  0042|3.14|x  |"),
        (
            "@(\"a,b,,c\".Split(new[] { ',' }, options: StringSplitOptions.RemoveEmptyEntries).Length)",
            3,
        ),
        ("@(new[] { 1, 2, 3 }.Select(x => { return x * 10; }).Sum())", 60),
        ('@(System.Net.WebUtility.UrlEncode("a b"))', "a+b"),
        ("@(new System.Collections.Generic.List<int>().Count)", 0),
        ("@(checked(1 + 1))", 2),
    ],
)
def test_expression_semantics(text: str, expected: object) -> None:
    context = None
    if "missing" in text:
        assert evaluate(text) is True
        return
    if expected is None and "as string" in text:
        assert evaluate(text) is None
        return
    if text == "@((ushort)-1 == ushort.MaxValue)":
        with pytest.raises(ExpressionError):  # csc: a constant out of range needs unchecked
            evaluate(text)
        return
    if text == "@((char)65)":
        assert str(evaluate(text)) == "A"
        return
    assert evaluate(text, context) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@(new List())", "Using the generic type 'List<T>' requires 1 type arguments"),
        ("@(new Dictionary<string>())", "requires 2 type arguments"),
        ("@((byte)300)", "Constant value '300' cannot be converted to a 'byte'"),
        ("@((string)5)", "Cannot convert type 'System.Int32' to 'System.String'"),
        ("@((bool)1)", "Cannot convert type 'System.Int32' to 'System.Boolean'"),
        ('@(context.Variables["n"] as int)', "The as operator must be used with a reference type"),
        ("@(new JObject { Count = 1 })", "cannot be assigned to -- it is read only"),
        ("@(new JObject { Frob = 1 })", "does not contain a definition for 'Frob'"),
        ("@(new Exception { 1 })", "collection initializer"),
        ("@(1.5 & 1)", "Operator '&' cannot be applied"),
        ('@(~"x")', "Operator '~' cannot be applied"),
        ("@(new { a = 1, a = 2 })", "multiple properties with the same name"),
        ("@(new int[2] { 1 })", "An array initializer of length '2' is expected"),
        ("@(new int[])", "Array creation must have array size or array initializer"),
        ("@(new Math())", "Cannot create an instance of the static class 'System.Math'"),
        ("@(new Tuple())", "Cannot create an instance of the static class 'System.Tuple'"),
        ("@(new SHA256())", "abstract type or interface 'System.Security.Cryptography.SHA256'"),
        ("@(new JToken())", "abstract type or interface 'Newtonsoft.Json.Linq.JToken'"),
        ("@(new Match())", "The type 'System.Text.RegularExpressions.Match' has no constructors"),
        ("@(new int(5))", "'System.Int32' does not contain a constructor that takes 1 arguments"),
    ],
)
def test_creation_and_cast_errors_at_load(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(text, context_type=Context)
    assert message in info.value.message


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("@(new int[2, 2])", "multi-dimensional arrays"),
        ("@(new { _x = 1 })", "anonymous type member name '_x'"),
        ("@(new { ToString = 1 })", "anonymous type member name 'ToString'"),
        ("@(x is > 5)", "pattern '> 5' (C# 8 and later)"),
        ("@(1 >>> 2)", "operator '>>>' (C# 11)"),
        ("@(new JObject { Prop = { 1 } })", "nested object initializers"),
    ],
)
def test_unfinished_constructs_are_named(text: str, what: str) -> None:
    with pytest.raises(NotSupportedError) as info:
        compile_expression(text)
    assert info.value.what == what


def test_checked_context_covers_arithmetic_casts_and_increments() -> None:
    big = 'context.Variables.GetValueOrDefault<int>("n") * 100000000'
    assert evaluate(f"@(unchecked({big}))") == 4200000000 - 2**32
    for text in (
        f"@(checked({big}))",
        "@{ checked { byte b = 255; b++; return b; } }",
        f"@(checked((short)({big})))",
    ):
        with pytest.raises(ExpressionRuntimeError) as info:
            evaluate(text)
        assert info.value.exception_type == "OverflowException"


def test_interpolation_format_uses_the_value_tostring_format() -> None:
    assert evaluate('@($"{new DateTime(2024, 2, 29):yyyy-MM-dd}")') == "2024-02-29"
    assert evaluate('@($"{JToken.Parse("5"):D3}")') == "005"  # JValue is IFormattable
    assert evaluate("@($\"{true:D3}{'c':X}\")") == "Truec"  # not IFormattable: no format


@pytest.mark.parametrize(
    "text",
    [
        '@("abc".Substring(startIndex: 1))',
        '@(Uri.EscapeDataString(stringToEscape: "a b"))',
        "@(new StringBuilder(capacity: 5))",
    ],
)
def test_named_argument_unknown_to_the_implementation_is_refused_at_load(text: str) -> None:
    """Valid C#, but the implementation takes the argument under another name: a clear
    "not supported yet" when the policy loads, not an error on the first request."""
    with pytest.raises(NotSupportedError, match="not supported yet: the named argument"):
        compile_expression(text)


def test_named_argument_the_implementation_takes_still_works() -> None:
    assert (
        evaluate("@(JsonConvert.SerializeObject(new JObject(), formatting: Formatting.None))")
        == "{}"
    )


def test_generated_code_for_initializers_is_one_expression() -> None:
    source = compile_expression("@(new List<int> { 1, 2 })").python_source
    assert source.count("_call(") == 2 and "[-1]" in source


def test_apim_interface_types_cast_and_test_by_name() -> None:
    text = '@(context.Variables["r"] is IResponse ? "response" : "other")'
    assert evaluate(text, _with_variable("r", _Response())) == "response"
    assert (
        evaluate(
            '@(((IResponse)context.Variables["r"]).StatusCode)', _with_variable("r", _Response())
        )
        == 201
    )
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate('@((IResponse)context.Variables["s"])')
    assert info.value.exception_type == "InvalidCastException"


from certgate.core.expr.types import CsObject  # noqa: E402

from .conftest import make_context  # noqa: E402


class _Response(CsObject):
    __slots__ = ()
    CS_TYPE = "IResponse"
    CS_MEMBERS = frozenset({"StatusCode"})
    StatusCode = 201


def _with_variable(name: str, value: object) -> object:
    return make_context(variables={name: value, "s": "text"})
