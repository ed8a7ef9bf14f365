"""Run-time helpers for the C# statements and expressions of `creation`/`effects`/`codegen`:
type tests, `foreach`, assignments through indexers and properties, `checked` arithmetic,
integral conversions, bitwise operators, interpolation holes with format and alignment.

Like `runtime`, every member access goes through the member tables; nothing here reaches a Python
attribute a C# name could choose. `LANGUAGE_HELPERS` is merged into `compiler.HELPERS`.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable
from typing import Any

from . import csexc, decimals, ops, runtime, singles, utf16
from . import exceptions as exc
from .arrays import CsArray, is_enumerable
from .budget import check_length
from .collections import value_equals
from .jtoken import JToken, to_token
from .jvalues import explicit
from .members import table_for
from .strings import to_string
from .types import CsChar, CsObject, CsTypeRef

# integral type -> (min, max); `char` is 0..0xFFFF
RANGES: dict[str, tuple[int, int]] = {
    "System.SByte": (-(2**7), 2**7 - 1),
    "System.Byte": (0, 2**8 - 1),
    "System.Int16": (-(2**15), 2**15 - 1),
    "System.UInt16": (0, 2**16 - 1),
    "System.Int32": (-(2**31), 2**31 - 1),
    "System.UInt32": (0, 2**32 - 1),
    "System.Int64": (-(2**63), 2**63 - 1),
    "System.UInt64": (0, 2**64 - 1),
    "System.Char": (0, 2**16 - 1),
}


def _wrap(value: int, target: str) -> int:
    low, high = RANGES[target]
    span = high - low + 1
    return (value - low) % span + low


def convert(value: object, target: str, checked: bool = False) -> object:
    """Explicit numeric conversion `(T)x` for every integral type, `double` and `char`."""
    if type(value) is singles.CsSingle and target in RANGES:
        value = singles.as_double(value)  # an integral target: the double's conversion
    if type(value) is decimals.CsDecimal and target != "System.Single":
        return decimals.cast(value, target)
    if target not in RANGES or (
        not checked and target in ("System.Int32", "System.Int64", "System.Char")
    ):
        return ops.convert(value, target)
    if value is None:
        raise exc.no_value()
    number: object = ord(value.value) if isinstance(value, CsChar) else value
    if type(number) is float:
        if checked and (math.isnan(number) or math.isinf(number)):
            raise exc.overflow()
        number = int(number) if checked else _truncate_x64(number, target)
    if type(number) is not int:
        raise exc.invalid_cast(value, target)
    low, high = RANGES[target]
    if checked and not low <= number <= high:
        raise exc.overflow()
    result = _wrap(number, target)
    return CsChar(chr(result)) if target == "System.Char" else result


_TWO_63 = 2.0**63


def _truncate_x64(value: float, target: str) -> int:
    """An unchecked double -> integral conversion as x64 .NET does it: the hardware truncates
    to 64 bits (UInt32) or 32 bits (the narrower types), out of range or NaN giving the lowest
    value, whose low bits the target keeps; UInt64 goes through the JIT's helper."""
    if target == "System.UInt64":
        if value < _TWO_63:
            return _int64_x64(value)
        return _int64_x64(value - _TWO_63) + 2**63
    if target == "System.UInt32":
        return _int64_x64(value)
    whole = int(value) if math.isfinite(value) else -(2**31)
    return whole if -(2**31) <= whole < 2**31 else -(2**31)


def _int64_x64(value: float) -> int:
    whole = int(value) if math.isfinite(value) else -(2**63)
    return whole if -(2**63) <= whole < 2**63 else -(2**63)


def checked_int(value: int, target: str = "System.Int32") -> int:
    low, high = RANGES[target]
    if not low <= value <= high:
        raise exc.overflow()
    return value


def checked_arith(op: str, a: object, b: object) -> object:
    """`ops.arith` inside `checked`: integer results out of range throw."""
    result = ops.arith(op, a, b)
    if type(result) is int and type(a) is int and type(b) is int:
        wide = not (ops._is_int32(a) and ops._is_int32(b))
        exact = a + b if op == "+" else a - b if op == "-" else a * b if op == "*" else result
        return checked_int(exact, "System.Int64" if wide else "System.Int32")
    return result


