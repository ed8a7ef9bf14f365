"""Turning attribute and element values (a literal, or an expression's result) into what a policy
needs: a Boolean, an integer, or text rendered the way .NET's `ToString()` renders it (spec §3.5).
"""

from __future__ import annotations

from certgate.core.context import RequestContext
from certgate.core.expr import Expression, to_dotnet_string
from certgate.errors import ExpressionRuntimeError


def evaluate(value: str | Expression, ctx: RequestContext) -> object:
    """A literal as is, or the expression's .NET-typed result."""
    return value if isinstance(value, str) else value.evaluate(ctx)


def to_text(value: str | Expression, ctx: RequestContext) -> str:
    if isinstance(value, str):
        return value
    return to_dotnet_string(value.evaluate(ctx))


def to_bool(value: bool | Expression, ctx: RequestContext) -> bool:
    if isinstance(value, bool):
        return value
    result = value.evaluate(ctx)
    if not isinstance(result, bool):
        raise ExpressionRuntimeError(
            "InvalidCastException", "Expression result is not a Boolean value."
        )
    return result


def to_int(value: int | Expression, ctx: RequestContext) -> int:
    if isinstance(value, int):
        return value
    result = value.evaluate(ctx)
    if isinstance(result, bool) or not isinstance(result, int | float):
        raise ExpressionRuntimeError("InvalidCastException", "Expression result is not a number.")
    return int(result)
