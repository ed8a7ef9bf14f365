"""C# semantics of operators, literals, strings, LINQ and statement blocks."""

from __future__ import annotations

import pytest

from certgate.core.expr import (
    CsArray,
    CsChar,
    CsObject,
    ReadOnlyDictionary,
    is_expression,
    to_dotnet_string,
)
from certgate.errors import ExpressionError, ExpressionRuntimeError

from .conftest import T1, Certificate, evaluate, make_context


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@(7 / 2)", 3),
        ("@(-7 / 2)", -3),  # truncation toward zero, not floor
        ("@(7 / -2)", -3),
        ("@(-7 % 3)", -1),  # remainder has the dividend's sign
        ("@(7 % -3)", 1),
        ("@{ int x = 2147483647; return x + 1; }", -2147483648),  # unchecked overflow wraps
        ("@{ int x = -2147483648; return x - 1; }", 2147483647),
        ("@{ int x = 65536; return x * 65536; }", 0),
        ("@(unchecked(2147483647 + 1))", -2147483648),  # constants only inside unchecked
        ("@(2147483647L + 1)", 2147483648),  # long does not wrap at 32 bits
        ("@(1 + 2 * 3 - 4)", 3),
        ("@(7.0 / 2)", 3.5),
        ("@(1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 4 == false)", True),
        ("@(0x1F + 0b11 + 1_000)", 1034),
        ("@(1.0 / 0)", float("inf")),
    ],
)
def test_arithmetic(text: str, expected: object) -> None:
    assert evaluate(text) == expected


def test_integer_division_by_zero_at_run_time() -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate('@(1 / (context.Variables.GetValueOrDefault<int>("n") - 42))')
    assert info.value.exception_type == "DivideByZeroException"
    assert evaluate('@(1 / (context.Variables.GetValueOrDefault<int>("n") - 41))') == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('@("a" + null + 1 + true + false)', "a1TrueFalse"),
        ('@(1 + 2 + "x" + 1 + 2)', "3x12"),
        ("@(true.ToString() + 1.5 + 'c')", "True1.5c"),
        ('@(1e15 + "|" + 1e17 + "|" + 0.00001 + "|" + 0.1)', "1000000000000000|1E+17|1E-05|0.1"),
        ('@($"id={context.Variables["n"]}, ok={true}, none={null}")', "id=42, ok=True, none="),
        ('@(@"C:\\path\\""x""")', 'C:\\path\\"x"'),
        ('@("tab\\tnew\\nquote\\"\\u00e9")', 'tab\tnew\nquote"é'),
        ('@("ab" == "ab" && "ab" != "AB")', True),
        ('@("ABC".ToLower() + "abc".ToUpperInvariant() + " x ".Trim())', "abcABCx"),
        ("@(\"a,b;c\".Split(',', ';').Length)", 3),
        (
            '@("hello".Substring(1, 3) + "hello".IndexOf("l") + "hello".Replace("l", "L"))',
            "ell2heLLo",
        ),
        ('@("Hello".StartsWith("he", StringComparison.OrdinalIgnoreCase))', True),
        ('@("Hello".StartsWith("he"))', False),
        (
            '@(string.IsNullOrEmpty("") && string.IsNullOrWhiteSpace("  ") && '
            '!string.IsNullOrEmpty("x"))',
            True,
        ),
        (
            '@(string.Join(",", "a", "b") + string.Concat("c", 1) + '
            'string.Format("{0}-{1}", 1, "z"))',
            "a,bc11-z",
        ),
        ('@("abc"[1])', CsChar("b")),
    ],
)
def test_strings(text: str, expected: object) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    "text",
    ['@("a" < "b")', "@(true + 1)", '@(1 == "1")', "@(true == 1)", "@(!1)", '@(-"a")'],
)
def test_operands_csharp_rejects_are_refused_at_load(text: str) -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate(text)
    assert "cannot be applied to operand" in info.value.message


