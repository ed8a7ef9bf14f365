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


# `HResult` per type (the HRESULT constants .NET and .NET Framework share); others inherit
# their base class's, down to COR_E_EXCEPTION for `Exception` and the Json exceptions
_HRESULTS: dict[str, int] = {
    "Exception": -2146233088,  # COR_E_EXCEPTION 0x80131500
    "SystemException": -2146233087,  # COR_E_SYSTEM 0x80131501
    "ApplicationException": -2146232832,  # COR_E_APPLICATION 0x80131600
    "ArgumentException": -2147024809,  # COR_E_ARGUMENT 0x80070057
    "ArgumentNullException": -2147467261,  # E_POINTER 0x80004003
    "ArgumentOutOfRangeException": -2146233086,  # 0x80131502
    "ArithmeticException": -2147024362,  # 0x80070216
    "DivideByZeroException": -2147352558,  # 0x80020012
    "OverflowException": -2146233066,  # 0x80131516
    "FormatException": -2146233033,  # 0x80131537
    "IndexOutOfRangeException": -2146233080,  # 0x80131508
    "InvalidCastException": -2147467262,  # E_NOINTERFACE 0x80004002
    "InvalidOperationException": -2146233079,  # 0x80131509
    "ObjectDisposedException": -2146232798,  # 0x80131622
    "KeyNotFoundException": -2146232969,  # 0x80131577
    "NotSupportedException": -2146233067,  # 0x80131515
    "NotImplementedException": -2147467263,  # E_NOTIMPL 0x80004001
    "NullReferenceException": -2147467261,  # E_POINTER 0x80004003
    "OutOfMemoryException": -2147024882,  # E_OUTOFMEMORY 0x8007000E
    "InsufficientExecutionStackException": -2146232968,  # 0x80131578
    "TimeoutException": -2146233083,  # 0x80131505
    "CryptographicException": -2146233296,  # CORSEC_E_CRYPTO 0x80131430
    "XmlException": -2146232000,  # 0x80131940
}


def hresult(short: str) -> int:
    name: str | None = short
    while name is not None:
        if name in _HRESULTS:
            return _HRESULTS[name]
        name = _BASES.get(name)
    return _HRESULTS["Exception"]


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
    CS_MEMBERS = frozenset(
        {"Message", "InnerException", "Source", "HResult", "ToString", "GetBaseException"}
    )

    def __init__(self, error: ExpressionRuntimeError) -> None:
        self.error = error

    @classmethod
    def create(cls, message: object = None, inner: object = None) -> CsException:
        """`new Exception()`, `new Exception(message)`, `new Exception(message, inner)`."""
        if message is None:
            message = "Exception of type 'System.Exception' was thrown."
        if type(message) is not str:
            raise exc.invalid_cast(message, "System.String")
        if inner is not None and not isinstance(inner, CsException):
            raise exc.invalid_cast(inner, "System.Exception")
        error = ExpressionRuntimeError("Exception", message)
        error.user_thrown = True  # type: ignore[attr-defined]
        error.inner_exception = inner  # type: ignore[attr-defined]  # survives throw and catch
        return cls(error)

    @property
    def Message(self) -> str:
        return self.error.message

    @property
    def InnerException(self) -> CsException | None:
        inner = getattr(self.error, "inner_exception", None)
        return inner if isinstance(inner, CsException) else None

    def GetBaseException(self) -> CsException:
        """The innermost exception of the InnerException chain (this one if it has none)."""
        found, inner = self, self.InnerException
        while inner is not None:
            found, inner = inner, inner.InnerException
        return found

    @property
    def Source(self) -> str | None:
        """Null: .NET names the assembly of the throwing method, which has no counterpart here
        (the runtime's, e.g. "System.Private.CoreLib", or the expression's dynamic assembly)."""
        return None

    @property
    def HResult(self) -> int:
        return hresult(self.error.exception_type)

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
