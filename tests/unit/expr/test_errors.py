"""Load-time errors: csc-like messages at the absolute document line/column, with the element."""

from __future__ import annotations

import pytest

from certgate.core.context import RequestContext
from certgate.core.expr import compile_expression
from certgate.errors import ExpressionError, ExpressionRuntimeError, NotSupportedError

from .conftest import Certificate, Context, evaluate, make_context


def error_of(text: str, line: int = 1, column: int = 1) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_expression(text, element="when", source="api.xml", line=line, column=column)
    return info.value


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("@(context.Request.Certificate == null || || true)", "Invalid expression term '||'", 42),
        ("@(a.b(1)", ") expected", 9),
        ('@("abc)', "Unterminated string literal", 3),
        ("@(a +)", "Invalid expression term ')'", 6),
        ("@(a.)", "Identifier expected", 5),
        ("@()", "Invalid expression term ')'", 3),
        ("@(a b)", ") expected", 5),
        ("@{ return 1 }", "; expected", 12),
        ("@{ var x = 1 return x; }", "; expected", 14),
        ("@(1 / 0)", "Division by constant zero", 5),
    ],
)
def test_syntax_error_message_and_column(text: str, message: str, column: int) -> None:
    error = error_of(text)
    assert (error.message, error.line, error.column) == (message, 1, column)
    assert error.element == "when" and error.source == "api.xml"
    assert str(error) == f"api.xml, element 'when', line 1, column {column}: {message}"


def test_valid_twin_of_each_syntax_error_compiles() -> None:
    for text in ("@(true || true)", "@(1 + 1)", '@("abc")', "@{ return 1; }", "@(1 / 2)"):
        assert compile_expression(text).evaluate(make_context()) is not None


def test_error_in_expression_starting_at_line_7_column_30() -> None:
    error = error_of("@(context.Request.Certificate == null || || true)", line=7, column=30)
    # '||' is the 40th character after '@(' ... the 41st of the text: column 30 + 41
    assert (error.line, error.column) == (7, 71)


def test_error_on_a_later_line_of_a_multi_line_expression() -> None:
    text = (
        "@(context.Request.Certificate == null\n"
        "    || context.Request.Certificate.Thumbprint !=\n"
        "    || true)"
    )
    error = error_of(text, line=7, column=30)
    assert error.message == "Invalid expression term '||'"
    assert (error.line, error.column) == (9, 5)


def test_column_counts_characters_not_utf8_bytes() -> None:
    error = error_of('@("é€😀" + é.)', line=3, column=10)
    assert (error.line, error.column) == (3, 10 + 11)  # the '.' is character 11 (0-based)


def test_leading_whitespace_and_newlines_are_counted() -> None:
    error = error_of("\n   @(a ||)", line=2, column=8)
    assert (error.line, error.column) == (3, 10)


def test_newline_inside_regular_string() -> None:
    error = error_of('@(x == "a\nb")', line=1, column=1)
    assert (error.message, error.column) == ("Newline in constant", 8)


def test_newline_inside_verbatim_string_is_fine() -> None:
    assert evaluate('@(@"a\nb")') == "a\nb"


def test_text_after_the_expression_is_refused() -> None:
    assert error_of("@(1) + (2)").message == "Unexpected text after the expression"


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        (
            "@(context.Request.Certificate.Frobnicate)",  # no such .NET member
            "Usage of member 'Frobnicate' of type 'X509Certificate2' is not supported within "
            "expressions",
            31,
        ),
        (
            '@(context.Request.Headers.Frobnicate("x"))',
            "Usage of member 'Frobnicate' of type 'IReadOnlyDictionary' is not supported within "
            "expressions",
            27,
        ),
        (
            "@(System.Globalization.CultureInfo.InvariantCulture.Name)",
            "Usage of type 'System.Globalization.CultureInfo' is not supported within expressions",
            3,
        ),
        (
            "@(unknownName.Length)",
            "The name 'unknownName' does not exist in the current context",
            3,
        ),
        (
            "@(context.Request.StatusCode.Length)",
            "Usage of member 'Length' of type 'System.Int32' is not supported within expressions",
            30,
        ),
    ],
)
def test_unknown_members_and_types_at_load(text: str, message: str, column: int) -> None:
    with pytest.raises((ExpressionError, NotSupportedError)) as info:
        compile_expression(text, context_type=Context, element="set-header")
    error = info.value
    if isinstance(error, NotSupportedError):
        assert error.message.startswith("not supported yet: member 'Length'")
    else:
        assert error.message == message
    assert error.column == column


def test_known_member_twin_compiles_and_runs() -> None:
    assert evaluate("@(context.Request.Certificate == null)") is True


