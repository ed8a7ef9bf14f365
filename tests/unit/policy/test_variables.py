"""Variables keep the .NET type of their integral values: unboxing as another type throws.

`set-variable` stores an expression's value with the expression's static type; C# unboxing
(`(long)context.Variables["n"]` of a stored int) and APIM's `GetValueOrDefault<T>` throw
InvalidCastException for another type (spec §3.7), and `is` answers for the stored type. Each
test runs a real policy document through the engine.
"""

from __future__ import annotations

import pytest

from certgate.core.context import RequestContext
from certgate.core.expr.variables import VariableDictionary
from certgate.core.policy.document import EffectivePolicy, load_document
from certgate.core.policy.engine import execute
from certgate.expr_cli import build_context


def context() -> RequestContext:
    """The default request of `certgate expr eval` (GET https://api.contoso.com/)."""
    ctx = build_context(None)
    assert isinstance(ctx, RequestContext)
    return ctx


def run(stored: str, read: str) -> tuple[int, str]:
    """Store `stored` in variable `v`, answer with `read`; (status, body or LastError)."""
    text = (
        f'<policies><inbound><set-variable name="v" value="{stored}" />'
        '<return-response><set-status code="200" />'
        f"<set-body>{read}</set-body></return-response></inbound></policies>"
    )
    policy = EffectivePolicy.compose([load_document(text, source="p.xml", scope="api")])
    ctx = context()
    steps = execute(policy, ctx)
    try:
        steps.send(None)  # type: ignore[arg-type]
    except StopIteration as stop:
        response = stop.value
    else:
        raise AssertionError("the policy forwarded")
    if ctx.LastError is not None:
        return response.status, ctx.LastError.Message
    return response.status, response.body.decode()


INT = "@(5)"
LONG = "@(DateTimeOffset.FromUnixTimeSeconds(5).ToUnixTimeSeconds())"


@pytest.mark.parametrize(
    ("stored", "read", "body"),
    [
        (INT, '@(((int)context.Variables["v"] + 1).ToString())', "6"),
        (LONG, '@(((long)context.Variables["v"] + 1).ToString())', "6"),
        (LONG, '@(context.Variables.GetValueOrDefault<long>("v").ToString())', "5"),
        (INT, '@(context.Variables.GetValueOrDefault<int>("v", 0).ToString())', "5"),
        (INT, '@(((int?)context.Variables["v"]).ToString())', "5"),
        (INT, '@((context.Variables["v"] is int).ToString())', "True"),
        (LONG, '@((context.Variables["v"] is long).ToString())', "True"),
        (INT, '@((context.Variables["v"] is long).ToString())', "False"),
        (LONG, '@((context.Variables["v"] is int).ToString())', "False"),
        ("@{ return 5L; }", '@(((long)context.Variables["v"]).ToString())', "5"),
        ("5", '@((string)context.Variables["v"])', "5"),  # a literal is a string
        (INT, '@(context.Variables["v"].ToString())', "5"),
        (INT, '@(((object)context.Variables["v"]).ToString())', "5"),
    ],
)
def test_reading_a_variable_as_its_stored_type(stored: str, read: str, body: str) -> None:
    assert run(stored, read) == (200, body)


@pytest.mark.parametrize(
    ("stored", "read", "message"),
    [
        (
            INT,
            '@(((long)context.Variables["v"]).ToString())',
            "'System.Int32' to type 'System.Int64'",
        ),
        (
            LONG,
            '@(((int)context.Variables["v"]).ToString())',
            "'System.Int64' to type 'System.Int32'",
        ),
        (
            LONG,
            '@(context.Variables.GetValueOrDefault<int>("v").ToString())',
            "'System.Int64' to type 'System.Int32'",
        ),
        (
            INT,
            '@(context.Variables.GetValueOrDefault<long>("v", 0).ToString())',
            "'System.Int32' to type 'System.Int64'",
        ),
        (
            LONG,
            '@(((int?)context.Variables["v"]).ToString())',
            "'System.Int64' to type 'System.Int32'",
        ),
        (
            INT,
            '@(((double)context.Variables["v"]).ToString())',
            "'System.Int32' to type 'System.Double'",
        ),
        (
            "@{ return 5L; }",
            '@(((int)context.Variables["v"]).ToString())',
            "'System.Int64' to type 'System.Int32'",
        ),
    ],
)
def test_unboxing_a_variable_as_another_type_throws(stored: str, read: str, message: str) -> None:
    status, error = run(stored, read)
    assert status == 500
    assert error == f"Expression evaluation failed. Unable to cast object of type {message}."


def test_a_block_returning_several_types_records_none_and_is_judged_by_range() -> None:
    mixed = "@{ if (context.Request.Method == &quot;x&quot;) { return 5L; } return 5; }"
    assert run(mixed, '@(((long)context.Variables["v"]).ToString())') == (200, "5")
    assert run(mixed, '@(((int)context.Variables["v"]).ToString())') == (200, "5")


def test_an_unrecorded_value_beyond_int32_is_an_int64() -> None:
    variables = VariableDictionary({"big": 3_000_000_000, "n": 5}, {})
    assert variables.boxed_type("big", 3_000_000_000) == "System.Int64"
    assert variables.boxed_type("n", 5) is None  # not known: any integral cast is accepted


def test_set_variable_forgets_the_type_of_a_replaced_value() -> None:
    ctx = context()
    ctx.set_variable("v", 5, "System.Int64")
    ctx.set_variable("v", 5)
    assert ctx.Variables.boxed_type("v", 5) is None
    ctx.set_variable("v", "text", "System.Int64")  # only integral values carry a type
    assert ctx.Variables.boxed_type("v", "text") is None
