"""Newtonsoft.Json.Linq, part 1b: Json.NET's conversions of token values.

`explicit` is the explicit operators (`(int)token`, `(string)token`), `convert_token` the
`Extensions.Convert<JToken, U>` behind `Value<U>()`/`Values<U>()`, `change_type` the
`Convert.ChangeType(value, U, InvariantCulture)` both end in.
"""

from __future__ import annotations

from typing import Any

from . import convert as cv
from . import exceptions as exc
from .datefmt import parse_datetime
from .decimals import CsDecimal, decimal_as_number, to_decimal
from .jtoken import JToken, JValue, json_error
from .singles import CsSingle, to_single
from .singles import to_decimal as single_to_decimal
from .strings import format_double, to_string
from .typenames import resolve
from .types import CsChar, CsTypeRef

_NUMERIC = frozenset({"Integer", "Float", "String", "Comment", "Boolean"})
_TARGET_KINDS: dict[str, frozenset[str]] = {
    "System.String": frozenset(
        {
            "Date",
            "Integer",
            "Float",
            "String",
            "Comment",
            "Raw",
            "Boolean",
            "Bytes",
            "Guid",
            "TimeSpan",
            "Uri",
        }
    ),
    "System.Boolean": frozenset({"Integer", "Float", "String", "Comment", "Boolean"}),
    "System.DateTime": frozenset({"Date", "String", "Comment"}),
}


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def explicit(token: object, target: CsTypeRef) -> object:
    """`(T)token`: Json.NET's explicit conversion operators from JToken."""
    nullable = not target.is_value_type and target.name != "System.String"
    if token is None:
        if target.name == "System.String" or nullable:
            return None
        raise exc.argument_null("value")
    assert isinstance(token, JToken)
    allowed = _TARGET_KINDS.get(target.name, _NUMERIC)
    kinds = allowed | (
        {"Null", "Undefined"} if nullable or target.name == "System.String" else set()
    )
    if not isinstance(token, JValue) or token.KIND_NAME not in kinds:
        shown = token.KIND_NAME
        value_of = getattr(token, "property_value", None)  # a JProperty converts its value
        if value_of is not None:
            shown = value_of().KIND_NAME
        raise json_error(f"Can not convert {shown} to {_short(target.name)}.", "ArgumentException")
    if token.raw is None:
        return None
    return change_type(token.raw, target)


def convert_token(token: JToken | None, target: CsTypeRef) -> object:
    """Extensions.Convert<JToken, U>: what `Value<U>()` and `Values<U>()` return."""
    if token is None:
        return target.default
    if not target.classes or (isinstance(token, JToken) and target.accepts(token)):
        if target.classes and issubclass(target.classes[0], JToken):
            return token
        if not target.classes:
            return token.raw if isinstance(token, JValue) else token
    if not isinstance(token, JValue):
        raise exc.ExpressionRuntimeError(
            "InvalidCastException", f"Cannot cast {token.CS_TYPE} to {JToken.CS_TYPE}."
        )
    value = token.raw
    if (
        value is not None
        and target.accepts(value)
        and not (
            target.name == "System.Int32" and type(value) is int and not -(2**31) <= value < 2**31
        )
    ):
        return value
    if value is None:
        if target.is_value_type:
            raise exc.ExpressionRuntimeError(
                "InvalidCastException", "Null object cannot be converted to a value type."
            )
        return None
    return change_type(value, target)


_CONVERTERS: dict[str, Any] = {
    "System.Int32": cv.to_int32,
    "System.Int64": cv.to_int64,
    "System.Int16": cv.to_int16,
    "System.Byte": cv.to_byte,
    "System.SByte": cv.to_sbyte,
    "System.UInt16": cv.to_uint16,
    "System.UInt32": cv.to_uint32,
    "System.UInt64": cv.to_uint64,
    "System.Double": cv.to_double,
    "System.Boolean": cv.to_boolean,
    "System.Char": cv.to_char,
    "System.Decimal": to_decimal,
    "System.Single": to_single,
}


def change_type(value: object, target: CsTypeRef) -> object:
    """Convert.ChangeType(value, T, InvariantCulture) for the types JSON values convert to."""
    if target.accepts(value) and target.classes:
        return value
    if target.name == "System.String":
        return format_double(value) if type(value) is float else to_string(value)
    converter = _CONVERTERS.get(target.name)
    if type(value) is CsDecimal and converter is not None and target.name != "System.Decimal":
        value = decimal_as_number(value, target.name)  # as Convert.ToX(decimal) reads it
    if type(value) is CsSingle and target.name == "System.Decimal":
        return single_to_decimal(value)
    if type(value) is CsSingle and target.name != "System.Single":
        value = value.value  # Convert.ToX(float) reads the double
    if converter is not None:
        if type(value) is CsChar and target.name not in ("System.Char", "System.String"):
            raise exc.invalid_cast(value, target.name)
        return converter(value)
    if target.name == "System.DateTime" and type(value) is str:
        return parse_datetime(value)
    if target.name in ("System.Guid", "System.TimeSpan", "System.Uri") and type(value) is str:
        info = resolve(target.name)
        parse = info.statics.get("Parse")
        if parse is not None:
            return parse.value(value)  # type: ignore[operator]
        if info.ctor is not None:
            return info.ctor(value)
    raise exc.ExpressionRuntimeError(
        "InvalidCastException",
        f"Invalid cast from '{exc.clr_name(value)}' to '{target.name}'.",
    )
