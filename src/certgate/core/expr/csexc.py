"""`System.Exception` as a value: what `catch (Exception e)` binds and `new Exception(...)` makes.

A thrown .NET exception travels as an `ExpressionRuntimeError` (its `exception_type` is the short
.NET name); `CsException` is the object an expression sees. `catches` answers `catch (T)` with
the .NET class hierarchy of the exceptions the runtime can throw.

Failures that mean "certgate cannot do this" (messages starting with 'not supported yet: '),
the end of the time budget (`budget`) and unmapped internal errors are never caught by user
code: a `catch` must not turn a limitation of ours into a silently different result.
"""

from __future__ import annotations

from typing import NoReturn

from ...errors import ExpressionBudgetExceeded
from . import exceptions as exc
from .exceptions import ExpressionRuntimeError
from .types import CsObject

# short name -> base class short name ("Exception" is the root)
_BASES: dict[str, str] = {
    "SystemException": "Exception",
    "ApplicationException": "Exception",
    "ArgumentException": "SystemException",
    "ArgumentNullException": "ArgumentException",
    "ArgumentOutOfRangeException": "ArgumentException",
    "ArithmeticException": "SystemException",
    "DivideByZeroException": "ArithmeticException",
    "OverflowException": "ArithmeticException",
    "FormatException": "SystemException",
    "UriFormatException": "FormatException",
    "IndexOutOfRangeException": "SystemException",
    "InvalidCastException": "SystemException",
    "InvalidOperationException": "SystemException",
    "ObjectDisposedException": "InvalidOperationException",
    "KeyNotFoundException": "SystemException",
    "NotSupportedException": "SystemException",
    "NotImplementedException": "SystemException",
    "NullReferenceException": "SystemException",
    "OutOfMemoryException": "SystemException",
    "InsufficientExecutionStackException": "SystemException",
    "TimeoutException": "SystemException",
    "RegexMatchTimeoutException": "TimeoutException",
    "CryptographicException": "SystemException",
    "XmlException": "SystemException",
    "JsonException": "Exception",
    "JsonReaderException": "JsonException",
    "JsonSerializationException": "JsonException",
    "JsonWriterException": "JsonException",
}
_NAMESPACES = {
    "KeyNotFoundException": "System.Collections.Generic",
    "CryptographicException": "System.Security.Cryptography",
    "RegexMatchTimeoutException": "System.Text.RegularExpressions",
    "XmlException": "System.Xml",
    "JsonException": "Newtonsoft.Json",
    "JsonReaderException": "Newtonsoft.Json",
    "JsonSerializationException": "Newtonsoft.Json",
    "JsonWriterException": "Newtonsoft.Json",
}


def exception_full_name(short: str) -> str:
    return f"{_NAMESPACES.get(short, 'System')}.{short}"


def exception_short_name(name: str) -> str | None:
    """`FormatException` / `System.FormatException` -> "FormatException"; None if unknown."""
    short = name.rsplit(".", 1)[-1]
    if short != "Exception" and short not in _BASES:
        return None
    return short if name in (short, exception_full_name(short)) else None


class CsException(CsObject):
    __slots__ = ("error",)
    CS_TYPE = "System.Exception"
    CS_MEMBERS = frozenset({"Message", "InnerException", "Source", "HResult", "ToString"})

    def __init__(self, error: ExpressionRuntimeError) -> None:
        self.error = error

    @classmethod
    def create(cls, message: object = None, inner: object = None) -> CsException:
        """`new Exception()`, `new Exception(message)`, `new Exception(message, inner)`."""
        if message is None:
            message = "Exception of type 'System.Exception' was thrown."
        if type(message) is not str:
            raise exc.invalid_cast(message, "System.String")
        error = ExpressionRuntimeError("Exception", message)
        error.user_thrown = True  # type: ignore[attr-defined]
        return cls(error)

    @property
    def Message(self) -> str:
        return self.error.message

    @property
    def InnerException(self) -> CsException | None:
        return None

    @property
    def Source(self) -> str | None:
        return None

    @property
    def HResult(self) -> int:
        return -2146233088

    def ToString(self) -> str:
        # .NET appends the stack trace, which an expression has no equivalent of
        return f"{exception_full_name(self.error.exception_type)}: {self.error.message}"


def is_uncatchable(error: ExpressionRuntimeError) -> bool:
    if isinstance(error, ExpressionBudgetExceeded):  # the stop of a runaway loop
        return True
    if error.message.startswith("not supported yet: "):
        return True
    # the runtime only ever throws specific types: a bare "Exception" is a helper's bug
    return error.exception_type == "Exception" and not getattr(error, "user_thrown", False)


def caught(error: BaseException) -> CsException:
    """The exception object for a `catch` clause; re-raises what user code must not catch."""
    mapped = exc.map_python_error(error)
    if is_uncatchable(mapped):
        raise mapped
    return CsException(mapped)


def catches(value: CsException, short: str) -> bool:
    """Does `catch (short)` catch `value`?"""
    name: str | None = value.error.exception_type
    while name is not None:
        if name == short:
            return True
        name = "Exception" if name not in _BASES and name != "Exception" else _BASES.get(name)
    return False


def throw(value: object) -> NoReturn:
    """`throw value` (statement or expression)."""
    if value is None:
        raise exc.null_reference()
    if not isinstance(value, CsException):
        raise exc.invalid_cast(value, "System.Exception")
    raise value.error
