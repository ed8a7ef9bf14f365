"""C#'s implicit numeric conversions at run time, for values stored into typed collections:
`new List<double> { 1 }` holds the double 1.0 (Json.NET writes "1.0"), `List<decimal>.Add(2)`
the decimal 2, `Dictionary<string, long>` a char's code. The compiler converts what it can see
(assignments, array initializers); collections convert here, on the element type they keep."""

from __future__ import annotations

from collections.abc import Callable

from .decimals import coerce as to_decimal
from .singles import CsSingle
from .singles import coerce as to_single
from .types import CsChar, CsTypeRef


def _double(value: object) -> object:
    if type(value) is int:
        return float(value)
    if type(value) is CsChar:
        return float(ord(value.value))
    if type(value) is CsSingle:
        return value.value
    return value


def _single(value: object) -> object:
    return to_single(value) if type(value) in (int, CsChar) else value


def _decimal(value: object) -> object:
    return to_decimal(value) if type(value) in (int, CsChar) else value


def _integral(value: object) -> object:
    return ord(value.value) if type(value) is CsChar else value


_BY_TYPE: dict[str, Callable[[object], object]] = {
    "System.Double": _double,
    "System.Single": _single,
    "System.Decimal": _decimal,
    **dict.fromkeys(
        ("System.Int32", "System.Int64", "System.UInt16", "System.UInt32", "System.UInt64"),
        _integral,
    ),
}


def element_converter(ref: CsTypeRef) -> Callable[[object], object] | None:
    """The conversion a collection of `ref` applies to what it stores, or None (none needed)."""
    return _BY_TYPE.get(ref.name)
