"""`System.Convert`: Base64, hex, and conversions between the primitive types.

`Convert.ToInt32(double)` rounds half to even (banker's), unlike a cast; string inputs parse in the
invariant culture; a null string converts to 0/false (not an exception), as .NET does.
"""

from __future__ import annotations

import base64
import binascii
import math
import re

from . import exceptions as exc
from . import utf16
from .binary import CsBytes, span, to_bytes
from .numbers import format_number, parse_double, parse_integer
from .strings import to_string
from .strings_more import char_array, write_chars
from .types import CsChar, CsObject

_RANGES = {
    "Int32": (-(2**31), 2**31 - 1, "an Int32"),
    "Int64": (-(2**63), 2**63 - 1, "an Int64"),
    "Int16": (-(2**15), 2**15 - 1, "an Int16"),
    "Byte": (0, 255, "an unsigned byte"),
    "SByte": (-128, 127, "a signed byte"),
    "UInt16": (0, 2**16 - 1, "a UInt16"),
    "UInt32": (0, 2**32 - 1, "a UInt32"),
    "UInt64": (0, 2**64 - 1, "a UInt64"),
}


def to_base64_string(value: object, offset: object = None, length: object = None) -> str:
    data = to_bytes(value, "inArray")
    if offset is not None:
        if length is None or isinstance(length, CsObject):
            raise exc.ExpressionRuntimeError(
                "NotSupportedException", "not supported yet: Base64FormattingOptions"
            )
        data = span(data, offset, length, ("offset", "length"))
    return base64.b64encode(data).decode("ascii")


_B64_WHITESPACE = re.compile(r"[ \t\r\n]")


def from_base64_string(value: object) -> CsBytes:
    if value is None:
        raise exc.argument_null("s")
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    text = _B64_WHITESPACE.sub("", value)
    if len(text) % 4 or not text.isascii():
        raise _bad_base64()
    body = text.rstrip("=")
    if len(text) - len(body) > 2 or "=" in body:
        raise _bad_base64()
    try:
        return CsBytes(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise _bad_base64() from None


def _bad_base64() -> exc.ExpressionRuntimeError:
    return exc.format_error(
        "The input is not a valid Base-64 string as it contains a non-base 64 character, more "
        "than two padding characters, or an illegal character among the padding characters."
    )


def _int_arg(value: object, param: str) -> int:
    """A non-negative `int` argument (.NET 8's `ThrowIfNegative` message)."""
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    if value < 0:
        raise exc.ExpressionRuntimeError(
            "ArgumentOutOfRangeException",
            f"{param} ('{value}') must be a non-negative value. (Parameter '{param}')\n"
            f"Actual value was {value}.",
        )
    return value


def _at_most(value: int, limit: int, param: str) -> None:
    """.NET 8's `ThrowIfGreaterThan(value, limit)`."""
    if value > limit:
        raise exc.ExpressionRuntimeError(
            "ArgumentOutOfRangeException",
            f"{param} ('{value}') must be less than or equal to '{limit}'. (Parameter '{param}')"
            f"\nActual value was {value}.",
        )


def to_base64_char_array(
    in_array: object,
    offset_in: object,
    length: object,
    out_array: object,
    offset_out: object,
    options: object = None,
) -> int:
    """Convert.ToBase64CharArray: the Base64 of `length` bytes from `offsetIn`, written into the
    char[] from `offsetOut`; returns the number of chars written. The checks run in .NET 8's
    order, down to its quirks: nothing is written for an empty input array, and a zero-length
    part of a non-empty one still takes the address of `outArray[offsetOut]`."""
    if options is not None:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException", "not supported yet: Base64FormattingOptions"
        )
    data = to_bytes(in_array, "inArray")
    target = char_array(out_array, "outArray")
    count = _int_arg(length, "length")
    start = _int_arg(offset_in, "offsetIn")
    at = _int_arg(offset_out, "offsetOut")
    _at_most(start, len(data) - count, "offsetIn")
    if not data:
        return 0
    text = base64.b64encode(data[start : start + count]).decode("ascii")
    _at_most(at, len(target) - len(text), "offsetOut")
    if at == len(target):  # `fixed (char* p = &outArray[offsetOut])` with nothing to write
        raise exc.index_out_of_range()
    write_chars(target, at, text)
    return len(text)


