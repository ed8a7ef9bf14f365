""".NET exceptions raised by the expression runtime, with the messages .NET uses.

Everything an expression can throw is an `ExpressionRuntimeError` carrying the .NET type name;
`map_python_error` converts whatever Python raised underneath (a bug in a helper, a limit) so
that nothing else ever escapes `Expression.evaluate`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ...errors import ExpressionRuntimeError
from .types import CsChar, CsObject

__all__ = ["ExpressionRuntimeError", "clr_name", "map_python_error"]


_T = TypeVar("_T")


def clr_name(value: object) -> str:
    """The .NET type name of a runtime value, as cast messages print it."""
    if isinstance(value, CsObject):
        return value.CS_TYPE
    return {
        str: "System.String",
        bool: "System.Boolean",
        int: "System.Int32",
        float: "System.Double",
        CsChar: "System.Char",
    }.get(type(value), "System.Object")


def null_reference() -> ExpressionRuntimeError:
    return ExpressionRuntimeError(
        "NullReferenceException", "Object reference not set to an instance of an object."
    )


def invalid_cast(value: object, target: str) -> ExpressionRuntimeError:
    return ExpressionRuntimeError(
        "InvalidCastException",
        f"Unable to cast object of type '{clr_name(value)}' to type '{target}'.",
    )


def key_not_found(key: object) -> ExpressionRuntimeError:
    return ExpressionRuntimeError(
        "KeyNotFoundException", f"The given key '{key}' was not present in the dictionary."
    )


def argument_null(param: str) -> ExpressionRuntimeError:
    return ExpressionRuntimeError(
        "ArgumentNullException", f"Value cannot be null. (Parameter '{param}')"
    )


def string_argument(value: object, param: str) -> str:
    """A `string` parameter's value: ArgumentNullException for null, InvalidCastException for
    anything but a string (what a call with a mistyped argument would do at run time)."""
    if value is None:
        raise argument_null(param)
    if type(value) is not str:
        raise invalid_cast(value, "System.String")
    return value


def typed_argument(value: object, param: str, cls: type[_T], clr: str) -> _T:
    """A parameter of a reference type `clr`: ArgumentNullException for null,
    InvalidCastException for a value of another type."""
    if isinstance(value, cls):
        return value
    if value is None:
        raise argument_null(param)
    raise invalid_cast(value, clr)


def delegate(value: object, param: str, clr: str) -> Callable[..., Any]:
    """A delegate parameter (`Func`, `Predicate`, `Converter`, `Action`, named by `clr`):
    ArgumentNullException for null, InvalidCastException for a value that is not callable."""
    if value is None:
        raise argument_null(param)
    if not callable(value):
        raise invalid_cast(value, clr)
    return value


def argument_out_of_range(param: str) -> ExpressionRuntimeError:
    return ExpressionRuntimeError(
        "ArgumentOutOfRangeException",
        f"Specified argument was out of the range of valid values. (Parameter '{param}')",
    )


def index_out_of_range() -> ExpressionRuntimeError:
    return ExpressionRuntimeError(
        "IndexOutOfRangeException", "Index was outside the bounds of the array."
    )


def invalid_operation(message: str) -> ExpressionRuntimeError:
    return ExpressionRuntimeError("InvalidOperationException", message)


def no_value() -> ExpressionRuntimeError:
    return invalid_operation("Nullable object must have a value.")


def divide_by_zero() -> ExpressionRuntimeError:
    return ExpressionRuntimeError("DivideByZeroException", "Attempted to divide by zero.")


def overflow() -> ExpressionRuntimeError:
    return ExpressionRuntimeError(
        "OverflowException", "Arithmetic operation resulted in an overflow."
    )


def format_error(
    message: str = "Input string was not in a correct format.",
) -> ExpressionRuntimeError:
    return ExpressionRuntimeError("FormatException", message)


def unsupported_member(member: str, type_name: str) -> ExpressionRuntimeError:
    return ExpressionRuntimeError(
        "NotSupportedException",
        f"Usage of member '{member}' of type '{type_name}' is not supported within expressions",
    )


def map_python_error(exc: BaseException) -> ExpressionRuntimeError:
    """The .NET exception closest to a Python one that escaped the runtime."""
    if isinstance(exc, ExpressionRuntimeError):
        return exc
    if isinstance(exc, RecursionError):
        return ExpressionRuntimeError(
            "InsufficientExecutionStackException",
            "Insufficient stack to continue executing the program safely.",
        )
    if isinstance(exc, MemoryError):
        return ExpressionRuntimeError(
            "OutOfMemoryException", "Insufficient memory to continue the execution of the program."
        )
    if isinstance(exc, ZeroDivisionError):
        return divide_by_zero()
    if isinstance(exc, OverflowError):
        return overflow()
    if isinstance(exc, KeyError):
        return key_not_found(exc.args[0] if exc.args else "")
    if isinstance(exc, IndexError):
        return index_out_of_range()
    if isinstance(exc, AttributeError) and exc.obj is None:  # a direct getter met null
        return null_reference()
    if isinstance(exc, (TypeError, AttributeError)):
        return ExpressionRuntimeError("InvalidCastException", "Specified cast is not valid.")
    if isinstance(exc, ValueError):
        return format_error()
    # a helper failed in a way we did not map: report it without Python internals
    return ExpressionRuntimeError("Exception", "Exception of type 'System.Exception' was thrown.")