def test_substring_out_of_range_throws() -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate('@("abc".Substring(2, 5))')
    assert info.value.exception_type == "ArgumentOutOfRangeException"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@(context.Deployment.Certificates.Any())", True),
        (f'@(context.Deployment.Certificates.All(c => c.Key == "{T1}"))', True),
        ('@(context.Deployment.Certificates.All(c => c.Key == "x"))', False),
        ("@(context.Deployment.Certificates.Count)", 1),
        ("@(context.Deployment.Certificates.Count())", 1),
        (
            '@(context.Deployment.Certificates.Where(c => c.Key != "x")'
            ".Select(c => c.Key).First())",
            T1,
        ),
        (
            '@(context.Deployment.Certificates.Where(c => c.Key == "x").FirstOrDefault() == null)',
            True,
        ),
        ('@(context.Deployment.Certificates.Keys.Contains("x"))', False),
        (f'@(context.Deployment.Certificates.Keys.Contains("{T1}"))', True),
        ('@(new[] { "a", "b", "c" }.Skip(1).Take(1).ToArray()[0])', "b"),
        ("@(\"banana\".Count(ch => ch == 'a'))", 3),
        ('@(context.Request.Headers["x-forwarded-for"].Length)', 2),
        (
            '@(context.Request.Headers.GetValueOrDefault("X-FORWARDED-FOR", ""))',
            "10.0.0.1,10.0.0.2",
        ),
        ('@(context.Request.Headers.GetValueOrDefault("missing", "dflt"))', "dflt"),
        ('@(context.Variables.GetValueOrDefault<int>("missing"))', 0),
        ('@(context.Variables.GetValueOrDefault<bool>("flag"))', True),
        ('@(context.Variables.GetValueOrDefault<string>("missing", "d"))', "d"),
        ('@(context.Variables.ContainsKey("n") ? (int)context.Variables["n"] + 1 : -1)', 43),
    ],
)
def test_collections_and_linq(text: str, expected: object) -> None:
    assert evaluate(text) == expected


def test_first_on_empty_throws() -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate('@(context.Deployment.Certificates.First(c => c.Key == "x"))')
    assert info.value.exception_type == "InvalidOperationException"
    assert info.value.message == "Sequence contains no matching element"


def test_lambda_closes_over_outer_values_and_short_circuits_linq() -> None:
    # Any stops at the first match, so the throwing predicate part is never reached
    text = (
        "@(context.Deployment.Certificates.Any(c => c.Value.Thumbprint == "
        "context.Request.Certificate.Thumbprint || c.Value.Frob()))"
    )
    assert evaluate(text, make_context(Certificate(T1)), typed=False) is True
    with pytest.raises(ExpressionRuntimeError):
        evaluate(text, make_context(Certificate("other")), typed=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('@(context.Request.Certificate == null ? "none" : "some")', "none"),
        ("@(context.Request.Certificate?.Thumbprint?.Length ?? -1)", -1),
        ("@(context.Request.Certificate?.Thumbprint.Length > 3)", False),  # lifted: null > 3
        ('@(context.Variables.GetValueOrDefault("missing") ?? "fallback")', "fallback"),
        ('@(context.Variables["n"] as string)', None),
        ('@(context.Variables["s"] as string)', "text"),
    ],
)
def test_null_handling(text: str, expected: object) -> None:
    assert evaluate(text, make_context(None)) == expected


def test_blocks_with_locals_if_and_return() -> None:
    text = """@{
        var count = context.Variables.GetValueOrDefault<int>("n");
        string label;
        if (count > 40) {
            label = "many";
        } else if (count > 0) label = "some";
        else { label = "none"; }
        int total = count * 2;
        total += 1;
        return label + ":" + total;
    }"""
    assert evaluate(text) == "many:85"


def test_block_out_var_and_header_lookup() -> None:
    text = """@{
        string[] values;
        if (context.Request.Headers.TryGetValue("X-Forwarded-For", out values)) {
            return values[values.Length - 1];
        }
        return context.Request.Headers.TryGetValue("nope", out var none) ? "?" : "no header";
    }"""
    assert evaluate(text) == "10.0.0.2"
    assert evaluate(text, make_context(headers={"Other": ["1"]})) == "no header"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("@{ var x; return 1; }", "Implicitly-typed variables must be initialized"),
        ("@{ var x = null; return 1; }", "Cannot assign <null> to an implicitly-typed variable"),
        (
            '@{ int x = "a"; return x; }',
            "Cannot implicitly convert type 'System.String' to 'System.Int32'",
        ),
        ("@{ var context = 1; return context; }", "A local or parameter named 'context'"),
        ("@{ var a = 1; var a = 2; return a; }", "A local or parameter named 'a'"),
        ("@{ return; }", "An object of a type convertible to 'object' is required"),
        (
            "@(context.Deployment.Certificates.Any(context => true))",
            "A local or parameter named 'context'",
        ),
    ],
)
def test_block_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate(text)
    assert message in info.value.message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("@(true)", True),
        ("  @(a(b)c)  ", True),
        ('@(x == ")")', True),
        ("@{ return 1; }", True),
        ("@(a) + @(b)", False),
        ("@(a", False),
        ("x @(a)", False),
        ("plain text", False),
        ("@ (a)", False),
        ('@($"{(1)}")', True),
        ("@('}')", True),
        ("", False),
    ],
)
def test_is_expression(value: str, expected: bool) -> None:
    assert is_expression(value) is expected


