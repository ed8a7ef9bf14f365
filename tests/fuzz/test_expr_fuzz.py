"""Fuzzing the expression compiler: whatever the input, only the documented errors come out.

compile_expression returns an Expression or raises ExpressionError/NotSupportedError; evaluate
returns or raises ExpressionRuntimeError. Anything else (a Python exception, a crash) is a bug.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgate.core.expr import compile_expression, is_expression
from certgate.errors import ExpressionError, ExpressionRuntimeError, NotSupportedError
from tests.unit.expr.conftest import T1, Certificate, Context, make_context

SETTINGS = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CONTEXTS = [make_context(None), make_context(Certificate(T1)), make_context(Certificate("ab"))]

_ATOMS = st.sampled_from(
    [
        "context",
        "context.Request",
        "context.Request.Certificate",
        "context.Request.Certificate.Thumbprint",
        "context.Request.Certificate?.Thumbprint",
        "context.Deployment.Certificates",
        'context.Variables["n"]',
        'context.Variables["s"]',
        'context.Variables["missing"]',
        'context.Request.Headers["X-Forwarded-For"]',
        "null",
        "true",
        "false",
        "0",
        "1",
        "-1",
        "2147483647",
        "1.5",
        '""',
        '"T1"',
        "'c'",
        "c",
        "x",
        "__class__",
    ]
)
_MEMBERS = st.sampled_from(
    [
        "Length",
        "Thumbprint",
        "Value",
        "Key",
        "Count",
        "ToString()",
        "ToUpper()",
        "Any()",
        "Any(c => c.Value != null)",
        "Verify()",
        "Substring(1)",
        "__dict__",
        "GetType()",
    ]
)
_BINOPS = st.sampled_from(["==", "!=", "||", "&&", "+", "-", "*", "/", "%", "<", ">=", "??"])


def _expressions() -> st.SearchStrategy[str]:
    return st.recursive(
        _ATOMS,
        lambda inner: st.one_of(
            st.tuples(inner, _BINOPS, inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
            st.tuples(inner, _MEMBERS).map(lambda t: f"{t[0]}.{t[1]}"),
            st.tuples(inner, _MEMBERS).map(lambda t: f"{t[0]}?.{t[1]}"),
            inner.map(lambda e: f"!{e}"),
            inner.map(lambda e: f"({e})"),
            st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} ? {t[1]} : {t[2]}"),
            inner.map(lambda e: f"context.Deployment.Certificates.Any(c => {e})"),
            inner.map(lambda e: f"(string){e}"),
        ),
        max_leaves=8,
    )


def _check(text: str) -> None:
    try:
        expression = compile_expression(text, context_type=Context)
    except (ExpressionError, NotSupportedError):
        return
    for context in CONTEXTS:
        try:
            expression.evaluate(context)
        except ExpressionRuntimeError:
            pass


@SETTINGS
@given(st.text(max_size=60))
def test_arbitrary_text_inside_an_expression(body: str) -> None:
    _check(f"@({body})")
    _check(f"@{{{body}}}")


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("@(){}[]\"'$\\/*.?:=!<>c1 \n")), max_size=40))
def test_bracket_and_quote_soup(text: str) -> None:
    is_expression(text)  # never raises
    _check(text)


@SETTINGS
@given(_expressions())
def test_csharp_like_grammar(body: str) -> None:
    _check(f"@({body})")
    _check(f"@{{ var x = {body}; return x; }}")