def from_base64_char_array(in_array: object, offset: object, length: object) -> CsBytes:
    """Convert.FromBase64CharArray: `length` chars from `offset` decoded as FromBase64String
    decodes a string."""
    chars = char_array(in_array, "inArray")
    count = _int_arg(length, "length")
    start = _int_arg(offset, "offset")
    _at_most(start, len(chars) - count, "offset")
    text = "".join(to_string(c) for c in list(chars)[start : start + count])
    return from_base64_string(text)


def to_hex_string(value: object, offset: object = None, length: object = None) -> str:
    data = to_bytes(value, "inArray")
    if offset is not None:
        data = span(data, offset, length, ("offset", "length"))
    return data.hex().upper()


def from_hex_string(value: object) -> CsBytes:
    if value is None:
        raise exc.argument_null("s")
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    if len(value) % 2:
        raise exc.format_error(
            "The input is not a valid hex string as its length is not a multiple of 2."
        )
    try:
        if not value.isascii():
            raise ValueError
        return CsBytes(bytes.fromhex(value))
    except ValueError:
        raise exc.format_error(
            "The input is not a valid hex string as it contains a non-hex character."
        ) from None


def _overflow(kind: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError(
        "OverflowException", f"Value was either too large or too small for {_RANGES[kind][2]}."
    )


def _integer(kind: str):  # type: ignore[no-untyped-def]
    low, high, _ = _RANGES[kind]

    def convert(value: object, base: object = None) -> int:
        if base is not None:
            return _from_base(value, base, kind)
        if value is None:
            return 0
        if type(value) is bool:
            return int(value)
        if type(value) is int:
            number = value
        elif type(value) is float:
            if math.isnan(value) or math.isinf(value):
                raise _overflow(kind)
            number = round(value)  # half to even, as Convert does
            if not low - 0.5 <= value < high + 0.5:
                raise _overflow(kind)
        elif type(value) is CsChar:
            number = ord(value.value)
        elif type(value) is str:
            return parse_integer(value, low, high, _RANGES[kind][2])
        else:
            raise exc.invalid_cast(value, f"System.{kind}")
        if not low <= number <= high:
            raise _overflow(kind)
        return number

    return convert


_BASE_DIGITS = {
    2: re.compile("[01]+"),
    8: re.compile("[0-7]+"),
    10: re.compile("[0-9]+"),
    16: re.compile("[0-9A-Fa-f]+"),
}


def _from_base(value: object, base: object, kind: str) -> int:
    """Convert.ToInt32(value, fromBase) & co.: .NET's ParseNumbers.StringToInt, tight (no
    blanks, nothing after the digits), a sign only in base 10, `0x` allowed in base 16."""
    if base not in (2, 8, 10, 16):
        raise exc.ExpressionRuntimeError(
            "ArgumentException", "Invalid Base. (Parameter 'fromBase')"
        )
    if value is None:
        return 0
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    text, radix = value, int(base)
    if not text:
        raise exc.ExpressionRuntimeError(
            "ArgumentOutOfRangeException",
            "Index was out of range. Must be non-negative and less than the size of the "
            "collection. (Parameter 'startIndex')",
        )
    negative = text[0] == "-"
    if negative and radix != 10:
        raise exc.ExpressionRuntimeError(
            "ArgumentException", "String cannot contain a minus sign if the base is not 10."
        )
    if negative and kind.startswith(("U", "Byte")):
        raise _overflow(kind)
    i = 1 if text[0] in "+-" else 0
    if radix == 16 and text[i : i + 2] in ("0x", "0X"):
        i += 2
    digits = _BASE_DIGITS[radix].match(text, i)
    if digits is None:
        raise exc.format_error("Could not find any recognizable digits.")
    if digits.end() < len(text):
        raise exc.format_error("Additional non-parsable characters are at the end of the string.")
    number = int(digits.group(), radix)
    low, high, _ = _RANGES[kind]
    if negative:
        number = -number
    elif radix != 10 and kind in ("Int32", "Int64", "Int16", "SByte"):
        bits = {"Int32": 32, "Int64": 64, "Int16": 16, "SByte": 8}[kind]
        if number >= 2**bits:
            raise _overflow(kind)
        if number >= 2 ** (bits - 1):
            number -= 2**bits  # two's complement, as Convert reads non-decimal bases
    if not low <= number <= high:
        raise _overflow(kind)
    return number


to_int32 = _integer("Int32")
to_int64 = _integer("Int64")
to_int16 = _integer("Int16")
to_byte = _integer("Byte")
to_sbyte = _integer("SByte")
to_uint16 = _integer("UInt16")
to_uint32 = _integer("UInt32")
to_uint64 = _integer("UInt64")


def to_double(value: object) -> float:
    if value is None:
        return 0.0
    if type(value) is bool:
        return 1.0 if value else 0.0
    if type(value) is int or type(value) is float:
        return float(value)
    if type(value) is str:
        return parse_double(value)
    if type(value) is CsChar:
        raise exc.invalid_cast(value, "System.Double")
    raise exc.invalid_cast(value, "System.Double")


def to_boolean(value: object) -> bool:
    if value is None:
        return False
    if type(value) is bool:
        return value
    if type(value) is int or type(value) is float:
        return value != 0
    if type(value) is str:
        word = value.strip().strip("\0").lower()
        if word in ("true", "false"):
            return word == "true"
        raise exc.format_error(f"String '{value}' was not recognized as a valid Boolean.")
    raise exc.invalid_cast(value, "System.Boolean")


def to_char(value: object) -> CsChar:
    if type(value) is CsChar:
        return value
    if type(value) is int:
        if not 0 <= value <= 0xFFFF:
            raise exc.ExpressionRuntimeError(
                "OverflowException", "Value was either too large or too small for a character."
            )
        return CsChar(chr(value))
    if type(value) is str:
        if utf16.length(value) != 1:
            raise exc.format_error("String must be exactly one character long.")
        return CsChar(value)
    if value is None:
        raise exc.argument_null("value")
    raise exc.invalid_cast(value, "System.Char")


# the width of a negative value's two's complement in `Convert.ToString(x, toBase)`
_BASE_BITS = {"System.Int64": 64, "System.Int16": 16, "System.SByte": 16}  # (short, int)


def to_string_(value: object, arg: object = None, *, arg_types: tuple[str, ...] = ()) -> str | None:
    """Convert.ToString(x), (x, toBase), (x, provider). A null string stays null (the
    overload C# picks for a string or a `null` literal returns it), any other null is "".
    A char given a base is its code
    (`(int, int)` is the overload that takes it); a negative value's digits are those of its
    static type's width (`-1L` in base 16 is 16 f's)."""
    if type(value) is CsChar and type(arg) is int:
        value = ord(value.value)
    if type(arg) is int and type(value) is int:
        if arg not in (2, 8, 10, 16):
            raise exc.ExpressionRuntimeError(
                "ArgumentException", "Invalid Base. (Parameter 'toBase')"
            )
        if arg == 10:
            return str(value)
        bits = _BASE_BITS.get(arg_types[0] if arg_types else "", 32)
        number = value + 2**bits if value < 0 else value
        return format(number, {2: "b", 8: "o", 16: "x"}[arg])
    if value is None:  # ToString(string) gives its null back, ToString(object) ""
        return None if arg_types[:1] in (("System.String",), ("<null>",)) else ""
    if type(value) in (int, float):
        return format_number(value, None)  # type: ignore[arg-type]
    return to_string(value)


def is_db_null(value: object) -> bool:
    return False
