"""Newtonsoft.Json.Linq, part 1b: Json.NET's conversions of token values.

`explicit` is the explicit operators (`(int)token`, `(string)token`), `convert_token` the
`Extensions.Convert<JToken, U>` behind `Value<U>()`/`Values<U>()`, `change_type` the
`Convert.ChangeType(value, U, InvariantCulture)` both end in.
"""

from __future__ import annotations

from typing import Any

from . import convert as cv
from . import exceptions as exc
from .binary import CsBytes
from .datefmt import parse_datetime
from .datetime import DateTime, DateTimeOffset, new_datetimeoffset
from .decimals import CsDecimal, decimal_as_number, to_decimal
from .jtoken import JToken, JValue, is_byte_array, json_error
from .singles import CsSingle, to_single
from .singles import to_decimal as single_to_decimal
from .strings import format_double, to_string
from .typenames import resolve
from .types import CsChar, CsTypeRef

# JToken's NumberTypes (BooleanTypes is the same), CharTypes, DateTimeTypes, ...: the token
# types each explicit operator takes (a nullable target also takes Null and Undefined).
_NUMBER = frozenset({"Integer", "Float", "String", "Comment", "Raw", "Boolean"})
_DATE = frozenset({"Date", "String", "Comment", "Raw"})
_OPERATOR_KINDS: dict[str, frozenset[str]] = {
    "System.String": frozenset(
        {"Date", "Integer", "Float", "String", "Comment", "Raw", "Boolean", "Bytes", "Guid"}
        | {"TimeSpan", "Uri"}
    ),
    "System.Char": frozenset({"Integer", "Float", "String", "Comment", "Raw"}),
    "System.DateTime": _DATE,
    "System.DateTimeOffset": _DATE,
    "System.Byte[]": frozenset({"Bytes", "String", "Comment", "Raw", "Integer"}),
    "System.Guid": frozenset({"String", "Comment", "Raw", "Guid", "Bytes"}),
    "System.TimeSpan": frozenset({"String", "Comment", "Raw", "TimeSpan"}),
    "System.Uri": frozenset({"String", "Comment", "Raw", "Uri"}),
}
_NUMBER_TARGETS = (
    "System.Boolean", "System.Int32", "System.Int64", "System.Int16", "System.Byte",
    "System.SByte", "System.UInt16", "System.UInt32", "System.UInt64", "System.Double",
    "System.Single", "System.Decimal",
)  # fmt: skip
#: The types JToken has explicit operators to (each also as Nullable<T>).
OPERATOR_TARGETS = frozenset(_OPERATOR_KINDS) | frozenset(_NUMBER_TARGETS)


def _short(name: str) -> str:
    return "byte array" if name == "System.Byte[]" else name.rsplit(".", 1)[-1]


def explicit(token: object, target: CsTypeRef) -> object:
    """`(T)token`: Json.NET's explicit conversion operators from JToken. Those to string, Uri
    and Nullable<T> take Null; the one to byte[] takes a null token but not a Null value."""
    if token is None:
        if not target.is_value_type:
            return None
        raise exc.argument_null("value")
    value_of = getattr(token, "property_value", None)
    if value_of is not None:  # a JProperty converts its value (Json.NET's EnsureValue)
        token = value_of()
    assert isinstance(token, JToken)
    nullable = not target.is_value_type and target.name != "System.Byte[]"
    kinds = _OPERATOR_KINDS.get(target.name, _NUMBER)
    if nullable:
        kinds = kinds | {"Null", "Undefined"}
    if not isinstance(token, JValue) or token.KIND_NAME not in kinds:
        raise json_error(
            f"Can not convert {token.KIND_NAME} to {_short(target.name)}.", "ArgumentException"
        )
    if token.raw is None:
        return None
    special = _OPERATORS.get(target.name)
    return change_type(token.raw, target) if special is None else special(token, target)


def _to_string(token: JValue, target: CsTypeRef) -> object:
    """Base64 for bytes, else Convert.ToString(value, InvariantCulture)."""
    value = token.raw
    if is_byte_array(value):
        return cv.to_base64_string(value)
    return format_double(value) if type(value) is float else to_string(value)


def _to_datetime(token: JValue, target: CsTypeRef) -> object:
    value = token.raw
    if isinstance(value, DateTimeOffset):
        return value.DateTime
    return change_type(value, target)


def _to_datetimeoffset(token: JValue, target: CsTypeRef) -> object:
    value = token.raw
    if isinstance(value, DateTimeOffset):
        return value
    if type(value) is str:  # also a Comment's or a JRaw's text
        return resolve("System.DateTimeOffset").statics["Parse"].value(value)  # type: ignore[operator]
    return new_datetimeoffset(value)  # a Date's DateTime (the local offset: UTC)


def _to_bytes(token: JValue, target: CsTypeRef) -> object:
    value = token.raw
    if type(value) is str:
        return cv.from_base64_string(value)
    if type(value) is int and not -(2**63) <= value < 2**63:  # BigInteger.ToByteArray()
        size = ((value if value >= 0 else ~value).bit_length() + 8) // 8
        return CsBytes(value.to_bytes(size, "little", signed=True))
    if is_byte_array(value):
        return value
    raise json_error(f"Can not convert {token.KIND_NAME} to byte array.", "ArgumentException")


def _parsed(token: JValue, target: CsTypeRef) -> object:
    """Guid, TimeSpan, Uri: the value itself, else read from its text (`new Guid(s)`,
    `TimeSpan.Parse(s, InvariantCulture)`, `new Uri(s)`); a Guid also from 16 bytes."""
    value = token.raw
    if target.accepts(value):
        return value
    info = resolve(target.name)
    parse = info.statics.get("Parse") if target.name == "System.TimeSpan" else None
    if parse is not None:
        return parse.value(to_string(value))  # type: ignore[operator]
    assert info.ctor is not None
    return info.ctor(value if is_byte_array(value) else to_string(value))


_OPERATORS: dict[str, Any] = {
    "System.String": _to_string,
    "System.DateTime": _to_datetime,
    "System.DateTimeOffset": _to_datetimeoffset,
    "System.Byte[]": _to_bytes,
    "System.Guid": _parsed,
    "System.TimeSpan": _parsed,
    "System.Uri": _parsed,
}


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


#: The values that are IConvertible, the only ones Convert.ChangeType converts.
_CONVERTIBLE = (str, bool, int, float, CsChar, CsDecimal, CsSingle, DateTime)
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


_INTEGRAL_CONVERTERS = frozenset(
    name
    for name in _CONVERTERS
    if name.startswith(("System.Int", "System.UInt", "System.Byte", "System.SByte"))
)


def change_type(value: object, target: CsTypeRef) -> object:
    """Convert.ChangeType(value, T, InvariantCulture) for the types JSON values convert to:
    a DateTimeOffset, Guid, TimeSpan, Uri or byte[] converts to nothing but its own type. An
    integer goes through its converter even to an integral type, for the range check."""
    if type(value) is int and target.name in _INTEGRAL_CONVERTERS:
        return _CONVERTERS[target.name](value)
    boolean_to_number = type(value) is bool and target.name != "System.Boolean"
    if target.accepts(value) and target.classes and not boolean_to_number:  # (True is an int)
        return value
    if not isinstance(value, _CONVERTIBLE):
        raise exc.ExpressionRuntimeError(
            "InvalidCastException", "Object must implement IConvertible."
        )
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
    raise exc.ExpressionRuntimeError(
        "InvalidCastException",
        f"Invalid cast from '{exc.clr_name(value)}' to '{target.name}'.",
    )