def test_unknown_member_on_untyped_context_fails_at_run_time() -> None:
    expression = compile_expression("@(context.Request.Certificate.Subject)")

    with pytest.raises(ExpressionRuntimeError) as info:
        expression.evaluate(make_context(Certificate("AB")))
    assert info.value.exception_type == "NotSupportedException"
    assert "Usage of member 'Subject' of type 'X509Certificate2'" in info.value.message


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("@{ L: goto L; }", "C# statement 'labeled statement'"),
        ("@{ async void F() { } return 1; }", "'async' local functions"),
        (
            "@{ switch ((object)1) { case int n when n > 0: return 1; } return 0; }",
            "pattern matching in switch (C# 7 case patterns)",
        ),
        ("@(decimal.IsEvenInteger(2m))", "member 'IsEvenInteger' of type 'System.Decimal'"),
        (
            '@(SymmetricAlgorithm.Create("Aes").LegalKeySizes)',
            "member 'LegalKeySizes' of type 'System.Security.Cryptography.SymmetricAlgorithm'",
        ),
        ("@(x is > 5)", "pattern '> 5' (C# 8 and later)"),
        ('@{ string s = null; s ??= "x"; return s; }', "operator '??=' (C# 8 and later)"),
        ('@{ string? s = null; return s ?? "x"; }', "nullable reference type 'string?'"),
        ("@(a..b)", "C# construct 'range expression'"),
        ("@(TimeZoneInfo.Utc.StandardName)", "member 'StandardName' of type 'System.TimeZoneInfo'"),
        ("@(Convert.GetTypeCode(1))", "member 'GetTypeCode' of type 'System.Convert'"),
    ],
)
def test_unimplemented_constructs_name_themselves(text: str, what: str) -> None:
    with pytest.raises(NotSupportedError) as info:
        compile_expression(text, element="set-body", line=4, column=9)
    assert info.value.what == what
    assert info.value.message == f"not supported yet: {what}"
    assert info.value.line == 4 and info.value.element == "set-body"


def test_missing_return_path_is_refused() -> None:
    error = error_of("@{ if (context.Request.Certificate == null) { return 1; } }")
    assert error.message == "Not all code paths return a value"


def test_all_paths_return_twin() -> None:
    text = (
        '@{ if (context.Request.Certificate == null) { return "none"; } else { return "some"; } }'
    )
    assert evaluate(text) == "none"


# The grammar misreads `new List<Guid> { g }` inside parentheses as `(new List) < Guid > { g }`;
# the parser adds the `()` C# reads the same and maps positions back to the user's text.
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("@((long)(new List<Guid> { Guid.Empty, Guid.Empty }.Count))", 2),
        ("@(1 + (new List<Guid> { Guid.Empty }.Count))", 2),
        ('@((new Dictionary<string, List<Guid>> { { "a", null } }.Count))', 1),
        ("@((new List<Guid> { Guid.Empty }.Count) + (new HashSet<Guid> { Guid.Empty }.Count))", 2),
        ("@{ if ((new List<JObject> { new JObject() }.Count) > 0) { return 1; } return 0; }", 1),
        # and a cast before a generic call with a generic type argument: `((int)J.D < List<int>)
        # > (s)[0]`; the parser puts the cast's operand in parentheses
        ('@((int)JsonConvert.DeserializeObject<List<int>>("[5]")[0] + 1)', 6),
        (
            """@((long)JsonConvert.DeserializeObject<Dictionary<string, List<int>>>("{'a':[7]}")["a"][0])""",
            7,
        ),
    ],
)
def test_generic_creation_inside_parentheses(text: str, value: int) -> None:
    assert evaluate(text, make_context()) == value


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        (
            "@((new List<Guid> { Guid.Empty }.Foo))",
            "Foo",
            "Usage of member 'Foo' of type 'System.Collections.Generic.List' is not supported "
            "within expressions",
        ),
        (
            "@((new List<Guid> { Guid.Empty }.Count) + (new HashSet<Guid> { x }.Count))",
            "x",
            "The name 'x' does not exist in the current context",
        ),
        (
            "@((new List<Guid> { Guid.Empty }.Count) + y)",
            "y",
            "The name 'y' does not exist in the current context",
        ),
        (
            '@((int)JsonConvert.DeserializeObject<List<int>>("[5]")[0].Foo)',
            "Foo",
            "Usage of member 'Foo' of type 'System.Int32' is not supported within expressions",
        ),
    ],
)
def test_generic_creation_inside_parentheses_errors_keep_columns(
    text: str, name: str, message: str
) -> None:
    error = error_of(text)
    assert (error.message, error.column) == (message, text.rindex(name) + 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '@(context.RequestId == "x")',
            "Operator '==' cannot be applied to operands of type 'System.Guid' and 'string'",
        ),
        ("@(context.RequestId.Substring(1))", "member 'Substring' of type 'System.Guid'"),
    ],
)
def test_request_id_is_a_guid_not_a_string(text: str, message: str) -> None:
    with pytest.raises((ExpressionError, NotSupportedError)) as info:
        compile_expression(text, context_type=RequestContext)
    assert message in str(info.value)
    accepted = '@(context.RequestId.ToString("N").Substring(1))'
    assert compile_expression(accepted, context_type=RequestContext) is not None