# --- bitwise operators ------------------------------------------------------------------------


def _integral(value: object) -> int:
    if type(value) is int:
        return value
    if type(value) is CsChar:
        return ord(value.value)
    raise exc.invalid_cast(value, "System.Int32")


def bitwise(op: str, a: object, b: object, width: int = 0) -> object:
    """`& | ^` on ints (wrapped) or bools (no short circuit), `<< >>` with C#'s count masking.

    `width`: the result type's bits when known statically (64: long, -32/-64: uint/ulong);
    0 where the types are only known at run time, which widens to long by value.
    """
    if a is None or b is None:  # bool?: null & false is false, null | true is true
        known = b if a is None else a
        if type(known) is bool and (op, known) in (("&", False), ("|", True)):
            return known
        return None
    if type(a) is bool and type(b) is bool:
        if op == "&":
            return a and b
        if op == "|":
            return a or b
        if op == "^":
            return a != b
        raise exc.invalid_cast(a, "System.Int32")
    x, y = _integral(a), _integral(b)
    if width == 0 and (not ops._is_int32(x) or (op not in ("<<", ">>") and not ops._is_int32(y))):
        width = 64
    bits = abs(width) or 32
    if op == "<<":
        result = x << (y & (bits - 1))
    elif op == ">>":
        result = x >> (y & (bits - 1))
    elif op == "&":
        result = x & y
    elif op == "|":
        result = x | y
    else:
        result = x ^ y
    if width < 0:
        return result & ((1 << bits) - 1)
    return ops.wrap64(result) if bits == 64 else ops.wrap32(result)


# --- type tests -------------------------------------------------------------------------------


def as_type(value: object, target: CsTypeRef) -> object:
    return value if value is not None and target.accepts(value) else None


def is_constant(value: object, constant: object) -> bool:
    """Constant pattern `x is c`: `null`, or a constant of the value's own type."""
    if constant is None:
        return value is None
    return value_equals(value, constant)


# --- foreach, using ---------------------------------------------------------------------------


def each(source: object) -> Iterable[object]:
    """The sequence `foreach` walks (a string's UTF-16 units); C# throws NullReferenceException
    on a null collection."""
    if type(source) is str:
        return [CsChar(c) for c in utf16.units(source)]
    if source is None:
        raise exc.null_reference()
    if not is_enumerable(source):
        raise exc.invalid_cast(source, "System.Collections.IEnumerable")
    return source  # type: ignore[return-value]


def each_as(source: object, target: CsTypeRef) -> Iterable[object]:
    """`foreach (T x in source)`: each element explicitly converted to T."""
    for item in each(source):
        yield cast_value(item, target)


def cast_value(value: object, target: CsTypeRef) -> object:
    """`(T)value` when it may involve a user-defined conversion: Json.NET's explicit operators
    from JToken (`(int)token["n"]`) and implicit ones to JToken (`(JToken)"text"`)."""
    if target.accepts(value):
        return value
    if isinstance(value, JToken) and not (
        target.classes and issubclass(target.classes[0], CsObject)
    ):
        return explicit(value, target)
    if (
        target.classes
        and issubclass(target.classes[0], JToken)
        and (value is not None and not isinstance(value, CsObject))
    ):
        token = to_token(value)
        if target.accepts(token):
            return token
    return runtime.cast(value, target)


def dispose(value: object) -> None:
    """End of `using`: `Dispose()` when the type has one (our runtime types hold no OS handles)."""
    if value is None:
        return
    table = table_for(type(value))
    if table is not None and "Dispose" in table.methods:
        table.methods["Dispose"](value)


# --- assignments --------------------------------------------------------------------------------