def test_to_dotnet_string() -> None:
    assert [to_dotnet_string(v) for v in (None, True, False, 42, 2.5, "s", CsChar("c"))] == [
        "",
        "True",
        "False",
        "42",
        "2.5",
        "s",
        "c",
    ]
    assert to_dotnet_string(CsArray(["a"])) == "System.String[]"


def test_read_only_dictionary_contract() -> None:
    d = ReadOnlyDictionary({"Key": 1}, ignore_case=True)
    assert d.get_item("KEY") == 1 and d.ContainsKey("key") and d.Count == 1
    assert d.TryGetValue("kEy") == (True, 1) and d.TryGetValue("x") == (False, None)
    assert [(p.Key, p.Value) for p in d] == [("Key", 1)]
    with pytest.raises(ExpressionRuntimeError) as info:
        d.get_item("x")
    assert info.value.message == "The given key 'x' was not present in the dictionary."
    strict = ReadOnlyDictionary({"Key": 1})
    assert not strict.ContainsKey("key")
    with pytest.raises(ExpressionRuntimeError) as null_key:
        strict.ContainsKey(None)
    assert null_key.value.exception_type == "ArgumentNullException"


def test_lifted_not_on_nullable_bool() -> None:
    text = "@(!context.Request.Certificate?.Verify())"
    assert evaluate(text, make_context(None)) is None
    assert evaluate(text, make_context(Certificate(T1))) is False


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("@{ int i = 5; short s = i; return s; }", "System.Int16"),
        ("@{ sbyte s = 1; byte b = s; return b; }", "System.Byte"),
        ("@{ short s = 1; ushort u = s; return u; }", "System.UInt16"),
        ("@{ long l = 1; int i = l; return i; }", "System.Int32"),
    ],
)
def test_narrowing_needs_a_cast(text: str, target: str) -> None:
    """The twin of the widening vectors (`stmt-implicit-widening-*`): no implicit narrowing."""
    with pytest.raises(ExpressionError) as info:
        evaluate(text)
    assert info.value.message.endswith(f"to '{target}'")


class _Frozen(CsObject):
    __slots__ = ("Thumbprint",)
    CS_MEMBERS = frozenset({"Thumbprint"})
    CS_IMMUTABLE = True
    Thumbprint: str | None

    def __init__(self, thumbprint: str | None) -> None:
        self.Thumbprint = thumbprint


class _Mutable(_Frozen):
    __slots__ = ()
    CS_IMMUTABLE = False


ANY_VALUE = (
    '@(context.Variables["d"].Any(c => c.Value.Thumbprint == (string)context.Variables["t"]))'
)


@pytest.mark.parametrize("cls", [_Frozen, _Mutable])
@pytest.mark.parametrize(("wanted", "found"), [("B", True), ("Z", False), ("b", False)])
def test_any_over_a_snapshot_dictionary_by_index_or_by_loop(
    cls: type[_Frozen], wanted: str, found: bool
) -> None:
    """`Any(c => c.Value.M == x)` is a set lookup for immutable values (the uploaded
    certificates) and the plain loop otherwise: the same answers, ordinal comparison."""
    values = ReadOnlyDictionary({k: cls(k) for k in "ABC"})
    context = make_context(variables={"d": values, "t": wanted})
    assert evaluate(ANY_VALUE, context) is found
    assert evaluate(ANY_VALUE, context) is found  # the second time from the kept index


def test_indexed_any_keeps_csharp_evaluation_order() -> None:
    # empty: the lambda never runs, so the value (a failing cast here) is never computed
    empty = make_context(variables={"d": ReadOnlyDictionary({}), "t": 5})
    assert evaluate(ANY_VALUE, empty) is False
    # not empty: the value is computed, and its exception surfaces as in C#
    full = make_context(variables={"d": ReadOnlyDictionary({"A": _Frozen("A")}), "t": 5})
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate(ANY_VALUE, full)
    assert info.value.exception_type == "InvalidCastException"
    # a null member somewhere: no index, the loop answers
    nulls = ReadOnlyDictionary({"A": _Frozen(None), "B": _Frozen("B")})
    assert evaluate(ANY_VALUE, make_context(variables={"d": nulls, "t": "B"})) is True
