"""Load-time types of APIM's own members (no Mono vectors: the oracle's stand-in context lacks
them): `Body.As<T>(preserveContent)` takes a bool, and `context.Product`, `Subscription` and
`User` have their documented members (spec §2.9, §2.12, §2.13), though certgate has none of
them yet: they are null at run time."""

from __future__ import annotations

import pytest

from certgate.core.context import RequestContext
from certgate.core.expr import compile_expression
from certgate.errors import ExpressionError, ExpressionRuntimeError, NotSupportedError

from .test_forms import make_context, run


def refused(text: str) -> str:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text, context_type=RequestContext)
    assert not isinstance(caught.value, NotSupportedError)
    return caught.value.message


@pytest.mark.parametrize(
    "argument", ["1", '"true"', "preserveContent: 1", 'preserveContent: "true"']
)
def test_body_as_takes_a_bool(argument: str) -> None:
    message = refused(f"@(context.Request.Body.As<JObject>({argument}))")
    assert (
        message
        == "The best overloaded method match for 'IMessageBody.As' has some invalid arguments"
    )


@pytest.mark.parametrize(
    "argument", ["", "true", "preserveContent: true", "preserveContent: 1 == 1"]
)
def test_body_as_with_a_bool_runs(argument: str) -> None:
    assert run(f"@(context.Request.Body.As<string>({argument}))", make_context(b"x")) == "x"


@pytest.mark.parametrize("arguments", ["", "true"])
def test_body_as_needs_its_type_argument(arguments: str) -> None:
    """`As<T>` has no other overload, and C# cannot infer its T (csc: CS0411)."""
    assert refused(f"@(context.Request.Body.As({arguments}))").startswith(
        "The type arguments for method 'As<T>' cannot be inferred from the usage"
    )


def test_body_as_takes_one_argument_at_most() -> None:
    assert refused("@(context.Request.Body.As<string>(true, true))") == (
        "No overload for method 'As' takes 2 arguments"
    )


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("@(context.User.Emial)", "Usage of member 'Emial' of type 'IUser' is not supported"),
        ("@(context.Subscription.Kye)", "Usage of member 'Kye' of type 'ISubscription' is not"),
        ("@(context.Product.Name.Lenght)", "Usage of member 'Lenght' of type 'System.String'"),
        ("@(context.Product.Groups.First().Nmae)", "Usage of member 'Nmae' of type 'IGroup'"),
        (
            "@(context.Product == 0)",
            "Operator '==' cannot be applied to operands of type 'IProduct'",
        ),
        ("@(context.Subscription.Key * 2)", "Operator '*' cannot be applied to operands of type"),
    ],
)
def test_product_subscription_and_user_members_are_checked(expression: str, message: str) -> None:
    assert refused(expression).startswith(message)


@pytest.mark.parametrize(
    "expression",
    [
        '@(context.User?.Email ?? "anonymous")',
        '@(context.Subscription?.Key ?? "none")',
        '@(context.Product?.Name ?? "none")',
        '@(context.User?.Groups.Any(g => g.Name == "admins") == true ? "admin" : "none")',
        "@(context.Product?.SubscriptionsLimit ?? 0)",
        '@(context.Subscription?.EndDate?.ToString("o") ?? "none")',
        '@(context.User?.Identities.First().Provider ?? "none")',
    ],
)
def test_without_a_subscription_they_are_null(expression: str) -> None:
    assert run(expression) in ("anonymous", "none", 0)


def test_reading_a_member_of_a_null_one_throws_as_in_apim() -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        run("@(context.Subscription.Key)")
    assert caught.value.exception_type == "NullReferenceException"


@pytest.mark.parametrize(
    "expression",
    [
        '@(((JObject)context.Request.Body.As<JObject>(true))["a"].ToString())',
        '@((string)context.Request.Body.As<JObject>(preserveContent: true)["a"])',
        '@((string)context.Request.Body.As<Newtonsoft.Json.Linq.JObject>(true)["a"])',
    ],
)
def test_a_cast_of_a_generic_call_with_arguments(expression: str) -> None:
    """`(JObject)b.As<JObject>(true)` is a cast of a call (C# reads `<...>(` as type arguments),
    not the comparison the grammar first sees."""
    assert run(expression, make_context(b'{"a": "1"}')) == "1"


@pytest.mark.parametrize(
    "expression",
    [
        '@(((IResponse)context.Variables["r"].ToString()).StatusCode)',
        '@("x" as IResponse)',
        '@((IRequest)"x")',
    ],
)
def test_a_string_is_none_of_apims_interfaces(expression: str) -> None:
    """A string is sealed: a cast to an interface it does not implement is csc's CS0030."""
    assert refused(expression).startswith("Cannot convert type 'System.String' to 'I")


def test_an_object_may_be_any_of_them() -> None:
    """From an `object` the cast is checked at run time, as in C#."""
    with pytest.raises(ExpressionRuntimeError) as caught:
        run('@{ object o = "x"; return ((IResponse)o).StatusCode; }')
    assert caught.value.exception_type == "InvalidCastException"