def set_index(obj: object, *keys_and_value: object) -> object:
    """`obj[keys] = value`; returns value (an assignment is an expression in C#)."""
    *keys, value = keys_and_value
    if obj is None:
        raise exc.null_reference()
    table = table_for(type(obj))
    setter = None if table is None else getattr(table, "index_setter", None)
    if setter is None:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException",
            f"Property or indexer '{exc.clr_name(obj)}.this[]' cannot be assigned to -- it is "
            "read only",
        )
    setter(obj, *keys, value)
    return value


def set_member(obj: object, name: str, value: object) -> object:
    """`obj.Name = value` for properties with a setter; returns value."""
    if obj is None:
        raise exc.null_reference()
    table = table_for(type(obj))
    setters: dict[str, Callable[[Any, object], None]] = (
        {} if table is None else getattr(table, "setters", {})
    )
    setter = setters.get(name)
    if setter is None:
        if table is not None and name in table.props:
            raise exc.ExpressionRuntimeError(
                "NotSupportedException",
                f"Property or indexer '{table.cs_type}.{name}' cannot be assigned to -- it is "
                "read only",
            )
        raise exc.unsupported_member(name, exc.clr_name(obj))
    setter(obj, value)
    return value


def new_array(element: CsTypeRef, size: object) -> CsArray:
    """`new T[size]`: `size` default values."""
    if type(size) is not int:
        size = convert(size, "System.Int32")
    assert isinstance(size, int)
    if size < 0:
        raise exc.ExpressionRuntimeError(
            "OverflowException", "Arithmetic operation resulted in an overflow."
        )
    if size > 16 * 1024 * 1024:  # a request-controlled size must not exhaust memory
        raise exc.ExpressionRuntimeError(
            "OutOfMemoryException", "Array dimensions exceeded supported range."
        )
    return CsArray([element.default] * size)


# --- interpolation holes ----------------------------------------------------------------------

_FORMATTABLE: dict[type, bool] = {int: True, float: True}


def _takes_format(cls: type) -> bool:
    """Whether a value is IFormattable: its class says (`CS_FORMATTABLE`), else a `ToString`
    that takes a format and a provider tells."""
    known = _FORMATTABLE.get(cls)
    if known is None:
        _FORMATTABLE[cls] = known = _formattable(cls)
    return known


def _formattable(cls: type) -> bool:
    declared: bool | None = getattr(cls, "CS_FORMATTABLE", None)
    if declared is None:
        table = table_for(cls)
        method = None if table is None else table.methods.get("ToString")
        declared = False
        if method is not None:
            try:
                params = list(inspect.signature(method).parameters.values())
            except (TypeError, ValueError):
                params = []
            declared = len(params) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params)
    return declared


def format_hole(value: object, align: object = None, fmt: object = None) -> str:
    """`{value,align:fmt}`: IFormattable values get `ToString(fmt)`, others ignore the format."""
    if fmt is not None and value is not None and isinstance(value, (int, float, CsObject)):
        if type(value) is not bool and _takes_format(type(value)):
            text = runtime.call(value, "ToString", fmt)
        else:
            text = to_string(value)
    else:
        text = to_string(value)
    if not isinstance(text, str):
        text = to_string(text)
    if align is not None:
        width = _integral(align)
        check_length(abs(width))  # `$"{x,int.MaxValue}"`: a 2 G-character string otherwise
        pad = " " * (abs(width) - utf16.length(text))  # the width counts UTF-16 units
        text = pad + text if width > 0 else text + pad
    return text


LANGUAGE_HELPERS: dict[str, object] = {
    "_Exc": Exception,
    "_caught": csexc.caught,
    "_catches": csexc.catches,
    "_throw": csexc.throw,
    "_as": as_type,
    "_is": runtime.is_type,
    "_isc": is_constant,
    "_each": each,
    "_each_as": each_as,
    "_dispose": dispose,
    "_setidx": set_index,
    "_set": set_member,
    "_nconv": convert,
    "_ccast": cast_value,
    "_jcast": explicit,
    "_chk": checked_int,
    "_carith": checked_arith,
    "_bit": bitwise,
    "_newarr": new_array,
    "_fmt": format_hole,
}
